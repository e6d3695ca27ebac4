//! A small INI reader with the rules of Python's `configparser` that SCALE-Sim relies on:
//! `[section]` headers, `key = value` or `key : value` (the first `=` or `:` splits), keys
//! case-insensitive, values trimmed, whole-line comments starting with `#` or `;`, blank
//! lines ignored. Duplicate sections or keys are errors (configparser's strict mode).

use crate::error::InputError;
use std::collections::HashMap;

/// One `key = value` entry with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniEntry {
    /// Section name as written.
    pub section: String,
    /// Key as written (compare with [`IniEntry::key_is`]).
    pub key: String,
    /// Trimmed value.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

impl IniEntry {
    /// Case-insensitive key comparison, as configparser does.
    pub fn key_is(&self, name: &str) -> bool {
        self.key.eq_ignore_ascii_case(name)
    }
}

/// A parsed INI document: entries in file order, and section headers with their lines.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    /// All entries, in file order.
    pub entries: Vec<IniEntry>,
    /// Section names with the line of their header.
    pub sections: Vec<(String, usize)>,
}

impl Ini {
    /// Parses `src`; `origin` names it in errors.
    pub fn parse(src: &str, origin: &str) -> Result<Ini, InputError> {
        let mut ini = Ini::default();
        let mut section: Option<String> = None;
        // Lookups for the duplicate checks (a linear scan per line made large files
        // quadratic): section → header line, (section, lower-case key) → entry line.
        let mut section_lines: HashMap<String, usize> = HashMap::new();
        let mut key_lines: HashMap<(String, String), usize> = HashMap::new();
        for (i, raw_line) in src.lines().enumerate() {
            let line_no = i + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(name) = rest.strip_suffix(']') else {
                    return Err(InputError::at_line(
                        origin,
                        line_no,
                        format!("section header `{line}` has no closing `]`"),
                    ));
                };
                let name = name.trim().to_string();
                if section_lines.insert(name.clone(), line_no).is_some() {
                    return Err(InputError::at_line(
                        origin,
                        line_no,
                        format!("section `[{name}]` appears twice"),
                    ));
                }
                ini.sections.push((name.clone(), line_no));
                section = Some(name);
                continue;
            }
            let Some(split) = line.find(['=', ':']) else {
                return Err(InputError::at_line(
                    origin,
                    line_no,
                    format!("`{line}` is neither a `[section]` nor a `key = value` line"),
                ));
            };
            let key = line[..split].trim().to_string();
            let value = line[split + 1..].trim().to_string();
            let Some(section) = section.clone() else {
                return Err(InputError::at_line(
                    origin,
                    line_no,
                    format!("`{key}` comes before any `[section]` header"),
                ));
            };
            if key.is_empty() {
                return Err(InputError::at_line(
                    origin,
                    line_no,
                    "a line has a value but no key",
                ));
            }
            if let Some(&first) = key_lines.get(&(section.clone(), key.to_ascii_lowercase())) {
                return Err(InputError::at_line(
                    origin,
                    line_no,
                    format!("`{key}` in [{section}] is set twice (first on line {first})"),
                ));
            }
            key_lines.insert((section.clone(), key.to_ascii_lowercase()), line_no);
            ini.entries.push(IniEntry {
                section,
                key,
                value,
                line: line_no,
            });
        }
        Ok(ini)
    }

    /// The entry `key` in `section` (section exact, key case-insensitive).
    pub fn get(&self, section: &str, key: &str) -> Option<&IniEntry> {
        self.entries
            .iter()
            .find(|e| e.section == section && e.key_is(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_delimiters_and_ignores_case() {
        let ini = Ini::parse("# c\n[a]\nFoo : 1\nbar= x y \n", "t.cfg").unwrap();
        assert_eq!(ini.get("a", "foo").unwrap().value, "1");
        assert_eq!(ini.get("a", "BAR").unwrap().value, "x y");
        assert_eq!(ini.get("a", "bar").unwrap().line, 4);
    }

    #[test]
    fn rejects_duplicates_and_orphans() {
        let e = Ini::parse("[a]\nx=1\nX=2\n", "t.cfg").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.cfg:3: `X` in [a] is set twice (first on line 2)"
        );
        let e = Ini::parse("x=1\n", "t.cfg").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.cfg:1: `x` comes before any `[section]` header"
        );
    }
}
