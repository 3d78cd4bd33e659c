//! Client-wide behaviour: the token never reaches the logs.
//!
//! Its own test binary on purpose: `tracing` caches per-callsite interest globally, and a
//! test that installs a thread-local subscriber while other tests run in parallel threads
//! can miss the request span (seen as a flaky "the path is logged" failure in CI).

use std::io::Write;
use std::sync::{Arc, Mutex};

use salesforce::Record;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn logs_carry_method_path_and_status_but_never_the_token_or_query_values() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("salesforce=info")
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let org = demo_org::start(demo_org::DemoOrgConfig::default())
        .await
        .expect("the demo org must start on a free loopback port");
    let token = org.issue_access_token().to_string();
    let instance = salesforce::InstanceUrl::parse(&org.base_url().to_string()).unwrap();
    let secret = salesforce::AccessToken::new(token.clone()).unwrap();
    let client = salesforce::Client::with_options(
        instance,
        secret,
        salesforce::ApiVersion::DEFAULT,
        salesforce::ClientOptions::default(),
    )
    .unwrap();
    client
        .query::<Record>("SELECT Id FROM Contact WHERE LastName = 'Secretvalue'")
        .await
        .unwrap();
    org.faults().expire_tokens();
    let _ = client
        .query::<Record>("SELECT Id FROM Contact WHERE LastName = 'Secretvalue'")
        .await;
    org.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/services/data/v66.0/query"),
        "the path is logged: {logs}"
    );
    assert!(
        logs.contains("INVALID_SESSION_ID"),
        "the failure's code is logged: {logs}"
    );
    assert!(!logs.contains(&token), "the token must never be logged");
    assert!(
        !logs.contains("Secretvalue"),
        "query values stay out of info logs: {logs}"
    );
}
