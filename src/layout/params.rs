//! Layout parameters, their defaults, and their checks.

use serde::{Deserialize, Serialize};

/// How weights are ranked for pruning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    /// |w|.
    Magnitude,
    /// Lookahead (Park et al., ICLR'20): |w| · ‖previous layer's row for this input channel‖
    /// · ‖next layer's columns for this output channel‖ (1 where a neighbour does not line up).
    Lookahead,
}

/// How DARB maps its per-filter block sizes onto the array (sparsim's own choice: the paper
/// targets a row-parallel decoder, not a systolic array).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DarbMapping {
    /// Filters grouped by block size, each group mapped on its own, so a fold holds one
    /// block size b: packed row i carries the activations of block i, every PE a b-input
    /// choice. Groups that do not fill whole column folds leave columns idle.
    ByBlockSize,
    /// All filters in one packed matrix, sorted by block size: packed row i of a filter with
    /// block size b covers window indices `[i·b, (i+1)·b)`, so a fold mixes block sizes and an
    /// array row carries the blocks of every size its filters use (per-column selects, wider
    /// row buses) but no column fold is left part-empty by a small group.
    Mixed,
}

/// The order in which column combining visits the columns of a convolution's weight matrix.
///
/// Column combining is order-sensitive: its greedy seeds groups left to right, breaks ties
/// towards the lower column and cuts the columns into 256-column slices. The columns the
/// engine sees are always sparsim's (channel-fastest, `j = (r·kw + q)·C + c`, which the ifmap
/// addresses follow); this only changes which columns end up grouped together. Matrices that
/// are not convolutions (fully connected, LSTM, GEMM), and convolutions whose kernel is 1×1 or
/// that have one input channel per group (depthwise), have one order: there both give the same
/// groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnOrder {
    /// sparsim's own window order, channel-fastest (`(kh, kw, c)`): the default.
    #[default]
    Sparsim,
    /// PyTorch's flattening of `[F, C, kh, kw]` weights, `(c, kh, kw)` (`t = (c·kh + r)·kw +
    /// q`), which the authors' code (`weight.view(F, C·kh·kw)`) groups: reproduces their
    /// packing exactly.
    Torch,
}

impl ColumnOrder {
    /// Whether this is the default, sparsim's order (left out of serialized parameters so
    /// that reports written before the option existed keep their bytes).
    pub fn is_sparsim(&self) -> bool {
        *self == ColumnOrder::Sparsim
    }
}

/// Every layout parameter, resolved. Defaults: sparsity 0.75, magnitude importance, N:M
/// derived from the sparsity with M = 4, BWHM block derived from the sparsity, DARB blocks
/// {1, 2, 4, 8, 16} mapped by block size, 8 PCONV patterns with connectivity derived from the sparsity,
/// column combining α = 8, γ = 0.5 in sparsim's column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutParams {
    /// Target fraction of zero weights, in [0, 1).
    pub sparsity: f64,
    /// Importance score for the magnitude-style prunes.
    pub importance: Importance,
    /// N:M for `nm`; `None` = derived: M = 4, N = max(1, round((1 − s)·4)).
    pub nm: Option<(u32, u32)>,
    /// Block size for `bwhm`; `None` = the power of two nearest 1/(1 − s).
    pub bwhm_block: Option<u32>,
    /// Allowed DARB block sizes, ascending.
    pub darb_blocks: Vec<u32>,
    /// How DARB's block sizes share the array.
    pub darb_mapping: DarbMapping,
    /// PCONV pattern-library size P.
    pub pconv_patterns: u32,
    /// PCONV connectivity rate (keep ⌈kernels / rate⌉ kernels); `None` = derived from the
    /// sparsity (patterns alone give 5/9).
    pub pconv_connectivity: Option<f64>,
    /// Column combining: most columns per group, α.
    pub colcomb_alpha: u32,
    /// Column combining: conflict budget per group, γ (in units of N).
    pub colcomb_gamma: f64,
    /// Column combining: the column order its greedy visits on convolutions (not serialized
    /// when it is the default, sparsim's).
    #[serde(skip_serializing_if = "ColumnOrder::is_sparsim")]
    pub colcomb_column_order: ColumnOrder,
    /// Run every layer as `nm` with the N:M its SCALE-Sim topology row declares (SCALE-Sim's
    /// `SparsitySupport = true`), when no layout is asked for.
    pub layerwise_nm: bool,
}

impl Default for LayoutParams {
    fn default() -> Self {
        LayoutParams {
            sparsity: 0.75,
            importance: Importance::Magnitude,
            nm: None,
            bwhm_block: None,
            darb_blocks: vec![1, 2, 4, 8, 16],
            darb_mapping: DarbMapping::ByBlockSize,
            pconv_patterns: 8,
            pconv_connectivity: None,
            colcomb_alpha: 8,
            colcomb_gamma: 0.5,
            colcomb_column_order: ColumnOrder::Sparsim,
            layerwise_nm: false,
        }
    }
}

/// Largest M of an N:M pattern (`--nm`, `[layout] nm`, a topology's N:M column).
pub const MAX_NM_M: u32 = 1024;

impl LayoutParams {
    /// Checks every parameter; the error names the parameter, its value and what is allowed.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..1.0).contains(&self.sparsity) {
            return Err(format!("sparsity = {} is outside [0, 1)", self.sparsity));
        }
        if let Some((n, m)) = self.nm
            && (n == 0 || n > m || m > MAX_NM_M)
        {
            return Err(format!("N:M = {n}:{m}: need 1 ≤ N ≤ M ≤ {MAX_NM_M}"));
        }
        if let Some(b) = self.bwhm_block
            && !(1..=4096).contains(&b)
        {
            return Err(format!("bwhm block = {b}: need 1 to 4096"));
        }
        let b = &self.darb_blocks;
        if b.is_empty() || b[0] == 0 || b.windows(2).any(|w| w[0] >= w[1]) || b[b.len() - 1] > 4096
        {
            return Err(format!(
                "darb blocks = {b:?}: need ascending distinct sizes from 1 to 4096, e.g. [1, 2, 4, 8, 16]"
            ));
        }
        if !(1..=56).contains(&self.pconv_patterns) {
            return Err(format!(
                "pconv patterns = {}: need 1 to 56 (the 4-tap patterns that keep the centre)",
                self.pconv_patterns
            ));
        }
        if let Some(r) = self.pconv_connectivity
            && !(r.is_finite() && r >= 1.0)
        {
            return Err(format!(
                "pconv connectivity = {r}: need a rate ≥ 1 (1 keeps every kernel)"
            ));
        }
        if self.colcomb_alpha == 0 || self.colcomb_alpha > 256 {
            return Err(format!(
                "colcomb alpha = {}: need 1 to 256",
                self.colcomb_alpha
            ));
        }
        if !(self.colcomb_gamma.is_finite() && self.colcomb_gamma >= 0.0) {
            return Err(format!(
                "colcomb gamma = {}: need a number ≥ 0",
                self.colcomb_gamma
            ));
        }
        Ok(())
    }

    /// N:M in effect.
    pub fn nm_ratio(&self) -> (u32, u32) {
        self.nm.unwrap_or_else(|| {
            let n = ((1.0 - self.sparsity) * 4.0).round().max(1.0) as u32;
            (n.min(4), 4)
        })
    }

    /// BWHM block size in effect.
    pub fn bwhm_block(&self) -> u32 {
        self.bwhm_block.unwrap_or_else(|| {
            let ideal = 1.0 / (1.0 - self.sparsity);
            let p = ideal.log2().round().max(0.0) as u32;
            1u32 << p.min(12)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_defaults() {
        let p = LayoutParams::default();
        assert_eq!(p.nm_ratio(), (1, 4));
        assert_eq!(p.bwhm_block(), 4);
        let half = LayoutParams {
            sparsity: 0.5,
            ..LayoutParams::default()
        };
        assert_eq!((half.nm_ratio(), half.bwhm_block()), ((2, 4), 2));
        let ninety = LayoutParams {
            sparsity: 0.9,
            ..LayoutParams::default()
        };
        assert_eq!((ninety.nm_ratio(), ninety.bwhm_block()), ((1, 4), 8));
    }

    #[test]
    fn bad_values_are_named() {
        let bad = |p: LayoutParams| p.validate().unwrap_err();
        let d = LayoutParams::default;
        assert_eq!(
            bad(LayoutParams {
                sparsity: 1.0,
                ..d()
            }),
            "sparsity = 1 is outside [0, 1)"
        );
        assert_eq!(
            bad(LayoutParams {
                nm: Some((5, 4)),
                ..d()
            }),
            "N:M = 5:4: need 1 ≤ N ≤ M ≤ 1024"
        );
        assert_eq!(
            bad(LayoutParams {
                nm: Some((0, 4)),
                ..d()
            }),
            "N:M = 0:4: need 1 ≤ N ≤ M ≤ 1024"
        );
        assert_eq!(
            bad(LayoutParams {
                colcomb_alpha: 0,
                ..d()
            }),
            "colcomb alpha = 0: need 1 to 256"
        );
    }
}
