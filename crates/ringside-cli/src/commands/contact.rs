//! `ringside contact show|edit`: a record under the admin's field policy. The policy is
//! enforced by `ringside_core::record_edit`; this module parses and prints.

use std::io::Write;

use anyhow::Context;
use ringside_core::describe_cache::DescribeCache;
use ringside_core::record_edit::{EditError, RecordEditor, ShownRecord};

use crate::args::{ContactCommand, ContactEditArgs, ContactShowArgs};

pub async fn run(command: ContactCommand) -> anyhow::Result<()> {
    match command {
        ContactCommand::Show(args) => show(args).await,
        ContactCommand::Edit(args) => edit(args).await,
    }
}

fn editor(client: salesforce::Client) -> anyhow::Result<RecordEditor> {
    let (config, _) = super::config::load(None)?;
    Ok(RecordEditor::new(DescribeCache::new(client), config.fields))
}

async fn show(args: ContactShowArgs) -> anyhow::Result<()> {
    let org = crate::org::connect(args.org.as_deref()).await?;
    let outcome = match editor(org.client.clone()) {
        Ok(editor) => editor.show(&args.id).await.map_err(anyhow::Error::from),
        Err(err) => Err(err),
    };
    org.close().await;
    let record = outcome?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &record)?;
        writeln!(stdout)?;
    } else {
        write_human(&mut stdout, &record)?;
    }
    Ok(())
}

fn write_human(out: &mut impl Write, record: &ShownRecord) -> std::io::Result<()> {
    writeln!(out, "{} {}", record.object, record.id)?;
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
        writeln!(out, "  {:width$}  {value}{mark}", field.name)?;
    }
    if let Some(ts) = &record.last_modified {
        writeln!(out, "  LastModifiedDate  {ts}")?;
    }
    for hidden in &record.hidden {
        writeln!(
            out,
            "  {hidden}: hidden from this user by field-level security"
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
    let outcome = match editor(org.client.clone()) {
        Ok(editor) => Ok(editor
            .edit(&args.id, &changes, args.expect_modified.as_deref())
            .await),
        Err(err) => Err(err),
    };
    org.close().await;
    let mut stdout = std::io::stdout().lock();
    match outcome? {
        Ok(done) => {
            if args.json {
                serde_json::to_writer(&mut stdout, &done)?;
                writeln!(stdout)?;
            } else {
                writeln!(
                    stdout,
                    "{} {}: saved {}",
                    done.object,
                    done.id,
                    done.changed.join(", ")
                )?;
            }
            Ok(())
        }
        Err(err) => {
            if args.json
                && let EditError::Conflict {
                    expected,
                    current,
                    fields,
                } = &err
            {
                serde_json::to_writer(
                    &mut stdout,
                    &serde_json::json!({"conflict": {"expected": expected, "current": current, "fields": fields}}),
                )?;
                writeln!(stdout)?;
            }
            Err(err.into())
        }
    }
}
