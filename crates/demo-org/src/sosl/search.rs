//! Runs a parsed SOSL search against the store.
//!
//! Matching rules (this org's model of Salesforce's search index):
//! - Text fields: the stored value and the term are split into tokens at spaces,
//!   punctuation and letter/digit changes, case-insensitively; a term matches when its
//!   tokens appear consecutively (a phrase or a multi-token word like an email address).
//!   `*` matches any run and `?` one character within a token. CJK terms also match as
//!   substrings (Salesforce indexes CJK by bigrams).
//! - EMAIL fields: the same token rule, so `Jane.Caller@Example.COM` is found by
//!   `jane.caller@example.com`.
//! - PHONE fields: a term matches when its digits equal the stored value's digits
//!   (`4155550123` and `(415) 555-0123` find a stored `(415) 555-0123`, but
//!   `+14155550123` does not, because of the extra country-code digit). This mirrors the
//!   fact that Salesforce does not reliably ignore formatting, so a client must search
//!   several renderings of a number. A trailing `*` makes it a digit-prefix match.
//! - NAME FIELDS: Name, FirstName, LastName, Company. ALL FIELDS: every text, textarea,
//!   email, phone and url field.
//!
//! Index lag: a record is not found until [`DEFAULT_INDEX_LAG`] after its `CreatedDate`
//! (on the org's clock, so `advance_clock` lets a test move past it), unless
//! `DemoOrgConfig::index_lag`, `ringside demo-org serve --index-lag-ms N` or the `index_lag`
//! fault say otherwise (0: no lag). Salesforce indexes new and changed records
//! asynchronously: "After a searchable object's record is created or updated, it could take
//! about 15 minutes or more for the updated text to become searchable"
//! (<https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-concepts-search-architecture.html>).
//! The default is shorter than that worst case so the built-in demo stays usable (a small
//! org's index usually catches up within seconds to a minute) and longer than any test's
//! create-then-search, so a test that forgets the lag fails every time rather than on a slow
//! machine only. Updates are not lagged: an edited record is found by its new values at once
//! (more lenient than Salesforce, which may still find it by the old ones for a while).

use super::parser::{Returning, Scope, Search, SearchExpr, TermChar};
use crate::api_error::ApiError;
use crate::schema::{self, FieldDef, FieldType, ObjectDef};
use crate::soql::eval::Selection;
use crate::soql::parser::Path;
use crate::store::{Record, Store};
use serde_json::{Value, json};

/// The org's search-index lag unless configured otherwise (see the module doc).
pub const DEFAULT_INDEX_LAG: std::time::Duration = std::time::Duration::from_secs(30);

/// Salesforce's cap on SOSL rows.
const MAX_ROWS: usize = 2000;

/// Objects searched when a search has no RETURNING clause.
const DEFAULT_OBJECTS: &[&str] = &["Account", "Contact", "Lead", "Opportunity", "Case"];

fn searched(field: &FieldDef, scope: Scope) -> bool {
    match scope {
        Scope::All => matches!(
            field.ty,
            FieldType::String
                | FieldType::Textarea
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
        ),
        Scope::Name => schema::is_name_search_field(field),
        Scope::Email => field.ty == FieldType::Email,
        Scope::Phone => field.ty == FieldType::Phone,
    }
}

/// A term's token: literal characters and wildcards.
type Token = Vec<TermChar>;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
}

fn class(c: char) -> u8 {
    if c.is_numeric() {
        1
    } else if c.is_alphabetic() {
        2
    } else {
        0
    }
}

/// Splits stored text into lower-case tokens.
fn text_tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut last = 0u8;
    for c in s.chars() {
        let k = class(c);
        if (k == 0 || k != last) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if k != 0 {
            current.extend(c.to_lowercase());
        }
        last = k;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Splits a term into tokens the same way, keeping wildcards inside tokens.
fn term_tokens(chars: &[TermChar]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut current: Token = Vec::new();
    let mut last = 0u8;
    for tc in chars {
        let k = match tc {
            TermChar::Lit(c) => class(*c),
            _ => 3,
        };
        let boundary = k == 0 || (k != 3 && last != 3 && k != last && !current.is_empty());
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        match tc {
            TermChar::Lit(c) if k != 0 => current.extend(c.to_lowercase().map(TermChar::Lit)),
            TermChar::Lit(_) => {}
            w => current.push(w.clone()),
        }
        if k != 3 {
            last = k;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn glob(pattern: &[TermChar], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((TermChar::AnyRun, rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((TermChar::AnyOne, rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((TermChar::Lit(c), rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

fn text_matches(term: &[Token], raw: &[TermChar], stored: &str) -> bool {
    if term.is_empty() {
        return false;
    }
    let cjk: String = raw
        .iter()
        .filter_map(|c| {
            if let TermChar::Lit(c) = c {
                Some(*c)
            } else {
                None
            }
        })
        .collect();
    if cjk.chars().any(is_cjk) && stored.to_lowercase().contains(&cjk.to_lowercase()) {
        return true;
    }
    let tokens: Vec<Vec<char>> = text_tokens(stored)
        .iter()
        .map(|t| t.chars().collect())
        .collect();
    if tokens.len() < term.len() {
        return false;
    }
    tokens
        .windows(term.len())
        .any(|w| w.iter().zip(term).all(|(t, p)| glob(p, t)))
}

fn phone_matches(raw: &[TermChar], stored: &str) -> bool {
    let digits: String = raw
        .iter()
        .filter_map(|c| {
            if let TermChar::Lit(c) = c {
                Some(*c)
            } else {
                None
            }
        })
        .filter(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return false;
    }
    let stored_digits: String = stored.chars().filter(char::is_ascii_digit).collect();
    if raw.last() == Some(&TermChar::AnyRun) {
        stored_digits.starts_with(&digits)
    } else {
        stored_digits == digits
    }
}

fn leaf_matches(record: &Record, scope: Scope, chars: &[TermChar]) -> bool {
    let tokens = term_tokens(chars);
    record
        .object
        .fields
        .iter()
        .filter(|f| searched(f, scope))
        .any(|f| {
            let Some(stored) = record.get(f.name).as_str() else {
                return false;
            };
            if f.ty == FieldType::Phone {
                phone_matches(chars, stored)
            } else {
                text_matches(&tokens, chars, stored)
            }
        })
}

fn expr_matches(record: &Record, scope: Scope, expr: &SearchExpr) -> bool {
    match expr {
        SearchExpr::Term { chars, .. } => leaf_matches(record, scope, chars),
        SearchExpr::And(a, b) => expr_matches(record, scope, a) && expr_matches(record, scope, b),
        SearchExpr::Or(a, b) => expr_matches(record, scope, a) || expr_matches(record, scope, b),
        SearchExpr::AndNot(a, b) => {
            expr_matches(record, scope, a) && !expr_matches(record, scope, b)
        }
    }
}

fn object_of(r: &Returning) -> Result<&'static ObjectDef, ApiError> {
    schema::object(&r.object).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_TYPE",
            format!(
                "line 1:{} sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.",
                r.object_col, r.object
            ),
        )
    })
}

/// Runs a search; returns the `{"searchRecords":[…]}` body. Records created less
/// than `index_lag_ms` before `now_ms` are not indexed yet.
pub fn run(
    store: &Store,
    search: &Search,
    version: &str,
    now_ms: i64,
    index_lag_ms: i64,
) -> Result<Value, ApiError> {
    // Stamps share one format, so they order as text.
    let indexed_until = (index_lag_ms > 0)
        .then(|| crate::clock::format_datetime(now_ms.saturating_sub(index_lag_ms)));
    let indexed = |rec: &Record| match &indexed_until {
        None => true,
        Some(until) => rec
            .fields
            .get("CreatedDate")
            .and_then(Value::as_str)
            .is_none_or(|created| created < until.as_str()),
    };
    let returning: Vec<Returning> = if search.returning.is_empty() {
        DEFAULT_OBJECTS
            .iter()
            .map(|o| Returning {
                object: (*o).into(),
                object_col: 0,
                fields: Vec::new(),
                filter: None,
                order_by: Vec::new(),
                limit: None,
                offset: None,
            })
            .collect()
    } else {
        search.returning.clone()
    };
    let overall = search
        .limit
        .map(|l| l as usize)
        .unwrap_or(MAX_ROWS)
        .min(MAX_ROWS);
    let mut out = Vec::new();
    for r in &returning {
        let object = object_of(r)?;
        let fields = if r.fields.is_empty() {
            vec![Path {
                parts: vec!["Id".into()],
                col: 0,
            }]
        } else {
            r.fields.clone()
        };
        let selection =
            Selection::compile(object, &fields, r.filter.as_ref(), &r.order_by, now_ms)?;
        let mut rows: Vec<&Record> = store
            .records_of(object.name)
            .filter(|rec| indexed(rec))
            .filter(|rec| expr_matches(rec, search.scope, &search.expr))
            .filter(|rec| selection.matches(store, rec))
            .collect();
        selection.sort(store, &mut rows);
        let take = r.limit.map(|l| l as usize).unwrap_or(usize::MAX);
        for rec in rows
            .into_iter()
            .skip(r.offset.unwrap_or(0) as usize)
            .take(take)
        {
            if out.len() >= overall {
                break;
            }
            out.push(selection.render(store, rec, version));
        }
    }
    Ok(json!({"searchRecords": out}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<TermChar> {
        s.chars().map(TermChar::Lit).collect()
    }

    #[test]
    fn phone_digits_rule() {
        assert!(
            phone_matches(&lits("4155550123"), "(415) 555-0123"),
            "national digits match"
        );
        assert!(
            phone_matches(&lits("(415) 555-0123"), "(415) 555-0123"),
            "same rendering matches"
        );
        assert!(
            !phone_matches(&lits("+14155550123"), "(415) 555-0123"),
            "E.164 with country code does not"
        );
        assert!(
            phone_matches(&lits("+14155550177"), "+1 415 555 0177"),
            "E.164 matches a stored international number"
        );
        let mut prefix = lits("415555");
        prefix.push(TermChar::AnyRun);
        assert!(
            phone_matches(&prefix, "415.555.0199"),
            "wildcard is a digit prefix"
        );
    }

    #[test]
    fn text_tokens_and_phrases() {
        let t = term_tokens(&lits("jane.caller@example.com"));
        assert!(
            text_matches(
                &t,
                &lits("jane.caller@example.com"),
                "Jane.Caller@Example.com"
            ),
            "emails case-insensitive"
        );
        let t = term_tokens(&lits("Caller"));
        assert!(
            text_matches(&t, &lits("Caller"), "Jane Caller"),
            "single word"
        );
        let t = term_tokens(&lits("Call"));
        assert!(
            !text_matches(&t, &lits("Call"), "Jane Caller"),
            "no partial words without wildcard"
        );
        let mut w = lits("Call");
        w.push(TermChar::AnyRun);
        assert!(
            text_matches(&term_tokens(&w), &w, "Jane Caller"),
            "wildcard suffix"
        );
        assert!(
            text_matches(
                &term_tokens(&lits("öztürk")),
                &lits("öztürk"),
                "Çağla Öztürk"
            ),
            "Unicode case folding"
        );
        assert!(
            text_matches(&term_tokens(&lits("山田")), &lits("山田"), "山田"),
            "CJK"
        );
    }
}
