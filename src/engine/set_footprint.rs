//! Ifmap footprints of the packed layouts' folds: tiles that each span all M GEMM rows and an
//! arbitrary set of window columns.
//!
//! A packed fold reads, for every one of the layer's M input vectors, the window columns its
//! array rows need. How many distinct DRAM words that is — and how many no earlier fold of the
//! layer fetched — is what the memory model needs. For a plain matrix (FC, LSTM, GEMM) a column
//! is M words of its own. For a convolution, columns share pixels through im2col, so the words
//! are the distinct real input pixels `(image, y, x, channel)` the columns reach.
//!
//! # Counting without walking the pixels
//!
//! Because a tile spans all M rows (every image and output position), which pixels of input
//! channel `ch` it reaches depends only on the set `P` of kernel positions `(r, q)` its
//! columns name for that channel (column `k = (r·kw + q)·C_g + ch`): pixel `(y, x)` is reached
//! when some `(r, q) ∈ P` and output position `(ho, wo)` give `y = ho·s_h + r·d_h − p_h` and
//! `x = wo·s_w + q·d_w − p_w`. Write `Q_r` for the positions of kernel row `r` in `P`. Row `y`
//! is reached by the kernel rows `R(y)`, and there the reached columns are the union over
//! `q ∈ Q(y) = ∪_{r ∈ R(y)} Q_r` of `q`'s shifted output grid, so
//!
//! `cover(P) = batch · Σ_y xcount(Q(y))`
//!
//! with `xcount(Q)` the columns `x` reached by the kernel columns in `Q` (memoized per `Q`).
//! The layer's earlier folds reached exactly `cover(U)` pixels of the channel, `U` the union of
//! their position sets, so a fold adds `cover(U ∪ P) − cover(U)` new words. Kernels wider or
//! taller than 64 taps fall back to marking pixels in bitmaps ([`super::footprint`]).

use super::footprint::{FootprintTracker, TileKey, TileWords};
use crate::workload::{Conv2d, IfmapGeometry};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hash for one-word keys (the memo's keys are not adversarial).
#[derive(Debug, Default, Clone, Copy)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Kernels up to this many taps wide memoize `xcount` in a table of `2^width` entries.
const TABLE_WIDTH: u64 = 12;

/// Footprint of one layer's ifmap under packed folds.
#[derive(Debug)]
pub struct ColumnSetFootprint {
    m: u64,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Plain matrix: a bit per `(instance, column)` already fetched.
    Matrix { seen: Vec<u64>, cols: u64 },
    /// Convolution with kernel sides ≤ 64.
    Conv(Box<ConvCover>),
    /// Convolution with a kernel side above 64: pixel bitmaps.
    Bitmaps(Box<FootprintTracker>, u64),
}

impl ColumnSetFootprint {
    /// A tracker for an ifmap of `geometry` read by `instances` GEMMs of `m × k`.
    pub fn new(geometry: IfmapGeometry, instances: u64, m: u64, k: u64) -> ColumnSetFootprint {
        let kind = match geometry {
            IfmapGeometry::Matrix => Kind::Matrix {
                seen: vec![0; (instances * k).div_ceil(64) as usize],
                cols: k,
            },
            IfmapGeometry::Conv(c) if c.kernel_h <= 64 && c.kernel_w <= 64 => {
                Kind::Conv(Box::new(ConvCover::new(c)))
            }
            IfmapGeometry::Conv(_) => Kind::Bitmaps(Box::new(FootprintTracker::ifmap(geometry)), 0),
        };
        ColumnSetFootprint { m, kind }
    }

    /// Touches all M rows of the ascending, distinct columns `cols` of GEMM `instance`.
    pub fn touch(&mut self, instance: u64, cols: &[u32]) -> TileWords {
        match &mut self.kind {
            Kind::Matrix { seen, cols: k } => {
                let mut fresh = 0u64;
                for &c in cols {
                    let bit = (instance * *k + u64::from(c)) as usize;
                    let (word, mask) = (bit / 64, 1u64 << (bit % 64));
                    fresh += u64::from(seen[word] & mask == 0);
                    seen[word] |= mask;
                }
                TileWords {
                    tile: self.m * cols.len() as u64,
                    new: self.m * fresh,
                }
            }
            Kind::Conv(c) => c.touch(instance, cols),
            Kind::Bitmaps(t, next) => {
                *next += 1;
                t.touch_set(
                    TileKey {
                        instance,
                        a: *next,
                        b: 0,
                    },
                    0..self.m,
                    cols,
                )
            }
        }
    }
}

/// Per-channel kernel-position sets of a convolution and their pixel covers.
#[derive(Debug)]
struct ConvCover {
    conv: Conv2d,
    /// Channels per group.
    cg: u64,
    /// Per window index k: its channel within the group, kernel row and kernel column.
    taps: Vec<(u32, u8, u8)>,
    /// `cover` of each single kernel position `r·kw + q`.
    single: Vec<u64>,
    /// The distinct sets of kernel rows (bit `r`) that reach an input row, each with the
    /// number of input rows it reaches.
    row_classes: Vec<(u64, u64)>,
    /// Per kernel column `q`: the input columns its shifted output grid reaches, as a bitmap
    /// over `x`.
    col_bits: Vec<Vec<u64>>,
    /// `xcount` memo: a table indexed by the mask for kernels up to [`TABLE_WIDTH`] wide
    /// (`u64::MAX` = not yet computed), else a map.
    xcount_table: Vec<u64>,
    xcount_map: HashMap<u64, u64>,
    /// `cover` memo by position set (kernels of at most 64 taps, the set packed in one word).
    cover_memo: HashMap<u64, u64, BuildHasherDefault<WordHasher>>,
    /// Positions fetched so far per `(group, channel)`: `kernel_h` masks over `q` each.
    seen: Vec<u64>,
    /// `cover` of `seen` per `(group, channel)`.
    seen_cover: Vec<u64>,
    /// This tile's positions per channel of the group (`kernel_h` masks each), and the
    /// channels it names.
    tile: Vec<u64>,
    tile_channels: Vec<u32>,
    /// Per channel of the group: the tile that last named it.
    tile_stamp: Vec<u32>,
    tile_id: u32,
    /// Scratch for unions.
    union: Vec<u64>,
}

impl ConvCover {
    fn new(c: Conv2d) -> ConvCover {
        let cg = c.channels / c.groups;
        let kh = c.kernel_h as usize;
        let reach = |stride: u64, dil: u64, pad: u64, out: u64, size: u64, tap: u64| {
            (0..out).filter_map(move |o| {
                let v = (o * stride + tap * dil) as i64 - pad as i64;
                (v >= 0 && v < size as i64).then_some(v as usize)
            })
        };
        let mut rows_reaching = vec![0u64; c.ifmap_h as usize];
        for r in 0..c.kernel_h {
            for y in reach(c.stride_h, c.dilation_h, c.pad_h, c.ofmap_h, c.ifmap_h, r) {
                rows_reaching[y] |= 1 << r;
            }
        }
        let mut classes: HashMap<u64, u64> = HashMap::new();
        for &rows in rows_reaching.iter().filter(|&&rows| rows != 0) {
            *classes.entry(rows).or_default() += 1;
        }
        let mut row_classes: Vec<(u64, u64)> = classes.into_iter().collect();
        row_classes.sort_unstable();
        let words = c.ifmap_w.div_ceil(64) as usize;
        let col_bits = (0..c.kernel_w)
            .map(|q| {
                let mut bits = vec![0u64; words];
                for x in reach(c.stride_w, c.dilation_w, c.pad_w, c.ofmap_w, c.ifmap_w, q) {
                    bits[x / 64] |= 1 << (x % 64);
                }
                bits
            })
            .collect();
        let taps = (0..cg * c.kernel_h * c.kernel_w)
            .map(|k| {
                let p = k / cg;
                (
                    (k % cg) as u32,
                    (p / c.kernel_w) as u8,
                    (p % c.kernel_w) as u8,
                )
            })
            .collect();
        let mut cover = ConvCover {
            conv: c,
            cg,
            taps,
            single: Vec::new(),
            row_classes,
            col_bits,
            xcount_table: if c.kernel_w <= TABLE_WIDTH {
                vec![u64::MAX; 1 << c.kernel_w]
            } else {
                Vec::new()
            },
            xcount_map: HashMap::new(),
            cover_memo: HashMap::default(),
            seen: vec![0; (c.channels * c.kernel_h) as usize],
            seen_cover: vec![0; c.channels as usize],
            tile: vec![0; cg as usize * kh],
            tile_channels: Vec::new(),
            tile_stamp: vec![u32::MAX; cg as usize],
            tile_id: 0,
            union: vec![0; kh],
        };
        let mut masks = vec![0u64; kh];
        cover.single = (0..c.kernel_h * c.kernel_w)
            .map(|p| {
                masks.fill(0);
                masks[(p / c.kernel_w) as usize] = 1 << (p % c.kernel_w);
                cover.walk_rows(&masks)
            })
            .collect();
        cover
    }

    fn touch(&mut self, group: u64, cols: &[u32]) -> TileWords {
        let kh = self.conv.kernel_h as usize;
        self.tile_id = self.tile_id.wrapping_add(1);
        for &k in cols {
            let (ch, r, q) = self.taps[k as usize];
            let (ch, r) = (ch as usize, r as usize);
            let masks = &mut self.tile[ch * kh..(ch + 1) * kh];
            if self.tile_stamp[ch] != self.tile_id {
                self.tile_stamp[ch] = self.tile_id;
                self.tile_channels.push(ch as u32);
            }
            masks[r] |= 1 << q;
        }
        let mut words = TileWords::default();
        let channels = std::mem::take(&mut self.tile_channels);
        for &ch in &channels {
            let ch = ch as usize;
            let at = (group * self.cg) as usize + ch;
            let mut tile_masks = std::mem::take(&mut self.tile);
            let mine = &mut tile_masks[ch * kh..(ch + 1) * kh];
            words.tile += self.cover(mine);
            let seen = &self.seen[at * kh..(at + 1) * kh];
            if mine.iter().zip(seen).any(|(t, s)| t & !s != 0) {
                let mut union = std::mem::take(&mut self.union);
                for ((u, t), s) in union.iter_mut().zip(mine.iter()).zip(seen) {
                    *u = t | s;
                }
                let after = self.cover(&union);
                words.new += after - self.seen_cover[at];
                self.seen_cover[at] = after;
                self.seen[at * kh..(at + 1) * kh].copy_from_slice(&union);
                self.union = union;
            }
            mine.fill(0);
            self.tile = tile_masks;
        }
        self.tile_channels = channels;
        self.tile_channels.clear();
        words
    }

    /// Pixels (words) of one channel reached by the kernel positions `masks` (one mask over
    /// `q` per kernel row), over all images.
    fn cover(&mut self, masks: &[u64]) -> u64 {
        let kw = self.conv.kernel_w;
        let mut set = masks.iter().enumerate().filter(|(_, m)| **m != 0);
        if let (Some((r, m)), None) = (set.next(), set.next())
            && m.is_power_of_two()
        {
            return self.single[r * kw as usize + m.trailing_zeros() as usize];
        }
        let key = (self.conv.kernel_h * kw <= 64).then(|| {
            masks
                .iter()
                .enumerate()
                .fold(0u64, |key, (r, &m)| key | m << (r as u64 * kw))
        });
        if let Some(&n) = key.and_then(|key| self.cover_memo.get(&key)) {
            return n;
        }
        let n = self.walk_rows(masks);
        if let Some(key) = key {
            self.cover_memo.insert(key, n);
        }
        n
    }

    /// [`ConvCover::cover`] without the memo.
    fn walk_rows(&mut self, masks: &[u64]) -> u64 {
        let mut total = 0u64;
        for i in 0..self.row_classes.len() {
            let (mut rows, count) = self.row_classes[i];
            let mut q = 0u64;
            while rows != 0 {
                q |= masks[rows.trailing_zeros() as usize];
                rows &= rows - 1;
            }
            if q != 0 {
                total += count * self.xcount(q);
            }
        }
        total * self.conv.batch
    }

    /// Input columns reached by the kernel columns `q` (a mask).
    fn xcount(&mut self, q: u64) -> u64 {
        let cached = match self.xcount_table.get(q as usize) {
            Some(&n) => n,
            None => self.xcount_map.get(&q).copied().unwrap_or(u64::MAX),
        };
        if cached != u64::MAX {
            return cached;
        }
        let mut acc = vec![0u64; self.col_bits.first().map_or(0, Vec::len)];
        let mut bits = q;
        while bits != 0 {
            let qi = bits.trailing_zeros() as usize;
            for (a, b) in acc.iter_mut().zip(&self.col_bits[qi]) {
                *a |= b;
            }
            bits &= bits - 1;
        }
        let n = acc.iter().map(|w| u64::from(w.count_ones())).sum();
        match self.xcount_table.get_mut(q as usize) {
            Some(slot) => *slot = n,
            None => {
                self.xcount_map.insert(q, n);
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{ConvSpec, OutputRule};
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// Pixels `(image, y, x, channel)` a tile of all rows and columns `cols` reaches, by
    /// walking every output position and column (im2col by hand).
    fn pixels(c: &Conv2d, group: u64, cols: &[u32]) -> HashSet<(u64, i64, i64, u64)> {
        let cg = c.channels / c.groups;
        let mut out = HashSet::new();
        for b in 0..c.batch {
            for ho in 0..c.ofmap_h {
                for wo in 0..c.ofmap_w {
                    for &k in cols {
                        let k = u64::from(k);
                        let (p, ch) = (k / cg, k % cg);
                        let (r, q) = (p / c.kernel_w, p % c.kernel_w);
                        let y = (ho * c.stride_h + r * c.dilation_h) as i64 - c.pad_h as i64;
                        let x = (wo * c.stride_w + q * c.dilation_w) as i64 - c.pad_w as i64;
                        if y >= 0 && x >= 0 && y < c.ifmap_h as i64 && x < c.ifmap_w as i64 {
                            out.insert((b, y, x, group * cg + ch));
                        }
                    }
                }
            }
        }
        out
    }

    fn conv_strategy() -> impl Strategy<Value = Conv2d> {
        (
            (1u64..3, 3u64..10, 3u64..9),
            (1u64..4, 1u64..4),
            (1u64..3, 1u64..3),
            (0u64..3, 0u64..3, 0u64..2),
            (1u64..3, 1u64..3, 1u64..3),
        )
            .prop_filter_map(
                "valid conv",
                |((batch, h, w), (kh, kw), (sh, sw), (ph, pw, extra), (dh, dw, groups))| {
                    Conv2d::new(ConvSpec {
                        batch,
                        ifmap: (h, w),
                        channels: 2 * groups,
                        filters: 2 * groups,
                        kernel: (kh, kw),
                        stride: (sh, sw),
                        padding: (ph, pw),
                        padding_end: Some((ph + extra, pw)),
                        dilation: (dh, dw),
                        groups,
                        rule: OutputRule::Padded,
                    })
                    .ok()
                },
            )
    }

    proptest! {
        /// Tile and new-word counts equal the pixels found by walking im2col, for random
        /// convolutions and random sequences of column sets.
        #[test]
        fn conv_covers_match_walking_the_pixels(
            c in conv_strategy(),
            sets in prop::collection::vec((0u64..4, prop::collection::vec(any::<u32>(), 1..12)), 1..8),
        ) {
            let k = c.channels / c.groups * c.kernel_h * c.kernel_w;
            let m = c.batch * c.ofmap_h * c.ofmap_w;
            let mut fp = ColumnSetFootprint::new(IfmapGeometry::Conv(c), c.groups, m, k);
            let mut bitmaps = FootprintTracker::ifmap(IfmapGeometry::Conv(c));
            let mut fetched = HashSet::new();
            for (i, (g, cols)) in sets.iter().enumerate() {
                let g = g % c.groups;
                let mut cols: Vec<u32> = cols.iter().map(|&x| x % k as u32).collect();
                cols.sort_unstable();
                cols.dedup();
                let want = pixels(&c, g, &cols);
                let new = want.difference(&fetched).count() as u64;
                fetched.extend(want.iter().copied());
                let got = fp.touch(g, &cols);
                prop_assert_eq!(got, TileWords { tile: want.len() as u64, new });
                let key = TileKey { instance: g, a: i as u64, b: 0 };
                prop_assert_eq!(bitmaps.touch_set(key, 0..m, &cols), got);
            }
        }
    }

    #[test]
    fn matrix_columns_are_new_once_per_instance() {
        let mut fp = ColumnSetFootprint::new(IfmapGeometry::Matrix, 2, 5, 10);
        assert_eq!(fp.touch(0, &[1, 2, 3]), TileWords { tile: 15, new: 15 });
        assert_eq!(fp.touch(0, &[2, 3, 4]), TileWords { tile: 15, new: 5 });
        assert_eq!(fp.touch(1, &[2]), TileWords { tile: 5, new: 5 });
        assert_eq!(fp.touch(1, &[2, 9]), TileWords { tile: 10, new: 5 });
    }
}
