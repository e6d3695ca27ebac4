//! The row-bus arbiter of the stepped engine: from the activation each loaded PE asks for, it
//! decides what every array row's bus carries per input vector and which lane and beat each
//! PE latches from.
//!
//! Per array row: the distinct window indices its PEs ask for, in ascending order, become the
//! row's list; entry j travels in beat `⌊j/B⌋` on lane `j mod B` of the row's B-lane bus. A PE
//! is told its (beat, lane); it needs a mux over the lanes its row uses, `min(D, B)` for a
//! row of D entries. The arbiter works only from the placed cells, not from any formula of
//! the fast engine.

use crate::layout::packed::EMPTY;

/// What the arbiter decided for one fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusPlan {
    /// Per used row, the window indices it carries per vector, in bus order.
    pub lists: Vec<Vec<u32>>,
    /// Per PE (`rows_used × cols_used`, row-major), the beat it latches in (0 if absent).
    pub beat: Vec<u16>,
    /// Per PE, the lane it latches from (0 if absent).
    pub lane: Vec<u16>,
    /// Beats the fold's rows need per vector: the most any row needs, at least 1.
    pub beats: usize,
    /// Largest mux a PE of the fold needs: the most lanes any row uses.
    pub fan_in: usize,
}

/// The list a row's bus carries per vector: the distinct window indices its PEs ask for
/// (`EMPTY` for a PE without a weight), ascending.
pub fn row_list(asks: &[u32]) -> Vec<u32> {
    let mut list: Vec<u32> = asks.iter().copied().filter(|&x| x != EMPTY).collect();
    list.sort_unstable();
    list.dedup();
    list
}

/// Arbitrates the buses of a fold whose PE `(r, c)` asks for window index `k[r·cols + c]`
/// (`EMPTY` for a PE without a weight), over `lanes`-wide row buses.
pub fn arbitrate(rows: usize, cols: usize, k: &[u32], lanes: usize) -> BusPlan {
    let lanes = lanes.max(1);
    let mut plan = BusPlan {
        lists: Vec::with_capacity(rows),
        beat: vec![0; rows * cols],
        lane: vec![0; rows * cols],
        beats: 1,
        fan_in: 0,
    };
    for r in 0..rows {
        let asks = &k[r * cols..(r + 1) * cols];
        let list = row_list(asks);
        for (c, &want) in asks.iter().enumerate() {
            if want == EMPTY {
                continue;
            }
            let j = list
                .binary_search(&want)
                .expect("the list holds every index the row asks for");
            plan.beat[r * cols + c] = (j / lanes) as u16;
            plan.lane[r * cols + c] = (j % lanes) as u16;
        }
        plan.beats = plan.beats.max(list.len().div_ceil(lanes));
        plan.fan_in = plan.fan_in.max(list.len().min(lanes));
        plan.lists.push(list);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_spread_over_beats_of_b_lanes() {
        // Row 0 asks for 7, 3, 7, 9, 3 → list [3, 7, 9]; on a 2-lane bus: 3 → (0, 0),
        // 7 → (0, 1), 9 → (1, 0). Row 1 asks only for 5 and has an empty PE.
        let k = [7, 3, 7, 9, 3, 5, EMPTY, 5, 5, 5];
        let p = arbitrate(2, 5, &k, 2);
        assert_eq!(p.lists, vec![vec![3, 7, 9], vec![5]]);
        assert_eq!(&p.beat[..5], &[0, 0, 0, 1, 0]);
        assert_eq!(&p.lane[..5], &[1, 0, 1, 0, 0]);
        assert_eq!((p.beats, p.fan_in), (2, 2));
    }
}
