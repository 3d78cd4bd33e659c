//! The built-in demo org as the desktop and the CLI start it (core's `demo`): it listens on
//! loopback, the session answers API calls, and the demo user is the one the sign-in names.

use demo_org::seed;
use ringside_core::demo::BuiltinDemo;

#[tokio::test]
async fn the_builtin_demo_signs_in_as_the_user_its_sign_in_names() {
    let demo = BuiltinDemo::start().await.expect("starts on loopback");
    let session = demo.connect().await.expect("signs in");
    assert_eq!(
        session.user_id,
        seed::DEMO_USER_ID,
        "the user the org's userinfo names (the seed is read only here, to check it)"
    );
    assert!(session.instance_url.starts_with("http://127.0.0.1:"));
    let answered = session
        .client
        .query_all::<serde_json::Value>("SELECT Id FROM User LIMIT 1")
        .await;
    demo.shutdown().await;
    assert!(
        answered.is_ok(),
        "the session answers API calls: {answered:?}"
    );
}

/// `{agent}` in a `chatter` post with no org signed in: the agent is the built-in demo org's
/// user as its sign-in names them (what the CLI's `log-call` asks the demo org for), and the
/// post that lands says that user's name as the org's User row has it.
#[tokio::test]
async fn a_chatter_post_on_the_builtin_demo_names_the_demo_user() {
    use ringside_core::audit::AuditActor;
    use ringside_core::call_actions::{for_call, for_call_as};
    use ringside_core::call_log::{CallLog, Direction, LoggingSettings};
    use ringside_core::outbox::{Outbox, Worker};
    use ringside_core::outcome_choices::ActionChoices;
    use ringside_core::outcomes::plan::ActionState;
    use std::time::Duration;

    let home = super::outbox::temp_home("demo-chatter-agent");
    std::fs::write(
        home.join("ringside.toml"),
        "[outcomes.\"Qualified\"]\nchatter = \"Qualified on a call by {agent}: {subject}\"\n",
    )
    .expect("config written");
    let log = CallLog {
        call_id: "demo-agent-1".into(),
        direction: Direction::Outbound,
        from: "+14155550100".into(),
        to: "+442079460958".into(),
        started_at_ms: ringside_core::outbox::now_ms() - 60_000,
        duration_seconds: 60,
        disposition: Some("Qualified".into()),
        subject: Some("Pricing".into()),
        notes: None,
        who_id: None,
        what_id: Some(seed::JANE_OPEN_OPPORTUNITY_ID.into()),
        recording_url: None,
        summary: None,
        key_topics: vec![],
        missed: false,
        timing: Default::default(),
        memo: Vec::new(),
        intent_fields: Default::default(),
    };
    let zone = jiff::tz::TimeZone::UTC;
    let choices = ActionChoices::default();
    // No org signed in in this home: the post waits for a user.
    let unsigned = for_call(&home, &log, &choices, &zone).expect("planned");
    assert!(
        unsigned[0].waits_for_signed_in_user(),
        "no signed-in org, no user yet: {unsigned:?}"
    );

    let demo = BuiltinDemo::start().await.expect("starts on loopback");
    let session = demo.connect().await.expect("signs in");
    let actions =
        for_call_as(&home, &log, &choices, &zone, Some(&session.user_id)).expect("planned");
    assert_eq!(actions[0].state, ActionState::Queued, "{actions:?}");
    let outbox = Outbox::open_in_home(&home).await.expect("queue opens");
    outbox
        .enqueue_with_actions(&log, None, AuditActor::Agent, &actions)
        .await
        .expect("queued");
    let worker = Worker::start(
        outbox.clone(),
        session.client.clone(),
        LoggingSettings::default(),
        super::outbox::fast_options(),
    )
    .await
    .expect("worker starts");
    let report = worker.drain(Duration::ZERO).await.expect("drains");
    assert_eq!(report.delivered, 1, "{report:?}");
    let name = session
        .client
        .query_all::<serde_json::Value>(&format!(
            "SELECT Name FROM User WHERE Id = '{}'",
            session.user_id
        ))
        .await
        .expect("the user reads")[0]["Name"]
        .as_str()
        .expect("a name")
        .to_owned();
    let posts = session
        .client
        .query_all::<serde_json::Value>(&format!(
            "SELECT Body FROM FeedItem WHERE ParentId = '{}'",
            seed::JANE_OPEN_OPPORTUNITY_ID
        ))
        .await
        .expect("posts read");
    demo.shutdown().await;
    let bodies: Vec<&str> = posts.iter().filter_map(|p| p["Body"].as_str()).collect();
    assert!(
        bodies.contains(
            &format!("Qualified on a call by {name}: Pricing\n\n[Ringside call demo-agent-1]")
                .as_str()
        ),
        "the post names the demo user ({name}): {bodies:?}"
    );
}
