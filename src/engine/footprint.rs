//! Operand footprints: how many distinct DRAM words a tile of a GEMM operand covers, and how
//! many of them no earlier tile of the layer touched.
//!
//! For plain matrices (weights, outputs, GEMM/LSTM inputs) the fold tiling never overlaps, so
//! a tile's words are new the first time its key is seen. A convolution's ifmap is read through
//! im2col: neighbouring windows share pixels, so distinct GEMM elements can be one DRAM word.
//! There a bitmap over the real input `(batch, y, x, channel)` marks the pixels already
//! fetched; padding pixels (outside the input) are zeros that are never fetched.

use crate::workload::{Conv2d, IfmapGeometry};
use std::collections::HashMap;
use std::ops::Range;

/// Identity of a tile within one layer: the GEMM instance and chunk indices along two axes
/// (`ALL` for an axis the tile spans completely).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// GEMM instance (group or time step; 0 when shared).
    pub instance: u64,
    /// Chunk index along the first axis, or [`TileKey::ALL`].
    pub a: u64,
    /// Chunk index along the second axis, or [`TileKey::ALL`].
    pub b: u64,
}

impl TileKey {
    /// Marks an axis the tile spans completely.
    pub const ALL: u64 = u64::MAX;
}

/// Words a tile covers, and how many of them are touched for the first time in the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TileWords {
    /// Distinct DRAM words in the tile.
    pub tile: u64,
    /// Words no earlier tile of the layer touched.
    pub new: u64,
}

/// Tracks the footprint of one operand over a layer.
#[derive(Debug)]
pub struct FootprintTracker {
    seen: HashMap<TileKey, u64>,
    /// Word counts of column-set tiles already touched, by `(instance, rows, columns)`: a
    /// repeated set adds no new words, so it is counted without walking the bitmaps again.
    sets: HashMap<(u64, Range<u64>, Vec<u32>), u64>,
    conv: Option<ConvBitmaps>,
}

impl FootprintTracker {
    /// A tracker for a plain matrix operand (tiles never overlap).
    pub fn matrix() -> FootprintTracker {
        FootprintTracker {
            seen: HashMap::new(),
            sets: HashMap::new(),
            conv: None,
        }
    }

    /// A tracker for an ifmap of the given geometry.
    pub fn ifmap(geometry: IfmapGeometry) -> FootprintTracker {
        match geometry {
            IfmapGeometry::Matrix => FootprintTracker::matrix(),
            IfmapGeometry::Conv(c) => FootprintTracker {
                seen: HashMap::new(),
                sets: HashMap::new(),
                conv: Some(ConvBitmaps::new(c)),
            },
        }
    }

    /// Touches the tile `key` covering GEMM rows `rows` and the (ascending, distinct) columns
    /// `cols` of GEMM instance `key.instance` (a plain matrix counts every word as new).
    pub fn touch_set(&mut self, key: TileKey, rows: Range<u64>, cols: &[u32]) -> TileWords {
        if let Some(&tile) = self.seen.get(&key) {
            return TileWords { tile, new: 0 };
        }
        let set_key = (key.instance, rows.clone(), cols.to_vec());
        if let Some(&tile) = self.sets.get(&set_key) {
            self.seen.insert(key, tile);
            return TileWords { tile, new: 0 };
        }
        let ranges = runs(cols);
        let words = if let Some(bitmaps) = &mut self.conv {
            bitmaps.touch_ranges(key.instance, rows, &ranges)
        } else {
            let tile = (rows.end - rows.start) * cols.len() as u64;
            TileWords { tile, new: tile }
        };
        self.seen.insert(key, words.tile);
        self.sets.insert(set_key, words.tile);
        words
    }

    /// Touches the tile `key` covering GEMM rows `rows` and columns `cols` (for the ifmap:
    /// rows = M, columns = K) and returns its word counts.
    pub fn touch(&mut self, key: TileKey, rows: Range<u64>, cols: Range<u64>) -> TileWords {
        if let Some(&tile) = self.seen.get(&key) {
            return TileWords { tile, new: 0 };
        }
        let words = match &mut self.conv {
            None => {
                let tile = (rows.end - rows.start) * (cols.end - cols.start);
                TileWords { tile, new: tile }
            }
            Some(bitmaps) => bitmaps.touch(key.instance, rows, cols),
        };
        self.seen.insert(key, words.tile);
        words
    }
}

/// Bitmaps over a convolution's real input for footprint counting.
#[derive(Debug)]
struct ConvBitmaps {
    conv: Conv2d,
    /// Pixels fetched by any earlier tile of the layer.
    global: Vec<u64>,
    /// Scratch for one tile; cleared after each use.
    scratch: Vec<u64>,
    /// Scratch words to clear.
    dirty: Vec<usize>,
}

impl ConvBitmaps {
    fn new(conv: Conv2d) -> ConvBitmaps {
        let bits = conv.batch * conv.ifmap_h * conv.ifmap_w * conv.channels;
        let words = bits.div_ceil(64) as usize;
        ConvBitmaps {
            conv,
            global: vec![0; words],
            scratch: vec![0; words],
            dirty: Vec::new(),
        }
    }

    /// Marks the pixels of GEMM rows `m` × window columns `k` of group `group`.
    fn touch(&mut self, group: u64, m: Range<u64>, k: Range<u64>) -> TileWords {
        self.touch_ranges(group, m, &[k])
    }

    /// Marks the pixels of GEMM rows `m` × the window-column ranges `ks` of group `group`.
    fn touch_ranges(&mut self, group: u64, m: Range<u64>, ks: &[Range<u64>]) -> TileWords {
        let mut counts = TileWords::default();
        for k in ks {
            let c = self.mark(group, m.clone(), k.clone());
            counts.tile += c.tile;
            counts.new += c.new;
        }
        for &w in &self.dirty {
            self.scratch[w] = 0;
        }
        self.dirty.clear();
        counts
    }

    /// Marks one range without clearing the scratch bitmap.
    fn mark(&mut self, group: u64, m: Range<u64>, k: Range<u64>) -> TileWords {
        let c = self.conv;
        let cg = c.channels / c.groups;
        let mut counts = TileWords::default();
        if m.is_empty() || k.is_empty() {
            return counts;
        }
        // Window positions p = r·kw + q this K range touches, each with a channel interval.
        let p_first = k.start / cg;
        let p_last = (k.end - 1) / cg;
        let per_image = c.ofmap_h * c.ofmap_w;
        // Each kernel position reaches real pixels only from a rectangle of output positions
        // (the rest read padding): walk those, not all of M (padding can make M far larger
        // than the input).
        for p in p_first..=p_last {
            let (r, q) = (p / c.kernel_w, p % c.kernel_w);
            let hos = reaching(c.stride_h, r * c.dilation_h, c.pad_h, c.ifmap_h, c.ofmap_h);
            let wos = reaching(c.stride_w, q * c.dilation_w, c.pad_w, c.ifmap_w, c.ofmap_w);
            if hos.is_empty() || wos.is_empty() {
                continue;
            }
            let c_lo = if p == p_first { k.start - p * cg } else { 0 };
            let c_hi = if p == p_last { k.end - p * cg } else { cg };
            for b in m.start / per_image..=(m.end - 1) / per_image {
                for ho in hos.clone() {
                    let row = b * per_image + ho * c.ofmap_w;
                    // This output row's positions in `m` and in the rectangle.
                    let lo = wos.start.max(m.start.saturating_sub(row));
                    let hi = wos.end.min(m.end.saturating_sub(row));
                    let y = ho * c.stride_h + r * c.dilation_h - c.pad_h;
                    for wo in lo..hi {
                        let x = wo * c.stride_w + q * c.dilation_w - c.pad_w;
                        let base = ((b * c.ifmap_h + y) * c.ifmap_w + x) * c.channels + group * cg;
                        let (start, len) = ((base + c_lo) as usize, (c_hi - c_lo) as usize);
                        counts.tile +=
                            set_run(&mut self.scratch, start, len, Some(&mut self.dirty));
                        counts.new += set_run(&mut self.global, start, len, None);
                    }
                }
            }
        }
        counts
    }
}

/// The output positions `o < outs` whose input coordinate `o·stride + offset − pad` lies in
/// `0..size`, a range.
fn reaching(stride: u64, offset: u64, pad: u64, size: u64, outs: u64) -> Range<u64> {
    // o·stride + offset ≥ pad  ⇔  o ≥ ⌈(pad − offset) / stride⌉.
    let lo = pad.saturating_sub(offset).div_ceil(stride);
    // o·stride + offset − pad ≤ size − 1  ⇔  o ≤ ⌊(size − 1 + pad − offset) / stride⌋.
    let hi = match (size - 1 + pad).checked_sub(offset) {
        Some(top) => (top / stride + 1).min(outs),
        None => 0,
    };
    lo..hi.max(lo)
}

/// Consecutive runs of an ascending list of distinct columns, as ranges.
fn runs(cols: &[u32]) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for &c in cols {
        let c = u64::from(c);
        match out.last_mut() {
            Some(r) if r.end == c => r.end = c + 1,
            _ => out.push(c..c + 1),
        }
    }
    out
}

/// Sets bits `start..start+len`, returning how many were 0 before. Records touched word
/// indices in `dirty` when given.
fn set_run(bits: &mut [u64], start: usize, len: usize, mut dirty: Option<&mut Vec<usize>>) -> u64 {
    let mut newly = 0u64;
    let mut pos = start;
    let end = start + len;
    while pos < end {
        let word = pos / 64;
        let lo = pos % 64;
        let hi = (end - word * 64).min(64);
        let mask = if hi - lo == 64 {
            u64::MAX
        } else {
            ((1u64 << (hi - lo)) - 1) << lo
        };
        newly += u64::from((mask & !bits[word]).count_ones());
        bits[word] |= mask;
        if let Some(d) = dirty.as_deref_mut() {
            d.push(word);
        }
        pos = word * 64 + hi;
    }
    newly
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{ConvSpec, OutputRule};

    fn conv(h: u64, c: u64, k: u64, s: u64, p: u64) -> Conv2d {
        Conv2d::new(ConvSpec {
            batch: 1,
            ifmap: (h, h),
            channels: c,
            filters: 4,
            kernel: (k, k),
            stride: (s, s),
            padding: (p, p),
            padding_end: None,
            dilation: (1, 1),
            groups: 1,
            rule: OutputRule::Padded,
        })
        .unwrap()
    }

    #[test]
    fn set_run_counts_new_bits() {
        let mut b = vec![0u64; 3];
        assert_eq!(set_run(&mut b, 60, 10, None), 10);
        assert_eq!(set_run(&mut b, 62, 70, None), 62);
        assert_eq!(set_run(&mut b, 0, 192, None), 192 - 72);
    }

    #[test]
    fn whole_conv_touches_every_input_pixel_once() {
        let c = conv(7, 3, 3, 1, 1);
        let g = c.gemm();
        let mut t = FootprintTracker::ifmap(IfmapGeometry::Conv(c));
        let w = t.touch(
            TileKey {
                instance: 0,
                a: 0,
                b: 0,
            },
            0..g.m,
            0..g.k,
        );
        assert_eq!(
            w,
            TileWords {
                tile: 49 * 3,
                new: 49 * 3
            }
        );
    }

    #[test]
    fn overlapping_tiles_share_pixels() {
        // 1 channel, 3x3 kernel on 5x5, no padding: K = 9, M = 9.
        let c = conv(5, 1, 3, 1, 0);
        let mut t = FootprintTracker::ifmap(IfmapGeometry::Conv(c));
        // Tap (0,0) over all outputs: rows 0..3, cols 0..3 = 9 pixels.
        let a = t.touch(
            TileKey {
                instance: 0,
                a: 0,
                b: 0,
            },
            0..9,
            0..1,
        );
        assert_eq!(a, TileWords { tile: 9, new: 9 });
        // Tap (0,1): rows 0..3, cols 1..4: 9 pixels, 3 of them new.
        let b = t.touch(
            TileKey {
                instance: 0,
                a: 1,
                b: 0,
            },
            0..9,
            1..2,
        );
        assert_eq!(b, TileWords { tile: 9, new: 3 });
        // Same key again: nothing new.
        let again = t.touch(
            TileKey {
                instance: 0,
                a: 1,
                b: 0,
            },
            0..9,
            1..2,
        );
        assert_eq!(again, TileWords { tile: 9, new: 0 });
    }

    #[test]
    fn strided_conv_skips_pixels() {
        // 1x1 kernel, stride 2 on 4x4: touches 4 of 16 pixels.
        let c = conv(4, 2, 1, 2, 0);
        let g = c.gemm();
        let mut t = FootprintTracker::ifmap(IfmapGeometry::Conv(c));
        let w = t.touch(
            TileKey {
                instance: 0,
                a: 0,
                b: 0,
            },
            0..g.m,
            0..g.k,
        );
        assert_eq!(w.tile, 4 * 2);
    }
}
