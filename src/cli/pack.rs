//! `sparsim pack`: one weight matrix's packing, as JSON or a summary.

use super::PackArgs;
use crate::layout::packed::{EMPTY, Packed};
use crate::layout::params::Importance;
use crate::layout::{LayerContext, LayoutKind, build};
use crate::weights::WeightMatrix;
use crate::weights::files::{NamedTensor, read_tensors};
use anyhow::{Result, bail};
use serde::Serialize;

/// The JSON document `pack --json` prints. W orientation: rows = filters, columns = K.
#[derive(Debug, Serialize)]
pub struct PackReport {
    /// Layout.
    pub layout: &'static str,
    /// Tensor packed.
    pub tensor: String,
    /// Tensor shape as stored.
    pub shape: Vec<usize>,
    /// W rows (filters) and columns (window length).
    pub n: usize,
    /// W columns.
    pub k: usize,
    /// Rows of the packed matrix: filters kept (all-zero filters dropped where the layout
    /// drops them).
    pub packed_rows: usize,
    /// Columns of the packed matrix: column groups (colcomb), N:M slots (nm), kept weights of
    /// the densest filter (irregular), K (dense, masked), blocks of the widest class (darb).
    pub packed_cols: usize,
    /// PE slots of the packing (`packed_rows · packed_cols` except for darb, whose classes
    /// have different widths: the sum over classes).
    pub packed_cells: u64,
    /// Nonzeros before pruning.
    pub nnz_before: u64,
    /// Nonzeros kept.
    pub nnz_after: u64,
    /// nnz_after / packed_cells.
    pub utilization: f64,
    /// Fraction of W that is zero after pruning.
    pub sparsity: f64,
    /// Σw²(kept) / Σw².
    pub kept_weight_energy: f64,
    /// Metadata bits.
    pub metadata_bits: u64,
    /// Largest number of distinct activations one packed column needs over all filters.
    pub max_column_demand: usize,
    /// Column combining: each group's original column indices (K indices of W).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Vec<u32>>>,
    /// DARB/BWHM: block size and filters of each class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<Class>>,
    /// What the layout did besides its rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A DARB block-size class.
#[derive(Debug, Serialize)]
pub struct Class {
    /// Block size.
    pub block: u32,
    /// Original filter indices.
    pub filters: Vec<u32>,
}

/// The weight matrix of a tensor: 2-D `[N, K]` as is, 4-D `[F, C, kh, kw]` reordered to
/// channel-fastest windows.
fn matrix_of(t: &NamedTensor) -> Result<(WeightMatrix, LayerContext)> {
    if t.data.is_empty() {
        bail!(
            "tensor `{}` has shape {:?}: no weights to pack",
            t.name,
            t.shape
        );
    }
    if let Some((index, value)) = crate::weights::first_non_finite(t) {
        bail!("{}", crate::weights::non_finite_message(t, &index, value));
    }
    match t.shape[..] {
        [n, k] => Ok((
            WeightMatrix::new(n, k, t.data.clone()),
            LayerContext { kernel: None },
        )),
        [f, c, kh, kw] => {
            let k = c * kh * kw;
            let mut data = vec![0.0f32; f * k];
            for n in 0..f {
                for ch in 0..c {
                    for r in 0..kh {
                        for q in 0..kw {
                            data[n * k + (r * kw + q) * c + ch] =
                                t.data[((n * c + ch) * kh + r) * kw + q];
                        }
                    }
                }
            }
            Ok((
                WeightMatrix::new(f, k, data),
                LayerContext {
                    kernel: Some((kh, kw, c)),
                },
            ))
        }
        _ => bail!(
            "tensor `{}` has shape {:?}: expected a 2-D [N, K] matrix or a 4-D [F, C, kh, kw] convolution weight",
            t.name,
            t.shape
        ),
    }
}

/// Builds the report of a packing.
pub fn report(kind: LayoutKind, tensor: &NamedTensor, w: &WeightMatrix, p: &Packed) -> PackReport {
    let packed_rows = p.blocks.iter().map(|b| b.cols()).sum();
    let packed_cols = p.blocks.iter().map(|b| b.rows).max().unwrap_or(0);
    let cells = p.packed_cells();
    let max_column_demand = p
        .blocks
        .iter()
        .flat_map(|b| {
            (0..b.rows).map(move |r| {
                let mut ks: Vec<u32> = (0..b.cols())
                    .map(|c| b.cell(r, c).k)
                    .filter(|&k| k != EMPTY)
                    .collect();
                ks.sort_unstable();
                ks.dedup();
                ks.len()
            })
        })
        .max()
        .unwrap_or(0);
    let darb = matches!(kind, LayoutKind::Darb | LayoutKind::Bwhm);
    PackReport {
        layout: kind.as_str(),
        tensor: tensor.name.clone(),
        shape: tensor.shape.clone(),
        n: w.n,
        k: w.k,
        packed_rows,
        packed_cols,
        packed_cells: cells,
        nnz_before: p.nnz_before,
        nnz_after: p.nnz_after,
        utilization: if cells == 0 {
            0.0
        } else {
            p.nnz_after as f64 / cells as f64
        },
        sparsity: p.sparsity(),
        kept_weight_energy: p.kept_weight_energy(),
        metadata_bits: p.metadata_bits(),
        max_column_demand,
        groups: (kind == LayoutKind::Colcomb).then(|| p.groups.clone()),
        classes: darb.then(|| {
            p.blocks
                .iter()
                .map(|b| Class {
                    block: b.block_size,
                    filters: b.filters.clone(),
                })
                .collect()
        }),
        note: p.note.clone(),
    }
}

pub(super) fn pack_command(a: PackArgs) -> Result<()> {
    let kind = LayoutKind::parse(&a.layout).map_err(|e| anyhow::anyhow!("--layout: {e}"))?;
    let params = a.params.resolve(&crate::layout::LayoutParams::default())?;
    if params.importance == Importance::Lookahead {
        bail!(
            "--importance lookahead needs the neighbouring layers' weights: use it with `compare` or `run` on a workload"
        );
    }
    let tensors = read_tensors(&a.weights)?;
    let t = match &a.tensor {
        Some(name) => tensors.iter().find(|t| &t.name == name).ok_or_else(|| {
            let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
            anyhow::anyhow!(
                "{}: no tensor `{name}` (the file has {})",
                a.weights.display(),
                names.join(", ")
            )
        })?,
        None => match &tensors[..] {
            [t] => t,
            _ => {
                let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
                bail!(
                    "{} holds {} tensors ({}): choose one with --tensor",
                    a.weights.display(),
                    tensors.len(),
                    names.join(", ")
                )
            }
        },
    };
    let (w, ctx) = matrix_of(t).map_err(|e| anyhow::anyhow!("{}: {e}", a.weights.display()))?;
    let scores: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
    let packed = build(kind, &params).prune_and_pack(&w, &scores, &ctx);
    let r = report(kind, t, &w, &packed);
    if a.json {
        crate::report::finite::assert_finite("pack --json", &r);
        println!(
            "{}",
            serde_json::to_string_pretty(&r).expect("the report serializes")
        );
    } else {
        println!(
            "{} `{}` {}x{}: {} of {} nonzeros kept (sparsity {:.1}%), packed {}x{} ({} cells), utilization {:.1}%, {} metadata bits{}",
            r.layout,
            r.tensor,
            r.n,
            r.k,
            r.nnz_after,
            r.nnz_before,
            100.0 * r.sparsity,
            r.packed_rows,
            r.packed_cols,
            r.packed_cells,
            100.0 * r.utilization,
            r.metadata_bits,
            r.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
