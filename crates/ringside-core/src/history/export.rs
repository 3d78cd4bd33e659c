//! The CSV export as a file: a new `ringside-history-<local date>.csv` in the user's
//! Downloads folder, never overwriting an earlier export (` (2)`, ` (3)`… when taken).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{History, HistoryError, HistoryFilter, HistoryRow, check_offset, write_history_csv};

/// Where an export was written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportedCsv {
    pub path: String,
    pub folder: String,
    pub rows: u32,
}

/// Why an export file was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no Downloads folder was found (HOME is not set).")]
    NoDownloads,
    #[error("the CSV file could not be written: {0}")]
    Write(#[from] std::io::Error),
}

impl History {
    /// Writes every call matching `filter` as CSV (RFC 4180, UTF-8 with BOM) to a new file
    /// in the user's Downloads folder, named by the user's local date (`utc_offset_minutes`
    /// east of UTC).
    pub async fn export_csv(
        &self,
        filter: &HistoryFilter,
        utc_offset_minutes: i32,
    ) -> Result<ExportedCsv, HistoryError> {
        check_offset(utc_offset_minutes)?;
        let rows = self.all(filter).await?;
        let local_now = crate::outbox::now_ms() + i64::from(utc_offset_minutes) * 60_000;
        // A big export is seconds of disk writes: off the async threads.
        tokio::task::spawn_blocking(move || export_to_downloads(&rows, local_now))
            .await
            .map_err(|err| {
                ExportError::Write(std::io::Error::other(format!("the export stopped: {err}")))
            })?
            .map_err(HistoryError::from)
    }
}

/// Writes `rows` to a new `ringside-history-<date of local_now_ms>.csv` in the user's
/// Downloads folder (`local_now_ms`: now, shifted to the user's local time).
pub fn export_to_downloads(
    rows: &[HistoryRow],
    local_now_ms: i64,
) -> Result<ExportedCsv, ExportError> {
    let folder = downloads_dir().ok_or(ExportError::NoDownloads)?;
    let stem = format!("ringside-history-{}", crate::time::iso_date(local_now_ms));
    let written = write_new_csv(&folder, &stem, rows)?;
    tracing::info!(rows = rows.len(), path = %written.display(), "history exported");
    Ok(ExportedCsv {
        folder: written
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        path: written.display().to_string(),
        rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
    })
}

/// The user's Downloads folder: `XDG_DOWNLOAD_DIR` when set to an absolute path, else the
/// one named in `user-dirs.dirs` (what file managers show), else `~/Downloads`.
pub fn downloads_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DOWNLOAD_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some(dir);
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)?;
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".config"));
    let named = std::fs::read_to_string(config.join("user-dirs.dirs"))
        .ok()
        .and_then(|text| user_dirs_download(&text, &home));
    Some(named.unwrap_or_else(|| home.join("Downloads")))
}

/// `XDG_DOWNLOAD_DIR="$HOME/Descargas"` in a `user-dirs.dirs` file → the path.
fn user_dirs_download(text: &str, home: &Path) -> Option<PathBuf> {
    let value = text
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("XDG_DOWNLOAD_DIR="))?
        .trim()
        .trim_matches('"');
    let path = match value.strip_prefix("$HOME") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None => PathBuf::from(value),
    };
    // `$HOME/` alone means "no Downloads folder": the home itself is not one.
    (path.is_absolute() && path != home).then_some(path)
}

/// Writes `rows` to a new `<stem>.csv` (or `<stem> (2).csv`…) in `folder`, creating it.
pub fn write_new_csv(folder: &Path, stem: &str, rows: &[HistoryRow]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    for n in 1..=999 {
        let name = if n == 1 {
            format!("{stem}.csv")
        } else {
            format!("{stem} ({n}).csv")
        };
        let path = folder.join(name);
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        };
        let mut out = std::io::BufWriter::new(file);
        write_history_csv(rows, &mut out)?;
        out.flush()?;
        return Ok(path);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{stem}.csv and 998 numbered copies already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_log::Direction;
    use crate::history::DeliveryState;

    #[test]
    fn the_downloads_folder_follows_user_dirs() {
        let home = Path::new("/home/ayse");
        assert_eq!(
            user_dirs_download(
                "# comment\nXDG_DESKTOP_DIR=\"$HOME/Masaüstü\"\nXDG_DOWNLOAD_DIR=\"$HOME/İndirilenler\"\n",
                home
            ),
            Some(PathBuf::from("/home/ayse/İndirilenler"))
        );
        assert_eq!(
            user_dirs_download("XDG_DOWNLOAD_DIR=\"/data/dl\"", home),
            Some(PathBuf::from("/data/dl"))
        );
        assert_eq!(
            user_dirs_download("XDG_DOWNLOAD_DIR=\"$HOME/\"", home),
            None,
            "the home itself means the user has no Downloads folder"
        );
    }

    #[test]
    fn an_export_never_overwrites_and_starts_with_the_bom() {
        let dir =
            std::env::temp_dir().join(format!("ringside-core-export-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let named = HistoryRow {
            call_id: "c1".into(),
            started_at: String::new(),
            started_at_ms: 0,
            direction: Some(Direction::Inbound),
            from: Some("+81 3 1234 5678".into()),
            to: Some("x".into()),
            duration_seconds: 0,
            disposition: None,
            subject: None,
            notes: Some("折り返し電話を希望, \"至急\"".into()),
            summary: None,
            key_topics: Vec::new(),
            memo: Vec::new(),
            recording_url: None,
            matched: None,
            owner: None,
            delivery: DeliveryState::Delivered,
            delivery_error: None,
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        };
        let first = write_new_csv(
            &dir,
            "ringside-history-2026-11-22",
            std::slice::from_ref(&named),
        )
        .expect("the folder is created and the file written");
        let second = write_new_csv(&dir, "ringside-history-2026-11-22", &[named])
            .expect("a second export gets its own name");
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("ringside-history-2026-11-22.csv")
        );
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("ringside-history-2026-11-22 (2).csv"),
            "the first export is kept"
        );
        let text = std::fs::read_to_string(&second).expect("readable");
        let records = crate::history::csv::parse_rfc4180(&text).expect("RFC 4180 with a BOM");
        assert_eq!(records.len(), 2, "header and one call");
        assert!(
            records[1].contains(&"折り返し電話を希望, \"至急\"".to_owned()),
            "Japanese notes with a comma and quotes read back exactly"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
