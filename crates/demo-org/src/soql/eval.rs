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
    last: Last,
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
        if field.reference_to.len() > 1 {
            // Polymorphic: only the Name object's fields, and nothing deeper.
            let poly = ["Id", "Name"]
                .into_iter()
                .find(|n| n.eq_ignore_ascii_case(last));
            return match poly {
                Some(p) if i == rels.len() - 1 => Ok(Resolved {
                    steps,
                    last: Last::Poly(p),
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
        last: Last::Field(field),
    })
}

/// The value of a resolved path on a record (`null` when any reference on the way is
/// empty), borrowed from the store where it can be: filters and sorts read it per row.
fn value_of<'s>(store: &'s Store, record: &'s Record, path: &Resolved) -> Cow<'s, Value> {
    let mut current = record;
    for step in &path.steps {
        let Some(target) = current
            .get(step.name)
            .as_str()
            .and_then(|id| store.by_id(id))
        else {
            return Cow::Owned(Value::Null);
        };
        current = target;
    }
    match path.last {
        Last::Field(f) => Cow::Borrowed(current.get(f.name)),
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
    Instant(i64),
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
                    .map(Typed::Instant)
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

fn check_filterable(path: &Path, resolved: &Resolved) -> Result<(), ApiError> {
    if let Last::Field(f) = resolved.last
        && f.ty == FieldType::Textarea
        && f.length > 255
    {
        return Err(ApiError::bad_request(
            "INVALID_FIELD",
            format!(
                "field '{}' can not be filtered in a query call",
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

/// Compares a stored value with a typed literal; `None` when incomparable (null).
fn compare(stored: &Value, lit: &Typed) -> Option<Ordering> {
    match lit {
        Typed::Text(t) => Some(stored.as_str()?.to_lowercase().as_str().cmp(t.as_str())),
        Typed::Num(n) => stored.as_f64()?.partial_cmp(n),
        Typed::Bool(b) => Some(stored.as_bool()?.cmp(b)),
        Typed::Day(d) => Some(clock::parse_date(stored.as_str()?)?.cmp(d)),
        Typed::Instant(t) => Some(clock::parse_datetime(stored.as_str()?)?.cmp(t)),
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

/// One ORDER BY value, prepared for comparing: text compares case-insensitively first,
/// then exactly, so the order is total and stable.
enum SortKey {
    Null,
    Text { folded: String, text: String },
    Num(f64),
    Bool(bool),
    Other,
}

impl SortKey {
    fn of(value: Value) -> SortKey {
        match value {
            Value::Null => SortKey::Null,
            Value::String(text) => SortKey::Text {
                folded: text.to_lowercase(),
                text,
            },
            Value::Number(n) => n.as_f64().map_or(SortKey::Other, SortKey::Num),
            Value::Bool(b) => SortKey::Bool(b),
            _ => SortKey::Other,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, SortKey::Null)
    }

    fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Text { folded: a, text: x }, SortKey::Text { folded: b, text: y }) => {
                a.cmp(b).then_with(|| x.cmp(y))
            }
            (SortKey::Num(a), SortKey::Num(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
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

    /// Sorts by ORDER BY, ties broken by id so results are stable run to run. Each key is
    /// read (and lower-cased) once per record, not once per comparison, so ordering ten
    /// thousand rows stays cheap.
    pub fn sort(&self, store: &Store, records: &mut [&Record]) {
        let mut keyed: Vec<(Vec<SortKey>, &Record)> = records
            .iter()
            .map(|r| {
                let keys = self
                    .order
                    .iter()
                    .map(|(path, _, _)| SortKey::of(value_of(store, r, path).into_owned()))
                    .collect();
                (keys, *r)
            })
            .collect();
        keyed.sort_by(|(ka, a), (kb, b)| {
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
            a.id().cmp(b.id())
        });
        for (slot, (_, record)) in records.iter_mut().zip(keyed) {
            *slot = record;
        }
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

/// Runs a parsed SOQL query: checks it completely (fields, subqueries, literals), filters
/// and sorts.
pub fn execute(store: &Store, query: &Query, now_ms: i64) -> Result<QueryRows, ApiError> {
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
    let mut rows: Vec<&Record> = store
        .records_of(object.name)
        .filter(|r| selection.matches(store, r))
        .collect();
    selection.sort(store, &mut rows);
    let offset = query.offset.unwrap_or(0) as usize;
    let limit = query.limit.map(|l| l as usize).unwrap_or(usize::MAX);
    let ids: Vec<String> = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|r| r.id().to_owned())
        .collect();
    if query.count_only {
        return Ok(QueryRows {
            total_size: ids.len(),
            ids: Vec::new(),
        });
    }
    Ok(QueryRows {
        total_size: ids.len(),
        ids,
    })
}

/// Renders the rows `ids` of `query` (a batch of [`execute`]'s result) as the query
/// resource returns them: selected fields, parents nested, child subqueries. A row
/// deleted since the query ran is left out.
pub fn render(
    store: &Store,
    query: &Query,
    version: &str,
    now_ms: i64,
    ids: &[String],
) -> Result<Vec<Value>, ApiError> {
    let object = object_of(query)?;
    let selection = Selection::compile(object, &query.fields, None, &[], now_ms)?;
    let children = query
        .children
        .iter()
        .map(|c| super::children::ChildSelection::compile(object, c, now_ms))
        .collect::<Result<Vec<_>, _>>()?;
    let parents: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let indexes: Vec<_> = children.iter().map(|c| c.index(store, &parents)).collect();
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
