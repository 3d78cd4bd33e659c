//! `ringside contact show|edit`: a record under the admin's field policy. The policy is
//! enforced by `ringside_core::record_edit`; this module parses and prints.
//!
//! When Salesforce cannot be reached, `contact edit` commits the edit to the durable queue
//! (`ringside_core::edit_queue`, in the home's database) and says so; every `contact show`
//! and `contact edit` first sends the org's due queued edits, and `show` lists the record's
//! edits still pending, in conflict or failed.

use std::io::Write;

use anyhow::Context;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::edit_queue::RecordSave;
use ringside_core::edit_queue::{
    EditQueue, EditRequest, QueuedEdit, QueuedEditState, save_or_queue,
};
use ringside_core::outbox::{Outbox, RetrySchedule};
use ringside_core::record_edit::{EditError, RecordEditor, ShownRecord};

use crate::args::{ContactCommand, ContactEditArgs, ContactShowArgs};
use crate::terminal_text::{safe_line, to_json};

pub async fn run(command: ContactCommand) -> anyhow::Result<()> {
    match command {
        ContactCommand::Show(args) => show(args).await,
        ContactCommand::Edit(args) => edit(args).await,
    }
}

fn editor(client: ringside_core::OrgClient) -> anyhow::Result<RecordEditor> {
    let (config, _) = super::config::load(None)?;
    Ok(RecordEditor::new(DescribeCache::new(client), config.fields).with_intents(config.intents))
}

/// The record-edit queue in the home's database; without one, edits are not queued (said).
async fn open_queue() -> Option<(Outbox, EditQueue)> {
    let home = crate::org::home().ok()?;
    match super::queue::open(&home).await {
        Ok(outbox) => {
            let queue = EditQueue::new(&outbox);
            Some((outbox, queue))
        }
        Err(err) => {
            eprintln!("ringside: edits cannot be queued while Salesforce is unreachable: {err}");
            None
        }
    }
}

/// Sends the org's queued edits that are due (quietly; what came of them `show` lists).
async fn send_queued(queue: &EditQueue, editor: &RecordEditor, tag: &str) {
    match queue.send_due(editor, tag, &RetrySchedule::default()).await {
        Ok(report) if report.applied + report.conflicts + report.failed > 0 => eprintln!(
            "ringside: queued edits sent: {} saved, {} in conflict, {} failed",
            report.applied, report.conflicts, report.failed
        ),
        Ok(_) => {}
        Err(err) => eprintln!("ringside: queued edits were not sent: {err}"),
    }
}

async fn show(args: ContactShowArgs) -> anyhow::Result<()> {
    let org = crate::org::connect(args.org.as_deref()).await?;
    let tag = org.tag().as_str().to_owned();
    let queue = open_queue().await;
    let outcome = match editor(org.client.clone()) {
        Ok(editor) => {
            if let Some((_, queue)) = &queue {
                send_queued(queue, &editor, &tag).await;
            }
            editor.show(&args.id).await.map_err(anyhow::Error::from)
        }
        Err(err) => Err(err),
    };
    org.close().await;
    let queued = match &queue {
        Some((_, queue)) => queue.open_for_record(&args.id).await.unwrap_or_default(),
        None => Vec::new(),
    };
    if let Some((outbox, _)) = queue {
        outbox.close().await;
    }
    let record = outcome?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&record)?;
        value["queued_edits"] = serde_json::to_value(&queued)?;
        writeln!(stdout, "{}", to_json(&value)?)?;
    } else {
        write_human(&mut stdout, &record)?;
        for edit in &queued {
            writeln!(stdout, "  {}", safe_line(&queued_line(edit)))?;
        }
    }
    Ok(())
}

/// One queued edit in words.
fn queued_line(edit: &QueuedEdit) -> String {
    let what = match &edit.intent {
        Some(intent) => format!("intent {intent}"),
        None => edit
            .changes
            .iter()
            .map(|c| format!("{}={}", c.field, c.value))
            .collect::<Vec<_>>()
            .join(", "),
    };
    match edit.state {
        QueuedEditState::Pending => {
            format!("pending: {what} (will be saved when Salesforce is reachable)")
        }
        QueuedEditState::Conflict => {
            let theirs = edit
                .conflict
                .iter()
                .flat_map(|c| &c.fields)
                .map(|f| format!("{} now {}", f.field, f.theirs))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "conflict: {what} was not saved, the record changed in Salesforce ({theirs}); edit again to choose"
            )
        }
        QueuedEditState::Failed => format!(
            "failed: {what}: {}",
            edit.error.as_deref().unwrap_or("refused by Salesforce")
        ),
        QueuedEditState::Applied | QueuedEditState::Resolved => format!("saved: {what}"),
    }
}

/// Field values are data (a Title may hold an escape sequence, a text area line breaks),
/// so each line goes through [`safe_line`]: one field, one line, nothing interpreted.
fn write_human(out: &mut impl Write, record: &ShownRecord) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        safe_line(&format!("{} {}", record.object, record.id))
    )?;
    let width = record
        .fields
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    for field in &record.fields {
        let value = match &field.value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mark = if field.editable { "" } else { "  (read-only)" };
        let line = format!("  {:width$}  {value}{mark}", field.name);
        writeln!(out, "{}", safe_line(&line))?;
    }
    if let Some(ts) = &record.last_modified {
        writeln!(out, "  LastModifiedDate  {}", safe_line(ts))?;
    }
    for hidden in &record.hidden {
        writeln!(
            out,
            "  {}: hidden from this user by field-level security",
            safe_line(hidden)
        )?;
    }
    Ok(())
}

async fn edit(args: ContactEditArgs) -> anyhow::Result<()> {
    let changes = args
        .changes
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .with_context(|| format!("{pair:?} is not Field=Value"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let org = crate::org::connect(args.org.as_deref()).await?;
    let tag = org.tag().as_str().to_owned();
    let queue = open_queue().await;
    let request = EditRequest::Fields {
        changes,
        expected_modified: args.expect_modified.clone(),
    };
    let outcome = match editor(org.client.clone()) {
        Ok(editor) => {
            if let Some((_, queue)) = &queue {
                send_queued(queue, &editor, &tag).await;
            }
            Ok(save_or_queue(
                &editor,
                queue.as_ref().map(|(_, q)| q),
                &tag,
                &args.id,
                &request,
            )
            .await)
        }
        Err(err) => Err(err),
    };
    org.close().await;
    if let Some((outbox, _)) = queue {
        outbox.close().await;
    }
    let mut stdout = std::io::stdout().lock();
    match outcome? {
        Ok(RecordSave::Saved { outcome: done }) => {
            if args.json {
                writeln!(stdout, "{}", to_json(&done)?)?;
            } else {
                let line = format!(
                    "{} {}: saved {}",
                    done.object,
                    done.id,
                    done.changed.join(", ")
                );
                writeln!(stdout, "{}", safe_line(&line))?;
            }
            Ok(())
        }
        Ok(RecordSave::Queued { edit }) => {
            if args.json {
                writeln!(stdout, "{}", to_json(&serde_json::json!({"queued": edit}))?)?;
            } else {
                let line = format!(
                    "{} {}: Salesforce is unreachable; the edit is queued (#{}) and will be saved when Salesforce is reachable",
                    edit.object, edit.record_id, edit.id
                );
                writeln!(stdout, "{}", safe_line(&line))?;
            }
            Ok(())
        }
        Ok(RecordSave::Conflict { current, fields }) => {
            let expected = args.expect_modified.clone().unwrap_or_default();
            let err = EditError::Conflict {
                expected,
                current,
                fields,
            };
            if args.json
                && let EditError::Conflict {
                    expected,
                    current,
                    fields,
                } = &err
            {
                let line = to_json(
                    &serde_json::json!({"conflict": {"expected": expected, "current": current, "fields": fields}}),
                )?;
                writeln!(stdout, "{line}")?;
            }
            Err(err.into())
        }
        Ok(RecordSave::Refused { problems }) => Err(EditError::Refused { problems }.into()),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use ringside_core::record_edit::ShownField;

    use super::*;

    fn field(name: &str, value: &str) -> ShownField {
        ShownField {
            name: name.into(),
            label: name.into(),
            field_type: "string".into(),
            value: serde_json::json!(value),
            editable: true,
            length: 255,
            picklist: Vec::new(),
        }
    }

    #[test]
    fn contact_show_prints_escape_sequences_in_field_values_as_text() {
        let record = ShownRecord {
            object: "Contact".into(),
            id: "003Dm0000000007IAA".into(),
            last_modified: None,
            fields: vec![
                field("Title", "Boss\u{1b}]0;pwned\u{7}"),
                field("Description", "line 1\r\n  Email  forged@example.com"),
                field("LastName", "山田 محمد Şahin"),
            ],
            hidden: Vec::new(),
            intents: Vec::new(),
            related_intents: Vec::new(),
        };
        let mut out = Vec::new();
        write_human(&mut out, &record).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\r']),
            "no raw escape reaches the terminal: {text:?}"
        );
        assert_eq!(
            text.lines().count(),
            4,
            "one line per field: a line break in a value cannot forge a field: {text:?}"
        );
        assert!(
            text.contains("Boss\\u{1b}]0;pwned\\u{7}"),
            "shown escaped: {text:?}"
        );
        assert!(text.contains("山田 محمد Şahin"), "other scripts unchanged");
    }
}
