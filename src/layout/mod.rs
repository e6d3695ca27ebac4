//! Sparse weight layouts (`docs/model.md` §6): each is a pruning rule (dense W → kept weights) and a
//! packing (kept weights → packed rows on the weight-stationary array's rows, filters on its
//! columns). One file per layout; [`Layout`] is their common interface.

pub mod colcomb;
pub mod colcomb_groups;
pub mod darb;
pub mod dense;
pub mod importance;
pub mod irregular;
pub mod nm;
pub mod packed;
pub mod params;
pub mod pconv;
pub mod prune;

use crate::weights::WeightMatrix;
use packed::Packed;
pub use params::LayoutParams;
use serde::Serialize;
use std::fmt;

/// The layouts sparsim models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    /// Unpruned weights on a plain array: the reference.
    Dense,
    /// Irregular's mask left in place on a plain array (zeros are ineffectual MACs).
    Masked,
    /// Unstructured top-k, each filter's nonzeros compacted (CSC).
    Irregular,
    /// N:M fine-grained structured sparsity along K.
    Nm,
    /// Block-max weight masking with one block size for all filters (1:b).
    Bwhm,
    /// Density-adaptive regular blocks: a block size per filter.
    Darb,
    /// PCONV: 4-tap kernel patterns plus connectivity (whole-kernel) pruning.
    Pconv,
    /// Column combining (Kung, McDanel, Zhang).
    Colcomb,
}

impl LayoutKind {
    /// Every layout, in report order.
    pub const ALL: [LayoutKind; 8] = [
        LayoutKind::Dense,
        LayoutKind::Masked,
        LayoutKind::Irregular,
        LayoutKind::Nm,
        LayoutKind::Bwhm,
        LayoutKind::Darb,
        LayoutKind::Pconv,
        LayoutKind::Colcomb,
    ];

    /// Lower-case name, as on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LayoutKind::Dense => "dense",
            LayoutKind::Masked => "masked",
            LayoutKind::Irregular => "irregular",
            LayoutKind::Nm => "nm",
            LayoutKind::Bwhm => "bwhm",
            LayoutKind::Darb => "darb",
            LayoutKind::Pconv => "pconv",
            LayoutKind::Colcomb => "colcomb",
        }
    }

    /// Parses a layout name.
    pub fn parse(s: &str) -> Result<LayoutKind, String> {
        LayoutKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = LayoutKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown layout `{s}`: expected one of {}", names.join(", "))
            })
    }

    /// Whether the layout needs PE muxes / a row bus wider than one (every one but dense and
    /// masked).
    pub fn is_packed(self) -> bool {
        !matches!(self, LayoutKind::Dense | LayoutKind::Masked)
    }
}

impl fmt::Display for LayoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a layout may need to know about the layer besides its weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerContext {
    /// Kernel `(kh, kw)` and input channels per group, for convolutions.
    pub kernel: Option<(usize, usize, usize)>,
}

impl LayerContext {
    /// Whether the layer is a 3×3 convolution (PCONV's domain).
    pub fn is_3x3_conv(&self) -> bool {
        matches!(self.kernel, Some((3, 3, _)))
    }
}

/// A weight layout: a pruning rule and a packing.
///
/// Contract: `prune_and_pack` starts from the nonzeros of `w` (zeros already there stay
/// pruned), ranks weights by `scores` (same shape as `w.data`; higher = more important), keeps
/// a subset of the nonzeros with their values unchanged, and places every kept weight in
/// exactly one packed cell whose `k` is the weight's column in W; a cell's `w` equals
/// `W[filter][k]` and no cell holds a weight the layout pruned (only `masked` keeps pruned
/// positions, with `w = 0`). The result is deterministic in its inputs.
pub trait Layout {
    /// Which layout this is.
    fn kind(&self) -> LayoutKind;
    /// Prunes and packs one weight matrix, reusing what `p` has already computed for it.
    fn pack_pruned(&self, p: &prune::Pruning, ctx: &LayerContext) -> Packed;
    /// Prunes and packs one weight matrix.
    fn prune_and_pack(&self, w: &WeightMatrix, scores: &[f32], ctx: &LayerContext) -> Packed {
        self.pack_pruned(&prune::Pruning::new(w, scores), ctx)
    }
}

/// The layout `kind` with its parameters from `p`.
pub fn build(kind: LayoutKind, p: &LayoutParams) -> Box<dyn Layout + Send + Sync> {
    match kind {
        LayoutKind::Dense => Box::new(dense::Dense),
        LayoutKind::Masked => Box::new(dense::Masked {
            sparsity: p.sparsity,
        }),
        LayoutKind::Irregular => Box::new(irregular::Irregular {
            sparsity: p.sparsity,
        }),
        LayoutKind::Nm => {
            let (n, m) = p.nm_ratio();
            Box::new(nm::Nm { n, m })
        }
        LayoutKind::Bwhm => Box::new(darb::Darb {
            sparsity: p.sparsity,
            block_sizes: vec![p.bwhm_block()],
            kind: LayoutKind::Bwhm,
            mapping: params::DarbMapping::ByBlockSize,
        }),
        LayoutKind::Darb => Box::new(darb::Darb {
            sparsity: p.sparsity,
            block_sizes: p.darb_blocks.clone(),
            kind: LayoutKind::Darb,
            mapping: p.darb_mapping,
        }),
        LayoutKind::Pconv => Box::new(pconv::Pconv {
            sparsity: p.sparsity,
            patterns: p.pconv_patterns,
            connectivity: p.pconv_connectivity,
        }),
        LayoutKind::Colcomb => Box::new(colcomb::Colcomb {
            sparsity: p.sparsity,
            alpha: p.colcomb_alpha,
            gamma: p.colcomb_gamma,
            order: p.colcomb_column_order,
        }),
    }
}
