//! Reading input files: picks the parser from the file name and reports what was read (path
//! and SHA-256) for the run summary. The built-in defaults are embedded in the binary.

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
use std::path::Path;

/// The architecture `sparsim run` uses when none is given.
pub const BUILTIN_ARCH: (&str, &str) = (
    "<built-in arch/tpu-32x32-ws.toml>",
    include_str!("../arch/tpu-32x32-ws.toml"),
);
/// The architecture `sparsim compare` uses when none is given.
pub const BUILTIN_SPARSE_ARCH: (&str, &str) = (
    "<built-in arch/sparse-32x32-ws.toml>",
    include_str!("../arch/sparse-32x32-ws.toml"),
);
/// The workload `sparsim compare` uses when none is given.
pub const BUILTIN_COMPARE_WORKLOAD: (&str, &str) = (
    "<built-in workloads/vgg16_cifar10.toml>",
    include_str!("../workloads/vgg16_cifar10.toml"),
);
/// The workload `sparsim run` uses when none is given.
pub const BUILTIN_WORKLOAD: (&str, &str) = (
    "<built-in workloads/resnet50.toml>",
    include_str!("../workloads/resnet50.toml"),
);

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
    let (origin, text) = BUILTIN_ARCH;
    let arch =
        parse_arch_toml(text, origin, "tpu-32x32-ws").expect("the built-in architecture is valid");
    (arch, record(origin, text))
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
    let (origin, text) = BUILTIN_WORKLOAD;
    let net =
        parse_workload_toml(text, origin, "resnet50").expect("the built-in workload is valid");
    (net, record(origin, text))
}

/// The built-in architecture for comparisons (sparse-capable PEs).
pub fn builtin_sparse_arch() -> (Arch, InputRecord) {
    let (origin, text) = BUILTIN_SPARSE_ARCH;
    let arch = parse_arch_toml(text, origin, "sparse-32x32-ws")
        .expect("the built-in architecture is valid");
    (arch, record(origin, text))
}

/// The built-in workload for comparisons.
pub fn builtin_compare_workload() -> (Network, InputRecord) {
    let (origin, text) = BUILTIN_COMPARE_WORKLOAD;
    let net =
        parse_workload_toml(text, origin, "vgg16_cifar10").expect("the built-in workload is valid");
    (net, record(origin, text))
}
