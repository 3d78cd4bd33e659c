//! Showing and editing a Contact, Lead or Account under the admin's field policy. The
//! policy lives here, not in a UI: only visible fields are shown, only editable fields
//! written, every value is checked against the live describe first, and nothing is sent
//! unless every change is acceptable (so nothing is half-written).
//!
//! Conflicts: an edit carries the `LastModifiedDate` the agent saw and is sent as one
//! composite PATCH with `If-Unmodified-Since`; Salesforce answers 412 when someone changed
//! the record since, and the edit reports both values instead of overwriting theirs.

use crate::ipc_code::IpcCode;
use std::sync::Arc;

use salesforce::{CompositeRequest, CompositeSubrequest, ErrorCode, Record, SObjectDescribe};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::describe_cache::DescribeCache;
use crate::field_policy::{FieldPolicy, IntentMap, ObjectFields};
use crate::field_value::check_value;
use crate::intents::{IntentButton, record_intents};

/// A record as an agent may see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShownRecord {
    pub object: String,
    pub id: String,
    /// Salesforce's `LastModifiedDate` when read: pass it back to [`RecordEditor::edit`].
    pub last_modified: Option<String>,
    pub fields: Vec<ShownField>,
    /// Fields the policy lists that this user cannot see (field-level security).
    pub hidden: Vec<String>,
    /// The intent buttons for this record's object (`[intents]` on it), in name order.
    pub intents: Vec<IntentButton>,
    /// Intent buttons for the related records the panel lists (each open Opportunity, Case):
    /// `[intents]` on those objects, e.g. `demo_requested = "Opportunity.Demo_Requested_At__c"`.
    pub related_intents: Vec<RelatedIntents>,
}

/// The intent buttons for every related record of one object.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelatedIntents {
    /// `Opportunity` or `Case`.
    pub object: String,
    pub intents: Vec<IntentButton>,
}

/// The related objects the record panel lists, whose records can carry intents.
pub const RELATED_OBJECTS: [&str; 2] = ["Opportunity", "Case"];

/// One visible field, with what an editor needs to offer the right input.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShownField {
    pub name: String,
    pub label: String,
    /// The describe type (`string`, `picklist`, `date`, …).
    #[serde(rename = "type")]
    pub field_type: String,
    #[cfg_attr(feature = "ts", ts(type = "string | number | boolean | null"))]
    pub value: Value,
    pub editable: bool,
    /// Maximum length for text fields (0 for others).
    pub length: u32,
    /// Active picklist values (empty for other types).
    pub picklist: Vec<String>,
}

/// A finished edit.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditOutcome {
    pub object: String,
    pub id: String,
    /// The fields written, as API names.
    pub changed: Vec<String>,
    /// `LastModifiedDate` after the edit.
    pub last_modified: Option<String>,
}

/// One refused change.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub reason: String,
}

/// A field someone else changed: what the agent wanted and what Salesforce has now.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ConflictField {
    pub field: String,
    #[cfg_attr(feature = "ts", ts(type = "string | number | boolean | null"))]
    pub yours: Value,
    #[cfg_attr(feature = "ts", ts(type = "string | number | boolean | null"))]
    pub theirs: Value,
}

/// Why an edit or a read did not happen. Nothing was written in every case.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{id:?} is not a Contact, Lead or Account id (they start with 003, 00Q or 001)")]
    UnsupportedRecord { id: String },
    #[error("nothing to change: give Field=Value pairs")]
    NoChanges,
    #[error("{}", problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect::<Vec<_>>().join("; "))]
    Refused { problems: Vec<FieldProblem> },
    #[error(
        "the record changed in Salesforce since you saw it ({expected}; now {}): {}",
        current.as_deref().unwrap_or("unknown"),
        fields.iter().map(|f| format!("{} yours {} / theirs {}", f.field, f.yours, f.theirs)).collect::<Vec<_>>().join("; ")
    )]
    Conflict {
        expected: String,
        current: Option<String>,
        fields: Vec<ConflictField>,
    },
    #[error("{object} {id} was deleted in Salesforce")]
    Deleted { object: String, id: String },
    #[error("{object} {id} does not exist, or this user cannot see it")]
    NotFound { object: String, id: String },
    #[error(
        "--expect-modified {0:?} is not a Salesforce date-time such as 2026-03-31T14:30:00.000+0000"
    )]
    BadTimestamp(String),
    #[error("Salesforce refused the edit: {message}")]
    Rejected { code: String, message: String },
    #[error("Salesforce cannot be reached and the edit could not be queued: {reason}")]
    NotQueued { reason: String },
    #[error(transparent)]
    Salesforce(salesforce::Error),
}

impl EditError {
    /// A stable code a UI branches on (it picks its message by it).
    pub fn code(&self) -> IpcCode {
        match self {
            EditError::UnsupportedRecord { .. } => IpcCode::UnsupportedRecord,
            EditError::NoChanges => IpcCode::NoChanges,
            EditError::Refused { .. } => IpcCode::Refused,
            EditError::Conflict { .. } => IpcCode::Conflict,
            EditError::Deleted { .. } => IpcCode::RecordDeleted,
            EditError::NotFound { .. } => IpcCode::RecordNotFound,
            EditError::BadTimestamp(_) => IpcCode::InvalidInput,
            EditError::Rejected { .. } => IpcCode::SalesforceRejected,
            EditError::NotQueued { .. } => IpcCode::QueueUnavailable,
            EditError::Salesforce(err) if err.needs_reauth() => IpcCode::SignedOut,
            EditError::Salesforce(salesforce::Error::Transport { .. }) => {
                IpcCode::SalesforceUnreachable
            }
            EditError::Salesforce(_) => IpcCode::SalesforceError,
        }
    }
}

/// One change an editor sends: the field's API name and the value as typed (checked
/// against the describe by [`RecordEditor::edit`]; empty clears the field).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub value: String,
}

/// The object of a Contact, Lead or Account id (the key prefixes are the same in every org).
pub fn object_for_id(id: &str) -> Option<&'static str> {
    match id.get(..3)? {
        "003" => Some("Contact"),
        "00Q" => Some("Lead"),
        "001" => Some("Account"),
        _ => None,
    }
}

/// The object of any id Ringside writes: a Contact, Lead or Account, or a related
/// Opportunity or Case (intents only).
pub fn object_for_any_id(id: &str) -> Option<&'static str> {
    object_for_id(id).or_else(|| match id.get(..3)? {
        "006" => Some("Opportunity"),
        "500" => Some("Case"),
        _ => None,
    })
}

/// Shows and edits records under one field policy.
#[derive(Debug, Clone)]
pub struct RecordEditor {
    describes: DescribeCache,
    policy: FieldPolicy,
    intents: IntentMap,
}

impl RecordEditor {
    /// An editor with no intent buttons; see [`RecordEditor::with_intents`].
    pub fn new(describes: DescribeCache, policy: FieldPolicy) -> Self {
        RecordEditor {
            describes,
            policy,
            intents: IntentMap::from_targets(Vec::new()),
        }
    }

    /// Offers (and applies) the admin's intents on shown records.
    pub fn with_intents(mut self, intents: IntentMap) -> Self {
        self.intents = intents;
        self
    }

    fn target(&self, id: &str) -> Result<(&'static str, &ObjectFields), EditError> {
        salesforce::validate_record_id(id)
            .map_err(|_| EditError::UnsupportedRecord { id: id.to_owned() })?;
        let object =
            object_for_id(id).ok_or_else(|| EditError::UnsupportedRecord { id: id.to_owned() })?;
        let fields = self
            .policy
            .object(object)
            .ok_or_else(|| EditError::UnsupportedRecord { id: id.to_owned() })?;
        Ok((object, fields))
    }

    async fn describe(&self, object: &str) -> Result<Arc<SObjectDescribe>, EditError> {
        self.describes
            .describe(object)
            .await
            .map_err(EditError::Salesforce)
    }

    /// Reads the visible fields of record `id` (one describe per run, one read).
    pub async fn show(&self, id: &str) -> Result<ShownRecord, EditError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::Edit, async move {
            let (object, policy) = self.target(id)?;
            let describe = self.describe(object).await?;
            let mut hidden = Vec::new();
            let mut described = Vec::new();
            for name in &policy.visible {
                match describe.field(name) {
                    Some(f) => described.push(f),
                    None => hidden.push(name.clone()),
                }
            }
            let mut names: Vec<&str> = described.iter().map(|f| f.name.as_str()).collect();
            if describe.field("LastModifiedDate").is_some() {
                names.push("LastModifiedDate");
            }
            let record = self.read(object, id, &names).await?;
            let fields = described
                .into_iter()
                .map(|f| ShownField {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    field_type: f.field_type.as_str().to_owned(),
                    value: record.field(&f.name).cloned().unwrap_or(Value::Null),
                    editable: policy.is_editable(&f.name) && f.updateable,
                    length: f.length,
                    picklist: f.active_picklist_values().map(str::to_owned).collect(),
                })
                .collect();
            Ok(ShownRecord {
                object: object.to_owned(),
                id: id.to_owned(),
                last_modified: record.str_field("LastModifiedDate").map(str::to_owned),
                fields,
                hidden,
                intents: record_intents(&self.intents, object, &describe),
                related_intents: self.related_intents().await,
            })
        })
        .await
    }

    /// The intent buttons of the related objects the config maps intents to. A related
    /// object this user cannot describe simply offers none (`config validate` says why).
    async fn related_intents(&self) -> Vec<RelatedIntents> {
        let mut related = Vec::new();
        for object in RELATED_OBJECTS {
            if !self
                .intents
                .iter()
                .any(|i| i.object.eq_ignore_ascii_case(object))
            {
                continue;
            }
            match self.describe(object).await {
                Ok(describe) => {
                    let intents = record_intents(&self.intents, object, &describe);
                    if !intents.is_empty() {
                        related.push(RelatedIntents {
                            object: object.to_owned(),
                            intents,
                        });
                    }
                }
                Err(err) => {
                    tracing::warn!(object, code = %err.code(), "no intents for related records")
                }
            }
        }
        related
    }

    /// Checks the policy alone (no describe, so it works offline): the record is one Ringside
    /// edits and every field is visible and editable. Used before an edit is queued while
    /// Salesforce is unreachable; values are checked against the describe when it is sent.
    pub fn check_policy(&self, id: &str, changes: &[(String, String)]) -> Result<(), EditError> {
        let (object, policy) = self.target(id)?;
        if changes.is_empty() {
            return Err(EditError::NoChanges);
        }
        let problems: Vec<FieldProblem> = changes
            .iter()
            .filter_map(|(name, _)| {
                let reason = if !policy.is_visible(name) {
                    format!("is not a field agents see on {object} ([fields.{object}] visible)")
                } else if !policy.is_editable(name) {
                    format!("is read-only: it is not in [fields.{object}] editable")
                } else {
                    return None;
                };
                Some(FieldProblem {
                    field: name.clone(),
                    reason,
                })
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(EditError::Refused { problems })
        }
    }

    /// Checks that intent `name` can be pressed on record `id` (offline: no describe).
    pub fn check_intent(&self, id: &str, name: &str) -> Result<(), EditError> {
        self.intent_target(id, name).map(|_| ())
    }

    /// The object of `id` and intent `name`, if the intent is on that object.
    fn intent_target(&self, id: &str, name: &str) -> Result<&'static str, EditError> {
        salesforce::validate_record_id(id)
            .map_err(|_| EditError::UnsupportedRecord { id: id.to_owned() })?;
        let object = object_for_any_id(id)
            .ok_or_else(|| EditError::UnsupportedRecord { id: id.to_owned() })?;
        self.intents
            .get(name)
            .filter(|i| i.object.eq_ignore_ascii_case(object))
            .ok_or_else(|| EditError::Refused {
                problems: vec![FieldProblem {
                    field: name.to_owned(),
                    reason: format!("is not an intent on {object} in [intents]"),
                }],
            })?;
        Ok(object)
    }

    /// Presses intent `name` on record `id` at `now`: writes its field (the value from the
    /// field's type, the admin's fixed value, or the agent's `input` for picklists and text).
    /// Only intents on the record's own object apply (a Contact, Lead or Account, or a related
    /// Opportunity or Case the panel lists); the field policy does not limit them,
    /// because the admin mapped them on purpose and `config validate` checked them.
    pub async fn apply_intent(
        &self,
        id: &str,
        name: &str,
        input: Option<&str>,
        now: std::time::SystemTime,
    ) -> Result<EditOutcome, EditError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::Edit, async move {
            let object = self.intent_target(id, name)?;
            let refuse = |reason: String| EditError::Refused {
                problems: vec![FieldProblem {
                    field: name.to_owned(),
                    reason,
                }],
            };
            let intent = self
                .intents
                .get(name)
                .ok_or_else(|| refuse(format!("is not an intent on {object} in [intents]")))?;
            let describe = self.describe(object).await?;
            let (field, value) =
                crate::intents::resolve(intent, &describe, input, now).map_err(refuse)?;
            let mut body = Map::new();
            body.insert(field.clone(), value);
            let client = self.describes.client();
            client
                .update(object, id, &Value::Object(body))
                .await
                .map_err(|e| self.classify(object, id, e))?;
            let last_modified = self
                .read(object, id, &["LastModifiedDate"])
                .await
                .ok()
                .and_then(|r| r.str_field("LastModifiedDate").map(str::to_owned));
            tracing::info!(object, intent = name, "intent applied");
            Ok(EditOutcome {
                object: object.to_owned(),
                id: id.to_owned(),
                changed: vec![field],
                last_modified,
            })
        })
        .await
    }

    /// Writes `changes` (API name, typed text) to record `id` if every one is allowed and
    /// valid. `expected_modified` is the `LastModifiedDate` the agent saw; without it the
    /// current value is read just before the write (which still catches a change racing
    /// the write, not one made while the agent was typing).
    pub async fn edit(
        &self,
        id: &str,
        changes: &[(String, String)],
        expected_modified: Option<&str>,
    ) -> Result<EditOutcome, EditError> {
        crate::api_usage::as_kind(crate::api_usage::RequestKind::Edit, async move {
            let (object, policy) = self.target(id)?;
            if changes.is_empty() {
                return Err(EditError::NoChanges);
            }
            if let Some(ts) = expected_modified {
                http_date(ts).ok_or_else(|| EditError::BadTimestamp(ts.to_owned()))?;
            }
            let describe = self.describe(object).await?;
            let (body, problems) = checked_body(object, policy, &describe, changes);
            if !problems.is_empty() {
                return Err(EditError::Refused { problems });
            }
            let expected = match expected_modified {
                Some(ts) => ts.to_owned(),
                None => self
                    .read(object, id, &["LastModifiedDate"])
                    .await?
                    .str_field("LastModifiedDate")
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        EditError::Rejected {
                    code: "NO_LAST_MODIFIED".into(),
                    message:
                        "the record has no LastModifiedDate, so a conflict could not be detected"
                            .into(),
                }
                    })?,
            };
            let since =
                http_date(&expected).ok_or_else(|| EditError::BadTimestamp(expected.clone()))?;
            let version = self.describes.client().api_version();
            let patch = CompositeSubrequest::update(
                version,
                "edit",
                object,
                id,
                Value::Object(body.clone()),
            )
            .map_err(EditError::Salesforce)?
            .with_header("If-Unmodified-Since", since);
            let reread = CompositeSubrequest::new(
                salesforce::CompositeMethod::Get,
                format!(
                    "{}/sobjects/{object}/{id}?fields=LastModifiedDate",
                    version.base_path()
                ),
                "after",
            );
            let mut request = CompositeRequest::new(true);
            request.push(patch).push(reread);
            let response = self
                .describes
                .client()
                .composite(&request)
                .await
                .map_err(|e| self.classify(object, id, e))?;
            if let Some(err) = response.get("edit").and_then(|s| s.error()) {
                if err.status() == Some(412) {
                    return Err(self.conflict(object, id, expected, &body).await);
                }
                return Err(self.classify(object, id, err));
            }
            let last_modified = response
                .get("after")
                .and_then(|s| s.body_as::<Record>().ok())
                .and_then(|r| r.str_field("LastModifiedDate").map(str::to_owned));
            tracing::info!(object, changed = body.len(), "record edited");
            Ok(EditOutcome {
                object: object.to_owned(),
                id: id.to_owned(),
                changed: body.keys().cloned().collect(),
                last_modified,
            })
        })
        .await
    }

    async fn read(&self, object: &str, id: &str, fields: &[&str]) -> Result<Record, EditError> {
        self.describes
            .client()
            .get(object, id, Some(fields))
            .await
            .map_err(|e| self.classify(object, id, e))
    }

    /// Builds the conflict report from the record as it is now.
    async fn conflict(
        &self,
        object: &str,
        id: &str,
        expected: String,
        body: &Map<String, Value>,
    ) -> EditError {
        let mut names: Vec<&str> = body.keys().map(String::as_str).collect();
        names.push("LastModifiedDate");
        let now = match self.read(object, id, &names).await {
            Ok(record) => record,
            Err(err) => return err,
        };
        EditError::Conflict {
            expected,
            current: now.str_field("LastModifiedDate").map(str::to_owned),
            fields: body
                .iter()
                .map(|(field, yours)| ConflictField {
                    field: field.clone(),
                    yours: yours.clone(),
                    theirs: now.field(field).cloned().unwrap_or(Value::Null),
                })
                .collect(),
        }
    }

    fn classify(&self, object: &str, id: &str, err: salesforce::Error) -> EditError {
        let Some(first) = err.api_errors().first().cloned() else {
            return EditError::Salesforce(err);
        };
        match first.error_code {
            ErrorCode::EntityIsDeleted => EditError::Deleted {
                object: object.to_owned(),
                id: id.to_owned(),
            },
            ErrorCode::NotFound => EditError::NotFound {
                object: object.to_owned(),
                id: id.to_owned(),
            },
            _ if err.status() == Some(400) => {
                let on = if first.fields.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", first.fields.join(", "))
                };
                EditError::Rejected {
                    code: first.error_code.to_string(),
                    message: format!("{}{on}", first.message),
                }
            }
            _ => EditError::Salesforce(err),
        }
    }
}

/// The body to send and every reason a change is refused.
fn checked_body(
    object: &str,
    policy: &ObjectFields,
    describe: &SObjectDescribe,
    changes: &[(String, String)],
) -> (Map<String, Value>, Vec<FieldProblem>) {
    let mut body = Map::new();
    let mut problems = Vec::new();
    for (name, raw) in changes {
        let mut refuse = |reason: String| {
            problems.push(FieldProblem {
                field: name.clone(),
                reason,
            })
        };
        if !policy.is_visible(name) {
            refuse(format!(
                "is not a field agents see on {object} ([fields.{object}] visible)"
            ));
            continue;
        }
        let Some(field) = describe.field(name) else {
            refuse("is hidden from this user by field-level security".into());
            continue;
        };
        if !policy.is_editable(name) {
            let why = if matches!(
                field.field_type,
                salesforce::FieldType::Email | salesforce::FieldType::Phone
            ) {
                format!(
                    "is read-only: email and phone fields can be edited only when the admin lists them in [fields.{object}] editable"
                )
            } else {
                format!("is read-only: it is not in [fields.{object}] editable")
            };
            refuse(why);
            continue;
        }
        if !field.updateable {
            refuse("is read-only for this user in Salesforce (field-level security)".into());
            continue;
        }
        if body.contains_key(&field.name) {
            refuse("is given twice".into());
            continue;
        }
        match check_value(field, raw) {
            Ok(value) => {
                body.insert(field.name.clone(), value);
            }
            Err(reason) => refuse(reason),
        }
    }
    (body, problems)
}

/// A Salesforce date-time (`2026-03-31T14:30:00.000+0000`, `…Z`, `…-05:00`) as an HTTP
/// date (`Tue, 31 Mar 2026 14:30:00 GMT`), the form `If-Unmodified-Since` takes.
fn http_date(datetime: &str) -> Option<String> {
    crate::time::parse_datetime(datetime).and_then(crate::time::http_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_times_become_http_dates() {
        assert_eq!(
            http_date("2026-03-31T14:30:00.000+0000").as_deref(),
            Some("Tue, 31 Mar 2026 14:30:00 GMT")
        );
        assert_eq!(
            http_date("2026-01-01T01:00:00+02:00").as_deref(),
            Some("Wed, 31 Dec 2025 23:00:00 GMT"),
            "offsets are applied"
        );
        assert_eq!(
            http_date("1970-01-01T00:00:00Z").as_deref(),
            Some("Thu, 01 Jan 1970 00:00:00 GMT")
        );
        assert_eq!(http_date("yesterday"), None);
    }

    #[test]
    fn ids_map_to_their_objects() {
        assert_eq!(object_for_id("003000000000001AAA"), Some("Contact"));
        assert_eq!(object_for_id("00Q000000000001AAA"), Some("Lead"));
        assert_eq!(object_for_id("006000000000001AAA"), None);
    }
}
