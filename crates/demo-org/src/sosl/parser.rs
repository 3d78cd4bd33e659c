//! SOSL parser: `FIND {search query} [IN ALL|NAME|EMAIL|PHONE FIELDS]
//! [RETURNING Obj[(fields [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n])], …] [LIMIT n]`.
//!
//! The braces are scanned here character by character (terms, `"quoted phrases"`,
//! `OR`/`AND`/`AND NOT`, parentheses, `*`/`?` wildcards, backslash escapes). An unescaped
//! reserved character outside a phrase, a dangling backslash or an unbalanced brace or quote is
//! MALFORMED_SEARCH. Inside a quoted phrase only `"` and `\` need escaping (a choice: the
//! Salesforce docs are not explicit; the client is expected to escape everything anyway).
//! Everything after the closing brace is lexed with the SOQL tokenizer and its WHERE and
//! ORDER BY grammar.

use crate::api_error::ApiError;
use crate::soql::lexer::{Tok, tokenize};
use crate::soql::parser::{Cond, OrderItem, Parser, Path};

/// SOSL's reserved characters; outside a phrase they must be backslash-escaped, except
/// the wildcards `*` `?` and grouping `(` `)`, which have meaning unescaped.
const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";

/// Deepest parenthesis nesting accepted inside the braces.
const MAX_DEPTH: usize = 32;

/// Longest search text accepted (Salesforce returns nothing past 10,000 characters).
const MAX_QUERY_CHARS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scope {
    All,
    Name,
    Email,
    Phone,
}

/// One character of a term: wildcards are unescaped `*` / `?`.
#[derive(Clone, Debug, PartialEq)]
pub enum TermChar {
    Lit(char),
    AnyRun,
    AnyOne,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SearchExpr {
    /// A word or a quoted phrase.
    Term {
        chars: Vec<TermChar>,
        phrase: bool,
    },
    And(Box<SearchExpr>, Box<SearchExpr>),
    Or(Box<SearchExpr>, Box<SearchExpr>),
    AndNot(Box<SearchExpr>, Box<SearchExpr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Returning {
    pub object: String,
    pub object_col: usize,
    pub fields: Vec<Path>,
    pub filter: Option<Cond>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    pub expr: SearchExpr,
    pub scope: Scope,
    pub returning: Vec<Returning>,
    pub limit: Option<u64>,
}

fn err_at(col: usize, msg: impl std::fmt::Display) -> ApiError {
    ApiError::malformed_search(format!("line 1:{col} {msg}"))
}

/// Lexical pieces inside the braces.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Term(Vec<TermChar>, bool),
    And,
    Or,
    Not,
    Open,
    Close,
}

/// Splits `FIND {…}` off the text: returns the brace contents (raw) and the char index after `}`.
fn split_braces(chars: &[char]) -> Result<(usize, usize), ApiError> {
    let mut i = 0;
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    let find: String = chars.iter().skip(i).take(4).collect();
    if !find.eq_ignore_ascii_case("FIND") {
        return Err(err_at(i, "a SOSL search must start with FIND"));
    }
    i += 4;
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    if chars.get(i) != Some(&'{') {
        return Err(err_at(i, "missing '{' after FIND"));
    }
    let start = i + 1;
    let mut j = start;
    let mut in_phrase = false;
    while j < chars.len() {
        match chars[j] {
            '\\' => {
                if j + 1 >= chars.len() {
                    return Err(err_at(j, "dangling escape character '\\'"));
                }
                j += 2;
                continue;
            }
            '"' => in_phrase = !in_phrase,
            '}' if !in_phrase => return Ok((start, j)),
            '{' if !in_phrase => return Err(err_at(j, "no viable alternative at character '{'")),
            _ => {}
        }
        j += 1;
    }
    Err(err_at(
        j,
        if in_phrase {
            "unbalanced quotes in search term"
        } else {
            "missing '}' closing the search term"
        },
    ))
}

fn pieces(body: &[char], offset: usize) -> Result<Vec<Piece>, ApiError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push(Piece::Open);
                i += 1;
            }
            ')' => {
                out.push(Piece::Close);
                i += 1;
            }
            '"' => {
                let mut chars = Vec::new();
                i += 1;
                loop {
                    match body.get(i) {
                        None => return Err(err_at(offset + i, "unbalanced quotes in search term")),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            let e = *body.get(i + 1).ok_or_else(|| {
                                err_at(offset + i, "dangling escape character '\\'")
                            })?;
                            chars.push(TermChar::Lit(e));
                            i += 2;
                        }
                        Some('*') => {
                            chars.push(TermChar::AnyRun);
                            i += 1;
                        }
                        Some('?') => {
                            chars.push(TermChar::AnyOne);
                            i += 1;
                        }
                        Some(&other) => {
                            chars.push(TermChar::Lit(other));
                            i += 1;
                        }
                    }
                }
                out.push(Piece::Term(chars, true));
            }
            _ => {
                let mut chars = Vec::new();
                while i < body.len()
                    && !body[i].is_whitespace()
                    && !matches!(body[i], '(' | ')' | '"')
                {
                    match body[i] {
                        '\\' => {
                            let e = *body.get(i + 1).ok_or_else(|| {
                                err_at(offset + i, "dangling escape character '\\'")
                            })?;
                            chars.push(TermChar::Lit(e));
                            i += 2;
                        }
                        '*' => {
                            chars.push(TermChar::AnyRun);
                            i += 1;
                        }
                        '?' => {
                            chars.push(TermChar::AnyOne);
                            i += 1;
                        }
                        r if RESERVED.contains(r) => {
                            return Err(err_at(
                                offset + i,
                                format!("no viable alternative at character '{r}'"),
                            ));
                        }
                        other => {
                            chars.push(TermChar::Lit(other));
                            i += 1;
                        }
                    }
                }
                let word: String = chars
                    .iter()
                    .map(|c| if let TermChar::Lit(c) = c { *c } else { '*' })
                    .collect();
                let all_lit = chars.iter().all(|c| matches!(c, TermChar::Lit(_)));
                match word.to_ascii_uppercase().as_str() {
                    "AND" if all_lit => out.push(Piece::And),
                    "OR" if all_lit => out.push(Piece::Or),
                    "NOT" if all_lit => out.push(Piece::Not),
                    _ => out.push(Piece::Term(chars, false)),
                }
            }
        }
    }
    Ok(out)
}

struct ExprParser {
    pieces: Vec<Piece>,
    pos: usize,
    depth: usize,
}

impl ExprParser {
    fn peek(&self) -> Option<&Piece> {
        self.pieces.get(self.pos)
    }

    /// or_expr := and_expr (OR and_expr)*
    fn or_expr(&mut self) -> Result<SearchExpr, ApiError> {
        let mut left = self.and_expr()?;
        while self.peek() == Some(&Piece::Or) {
            self.pos += 1;
            let right = self.and_expr()?;
            left = SearchExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// and_expr := primary ((AND [NOT] | implicit AND) primary)*
    fn and_expr(&mut self) -> Result<SearchExpr, ApiError> {
        let mut left = self.primary()?;
        loop {
            match self.peek() {
                Some(Piece::And) => {
                    self.pos += 1;
                    if self.peek() == Some(&Piece::Not) {
                        self.pos += 1;
                        let right = self.primary()?;
                        left = SearchExpr::AndNot(Box::new(left), Box::new(right));
                    } else {
                        let right = self.primary()?;
                        left = SearchExpr::And(Box::new(left), Box::new(right));
                    }
                }
                Some(Piece::Term(..)) | Some(Piece::Open) => {
                    // Words side by side are ANDed, as in Salesforce.
                    let right = self.primary()?;
                    left = SearchExpr::And(Box::new(left), Box::new(right));
                }
                _ => return Ok(left),
            }
        }
    }

    fn primary(&mut self) -> Result<SearchExpr, ApiError> {
        match self.peek().cloned() {
            Some(Piece::Term(chars, phrase)) => {
                self.pos += 1;
                let lits = chars
                    .iter()
                    .filter(|c| matches!(c, TermChar::Lit(c) if c.is_alphanumeric()))
                    .count();
                if lits < 2 && !phrase {
                    let shown: String = chars
                        .iter()
                        .map(|c| if let TermChar::Lit(c) = c { *c } else { '*' })
                        .collect();
                    return Err(ApiError::malformed_search(format!(
                        "search term must be longer than one character: {shown}"
                    )));
                }
                Ok(SearchExpr::Term { chars, phrase })
            }
            Some(Piece::Open) => {
                self.pos += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(ApiError::malformed_search(
                        "search query is nested too deeply",
                    ));
                }
                let inner = self.or_expr()?;
                if self.peek() != Some(&Piece::Close) {
                    return Err(ApiError::malformed_search(
                        "unbalanced parentheses in search term",
                    ));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(other) => Err(ApiError::malformed_search(
                format!("unexpected {other:?} in search term").replace("Piece::", ""),
            )),
            None => Err(ApiError::malformed_search(
                "search term must be longer than one character: ",
            )),
        }
    }
}

fn scope(p: &mut Parser) -> Result<Scope, ApiError> {
    if !p.eat_word("IN") {
        return Ok(Scope::All);
    }
    let s = match p.peek() {
        t if t.is_word("ALL") => Scope::All,
        t if t.is_word("NAME") => Scope::Name,
        t if t.is_word("EMAIL") => Scope::Email,
        t if t.is_word("PHONE") => Scope::Phone,
        _ => return Err(to_search(p.unexpected())),
    };
    p.advance();
    p.expect_word("FIELDS").map_err(to_search)?;
    Ok(s)
}

fn to_search(mut e: ApiError) -> ApiError {
    if e.code == "MALFORMED_QUERY" {
        e.code = "MALFORMED_SEARCH".into();
    }
    e
}

fn returning(p: &mut Parser) -> Result<Vec<Returning>, ApiError> {
    let mut out = Vec::new();
    if !p.eat_word("RETURNING") {
        return Ok(out);
    }
    loop {
        let (object, object_col) = p.name()?;
        let mut r = Returning {
            object,
            object_col,
            fields: Vec::new(),
            filter: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        };
        if p.peek() == &Tok::LParen {
            p.advance();
            r.fields = p.field_list()?;
            if p.eat_word("WHERE") {
                r.filter = Some(p.condition()?);
            }
            if p.eat_word("ORDER") {
                p.expect_word("BY")?;
                r.order_by = p.order_by()?;
            }
            if p.eat_word("LIMIT") {
                r.limit = Some(p.unsigned()?);
            }
            if p.eat_word("OFFSET") {
                r.offset = Some(p.unsigned()?);
            }
            p.expect(&Tok::RParen)?;
        }
        out.push(r);
        if p.peek() == &Tok::Comma {
            p.advance();
        } else {
            return Ok(out);
        }
    }
}

/// Parses SOSL text.
pub fn parse(text: &str) -> Result<Search, ApiError> {
    let chars: Vec<char> = text.chars().collect();
    let (start, end) = split_braces(&chars)?;
    if end - start > MAX_QUERY_CHARS {
        return Err(ApiError::malformed_search(format!(
            "search term is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let pieces = pieces(&chars[start..end], start)?;
    let mut ep = ExprParser {
        pieces,
        pos: 0,
        depth: 0,
    };
    let expr = ep.or_expr()?;
    if ep.pos != ep.pieces.len() {
        return Err(ApiError::malformed_search(
            "unbalanced parentheses in search term",
        ));
    }
    let rest: String = chars[end + 1..].iter().collect();
    let toks = tokenize(&rest, end + 1).map_err(to_search)?;
    let mut p = Parser::new(toks);
    let scope = scope(&mut p)?;
    let returning = returning(&mut p).map_err(to_search)?;
    let limit = if p.eat_word("LIMIT") {
        Some(p.unsigned().map_err(to_search)?)
    } else {
        None
    };
    if !p.at_end() {
        return Err(to_search(p.unexpected()));
    }
    Ok(Search {
        expr,
        scope,
        returning,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_pop_search_parses() {
        let s = parse(
            r#"FIND {"+14155550123" OR "4155550123" OR "(415) 555-0123"} IN PHONE FIELDS RETURNING Contact(Id, Name, Account.Name), Lead(Id WHERE IsConverted = false), Account LIMIT 50"#,
        )
        .expect("the screen-pop search parses");
        assert_eq!(s.scope, Scope::Phone, "scope");
        assert_eq!(s.returning.len(), 3, "three objects");
        assert!(s.returning[1].filter.is_some(), "WHERE inside RETURNING");
        assert_eq!(s.limit, Some(50), "final LIMIT");
        assert!(matches!(s.expr, SearchExpr::Or(..)), "OR of phrases");
    }

    #[test]
    fn escaped_reserved_characters_are_accepted() {
        let s = parse(r"FIND {\+14155550123} IN PHONE FIELDS").expect("escaped plus");
        assert_eq!(
            s.expr,
            SearchExpr::Term {
                chars: "+14155550123".chars().map(TermChar::Lit).collect(),
                phrase: false
            },
            "the escape is removed"
        );
        assert!(
            parse(r"FIND {O\'Brien\-Smith}").is_ok(),
            "escaped quote and hyphen"
        );
    }

    #[test]
    fn unescaped_reserved_characters_are_malformed() {
        for q in [
            "FIND {+14155550123}",
            "FIND {a&b}",
            "FIND {jane:doe}",
            "FIND {x-y}",
            "FIND {[ab]}",
            "FIND {it's}",
        ] {
            let err = parse(q).expect_err(q);
            assert_eq!(err.code, "MALFORMED_SEARCH", "{q} must be MALFORMED_SEARCH");
        }
    }

    #[test]
    fn hostile_inputs() {
        for q in [
            "",
            "FIND",
            "FIND {abc",
            "FIND abc}",
            "FIND {ab{cd}}",
            "FIND {\"unbalanced}",
            "FIND {ab\\",
            "FIND {a}",
            "FIND {}",
            "FIND {(ab}",
            "FIND {ab)}",
            "FIND {ab} RETURNING Contact(Id WHERE Name = 'x) LIMIT 5",
            "FIND {ab} IN BOGUS FIELDS",
            "FIND {ab} RETURNING Contact(Id)) ; DELETE",
        ] {
            let err = parse(q).expect_err(q);
            assert_eq!(
                err.code, "MALFORMED_SEARCH",
                "{q:?} must be MALFORMED_SEARCH, got {err:?}"
            );
        }
        assert!(
            parse("FIND {café😀 ab}").is_ok(),
            "emoji are plain term characters"
        );
        assert!(
            parse("FIND {😀😀}").is_err(),
            "a term without letters or digits is too short"
        );
        let long = format!("FIND {{{}}}", "a".repeat(10_001));
        assert!(parse(&long).is_err(), "over 10k characters is refused");
        let deep = format!("FIND {{{}ab{}}}", "(".repeat(5000), ")".repeat(5000));
        assert!(
            parse(&deep).is_err(),
            "deep nesting is refused, not a stack overflow"
        );
    }

    #[test]
    fn operators_and_wildcards() {
        let s = parse("find {Jane* AND NOT Smith} in name fields").expect("lowercase keywords");
        assert!(matches!(s.expr, SearchExpr::AndNot(..)), "AND NOT");
        let s = parse("FIND {jane caller}").expect("implicit AND");
        assert!(
            matches!(s.expr, SearchExpr::And(..)),
            "adjacent words are ANDed"
        );
    }
}
