//! `summary.json`: network totals, the fully resolved architecture, the workload, the tool
//! version and the hashes of the input files.

use crate::config::Arch;
use crate::inputs::InputRecord;
use crate::stats::NetworkTotals;
use serde::Serialize;

/// The summary document.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Tool name and version.
    pub tool: Tool,
    /// Inputs read.
    pub inputs: Inputs<'a>,
    /// The architecture as simulated, every default resolved.
    pub arch: &'a Arch,
    /// Workload name and size.
    pub workload: WorkloadInfo<'a>,
    /// Network totals.
    pub totals: &'a NetworkTotals,
    /// Seed of the synthetic weights, when a layout pruned synthetic weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Spreads of those synthetic weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_spread: Option<crate::weights::WeightSpread>,
}

/// Tool identity.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// Always `sparsim`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "sparsim",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The input files.
#[derive(Debug, Serialize)]
pub struct Inputs<'a> {
    /// Architecture file.
    pub arch: &'a InputRecord,
    /// Workload file.
    pub workload: &'a InputRecord,
}

/// Workload identity.
#[derive(Debug, Serialize)]
pub struct WorkloadInfo<'a> {
    /// Network name.
    pub name: &'a str,
    /// Number of layers.
    pub layers: usize,
}

/// Renders the summary as pretty JSON with a trailing newline.
pub fn summary_json(s: &Summary) -> Vec<u8> {
    json_file("summary.json", s)
}

/// Any result document as pretty JSON with a trailing newline, its floats checked
/// ([`super::finite::assert_finite`]; serde_json would silently write NaN as `null`).
pub fn json_file<T: Serialize + ?Sized>(file: &str, s: &T) -> Vec<u8> {
    super::finite::assert_finite(file, s);
    let mut v = serde_json::to_vec_pretty(s).expect("the summary serializes");
    v.push(b'\n');
    v
}
