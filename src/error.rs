//! Errors for bad user input.
//!
//! Every problem in a config or workload becomes an [`InputError`] that names the input (file
//! name or `<built-in …>`), the line and column when known, the key or layer, the bad value and
//! what is allowed. Panics are reserved for broken internal contracts.

use std::fmt;

/// A problem in user input, located as precisely as the parser knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where the input came from: a path as the user gave it, or a `<built-in …>` name.
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// The key (dotted path) or item the problem is about, when known.
    pub key: Option<String>,
    /// What is wrong: the bad value and what is allowed.
    pub message: String,
}

impl InputError {
    /// An error about the input as a whole.
    pub fn new(origin: &str, message: impl Into<String>) -> InputError {
        InputError {
            origin: origin.to_string(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
        }
    }

    /// An error on a given 1-based line.
    pub fn at_line(origin: &str, line: usize, message: impl Into<String>) -> InputError {
        InputError {
            line: Some(line),
            ..InputError::new(origin, message)
        }
    }

    /// Adds the key (dotted path or item name) the error is about.
    pub fn with_key(mut self, key: impl Into<String>) -> InputError {
        self.key = Some(key.into());
        self
    }

    /// Adds a column.
    pub fn with_column(mut self, column: usize) -> InputError {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// 1-based (line, column) of a byte offset in `src`; the column counts characters.
pub fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 6), (2, 1));
        assert_eq!(line_column(src, 11), (2, 6));
    }

    #[test]
    fn display_names_every_part() {
        let e = InputError::at_line("arch/x.toml", 3, "bad")
            .with_column(8)
            .with_key("array.rows");
        assert_eq!(e.to_string(), "arch/x.toml:3:8: array.rows: bad");
        assert_eq!(
            InputError::new("w.csv", "empty").to_string(),
            "w.csv: empty"
        );
    }
}
