//! The column chunks of a packed layer: what each packed row contributes to a fold, for a
//! given number of array columns.
//!
//! A packed layer maps in folds of up to C array columns (a column chunk of a block) and up to
//! R of the packed rows that hold a weight in those columns. Everything a fold needs of one
//! packed row within its chunk — whether it is active, its bus demand (distinct activations),
//! its effectual cells, decoded entries, metadata bits and the activations themselves — depends
//! on C but not on R, the bus, the ports or the memory. So the chunks are summarized once per
//! C ([`LayerChunks::new`]) and any number of array heights and PE configurations assemble
//! their folds from the summaries ([`super::sparse::map_chunks`]) without reading the cells
//! again.

use crate::layout::packed::{EMPTY, Packed, PackedBlock};
use std::ops::Range;

/// What one active packed row contributes to its column chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowSummary {
    /// Packed row index in the block.
    pub row: u32,
    /// Distinct activations (window indices) the row's cells in the chunk use: its bus demand.
    pub demand: u32,
    /// Cells holding a nonzero weight.
    pub effectual: u32,
    /// Cells carrying metadata (decoded entries).
    pub entries: u32,
    /// Metadata bits of the row's cells in the chunk, empty cells included.
    pub meta_bits: u64,
}

/// One column chunk of a block: its active rows in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Block index in the packing.
    pub block: usize,
    /// Chunk index within the block.
    pub index: usize,
    /// The block's columns in the chunk.
    pub cols: Range<usize>,
    /// Metadata bits the chunk's columns carry besides their cells.
    pub column_bits: u64,
    /// Active rows (a weight in some column of the chunk), ascending.
    pub rows: Vec<RowSummary>,
    /// Each active row's distinct activations, concatenated in row order; row `i`'s are
    /// `ks[ks_start[i]..ks_start[i + 1]]`.
    pub ks: Vec<u32>,
    /// Offsets into `ks`, one more than `rows`.
    pub ks_start: Vec<u32>,
}

impl Chunk {
    /// Row `i`'s distinct activations.
    pub fn row_ks(&self, i: usize) -> &[u32] {
        &self.ks[self.ks_start[i] as usize..self.ks_start[i + 1] as usize]
    }
}

/// The column chunks of one packing, in mapping order (block by block).
#[derive(Debug, Clone, PartialEq)]
pub struct PackChunks {
    /// Chunks in order.
    pub chunks: Vec<Chunk>,
    /// All metadata bits of the packing: every cell's (active or not) plus the columns'.
    pub metadata_bits: u64,
}

/// The column chunks of a layer's packings for one array width.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerChunks {
    /// Array columns C the chunks were cut for.
    pub cols: u32,
    /// One per packing.
    pub packs: Vec<PackChunks>,
}

/// Rows summarized at a time: a tile of rows × chunk columns stays in cache.
const ROW_TILE: usize = 256;

/// Rows summarized at a time when several widths are cut from one read: a tile of rows ×
/// all of a block's columns stays in cache while every width reads it.
const SHARED_ROW_TILE: usize = 64;

impl LayerChunks {
    /// Summarizes the column chunks of `packs` for an array `cols` wide. `k` bounds the
    /// window indices (the layer's K).
    pub fn new(packs: &[Packed], cols: u32, k: usize) -> LayerChunks {
        let mut all = LayerChunks::tiled(packs, &[cols], k, ROW_TILE);
        all.pop().expect("one width, one set of chunks")
    }

    /// [`LayerChunks::new`] for each of `widths`, reading every cell once from memory: each
    /// tile of rows is summarized for all the widths while it is in cache.
    pub fn for_widths(packs: &[Packed], widths: &[u32], k: usize) -> Vec<LayerChunks> {
        LayerChunks::tiled(packs, widths, k, SHARED_ROW_TILE)
    }

    fn tiled(packs: &[Packed], widths: &[u32], k: usize, row_tile: usize) -> Vec<LayerChunks> {
        let widest = widths.iter().copied().max().unwrap_or(1) as usize;
        let mut scratch = Scratch::new(k, widest, row_tile);
        let mut out: Vec<LayerChunks> = widths
            .iter()
            .map(|&cols| LayerChunks {
                cols,
                packs: Vec::with_capacity(packs.len()),
            })
            .collect();
        for p in packs {
            // Per width: the chunks so far and their metadata bits.
            let mut cut: Vec<(Vec<Chunk>, u64)> = widths.iter().map(|_| (Vec::new(), 0)).collect();
            for (bi, block) in p.blocks.iter().enumerate() {
                let firsts: Vec<usize> = cut.iter().map(|(chunks, _)| chunks.len()).collect();
                for (&width, (chunks, bits)) in widths.iter().zip(cut.iter_mut()) {
                    let width = width as usize;
                    for cc in 0..block.cols().div_ceil(width) {
                        let range = cc * width..((cc + 1) * width).min(block.cols());
                        let chunk = Chunk::open(block, bi, cc, range);
                        *bits += chunk.column_bits;
                        chunks.push(chunk);
                    }
                }
                let mut start = 0;
                while start < block.rows {
                    let len = row_tile.min(block.rows - start);
                    for ((chunks, bits), &first) in cut.iter_mut().zip(&firsts) {
                        for chunk in &mut chunks[first..] {
                            *bits += scratch.rows(block, chunk, start, len);
                        }
                    }
                    start += len;
                }
            }
            for (layer, (chunks, metadata_bits)) in out.iter_mut().zip(cut) {
                layer.packs.push(PackChunks {
                    chunks,
                    metadata_bits,
                });
            }
        }
        out
    }
}

impl Chunk {
    /// Columns `cols` of `block`, before any row is summarized.
    fn open(block: &PackedBlock, bi: usize, cc: usize, cols: Range<usize>) -> Chunk {
        Chunk {
            block: bi,
            index: cc,
            column_bits: cols.clone().map(|c| u64::from(block.column_bits[c])).sum(),
            cols,
            rows: Vec::new(),
            ks: Vec::new(),
            ks_start: vec![0],
        }
    }
}

/// What a tile row has gathered from the chunk's cells so far.
#[derive(Debug, Clone, Copy, Default)]
struct RowTally {
    /// Metadata bits of its cells.
    bits: u64,
    /// Cells carrying metadata.
    entries: u32,
    /// Cells holding a nonzero weight.
    effectual: u32,
    /// Whether some cell holds a weight.
    any: bool,
}

/// Reusable buffers for summarizing chunks.
struct Scratch {
    /// Stamp per window index: the row last seen using it.
    stamp: Vec<u32>,
    stamp_id: u32,
    /// A tile of rows × chunk columns of window indices, column-major.
    tile: Vec<u32>,
    /// One tally per tile row.
    tally: Vec<RowTally>,
}

impl Scratch {
    fn new(k: usize, width: usize, row_tile: usize) -> Scratch {
        Scratch {
            stamp: vec![u32::MAX; k],
            stamp_id: 0,
            tile: vec![EMPTY; row_tile * width],
            tally: vec![RowTally::default(); row_tile],
        }
    }

    /// Summarizes rows `start..start + len` of `chunk`'s columns of `block` (at most the
    /// scratch's row tile), reading each column's cells in order: appends the active rows
    /// and returns the metadata bits of all those cells.
    fn rows(&mut self, block: &PackedBlock, out: &mut Chunk, start: usize, len: usize) -> u64 {
        let cols = out.cols.clone();
        let width = cols.len();
        let tally = &mut self.tally[..len];
        tally.fill(RowTally::default());
        // The tile is column-major (`tile[ci·len + i]`): each column is copied in order.
        for (ci, col) in cols.clone().enumerate() {
            let cells = &block.cells[col * block.rows + start..col * block.rows + start + len];
            let ks = &mut self.tile[ci * len..(ci + 1) * len];
            for ((cell, k), t) in cells.iter().zip(ks).zip(tally.iter_mut()) {
                t.bits += u64::from(cell.bits);
                t.entries += u32::from(cell.bits > 0);
                *k = cell.k;
                let held = cell.k != EMPTY;
                t.any |= held;
                t.effectual += u32::from(held && cell.w != 0.0);
            }
        }
        let cell_bits = tally.iter().map(|t| t.bits).sum::<u64>();
        for i in 0..len {
            let t = self.tally[i];
            if !t.any {
                continue;
            }
            self.stamp_id = self.stamp_id.wrapping_add(1);
            let mut demand = 0u32;
            for &k in self.tile[i..width * len].iter().step_by(len) {
                if k != EMPTY && self.stamp[k as usize] != self.stamp_id {
                    self.stamp[k as usize] = self.stamp_id;
                    demand += 1;
                    out.ks.push(k);
                }
            }
            out.rows.push(RowSummary {
                row: (start + i) as u32,
                demand,
                effectual: t.effectual,
                entries: t.entries,
                meta_bits: t.bits,
            });
            out.ks_start.push(out.ks.len() as u32);
        }
        cell_bits
    }
}
