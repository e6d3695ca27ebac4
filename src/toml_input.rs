//! Deserializing TOML inputs with errors that say where and what.
//!
//! `toml` reports a byte span and a message; this module turns them into an [`InputError`]
//! with line, column and the dotted key path (`sram.ifmap_kb`, `layer[2].kernel`), recovered
//! from the source text around the span.

use crate::error::{InputError, line_column};
use serde::de::DeserializeOwned;

/// Parses `src` (from `origin`) into `T`, mapping any error to an [`InputError`].
pub fn parse<T: DeserializeOwned>(src: &str, origin: &str) -> Result<T, InputError> {
    toml::from_str(src).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let (line, column) = line_column(src, span.start);
                let mut err =
                    InputError::at_line(origin, line, message.clone()).with_column(column);
                err.key = match missing_field(&message) {
                    // The span covers the table that lacks the field.
                    Some(field) => Some(match table_at(src, span.start) {
                        Some(t) => format!("{t}.{field}"),
                        None => field.to_string(),
                    }),
                    None => key_path_at(src, span.start),
                };
                err
            }
            None => InputError::new(origin, message),
        }
    })
}

/// The 1-based line on which the dotted `key` (`table.key` or a top-level `key`) is set as
/// `key = …` under its table header, if it is written that way.
pub fn line_of_key(src: &str, key: &str) -> Option<usize> {
    let (table, name) = match key.rsplit_once('.') {
        Some((t, n)) => (t, n),
        None => ("", key),
    };
    let mut current = String::new();
    for (i, line) in src.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("").trim();
        if code.starts_with('[') {
            current = clean_key(code.trim_matches(['[', ']']));
            continue;
        }
        if let Some((k, _)) = code.split_once('=')
            && current == table
            && clean_key(k) == name
        {
            return Some(i + 1);
        }
    }
    None
}

/// The field named by a serde "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// The table whose header is on the line of `offset`, or else the table in force there.
fn table_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    enclosing_table(&src[..line_end])
}

/// The dotted key path of the value or key at byte `offset`, if the line has one.
pub fn key_path_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    let line = &src[line_start..line_end];
    let col = offset - line_start;
    let key = key_on_line(line, col)?;
    if line.trim_start().starts_with('[') {
        return Some(key);
    }
    let table = enclosing_table(&src[..line_start]);
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

/// The key a position on a `key = value` line belongs to (inline tables included).
fn key_on_line(line: &str, col: usize) -> Option<String> {
    let code = line.split('#').next().unwrap_or("");
    let trimmed = code.trim();
    if trimmed.starts_with('[') {
        return non_empty(clean_key(trimmed.trim_matches(['[', ']'])));
    }
    let head = &code[..col.min(code.len())];
    let (before_value, is_value) = match head.rfind('=') {
        Some(eq) => (&head[..eq], true),
        None => (head, false),
    };
    if is_value {
        let start = before_value.rfind(['{', ',']).map_or(0, |i| i + 1);
        let key = clean_key(&before_value[start..]);
        let outer = inline_outer_key(&before_value[..start]);
        return non_empty(match outer {
            Some(o) => format!("{o}.{key}"),
            None => key,
        });
    }
    // The span points at a key (e.g. an unknown field): take the word at the position.
    let rest = &code[col.min(code.len())..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '"' | '.'))
        .collect();
    let outer = inline_outer_key(head);
    non_empty(match outer {
        Some(o) => format!("{o}.{}", clean_key(&word)),
        None => clean_key(&word),
    })
}

/// For `a = { b = 1, c = ` returns `Some("a")`: the key owning the innermost open inline table.
fn inline_outer_key(prefix: &str) -> Option<String> {
    let brace = prefix.rfind('{')?;
    let before = &prefix[..brace];
    let eq = before.rfind('=')?;
    let start = before[..eq].rfind(['{', ',']).map_or(0, |i| i + 1);
    non_empty(clean_key(&before[start..eq]))
}

fn clean_key(raw: &str) -> String {
    raw.trim().trim_matches('"').trim_matches('\'').to_string()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The table header in force at the end of `before`: `sram` for `[sram]`, `layer[2]` for the
/// third `[[layer]]`.
fn enclosing_table(before: &str) -> Option<String> {
    let mut current: Option<String> = None;
    let mut array_counts: Vec<(String, usize)> = Vec::new();
    for line in before.lines() {
        let t = line.split('#').next().unwrap_or("").trim();
        if let Some(inner) = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let name = clean_key(inner);
            let idx = match array_counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count - 1
                }
                None => {
                    array_counts.push((name.clone(), 1));
                    0
                }
            };
            current = Some(format!("{name}[{idx}]"));
        } else if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = Some(clean_key(inner));
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_for_value_in_table() {
        let src = "name = \"x\"\n[sram]\nifmap_kb = 0\n";
        let off = src.find('0').unwrap();
        assert_eq!(key_path_at(src, off).as_deref(), Some("sram.ifmap_kb"));
    }

    #[test]
    fn key_path_for_array_of_tables() {
        let src = "[[layer]]\nname = \"a\"\n[[layer]]\nkernel = -3\n";
        let off = src.find("-3").unwrap();
        assert_eq!(key_path_at(src, off).as_deref(), Some("layer[1].kernel"));
    }

    #[test]
    fn key_path_for_unknown_key_and_inline_table() {
        let src = "[array]\nrowz = 3\n";
        assert_eq!(
            key_path_at(src, src.find("rowz").unwrap()).as_deref(),
            Some("array.rowz")
        );
        let src = "array = { rows = 4, cols = 0 }\n";
        let off = src.find('0').unwrap();
        assert_eq!(key_path_at(src, off).as_deref(), Some("array.cols"));
    }
}
