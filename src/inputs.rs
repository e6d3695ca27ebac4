//! Reading input files: picks the parser from the file name and reports what was read (path
//! and SHA-256) for the run summary. The shipped architectures and workloads are embedded in
//! the binary ([`crate::builtins`]): an `--arch` or `--workload` argument that is no file but a
//! built-in's name reads the built-in ([`resolve_input`]).

use crate::builtins::{self, Builtin, BuiltinKind};
use crate::config::Arch;
use crate::config::scalesim_cfg::parse_scalesim_cfg;
use crate::config::validate::{parse_arch_toml, parse_arch_toml_with};
use crate::error::InputError;
use crate::workload::Network;
use crate::workload::convnetdraw::parse_convnetdraw;
use crate::workload::onnx::{OnnxImport, OnnxOptions, import_onnx};
use crate::workload::scalesim_csv::{TopologyForm, parse_topology_csv};
use crate::workload::toml_format::parse_workload_toml;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The architecture `sparsim run` uses when none is given: (origin, text).
pub const BUILTIN_ARCH: (&str, &str) = (builtins::TPU_32X32_WS.origin, builtins::TPU_32X32_WS.text);
/// The architecture `sparsim compare` uses when none is given: (origin, text).
pub const BUILTIN_SPARSE_ARCH: (&str, &str) = (
    builtins::SPARSE_32X32_WS.origin,
    builtins::SPARSE_32X32_WS.text,
);
/// The workload `sparsim compare` uses when none is given: (origin, text).
pub const BUILTIN_COMPARE_WORKLOAD: (&str, &str) =
    (builtins::VGG16_CIFAR10.origin, builtins::VGG16_CIFAR10.text);
/// The workload `sparsim run` uses when none is given: (origin, text).
pub const BUILTIN_WORKLOAD: (&str, &str) = (builtins::RESNET50.origin, builtins::RESNET50.text);

/// An input that was read: where from and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRecord {
    /// Path as given, or the built-in name.
    pub path: String,
    /// Hex SHA-256 of the bytes read.
    pub sha256: String,
}

fn record(path: &str, text: &str) -> InputRecord {
    record_bytes(path, text.as_bytes())
}

fn record_bytes(path: &str, bytes: &[u8]) -> InputRecord {
    InputRecord {
        path: path.to_string(),
        sha256: format!("{:x}", Sha256::digest(bytes)),
    }
}

/// The record (path and hash) of a binary input file, such as weights.
pub fn record_file(path: &Path) -> Result<InputRecord, InputError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(
            &path.display().to_string(),
            format!("cannot read the file: {e}"),
        )
    })?;
    Ok(record_bytes(&path.display().to_string(), &bytes))
}

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| {
        InputError::new(
            &path.display().to_string(),
            format!("cannot read the file: {e}"),
        )
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unnamed".into())
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Loads an architecture: `.toml` (sparsim format) or `.cfg` (SCALE-Sim).
pub fn load_arch(path: &Path) -> Result<(Arch, InputRecord), InputError> {
    let origin = path.display().to_string();
    let text = read(path)?;
    let arch = match extension(path).as_str() {
        "toml" => {
            // `[energy] ert` names a file relative to the architecture file.
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let load = |name: &str| -> Result<(String, String), InputError> {
                let p = dir.join(name);
                Ok((p.display().to_string(), read(&p)?))
            };
            parse_arch_toml_with(&text, &origin, &stem(path), Some(&load))?
        }
        "cfg" => parse_scalesim_cfg(&text, &origin, &stem(path))?,
        other => {
            return Err(InputError::new(
                &origin,
                format!(
                    "unknown architecture file type `.{other}`: expected .toml (sparsim) or .cfg (SCALE-Sim)"
                ),
            ));
        }
    };
    Ok((arch, record(&origin, &text)))
}

/// The built-in default architecture.
pub fn builtin_arch() -> (Arch, InputRecord) {
    load_builtin_arch(&builtins::TPU_32X32_WS).expect("the built-in architecture is valid")
}

/// Loads a workload: `.toml` (sparsim), `.csv` (SCALE-Sim topology), `.onnx` (its MAC
/// layers, with the model's own sizes) or anything else as ConvNetDraw text. `form` applies
/// to `.csv` files.
pub fn load_workload(
    path: &Path,
    form: TopologyForm,
) -> Result<(Network, InputRecord), InputError> {
    let (net, record, _) = load_workload_with(path, form, &OnnxOptions::default())?;
    Ok((net, record))
}

/// Whether `path` names an ONNX model (by its extension).
pub fn is_onnx(path: &Path) -> bool {
    extension(path) == "onnx"
}

/// Loads a workload as [`load_workload`] does; an ONNX model is imported with `onnx`'s sizes
/// and also returned whole (its weights and the fate of every node).
pub fn load_workload_with(
    path: &Path,
    form: TopologyForm,
    onnx: &OnnxOptions,
) -> Result<(Network, InputRecord, Option<OnnxImport>), InputError> {
    let origin = path.display().to_string();
    if is_onnx(path) {
        let (import, record) = load_onnx(path, onnx)?;
        return Ok((import.network.clone(), record, Some(import)));
    }
    let text = read(path)?;
    let net = parse_workload_text(&text, &origin, &stem(path), &extension(path), form)?;
    Ok((net, record(&origin, &text), None))
}

/// Imports an ONNX model file.
pub fn load_onnx(path: &Path, opts: &OnnxOptions) -> Result<(OnnxImport, InputRecord), InputError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&origin, format!("cannot read the file: {e}")))?;
    let import = import_onnx(&bytes, &origin, &stem(path), opts)?;
    Ok((import, record_bytes(&origin, &bytes)))
}

/// Parses workload text by file extension.
pub fn parse_workload_text(
    text: &str,
    origin: &str,
    name: &str,
    extension: &str,
    form: TopologyForm,
) -> Result<Network, InputError> {
    match extension {
        "onnx" => Err(InputError::new(
            origin,
            "an ONNX model is binary: it is read from its file (run, compare and check take `--workload model.onnx`)",
        )),
        "toml" => parse_workload_toml(text, origin, name),
        "csv" => parse_topology_csv(text, origin, name, form),
        _ => parse_convnetdraw(text, origin, name),
    }
}

/// The built-in default workload.
pub fn builtin_workload() -> (Network, InputRecord) {
    load_builtin_workload(&builtins::RESNET50, TopologyForm::Detect)
        .expect("the built-in workload is valid")
}

/// The built-in architecture for comparisons (sparse-capable PEs).
pub fn builtin_sparse_arch() -> (Arch, InputRecord) {
    load_builtin_arch(&builtins::SPARSE_32X32_WS).expect("the built-in architecture is valid")
}

/// The built-in workload for comparisons.
pub fn builtin_compare_workload() -> (Network, InputRecord) {
    load_builtin_workload(&builtins::VGG16_CIFAR10, TopologyForm::Detect)
        .expect("the built-in workload is valid")
}

/// Parses a built-in architecture (a sparsim `.toml` or a SCALE-Sim `.cfg`). A built-in reads
/// no other file, so its `.toml` names no `[energy] ert`.
pub fn load_builtin_arch(b: &Builtin) -> Result<(Arch, InputRecord), InputError> {
    let arch = match b.extension() {
        "cfg" => parse_scalesim_cfg(b.text, b.origin, b.name)?,
        _ => parse_arch_toml(b.text, b.origin, b.name)?,
    };
    Ok((arch, record(b.origin, b.text)))
}

/// Parses a built-in workload by its file's extension; `form` applies to a `.csv` topology.
pub fn load_builtin_workload(
    b: &Builtin,
    form: TopologyForm,
) -> Result<(Network, InputRecord), InputError> {
    let net = parse_workload_text(b.text, b.origin, b.name, b.extension(), form)?;
    Ok((net, record(b.origin, b.text)))
}

/// Where an `--arch` or `--workload` argument (or a sweep file's `base_arch` or `workloads`
/// entry) points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A file on disk.
    File(PathBuf),
    /// A built-in, embedded in the binary.
    Builtin(&'static Builtin),
}

impl InputSource {
    /// The text of a built-in, or of the file (read as UTF-8), with its origin for errors and
    /// its extension (lower case).
    pub fn read_text(&self) -> Result<(String, String, String), InputError> {
        match self {
            InputSource::File(p) => Ok((read(p)?, p.display().to_string(), extension(p))),
            InputSource::Builtin(b) => Ok((
                b.text.to_string(),
                b.origin.to_string(),
                b.extension().to_string(),
            )),
        }
    }

    /// The name a network or sweep row gets when the file states none: the file's stem, or
    /// the built-in's name.
    pub fn stem(&self) -> String {
        match self {
            InputSource::File(p) => stem(p),
            InputSource::Builtin(b) => b.name.to_string(),
        }
    }
}

/// Resolves `arg`, relative to `dir` (empty for the current folder), to a file or a built-in:
/// an existing file always wins; else an `arg` written as a name (no folder, no extension,
/// [`builtins::is_name`]) that names a built-in of `kind` (of either kind when `None`) is that
/// built-in; else an error that names `arg`, says there is no such file and lists the built-in
/// names. A folder that is no built-in's name is returned as a file (reading it says why not).
pub fn resolve_input(
    dir: &Path,
    arg: &Path,
    kind: Option<BuiltinKind>,
) -> Result<InputSource, InputError> {
    let path = dir.join(arg);
    if path.exists() && !path.is_dir() {
        return Ok(InputSource::File(path));
    }
    let name = arg.to_str().filter(|a| builtins::is_name(a));
    let found = name.and_then(|n| match kind {
        Some(k) => builtins::find(k, n),
        None => builtins::find_any(n),
    });
    if let Some(b) = found {
        return Ok(InputSource::Builtin(b));
    }
    if path.exists() {
        return Ok(InputSource::File(path));
    }
    Err(not_found(&path, name, kind))
}

/// The error for an input that is neither a file nor a built-in's name.
fn not_found(path: &Path, name: Option<&str>, kind: Option<BuiltinKind>) -> InputError {
    let list = |k: BuiltinKind| format!("built-in {}: {}", k.plural(), builtins::names(k));
    let lists = match kind {
        Some(k) => list(k),
        None => format!(
            "{}; {}",
            list(BuiltinKind::Arch),
            list(BuiltinKind::Workload)
        ),
    };
    let message = match name {
        Some(n) => {
            let what = kind.map_or("architecture or workload", BuiltinKind::as_str);
            let other = builtins::find_any(n)
                .map(|b| format!(" (`{n}` is a built-in {})", b.kind.as_str()))
                .unwrap_or_default();
            format!(
                "no such file, and no built-in {what} has this name{other}; {lists} (`sparsim list` describes them)"
            )
        }
        None => {
            // A shipped file's path given from another folder: its built-in copy.
            let file_name = path.file_name().and_then(|f| f.to_str());
            let shipped = builtins::BUILTINS.iter().find(|b| {
                b.file.rsplit('/').next() == file_name && kind.is_none_or(|k| k == b.kind)
            });
            match shipped {
                Some(b) => format!(
                    "cannot read the file: no such file (the built-in `{}` is the shipped {})",
                    b.name, b.file
                ),
                None => format!(
                    "cannot read the file: no such file (a built-in is given by its name alone, without folder or extension; {lists})"
                ),
            }
        }
    };
    InputError::new(&path.display().to_string(), message)
}

/// Loads the architecture `arg` names: a file ([`load_arch`]) or a built-in's name
/// ([`resolve_input`]).
pub fn load_arch_or_builtin(arg: &Path) -> Result<(Arch, InputRecord), InputError> {
    match resolve_input(Path::new(""), arg, Some(BuiltinKind::Arch))? {
        InputSource::File(p) => load_arch(&p),
        InputSource::Builtin(b) => load_builtin_arch(b),
    }
}

/// Loads the workload `arg` names: a file ([`load_workload_with`]) or a built-in's name
/// ([`resolve_input`]; no built-in is an ONNX model).
pub fn load_workload_or_builtin(
    arg: &Path,
    form: TopologyForm,
    onnx: &OnnxOptions,
) -> Result<(Network, InputRecord, Option<OnnxImport>), InputError> {
    match resolve_input(Path::new(""), arg, Some(BuiltinKind::Workload))? {
        InputSource::File(p) => load_workload_with(&p, form, onnx),
        InputSource::Builtin(b) => {
            let (net, record) = load_builtin_workload(b, form)?;
            Ok((net, record, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in parses, by the parser its extension picks, under its own name.
    #[test]
    fn every_built_in_loads() {
        for b in builtins::BUILTINS {
            match b.kind {
                BuiltinKind::Arch => {
                    let (arch, record) = load_builtin_arch(b).unwrap();
                    assert_eq!(arch.name, b.name);
                    assert_eq!(record.path, b.origin);
                }
                BuiltinKind::Workload => {
                    let (net, record) = load_builtin_workload(b, TopologyForm::Detect).unwrap();
                    assert_eq!(net.name, b.name);
                    assert!(!net.layers.is_empty(), "{}", b.name);
                    assert_eq!(record.path, b.origin);
                }
            }
        }
    }

    #[test]
    fn a_name_resolves_to_its_built_in_of_the_asked_kind() {
        let here = Path::new("");
        let got = resolve_input(here, Path::new("resnet50"), Some(BuiltinKind::Workload));
        assert_eq!(got, Ok(InputSource::Builtin(&builtins::RESNET50)));
        assert!(resolve_input(here, Path::new("resnet50"), Some(BuiltinKind::Arch)).is_err());
        assert_eq!(
            resolve_input(here, Path::new("sparse-32x32-ws"), None),
            Ok(InputSource::Builtin(&builtins::SPARSE_32X32_WS))
        );
        // This source file exists: a file wins, whatever its name.
        let me = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/inputs.rs");
        assert_eq!(
            resolve_input(here, &me, None),
            Ok(InputSource::File(me.clone()))
        );
        // The default loaders are the table's.
        assert_eq!(builtin_workload().1.path, BUILTIN_WORKLOAD.0);
        assert_eq!(builtin_arch().1.path, "<built-in arch/tpu-32x32-ws.toml>");
    }
}
