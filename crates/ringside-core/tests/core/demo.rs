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
