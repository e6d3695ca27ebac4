//! `pconv`: pattern + connectivity sparsity (Ma et al., AAAI'20), for 3×3 convolutions.
//!
//! Pruning: every 3×3 kernel keeps 4 taps, the centre always, following one pattern of a
//! library of P patterns — the P most frequent "natural" patterns of the layer (centre plus
//! the 3 most important neighbours; ties by pattern code). Each kernel takes the library
//! pattern keeping the most importance (Σ score²). Connectivity pruning then removes whole
//! kernels with the least kept importance, keeping `⌈kernels / rate⌉` with an explicit rate,
//! or else as many as the target sparsity allows (patterns alone prune 5/9, so a lower
//! target cannot be met; the rows then show 5/9).
//!
//! Layers that are not 3×3 convolutions are left dense, with a note.
//!
//! Packing: packed row = (input channel, slot 0–3); filters are ordered by their kept-channel
//! set so that a column fold's filters share channels (rows no filter of the fold uses take
//! no array row). A PE selects among its channel's taps: fan-in and bus demand ≤ 9.
//! Metadata: a `ceil(log2 P)`-bit pattern id per kept kernel, plus per filter either the
//! channel index of each kept kernel or a C-bit connectivity mask, whichever is smaller.

use super::dense::in_place;
use super::packed::{Cell, Packed, PackedBlock, index_bits};
use super::prune::Pruning;
use super::prune::keep_count;
use super::{LayerContext, Layout, LayoutKind};

/// PCONV.
pub struct Pconv {
    /// Target sparsity.
    pub sparsity: f64,
    /// Pattern-library size P.
    pub patterns: u32,
    /// Connectivity rate; `None` = from the target sparsity.
    pub connectivity: Option<f64>,
}

const CENTRE: usize = 4;

/// Taps of a pattern (a 9-bit mask) in ascending order.
fn taps(pattern: u16) -> impl Iterator<Item = usize> {
    (0..9).filter(move |t| pattern & (1 << t) != 0)
}

impl Layout for Pconv {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Pconv
    }

    fn pack_pruned(&self, p: &Pruning, ctx: &LayerContext) -> Packed {
        let (w, scores) = (p.w, p.scores);
        let Some((3, 3, cg)) = ctx.kernel else {
            return in_place(LayoutKind::Pconv, w, |_| true)
                .with_note("pconv applies to 3x3 convolutions: layer left dense");
        };
        let at = |n: usize, c: usize, t: usize| n * w.k + t * cg + c;
        let score2 = |i: usize| f64::from(scores[i]) * f64::from(scores[i]);
        // 1. Natural pattern of every kernel and the library of the P most frequent.
        // Patterns are 9-bit masks: count them in a table.
        let mut freq = vec![0usize; 1 << 9];
        for n in 0..w.n {
            for c in 0..cg {
                // The 3 neighbours with the largest score² (ties: lower tap), kept sorted best
                // first as they are found.
                let mut top = [(f64::NEG_INFINITY, usize::MAX); 3];
                for t in (0..9).filter(|&t| t != CENTRE) {
                    let v = score2(at(n, c, t));
                    // Taps come in ascending order, so an equal score never displaces.
                    if let Some(slot) = top.iter().position(|&(b, _)| v > b) {
                        top.copy_within(slot..2, slot + 1);
                        top[slot] = (v, t);
                    }
                }
                let pat = top.iter().fold(1u16 << CENTRE, |p, &(_, t)| p | (1 << t));
                freq[usize::from(pat)] += 1;
            }
        }
        let mut library: Vec<(u16, usize)> = (0u16..1 << 9)
            .map(|pat| (pat, freq[usize::from(pat)]))
            .filter(|&(_, count)| count > 0)
            .collect();
        library.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        library.truncate(self.patterns as usize);
        // 2. Best library pattern per kernel, and the importance it keeps.
        let mut kernels: Vec<(usize, usize, u16, usize, f64)> = Vec::with_capacity(w.n * cg);
        for n in 0..w.n {
            for c in 0..cg {
                let (mut best, mut best_id, mut best_val) = (library[0].0, 0, -1.0);
                for (id, &(pat, _)) in library.iter().enumerate() {
                    let v: f64 = taps(pat)
                        .filter(|&t| w.data[at(n, c, t)] != 0.0)
                        .map(|t| score2(at(n, c, t)))
                        .sum();
                    if v > best_val {
                        (best, best_id, best_val) = (pat, id, v);
                    }
                }
                kernels.push((n, c, best, best_id, best_val));
            }
        }
        // 3. Connectivity: keep the most important kernels.
        let keep_kernels = match self.connectivity {
            Some(rate) => (kernels.len() as f64 / rate).ceil() as usize,
            None => keep_count(self.sparsity, w.n * w.k).div_ceil(4),
        }
        .min(kernels.len());
        // The `keep_kernels` most important (ties: lower index), selected on integer keys:
        // a kept importance is a finite sum of squares, ≥ 0, so its bits order as its value
        // (an empty sum is −0.0, equal to 0).
        let mut order: Vec<(u64, usize)> = kernels
            .iter()
            .enumerate()
            .map(|(i, k)| (!if k.4 == 0.0 { 0 } else { k.4.to_bits() }, i))
            .collect();
        if keep_kernels > 0 && keep_kernels < order.len() {
            order.select_nth_unstable(keep_kernels - 1);
        }
        let mut kept = vec![false; kernels.len()];
        for &(_, i) in &order[..keep_kernels] {
            kept[i] = kernels[i].4 > 0.0;
        }
        // 4. Packing: filters ordered by kept-channel set; rows (channel, slot).
        let channel_sets: Vec<Vec<bool>> = (0..w.n)
            .map(|n| (0..cg).map(|c| kept[n * cg + c]).collect())
            .collect();
        let mut filters: Vec<usize> = (0..w.n)
            .filter(|&n| channel_sets[n].iter().any(|x| *x))
            .collect();
        filters.sort_by(|&a, &b| channel_sets[b].cmp(&channel_sets[a]).then(a.cmp(&b)));
        let pid_bits = index_bits(library.len() as u64) as u16;
        let cidx = index_bits(cg as u64);
        let mut column_bits = Vec::with_capacity(filters.len());
        let columns: Vec<Vec<Cell>> = filters
            .iter()
            .map(|&n| {
                let mut col = vec![Cell::NONE; 4 * cg];
                let mut count = 0u32;
                for c in 0..cg {
                    let (_, _, pat, _, _) = kernels[n * cg + c];
                    if !kept[n * cg + c] {
                        continue;
                    }
                    count += 1;
                    for (slot, t) in taps(pat).enumerate() {
                        let i = at(n, c, t);
                        if w.data[i] != 0.0 {
                            col[4 * c + slot] = Cell {
                                k: (t * cg + c) as u32,
                                w: w.data[i],
                                bits: 0,
                            };
                        }
                    }
                    // The pattern id rides on the kernel's first slot (even if that tap is zero).
                    col[4 * c].bits = pid_bits;
                }
                column_bits.push((count * cidx).min(cg as u32));
                col
            })
            .collect();
        let ids = filters.iter().map(|&n| n as u32).collect();
        let blocks = if filters.is_empty() {
            Vec::new()
        } else {
            vec![PackedBlock::from_columns(ids, columns, column_bits)]
        };
        let p = Packed::new(LayoutKind::Pconv, w, blocks);
        if self.connectivity.is_none() && self.sparsity < 5.0 / 9.0 {
            p.with_note(
                "pconv: 4-tap patterns alone prune 5/9 of the weights, more than the target",
            )
        } else {
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::WeightMatrix;

    /// Steps 1–3 straight from the description, with full sorts on float comparators: the
    /// kept weights as (filter, column) pairs.
    fn kept_by_sorting(
        w: &WeightMatrix,
        s: &[f32],
        cg: usize,
        p: usize,
        keep: usize,
    ) -> Vec<(u32, u32)> {
        let at = |n: usize, c: usize, t: usize| n * w.k + t * cg + c;
        let s2 = |i: usize| f64::from(s[i]) * f64::from(s[i]);
        let natural = |n: usize, c: usize| {
            let mut nb: Vec<usize> = (0..9).filter(|&t| t != CENTRE).collect();
            nb.sort_by(|&a, &b| {
                s2(at(n, c, b))
                    .partial_cmp(&s2(at(n, c, a)))
                    .unwrap()
                    .then(a.cmp(&b))
            });
            nb[..3].iter().fold(1u16 << CENTRE, |m, &t| m | (1 << t))
        };
        let mut freq: Vec<(u16, usize)> = Vec::new();
        for n in 0..w.n {
            for c in 0..cg {
                let pat = natural(n, c);
                match freq.iter_mut().find(|(q, _)| *q == pat) {
                    Some(e) => e.1 += 1,
                    None => freq.push((pat, 1)),
                }
            }
        }
        freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        freq.truncate(p);
        let mut kernels = Vec::new();
        for n in 0..w.n {
            for c in 0..cg {
                let mut best = (freq[0].0, -1.0);
                for &(pat, _) in &freq {
                    let v: f64 = taps(pat)
                        .filter(|&t| w.data[at(n, c, t)] != 0.0)
                        .map(|t| s2(at(n, c, t)))
                        .sum();
                    if v > best.1 {
                        best = (pat, v);
                    }
                }
                kernels.push((n, c, best.0, best.1));
            }
        }
        let mut order: Vec<usize> = (0..kernels.len()).collect();
        order.sort_by(|&a, &b| {
            kernels[b]
                .3
                .partial_cmp(&kernels[a].3)
                .unwrap()
                .then(a.cmp(&b))
        });
        let mut out = Vec::new();
        for &i in &order[..keep.min(order.len())] {
            let (n, c, pat, v) = kernels[i];
            if v > 0.0 {
                for t in taps(pat).filter(|&t| w.data[at(n, c, t)] != 0.0) {
                    out.push((n as u32, (t * cg + c) as u32));
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn selection_matches_full_sorts_with_zero_kernels_and_ties() {
        // Many zero weights (whole kernels among them: their kept importance is an empty sum,
        // −0.0) and scores drawn from few values (ties everywhere).
        let (n, cg) = (7, 6);
        let k = 9 * cg;
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..40 {
            let data: Vec<f32> = (0..n * k)
                .map(|_| {
                    if next() % 3 == 0 {
                        0.0
                    } else {
                        (next() % 4) as f32 - 1.5
                    }
                })
                .collect();
            let w = WeightMatrix::new(n, k, data);
            let s: Vec<f32> = w.data.iter().map(|v| v.abs()).collect();
            let (patterns, sparsity) = (1 + case % 6, [0.6, 0.7, 0.8, 0.9][case % 4]);
            let layout = Pconv {
                sparsity,
                patterns: patterns as u32,
                connectivity: None,
            };
            let packed = layout.prune_and_pack(
                &w,
                &s,
                &LayerContext {
                    kernel: Some((3, 3, cg)),
                },
            );
            let mut got: Vec<(u32, u32)> = packed
                .blocks
                .iter()
                .flat_map(|b| {
                    (0..b.cols()).flat_map(move |col| {
                        (0..b.rows).map(move |r| (b.filters[col], b.cell(r, col).k))
                    })
                })
                .filter(|&(_, kk)| kk != crate::layout::packed::EMPTY)
                .collect();
            got.sort_unstable();
            let keep = keep_count(sparsity, n * k).div_ceil(4);
            assert_eq!(
                got,
                kept_by_sorting(&w, &s, cg, patterns, keep),
                "case {case}"
            );
        }
    }

    #[test]
    fn keeps_four_taps_with_the_centre() {
        // 2 filters × 1 channel, 3×3: K = 9.
        let data: Vec<f32> = (0..18)
            .map(|i| (i as f32 + 1.0) * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let w = WeightMatrix::new(2, 9, data);
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let p = Pconv {
            sparsity: 0.5,
            patterns: 8,
            connectivity: None,
        }
        .prune_and_pack(
            &w,
            &s,
            &LayerContext {
                kernel: Some((3, 3, 1)),
            },
        );
        assert_eq!(p.nnz_after, 8);
        let b = &p.blocks[0];
        for col in 0..2 {
            let ks: Vec<u32> = (0..4).map(|r| b.cell(r, col).k).collect();
            // Centre (4) plus the three largest neighbours (6, 7, 8).
            assert_eq!(ks, vec![4, 6, 7, 8]);
        }
        assert!(p.note.is_some());
    }

    #[test]
    fn non_3x3_layers_stay_dense() {
        let w = WeightMatrix::new(2, 4, vec![1.0; 8]);
        let p = Pconv {
            sparsity: 0.5,
            patterns: 8,
            connectivity: None,
        }
        .prune_and_pack(
            &w,
            &w.data.clone(),
            &LayerContext {
                kernel: Some((1, 1, 4)),
            },
        );
        assert_eq!(p.nnz_after, 8);
        assert_eq!(
            p.note.as_deref(),
            Some("pconv applies to 3x3 convolutions: layer left dense")
        );
    }
}
