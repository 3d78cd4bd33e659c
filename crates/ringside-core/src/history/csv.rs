//! The history as CSV for spreadsheets: RFC 4180 (a header row, CRLF line ends, a field
//! quoted when it holds `,` `"` CR or LF, quotes doubled; also when it holds `;`, see
//! `push_field`), in UTF-8 with a byte-order mark
//! so spreadsheet programs read Japanese, Arabic and Turkish names as written instead of
//! guessing a legacy code page. See <https://www.rfc-editor.org/rfc/rfc4180>.
//!
//! Formula injection (OWASP "CSV Injection"): notes, subjects and names come from callers
//! and agents, and a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, TAB or
//! CR as a formula. Spreadsheets also skip what comes before the sign: leading spaces and
//! invisible characters (zero-width space U+200B, word joiner U+2060, BOM U+FEFF, …), and
//! some read the full-width signs `＝` `＋` `－` `＠` (common from Japanese input methods)
//! as their ASCII twins; so those count as the start of a formula too. Such a cell gets a
//! leading `'` so it is shown as text. One exception,
//! so phone numbers stay readable: a cell made only of digits, spaces and `+ - ( ) . /`
//! (`+14155550123`, `+1 (415) 555-0123`, `-5`) is written as it is: without letters or
//! other symbols it cannot name a function, a cell reference or another program, so at
//! worst a spreadsheet reads it as a number. The `'` is part of the value: a cell a
//! person wrote as `=SUM(A1)` reads back as `'=SUM(A1)`, by design.
//! See <https://owasp.org/www-community/attacks/CSV_Injection>.

use std::io::{self, Write};

use super::row::HistoryRow;

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "call_id",
    "started_at",
    "direction",
    "from",
    "to",
    "duration_seconds",
    "disposition",
    "subject",
    "notes",
    "summary",
    "recording_url",
    "matched_object",
    "matched_id",
    "matched_name",
    "owner_id",
    "owner_name",
    "delivery",
    "delivery_error",
    "call_log_id",
    "task_id",
    // Added last, so a script reading the older columns by position still reads them.
    "key_topics",
    // `true` for a pending log held because the org's daily API allowance is used up: not in
    // Salesforce yet, but not this call's failure (a team lead filters on it).
    "held_for_allowance",
    // The memo's values, `; `-joined like key topics (added last, as above).
    "memo",
];

fn fields(row: &HistoryRow) -> [String; 23] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let matched = row.matched.as_ref();
    let owner = row.owner.as_ref();
    [
        row.call_id.clone(),
        row.started_at.clone(),
        row.direction
            .map(|d| d.salesforce_value().to_ascii_lowercase())
            .unwrap_or_default(),
        opt(&row.from),
        opt(&row.to),
        row.duration_seconds.to_string(),
        opt(&row.disposition),
        opt(&row.subject),
        opt(&row.notes),
        opt(&row.summary),
        opt(&row.recording_url),
        matched
            .map(|m| m.object.as_str().to_owned())
            .unwrap_or_default(),
        matched.map(|m| m.id.clone()).unwrap_or_default(),
        matched.and_then(|m| m.name.clone()).unwrap_or_default(),
        owner.map(|o| o.id.clone()).unwrap_or_default(),
        owner.and_then(|o| o.name.clone()).unwrap_or_default(),
        row.delivery.as_str().to_owned(),
        opt(&row.delivery_error),
        opt(&row.call_log_id),
        opt(&row.task_id),
        row.key_topics.join("; "),
        row.held_for_allowance.to_string(),
        row.memo.join("; "),
    ]
}

/// Characters a spreadsheet skips before it looks for a formula sign: spaces (ASCII,
/// no-break, ideographic) and the invisible zero-width ones.
fn is_skipped_before_formula(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '\u{3000}'
            | '\u{200b}'
            | '\u{200c}'
            | '\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
    )
}

/// Whether a spreadsheet would read `value` as a formula: after any leading spaces or
/// zero-width characters it starts with `=`, `+`, `-`, `@` (ASCII or full-width), TAB, CR
/// or LF, and it is not a plain number (see the module doc).
fn is_formula(value: &str) -> bool {
    let starts_like_formula = value
        .trim_start_matches(is_skipped_before_formula)
        .starts_with([
            '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}', '\t', '\r', '\n',
        ]);
    let plain_number = value.chars().any(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/'));
    starts_like_formula && !plain_number
}

/// One data cell: formulas neutralised with a leading `'`, then RFC 4180 quoting.
fn push_cell(out: &mut String, value: &str) {
    if is_formula(value) {
        push_field(out, &format!("'{value}"));
    } else {
        push_field(out, value);
    }
}

/// RFC 4180 quoting, plus `;`: spreadsheets in locales whose decimal mark is a comma
/// (German, French, Turkish, …) split on `;`, and a quoted `;` stays in its cell there.
fn push_field(out: &mut String, value: &str) {
    if value.contains([',', ';', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn push_record<'a>(out: &mut String, values: impl IntoIterator<Item = &'a str>) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, value);
    }
    out.push_str("\r\n");
}

/// The whole CSV document (BOM, header, one record per row).
pub fn history_csv(rows: &[HistoryRow]) -> String {
    let mut out = String::with_capacity(64 + rows.len() * 200);
    out.push_str(BOM);
    push_record(&mut out, COLUMNS.iter().copied());
    for row in rows {
        let values = fields(row);
        push_record(&mut out, values.iter().map(String::as_str));
    }
    out
}

/// Writes [`history_csv`] to `out` a row at a time (for large exports to stdout or a file).
pub fn write_history_csv<W: Write>(rows: &[HistoryRow], mut out: W) -> io::Result<()> {
    let mut line = String::new();
    line.push_str(BOM);
    push_record(&mut line, COLUMNS.iter().copied());
    out.write_all(line.as_bytes())?;
    for row in rows {
        line.clear();
        let values = fields(row);
        push_record(&mut line, values.iter().map(String::as_str));
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// A strict RFC 4180 reader (BOM, header, CRLF; quoted fields), for tests that check an
/// export reads back exactly. Returns `None` on anything RFC 4180 does not allow.
pub fn parse_rfc4180(text: &str) -> Option<Vec<Vec<String>>> {
    let text = text.strip_prefix(BOM)?;
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_field = false;
    loop {
        let Some(c) = chars.next() else {
            // The last record must end in CRLF.
            return (field.is_empty() && record.is_empty() && !quoted_field).then_some(records);
        };
        match c {
            '"' if field.is_empty() && !quoted_field => {
                quoted_field = true;
                loop {
                    match chars.next()? {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        other => field.push(other),
                    }
                }
                if !matches!(chars.peek(), Some(',') | Some('\r')) {
                    return None;
                }
            }
            '"' => return None,
            ',' => {
                record.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' => {
                if chars.next()? != '\n' {
                    return None;
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                quoted_field = false;
            }
            '\n' => return None,
            other => field.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::filter::MatchedObject;
    use crate::history::row::{DeliveryState, MatchedRecord, Owner};

    fn row(name: &str, notes: &str) -> HistoryRow {
        HistoryRow {
            call_id: "c-1".into(),
            started_at: "2026-10-01T09:00:00.000Z".into(),
            started_at_ms: 1_790_845_200_000,
            direction: Some(crate::call_log::Direction::Inbound),
            from: Some("+81 3-1234-5678".into()),
            to: Some("+1 415 555 0100".into()),
            duration_seconds: 61,
            disposition: Some("Connected".into()),
            subject: Some(format!("Call from {name}")),
            notes: Some(notes.into()),
            summary: None,
            key_topics: Vec::new(),
            memo: Vec::new(),
            recording_url: None,
            matched: Some(MatchedRecord {
                object: MatchedObject::Contact,
                id: "003Dm0000000007IAA".into(),
                name: Some(name.into()),
            }),
            owner: Some(Owner {
                id: "005Dm0000000001IAA".into(),
                name: Some("Ayşe Yılmaz".into()),
            }),
            delivery: DeliveryState::Dead,
            delivery_error: Some("STRING_TOO_LONG: Subject, \"too long\"".into()),
            held_for_allowance: false,
            call_log_id: None,
            task_id: None,
        }
    }

    #[test]
    fn non_latin_names_and_special_characters_round_trip() {
        let rows = vec![
            row("太郎 山田", "折り返し電話を希望。"),
            row("محمد العتيبي", "يرغب العميل في عرض سعر جديد"),
            row(
                "İsmail Şahin",
                "Fiyat teklifi istedi, \"acil\"\r\nyarın ara",
            ),
            row("Zoë, \"the\" boss", "line1\nline2\rline3"),
        ];
        let csv = history_csv(&rows);
        assert!(
            csv.starts_with('\u{feff}'),
            "a BOM so spreadsheets read UTF-8"
        );
        assert!(
            csv.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]),
            "the BOM is the UTF-8 bytes EF BB BF"
        );
        assert!(
            csv.contains("call_id,started_at,direction"),
            "header row first"
        );
        let parsed = parse_rfc4180(&csv).expect("the export is strict RFC 4180");
        assert_eq!(
            parsed.len(),
            rows.len() + 1,
            "header plus one record per row"
        );
        assert!(
            parsed.iter().all(|r| r.len() == COLUMNS.len()),
            "every record has every column"
        );
        for (record, row) in parsed[1..].iter().zip(&rows) {
            assert_eq!(
                &record[13],
                row.matched.as_ref().unwrap().name.as_ref().unwrap(),
                "matched name as written"
            );
            assert_eq!(
                &record[8],
                row.notes.as_ref().unwrap(),
                "notes with quotes and line breaks intact"
            );
            assert_eq!(record[15], "Ayşe Yılmaz");
            assert_eq!(record[16], "dead");
            assert_eq!(record[17], "STRING_TOO_LONG: Subject, \"too long\"");
        }
        let mut streamed = Vec::new();
        write_history_csv(&rows, &mut streamed).expect("writes to memory");
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            csv,
            "streaming writes the same bytes"
        );
    }

    #[test]
    fn a_log_held_for_the_allowance_is_flagged_in_its_own_column() {
        let mut held = row("Jane Doe", "n");
        held.delivery = DeliveryState::Pending;
        held.delivery_error = Some("TotalRequests Limit exceeded.".into());
        held.held_for_allowance = true;
        let failed = row("John Roe", "n");
        let parsed = parse_rfc4180(&history_csv(&[held, failed])).expect("strict RFC 4180");
        assert_eq!(
            parsed[0].get(21).map(String::as_str),
            Some("held_for_allowance"),
            "added after key_topics, so scripts reading older columns by position still read them"
        );
        assert_eq!(
            parsed[0].get(20).map(String::as_str),
            Some("key_topics"),
            "the older columns keep their positions"
        );
        let flag = |record: &Vec<String>| record.get(21).cloned().unwrap_or_default();
        assert_eq!(
            (flag(&parsed[1]), parsed[1][16].as_str()),
            ("true".to_owned(), "pending"),
            "a held log is pending and flagged, so a spreadsheet can tell it from a failure"
        );
        assert_eq!(
            flag(&parsed[2]),
            "false",
            "a dead log is not held for the allowance"
        );
    }

    #[test]
    fn the_memo_is_the_last_column_its_values_joined_like_key_topics() {
        let mut with_memo = row("Jane Doe", "n");
        with_memo.memo = vec!["Pricing".into(), "Demo requested".into()];
        let without = row("John Roe", "n");
        let parsed = parse_rfc4180(&history_csv(&[with_memo, without])).expect("strict RFC 4180");
        assert_eq!(
            parsed[0].last().map(String::as_str),
            Some("memo"),
            "added last, so scripts reading older columns by position still read them"
        );
        assert_eq!(
            parsed[1].last().map(String::as_str),
            Some("Pricing; Demo requested")
        );
        assert_eq!(
            parsed[2].last().map(String::as_str),
            Some(""),
            "no memo: empty"
        );
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut out = String::new();
        push_record(&mut out, ["plain", "a,b", "say \"hi\"", "cr\rlf\n", "日本"]);
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"cr\rlf\n\",日本\r\n"
        );
    }

    #[test]
    fn csv_neutralises_spreadsheet_formulas_but_keeps_phone_numbers() {
        let mut rows = vec![
            row(
                "=HYPERLINK(\"http://evil.example\",\"click\")",
                "+cmd|' /C calc'!A0",
            ),
            row("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"),
            row("\t=1+1", "\r=1+1"),
        ];
        rows[0].from = Some("+14155550123".into());
        rows[0].to = Some("+1 (415) 555-0100".into());
        rows[1].from = Some("-".into());
        let csv = history_csv(&rows);
        let parsed = parse_rfc4180(&csv).expect("still strict RFC 4180");
        let cell = |r: usize, c: usize| parsed[r][c].as_str();
        assert_eq!(
            cell(1, 13),
            "'=HYPERLINK(\"http://evil.example\",\"click\")",
            "= is text"
        );
        assert_eq!(
            cell(1, 8),
            "'+cmd|' /C calc'!A0",
            "+ with a DDE payload is text"
        );
        assert_eq!(cell(2, 13), "'@SUM(1+1)*cmd|' /C calc'!A0", "@ is text");
        assert_eq!(cell(2, 8), "'-2+3+cmd|' /C calc'!A0", "- is text");
        assert_eq!(cell(3, 13), "'\t=1+1", "a leading TAB is text");
        assert_eq!(cell(3, 8), "'\r=1+1", "a leading CR is text (and quoted)");
        assert_eq!(
            cell(1, 3),
            "+14155550123",
            "an E.164 number stays as written"
        );
        assert_eq!(cell(1, 4), "+1 (415) 555-0100", "a formatted number too");
        assert_eq!(cell(2, 3), "'-", "a lone sign is not a number");
        assert_eq!(cell(0, 0), "call_id", "the header is untouched");
        assert_eq!(
            cell(1, 5),
            "61",
            "numbers that start with a digit are untouched"
        );
        assert!(csv.starts_with('\u{feff}'), "the BOM stays");
    }

    #[test]
    fn csv_quotes_semicolons_for_locales_that_split_on_them() {
        let mut out = String::new();
        push_record(&mut out, ["Müller; GmbH", "plain", "a;b;c"]);
        assert_eq!(
            out, "\"Müller; GmbH\",plain,\"a;b;c\"\r\n",
            "a de/fr/tr spreadsheet splits an unquoted `;` into two cells"
        );
        let parsed = parse_rfc4180(&format!("{BOM}{out}")).expect("still strict RFC 4180");
        assert_eq!(
            parsed[0][0], "Müller; GmbH",
            "the value reads back as written"
        );
    }

    #[test]
    fn csv_guards_formulas_hidden_behind_spaces_zero_width_or_full_width_signs() {
        for hidden in [
            " =1+1",
            "   @SUM(A1)",
            "\u{200b}=HYPERLINK(\"http://evil.example\")",
            "\u{feff}+cmd|' /C calc'!A0",
            "\u{2060}-2+3",
            "\u{a0}=1",
            "\u{3000}=1",
            "＝1+1",
            "＋cmd|' /C calc'!A0",
            "－2+3",
            "＠SUM(A1)",
            " \u{200b}＝1",
            "\n=1+1",
        ] {
            let mut out = String::new();
            push_cell(&mut out, hidden);
            let parsed = parse_rfc4180(&format!("{BOM}{out}\r\n")).expect("strict RFC 4180");
            assert_eq!(
                parsed[0][0],
                format!("'{hidden}"),
                "{hidden:?}: a spreadsheet skips what is before the sign, so it must be text"
            );
        }
        for kept in [
            "+1 415 555 0100",
            " +1 (415) 555-0100",
            "-5",
            "Ayşe",
            " plain",
            "山田＝太郎",
        ] {
            let mut out = String::new();
            push_cell(&mut out, kept);
            assert_eq!(
                out, kept,
                "{kept:?}: phone numbers and plain text stay as written"
            );
        }
    }

    #[test]
    fn the_reader_refuses_what_rfc_4180_does_not_allow() {
        assert!(parse_rfc4180("\u{feff}a,b\n").is_none(), "bare LF");
        assert!(parse_rfc4180("\u{feff}a,b").is_none(), "no final CRLF");
        assert!(
            parse_rfc4180("\u{feff}a\"b\r\n").is_none(),
            "quote inside an unquoted field"
        );
        assert!(parse_rfc4180("a,b\r\n").is_none(), "no BOM");
        assert_eq!(
            parse_rfc4180("\u{feff}\"a\"\"\",\r\n").unwrap(),
            vec![vec!["a\"".to_owned(), String::new()]]
        );
    }
}
