//! The org setup kit in `salesforce/`: every metadata file is well-formed and compiled in,
//! the kit holds DESIGN §4's default call-log fields and the permission set agents need,
//! the kit agrees field by field with the demo org's describe (read raw over HTTP), and
//! `check_org` passes against the demo org and says what a user cannot see.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ringside_core::call_log::LoggingSettings;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::setup_kit::check::{ProblemKind, check_org};
use ringside_core::setup_kit::{FILES, Kit, KitFieldType, SOURCE_DIR, parse_file};
use serde_json::Value;

use crate::config_check::demo;

fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../salesforce")
}

/// Every file under `dir`, as paths relative to `root` with `/` separators.
fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("kit folder readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files_under(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            out.push(
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
}

/// DESIGN §4's default call-log fields with the kit type each must have.
fn design_defaults() -> Vec<(&'static str, KitFieldType)> {
    use KitFieldType as T;
    vec![
        ("External_Id__c", T::Text { length: 255 }),
        ("Direction__c", T::Picklist),
        (
            "Duration_Seconds__c",
            T::Number {
                precision: 18,
                scale: 0,
            },
        ),
        ("From_Number__c", T::Phone),
        ("To_Number__c", T::Phone),
        ("Started_At__c", T::DateTime),
        ("Dialed_At__c", T::DateTime),
        ("Answered_At__c", T::DateTime),
        ("Ended_At__c", T::DateTime),
        (
            "Ring_Seconds__c",
            T::Number {
                precision: 18,
                scale: 0,
            },
        ),
        ("Recording_Url__c", T::Url),
        ("Summary__c", T::LongTextArea { length: 32768 }),
        ("Key_Topics__c", T::LongTextArea { length: 1000 }),
        ("Disposition__c", T::Picklist),
        ("Subject__c", T::Text { length: 255 }),
        ("Notes__c", T::LongTextArea { length: 32000 }),
        ("Memo__c", T::MultiselectPicklist { visible_lines: 5 }),
        ("Contact__c", T::Lookup),
        ("Lead__c", T::Lookup),
        ("Account__c", T::Lookup),
        ("Opportunity__c", T::Lookup),
        ("Case__c", T::Lookup),
    ]
}

#[test]
fn every_kit_file_on_disk_is_well_formed_metadata_and_compiled_in() {
    let source = kit_dir().join(SOURCE_DIR);
    let mut on_disk = Vec::new();
    files_under(&source, &source, &mut on_disk);
    for path in &on_disk {
        let text = std::fs::read_to_string(source.join(path)).expect("kit file is UTF-8");
        // Well-formed, the right root for its suffix, the Metadata API namespace, fullName =
        // file name for fields.
        parse_file(path, &text).unwrap_or_else(|e| panic!("{e}"));
        let compiled = FILES.iter().find(|f| f.path == path.as_str());
        assert_eq!(
            compiled.map(|f| f.text),
            Some(text.as_str()),
            "{path} is in setup_kit::FILES, so `org setup --check` knows it"
        );
    }
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    let compiled: BTreeSet<&str> = FILES.iter().map(|f| f.path).collect();
    assert_eq!(compiled, on_disk, "FILES lists exactly the kit's files");
}

#[test]
fn the_sfdx_project_uses_the_api_version_ringside_uses_by_default() {
    let text = std::fs::read_to_string(kit_dir().join("sfdx-project.json")).expect("project");
    let project: Value = serde_json::from_str(&text).expect("sfdx-project.json is JSON");
    assert_eq!(
        project["sourceApiVersion"],
        salesforce::ApiVersion::default().to_string(),
        "the kit deploys with the API version Ringside talks to the org with"
    );
    assert_eq!(
        project["packageDirectories"][0]["path"], "force-app",
        "the README's deploy command names force-app"
    );
    assert!(
        kit_dir().join("README.md").is_file(),
        "the kit explains itself"
    );
}

#[test]
fn the_kit_has_every_design_default_field_with_its_type() {
    let kit = Kit::builtin().expect("kit parses");
    for (name, field_type) in design_defaults() {
        let field = kit
            .field(name)
            .unwrap_or_else(|| panic!("the kit has {name} (DESIGN §4)"));
        assert_eq!(field.field_type, field_type, "{name}'s type");
    }
    assert_eq!(
        kit.fields.len(),
        design_defaults().len(),
        "the kit has DESIGN's fields and no others"
    );
    let external = kit.field("External_Id__c").unwrap();
    assert!(
        external.external_id && external.unique,
        "upserts go by External_Id__c, and a duplicate must be refused"
    );
    for (lookup, target) in [
        ("Contact__c", "Contact"),
        ("Lead__c", "Lead"),
        ("Account__c", "Account"),
        ("Opportunity__c", "Opportunity"),
        ("Case__c", "Case"),
    ] {
        assert_eq!(
            kit.field(lookup).unwrap().reference_to.as_deref(),
            Some(target),
            "{lookup} looks up {target}"
        );
    }
    let task_lookup = &kit.task_fields[0];
    assert_eq!(
        (
            task_lookup.name.as_str(),
            task_lookup.reference_to.as_deref()
        ),
        ("Call_Log__c", Some("Call_Log__c")),
        "the Task looks up its call log"
    );
    assert_eq!(
        kit.object.name_field_type, "AutoNumber",
        "agents never type a call log's name"
    );
    let direction = kit
        .field("Direction__c")
        .unwrap()
        .picklist
        .as_ref()
        .unwrap();
    assert!(
        direction.restricted && direction.values == ["Inbound", "Outbound"],
        "Direction__c takes exactly what Ringside writes: {direction:?}"
    );
}

#[test]
fn the_permission_set_grants_agents_every_field_they_write_and_the_object() {
    let kit = Kit::builtin().expect("kit parses");
    let set = &kit.permission_set;
    assert_eq!(set.name, "Ringside_Agent");
    for field in &kit.fields {
        let grant = set
            .field(&kit.object.name, &field.name)
            .unwrap_or_else(|| panic!("Ringside Agent grants {}", field.name));
        assert!(
            grant.readable && grant.editable,
            "agents read and write {}: {grant:?}",
            field.name
        );
    }
    let task = set
        .field("Task", "Call_Log__c")
        .expect("the Task lookup's field-level security is given for Task");
    assert!(task.readable && task.editable, "{task:?}");
    for field in &kit.opportunity_fields {
        let grant = set
            .field("Opportunity", &field.name)
            .unwrap_or_else(|| panic!("Ringside Agent grants Opportunity.{}", field.name));
        assert!(grant.readable && grant.editable, "{grant:?}");
    }
    let object = set.object(&kit.object.name).expect("object permissions");
    assert!(
        object.create && object.read && object.edit,
        "agents create, read and edit call logs: {object:?}"
    );
    assert!(
        !object.delete && !object.modify_all && !object.view_all,
        "and nothing more: {object:?}"
    );
    assert_eq!(
        set.fields.len(),
        kit.fields.len() + kit.task_fields.len() + kit.opportunity_fields.len(),
        "no grant for a field the kit does not define"
    );
}

/// The raw describe of `object` from the demo org, as Salesforce sends it.
async fn raw_describe(org: &demo_org::DemoOrg, object: &str) -> Value {
    let url = format!(
        "{}/services/data/v{}/sobjects/{object}/describe",
        org.base_url(),
        salesforce::ApiVersion::default()
    );
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(org.issue_access_token())
        .send()
        .await
        .expect("describe request");
    assert_eq!(response.status(), 200, "{object} is described");
    response.json().await.expect("describe is JSON")
}

fn described<'a>(describe: &'a Value, name: &str) -> Option<&'a Value> {
    describe["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == name)
}

fn agrees(object: &str, kit: &ringside_core::setup_kit::KitField, found: &Value) {
    let name = format!("{object}.{}", kit.name);
    let t = &kit.field_type;
    assert_eq!(found["type"], t.describe_type(), "{name}: type");
    assert_eq!(found["length"], t.describe_length(), "{name}: length");
    if let KitFieldType::Number { precision, scale } = t {
        assert_eq!(found["precision"], *precision, "{name}: precision");
        assert_eq!(found["scale"], *scale, "{name}: scale");
    }
    assert_eq!(found["externalId"], kit.external_id, "{name}: externalId");
    assert_eq!(found["unique"], kit.unique, "{name}: unique");
    assert_eq!(found["custom"], true, "{name}: a custom field");
    let reference: Vec<&str> = kit.reference_to.iter().map(String::as_str).collect();
    assert_eq!(
        found["referenceTo"],
        serde_json::json!(reference),
        "{name}: referenceTo"
    );
    if kit.reference_to.is_some() {
        // Describe names the relationship after the field (Contact__c → Contact__r).
        assert_eq!(
            found["relationshipName"],
            kit.name.replace("__c", "__r"),
            "{name}: relationshipName"
        );
    }
    match &kit.picklist {
        Some(p) => {
            let values: Vec<&str> = found["picklistValues"]
                .as_array()
                .expect("picklist values")
                .iter()
                .map(|v| v["value"].as_str().unwrap())
                .collect();
            assert_eq!(values, p.values, "{name}: picklist values");
            assert_eq!(
                found["restrictedPicklist"], p.restricted,
                "{name}: restricted"
            );
        }
        None => assert_ne!(found["type"], "picklist", "{name}: no picklist"),
    }
}

#[tokio::test]
async fn the_kit_agrees_with_the_demo_orgs_describe() {
    let (org, _client) = demo().await;
    let kit = Kit::builtin().expect("kit parses");
    let call_log = raw_describe(&org, &kit.object.name).await;
    for field in &kit.fields {
        let found = described(&call_log, &field.name)
            .unwrap_or_else(|| panic!("the demo org has {}", field.name));
        agrees(&kit.object.name, field, found);
    }
    let name = described(&call_log, "Name").expect("a Name field");
    assert_eq!(name["autoNumber"], true, "Name is an auto-number in both");
    let task = raw_describe(&org, "Task").await;
    for field in &kit.task_fields {
        let found = described(&task, &field.name)
            .unwrap_or_else(|| panic!("the demo org's Task has {}", field.name));
        agrees("Task", field, found);
    }
    let opportunity = raw_describe(&org, "Opportunity").await;
    for field in &kit.opportunity_fields {
        let found = described(&opportunity, &field.name)
            .unwrap_or_else(|| panic!("the demo org's Opportunity has {}", field.name));
        agrees("Opportunity", field, found);
    }
    // And the other way: the demo org has no custom field the kit lacks (the Opportunity's
    // Demo_Requested_At__c is the seed's own, for the intents, not the kit's).
    for (describe, kit_fields) in [(&call_log, &kit.fields), (&task, &kit.task_fields)] {
        for found in describe["fields"].as_array().unwrap() {
            let name = found["name"].as_str().unwrap();
            if name.ends_with("__c") {
                assert!(
                    kit_fields.iter().any(|f| f.name == name),
                    "{}.{name} of the demo org is in the kit",
                    describe["name"]
                );
            }
        }
    }
    org.shutdown().await;
}

#[tokio::test]
async fn the_demo_org_passes_the_setup_check() {
    let (org, client) = demo().await;
    let kit = Kit::builtin().unwrap();
    let report = check_org(
        &kit,
        &DescribeCache::new(client),
        &LoggingSettings::default(),
    )
    .await
    .expect("the check runs");
    assert!(report.is_ready(), "{:#?}", report.problems);
    assert!(report.task_lookup_checked);
    org.shutdown().await;
}

#[tokio::test]
async fn fields_and_objects_the_user_cannot_see_fail_the_setup_check_in_words() {
    let (org, client) = demo().await;
    org.faults().hide_field("Call_Log__c", "Notes__c");
    org.faults().hide_field("Task", "Call_Log__c");
    let kit = Kit::builtin().unwrap();
    let report = check_org(
        &kit,
        &DescribeCache::new(client.clone()),
        &LoggingSettings::default(),
    )
    .await
    .expect("the check runs");
    let found: Vec<(ProblemKind, &str)> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.subject.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (ProblemKind::FieldMissing, "Call_Log__c.Notes__c"),
            (ProblemKind::TaskLookupMissing, "Task.Call_Log__c"),
        ],
        "each hidden field is one problem"
    );
    for problem in &report.problems {
        assert!(
            problem.detail.contains("field-level security")
                && problem.fix.contains("Ringside Agent")
                && problem.fix.contains("sf project deploy start"),
            "says why and what to do: {problem:?}"
        );
    }
    org.faults().hide_object("Call_Log__c");
    let report = check_org(
        &kit,
        &DescribeCache::new(client),
        &LoggingSettings::default(),
    )
    .await
    .expect("the check runs");
    assert_eq!(
        report.problems[0].kind,
        ProblemKind::ObjectMissing,
        "{:#?}",
        report.problems
    );
    assert_eq!(
        report.fields_checked, 0,
        "no field is checked on a missing object"
    );
    org.shutdown().await;
}
