//! How a GEMM maps onto the array under each dataflow (`docs/model.md` §1–2): the stationary and
//! streaming dimensions, the folds, their order, and the stall-free cycles of a fold.
//!
//! With `(Sr, Sc, T)` = WS `(K, N, M)`, OS `(M, N, K)`, IS `(K, M, N)`, the array takes the
//! `Sr × Sc` operand in `row_folds = ceil(Sr/R)` × `col_folds = ceil(Sc/C)` folds; each fold
//! streams `T` vectors. Fold length, as SCALE-Sim v3.0.0 counts it:
//! - WS and IS: `2R + C + T − 2` (R cycles to load the stationary tile, then the stream
//!   skewed across R rows and C columns);
//! - OS: `T + R + C − 2`.
//!
//! The whole array's R and C count even when a fold uses fewer rows or columns, as in SCALE-Sim.
//!
//! Orientation (WS): weight `W[n][k]` sits in PE (row k, column n); activation `a[m][k]`
//! enters array row k at the left edge and moves right one column per cycle; partial sums move
//! down one row per cycle and output `O[m][n]` leaves the bottom of column n.
//!
//! A worked 2×2 WS fold (R = C = 2; GEMM M = 3, N = 2, K = 2: one fold, T = 3), counting
//! cycles from 1:
//! ```text
//! cycle 1  weights W[·][0] shift into row 0      (R = 2 load cycles)
//! cycle 2  weights W[·][1] shift into row 1
//! cycle 3  a[0][0] at PE(0,0)
//! cycle 4  a[0][0] at PE(0,1); a[1][0] at PE(0,0); a[0][1] at PE(1,0): O[0][0] done
//! cycle 5  a[0][1] at PE(1,1): O[0][1] done; a[1][1] at PE(1,0): O[1][0] done; a[2][0] at PE(0,0)
//! cycle 6  O[1][1] done at PE(1,1); O[2][0] done at PE(1,0)
//! cycle 7  O[2][1] done at PE(1,1): the fold ends
//! ```
//! The last output completes in cycle R + (T − 1) + (R − 1) + (C − 1) + 1 = 2R + C + T − 2 = 7,
//! so the fold occupies exactly `L_fold` cycles and back-to-back folds add. SCALE-Sim numbers
//! cycles from 0 and prints the last index, `L − 1` (its issue #125); sparsim reports `L`.

use crate::config::{ArrayShape, Dataflow};
use crate::workload::GemmShape;

/// A GEMM mapped on an array under a dataflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// Dataflow.
    pub dataflow: Dataflow,
    /// Array shape.
    pub array: ArrayShape,
    /// GEMM sizes.
    pub gemm: GemmShape,
    /// Stationary rows Sr (mapped on array rows).
    pub sr: u64,
    /// Stationary columns Sc (mapped on array columns).
    pub sc: u64,
    /// Streamed vectors per fold, T.
    pub t: u64,
    /// `ceil(Sr / R)`.
    pub row_folds: u64,
    /// `ceil(Sc / C)`.
    pub col_folds: u64,
    /// Stall-free cycles of one fold.
    pub fold_cycles: u64,
}

/// One fold: which part of the `Sr × Sc` operand sits on the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// Index along Sr (array rows).
    pub row_fold: u64,
    /// Index along Sc (array columns).
    pub col_fold: u64,
    /// Array rows in use, ≤ R.
    pub rows_used: u64,
    /// Array columns in use, ≤ C.
    pub cols_used: u64,
}

impl Mapping {
    /// Maps `gemm` on `array` under `dataflow`.
    pub fn new(dataflow: Dataflow, array: ArrayShape, gemm: GemmShape) -> Mapping {
        let (r, c) = (u64::from(array.rows), u64::from(array.cols));
        let (sr, sc, t) = match dataflow {
            Dataflow::Ws => (gemm.k, gemm.n, gemm.m),
            Dataflow::Os => (gemm.m, gemm.n, gemm.k),
            Dataflow::Is => (gemm.k, gemm.m, gemm.n),
        };
        let fold_cycles = match dataflow {
            Dataflow::Ws | Dataflow::Is => 2 * r + c + t - 2,
            Dataflow::Os => t + r + c - 2,
        };
        Mapping {
            dataflow,
            array,
            gemm,
            sr,
            sc,
            t,
            row_folds: sr.div_ceil(r),
            col_folds: sc.div_ceil(c),
            fold_cycles,
        }
    }

    /// Number of folds.
    pub fn folds(&self) -> u64 {
        self.row_folds * self.col_folds
    }

    /// Stall-free cycles of the whole GEMM, `L = folds · L_fold` (`docs/model.md` §2).
    pub fn compute_cycles(&self) -> u64 {
        self.folds() * self.fold_cycles
    }

    /// Occupied PE slots over all folds: `Sr · Sc`.
    pub fn occupied_slots(&self) -> u64 {
        self.sr * self.sc
    }

    /// The folds in execution order: column folds outer, row folds inner (SCALE-Sim's loop
    /// order), so in WS all K-chunks of one group of filters run back to back.
    pub fn fold_sequence(&self) -> impl Iterator<Item = Fold> + '_ {
        let (r, c) = (u64::from(self.array.rows), u64::from(self.array.cols));
        (0..self.col_folds).flat_map(move |cf| {
            (0..self.row_folds).map(move |rf| Fold {
                row_fold: rf,
                col_fold: cf,
                rows_used: r.min(self.sr - rf * r),
                cols_used: c.min(self.sc - cf * c),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_counts_and_lengths() {
        let a = ArrayShape { rows: 32, cols: 32 };
        let g = GemmShape {
            m: 3025,
            n: 96,
            k: 363,
        };
        let ws = Mapping::new(Dataflow::Ws, a, g);
        assert_eq!((ws.row_folds, ws.col_folds, ws.fold_cycles), (12, 3, 3119));
        assert_eq!(ws.compute_cycles(), 112_284);
        let os = Mapping::new(Dataflow::Os, a, g);
        assert_eq!((os.row_folds, os.col_folds, os.fold_cycles), (95, 3, 425));
        let is = Mapping::new(Dataflow::Is, a, g);
        assert_eq!((is.row_folds, is.col_folds, is.fold_cycles), (12, 95, 190));
    }

    #[test]
    fn tail_folds_use_fewer_pes() {
        let a = ArrayShape { rows: 32, cols: 32 };
        let ws = Mapping::new(Dataflow::Ws, a, GemmShape { m: 5, n: 40, k: 33 });
        let folds: Vec<Fold> = ws.fold_sequence().collect();
        assert_eq!(folds.len(), 4);
        assert_eq!((folds[1].rows_used, folds[1].cols_used), (1, 32));
        assert_eq!((folds[3].rows_used, folds[3].cols_used), (1, 8));
        let used: u64 = folds.iter().map(|f| f.rows_used * f.cols_used).sum();
        assert_eq!(used, ws.occupied_slots());
    }
}
