//! `ringside org setup --check`: compares the org with the setup kit through the signed-in
//! user's describes (so field-level security counts: a field this user cannot see is as
//! good as missing) and says in words what is missing or different, each with what to do.
//! The names checked are the configured ones (`[logging.call_log]`): the kit's default name
//! is mapped to its config key, so an org that renamed a field is checked under its name.

use salesforce::{FieldDescribe, SObjectDescribe};
use serde::Serialize;

use super::{Kit, KitField};
use crate::call_log::{CallLogFields, LoggingSettings};
use crate::describe_cache::DescribeCache;

/// What is wrong, for scripts (`--json`) and tests; the words are in `detail` and `fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The call-log object does not exist or this user cannot see it.
    ObjectMissing,
    /// The object is there, but this user cannot create or edit its records.
    NoObjectAccess,
    /// A field is missing, or field-level security hides it from this user.
    FieldMissing,
    /// The Task's lookup to the call log is missing or hidden.
    TaskLookupMissing,
    /// The field holds another kind of value.
    WrongType,
    /// A text field shorter than the kit's.
    TooShort,
    /// The External ID field is not marked External ID (no upsert by it).
    NotExternalId,
    /// The External ID field does not refuse duplicates.
    NotUnique,
    /// A lookup to another object than the kit's.
    WrongTarget,
    /// A restricted picklist without a value Ringside writes.
    PicklistValueMissing,
    /// The user can see the field but not set it.
    NoFieldAccess,
}

/// One difference between the org and the kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupProblem {
    pub kind: ProblemKind,
    /// `Object.Field` (the configured names) or the object.
    pub subject: String,
    /// What was found, in words.
    pub detail: String,
    /// What to do about it.
    pub fix: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupReport {
    /// The call-log object checked (its configured name).
    pub object: String,
    /// How many call-log fields were compared.
    pub fields_checked: usize,
    /// Whether the Task's lookup was checked (not in "call log only" mode).
    pub task_lookup_checked: bool,
    pub problems: Vec<SetupProblem>,
}

impl SetupReport {
    /// The org matches the kit.
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The org could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum SetupCheckError {
    #[error("could not read {object}'s describe from Salesforce: {source}")]
    Describe {
        object: String,
        #[source]
        source: salesforce::Error,
    },
}

/// Deploying the kit: what every "missing" problem asks for.
pub const DEPLOY: &str = "deploy the setup kit: in the repository's salesforce/ folder run `sf project deploy start --source-dir force-app --target-org ORG` (README: \"Set up your Salesforce org\")";
/// Giving the user the kit's access.
pub const ASSIGN: &str = "assign the permission set \"Ringside Agent\" to this user (Setup → Users → the user → Permission Set Assignments)";

/// Compares the org behind `describes` with `kit`, under `logging`'s names and mode.
pub async fn check_org(
    kit: &Kit,
    describes: &DescribeCache,
    logging: &LoggingSettings,
) -> Result<SetupReport, SetupCheckError> {
    let names = &logging.call_log;
    let call_log = describe_or_missing(describes, &names.object).await?;
    let task = if logging.mode.writes_task() {
        Some(describe_or_missing(describes, "Task").await?)
    } else {
        None
    };
    Ok(compare(
        kit,
        names,
        call_log.as_deref(),
        task.as_ref().map(|t| t.as_deref()),
    ))
}

/// A describe, or `None` when Salesforce answers 404 (no such object, or no access to it).
async fn describe_or_missing(
    describes: &DescribeCache,
    object: &str,
) -> Result<Option<std::sync::Arc<SObjectDescribe>>, SetupCheckError> {
    match describes.describe(object).await {
        Ok(d) => Ok(Some(d)),
        Err(err) if err.status() == Some(404) => Ok(None),
        Err(source) => Err(SetupCheckError::Describe {
            object: object.to_owned(),
            source,
        }),
    }
}

/// The comparison itself, on describes already read: `call_log` is `None` when the object
/// is missing; `task` is `None` when the Task is not checked (call log only) and
/// `Some(None)` when it cannot be described.
pub fn compare(
    kit: &Kit,
    names: &CallLogFields,
    call_log: Option<&SObjectDescribe>,
    task: Option<Option<&SObjectDescribe>>,
) -> SetupReport {
    let mut problems = Vec::new();
    let object = names.object.as_str();
    let renamed_object = !object.eq_ignore_ascii_case(&kit.object.name);
    match call_log {
        None => problems.push(SetupProblem {
            kind: ProblemKind::ObjectMissing,
            subject: object.to_owned(),
            detail: format!(
                "the call-log object {object} is not in this org, or this user has no access to it{}",
                if renamed_object {
                    format!(" ([logging.call_log] object; the kit's is {})", kit.object.name)
                } else {
                    String::new()
                }
            ),
            fix: format!("{DEPLOY}; then {ASSIGN}"),
        }),
        Some(d) => {
            if !d.createable || !d.updateable {
                problems.push(SetupProblem {
                    kind: ProblemKind::NoObjectAccess,
                    subject: object.to_owned(),
                    detail: format!(
                        "this user cannot {} {object} records, so calls cannot be logged",
                        match (d.createable, d.updateable) {
                            (false, false) => "create or edit",
                            (false, true) => "create",
                            _ => "edit",
                        }
                    ),
                    fix: ASSIGN.to_owned(),
                });
            }
            for field in &kit.fields {
                let (name, key) = configured_name(names, field);
                // A timing field the admin switched off (`ring_seconds = ""`) is not written,
                // so its absence is no problem.
                if name.is_empty() {
                    continue;
                }
                compare_field(
                    field,
                    object,
                    &name,
                    key,
                    d.field(&name),
                    ProblemKind::FieldMissing,
                    &mut problems,
                );
            }
        }
    }
    if let Some(task) = task {
        for field in &kit.task_fields {
            let (name, key) = if field
                .name
                .eq_ignore_ascii_case(&CallLogFields::default().task_lookup)
            {
                (names.task_lookup.clone(), Some("task_lookup"))
            } else {
                (field.name.clone(), None)
            };
            // The lookup must point at the configured call-log object.
            let mut expected = field.clone();
            if field.reference_to.as_deref() == Some(kit.object.name.as_str()) {
                expected.reference_to = Some(object.to_owned());
            }
            compare_field(
                &expected,
                "Task",
                &name,
                key,
                task.and_then(|t| t.field(&name)),
                ProblemKind::TaskLookupMissing,
                &mut problems,
            );
        }
    }
    SetupReport {
        object: object.to_owned(),
        fields_checked: if call_log.is_some() {
            kit.fields.len()
        } else {
            0
        },
        task_lookup_checked: task.is_some(),
        problems,
    }
}

/// The configured name of a kit call-log field and its `[logging.call_log]` key, if the
/// field has one (the object and the Task lookup are handled apart: they share a default).
fn configured_name(names: &CallLogFields, field: &KitField) -> (String, Option<&'static str>) {
    let defaults = CallLogFields::default();
    defaults
        .named()
        .into_iter()
        .zip(names.named())
        .filter(|((key, _), _)| !matches!(*key, "object" | "task_lookup"))
        .find(|((_, default), _)| default.eq_ignore_ascii_case(&field.name))
        .map(|((key, _), (_, configured))| (configured.to_owned(), Some(key)))
        .unwrap_or_else(|| (field.name.clone(), None))
}

fn compare_field(
    kit: &KitField,
    object: &str,
    name: &str,
    key: Option<&'static str>,
    found: Option<&FieldDescribe>,
    missing: ProblemKind,
    problems: &mut Vec<SetupProblem>,
) {
    let subject = format!("{object}.{name}");
    // Where the name came from, and the other way out for an admin who keeps their own field.
    let renamed = !name.eq_ignore_ascii_case(&kit.name);
    let origin = match (key, renamed) {
        (Some(key), true) => format!(
            " (set by [logging.call_log] {key}; the kit's field is {})",
            kit.name
        ),
        _ => String::new(),
    };
    let or_point = |what: &str| match key {
        Some(key) => format!(", or point [logging.call_log] {key} at a {what} field"),
        None => String::new(),
    };
    let mut push = |kind, detail: String, fix: String| {
        problems.push(SetupProblem {
            kind,
            subject: subject.clone(),
            detail,
            fix,
        })
    };
    let expected = &kit.field_type;
    let Some(found) = found else {
        push(
            missing,
            format!(
                "{subject} ({expected}) is missing, or field-level security hides it from this user{origin}"
            ),
            format!("{DEPLOY}; then {ASSIGN}{}", or_point(&expected.to_string())),
        );
        return;
    };
    let found_type = found.field_type.as_str();
    if !expected.accepts(found_type) {
        push(
            ProblemKind::WrongType,
            format!(
                "{subject} is a {found_type} field; the kit makes it {expected} ({}){origin}",
                expected.describe_type()
            ),
            format!(
                "in Setup → Object Manager → {object}, change its type to {expected} (or delete it and deploy the kit){}",
                or_point(&expected.to_string())
            ),
        );
        return;
    }
    if expected.has_length() && found.length < expected.describe_length() {
        push(
            ProblemKind::TooShort,
            format!(
                "{subject} holds {} characters; the kit's holds {}, so longer values would be refused (STRING_TOO_LONG){origin}",
                found.length,
                expected.describe_length()
            ),
            format!(
                "in Setup → Object Manager → {object}, raise its length to {}",
                expected.describe_length()
            ),
        );
    }
    if kit.external_id && !found.external_id {
        push(
            ProblemKind::NotExternalId,
            format!(
                "{subject} is not marked External ID, so calls cannot be upserted by their call id{origin}"
            ),
            format!("in Setup → Object Manager → {object} → {name}, tick \"External ID\""),
        );
    }
    if kit.unique && !found.unique {
        push(
            ProblemKind::NotUnique,
            format!(
                "{subject} does not refuse duplicates, so a retried call could be logged twice{origin}"
            ),
            format!("in Setup → Object Manager → {object} → {name}, tick \"Unique\""),
        );
    }
    if let Some(target) = &kit.reference_to
        && !found
            .reference_to
            .iter()
            .any(|t| t.eq_ignore_ascii_case(target))
    {
        push(
            ProblemKind::WrongTarget,
            format!(
                "{subject} looks up {}, not {target}{origin}",
                if found.reference_to.is_empty() {
                    "nothing".to_owned()
                } else {
                    found.reference_to.join(", ")
                }
            ),
            format!(
                "make {subject} a lookup to {target}{}",
                or_point(&format!("lookup-to-{target}"))
            ),
        );
    }
    if let Some(picklist) = kit.picklist.as_ref().filter(|p| p.restricted)
        && found_type == "picklist"
    {
        let lacking: Vec<&str> = picklist
            .values
            .iter()
            .filter(|v| {
                !found
                    .picklist_values
                    .iter()
                    .any(|p| p.active && p.value == **v)
            })
            .map(String::as_str)
            .collect();
        if !lacking.is_empty() {
            push(
                ProblemKind::PicklistValueMissing,
                format!(
                    "{subject} has no active value {}: Ringside writes it, and a restricted picklist refuses it{origin}",
                    lacking.join(", ")
                ),
                format!(
                    "in Setup → Object Manager → {object} → {name}, add (or activate) {}",
                    lacking.join(", ")
                ),
            );
        }
    }
    if !found.createable || !found.updateable {
        push(
            ProblemKind::NoFieldAccess,
            format!(
                "this user can read {subject} but not set it, so logging a call that fills it fails{origin}"
            ),
            ASSIGN.to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A describe of `name` with `fields` as Salesforce sends them (createable/updateable
    /// unless the entry says otherwise).
    fn describe(name: &str, fields: Vec<Value>) -> SObjectDescribe {
        let fields: Vec<Value> = fields
            .into_iter()
            .map(|mut f| {
                let obj = f.as_object_mut().unwrap();
                obj.entry("label").or_insert(json!("x"));
                obj.entry("createable").or_insert(json!(true));
                obj.entry("updateable").or_insert(json!(true));
                f
            })
            .collect();
        serde_json::from_value(json!({
            "name": name, "label": name, "createable": true, "updateable": true,
            "queryable": true, "fields": fields
        }))
        .expect("describe JSON")
    }

    /// The describe a correct deployment of the kit gives.
    fn deployed(kit: &Kit) -> SObjectDescribe {
        describe("Call_Log__c", kit.fields.iter().map(field_json).collect())
    }

    fn field_json(f: &KitField) -> Value {
        json!({
            "name": f.name,
            "type": f.field_type.describe_type(),
            "length": f.field_type.describe_length(),
            "externalId": f.external_id,
            "unique": f.unique,
            "referenceTo": f.reference_to.iter().collect::<Vec<_>>(),
            "picklistValues": f.picklist.iter().flat_map(|p| p.values.iter())
                .map(|v| json!({"value": v, "active": true})).collect::<Vec<_>>(),
        })
    }

    fn task(kit: &Kit) -> SObjectDescribe {
        describe("Task", kit.task_fields.iter().map(field_json).collect())
    }

    fn kinds(report: &SetupReport) -> Vec<(ProblemKind, &str)> {
        report
            .problems
            .iter()
            .map(|p| (p.kind, p.subject.as_str()))
            .collect()
    }

    #[test]
    fn a_deployed_kit_has_no_problems() {
        let kit = Kit::builtin().unwrap();
        let report = compare(
            &kit,
            &CallLogFields::default(),
            Some(&deployed(&kit)),
            Some(Some(&task(&kit))),
        );
        assert!(report.is_ready(), "nothing differs: {:#?}", report.problems);
        assert_eq!(report.fields_checked, kit.fields.len());
    }

    #[test]
    fn read_only_fields_short_text_and_a_non_unique_external_id_are_each_said() {
        let kit = Kit::builtin().unwrap();
        let mut fields: Vec<Value> = kit.fields.iter().map(field_json).collect();
        for f in &mut fields {
            match f["name"].as_str().unwrap() {
                "External_Id__c" => f["unique"] = json!(false),
                "Subject__c" => f["length"] = json!(80),
                "Notes__c" => {
                    f["createable"] = json!(false);
                    f["updateable"] = json!(false);
                }
                "Duration_Seconds__c" => f["type"] = json!("string"),
                "Direction__c" => {
                    f["picklistValues"] = json!([{"value": "Inbound", "active": true}])
                }
                _ => {}
            }
        }
        let report = compare(
            &kit,
            &CallLogFields::default(),
            Some(&describe("Call_Log__c", fields)),
            Some(Some(&task(&kit))),
        );
        assert_eq!(
            kinds(&report),
            vec![
                (ProblemKind::NotUnique, "Call_Log__c.External_Id__c"),
                (
                    ProblemKind::PicklistValueMissing,
                    "Call_Log__c.Direction__c"
                ),
                (ProblemKind::WrongType, "Call_Log__c.Duration_Seconds__c"),
                (ProblemKind::TooShort, "Call_Log__c.Subject__c"),
                (ProblemKind::NoFieldAccess, "Call_Log__c.Notes__c"),
            ],
            "one problem per difference, in the kit's order: {:#?}",
            report.problems
        );
        let read_only = &report.problems[4];
        assert!(
            read_only.fix.contains("Ringside Agent"),
            "a missing edit right is fixed by the permission set: {read_only:?}"
        );
        assert!(
            report.problems[1].detail.contains("Outbound"),
            "the missing value is named: {:?}",
            report.problems[1]
        );
    }

    #[test]
    fn configured_names_are_checked_and_named_with_their_key() {
        let kit = Kit::builtin().unwrap();
        let names = CallLogFields {
            duration: "Talk_Time__c".into(),
            ..CallLogFields::default()
        };
        let report = compare(&kit, &names, Some(&deployed(&kit)), Some(Some(&task(&kit))));
        assert_eq!(
            kinds(&report),
            vec![(ProblemKind::FieldMissing, "Call_Log__c.Talk_Time__c")],
            "the configured name is looked for, not the kit's"
        );
        let problem = &report.problems[0];
        assert!(
            problem.detail.contains("[logging.call_log] duration")
                && problem.detail.contains("Duration_Seconds__c"),
            "the key and the kit's name are said: {problem:?}"
        );
        assert!(
            problem.fix.contains("or point [logging.call_log] duration"),
            "{problem:?}"
        );
    }

    #[test]
    fn a_missing_object_is_one_problem_and_call_log_only_skips_the_task() {
        let kit = Kit::builtin().unwrap();
        let report = compare(&kit, &CallLogFields::default(), None, None);
        assert_eq!(
            kinds(&report),
            vec![(ProblemKind::ObjectMissing, "Call_Log__c")]
        );
        assert!(!report.task_lookup_checked);
        assert!(report.problems[0].fix.contains("sf project deploy start"));
    }

    #[test]
    fn a_task_lookup_to_another_object_is_said() {
        let kit = Kit::builtin().unwrap();
        let mut task_fields: Vec<Value> = kit.task_fields.iter().map(field_json).collect();
        task_fields[0]["referenceTo"] = json!(["Account"]);
        let report = compare(
            &kit,
            &CallLogFields::default(),
            Some(&deployed(&kit)),
            Some(Some(&describe("Task", task_fields))),
        );
        assert_eq!(
            kinds(&report),
            vec![(ProblemKind::WrongTarget, "Task.Call_Log__c")]
        );
    }
}
