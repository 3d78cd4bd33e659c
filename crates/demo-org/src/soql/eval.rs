//! Runs parsed SOQL against the store: resolves field paths against the schema
//! (parent relationships, polymorphic `Who`/`What` through the Name object), type-checks
//! filter literals as Salesforce does, filters, sorts, and renders records with parent
//! fields nested as objects carrying their own `attributes`.

use super::lexer::StrChar;
use super::parser::{CmpOp, Cond, Literal, OrderItem, Path, Query};
use crate::api_error::ApiError;
use crate::clock;
use crate::ids;
use crate::schema::{self, FieldDef, FieldType, ObjectDef};
use crate::sharing::Viewer;
use crate::store::{Record, Store, attributes};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Salesforce refuses OFFSET above this.
const MAX_OFFSET: u64 = 2000;

#[derive(Clone, Debug)]
enum Last {
    Field(&'static FieldDef),
    /// A field of the polymorphic Name object (`Who.Name`, `What.Id`).
    Poly(&'static str),
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
    let field = current
        .field(last)
        .ok_or_else(|| invalid_field(path, current))?;
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

#[derive(Clone, Debug)]
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
    })
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
    pub fn compile(
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
        keep: usize,
    ) -> Vec<&'s Record> {
        let mut keyed = self.keyed(
            store,
            store
                .records_of(object)
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

fn object_of(query: &Query) -> Result<&'static ObjectDef, ApiError> {
    schema::object(&query.from).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_TYPE",
            format!(
                "ERROR at Row:1:Column:{}\nsObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                query.from_col, query.from
            ),
        )
    })
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
    )
}

/// Runs a parsed SOQL query as `viewer`: checks it completely (fields, subqueries,
/// literals), keeps the records the viewer may see (see [`crate::sharing`]), filters and
/// sorts.
pub fn execute_as(
    store: &Store,
    query: &Query,
    now_ms: i64,
    viewer: &Viewer<'_>,
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
    let selection = Selection::compile(
        object,
        &query.fields,
        query.filter.as_ref(),
        &query.order_by,
        now_ms,
    )?;
    for child in &query.children {
        super::children::ChildSelection::compile(object, child, now_ms)?;
    }
    let offset = query.offset.unwrap_or(0) as usize;
    let limit = query.limit.map(|l| l as usize).unwrap_or(usize::MAX);
    if query.count_only {
        // COUNT() needs no order: count the matches.
        let matched = store
            .records_of(object.name)
            .filter(|r| viewer.sees(r) && selection.matches(store, r))
            .count();
        return Ok(QueryRows {
            total_size: matched.saturating_sub(offset).min(limit),
            ids: Vec::new(),
        });
    }
    let rows = selection.select(store, object.name, viewer, offset.saturating_add(limit));
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

/// Renders the rows `ids` of `query` (a batch of [`execute`]'s result) as the query
/// resource returns them to `viewer`: selected fields, parents nested, child subqueries
/// (only the children `viewer` may see). A row deleted since the query ran is left out.
pub fn render(
    store: &Store,
    query: &Query,
    version: &str,
    now_ms: i64,
    ids: &[String],
    viewer: &Viewer<'_>,
) -> Result<Vec<Value>, ApiError> {
    let object = object_of(query)?;
    let selection = Selection::compile(object, &query.fields, None, &[], now_ms)?;
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
        .filter_map(|id| store.by_id(id))
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
