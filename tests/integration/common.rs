//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// Reads a SCALE-Sim report: header cells and data rows, each split on `,` and trimmed,
/// without the trailing empty cell.
pub fn read_report(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let split = |l: &str| -> Vec<String> {
        let mut c: Vec<String> = l.split(',').map(|s| s.trim().to_string()).collect();
        if c.last().is_some_and(|s| s.is_empty()) {
            c.pop();
        }
        c
    };
    let header = split(lines.next().expect("header"));
    (header, lines.map(split).collect())
}

/// Column `name` of a report row.
pub fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    &row[i]
}
