//! SOQL recursive-descent parser: tokens → [`Query`]. Syntax only; names are checked
//! against the schema by the evaluator. SOSL uses [`Parser`] for the field lists, WHERE,
//! ORDER BY and LIMIT inside `RETURNING`.
//!
//! Grammar (subset):
//! ```text
//! query     := SELECT select FROM word [WHERE cond] [ORDER BY order (, order)*] [LIMIT n] [OFFSET n]
//! select    := COUNT ( ) | item (, item)*
//! item      := path | COUNT ( path ) [alias] | FIELDS ( ALL | STANDARD | CUSTOM )
//!            | ( SELECT path (, path)* FROM relationship [WHERE cond] [ORDER BY …] [LIMIT n] )
//!              -- a parent-to-child subquery, one level deep as in Salesforce
//! cond      := unary (AND unary)* | unary (OR unary)*     -- mixing AND/OR needs parentheses
//! unary     := NOT unary | ( cond ) | path op value | path [NOT] IN ( value, … )
//!            | path [NOT] IN ( SELECT path (, path)* FROM word [WHERE cond] )
//!              -- a semi-join (anti-join with NOT); never nested
//! value     := 'string' | number | true | false | null | date | datetime | TODAY | LAST_N_DAYS:n …
//! ```

use super::lexer::{Spanned, StrChar, Tok, error_at};
use crate::api_error::ApiError;

/// Deepest nesting of parentheses/NOT accepted; deeper input is rejected rather than
/// risking the stack on hostile queries.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub fields: Vec<Path>,
    /// `COUNT(field) [alias]` items, in SELECT order (an aggregate query: no GROUP BY here).
    pub aggregates: Vec<Aggregate>,
    /// `FIELDS(…)` items, in SELECT order, with their columns.
    pub field_groups: Vec<(FieldGroup, usize)>,
    /// Parent-to-child subqueries (`(SELECT Id FROM Contacts)`), in SELECT order.
    pub children: Vec<ChildQuery>,
    pub count_only: bool,
    pub from: String,
    pub from_col: usize,
    pub filter: Option<Cond>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// A parent-to-child subquery in the SELECT list: its rows are the child records whose
/// lookup points at the outer row, through the child relationship named in its FROM.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildQuery {
    pub fields: Vec<Path>,
    pub relationship: String,
    pub relationship_col: usize,
    pub filter: Option<Cond>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<u64>,
}

/// `COUNT(field)` in a SELECT list, with its alias if one is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub field: Path,
    pub alias: Option<String>,
}

/// The groups `FIELDS()` selects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldGroup {
    All,
    Standard,
    Custom,
}

/// The subquery of a semi-join or anti-join (`Id IN (SELECT AccountId FROM Contact …)`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubSelect {
    pub fields: Vec<Path>,
    pub from: String,
    pub from_col: usize,
    pub filter: Option<Cond>,
}

/// A dotted field path as written (`Account.Owner.Name`), with its column.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub parts: Vec<String>,
    pub col: usize,
}

impl Path {
    pub fn text(&self) -> String {
        self.parts.join(".")
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(Vec<StrChar>),
    Num(f64),
    Bool(bool),
    Null,
    Date(String),
    DateTime(String),
    /// A named date literal (`TODAY`, `LAST_N_DAYS:7`, …) with its numeric argument.
    Named(String, Option<i64>),
}

impl Literal {
    pub fn text(&self) -> Option<String> {
        match self {
            Literal::Str(s) => Some(s.iter().map(|c| c.c).collect()),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Cmp {
        path: Path,
        op: CmpOp,
        value: Literal,
    },
    In {
        path: Path,
        negated: bool,
        values: Vec<Literal>,
    },
    /// `path IN (SELECT …)`, or `NOT IN` (an anti-join).
    SemiJoin {
        path: Path,
        negated: bool,
        sub: Box<SubSelect>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderItem {
    pub path: Path,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

/// Named date literals accepted (and whether they take `:n`).
pub const NAMED_DATES: &[(&str, bool)] = &[
    ("TODAY", false),
    ("YESTERDAY", false),
    ("TOMORROW", false),
    ("LAST_N_DAYS", true),
    ("NEXT_N_DAYS", true),
];

/// Words that cannot be field or object names.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET",
    "ASC", "DESC", "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH",
    "FOR", "USING", "INCLUDES", "EXCLUDES",
];

/// What a SELECT list holds, by kind.
#[derive(Default)]
struct SelectList {
    fields: Vec<Path>,
    aggregates: Vec<Aggregate>,
    field_groups: Vec<(FieldGroup, usize)>,
    children: Vec<ChildQuery>,
}

pub struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
    depth: usize,
    /// Inside a semi-join's subquery, where another one is refused.
    in_sub_select: bool,
}

impl Parser {
    pub fn new(toks: Vec<Spanned>) -> Self {
        Parser {
            toks,
            pos: 0,
            depth: 0,
            in_sub_select: false,
        }
    }

    pub fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    pub fn peek_at(&self, ahead: usize) -> &Tok {
        &self.toks[(self.pos + ahead).min(self.toks.len() - 1)].tok
    }

    pub fn col(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].col
    }

    pub fn advance(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    pub fn unexpected(&self) -> ApiError {
        error_at(
            self.col(),
            format!("unexpected token: '{}'", self.peek().display()),
        )
    }

    pub fn eat_word(&mut self, kw: &str) -> bool {
        if self.peek().is_word(kw) {
            self.advance();
            true
        } else {
            false
        }
    }

    pub fn expect_word(&mut self, kw: &str) -> Result<(), ApiError> {
        if self.eat_word(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub fn expect(&mut self, tok: &Tok) -> Result<(), ApiError> {
        if self.peek() == tok {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub fn at_end(&self) -> bool {
        matches!(self.peek(), Tok::Eof)
    }

    /// A name that is not a reserved word.
    pub fn name(&mut self) -> Result<(String, usize), ApiError> {
        let col = self.col();
        match self.peek().clone() {
            Tok::Word(w) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&w)) => {
                self.advance();
                Ok((w, col))
            }
            _ => Err(self.unexpected()),
        }
    }

    pub fn path(&mut self) -> Result<Path, ApiError> {
        let (first, col) = self.name()?;
        let mut parts = vec![first];
        while self.peek() == &Tok::Dot {
            self.advance();
            parts.push(self.name()?.0);
        }
        Ok(Path { parts, col })
    }

    /// `path (, path)*` — the field list of SELECT or of a SOSL RETURNING object.
    pub fn field_list(&mut self) -> Result<Vec<Path>, ApiError> {
        let mut fields = vec![self.path()?];
        while self.peek() == &Tok::Comma {
            self.advance();
            fields.push(self.path()?);
        }
        Ok(fields)
    }

    pub fn condition(&mut self) -> Result<Cond, ApiError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error_at(self.col(), "query is nested too deeply"));
        }
        let first = self.unary()?;
        let result = if self.peek().is_word("AND") || self.peek().is_word("OR") {
            let joiner = if self.peek().is_word("AND") {
                "AND"
            } else {
                "OR"
            };
            let other = if joiner == "AND" { "OR" } else { "AND" };
            let mut parts = vec![first];
            while self.eat_word(joiner) {
                parts.push(self.unary()?);
            }
            if self.peek().is_word(other) {
                // Salesforce refuses `a AND b OR c`: the grouping must be explicit.
                return Err(self.unexpected());
            }
            if joiner == "AND" {
                Cond::And(parts)
            } else {
                Cond::Or(parts)
            }
        } else {
            first
        };
        self.depth -= 1;
        Ok(result)
    }

    fn unary(&mut self) -> Result<Cond, ApiError> {
        if self.eat_word("NOT") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(error_at(self.col(), "query is nested too deeply"));
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        if self.peek() == &Tok::LParen {
            self.advance();
            let inner = self.condition()?;
            self.expect(&Tok::RParen)?;
            return Ok(inner);
        }
        let path = self.path()?;
        let negated_in = self.peek().is_word("NOT") && self.peek_at(1).is_word("IN");
        let sub_at = if negated_in { 2 } else { 1 };
        if (negated_in || self.peek().is_word("IN"))
            && self.peek_at(sub_at) == &Tok::LParen
            && self.peek_at(sub_at + 1).is_word("SELECT")
        {
            for _ in 0..sub_at {
                self.advance();
            }
            return Ok(Cond::SemiJoin {
                path,
                negated: negated_in,
                sub: Box::new(self.sub_select()?),
            });
        }
        if negated_in {
            self.advance();
            self.advance();
            return Ok(Cond::In {
                path,
                negated: true,
                values: self.value_list()?,
            });
        }
        if self.eat_word("IN") {
            return Ok(Cond::In {
                path,
                negated: false,
                values: self.value_list()?,
            });
        }
        let op = match self.peek() {
            Tok::Eq => CmpOp::Eq,
            Tok::Ne => CmpOp::Ne,
            Tok::Lt => CmpOp::Lt,
            Tok::Gt => CmpOp::Gt,
            Tok::Le => CmpOp::Le,
            Tok::Ge => CmpOp::Ge,
            t if t.is_word("LIKE") => CmpOp::Like,
            _ => return Err(self.unexpected()),
        };
        self.advance();
        let value = self.value()?;
        Ok(Cond::Cmp { path, op, value })
    }

    /// `( SELECT fields FROM object [WHERE cond] )` of a semi-join or anti-join. The SOQL
    /// reference's semi-join restrictions refuse a nested one and ORDER BY or LIMIT in it
    /// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm>).
    fn sub_select(&mut self) -> Result<SubSelect, ApiError> {
        let col = self.col();
        if self.in_sub_select {
            return Err(error_at(
                col,
                "Nesting of semi join sub-selects is not supported",
            ));
        }
        self.expect(&Tok::LParen)?;
        self.expect_word("SELECT")?;
        let fields = self.field_list()?;
        self.expect_word("FROM")?;
        let (from, from_col) = self.name()?;
        let filter = if self.eat_word("WHERE") {
            self.in_sub_select = true;
            let cond = self.condition();
            self.in_sub_select = false;
            Some(cond?)
        } else {
            None
        };
        if self.peek().is_word("ORDER") || self.peek().is_word("LIMIT") {
            return Err(error_at(
                self.col(),
                format!(
                    "{} is not allowed in a semi join or anti join sub-select",
                    self.peek().display().to_uppercase()
                ),
            ));
        }
        self.expect(&Tok::RParen)?;
        Ok(SubSelect {
            fields,
            from,
            from_col,
            filter,
        })
    }

    fn value_list(&mut self) -> Result<Vec<Literal>, ApiError> {
        self.expect(&Tok::LParen)?;
        let mut values = vec![self.value()?];
        while self.peek() == &Tok::Comma {
            self.advance();
            values.push(self.value()?);
        }
        self.expect(&Tok::RParen)?;
        Ok(values)
    }

    fn value(&mut self) -> Result<Literal, ApiError> {
        let col = self.col();
        let lit = match self.peek().clone() {
            Tok::Str(s) => Literal::Str(s),
            Tok::Num(n) => Literal::Num(n.parse().map_err(|_| self.unexpected())?),
            Tok::DateLit(d) => {
                if d.len() == 10 {
                    Literal::Date(d)
                } else {
                    Literal::DateTime(d)
                }
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Literal::Null,
            Tok::Word(w) => {
                let Some((name, takes_n)) =
                    NAMED_DATES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&w))
                else {
                    return Err(self.unexpected());
                };
                self.advance();
                if *takes_n {
                    self.expect(&Tok::Colon)?;
                    let n = match self.advance() {
                        Tok::Num(n) => n
                            .parse::<i64>()
                            .map_err(|_| error_at(col, format!("Invalid date literal: {w}")))?,
                        _ => return Err(error_at(col, format!("Invalid date literal: {w}"))),
                    };
                    return Ok(Literal::Named((*name).to_owned(), Some(n)));
                }
                return Ok(Literal::Named((*name).to_owned(), None));
            }
            _ => return Err(self.unexpected()),
        };
        self.advance();
        Ok(lit)
    }

    pub fn order_by(&mut self) -> Result<Vec<OrderItem>, ApiError> {
        let mut items = Vec::new();
        loop {
            let path = self.path()?;
            let descending = if self.eat_word("DESC") {
                true
            } else {
                self.eat_word("ASC");
                false
            };
            let nulls_first = if self.eat_word("NULLS") {
                if self.eat_word("FIRST") {
                    Some(true)
                } else {
                    self.expect_word("LAST")?;
                    Some(false)
                }
            } else {
                None
            };
            items.push(OrderItem {
                path,
                descending,
                nulls_first,
            });
            if self.peek() == &Tok::Comma {
                self.advance();
            } else {
                return Ok(items);
            }
        }
    }

    pub fn unsigned(&mut self) -> Result<u64, ApiError> {
        match self.peek().clone() {
            Tok::Num(n) => {
                let v = n.parse::<u64>().map_err(|_| self.unexpected())?;
                self.advance();
                Ok(v)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// The outer SELECT list: fields, `COUNT(field)`, `FIELDS(…)` and parent-to-child
    /// subqueries, in any order.
    fn select_list(&mut self) -> Result<SelectList, ApiError> {
        let mut list = SelectList::default();
        loop {
            if self.peek() == &Tok::LParen && self.peek_at(1).is_word("SELECT") {
                self.advance();
                list.children.push(self.child_query()?);
                self.expect(&Tok::RParen)?;
            } else if self.peek().is_word("COUNT") && self.peek_at(1) == &Tok::LParen {
                let col = self.col();
                self.advance();
                self.advance();
                if self.peek() == &Tok::RParen {
                    // "COUNT() must be the only element in the SELECT list."
                    return Err(error_at(
                        col,
                        "COUNT() must be the only element in the SELECT list",
                    ));
                }
                let field = self.path()?;
                self.expect(&Tok::RParen)?;
                let alias = match self.peek().clone() {
                    Tok::Word(_) if !self.peek().is_word("FROM") => Some(self.name()?.0),
                    _ => None,
                };
                list.aggregates.push(Aggregate { field, alias });
            } else if self.peek().is_word("FIELDS") && self.peek_at(1) == &Tok::LParen {
                let col = self.col();
                self.advance();
                self.advance();
                let group = match self.peek() {
                    t if t.is_word("ALL") => FieldGroup::All,
                    t if t.is_word("STANDARD") => FieldGroup::Standard,
                    t if t.is_word("CUSTOM") => FieldGroup::Custom,
                    _ => return Err(self.unexpected()),
                };
                self.advance();
                self.expect(&Tok::RParen)?;
                list.field_groups.push((group, col));
            } else {
                list.fields.push(self.path()?);
            }
            if self.peek() == &Tok::Comma {
                self.advance();
            } else {
                return Ok(list);
            }
        }
    }

    /// `SELECT fields FROM relationship [WHERE] [ORDER BY] [LIMIT]` inside parentheses;
    /// a nested subquery is refused, as Salesforce allows only one level.
    fn child_query(&mut self) -> Result<ChildQuery, ApiError> {
        self.expect_word("SELECT")?;
        let fields = self.field_list()?;
        self.expect_word("FROM")?;
        let (relationship, relationship_col) = self.name()?;
        let filter = if self.eat_word("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let order_by = if self.eat_word("ORDER") {
            self.expect_word("BY")?;
            self.order_by()?
        } else {
            Vec::new()
        };
        let limit = if self.eat_word("LIMIT") {
            Some(self.unsigned()?)
        } else {
            None
        };
        Ok(ChildQuery {
            fields,
            relationship,
            relationship_col,
            filter,
            order_by,
            limit,
        })
    }

    pub fn query(&mut self) -> Result<Query, ApiError> {
        self.expect_word("SELECT")?;
        let (list, count_only) = if self.peek().is_word("COUNT")
            && self.peek_at(1) == &Tok::LParen
            && self.peek_at(2) == &Tok::RParen
        {
            self.advance();
            self.advance();
            self.advance();
            (SelectList::default(), true)
        } else {
            (self.select_list()?, false)
        };
        let SelectList {
            fields,
            aggregates,
            field_groups,
            children,
        } = list;
        self.expect_word("FROM")?;
        let (from, from_col) = self.name()?;
        let filter = if self.eat_word("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let order_by = if self.eat_word("ORDER") {
            self.expect_word("BY")?;
            self.order_by()?
        } else {
            Vec::new()
        };
        let limit = if self.eat_word("LIMIT") {
            Some(self.unsigned()?)
        } else {
            None
        };
        let offset = if self.eat_word("OFFSET") {
            Some(self.unsigned()?)
        } else {
            None
        };
        if !self.at_end() {
            return Err(self.unexpected());
        }
        Ok(Query {
            fields,
            aggregates,
            field_groups,
            children,
            count_only,
            from,
            from_col,
            filter,
            order_by,
            limit,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse(q: &str) -> Result<Query, ApiError> {
        Parser::new(tokenize(q, 0)?).query()
    }

    #[test]
    fn full_query_parses() {
        let q = parse(
            "select Id, Name, Account.Name FROM Contact WHERE (Phone = '(415) 555-0123' OR Email LIKE 'jane%') \
             AND NOT LeadSource IN ('Web', 'Other') AND CreatedDate > 2026-01-01T00:00:00Z AND Id NOT IN ('a') \
             ORDER BY LastName DESC NULLS LAST, FirstName LIMIT 10 OFFSET 5",
        )
        .expect("a full query parses");
        assert_eq!(q.from, "Contact", "object name kept");
        assert_eq!(q.fields.len(), 3, "three fields");
        assert_eq!(q.fields[2].parts, vec!["Account", "Name"], "parent path");
        assert_eq!(q.order_by.len(), 2, "two order items");
        assert_eq!((q.limit, q.offset), (Some(10), Some(5)), "limit and offset");
        assert!(
            matches!(q.filter, Some(Cond::And(ref parts)) if parts.len() == 4),
            "AND chain of four"
        );
    }

    #[test]
    fn child_subqueries_parse_one_level_deep() {
        let q = parse(
            "SELECT Id, (SELECT Id, Subject FROM Tasks__r WHERE Status = 'Completed' ORDER BY CreatedDate DESC LIMIT 1), Name FROM Call_Log__c",
        )
        .expect("a parent-to-child subquery parses");
        assert_eq!(q.fields.len(), 2, "fields around the subquery are kept");
        assert_eq!(q.children.len(), 1, "one subquery");
        assert_eq!(q.children[0].relationship, "Tasks__r");
        assert_eq!(q.children[0].limit, Some(1));
        assert!(
            parse("SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account")
                .is_err(),
            "Salesforce allows one level of subquery only"
        );
    }

    #[test]
    fn count_query() {
        let q = parse("SELECT COUNT() FROM Lead WHERE IsConverted = false").expect("count parses");
        assert!(q.count_only, "COUNT() recognised");
    }

    #[test]
    fn count_field_fields_and_semi_joins_parse() {
        let q = parse("SELECT COUNT(Id), COUNT(Email) withEmail, FIELDS(STANDARD) FROM Contact")
            .expect("aggregates and FIELDS parse");
        assert_eq!(q.aggregates.len(), 2, "two COUNT(field) items");
        assert_eq!(
            q.aggregates[1].alias.as_deref(),
            Some("withEmail"),
            "alias kept"
        );
        assert_eq!(q.field_groups[0].0, FieldGroup::Standard);
        let q = parse(
            "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE LastName = 'x')",
        )
        .expect("an anti-join parses");
        assert!(
            matches!(q.filter, Some(Cond::SemiJoin { negated: true, ref sub, .. }) if sub.from == "Contact"),
            "NOT IN (SELECT …) is an anti-join on Contact"
        );
        for bad in [
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Case))",
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact LIMIT 1)",
            "SELECT Id, COUNT() FROM Account",
            "SELECT FIELDS(EVERYTHING) FROM Account",
        ] {
            assert_eq!(
                parse(bad).expect_err(bad).code,
                "MALFORMED_QUERY",
                "{bad}: refused by the grammar"
            );
        }
    }

    #[test]
    fn mixed_and_or_needs_parentheses() {
        let err =
            parse("SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3").expect_err("ambiguous");
        assert_eq!(
            err.code, "MALFORMED_QUERY",
            "Salesforce rejects mixed AND/OR"
        );
    }

    #[test]
    fn hostile_inputs_are_errors_not_panics() {
        for q in [
            "",
            "SELECT",
            "SELECT Id FROM",
            "SELECT Id FROM Contact WHERE Name = 'x' OR '1'='1'",
            "SELECT Id FROM Contact WHERE Name = 'x'; DROP TABLE Contact",
            "SELECT Id FROM Contact WHERE Name = 'unbalanced",
            "SELECT Id FROM Contact WHERE (Name = 'x'",
            "SELECT Id FROM Contact LIMIT -1",
            "SELECT Id FROM Contact WHERE Name = '😀' 😀",
            "SELECT FROM Contact",
        ] {
            assert!(parse(q).is_err(), "{q:?} must be rejected");
        }
        let deep = format!(
            "SELECT Id FROM Contact WHERE {}Name = 'x'{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(
            parse(&deep).expect_err("too deep").code,
            "MALFORMED_QUERY",
            "deep nesting is refused, not a stack overflow"
        );
        let nots = format!(
            "SELECT Id FROM Contact WHERE {}Name = 'x'",
            "NOT ".repeat(10_000)
        );
        assert!(parse(&nots).is_err(), "deep NOT chains are refused");
        let long = format!(
            "SELECT Id FROM Contact WHERE Name = '{}'",
            "x".repeat(10_000)
        );
        assert!(parse(&long).is_ok(), "a 10k literal is fine syntactically");
    }

    #[test]
    fn keywords_are_case_insensitive_and_named_dates_parse() {
        let q = parse("SeLeCt Id fRoM Task wHeRe ActivityDate = LAST_N_DAYS:7 oRdEr bY Id aSc")
            .expect("mixed case");
        assert!(
            matches!(q.filter, Some(Cond::Cmp { value: Literal::Named(ref n, Some(7)), .. }) if n == "LAST_N_DAYS"),
            "named date with argument"
        );
    }
}
