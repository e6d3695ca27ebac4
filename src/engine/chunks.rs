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

/// Rows summarized at a time when several widths are merged from one read: a tile of rows ×
/// all of a block's sub-chunk summaries stays in cache while every width reads it.
const SHARED_ROW_TILE: usize = 64;

impl LayerChunks {
    /// Summarizes the column chunks of `packs` for an array `cols` wide. `k` bounds the
    /// window indices (the layer's K).
    pub fn new(packs: &[Packed], cols: u32, k: usize) -> LayerChunks {
        let width = cols as usize;
        let mut scratch = Scratch::new(k, width, ROW_TILE);
        let mut layer = LayerChunks {
            cols,
            packs: Vec::with_capacity(packs.len()),
        };
        for p in packs {
            let mut chunks = Vec::new();
            let mut metadata_bits = 0;
            for (bi, block) in p.blocks.iter().enumerate() {
                for cc in 0..block.cols().div_ceil(width) {
                    let range = cc * width..((cc + 1) * width).min(block.cols());
                    let mut chunk = Chunk::open(block, bi, cc, range);
                    metadata_bits += chunk.column_bits;
                    let mut start = 0;
                    while start < block.rows {
                        let len = ROW_TILE.min(block.rows - start);
                        metadata_bits += scratch.rows(block, &mut chunk, start, len);
                        start += len;
                    }
                    chunks.push(chunk);
                }
            }
            layer.packs.push(PackChunks {
                chunks,
                metadata_bits,
            });
        }
        layer
    }

    /// [`LayerChunks::new`] for each of `widths`, reading every cell once. Each tile of rows
    /// is summarized in sub-chunks `g` columns wide (`g` the widths' greatest common divisor)
    /// and every width's row summaries are merged from those of its sub-chunks: tallies add,
    /// and a row's distinct activations are the union of its sub-chunks' lists read in column
    /// order, which is the order a direct scan of the chunk's columns finds them in.
    pub fn for_widths(packs: &[Packed], widths: &[u32], k: usize) -> Vec<LayerChunks> {
        if widths.len() < 2 {
            return widths
                .iter()
                .map(|&w| LayerChunks::new(packs, w, k))
                .collect();
        }
        let g = widths.iter().fold(0, |a, &b| gcd(a, b)).max(1) as usize;
        let mut base = SubChunks::new(k, g);
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
                    let len = SHARED_ROW_TILE.min(block.rows - start);
                    base.summarize(block, start, len);
                    for ((chunks, bits), &first) in cut.iter_mut().zip(&firsts) {
                        for chunk in &mut chunks[first..] {
                            *bits += base.merge(chunk, start);
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
    /// Which window indices the current row has used.
    seen: Stamps,
    /// A tile of rows × chunk columns of window indices, column-major.
    tile: Vec<u32>,
    /// One tally per tile row.
    tally: Vec<RowTally>,
}

impl Scratch {
    fn new(k: usize, width: usize, row_tile: usize) -> Scratch {
        Scratch {
            seen: Stamps::new(k),
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
        tally_columns(block, cols, start, &mut self.tile, tally);
        let cell_bits = tally.iter().map(|t| t.bits).sum::<u64>();
        for i in 0..len {
            let t = self.tally[i];
            if !t.any {
                continue;
            }
            self.seen.next_set();
            let mut demand = 0u32;
            for &k in self.tile[i..width * len].iter().step_by(len) {
                if k != EMPTY && self.seen.insert(k) {
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

/// Copies rows `start..start + tally.len()` of `block`'s columns `cols` into `tile`
/// (column-major, `tile[ci·len + i]`) and adds each cell to its row's tally.
fn tally_columns(
    block: &PackedBlock,
    cols: Range<usize>,
    start: usize,
    tile: &mut [u32],
    tally: &mut [RowTally],
) {
    let len = tally.len();
    for (ci, col) in cols.enumerate() {
        let cells = &block.cells[col * block.rows + start..col * block.rows + start + len];
        let ks = &mut tile[ci * len..(ci + 1) * len];
        for ((cell, k), t) in cells.iter().zip(ks).zip(tally.iter_mut()) {
            t.bits += u64::from(cell.bits);
            t.entries += u32::from(cell.bits > 0);
            *k = cell.k;
            let held = cell.k != EMPTY;
            t.any |= held;
            t.effectual += u32::from(held && cell.w != 0.0);
        }
    }
}

/// Sets of window indices, one at a time, as stamps: index `k` is in the current set when its
/// stamp is the current set's number.
struct Stamps {
    stamp: Vec<u32>,
    current: u32,
}

impl Stamps {
    /// Sets over window indices `0..k`.
    fn new(k: usize) -> Stamps {
        Stamps {
            stamp: vec![0; k],
            current: 0,
        }
    }

    /// Starts a new, empty set.
    fn next_set(&mut self) {
        if self.current == u32::MAX {
            self.stamp.fill(0);
            self.current = 0;
        }
        self.current += 1;
    }

    /// Adds `k` to the current set; whether it was new.
    fn insert(&mut self, k: u32) -> bool {
        let s = &mut self.stamp[k as usize];
        let new = *s != self.current;
        *s = self.current;
        new
    }
}

/// A tile of rows summarized in sub-chunks of `g` columns, from which chunks of any multiple of
/// `g` columns are merged.
struct SubChunks {
    /// Sub-chunk width.
    g: usize,
    /// Sub-chunks per row (the block's columns / g, rounded up).
    per_row: usize,
    /// Tile rows.
    len: usize,
    /// Tally of tile row `i` in sub-chunk `b`, at `i·per_row + b`.
    tally: Vec<RowTally>,
    /// Tile row `i`'s distinct activations in sub-chunk `b`: `ks[span.0..span.1]`, at
    /// `i·per_row + b`.
    span: Vec<(u32, u32)>,
    ks: Vec<u32>,
    /// A tile of rows × one sub-chunk's columns of window indices, column-major.
    tile: Vec<u32>,
    /// One sub-chunk's tallies, per tile row.
    sub: Vec<RowTally>,
    seen: Stamps,
}

impl SubChunks {
    fn new(k: usize, g: usize) -> SubChunks {
        SubChunks {
            g,
            per_row: 0,
            len: 0,
            tally: Vec::new(),
            span: Vec::new(),
            ks: Vec::new(),
            tile: vec![EMPTY; g * SHARED_ROW_TILE],
            sub: vec![RowTally::default(); SHARED_ROW_TILE],
            seen: Stamps::new(k),
        }
    }

    /// Summarizes rows `start..start + len` of every sub-chunk of `block` (`len` at most
    /// the shared row tile).
    fn summarize(&mut self, block: &PackedBlock, start: usize, len: usize) {
        let g = self.g;
        self.per_row = block.cols().div_ceil(g);
        self.len = len;
        self.tally.clear();
        self.tally.resize(len * self.per_row, RowTally::default());
        self.span.clear();
        self.span.resize(len * self.per_row, (0, 0));
        self.ks.clear();
        for b in 0..self.per_row {
            let cols = b * g..((b + 1) * g).min(block.cols());
            let width = cols.len();
            let sub = &mut self.sub[..len];
            sub.fill(RowTally::default());
            tally_columns(block, cols, start, &mut self.tile, sub);
            for (i, &t) in sub.iter().enumerate() {
                let at = i * self.per_row + b;
                self.tally[at] = t;
                let from = self.ks.len() as u32;
                if t.any {
                    self.seen.next_set();
                    for &k in self.tile[i..width * len].iter().step_by(len) {
                        if k != EMPTY && self.seen.insert(k) {
                            self.ks.push(k);
                        }
                    }
                }
                self.span[at] = (from, self.ks.len() as u32);
            }
        }
    }

    /// Appends the summarized tile rows' contributions to `out`, whose columns start and end
    /// on sub-chunk boundaries (or at the block's last column); returns the metadata bits of
    /// all those cells. `start` is the tile's first row.
    fn merge(&mut self, out: &mut Chunk, start: usize) -> u64 {
        let subs = out.cols.start / self.g..out.cols.end.div_ceil(self.g);
        let mut cell_bits = 0;
        for i in 0..self.len {
            let at = i * self.per_row;
            let mut t = RowTally::default();
            for s in &self.tally[at + subs.start..at + subs.end] {
                t.bits += s.bits;
                t.entries += s.entries;
                t.effectual += s.effectual;
                t.any |= s.any;
            }
            cell_bits += t.bits;
            if !t.any {
                continue;
            }
            let before = out.ks.len();
            if subs.len() == 1 {
                let (from, to) = self.span[at + subs.start];
                out.ks
                    .extend_from_slice(&self.ks[from as usize..to as usize]);
            } else {
                self.seen.next_set();
                for &(from, to) in &self.span[at + subs.start..at + subs.end] {
                    for &k in &self.ks[from as usize..to as usize] {
                        if self.seen.insert(k) {
                            out.ks.push(k);
                        }
                    }
                }
            }
            out.rows.push(RowSummary {
                row: (start + i) as u32,
                demand: (out.ks.len() - before) as u32,
                effectual: t.effectual,
                entries: t.entries,
                meta_bits: t.bits,
            });
            out.ks_start.push(out.ks.len() as u32);
        }
        cell_bits
    }
}

/// Greatest common divisor (`gcd(0, b) = b`).
fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}
