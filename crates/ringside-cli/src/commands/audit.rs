//! `ringside audit`: the append-only audit log of the call-log queue and of record edits
//! (a record edit's line names the record, the queued edit and the fields, never values).

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
        // A call-log entry names its call; a record edit its record, queued edit and fields.
        let subject = match &e.record_id {
            Some(record) if e.call_id.is_empty() => {
                let mut text = record.clone();
                if let Some(id) = e.edit_id {
                    text.push_str(&format!(" edit #{id}"));
                }
                if !e.fields.is_empty() {
                    text.push_str(&format!(" [{}]", e.fields.join(", ")));
                }
                text
            }
            _ => e.call_id.clone(),
        };
        let mut line = format!(
            "{}  {:<6}  {:<13} {}",
            iso_datetime(e.at),
            e.actor,
            e.event,
            subject
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
