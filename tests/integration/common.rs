//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `sparsim` binary with `args` in `cwd`.
pub fn sparsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sparsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

/// A fresh, empty folder for one test: `group` names the test file, `name` the test.
pub fn temp_dir(group: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sparsim-{group}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A command's standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A command's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

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

/// Cases for a property test: `PROPTEST_CASES` from the environment when set (for long local
/// runs), else `default` (what CI runs).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A NumPy `.npy` file (format 1.0, little-endian float32, C order) of `shape` holding
/// `data`, byte for byte as `numpy.save` writes it.
pub fn npy_f32(shape: &[usize], data: &[f32]) -> Vec<u8> {
    assert_eq!(shape.iter().product::<usize>(), data.len());
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic (6) + version (2) + header length (2) + header + newline: a multiple of 64.
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in data {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// A NumPy `.npz` archive (`numpy.savez`: stored entries) of `.npy` tensors by name.
pub fn npz(tensors: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, npy) in tensors {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file(format!("{name}.npy"), options).unwrap();
        w.write_all(npy).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A CSV file as rows of column → value.
pub fn csv_maps(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            h.iter()
                .map(String::from)
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Writes `dir/name`: the shipped `arch/sparse-32x32-ws.toml` with the line `from` replaced
/// by `to` (the line must be there). Returns `name`, for `--arch`.
pub fn sparse_arch_with<'a>(dir: &Path, name: &'a str, from: &str, to: &str) -> &'a str {
    let src = std::fs::read_to_string(root().join("arch/sparse-32x32-ws.toml")).unwrap();
    assert!(src.contains(from), "the sparse arch has no `{from}`");
    std::fs::write(dir.join(name), src.replace(from, to)).unwrap();
    name
}
