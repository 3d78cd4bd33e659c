//! The admin view's save and import against a real demo org: a valid change is written and
//! reads back the same; an invalid one is refused with key, field and reason and leaves the
//! file as it was.

use std::path::PathBuf;

use ringside_core::config::{CONFIG_FILE, Config};
use ringside_core::config_edit::{AdminSettings, ConfigSave, import_text, save_settings};
use ringside_core::describe_cache::DescribeCache;

use crate::config_check::demo;

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

fn shown(home: &std::path::Path) -> AdminSettings {
    AdminSettings::from_config(&Config::load_from_home(home).expect("config loads"))
}

#[tokio::test]
async fn a_valid_change_is_written_and_reads_back_the_same() {
    let (org, client) = demo().await;
    let home = temp_home("config-edit-ok");
    std::fs::write(
        home.join(CONFIG_FILE),
        "[salesforce]\nclient_id = \"3MVGdemo\"\n",
    )
    .unwrap();
    let mut settings = shown(&home);
    settings.objects[0].visible.push("MailingCountry".into());
    settings.objects[0].editable.push("MailingCountry".into());
    settings.logging_mode = "call_log_only".into();
    let saved = save_settings(&home, &settings, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    assert_eq!(
        shown(&home),
        settings,
        "the saved file reads back as the admin set it"
    );
    let text = std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap();
    assert!(
        text.contains("3MVGdemo"),
        "the consumer key is kept:\n{text}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn an_invalid_change_names_key_field_and_reason_and_writes_nothing() {
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let home = temp_home("config-edit-bad");
    let before = "[phone]\ndefault_region = \"US\"\n";
    std::fs::write(home.join(CONFIG_FILE), before).unwrap();
    let mut settings = shown(&home);
    // Name is a formula (not updateable); Shoe_Size__c does not exist.
    settings.objects[0].editable.push("Name".into());
    settings.objects[0].visible.push("Shoe_Size__c".into());
    let saved = save_settings(&home, &settings, &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = saved else {
        panic!("an invalid config must not be saved: {saved:?}");
    };
    let keyed: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.key.as_str(), i.field.as_str()))
        .collect();
    assert!(
        keyed.contains(&("[fields.Contact] editable", "Contact.Name"))
            && keyed.contains(&("[fields.Contact] visible", "Contact.Shoe_Size__c")),
        "each problem names its key and field: {issues:#?}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap(),
        before,
        "nothing was written"
    );

    let imported = import_text(
        &home,
        "[intents]\nwon = { field = \"Lead.Status\", value = \"Won\" }\n",
        &describes,
    )
    .await
    .expect("the check runs");
    assert!(
        matches!(&imported, ConfigSave::Invalid { issues } if issues[0].key == "[intents] won"),
        "an imported file is checked the same way: {imported:?}"
    );
    let imported = import_text(&home, "[fields.Contact]\nvisble = []\n", &describes)
        .await
        .expect("the check runs");
    assert!(
        matches!(&imported, ConfigSave::Invalid { issues } if issues[0].reason.contains("visble")),
        "a file that does not parse is refused with the parse error: {imported:?}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap(),
        before,
        "a refused import writes nothing"
    );
    let text = "# shipped by IT\n[logging]\nmode = \"call_log_only\"\n";
    let imported = import_text(&home, text, &describes)
        .await
        .expect("the check runs");
    assert!(matches!(imported, ConfigSave::Saved { .. }), "{imported:?}");
    assert_eq!(
        std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap(),
        text,
        "a valid import is written as given, comments included"
    );
    org.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_commented_file_keeps_its_comments_after_a_save() {
    let (org, client) = demo().await;
    let home = temp_home("config-edit-comments");
    let before = "# Ringside for the Berlin team: ask ops@example.com before changing.\n\n\
        [salesforce]\nclient_id = \"3MVGdemo\"  # External Client App \"Ringside\"\n\n\
        # Contacts: agents may fix titles.\n[fields.Contact]\n\
        visible  = [\"Name\", \"Title\", \"Email\", \"Phone\"]\neditable = [\"Title\"]  # nothing else\n\n\
        [intents]\n# Sales asked for this one.\ndemo_requested = \"Opportunity.Demo_Requested_At__c\"\n";
    std::fs::write(home.join(CONFIG_FILE), before).unwrap();
    let mut settings = shown(&home);
    settings.objects[0].visible.push("Department".into());
    settings.objects[0].editable.push("Department".into());
    let saved = save_settings(&home, &settings, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let text = std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap();
    for comment in [
        "# Ringside for the Berlin team: ask ops@example.com before changing.",
        "# External Client App \"Ringside\"",
        "# Contacts: agents may fix titles.",
        "# nothing else",
        "# Sales asked for this one.",
    ] {
        assert!(text.contains(comment), "{comment:?} is kept:\n{text}");
    }
    assert_eq!(shown(&home), settings, "and the change is saved:\n{text}");
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn switching_to_call_log_only_without_the_subject_field_is_refused_and_writes_nothing() {
    let (org, client) = demo().await;
    org.faults().hide_field("Call_Log__c", "Subject__c");
    let home = temp_home("config-edit-call-log-only");
    let before = "[logging]\nmode = \"task_and_call_log\"\n";
    std::fs::write(home.join(CONFIG_FILE), before).unwrap();
    let mut settings = shown(&home);
    settings.logging_mode = "call_log_only".into();
    let saved = save_settings(&home, &settings, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    let ConfigSave::Invalid { issues } = saved else {
        panic!("the mode needs the call log's subject field: {saved:?}");
    };
    assert!(
        issues
            .iter()
            .any(|i| i.key == "[logging.call_log] subject" && i.field == "Call_Log__c.Subject__c"),
        "the Admin tab names the key and the field: {issues:#?}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(CONFIG_FILE)).unwrap(),
        before,
        "the mode is not switched"
    );
    let _ = std::fs::remove_dir_all(&home);
}
