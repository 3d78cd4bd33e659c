//! Escaping of caller-controlled text for SOQL and SOSL. Every value that comes from a
//! person or a phone system goes into a query through these functions, never by pasting.
//!
//! - SOQL quoted strings: <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm>
//! - SOSL reserved characters: <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm>
//!
//! Control characters: SOQL has escapes only for `\n \r \t \b \f`. Every other control
//! character (NUL, ESC, DEL, C1 controls …) has no escape, and no phone number, name or email
//! contains one, so these helpers **strip** them rather than fail: the value still matches
//! what a person meant, and nothing unescaped reaches the query. In SOSL search terms the
//! whitespace controls are turned into spaces, because SOSL has no escape for them and a
//! newline inside `FIND {…}` would split the term.

/// Whether a character is dropped: a control character that the target language cannot
/// escape.
fn is_unescapable_control(c: char, keep: &[char]) -> bool {
    c.is_control() && !keep.contains(&c)
}

/// Escapes `value` for the inside of a SOQL string literal, without the quotes.
fn soql_escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if is_unescapable_control(c, &[]) => {}
            c => out.push(c),
        }
    }
}

/// A SOQL string literal for `value`, quotes included: `O'Brien` → `'O\'Brien'`.
///
/// Escapes `\ ' " \n \r \t \b \f` as the SOQL escape-sequence table says; other control
/// characters are stripped (see the module docs). Use for `=`/`!=`/`IN` comparisons.
pub fn soql_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    soql_escape_into(&mut out, value);
    out.push('\'');
    out
}

/// A SOQL `LIKE` pattern literal that matches `value` literally, quotes included: like
/// [`soql_literal`] plus the wildcards `%` and `_` escaped as `\%` and `\_`.
///
/// Add your own wildcards around the escaped text by building the pattern with
/// [`soql_like_contains`] or [`soql_like_starts_with`]; this function alone matches
/// exactly `value`.
pub fn soql_like(value: &str) -> String {
    like_pattern("", value, "")
}

/// A `LIKE` literal matching text that contains `value`: `'%…%'`.
pub fn soql_like_contains(value: &str) -> String {
    like_pattern("%", value, "%")
}

/// A `LIKE` literal matching text that starts with `value`: `'…%'`.
pub fn soql_like_starts_with(value: &str) -> String {
    like_pattern("", value, "%")
}

fn like_pattern(prefix: &str, value: &str, suffix: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    soql_escape_into(&mut escaped, value);
    let mut out = String::with_capacity(escaped.len() + 4);
    out.push('\'');
    out.push_str(prefix);
    for c in escaped.chars() {
        match c {
            '%' => out.push_str("\\%"),
            '_' => out.push_str("\\_"),
            c => out.push(c),
        }
    }
    out.push_str(suffix);
    out.push('\'');
    out
}

/// The SOSL reserved characters, each escaped with a backslash when it appears in a term.
pub const SOSL_RESERVED: &[char] = &[
    '?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-',
];

/// Escapes `value` for use as one phrase inside `FIND {"…"}`: every SOSL reserved character
/// (`? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -`) gets a backslash, tabs and line breaks become
/// spaces, other control characters are stripped. Returns the term without quotes or braces.
///
/// Example: `FIND {"` + `sosl_term("+1 (415) 555-0123")` + `"} IN PHONE FIELDS`.
pub fn sosl_term(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if SOSL_RESERVED.contains(&c) {
            out.push('\\');
            out.push(c);
        } else if matches!(c, '\n' | '\r' | '\t' | '\u{b}' | '\u{c}') {
            out.push(' ');
        } else if !is_unescapable_control(c, &[]) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks a SOQL literal the way the SOQL lexer does and returns (is one closed literal,
    /// unescaped content). Used to prove hostile input cannot end the literal early.
    fn soql_literal_is_closed_once(literal: &str) -> bool {
        let mut chars = literal.chars();
        if chars.next() != Some('\'') {
            return false;
        }
        let mut escaped = false;
        let rest: Vec<char> = chars.collect();
        for (i, c) in rest.iter().enumerate() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '\'' => return i == rest.len() - 1,
                _ => {}
            }
        }
        false
    }

    const HOSTILE: &[&str] = &[
        "' OR Name LIKE '%",
        "\\",
        "\\'",
        "a\\",
        "'",
        "\"",
        "O'Brien\"s",
        "line\nbreak\r\ttab\u{8}\u{c}",
        "nul\0byte\u{1b}esc\u{7f}del\u{85}",
        "} RETURNING User(Id",
        "😀 emoji 👩‍👩‍👧",
        "محمد علي",
        "山田太郎",
        "%_%",
    ];

    #[test]
    fn soql_literal_escapes_the_documented_sequences() {
        assert_eq!(soql_literal("O'Brien"), r"'O\'Brien'");
        assert_eq!(soql_literal(r"a\b"), r"'a\\b'");
        assert_eq!(soql_literal("say \"hi\""), r#"'say \"hi\"'"#);
        assert_eq!(
            soql_literal("a\nb\rc\td\u{8}e\u{c}f"),
            r"'a\nb\rc\td\be\ff'"
        );
        assert_eq!(soql_literal(""), "''", "empty value is an empty literal");
    }

    #[test]
    fn soql_literal_keeps_hostile_input_inside_one_literal() {
        for value in HOSTILE {
            let literal = soql_literal(value);
            assert!(
                soql_literal_is_closed_once(&literal),
                "{value:?} escaped out: {literal}"
            );
            assert!(
                !literal.chars().any(|c| c.is_control()),
                "no raw control char may remain: {literal:?}"
            );
        }
        assert_eq!(soql_literal("' OR Name LIKE '%"), r"'\' OR Name LIKE \'%'");
    }

    #[test]
    fn lone_and_trailing_backslashes_cannot_eat_the_closing_quote() {
        assert_eq!(
            soql_literal("\\"),
            r"'\\'",
            "a lone backslash must be doubled"
        );
        assert_eq!(soql_literal("abc\\"), r"'abc\\'");
        assert_eq!(sosl_term("abc\\"), r"abc\\", "same in SOSL");
    }

    #[test]
    fn control_characters_without_an_escape_are_stripped() {
        assert_eq!(
            soql_literal("a\0b\u{1b}c\u{7f}d"),
            "'abcd'",
            "NUL, ESC and DEL have no SOQL escape"
        );
        assert_eq!(
            sosl_term("a\0b\nc"),
            "ab c",
            "SOSL: NUL stripped, newline becomes a space"
        );
    }

    #[test]
    fn non_ascii_text_passes_through_unchanged() {
        for value in ["😀 emoji 👩‍👩‍👧", "محمد علي", "山田太郎", "Zoë Ångström"]
        {
            assert_eq!(
                soql_literal(value),
                format!("'{value}'"),
                "letters need no escaping"
            );
            assert_eq!(sosl_term(value), value, "letters need no escaping in SOSL");
        }
    }

    #[test]
    fn soql_like_escapes_wildcards_as_well() {
        assert_eq!(soql_like("100%_sure"), r"'100\%\_sure'");
        assert_eq!(soql_like("' OR Name LIKE '%"), r"'\' OR Name LIKE \'\%'");
        assert_eq!(
            soql_like_contains("a_b"),
            r"'%a\_b%'",
            "only our own wildcards stay live"
        );
        assert_eq!(soql_like_starts_with("Acme%"), r"'Acme\%%'");
        for value in HOSTILE {
            assert!(
                soql_literal_is_closed_once(&soql_like(value)),
                "{value:?} escaped a LIKE literal"
            );
        }
    }

    #[test]
    fn sosl_term_escapes_every_reserved_character() {
        let all: String = SOSL_RESERVED.iter().collect();
        let escaped = sosl_term(&all);
        let expected: String = SOSL_RESERVED.iter().flat_map(|c| ['\\', *c]).collect();
        assert_eq!(
            escaped, expected,
            "each reserved char gets exactly one backslash"
        );
        assert_eq!(sosl_term("} RETURNING User(Id"), r"\} RETURNING User\(Id");
        assert_eq!(sosl_term("+1 (415) 555-0123"), r"\+1 \(415\) 555\-0123");
        assert_eq!(
            sosl_term("a\"b"),
            r#"a\"b"#,
            "a quote cannot close the FIND phrase"
        );
    }

    #[test]
    fn sosl_term_never_leaves_an_unescaped_brace_or_quote() {
        for value in HOSTILE {
            let term = sosl_term(value);
            let mut escaped = false;
            for c in term.chars() {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else {
                    assert!(
                        !SOSL_RESERVED.contains(&c),
                        "{value:?} left a bare {c:?} in {term}"
                    );
                }
            }
            assert!(
                !escaped,
                "term must not end in a dangling backslash: {term}"
            );
        }
    }

    #[test]
    fn ten_thousand_characters_are_escaped_completely() {
        let value = "'\\%_é".repeat(2_000);
        assert_eq!(value.chars().count(), 10_000);
        let literal = soql_literal(&value);
        assert!(
            soql_literal_is_closed_once(&literal),
            "long input stays one literal"
        );
        assert_eq!(
            literal.chars().count(),
            2 + 10_000 + 2 * 2_000,
            "each ' and \\ gained one backslash"
        );
        assert!(soql_literal_is_closed_once(&soql_like(&value)));
        assert_eq!(
            sosl_term(&value).chars().count(),
            10_000 + 2 * 2_000,
            "each ' and \\ gained one backslash"
        );
    }
}
