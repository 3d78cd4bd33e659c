//! `ringside audit`: the append-only audit log of the call-log queue.

use std::io::Write;

use anyhow::Context;
use ringside_core::time::iso_datetime;

use crate::args::AuditArgs;

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    let home = super::queue::home()?;
    let outbox = super::queue::open_for_reading(&home).await?;
    let entries = outbox.audit().await;
    outbox.close().await;
    let entries = entries?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &serde_json::json!({ "entries": entries }))
            .context("cannot write JSON")?;
        writeln!(out)?;
        return Ok(());
    }
    for e in entries {
        let mut line = format!(
            "{}  {:<6}  {:<9} {}",
            iso_datetime(e.at),
            e.actor,
            e.event,
            e.call_id
        );
        if let Some(code) = &e.error_code {
            line.push_str(&format!("  {code}"));
        }
        if let Some(detail) = &e.detail {
            line.push_str(&format!("  {detail}"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
