//! The array under the output-stationary dataflow, one cycle at a time.
//!
//! Row r receives `A[m0 + r][k]` at its left edge at stream cycle `k + r` and passes it right
//! one PE per cycle; column c receives `W[n0 + c][k]` at its top edge at cycle `k + c` and
//! passes it down. Words carry a valid bit and their k. A PE whose left and top inputs are
//! valid multiplies them into its accumulator (a MAC event); after its K-th event it writes
//! its output. Unused rows and columns carry bubbles so the wavefront crosses the whole
//! array; the fold ends after the cycle of the bottom-right PE's K-th event.
//!
//! Per-cycle order: shift row words right and column words down, inject at the edges, then
//! every PE fires.

use crate::stats::PeGrid;

/// Where operand values come from and outputs go.
pub trait OsIo {
    /// `A[m0 + r][k]` of used row r.
    fn a(&self, r: usize, k: usize) -> i32;
    /// `W[n0 + c][k]` of used column c, and whether it is a nonzero weight.
    fn w(&self, c: usize, k: usize) -> (i32, bool);
    /// The output of PE (r, c).
    fn output(&mut self, r: usize, c: usize, value: i32);
}

/// Registers of an R×C output-stationary array.
pub struct OsArray {
    r: usize,
    c: usize,
    a_val: Vec<i32>,
    a_k: Vec<u32>,
    w_val: Vec<i32>,
    w_nz: Vec<bool>,
    w_k: Vec<u32>,
    acc: Vec<i32>,
    macs: Vec<u32>,
    events_nz: Vec<u64>,
    events_zero: Vec<u64>,
    tau: usize,
    cycles: u64,
}

const NONE: u32 = u32::MAX;

impl OsArray {
    /// An idle array.
    pub fn new(rows: usize, cols: usize) -> OsArray {
        let n = rows * cols;
        OsArray {
            r: rows,
            c: cols,
            a_val: vec![0; n],
            a_k: vec![NONE; n],
            w_val: vec![0; n],
            w_nz: vec![false; n],
            w_k: vec![NONE; n],
            acc: vec![0; n],
            macs: vec![0; n],
            events_nz: vec![0; n],
            events_zero: vec![0; n],
            tau: 0,
            cycles: 0,
        }
    }

    /// Resets the registers for a new fold.
    pub fn begin(&mut self) {
        self.a_k.fill(NONE);
        self.w_k.fill(NONE);
        self.acc.fill(0);
        self.macs.fill(0);
        self.events_nz.fill(0);
        self.events_zero.fill(0);
        self.tau = 0;
        self.cycles = 0;
    }

    /// Advances one cycle of a fold using `rows_used × cols_used` PEs over `depth` = K.
    /// Returns `true` when this was the fold's last cycle. `reads` counts (ifmap, filter)
    /// words read from SRAM; `writes` outputs written.
    pub fn step(
        &mut self,
        rows_used: usize,
        cols_used: usize,
        depth: usize,
        io: &mut impl OsIo,
        reads: &mut (u64, u64),
        writes: &mut u64,
    ) -> bool {
        let (rr, cc) = (self.r, self.c);
        self.cycles += 1;
        // 1. Row words move right, column words move down.
        for row in 0..rr {
            let base = row * cc;
            self.a_val.copy_within(base..base + cc - 1, base + 1);
            self.a_k.copy_within(base..base + cc - 1, base + 1);
            let k = self.tau as isize - row as isize;
            if k >= 0 && (k as usize) < depth {
                let used = row < rows_used;
                self.a_val[base] = if used { io.a(row, k as usize) } else { 0 };
                reads.0 += u64::from(used);
                self.a_k[base] = k as u32;
            } else {
                self.a_k[base] = NONE;
            }
        }
        for row in (1..rr).rev() {
            let (dst, src) = (row * cc, (row - 1) * cc);
            self.w_val.copy_within(src..src + cc, dst);
            self.w_nz.copy_within(src..src + cc, dst);
            self.w_k.copy_within(src..src + cc, dst);
        }
        for col in 0..cc {
            let k = self.tau as isize - col as isize;
            if k >= 0 && (k as usize) < depth {
                let used = col < cols_used;
                let (v, nz) = if used {
                    io.w(col, k as usize)
                } else {
                    (0, false)
                };
                self.w_val[col] = v;
                self.w_nz[col] = nz;
                reads.1 += u64::from(used);
                self.w_k[col] = k as u32;
            } else {
                self.w_k[col] = NONE;
            }
        }
        // 2. Every PE with both operands fires.
        let mut last = false;
        for row in 0..rr {
            for col in 0..cc {
                let p = row * cc + col;
                if self.a_k[p] == NONE || self.w_k[p] == NONE {
                    continue;
                }
                debug_assert_eq!(self.a_k[p], self.w_k[p], "operands meet with the same k");
                self.acc[p] = self.acc[p].wrapping_add(self.a_val[p].wrapping_mul(self.w_val[p]));
                self.macs[p] += 1;
                let used = row < rows_used && col < cols_used;
                if used {
                    if self.w_nz[p] {
                        self.events_nz[p] += 1;
                    } else {
                        self.events_zero[p] += 1;
                    }
                }
                if self.macs[p] as usize == depth {
                    if used {
                        io.output(row, col, self.acc[p]);
                        *writes += 1;
                    }
                    if row == rr - 1 && col == cc - 1 {
                        last = true;
                    }
                }
            }
        }
        self.tau += 1;
        last
    }

    /// Adds the fold's per-PE states to `grid`; returns (effectual, zero-weight) events.
    pub fn account(&self, rows_used: usize, cols_used: usize, grid: &mut PeGrid) -> (u64, u64) {
        let (mut eff, mut zero) = (0, 0);
        for row in 0..self.r {
            for col in 0..self.c {
                let p = row * self.c + col;
                let st = grid.at(row, col);
                if row < rows_used && col < cols_used {
                    st.effectual += self.events_nz[p];
                    st.zero_weight += self.events_zero[p];
                    st.fill_drain += self.cycles - self.events_nz[p] - self.events_zero[p];
                    eff += self.events_nz[p];
                    zero += self.events_zero[p];
                } else {
                    st.unmapped += self.cycles;
                }
            }
        }
        (eff, zero)
    }

    /// Cycles of the fold so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}
