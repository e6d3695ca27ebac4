//! Layout-parameter flags shared by `run`, `compare` and `pack`, applied over the
//! architecture's `[layout]` table and an optional layouts file.

use crate::config::raw::RawLayout;
use crate::config::validate::layout_params;
use crate::error::InputError;
use crate::layout::LayoutParams;
use crate::layout::params::{ColumnOrder, DarbMapping, Importance};
use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::path::PathBuf;

/// Importance score on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportanceArg {
    /// |w|.
    Magnitude,
    /// Lookahead pruning (LAP).
    Lookahead,
}

/// DARB mapping on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DarbMappingArg {
    /// Filters grouped by block size; a fold holds one size.
    ByBlockSize,
    /// All filters together, sorted by block size; folds mix sizes.
    Mixed,
}

/// Column combining's column order on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColumnOrderArg {
    /// sparsim's channel-fastest window order, (kh, kw, c).
    Sparsim,
    /// PyTorch's flattening of [F, C, kh, kw] weights, (c, kh, kw): the authors' packing.
    Torch,
}

/// Layout parameters; each overrides the layouts file, which overrides the arch's `[layout]`.
#[derive(Debug, Clone, Default, Args)]
pub struct LayoutArgs {
    /// Target sparsity, in [0, 1) [default 0.75].
    #[arg(long)]
    pub sparsity: Option<f64>,
    /// Importance score for pruning [default magnitude].
    #[arg(long, value_enum)]
    pub importance: Option<ImportanceArg>,
    /// N:M for `nm`, e.g. 2:4 [default: M = 4, N from the sparsity].
    #[arg(long)]
    pub nm: Option<String>,
    /// Block size for `bwhm` [default: nearest power of two to 1/(1 − sparsity)].
    #[arg(long)]
    pub bwhm_block: Option<u32>,
    /// Allowed DARB block sizes, comma-separated [default 1,2,4,8,16].
    #[arg(long, value_delimiter = ',')]
    pub darb_blocks: Option<Vec<u32>>,
    /// How DARB maps its block sizes: one block size per fold, or folds that mix them
    /// [default by-block-size].
    #[arg(long, value_enum)]
    pub darb_mapping: Option<DarbMappingArg>,
    /// PCONV pattern-library size [default 8].
    #[arg(long)]
    pub pconv_patterns: Option<u32>,
    /// PCONV connectivity rate: keep ⌈kernels / rate⌉ kernels [default: from the sparsity].
    #[arg(long)]
    pub pconv_connectivity: Option<f64>,
    /// Column combining: most columns per group, α [default 8].
    #[arg(long)]
    pub alpha: Option<u32>,
    /// Column combining: conflict budget per group in units of N, γ [default 0.5].
    #[arg(long)]
    pub gamma: Option<f64>,
    /// Column combining: the order its greedy visits a convolution's columns in, sparsim's
    /// channel-fastest (kh, kw, c) or PyTorch's (c, kh, kw) as the authors' code does; the
    /// columns themselves keep sparsim's order [default sparsim].
    #[arg(long, value_enum)]
    pub column_order: Option<ColumnOrderArg>,
    /// A TOML file with a `[layout]` table of defaults.
    #[arg(long)]
    pub layout_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    layout: RawLayout,
}

impl LayoutArgs {
    /// The flags given on the command line.
    pub fn given(&self) -> Vec<&'static str> {
        [
            (self.sparsity.is_some(), "--sparsity"),
            (self.importance.is_some(), "--importance"),
            (self.nm.is_some(), "--nm"),
            (self.bwhm_block.is_some(), "--bwhm-block"),
            (self.darb_blocks.is_some(), "--darb-blocks"),
            (self.darb_mapping.is_some(), "--darb-mapping"),
            (self.pconv_patterns.is_some(), "--pconv-patterns"),
            (self.pconv_connectivity.is_some(), "--pconv-connectivity"),
            (self.alpha.is_some(), "--alpha"),
            (self.gamma.is_some(), "--gamma"),
            (self.column_order.is_some(), "--column-order"),
            (self.layout_file.is_some(), "--layout-file"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }

    /// The parameters in effect over `base` (the architecture's `[layout]` table).
    pub fn resolve(&self, base: &LayoutParams) -> Result<LayoutParams> {
        let mut p = base.clone();
        if let Some(path) = &self.layout_file {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| InputError::new(&origin, format!("cannot read the file: {e}")))?;
            let f: LayoutFile = crate::toml_input::parse(&text, &origin)?;
            p = layout_params(&f.layout, &p)
                .map_err(|m| InputError::new(&origin, m).with_key("layout"))?;
        }
        let flags = RawLayout {
            sparsity: self.sparsity,
            importance: self.importance.map(|i| match i {
                ImportanceArg::Magnitude => Importance::Magnitude,
                ImportanceArg::Lookahead => Importance::Lookahead,
            }),
            nm: self.nm.clone(),
            bwhm_block: self.bwhm_block,
            darb_blocks: self.darb_blocks.clone(),
            darb_mapping: self.darb_mapping.map(|m| match m {
                DarbMappingArg::ByBlockSize => DarbMapping::ByBlockSize,
                DarbMappingArg::Mixed => DarbMapping::Mixed,
            }),
            pconv_patterns: self.pconv_patterns,
            pconv_connectivity: self.pconv_connectivity,
            colcomb_alpha: self.alpha,
            colcomb_gamma: self.gamma,
            colcomb_column_order: self.column_order.map(|o| match o {
                ColumnOrderArg::Sparsim => ColumnOrder::Sparsim,
                ColumnOrderArg::Torch => ColumnOrder::Torch,
            }),
            layerwise_nm: None,
        };
        layout_params(&flags, &p).map_err(|m| anyhow::anyhow!("layout parameters: {m}"))
    }
}
