//! A queue worker as its own process, for the kill -9 test: drains the queue at
//! `RINGSIDE_DB` into the org at `RINGSIDE_ORG_URL` with the access token in
//! `RINGSIDE_ORG_TOKEN` (a demo-org token; demo tokens are not secrets), in passes of
//! `RINGSIDE_BATCH` calls (default 5), until nothing is due.

use std::time::Duration;

use ringside_core::call_log::LoggingSettings;
use ringside_core::outbox::{Outbox, RetrySchedule, Worker, WorkerOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let db = var("RINGSIDE_DB")?;
    let url = var("RINGSIDE_ORG_URL")?;
    let token = salesforce::AccessToken::new(var("RINGSIDE_ORG_TOKEN")?)?;
    let batch = std::env::var("RINGSIDE_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(5);
    let client = salesforce::Client::new(&url, token, salesforce::ApiVersion::default())?;
    let outbox = Outbox::open(std::path::Path::new(&db)).await?;
    let options = WorkerOptions {
        schedule: RetrySchedule::new(vec![Duration::from_millis(5); 5]),
        unreachable_wait: Duration::from_millis(20),
        signed_out_wait: Duration::from_millis(20),
        batch,
        ..WorkerOptions::default()
    };
    let worker = Worker::start(outbox, client, LoggingSettings::default(), options).await?;
    let report = worker.drain(Duration::from_secs(2)).await?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
