//! Data made safe for a terminal line. Names, titles, call ids, notes and Salesforce's
//! messages come from callers, softphones and other users; a terminal *interprets* some
//! characters (ESC starts a command that can retitle the window, clear the screen or
//! rewrite what was printed; CR and LF forge lines; a bidi override reorders what follows),
//! so every human (non-JSON) output line that carries data goes through [`safe_line`].
//!
//! What is shown escaped, as `\u{1b}` (the Rust notation, so it reads unambiguously):
//! - C0 controls U+0000–U+001F (ESC, BEL, CR, LF, TAB, …), DEL U+007F and the C1 controls
//!   U+0080–U+009F (`char::is_control`); C1 includes the 8-bit CSI U+009B.
//! - The bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069: they
//!   reorder everything after them up to the end of the paragraph ("Trojan Source").
//! - The line and paragraph separators U+2028/U+2029.
//!
//! What passes: everything else, including the bidi *marks* LRM U+200E, RLM U+200F and
//! ALM U+061C. A mark only sets the direction of the characters around it, cannot span
//! text the way an override does, and is written on purpose in Arabic and Hebrew text.
//!
//! JSON output is made safe by [`to_json`]: serde_json already writes C0 controls as
//! `\u001b`; [`to_json`] does the same for DEL, C1 and the characters above, which serde
//! would write raw. The value a script parses back is unchanged.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal as it is (see the module doc).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// `text` with every unsafe character written as `\u{…}`; borrowed when nothing needed it.
pub fn safe_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as one line of compact JSON whose strings hold no character a terminal
/// interprets: DEL, C1 and the bidi overrides are written as `\uXXXX` escapes.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, SafeFormatter);
    value.serialize(&mut serializer)?;
    // Only UTF-8 text and ASCII escapes were written.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// serde_json's compact output, with unsafe characters escaped inside strings.
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every unsafe character is in the Basic Multilingual Plane: one `\uXXXX`.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_bidi_overrides_are_shown_not_interpreted() {
        assert_eq!(
            safe_line("Sales\u{1b}]0;pwned\u{7}Lead"),
            "Sales\\u{1b}]0;pwned\\u{7}Lead",
            "an OSC window-title sequence is shown as text"
        );
        assert_eq!(
            safe_line("c-1\u{1b}[2J"),
            "c-1\\u{1b}[2J",
            "clear-screen too"
        );
        assert_eq!(
            safe_line("Jane\r\nend    c-2 forged"),
            "Jane\\u{d}\\u{a}end    c-2 forged",
            "CR LF cannot forge a second line"
        );
        assert_eq!(safe_line("a\tb\u{7f}\u{9b}2J"), "a\\u{9}b\\u{7f}\\u{9b}2J");
        assert_eq!(
            safe_line("invoice\u{202e}fdp.exe\u{2066}x\u{2069}\u{2028}"),
            "invoice\\u{202e}fdp.exe\\u{2066}x\\u{2069}\\u{2028}",
            "bidi overrides and isolates are shown"
        );
        for fine in [
            "山田 太郎 · 営業部長",
            "محمد العتيبي",
            "İsmail Şahin, Ağaoğlu",
            "שלום\u{200f} (RLM kept)",
            "+1 (415) 555-0100",
        ] {
            assert!(
                matches!(safe_line(fine), Cow::Borrowed(_)),
                "{fine:?}: text in any script, bidi marks included, passes unchanged"
            );
        }
    }

    #[test]
    fn json_output_escapes_what_serde_writes_raw() {
        let value = serde_json::json!({
            "title": "a\u{1b}[2Jb\u{7f}\u{9b}\u{202e}c",
            "name": "山田 محمد",
        });
        let line = to_json(&value).expect("serialises");
        assert!(
            !line.chars().any(is_unsafe),
            "no raw ESC, DEL, C1 or override in the JSON line: {line:?}"
        );
        assert!(line.contains("\\u001b[2Jb\\u007f\\u009b\\u202ec"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).expect("still JSON");
        assert_eq!(back, value, "a script reads back exactly the same value");
    }
}
