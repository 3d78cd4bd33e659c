//! The admin view's save and import against a real demo org: a valid change is written and
//! reads back the same; an invalid one is refused with key, field and reason and leaves the
//! file as it was.

use std::path::{Path, PathBuf};

use ringside_core::config::CONFIG_FILE;
use ringside_core::config_edit::{
    AdminSettings, ConfigSave, import_text, key_sources, save_settings,
};
use ringside_core::config_policy::{LoadedConfig, Source};
use ringside_core::describe_cache::DescribeCache;

use crate::config_check::demo;

fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ringside-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp home");
    dir
}

/// A temp home whose `ringside.toml` holds `config`.
fn home_with(name: &str, config: &str) -> PathBuf {
    let home = temp_home(name);
    std::fs::write(home.join(CONFIG_FILE), config).expect("config written");
    home
}

/// What the home's `ringside.toml` holds now: the tests compare it with what was there
/// before, so a refused save that wrote anything fails.
fn config_text(home: &Path) -> String {
    std::fs::read_to_string(home.join(CONFIG_FILE)).expect("config readable")
}

/// A policy path with no file: nothing locked, whatever this machine has in /etc.
fn no_policy(home: &Path) -> PathBuf {
    home.join("no-policy-file.toml")
}

fn shown(home: &Path) -> AdminSettings {
    let loaded = LoadedConfig::load_home(home, &no_policy(home)).expect("config loads");
    AdminSettings::from_config(&loaded.config)
}

#[tokio::test]
async fn a_valid_change_is_written_and_reads_back_the_same() {
    let (org, client) = demo().await;
    let home = home_with("config-edit-ok", "[salesforce]\nclient_id = \"3MVGdemo\"\n");
    let mut settings = shown(&home);
    settings.objects[0].visible.push("MailingCountry".into());
    settings.objects[0].editable.push("MailingCountry".into());
    settings.logging_mode = "call_log_only".into();
    let saved = save_settings(
        &home,
        &no_policy(&home),
        &settings,
        &DescribeCache::new(client),
    )
    .await
    .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    assert_eq!(
        shown(&home),
        settings,
        "the saved file reads back as the admin set it"
    );
    let text = config_text(&home);
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
    let before = "[phone]\ndefault_region = \"US\"\n";
    let home = home_with("config-edit-bad", before);
    let mut settings = shown(&home);
    // Name is a formula (not updateable); Shoe_Size__c does not exist.
    settings.objects[0].editable.push("Name".into());
    settings.objects[0].visible.push("Shoe_Size__c".into());
    let saved = save_settings(&home, &no_policy(&home), &settings, &describes)
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
    assert_eq!(config_text(&home), before, "nothing was written");

    let imported = import_text(
        &home,
        &no_policy(&home),
        "[intents]\nwon = { field = \"Lead.Status\", value = \"Won\" }\n",
        &describes,
    )
    .await
    .expect("the check runs");
    assert!(
        matches!(&imported, ConfigSave::Invalid { issues } if issues[0].key == "[intents] won"),
        "an imported file is checked the same way: {imported:?}"
    );
    let imported = import_text(
        &home,
        &no_policy(&home),
        "[fields.Contact]\nvisble = []\n",
        &describes,
    )
    .await
    .expect("the check runs");
    assert!(
        matches!(&imported, ConfigSave::Invalid { issues } if issues[0].reason.contains("visble")),
        "a file that does not parse is refused with the parse error: {imported:?}"
    );
    assert_eq!(
        config_text(&home),
        before,
        "a refused import writes nothing"
    );
    let text = "# shipped by IT\n[logging]\nmode = \"call_log_only\"\n";
    let imported = import_text(&home, &no_policy(&home), text, &describes)
        .await
        .expect("the check runs");
    assert!(matches!(imported, ConfigSave::Saved { .. }), "{imported:?}");
    assert_eq!(
        config_text(&home),
        text,
        "a valid import is written as given, comments included"
    );
    org.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_commented_file_keeps_its_comments_after_a_save() {
    let (org, client) = demo().await;
    let before = "# Ringside for the Berlin team: ask ops@example.com before changing.\n\n\
        [salesforce]\nclient_id = \"3MVGdemo\"  # External Client App \"Ringside\"\n\n\
        # Contacts: agents may fix titles.\n[fields.Contact]\n\
        visible  = [\"Name\", \"Title\", \"Email\", \"Phone\"]\neditable = [\"Title\"]  # nothing else\n\n\
        [intents]\n# Sales asked for this one.\ndemo_requested = \"Opportunity.Demo_Requested_At__c\"\n";
    let home = home_with("config-edit-comments", before);
    let mut settings = shown(&home);
    settings.objects[0].visible.push("Department".into());
    settings.objects[0].editable.push("Department".into());
    let saved = save_settings(
        &home,
        &no_policy(&home),
        &settings,
        &DescribeCache::new(client),
    )
    .await
    .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let text = config_text(&home);
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
    let before = "[logging]\nmode = \"task_and_call_log\"\n";
    let home = home_with("config-edit-call-log-only", before);
    let mut settings = shown(&home);
    settings.logging_mode = "call_log_only".into();
    let saved = save_settings(
        &home,
        &no_policy(&home),
        &settings,
        &DescribeCache::new(client),
    )
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
    assert_eq!(config_text(&home), before, "the mode is not switched");
    let _ = std::fs::remove_dir_all(&home);
}

/// A home with `user` as its ringside.toml (none when empty) and `policy` as a policy file
/// beside it; returns (home, policy path).
fn layered_home(name: &str, user: &str, policy: &str) -> (PathBuf, PathBuf) {
    let home = temp_home(name);
    if !user.is_empty() {
        std::fs::write(home.join(CONFIG_FILE), user).unwrap();
    }
    let policy_file = home.join("policy.toml");
    std::fs::write(&policy_file, policy).unwrap();
    (home, policy_file)
}

const POLICY: &str = "locked = [\"logging.mode\", \"fields.Contact\"]\n\
    [logging]\nmode = \"call_log_only\"\n\
    [fields.Contact]\nvisible = [\"Name\", \"Title\", \"Email\"]\neditable = [\"Title\"]\n\
    [fields.Lead]\nvisible = [\"Name\", \"Status\"]\neditable = [\"Status\"]\n";

#[tokio::test]
async fn the_admin_save_refuses_to_change_a_key_the_policy_locks() {
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let before = "# mine\n[phone]\ndefault_region = \"GB\"\n";
    let (home, policy) = layered_home("config-edit-locked", before, POLICY);
    let loaded = LoadedConfig::load_home(&home, &policy).expect("loads");
    let shown = AdminSettings::from_config(&loaded.config);
    assert_eq!(
        shown.logging_mode, "call_log_only",
        "the view shows the policy's value"
    );
    for (change, key) in [
        (
            (|s: &mut AdminSettings| s.logging_mode = "task_and_call_log".into())
                as fn(&mut AdminSettings),
            "[logging] mode",
        ),
        (
            |s: &mut AdminSettings| s.objects[0].editable.push("Email".into()),
            "[fields.Contact] editable",
        ),
    ] {
        let mut settings = shown.clone();
        change(&mut settings);
        let saved = save_settings(&home, &policy, &settings, &describes)
            .await
            .expect("the check runs");
        let ConfigSave::Invalid { issues } = &saved else {
            panic!("{key}: a locked key is not saved: {saved:?}");
        };
        assert_eq!(issues.len(), 1, "{issues:#?}");
        assert_eq!(issues[0].key, key, "the issue names the key");
        assert!(
            issues[0].reason.contains(&policy.display().to_string())
                && issues[0].reason.contains("locked"),
            "and says the policy file locks it: {}",
            issues[0].reason
        );
        assert_eq!(config_text(&home), before, "{key}: nothing was written");
    }
    let imported = import_text(
        &home,
        &policy,
        "[logging]\nmode = \"task_and_call_log\"\n",
        &describes,
    )
    .await
    .expect("the check runs");
    let ConfigSave::Invalid { issues } = &imported else {
        panic!("an imported file setting a locked key is refused: {imported:?}");
    };
    assert!(
        issues[0].key == "logging.mode"
            && issues[0]
                .reason
                .contains(&home.join(CONFIG_FILE).display().to_string())
            && issues[0].reason.contains(&policy.display().to_string()),
        "names the key and both files: {issues:#?}"
    );
    org.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn an_admin_save_writes_only_what_changed_so_policy_values_stay_the_policys() {
    let (org, client) = demo().await;
    let (home, policy) = layered_home("config-edit-policy-values", "", POLICY);
    let loaded = LoadedConfig::load_home(&home, &policy).expect("loads");
    let mut settings = AdminSettings::from_config(&loaded.config);
    settings.objects[2].visible.push("Fax".into());
    let saved = save_settings(&home, &policy, &settings, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let text = config_text(&home);
    assert!(
        text.contains("[fields.Account]") && text.contains("\"Fax\""),
        "the change is written:\n{text}"
    );
    for absent in ["mode", "[fields.Contact]", "[fields.Lead]"] {
        assert!(
            !text.contains(absent),
            "{absent}: a value the admin did not change is not copied from the policy:\n{text}"
        );
    }
    let reloaded = LoadedConfig::load_home(&home, &policy).expect("loads");
    assert!(reloaded.refused.is_empty(), "{:?}", reloaded.refused);
    assert_eq!(
        AdminSettings::from_config(&reloaded.config),
        settings,
        "reads back as saved"
    );
    let sources = key_sources(&reloaded);
    let of = |key: &str| sources.iter().find(|s| s.key == key).cloned().expect(key);
    assert_eq!(of("fields.Account.visible").source, Source::User);
    assert_eq!(
        (
            of("fields.Lead.visible").source,
            of("fields.Lead.visible").locked
        ),
        (Source::Policy, None),
        "set by the policy, not locked"
    );
    assert_eq!(
        (
            of("logging.mode").source,
            of("logging.mode").locked.as_deref()
        ),
        (Source::Policy, Some("logging.mode")),
        "set and locked by the policy"
    );
    assert_eq!(
        of("fields.Contact.editable").locked.as_deref(),
        Some("fields.Contact")
    );
    assert_eq!(
        of("intents.qualified").source,
        Source::User,
        "default intents are written with the first save, as without a policy"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test]
async fn a_broken_policy_file_blocks_the_save_and_says_so() {
    let (org, client) = demo().await;
    let (home, policy) = layered_home("config-edit-bad-policy", "", "locked = [\"loging.mode\"]\n");
    let settings = AdminSettings::from_config(&ringside_core::config::Config::default());
    let saved = save_settings(&home, &policy, &settings, &DescribeCache::new(client))
        .await
        .expect("the check runs");
    org.shutdown().await;
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("a broken policy is not ignored: {saved:?}");
    };
    assert!(
        issues[0].reason.contains("system policy file") && issues[0].reason.contains("loging.mode"),
        "{issues:#?}"
    );
    assert!(!home.join(CONFIG_FILE).exists(), "nothing was written");
    let _ = std::fs::remove_dir_all(&home);
}

/// Issue 17 item 1: the Admin tab edits one outcome's actions. A valid one is written in
/// place (the rest of the file kept) and reads back as the admin wrote it; one the org
/// refuses names the outcome and action and writes nothing; text that is not TOML says so.
#[tokio::test]
async fn an_outcome_edited_in_the_admin_tab_is_checked_against_the_org_before_it_is_written() {
    use ringside_core::outcome_edit::{outcome_settings, save_outcome};
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let before = "# mine\n[phone]\ndefault_region = \"GB\"\n";
    let home = home_with("outcome-edit", before);
    let policy = no_policy(&home);

    let text = "lead = { Status = \"Working - Contacted\" }\nfollow_up = { kind = \"Event\", subject = \"Product demo\", in_days = 2, at = \"10:00\", minutes = 30 }\n";
    let saved = save_outcome(&home, &policy, "Demo booked", Some(text), &describes)
        .await
        .expect("the check runs");
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let written = config_text(&home);
    assert!(
        written.starts_with(before),
        "the admin's file and comments are kept:\n{written}"
    );
    let loaded = LoadedConfig::load_home(&home, &policy).expect("the written file loads");
    let shown = outcome_settings(&loaded);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert_eq!(shown[0].name, "Demo booked");
    assert_eq!(
        shown[0].actions,
        vec!["lead", "follow_up"],
        "both actions read back"
    );
    assert_eq!(shown[0].source, Source::User);

    // A Lead Status the org's restricted picklist lacks: refused, naming outcome and action.
    let bad = "lead = { Status = \"Hot lead\" }\n";
    let saved = save_outcome(&home, &policy, "Demo booked", Some(bad), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("a picklist value the org lacks is not saved: {saved:?}");
    };
    assert!(
        issues
            .iter()
            .any(|i| i.key == "[outcomes.\"Demo booked\"] lead"
                && i.field == "Lead.Status"
                && i.reason.contains("Working - Contacted")),
        "names the outcome, the action, the field and the values there are: {issues:#?}"
    );
    assert_eq!(config_text(&home), written, "nothing was written");

    // Not TOML, and an action that does not exist: said in words, nothing written.
    let saved = save_outcome(&home, &policy, "Demo booked", Some("lead = {"), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("text that is not TOML is not saved: {saved:?}");
    };
    assert_eq!(issues[0].key, "[outcomes.\"Demo booked\"]");
    assert!(issues[0].reason.contains("is not TOML"), "{issues:#?}");
    let saved = save_outcome(
        &home,
        &policy,
        "Demo booked",
        Some("leed = { Status = \"Working - Contacted\" }\n"),
        &describes,
    )
    .await
    .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("an unknown action is not saved: {saved:?}");
    };
    assert!(
        issues[0].reason.contains("leed"),
        "the unknown key is named: {issues:#?}"
    );
    assert_eq!(config_text(&home), written, "nothing was written");

    // Removing it leaves the file as it was before.
    let saved = save_outcome(&home, &policy, "Demo booked", None, &describes)
        .await
        .expect("the check runs");
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let after = config_text(&home);
    assert!(
        !after.contains("outcomes") && after.starts_with(before),
        "the outcome is gone, the rest kept:\n{after}"
    );
    org.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}

/// An outcome the policy file locks is shown locked and its change refused, naming the key
/// and the policy file; an action the policy sets cannot be removed from the user's file,
/// and one left as the policy sets it is not copied into the user's file.
#[tokio::test]
async fn an_outcome_the_policy_locks_or_sets_is_refused_or_left_to_the_policy() {
    use ringside_core::outcome_edit::{outcome_settings, save_outcome};
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let policy_text = "locked = [\"outcomes.Qualified\"]\n\
        [outcomes.Qualified]\nopportunity = { StageName = \"Qualification\" }\n\
        [outcomes.\"Demo booked\"]\nlead = { Status = \"Working - Contacted\" }\n";
    let (home, policy) = layered_home("outcome-edit-policy", "", policy_text);
    let loaded = LoadedConfig::load_home(&home, &policy).expect("loads");
    let shown = outcome_settings(&loaded);
    let qualified = shown
        .iter()
        .find(|o| o.name == "Qualified")
        .expect("listed");
    assert_eq!(
        qualified.locked.as_deref(),
        Some("outcomes.Qualified"),
        "shown locked"
    );
    assert_eq!(qualified.source, Source::Policy);
    let demo_booked = shown
        .iter()
        .find(|o| o.name == "Demo booked")
        .expect("listed");
    assert_eq!(demo_booked.locked, None, "not locked: editable");

    let saved = save_outcome(
        &home,
        &policy,
        "Qualified",
        Some("opportunity = { StageName = \"Prospecting\" }\n"),
        &describes,
    )
    .await
    .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("a locked outcome is not saved: {saved:?}");
    };
    assert_eq!(issues[0].key, "[outcomes.\"Qualified\"] opportunity");
    assert!(
        issues[0].reason.contains("locked")
            && issues[0].reason.contains(&policy.display().to_string()),
        "says the policy file locks it: {issues:#?}"
    );
    let saved = save_outcome(&home, &policy, "Demo booked", Some(""), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("removing a policy action is refused: {saved:?}");
    };
    assert!(
        issues[0].key == "[outcomes.\"Demo booked\"] lead"
            && issues[0].reason.contains("not remove"),
        "{issues:#?}"
    );
    assert!(!home.join(CONFIG_FILE).exists(), "nothing was written");

    // Adding a follow-up to the policy's outcome: only the follow-up goes to the user's file.
    let saved = save_outcome(
        &home,
        &policy,
        "Demo booked",
        Some("lead = { Status = \"Working - Contacted\" }\nfollow_up = { kind = \"Task\", subject = \"Call back\", in_days = 1 }\n"),
        &describes,
    )
    .await
    .expect("the check runs");
    org.shutdown().await;
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let text = config_text(&home);
    assert!(
        text.contains("follow_up") && !text.contains("lead ="),
        "the policy's action is left to the policy:\n{text}"
    );
    let loaded = LoadedConfig::load_home(&home, &policy).expect("loads");
    let demo_booked = outcome_settings(&loaded)
        .into_iter()
        .find(|o| o.name == "Demo booked")
        .expect("listed");
    assert_eq!(
        demo_booked.actions,
        vec!["lead", "follow_up"],
        "both in use"
    );
    let _ = std::fs::remove_dir_all(&home);
}

/// Issue 17 item 1, the form: the Admin tab sends an outcome as a typed value, not TOML. A
/// good one (a Lead Status and a follow-up Event) is written and reads back as the same form;
/// a picklist value the org lacks is refused naming the action and the field; an unknown
/// placeholder is refused by the config's own parser, on the field it is in; nothing is
/// written on a refusal.
#[tokio::test]
async fn an_outcome_saved_from_the_form_is_checked_and_reads_back_as_the_same_form() {
    use ringside_core::outcome_edit::{
        OutcomeFieldValue, OutcomeFollowUp, OutcomeForm, outcome_settings, save_outcome_form,
    };
    let (org, client) = demo().await;
    let describes = DescribeCache::new(client);
    let before = "# mine\n[phone]\ndefault_region = \"GB\"\n";
    let home = home_with("outcome-form", before);
    let policy = no_policy(&home);

    let row = |field: &str, value: &str| OutcomeFieldValue {
        field: field.into(),
        value: value.into(),
    };
    let good = OutcomeForm {
        lead: Some(vec![row("Status", "Working - Contacted")]),
        follow_up: Some(OutcomeFollowUp {
            kind: "Event".into(),
            subject: "Product demo on {date}".into(),
            in_days: Some(2),
            at: Some("10:00".into()),
            minutes: Some(30),
        }),
        ..OutcomeForm::default()
    };
    let saved = save_outcome_form(&home, &policy, "Demo booked", Some(&good), &describes)
        .await
        .expect("the check runs");
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let written = config_text(&home);
    assert!(
        written.starts_with(before) && written.contains("[outcomes.\"Demo booked\"]\n"),
        "the outcome is added under its own header, the admin's file kept:\n{written}"
    );
    let loaded = LoadedConfig::load_home(&home, &policy).expect("the written file loads");
    let shown = outcome_settings(&loaded);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert_eq!(
        shown[0].form, good,
        "the saved outcome reads back as the form that was sent:\n{written}"
    );

    // A Lead Status the org's restricted picklist lacks: refused on that field.
    let mut bad = good.clone();
    bad.lead = Some(vec![row("Status", "Hot lead")]);
    let saved = save_outcome_form(&home, &policy, "Demo booked", Some(&bad), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("a picklist value the org lacks is not saved: {saved:?}");
    };
    assert!(
        issues
            .iter()
            .any(|i| i.key == "[outcomes.\"Demo booked\"] lead"
                && i.field == "Lead.Status"
                && i.reason.contains("Working - Contacted")),
        "names the action and the field, and the values there are: {issues:#?}"
    );

    // An unknown placeholder in the follow-up's subject: refused by the parser, on `subject`.
    let mut bad = good.clone();
    if let Some(follow_up) = bad.follow_up.as_mut() {
        follow_up.subject = "Demo for {acount}".into();
    }
    let saved = save_outcome_form(&home, &policy, "Demo booked", Some(&bad), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("an unknown placeholder is not saved: {saved:?}");
    };
    assert_eq!(
        (issues[0].key.as_str(), issues[0].field.as_str()),
        ("[outcomes.\"Demo booked\"] follow_up", "follow_up.subject"),
        "the issue is on the follow-up's subject: {issues:#?}"
    );
    assert!(
        issues[0].reason.contains("{acount}") && issues[0].reason.contains("{date}"),
        "names the wrong placeholder and the ones there are: {issues:#?}"
    );

    // The same in a Lead value: on that field, the reason not repeating its name.
    let mut bad = good.clone();
    bad.lead = Some(vec![row("Description", "Booked by {agnet}")]);
    let saved = save_outcome_form(&home, &policy, "Demo booked", Some(&bad), &describes)
        .await
        .expect("the check runs");
    let ConfigSave::Invalid { issues } = &saved else {
        panic!("an unknown placeholder is not saved: {saved:?}");
    };
    assert_eq!(issues[0].field, "Lead.Description", "{issues:#?}");
    assert!(
        issues[0].reason.starts_with("the value uses {agnet}"),
        "{issues:#?}"
    );
    assert_eq!(
        config_text(&home),
        written,
        "nothing was written by a refused save"
    );

    // Removed from the form: the file as it was.
    let saved = save_outcome_form(&home, &policy, "Demo booked", None, &describes)
        .await
        .expect("the check runs");
    assert!(matches!(saved, ConfigSave::Saved { .. }), "{saved:?}");
    let after = config_text(&home);
    assert!(
        !after.contains("outcomes") && after.starts_with(before),
        "{after}"
    );
    org.shutdown().await;
    let _ = std::fs::remove_dir_all(&home);
}
