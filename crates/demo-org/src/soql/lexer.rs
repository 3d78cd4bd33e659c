//! SOQL tokenizer: turns query text into tokens with their character column, decoding
//! string-literal escapes (`\'`, `\\`, `\n`, `\"`, `\%`, `\_`, `\uXXXX`, …) and reporting
//! anything else as MALFORMED_QUERY, as Salesforce does. SOSL reuses it after `FIND {…}`.

use crate::api_error::ApiError;

/// One character of a string literal; `escaped` keeps `\%` and `\_` literal in LIKE.
#[derive(Clone, Debug, PartialEq)]
pub struct StrChar {
    pub c: char,
    pub escaped: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A word: keyword, object, field or named date literal (case kept; compare with eq_ignore_ascii_case).
    Word(String),
    Str(Vec<StrChar>),
    /// A number as written (integer or decimal, optional leading minus).
    Num(String),
    /// An unquoted date or datetime literal such as `2026-11-20` or `2026-11-20T10:15:30Z`.
    DateLit(String),
    Comma,
    Dot,
    LParen,
    RParen,
    Colon,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Eof,
}

impl Tok {
    /// How Salesforce's messages show the token.
    pub fn display(&self) -> String {
        match self {
            Tok::Word(w) => w.clone(),
            Tok::Str(s) => format!("'{}'", s.iter().map(|c| c.c).collect::<String>()),
            Tok::Num(n) | Tok::DateLit(n) => n.clone(),
            Tok::Comma => ",".into(),
            Tok::Dot => ".".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Colon => ":".into(),
            Tok::Eq => "=".into(),
            Tok::Ne => "!=".into(),
            Tok::Lt => "<".into(),
            Tok::Gt => ">".into(),
            Tok::Le => "<=".into(),
            Tok::Ge => ">=".into(),
            Tok::Eof => "<EOF>".into(),
        }
    }

    pub fn is_word(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// A token and the 1-based column where it starts (for error messages).
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    pub tok: Tok,
    pub col: usize,
}

pub fn error_at(col: usize, what: impl std::fmt::Display) -> ApiError {
    ApiError::malformed_query(format!("ERROR at Row:1:Column:{col}\n{what}"))
}

/// Tokenizes `text`. `col_offset` shifts reported columns when lexing a suffix (SOSL).
pub fn tokenize(text: &str, col_offset: usize) -> Result<Vec<Spanned>, ApiError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1 + col_offset;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            ',' => Some(Tok::Comma),
            '.' => Some(Tok::Dot),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ':' => Some(Tok::Colon),
            '=' => Some(Tok::Eq),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Spanned { tok, col });
            i += 1;
            continue;
        }
        match c {
            '!' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push(Spanned { tok: Tok::Ne, col });
                    i += 2;
                } else {
                    return Err(error_at(col, "unexpected token: '!'"));
                }
            }
            '<' => match chars.get(i + 1) {
                Some('=') => {
                    out.push(Spanned { tok: Tok::Le, col });
                    i += 2;
                }
                Some('>') => {
                    out.push(Spanned { tok: Tok::Ne, col });
                    i += 2;
                }
                _ => {
                    out.push(Spanned { tok: Tok::Lt, col });
                    i += 1;
                }
            },
            '>' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push(Spanned { tok: Tok::Ge, col });
                    i += 2;
                } else {
                    out.push(Spanned { tok: Tok::Gt, col });
                    i += 1;
                }
            }
            '\'' => {
                let (s, next) = string_literal(&chars, i, col_offset)?;
                out.push(Spanned {
                    tok: Tok::Str(s),
                    col,
                });
                i = next;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                // A date literal: four digits then '-' then a digit (2026-11-20…).
                let is_date = c != '-'
                    && i - start == 4
                    && chars.get(i) == Some(&'-')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit);
                if is_date {
                    while i < chars.len()
                        && (chars[i].is_ascii_alphanumeric()
                            || matches!(chars[i], '-' | ':' | '.' | '+'))
                    {
                        i += 1;
                    }
                    out.push(Spanned {
                        tok: Tok::DateLit(chars[start..i].iter().collect()),
                        col,
                    });
                } else {
                    let n: String = chars[start..i].iter().collect();
                    if n.matches('.').count() > 1 || n.ends_with('.') {
                        return Err(error_at(col, format!("unexpected token: '{n}'")));
                    }
                    out.push(Spanned {
                        tok: Tok::Num(n),
                        col,
                    });
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Spanned {
                    tok: Tok::Word(chars[start..i].iter().collect()),
                    col,
                });
            }
            other => return Err(error_at(col, format!("unexpected token: '{other}'"))),
        }
    }
    out.push(Spanned {
        tok: Tok::Eof,
        col: chars.len() + 1 + col_offset,
    });
    Ok(out)
}

fn string_literal(
    chars: &[char],
    start: usize,
    col_offset: usize,
) -> Result<(Vec<StrChar>, usize), ApiError> {
    let mut i = start + 1;
    let mut s = Vec::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(error_at(
                start + 1 + col_offset,
                "line 1:".to_owned()
                    + &(start + col_offset).to_string()
                    + " mismatched character '<EOF>' expecting '''",
            ));
        };
        match c {
            '\'' => return Ok((s, i + 1)),
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(error_at(
                        i + 1 + col_offset,
                        "unexpected end of string literal after '\\'",
                    ));
                };
                let decoded = match e {
                    'n' | 'N' => '\n',
                    'r' | 'R' => '\r',
                    't' | 'T' => '\t',
                    'b' | 'B' => '\u{8}',
                    'f' | 'F' => '\u{c}',
                    '"' => '"',
                    '\'' => '\'',
                    '\\' => '\\',
                    '%' => '%',
                    '_' => '_',
                    'u' => {
                        let hex: String = chars
                            .get(i + 2..i + 6)
                            .map(|h| h.iter().collect())
                            .unwrap_or_default();
                        let decoded = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .and_then(char::from_u32);
                        let Some(d) = decoded else {
                            return Err(error_at(
                                i + 1 + col_offset,
                                "Invalid string literal: bad \\u escape",
                            ));
                        };
                        s.push(StrChar {
                            c: d,
                            escaped: true,
                        });
                        i += 6;
                        continue;
                    }
                    other => {
                        return Err(error_at(
                            i + 1 + col_offset,
                            format!(
                                "Invalid string literal '\\{other}'. Illegal character sequence '\\{other}' in string literal."
                            ),
                        ));
                    }
                };
                s.push(StrChar {
                    c: decoded,
                    escaped: true,
                });
                i += 2;
            }
            c => {
                s.push(StrChar { c, escaped: false });
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &Tok) -> String {
        match t {
            Tok::Str(s) => s.iter().map(|c| c.c).collect(),
            other => panic!("expected a string token, got {other:?}"),
        }
    }

    #[test]
    fn decodes_escapes() {
        let toks = tokenize(r#"'O\'Brien \\ \n \" \% \_ \u00e9'"#, 0).expect("valid escapes");
        assert_eq!(
            text(&toks[0].tok),
            "O'Brien \\ \n \" % _ é",
            "every documented escape decodes"
        );
    }

    #[test]
    fn unterminated_string_is_malformed() {
        let err =
            tokenize("SELECT Id FROM Contact WHERE Name = 'abc", 0).expect_err("unbalanced quote");
        assert_eq!(
            err.code, "MALFORMED_QUERY",
            "syntax errors are MALFORMED_QUERY"
        );
    }

    #[test]
    fn bad_escape_is_malformed() {
        let err = tokenize(r"'\q'", 0).expect_err("\\q is not an escape");
        assert_eq!(err.code, "MALFORMED_QUERY", "unknown escapes are rejected");
    }

    #[test]
    fn emoji_and_long_input_do_not_panic() {
        assert!(
            tokenize("'😀👍🏽'", 0).is_ok(),
            "emoji inside a literal is fine"
        );
        assert!(
            tokenize("😀", 0).is_err(),
            "emoji outside a literal is a syntax error, not a panic"
        );
        let long = format!("'{}'", "a".repeat(10_000));
        assert!(tokenize(&long, 0).is_ok(), "a 10k literal tokenizes");
        assert!(
            tokenize(&"(".repeat(10_000), 0).is_ok(),
            "10k parentheses tokenize"
        );
    }

    #[test]
    fn dates_and_numbers() {
        let toks = tokenize("2026-11-20 2026-11-20T10:15:30Z -5 3.25", 0).expect("literals");
        assert_eq!(
            toks[0].tok,
            Tok::DateLit("2026-11-20".into()),
            "date literal"
        );
        assert_eq!(
            toks[1].tok,
            Tok::DateLit("2026-11-20T10:15:30Z".into()),
            "datetime literal"
        );
        assert_eq!(toks[2].tok, Tok::Num("-5".into()), "negative number");
        assert_eq!(toks[3].tok, Tok::Num("3.25".into()), "decimal");
    }
}
