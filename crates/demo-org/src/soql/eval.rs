//! Runs parsed SOQL against the store: resolves field paths against the schema
//! (parent relationships, polymorphic `Who`/`What` through the Name object), type-checks
//! filter literals as Salesforce does, filters, sorts, and renders records with parent
//! fields nested as objects carrying their own `attributes`.

use super::lexer::StrChar;
use super::parser::{CmpOp, Cond, FieldGroup, Literal, OrderItem, Path, Query, SubSelect};
use crate::api_error::ApiError;
use crate::clock;
use crate::ids;
use crate::schema::{self, FieldDef, FieldType, ObjectDef};
use crate::sharing::Viewer;
use crate::store::{Record, Store, attributes};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

/// Salesforce refuses OFFSET above this.
const MAX_OFFSET: u64 = 2000;
/// Semi-joins and anti-joins allowed in one WHERE ("No more than two IN or NOT IN
/// statements per WHERE clause", the restrictions cited at [`compile_semi_join`]).
const MAX_SEMI_JOINS: usize = 2;
/// The LIMIT `FIELDS(ALL)` and `FIELDS(CUSTOM)` need at most
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm>).
const MAX_FIELDS_LIMIT: u64 = 200;

#[derive(Clone, Debug)]
enum Last {
    Field(&'static FieldDef),
    /// A field of the polymorphic Name object (`Who.Name`, `What.Id`).
    Poly(&'static str),
    /// `IsDeleted`, which every object has: true only for Recycle Bin rows (`queryAll`).
    IsDeleted,
}

/// A field path checked against the schema.
#[derive(Clone, Debug)]
pub struct Resolved {
    steps: Vec<&'static FieldDef>,
    /// Each step's position in its object's describe (see [`field_at`]).
    step_positions: Vec<usize>,
    last: Last,
    /// The last field's position in its object's describe.
    last_position: Option<usize>,
}

/// Where `field` sits in `object`'s describe. Records keep their fields in describe order
/// (see `store`), so this is also its index in every stored record's field map.
fn position(object: &ObjectDef, field: &FieldDef) -> Option<usize> {
    object.fields.iter().position(|f| std::ptr::eq(f, field))
}

/// `record`'s value of `name`, read at `position` when the record has it there (the
/// usual case: no hashing, one less memory access per row of a scan), else by name.
pub(crate) fn field_at<'s>(record: &'s Record, name: &str, position: Option<usize>) -> &'s Value {
    position
        // `serde_json::Map` has no index access; stepping its entries is a few pointer
        // increments over one contiguous array.
        .and_then(|i| record.fields.iter().nth(i))
        .filter(|(key, _)| key.as_str() == name)
        .map_or_else(|| record.get(name), |(_, value)| value)
}

impl Resolved {
    fn ty(&self) -> FieldType {
        match self.last {
            Last::Field(f) => f.ty,
            Last::Poly("Id") => FieldType::Id,
            Last::Poly(_) => FieldType::String,
            Last::IsDeleted => FieldType::Boolean,
        }
    }
}

fn invalid_field(path: &Path, object: &ObjectDef) -> ApiError {
    ApiError::bad_request(
        "INVALID_FIELD",
        format!(
            "ERROR at Row:1:Column:{}\nNo such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
            path.col,
            path.parts.last().cloned().unwrap_or_default(),
            object.name
        ),
    )
}

/// Checks `path` on `object`.
pub fn resolve(object: &'static ObjectDef, path: &Path) -> Result<Resolved, ApiError> {
    let mut current = object;
    let mut steps = Vec::new();
    let mut step_positions = Vec::new();
    let (last, rels) = path
        .parts
        .split_last()
        .ok_or_else(|| invalid_field(path, object))?;
    for (i, rel) in rels.iter().enumerate() {
        let field = current.relationship(rel).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_FIELD",
                format!(
                    "ERROR at Row:1:Column:{}\nDidn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
                    path.col
                ),
            )
        })?;
        steps.push(field);
        step_positions.push(position(current, field).unwrap_or(usize::MAX));
        if field.reference_to.len() > 1 {
            // Polymorphic: only the Name object's fields, and nothing deeper.
            let poly = ["Id", "Name"]
                .into_iter()
                .find(|n| n.eq_ignore_ascii_case(last));
            return match poly {
                Some(p) if i == rels.len() - 1 => Ok(Resolved {
                    steps,
                    step_positions,
                    last: Last::Poly(p),
                    last_position: None,
                }),
                _ => Err(invalid_field(
                    path,
                    schema::object("User").unwrap_or(object),
                )),
            };
        }
        current = field
            .reference_to
            .first()
            .and_then(|t| schema::object(t))
            .ok_or_else(|| invalid_field(path, current))?;
    }
    let Some(field) = current.field(last) else {
        if last.eq_ignore_ascii_case(crate::store::IS_DELETED) {
            return Ok(Resolved {
                steps,
                step_positions,
                last: Last::IsDeleted,
                last_position: None,
            });
        }
        return Err(invalid_field(path, current));
    };
    Ok(Resolved {
        steps,
        step_positions,
        last: Last::Field(field),
        last_position: position(current, field),
    })
}

/// The value of a resolved path on a record (`null` when any reference on the way is
/// empty), borrowed from the store where it can be: filters and sorts read it per row.
fn value_of<'s>(store: &'s Store, record: &'s Record, path: &Resolved) -> Cow<'s, Value> {
    let mut current = record;
    for (step, at) in path.steps.iter().zip(&path.step_positions) {
        let Some(target) = field_at(current, step.name, Some(*at))
            .as_str()
            .and_then(|id| store.by_id(id))
        else {
            return Cow::Owned(Value::Null);
        };
        current = target;
    }
    match path.last {
        Last::Field(f) => Cow::Borrowed(field_at(current, f.name, path.last_position)),
        Last::Poly("Id") => Cow::Borrowed(current.get("Id")),
        Last::Poly(_) => Cow::Owned(poly_name(current)),
        Last::IsDeleted => Cow::Owned(Value::Bool(current.is_deleted())),
    }
}

fn poly_name(record: &Record) -> Value {
    let name = record.get("Name");
    if name.is_null() {
        record.get("CaseNumber").clone()
    } else {
        name.clone()
    }
}

/// A filter literal converted to the field's type.
#[derive(Clone, Debug)]
enum Typed {
    Null,
    Text(String),
    Like(Vec<StrChar>),
    Num(f64),
    Bool(bool),
    Day(i64),
    /// An instant, and the same instant as the store writes datetimes
    /// (`YYYY-MM-DDTHH:MM:SS.mmm+0000`, see [`canonical_datetime`]).
    Instant(i64, String),
    /// Half-open millisecond range of a named date literal.
    Range(i64, i64),
}

#[derive(Debug)]
enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Cmp {
        path: Resolved,
        op: CmpOp,
        value: Typed,
    },
    In {
        path: Resolved,
        negated: bool,
        values: Vec<Typed>,
    },
    /// `path [NOT] IN (SELECT field FROM object WHERE …)`: `ids` (lower-cased) are the
    /// subquery's values, filled by [`Selection::prepare`] before any row is matched.
    SemiJoin {
        path: Resolved,
        negated: bool,
        object: &'static ObjectDef,
        field: Resolved,
        selection: Box<Selection>,
        ids: HashSet<String>,
    },
}

fn type_error(field: &str, ty: &str) -> ApiError {
    ApiError::bad_request(
        "INVALID_FIELD",
        format!(
            "value of filter criterion for field '{field}' must be of type {ty} and should not be enclosed in quotes"
        ),
    )
}

fn named_range(name: &str, n: Option<i64>, now_ms: i64) -> (i64, i64) {
    let today = clock::day_of(now_ms);
    let n = n.unwrap_or(0).clamp(0, 100_000);
    let (from, to) = match name {
        "YESTERDAY" => (today - 1, today),
        "TOMORROW" => (today + 1, today + 2),
        "LAST_N_DAYS" => (today - n, today + 1),
        "NEXT_N_DAYS" => (today + 1, today + 1 + n),
        _ => (today, today + 1),
    };
    (clock::start_of_day(from), clock::start_of_day(to))
}

fn type_literal(
    path: &Path,
    resolved: &Resolved,
    op: CmpOp,
    lit: &Literal,
    now_ms: i64,
) -> Result<Typed, ApiError> {
    let field = path.text();
    let ty = resolved.ty();
    if let Literal::Null = lit {
        return if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            Ok(Typed::Null)
        } else {
            Err(ApiError::malformed_query(format!(
                "invalid operator on null for field '{field}'"
            )))
        };
    }
    if op == CmpOp::Like && !ty.is_text() {
        return Err(ApiError::bad_request(
            "INVALID_FIELD",
            format!("invalid operator on field '{field}': LIKE works on text fields only"),
        ));
    }
    match ty {
        FieldType::Id | FieldType::Reference => {
            let text = lit.text().ok_or_else(|| type_error(&field, "id"))?;
            if op == CmpOp::Like {
                return Ok(Typed::Like(literal_chars(lit)));
            }
            let id = ids::canonical(&text).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    format!("invalid ID field: {text}"),
                )
            })?;
            Ok(Typed::Text(id.to_lowercase()))
        }
        t if t.is_text() => {
            let text = lit.text().ok_or_else(|| type_error(&field, "string"))?;
            if op == CmpOp::Like {
                Ok(Typed::Like(literal_chars(lit)))
            } else {
                Ok(Typed::Text(text.to_lowercase()))
            }
        }
        FieldType::Boolean => match lit {
            Literal::Bool(b) => Ok(Typed::Bool(*b)),
            _ => Err(type_error(&field, "boolean")),
        },
        FieldType::Int | FieldType::Double | FieldType::Currency => match lit {
            Literal::Num(n) => Ok(Typed::Num(*n)),
            _ => Err(type_error(&field, "double")),
        },
        FieldType::Date => match lit {
            Literal::Date(d) => clock::parse_date(d)
                .map(Typed::Day)
                .ok_or_else(|| type_error(&field, "date")),
            Literal::Named(n, arg) => Ok(Typed::Range(
                named_range(n, *arg, now_ms).0,
                named_range(n, *arg, now_ms).1,
            )),
            _ => Err(type_error(&field, "date")),
        },
        FieldType::Datetime => match lit {
            Literal::DateTime(d) => {
                // Salesforce wants an explicit zone on datetime literals.
                let zoned = d.ends_with('Z') || d.ends_with('z') || d[10..].contains(['+', '-']);
                clock::parse_datetime(d)
                    .filter(|_| zoned)
                    .map(|ms| Typed::Instant(ms, clock::format_datetime(ms)))
                    .ok_or_else(|| type_error(&field, "dateTime"))
            }
            Literal::Named(n, arg) => {
                let (a, b) = named_range(n, *arg, now_ms);
                Ok(Typed::Range(a, b))
            }
            _ => Err(type_error(&field, "dateTime")),
        },
        _ => Err(type_error(&field, "string")),
    }
}

fn literal_chars(lit: &Literal) -> Vec<StrChar> {
    match lit {
        Literal::Str(s) => s.clone(),
        _ => Vec::new(),
    }
}

/// Long text areas cannot be filtered: a WHERE field "can be any field except a long text
/// area field, encrypted data field, or base64-encoded field"
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fieldexpression.htm>).
fn check_filterable(path: &Path, resolved: &Resolved) -> Result<(), ApiError> {
    if let Last::Field(f) = resolved.last
        && f.is_long_text()
    {
        return Err(ApiError::bad_request(
            "INVALID_FIELD",
            format!(
                "ERROR at Row:1:Column:{}\nfield '{}' can not be filtered in a query call",
                path.col,
                path.text()
            ),
        ));
    }
    Ok(())
}

/// Long text areas cannot be sorted: ORDER BY does not support "long text area fields"
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm>).
fn check_sortable(path: &Path, resolved: &Resolved) -> Result<(), ApiError> {
    if let Last::Field(f) = resolved.last
        && f.is_long_text()
    {
        return Err(ApiError::bad_request(
            "INVALID_FIELD",
            format!(
                "ERROR at Row:1:Column:{}\nfield '{}' can not be sorted in a query call",
                path.col,
                path.text()
            ),
        ));
    }
    Ok(())
}

fn compile(object: &'static ObjectDef, cond: &Cond, now_ms: i64) -> Result<Filter, ApiError> {
    Ok(match cond {
        Cond::And(parts) => Filter::And(
            parts
                .iter()
                .map(|c| compile(object, c, now_ms))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Or(parts) => Filter::Or(
            parts
                .iter()
                .map(|c| compile(object, c, now_ms))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Not(inner) => Filter::Not(Box::new(compile(object, inner, now_ms)?)),
        Cond::Cmp { path, op, value } => {
            let resolved = resolve(object, path)?;
            check_filterable(path, &resolved)?;
            let value = type_literal(path, &resolved, *op, value, now_ms)?;
            Filter::Cmp {
                path: resolved,
                op: *op,
                value,
            }
        }
        Cond::In {
            path,
            negated,
            values,
        } => {
            let resolved = resolve(object, path)?;
            check_filterable(path, &resolved)?;
            let values = values
                .iter()
                .map(|v| type_literal(path, &resolved, CmpOp::Eq, v, now_ms))
                .collect::<Result<_, _>>()?;
            Filter::In {
                path: resolved,
                negated: *negated,
                values,
            }
        }
        Cond::SemiJoin { path, negated, sub } => {
            compile_semi_join(object, path, *negated, sub, now_ms)?
        }
    })
}

/// Semi-joins and anti-joins, with the restrictions the SOQL and SOSL Reference lists
/// under "Semi-Join and Anti-Join Restrictions"
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm>):
/// the left operand is one ID or reference field of the queried object (no path through a
/// relationship: the stricter reading of "must query a single ID or reference field"); the
/// subquery selects exactly one ID or reference field, on another object than the main
/// query, pointing at the same object as the left operand. Where and how often they may
/// appear is checked by [`check_semi_join_placement`]; nesting, ORDER BY and LIMIT in the
/// subquery by the parser. Codes: a wrong field is INVALID_FIELD, a wrong shape
/// MALFORMED_QUERY (the docs list the rules, not the codes; the messages are this org's
/// where no real org's answer was found).
fn compile_semi_join(
    object: &'static ObjectDef,
    path: &Path,
    negated: bool,
    sub: &SubSelect,
    now_ms: i64,
) -> Result<Filter, ApiError> {
    let wrong_field = |col: usize, what: String| {
        ApiError::bad_request(
            "INVALID_FIELD",
            format!("ERROR at Row:1:Column:{col}\n{what}"),
        )
    };
    let resolved = resolve(object, path)?;
    let left_targets = id_targets(object, path, &resolved).ok_or_else(|| {
        wrong_field(
            path.col,
            format!(
                "The left operand of a semi join or anti join must be an Id or a reference field of {}: '{}' is not",
                object.name,
                path.text()
            ),
        )
    })?;
    let sub_object =
        schema::object(&sub.from).ok_or_else(|| unknown_object(&sub.from, sub.from_col))?;
    if std::ptr::eq(sub_object, object) {
        return Err(super::lexer::error_at(
            sub.from_col,
            "The inner and outer selects should not be on the same object type",
        ));
    }
    let [field] = sub.fields.as_slice() else {
        return Err(super::lexer::error_at(
            sub.from_col,
            "A semi join or anti join sub-select must select exactly one Id or reference field",
        ));
    };
    let field_resolved = resolve(sub_object, field)?;
    let sub_targets = id_targets(sub_object, field, &field_resolved).ok_or_else(|| {
        wrong_field(
            field.col,
            format!(
                "A semi join or anti join sub-select can only select an Id or a reference field: '{}' is not",
                field.text()
            ),
        )
    })?;
    if !left_targets.iter().any(|t| sub_targets.contains(t)) {
        return Err(wrong_field(
            field.col,
            format!(
                "The selected field '{}' in the sub-select and the left operand '{}' do not point at the same object",
                field.text(),
                path.text()
            ),
        ));
    }
    let selection = Selection::compile(
        sub_object,
        std::slice::from_ref(field),
        sub.filter.as_ref(),
        &[],
        now_ms,
    )?;
    Ok(Filter::SemiJoin {
        path: resolved,
        negated,
        object: sub_object,
        field: field_resolved,
        selection: Box::new(selection),
        ids: HashSet::new(),
    })
}

/// The objects an ID or reference field names (its own object for `Id`), if `path` is one
/// field of `object` (no relationship path) of type ID or reference.
fn id_targets(
    object: &'static ObjectDef,
    path: &Path,
    resolved: &Resolved,
) -> Option<Vec<&'static str>> {
    if path.parts.len() != 1 {
        return None;
    }
    match resolved.last {
        Last::Field(f) if f.ty == FieldType::Id => Some(vec![object.name]),
        Last::Field(f) if f.ty == FieldType::Reference => Some(f.reference_to.to_vec()),
        _ => None,
    }
}

/// Semi-joins and anti-joins are allowed only in the main query's WHERE, at most two, never
/// under OR or NOT (the restrictions page cited at [`compile_semi_join`]); `allowed` false
/// (a parent-to-child subquery, SOSL) refuses any.
fn check_semi_join_placement(cond: &Cond, allowed: bool) -> Result<(), ApiError> {
    fn walk(
        cond: &Cond,
        under: Option<&'static str>,
        allowed: bool,
        count: &mut usize,
    ) -> Result<(), ApiError> {
        match cond {
            Cond::And(parts) => parts
                .iter()
                .try_for_each(|c| walk(c, under, allowed, count)),
            Cond::Or(parts) => parts
                .iter()
                .try_for_each(|c| walk(c, Some("OR"), allowed, count)),
            Cond::Not(inner) => walk(inner, Some("NOT"), allowed, count),
            Cond::Cmp { .. } | Cond::In { .. } => Ok(()),
            Cond::SemiJoin { path, .. } => {
                *count += 1;
                if !allowed {
                    return Err(super::lexer::error_at(
                        path.col,
                        "Semi join sub-selects are only allowed in the WHERE of the main query",
                    ));
                }
                if let Some(op) = under {
                    return Err(super::lexer::error_at(
                        path.col,
                        format!("Semi join sub-selects are not allowed with the '{op}' operator"),
                    ));
                }
                if *count > MAX_SEMI_JOINS {
                    return Err(super::lexer::error_at(
                        path.col,
                        format!("Maximum {MAX_SEMI_JOINS} semi join sub-selects are allowed"),
                    ));
                }
                Ok(())
            }
        }
    }
    walk(cond, None, allowed, &mut 0)
}

/// Whether `text` has the exact shape `clock::format_datetime` writes: digits, with `-`,
/// `T`, `:`, `.` at their places, in UTC (`+0000`). Two such texts order as their instants.
fn canonical_datetime(text: &str) -> bool {
    const SHAPE: &[u8; 28] = b"0000-00-00T00:00:00.000+0000";
    text.len() == SHAPE.len()
        && text
            .bytes()
            .zip(SHAPE)
            .enumerate()
            .all(|(i, (b, s))| match s {
                b'0' if i < 23 => b.is_ascii_digit(),
                _ => b == *s,
            })
}

/// Compares a stored value with a typed literal; `None` when incomparable (null).
fn compare(stored: &Value, lit: &Typed) -> Option<Ordering> {
    match lit {
        // `t` is lower-cased already; the stored text is folded as it is read.
        Typed::Text(t) => {
            let stored = stored.as_str()?;
            Some(if stored.is_ascii() && t.is_ascii() {
                // The common case (ids, picklist values): byte-wise, no Unicode tables.
                stored
                    .bytes()
                    .map(|c| c.to_ascii_lowercase())
                    .cmp(t.bytes())
            } else {
                folded(stored).cmp(t.chars())
            })
        }
        Typed::Num(n) => stored.as_f64()?.partial_cmp(n),
        Typed::Bool(b) => Some(stored.as_bool()?.cmp(b)),
        Typed::Day(d) => Some(clock::parse_date(stored.as_str()?)?.cmp(d)),
        Typed::Instant(t, text) => {
            let stored = stored.as_str()?;
            // A datetime in the store's own format compares as text, in the same order
            // as the instants (a filter over ten thousand rows parses none of them).
            if canonical_datetime(stored) && text.len() == stored.len() {
                Some(stored.cmp(text.as_str()))
            } else {
                Some(clock::parse_datetime(stored)?.cmp(t))
            }
        }
        Typed::Range(a, b) => {
            let s = stored.as_str()?;
            let ms = clock::parse_datetime(s)
                .or_else(|| clock::parse_date(s).map(clock::start_of_day))?;
            Some(if ms < *a {
                Ordering::Less
            } else if ms >= *b {
                Ordering::Greater
            } else {
                Ordering::Equal
            })
        }
        Typed::Null | Typed::Like(_) => None,
    }
}

/// SOQL LIKE: case-insensitive, `%` any run, `_` one character; escaped ones are literal.
pub fn like_matches(pattern: &[StrChar], text: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pat: Vec<(char, bool)> = pattern
        .iter()
        .flat_map(|p| p.c.to_lowercase().map(move |c| (c, p.escaped)))
        .collect();
    // Iterative wildcard matching with backtracking to the last '%'.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(('%', false)) => {
                star = Some((p, t));
                p += 1;
            }
            Some((c, escaped)) if (*c == '_' && !escaped) || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|(c, e)| *c == '%' && !e)
}

fn matches(store: &Store, record: &Record, filter: &Filter) -> bool {
    match filter {
        Filter::And(parts) => parts.iter().all(|f| matches(store, record, f)),
        Filter::Or(parts) => parts.iter().any(|f| matches(store, record, f)),
        Filter::Not(inner) => !matches(store, record, inner),
        Filter::Cmp { path, op, value } => {
            let stored = value_of(store, record, path);
            match (op, value) {
                (CmpOp::Eq, Typed::Null) => stored.is_null(),
                (CmpOp::Ne, Typed::Null) => !stored.is_null(),
                (CmpOp::Like, Typed::Like(p)) => {
                    stored.as_str().is_some_and(|s| like_matches(p, s))
                }
                (CmpOp::Ne, v) => compare(&stored, v) != Some(Ordering::Equal),
                (op, v) => compare(&stored, v).is_some_and(|o| match op {
                    CmpOp::Eq => o == Ordering::Equal,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Ge => o != Ordering::Less,
                    CmpOp::Ne | CmpOp::Like => false,
                }),
            }
        }
        Filter::In {
            path,
            negated,
            values,
        } => {
            let stored = value_of(store, record, path);
            let found = values.iter().any(|v| match v {
                Typed::Null => stored.is_null(),
                v => compare(&stored, v) == Some(Ordering::Equal),
            });
            found != *negated
        }
        Filter::SemiJoin {
            path, negated, ids, ..
        } => {
            let stored = value_of(store, record, path);
            let found = stored
                .as_str()
                .is_some_and(|id| ids.contains(&id.to_ascii_lowercase()));
            found != *negated
        }
    }
}

/// Runs every semi-join's subquery of `filter` as `viewer` and keeps its values.
fn prepare(filter: &mut Filter, store: &Store, viewer: &Viewer<'_>) {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => {
            parts.iter_mut().for_each(|f| prepare(f, store, viewer))
        }
        Filter::Not(inner) => prepare(inner, store, viewer),
        Filter::Cmp { .. } | Filter::In { .. } => {}
        Filter::SemiJoin {
            object,
            field,
            selection,
            ids,
            ..
        } => {
            *ids = store
                .records_of(object.name)
                .filter(|r| viewer.sees(r) && selection.matches(store, r))
                .filter_map(|r| {
                    value_of(store, r, field)
                        .as_str()
                        .map(str::to_ascii_lowercase)
                })
                .collect();
        }
    }
}

/// `text` lower-cased, character by character, without allocating.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// Text order: case-insensitive first, then exact, so the order is total.
fn compare_text(a: &str, b: &str) -> Ordering {
    let insensitive = if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        folded(a).cmp(folded(b))
    };
    insensitive.then_with(|| a.cmp(b))
}

/// One ORDER BY value, prepared for comparing. It borrows the stored text (folding
/// happens while comparing): building keys for ten thousand rows allocates nothing.
enum SortKey<'s> {
    Null,
    Text(Cow<'s, str>),
    /// Text in one fixed format whose byte order is its order (stored dates and
    /// datetimes: case folding changes nothing there, so the cheap comparison is exact).
    Ordered(&'s str),
    Num(f64),
    Bool(bool),
    Other,
}

impl<'s> SortKey<'s> {
    fn of(value: Cow<'s, Value>, ty: FieldType) -> SortKey<'s> {
        match value {
            Cow::Borrowed(Value::String(text))
                if matches!(ty, FieldType::Date | FieldType::Datetime) =>
            {
                SortKey::Ordered(text)
            }
            Cow::Borrowed(Value::String(text)) => SortKey::Text(Cow::Borrowed(text)),
            Cow::Owned(Value::String(text)) => SortKey::Text(Cow::Owned(text)),
            value => match value.as_ref() {
                Value::Null => SortKey::Null,
                Value::Number(n) => n.as_f64().map_or(SortKey::Other, SortKey::Num),
                Value::Bool(b) => SortKey::Bool(*b),
                _ => SortKey::Other,
            },
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, SortKey::Null)
    }

    fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Text(a), SortKey::Text(b)) => compare_text(a, b),
            (SortKey::Ordered(a), SortKey::Ordered(b)) => a.cmp(b),
            (SortKey::Num(a), SortKey::Num(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// Records with their ORDER BY keys: one flat array of keys (no allocation per record),
/// `width` keys per record, in the order of `records`.
struct Keyed<'s> {
    width: usize,
    keys: Vec<SortKey<'s>>,
    /// Each record with the index of its keys.
    records: Vec<(usize, &'s Record)>,
}

impl<'s> Keyed<'s> {
    fn keys_of(&self, index: usize) -> &[SortKey<'s>] {
        &self.keys[index * self.width..(index + 1) * self.width]
    }
}

/// A SELECT (or SOSL RETURNING) clause compiled against one object.
#[derive(Debug)]
pub struct Selection {
    fields: Vec<(Path, Resolved)>,
    filter: Option<Filter>,
    order: Vec<(Resolved, bool, bool)>,
}

impl Selection {
    /// A SELECT whose WHERE may not hold semi-joins (a parent-to-child subquery, a
    /// semi-join's own subquery, SOSL's RETURNING).
    pub fn compile(
        object: &'static ObjectDef,
        fields: &[Path],
        filter: Option<&Cond>,
        order_by: &[OrderItem],
        now_ms: i64,
    ) -> Result<Self, ApiError> {
        if let Some(cond) = filter {
            check_semi_join_placement(cond, false)?;
        }
        Self::compile_any(object, fields, filter, order_by, now_ms)
    }

    /// The main query's SELECT: its WHERE may hold semi-joins and anti-joins.
    fn compile_main(
        object: &'static ObjectDef,
        fields: &[Path],
        filter: Option<&Cond>,
        order_by: &[OrderItem],
        now_ms: i64,
    ) -> Result<Self, ApiError> {
        if let Some(cond) = filter {
            check_semi_join_placement(cond, true)?;
        }
        Self::compile_any(object, fields, filter, order_by, now_ms)
    }

    fn compile_any(
        object: &'static ObjectDef,
        fields: &[Path],
        filter: Option<&Cond>,
        order_by: &[OrderItem],
        now_ms: i64,
    ) -> Result<Self, ApiError> {
        let mut resolved_fields: Vec<(Path, Resolved)> = Vec::new();
        for path in fields {
            if resolved_fields
                .iter()
                .any(|(p, _)| p.text().eq_ignore_ascii_case(&path.text()))
            {
                return Err(ApiError::malformed_query(format!(
                    "duplicate field selected: {}",
                    path.text()
                )));
            }
            resolved_fields.push((path.clone(), resolve(object, path)?));
        }
        let filter = filter.map(|c| compile(object, c, now_ms)).transpose()?;
        let order = order_by
            .iter()
            .map(|o| {
                let r = resolve(object, &o.path)?;
                check_sortable(&o.path, &r)?;
                // Nulls sort first unless NULLS LAST is asked for.
                Ok((r, o.descending, o.nulls_first.unwrap_or(true)))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Selection {
            fields: resolved_fields,
            filter,
            order,
        })
    }

    /// Runs the semi-joins' subqueries (once, before rows are matched).
    fn prepare(&mut self, store: &Store, viewer: &Viewer<'_>) {
        if let Some(filter) = self.filter.as_mut() {
            prepare(filter, store, viewer);
        }
    }

    pub fn matches(&self, store: &Store, record: &Record) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| matches(store, record, f))
    }

    /// `records` with their ORDER BY keys, each key read once per record.
    fn keyed<'s>(&self, store: &'s Store, records: impl Iterator<Item = &'s Record>) -> Keyed<'s> {
        let mut keyed = Keyed {
            width: self.order.len(),
            keys: Vec::new(),
            records: Vec::new(),
        };
        for record in records {
            keyed.records.push((keyed.records.len(), record));
            keyed.keys.extend(
                self.order
                    .iter()
                    .map(|(path, _, _)| SortKey::of(value_of(store, record, path), path.ty())),
            );
        }
        keyed
    }

    /// ORDER BY, ties broken by id so results are stable run to run (the order is total).
    fn compare(&self, keyed: &Keyed<'_>, a: &(usize, &Record), b: &(usize, &Record)) -> Ordering {
        let (ka, kb) = (keyed.keys_of(a.0), keyed.keys_of(b.0));
        for ((x, y), (_, desc, nulls_first)) in ka.iter().zip(kb).zip(&self.order) {
            let o = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if *nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if *nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) => {
                    let o = x.compare(y);
                    if *desc { o.reverse() } else { o }
                }
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.1.id().cmp(b.1.id())
    }

    /// Sorts by ORDER BY (see [`Selection::compare`]).
    pub fn sort<'s>(&self, store: &'s Store, records: &mut [&'s Record]) {
        let mut keyed = self.keyed(store, records.iter().copied());
        let mut order = std::mem::take(&mut keyed.records);
        // The order is total (ids are unique), so an unstable sort is deterministic.
        order.sort_unstable_by(|a, b| self.compare(&keyed, a, b));
        for (slot, (_, record)) in records.iter_mut().zip(order) {
            *slot = record;
        }
    }

    /// The matching records of `object` in ORDER BY order, only the first `keep` of them
    /// (OFFSET + LIMIT). Filtering and reading the sort keys is one pass over the
    /// records; with a LIMIT, the first `keep` are selected in linear time and only they
    /// are sorted, so `LIMIT 200` over ten thousand rows does not sort ten thousand.
    fn select<'s>(
        &self,
        store: &'s Store,
        object: &str,
        viewer: &Viewer<'_>,
        include_deleted: bool,
        keep: usize,
    ) -> Vec<&'s Record> {
        let mut keyed = self.keyed(
            store,
            store
                .rows_of(object, include_deleted)
                .filter(|r| viewer.sees(r) && self.matches(store, r)),
        );
        let mut order = std::mem::take(&mut keyed.records);
        if keep < order.len() {
            if keep == 0 {
                return Vec::new();
            }
            order.select_nth_unstable_by(keep - 1, |a, b| self.compare(&keyed, a, b));
            order.truncate(keep);
        }
        order.sort_unstable_by(|a, b| self.compare(&keyed, a, b));
        order.into_iter().map(|(_, r)| r).collect()
    }

    /// The record as a query returns it: attributes, selected fields, parents nested.
    pub fn render(&self, store: &Store, record: &Record, version: &str) -> Value {
        let mut out = Map::new();
        out.insert("attributes".into(), record.attributes(version));
        for (_, path) in &self.fields {
            put_path(store, record, &path.steps, &path.last, &mut out, version);
        }
        Value::Object(out)
    }
}

fn put_path(
    store: &Store,
    record: &Record,
    steps: &[&'static FieldDef],
    last: &Last,
    out: &mut Map<String, Value>,
    version: &str,
) {
    let Some((step, rest)) = steps.split_first() else {
        let (key, value) = match last {
            Last::Field(f) => (f.name.to_owned(), record.get(f.name).clone()),
            Last::Poly("Id") => ("Id".to_owned(), record.get("Id").clone()),
            Last::Poly(p) => ((*p).to_owned(), poly_name(record)),
            Last::IsDeleted => (
                crate::store::IS_DELETED.to_owned(),
                Value::Bool(record.is_deleted()),
            ),
        };
        out.insert(key, value);
        return;
    };
    let key = step.relationship_name.unwrap_or(step.name).to_owned();
    let target = record
        .get(step.name)
        .as_str()
        .and_then(|id| store.by_id(id));
    let Some(target) = target else {
        out.entry(key).or_insert(Value::Null);
        return;
    };
    let slot = out.entry(key).or_insert_with(|| {
        let mut nested = Map::new();
        let mut attrs = attributes(target.object.name, target.id(), version);
        if step.reference_to.len() > 1 {
            // Polymorphic lookups come back typed as the Name object.
            attrs["type"] = Value::from("Name");
        }
        nested.insert("attributes".into(), attrs);
        Value::Object(nested)
    });
    if let Value::Object(nested) = slot {
        put_path(store, target, rest, last, nested, version);
    }
}

/// A finished query: the matching rows' ids in order (after OFFSET and LIMIT). Rows are
/// rendered a batch at a time ([`render`]), as a server-side cursor hands them out, so a
/// query matching ten thousand rows costs what its first batch costs.
#[derive(Debug)]
pub struct QueryRows {
    pub total_size: usize,
    pub ids: Vec<String>,
}

fn unknown_object(name: &str, col: usize) -> ApiError {
    ApiError::bad_request(
        "INVALID_TYPE",
        format!(
            "ERROR at Row:1:Column:{col}\nsObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

fn object_of(query: &Query) -> Result<&'static ObjectDef, ApiError> {
    schema::object(&query.from).ok_or_else(|| unknown_object(&query.from, query.from_col))
}

/// Which rows a query reads: the `query` resource's (live ones) or `queryAll`'s (the
/// Recycle Bin's too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    Live,
    IncludingDeleted,
}

/// The SELECT list's fields with `FIELDS(…)` spelled out: `FIELDS(STANDARD)` the fields
/// whose names do not end in `__c`, `FIELDS(CUSTOM)` those that do, `FIELDS(ALL)` both
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm>).
/// Fields hidden by field-level security are spelled out too and then left out of the
/// answer like any hidden field (`field_security`), as FIELDS() "respects field-level
/// security". A field named twice is "duplicate field selected" ([`Selection::compile`]).
fn selected_fields(object: &ObjectDef, query: &Query) -> Vec<Path> {
    let mut fields = query.fields.clone();
    for (group, col) in &query.field_groups {
        fields.extend(
            object
                .fields
                .iter()
                .filter(|f| match group {
                    FieldGroup::All => true,
                    FieldGroup::Standard => !f.name.ends_with("__c"),
                    FieldGroup::Custom => f.name.ends_with("__c"),
                })
                .map(|f| Path {
                    parts: vec![f.name.to_owned()],
                    col: *col,
                }),
        );
    }
    fields
}

/// The shape rules of the SELECT list checked before anything runs:
/// - `FIELDS(ALL)` and `FIELDS(CUSTOM)` need `LIMIT` 200 or less: "The SOQL FIELDS
///   function must have a LIMIT of at most 200" (MALFORMED_QUERY), as real orgs answer
///   (the docs' "unbounded" rule; this org asks for the LIMIT even when a WHERE on `Id`
///   would bound the rows, the stricter reading).
/// - `COUNT()` "can't be used with an ORDER BY clause"
///   (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm>).
/// - `COUNT(field)` without GROUP BY (not served here): every other selected field "must be
///   grouped or aggregated", ORDER BY too; FIELDS() and parent-to-child subqueries are
///   refused with it (the stricter choice: the docs give no example of either).
fn check_select_shape(query: &Query) -> Result<(), ApiError> {
    let malformed = |what: String| Err(ApiError::malformed_query(what));
    let unbounded = query
        .field_groups
        .iter()
        .any(|(g, _)| matches!(g, FieldGroup::All | FieldGroup::Custom));
    if unbounded && query.limit.is_none_or(|l| l > MAX_FIELDS_LIMIT) {
        return malformed(format!(
            "The SOQL FIELDS function must have a LIMIT of at most {MAX_FIELDS_LIMIT}"
        ));
    }
    if query.count_only
        && let Some(order) = query.order_by.first()
    {
        return Err(super::lexer::error_at(
            order.path.col,
            "COUNT() can't be used with an ORDER BY clause",
        ));
    }
    if !query.aggregates.is_empty() {
        if let Some(field) = query.fields.first() {
            return malformed(format!(
                "Field must be grouped or aggregated: {}",
                field.text()
            ));
        }
        if let Some(order) = query.order_by.first() {
            return malformed(format!(
                "Ordered field must be grouped or aggregated: {}",
                order.path.text()
            ));
        }
        if !query.field_groups.is_empty() || !query.children.is_empty() {
            return malformed(
                "FIELDS() and subqueries can't be used with aggregate functions".to_owned(),
            );
        }
    }
    Ok(())
}

/// The main query's selection, semi-joins run as `viewer`.
fn main_selection(
    store: &Store,
    object: &'static ObjectDef,
    query: &Query,
    now_ms: i64,
    viewer: &Viewer<'_>,
) -> Result<Selection, ApiError> {
    check_select_shape(query)?;
    let aggregated: Vec<Path> = query.aggregates.iter().map(|a| a.field.clone()).collect();
    let fields = if aggregated.is_empty() {
        selected_fields(object, query)
    } else {
        aggregated
    };
    let mut selection = Selection::compile_main(
        object,
        &fields,
        query.filter.as_ref(),
        &query.order_by,
        now_ms,
    )?;
    selection.prepare(store, viewer);
    Ok(selection)
}

/// Runs a parsed SOQL query with no sharing limits (as a user with "View All Data").
#[cfg(test)]
pub fn execute(store: &Store, query: &Query, now_ms: i64) -> Result<QueryRows, ApiError> {
    execute_as(
        store,
        query,
        now_ms,
        &Viewer {
            user_id: "",
            view_all_data: true,
        },
        Rows::Live,
    )
}

/// Runs a parsed SOQL query as `viewer`: checks it completely (fields, subqueries,
/// literals), keeps the records the viewer may see (see [`crate::sharing`]), filters and
/// sorts. `rows` says whether Recycle Bin rows are read (`queryAll`).
pub fn execute_as(
    store: &Store,
    query: &Query,
    now_ms: i64,
    viewer: &Viewer<'_>,
    rows: Rows,
) -> Result<QueryRows, ApiError> {
    let object = object_of(query)?;
    if let Some(offset) = query.offset
        && offset > MAX_OFFSET
    {
        return Err(ApiError::bad_request(
            "NUMBER_OUTSIDE_VALID_RANGE",
            format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
        ));
    }
    let selection = main_selection(store, object, query, now_ms, viewer)?;
    for child in &query.children {
        super::children::ChildSelection::compile(object, child, now_ms)?;
    }
    let include_deleted = rows == Rows::IncludingDeleted;
    let offset = query.offset.unwrap_or(0) as usize;
    let limit = query.limit.map(|l| l as usize).unwrap_or(usize::MAX);
    if query.count_only {
        // COUNT() needs no order: count the matches.
        let matched = store
            .rows_of(object.name, include_deleted)
            .filter(|r| viewer.sees(r) && selection.matches(store, r))
            .count();
        return Ok(QueryRows {
            total_size: matched.saturating_sub(offset).min(limit),
            ids: Vec::new(),
        });
    }
    let rows = selection.select(
        store,
        object.name,
        viewer,
        include_deleted,
        offset.saturating_add(limit),
    );
    let ids: Vec<String> = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|r| r.id().to_owned())
        .collect();
    Ok(QueryRows {
        total_size: ids.len(),
        ids,
    })
}

/// The answer's `records` for a query of `COUNT(field)` items (no GROUP BY): one
/// AggregateResult row, each count under its alias or its implied one, `expr0`, `expr1`,
/// … in order among the unaliased. `COUNT(field)` counts matching rows whose field is not
/// null, `COUNT(Id)` every matching row
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm>:
/// "the AggregateResult object in the records field returns the number of rows. The size
/// field does not reflect the count").
pub fn aggregate(
    store: &Store,
    query: &Query,
    now_ms: i64,
    viewer: &Viewer<'_>,
    rows: Rows,
) -> Result<Vec<Value>, ApiError> {
    let object = object_of(query)?;
    let selection = main_selection(store, object, query, now_ms, viewer)?;
    let matched: Vec<&Record> = store
        .rows_of(object.name, rows == Rows::IncludingDeleted)
        .filter(|r| viewer.sees(r) && selection.matches(store, r))
        .collect();
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        serde_json::json!({"type": "AggregateResult"}),
    );
    let mut implied = 0;
    for (aggregate, (_, path)) in query.aggregates.iter().zip(&selection.fields) {
        let count = matched
            .iter()
            .filter(|r| !value_of(store, r, path).is_null())
            .count();
        let name = aggregate.alias.clone().unwrap_or_else(|| {
            implied += 1;
            format!("expr{}", implied - 1)
        });
        if out.insert(name.clone(), Value::from(count)).is_some() {
            return Err(ApiError::malformed_query(format!(
                "duplicate alias: {name}"
            )));
        }
    }
    Ok(vec![Value::Object(out)])
}

/// Renders the rows `ids` of `query` (a batch of [`execute_as`]'s result) as the query
/// resource returns them to `viewer`: selected fields, parents nested, child subqueries
/// (only the children `viewer` may see). A row deleted since the query ran is left out,
/// unless `rows` reads the Recycle Bin too.
pub fn render(
    store: &Store,
    query: &Query,
    version: &str,
    now_ms: i64,
    ids: &[String],
    viewer: &Viewer<'_>,
    rows: Rows,
) -> Result<Vec<Value>, ApiError> {
    let object = object_of(query)?;
    let selection =
        Selection::compile_any(object, &selected_fields(object, query), None, &[], now_ms)?;
    let children = query
        .children
        .iter()
        .map(|c| super::children::ChildSelection::compile(object, c, now_ms))
        .collect::<Result<Vec<_>, _>>()?;
    let parents: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let indexes: Vec<_> = children
        .iter()
        .map(|c| c.index(store, &parents, viewer))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| match rows {
            Rows::Live => store.by_id(id),
            Rows::IncludingDeleted => store.by_id_including_deleted(id),
        })
        .map(|r| {
            let mut row = selection.render(store, r, version);
            for (child, index) in children.iter().zip(&indexes) {
                child.render_into(store, index, r, &mut row, version);
            }
            row
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Vec<StrChar> {
        super::super::lexer::tokenize(&format!("'{s}'"), 0)
            .ok()
            .and_then(|t| match &t[0].tok {
                super::super::lexer::Tok::Str(s) => Some(s.clone()),
                _ => None,
            })
            .expect("pattern literal")
    }

    /// The ids a query returns, run against `store`.
    fn ids_of(store: &Store, soql: &str) -> Vec<String> {
        let query = super::super::parse(soql).expect("query parses");
        execute(store, &query, crate::clock::now_ms())
            .expect("query runs")
            .ids
    }

    #[test]
    fn a_limited_query_returns_the_first_rows_of_the_full_order() {
        // LIMIT selects its rows without sorting them all; the rows must be exactly the
        // head of the fully sorted result, for every order, with and without a filter.
        let mut store = crate::seed::build();
        crate::call_log_seed::seed(&mut store, &crate::call_log_seed::CallLogSeed::new(1500, 3))
            .expect("seeds");
        for order in [
            "Started_At__c DESC NULLS LAST, Id DESC",
            "Started_At__c ASC, Id ASC",
            "Disposition__c, Duration_Seconds__c DESC NULLS LAST",
            "Owner.Name DESC, Started_At__c",
            "From_Number__c NULLS LAST",
        ] {
            for filter in ["", " WHERE Direction__c = 'Inbound'"] {
                let full = ids_of(
                    &store,
                    &format!("SELECT Id FROM Call_Log__c{filter} ORDER BY {order}"),
                );
                assert!(full.len() > 300, "enough rows to select from: {order}");
                for (offset, limit) in [(0, 1), (0, 200), (150, 200), (0, 100_000)] {
                    let page = ids_of(
                        &store,
                        &format!(
                            "SELECT Id FROM Call_Log__c{filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
                        ),
                    );
                    let expected: Vec<String> =
                        full.iter().skip(offset).take(limit).cloned().collect();
                    assert_eq!(
                        page, expected,
                        "ORDER BY {order}{filter} LIMIT {limit} OFFSET {offset}: the head of the full order"
                    );
                }
            }
        }
    }

    #[test]
    fn datetime_filters_compare_stored_text_as_instants() {
        // Stored datetimes in the store's own format are compared as text; that must
        // agree with comparing the parsed instants, including milliseconds.
        let stored = [
            "2026-10-01T00:00:00.000+0000",
            "2026-10-01T00:00:00.001+0000",
            "2026-09-30T23:59:59.999+0000",
            "1999-12-31T23:59:59.000+0000",
        ];
        for s in stored {
            assert!(canonical_datetime(s), "{s} is the store's format");
            for literal in [
                "2026-10-01T00:00:00Z",
                "2026-10-01T02:00:00+02:00",
                "1999-12-31T23:59:59Z",
            ] {
                let ms = crate::clock::parse_datetime(literal).expect("literal parses");
                let typed = Typed::Instant(ms, crate::clock::format_datetime(ms));
                let expected = crate::clock::parse_datetime(s).map(|v| v.cmp(&ms));
                assert_eq!(
                    compare(&Value::from(s), &typed),
                    expected,
                    "{s} against {literal}"
                );
            }
        }
        for odd in [
            "2026-10-01T00:00:00Z",
            "2026-10-01T00:00:00.000+0100",
            "2026-10-01 00:00:00.000+0000",
            "2026-1x-01T00:00:00.000+0000",
        ] {
            assert!(
                !canonical_datetime(odd),
                "{odd} is parsed, not compared as text"
            );
        }
        // An offset other than UTC still compares by instant (through the parser).
        let ms = crate::clock::parse_datetime("2026-10-01T00:00:00Z").expect("parses");
        let typed = Typed::Instant(ms, crate::clock::format_datetime(ms));
        assert_eq!(
            compare(&Value::from("2026-10-01T00:30:00.000+0100"), &typed),
            Some(Ordering::Less),
            "00:30 at +01:00 is 23:30 UTC the day before"
        );
    }

    #[test]
    fn like_semantics() {
        assert!(
            like_matches(&pat("jane%"), "Jane.Caller@example.com"),
            "prefix, case-insensitive"
        );
        assert!(like_matches(&pat("%caller%"), "Jane Caller"), "infix");
        assert!(like_matches(&pat("J_ne"), "Jane"), "underscore is one char");
        assert!(
            !like_matches(&pat("J_ne"), "Joane"),
            "underscore is exactly one char"
        );
        assert!(
            like_matches(&pat(r"100\%"), "100%"),
            "escaped percent is literal"
        );
        assert!(
            !like_matches(&pat(r"100\%"), "1000"),
            "escaped percent is not a wildcard"
        );
        assert!(like_matches(&pat("%"), ""), "percent matches empty");
        assert!(like_matches(&pat("山田%"), "山田 太郎"), "non-Latin text");
    }
}
