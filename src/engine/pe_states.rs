//! Per-PE state counts in closed form (`docs/model.md` §8), without stepping: per fold, a PE outside the
//! used region is unmapped for the whole fold; a used PE does T MACs (effectual when its
//! weight is nonzero), waits `T·(s − 1)` cycles on the row bus, is stalled for the fold's
//! decode wait, and fills/drains for the rest; between folds every PE is stalled.

use super::mapping::Mapping;
use crate::config::{Arch, Dataflow};
use crate::stats::PeGrid;
use crate::workload::Layer;

/// The grid of a dense-engine layer. `nonzero(instance, n, k)` says whether weight (n, k) of
/// a weight instance is nonzero (all are, without weights).
pub fn dense_grid(
    arch: &Arch,
    layer: &Layer,
    stall_cycles: u64,
    nonzero: &dyn Fn(u64, u64, u64) -> bool,
) -> PeGrid {
    let mut grid = PeGrid::new(arch.array.rows, arch.array.cols);
    let Some(work) = layer.gemm_work() else {
        return grid;
    };
    let m = Mapping::new(arch.dataflow, arch.array, work.shape);
    let (rr, cc) = (arch.array.rows as usize, arch.array.cols as usize);
    let g = work.shape;
    for inst in 0..work.instances {
        let wi = if work.weights_shared { 0 } else { inst };
        // Nonzero counts along K per filter (OS) and along N per window index (IS).
        let row_nnz: Vec<u64> = if arch.dataflow == Dataflow::Os {
            (0..g.n)
                .map(|n| (0..g.k).filter(|&k| nonzero(wi, n, k)).count() as u64)
                .collect()
        } else {
            Vec::new()
        };
        let col_nnz: Vec<u64> = if arch.dataflow == Dataflow::Is {
            (0..g.k)
                .map(|k| (0..g.n).filter(|&n| nonzero(wi, n, k)).count() as u64)
                .collect()
        } else {
            Vec::new()
        };
        for f in m.fold_sequence() {
            let (r0, c0) = (f.row_fold * rr as u64, f.col_fold * cc as u64);
            for r in 0..rr {
                for c in 0..cc {
                    let st = grid.at(r, c);
                    if r as u64 >= f.rows_used || c as u64 >= f.cols_used {
                        st.unmapped += m.fold_cycles;
                        continue;
                    }
                    let (ri, ci) = (r0 + r as u64, c0 + c as u64);
                    let eff = match arch.dataflow {
                        Dataflow::Ws => {
                            if nonzero(wi, ci, ri) {
                                m.t
                            } else {
                                0
                            }
                        }
                        Dataflow::Os => row_nnz[ci as usize],
                        Dataflow::Is => col_nnz[ri as usize],
                    };
                    st.effectual += eff;
                    st.zero_weight += m.t - eff;
                    st.fill_drain += m.fold_cycles - m.t;
                }
            }
        }
    }
    for p in &mut grid.pes {
        p.stalled += stall_cycles;
    }
    grid
}
