//! The `scalesim` memory model: SCALE-Sim v3.0.0's memory system reproduced address by
//! address for a dense GEMM layer, so that a SCALE-Sim user gets SCALE-Sim's stall cycles,
//! DRAM counts and DRAM start/stop cycles.
//!
//! Per layer the three operands' demand lines (one line per array cycle, see [`streams`]) are
//! serviced in order. Line `i` is issued at `cycle = i + stalls`; the ifmap and filter read
//! buffers ([`read_buffer`] in USER mode, [`estimate_buffer`] in CALC mode) and the ofmap
//! write buffer ([`write_buffer`]) each return the cycle they serve it; the line's stall is
//! `max(ifmap − cycle − 1, filter − cycle − 1, ofmap − cycle)` (the reads' 1-cycle hit latency
//! is not a stall) and adds to `stalls`. SCALE-Sim's Total Cycles is the largest ofmap service
//! cycle; then the write buffer drains what is left. Each layer starts with empty buffers.

pub mod estimate_buffer;
pub mod read_buffer;
pub mod streams;
pub mod write_buffer;

use super::mapping::Mapping;
use crate::config::{Arch, BandwidthMode};
use crate::workload::GemmWork;
use estimate_buffer::EstimateBuffer;
use read_buffer::ReadBuffer;
use streams::{FoldStream, Operand, Operands};
use write_buffer::WriteBuffer;

/// One DRAM line of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DramLine {
    /// Cycle (SCALE-Sim's origin: the first demand line is cycle 0).
    pub cycle: i64,
    /// Word addresses (operand-relative).
    pub addrs: Vec<u64>,
}

/// SCALE-Sim's report numbers for one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScaleSimMemory {
    /// Demand lines (stall-free cycles).
    pub lines: u64,
    /// Cycle the last fold's first line was issued.
    pub last_fold_start: i64,
    /// SCALE-Sim's Total Cycles: the cycle the last output line is served.
    pub total_cycles: u64,
    /// Stall cycles.
    pub stall_cycles: u64,
    /// Total Cycles (incl. prefetch): ofmap DRAM stop − first read DRAM start.
    pub total_incl_prefetch: i64,
    /// SRAM first/last service cycle per operand (ifmap, filter, ofmap).
    pub sram_windows: [(i64, i64); 3],
    /// DRAM reads (ifmap, filter) and writes (ofmap), words.
    pub dram_counts: [u64; 3],
    /// DRAM first/last cycle per operand.
    pub dram_windows: [(i64, i64); 3],
}

/// DRAM traces of the three operands, when asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DramTraces {
    /// Ifmap reads.
    pub ifmap: Vec<DramLine>,
    /// Filter reads.
    pub filter: Vec<DramLine>,
    /// Ofmap writes.
    pub ofmap: Vec<DramLine>,
}

/// Each operand's DRAM trace (ifmap, filter, ofmap), when traces are collected.
fn sinks(traces: Option<&mut DramTraces>) -> [Option<&mut Vec<DramLine>>; 3] {
    match traces {
        Some(t) => [Some(&mut t.ifmap), Some(&mut t.filter), Some(&mut t.ofmap)],
        None => [None, None, None],
    }
}

enum Reader {
    User(ReadBuffer),
    Calc(EstimateBuffer),
}

impl Reader {
    fn service(&mut self, cycle: i64, addrs: &[u64], sink: Option<&mut Vec<DramLine>>) -> i64 {
        match self {
            Reader::User(b) => b.service(cycle, addrs, sink),
            Reader::Calc(b) => b.service(cycle, addrs, sink),
        }
    }

    fn finish(&mut self, sink: Option<&mut Vec<DramLine>>) {
        if let Reader::Calc(b) = self {
            b.finish(sink);
        }
    }

    fn outcome(&self) -> (u64, (i64, i64)) {
        match self {
            Reader::User(b) => (b.reads, b.dram_window.unwrap_or((0, 0))),
            Reader::Calc(b) => (b.reads, b.dram_window.unwrap_or((0, 0))),
        }
    }
}

/// Integer DRAM bandwidth of an operand (validation guarantees whole words per cycle).
fn words_per_cycle(bw: crate::units::Bandwidth) -> u64 {
    (bw.words_per_cycle().round() as u64).max(1)
}

/// Runs SCALE-Sim's memory system over a dense layer's GEMMs; `traces` collects DRAM lines.
pub fn simulate(
    arch: &Arch,
    work: &GemmWork,
    mut traces: Option<&mut DramTraces>,
) -> ScaleSimMemory {
    let map = Mapping::new(arch.dataflow, arch.array, work.shape);
    let fs = FoldStream {
        map: &map,
        ops: Operands::new(*work),
        instances: work.instances,
    };
    let mem = &arch.memory;
    let tracing = traces.is_some();
    let reader = |op: Operand, m: &crate::config::OperandMemory| match mem.bandwidth_mode {
        BandwidthMode::User => Reader::User(ReadBuffer::new(
            m.sram_words(),
            words_per_cycle(m.dram_bw),
            fs.prefetch(op),
            tracing,
        )),
        BandwidthMode::Calc => Reader::Calc(EstimateBuffer::new(m.sram_words())),
    };
    let mut ifmap = reader(Operand::Ifmap, &mem.ifmap);
    let mut filter = reader(Operand::Filter, &mem.filter);
    let mut ofmap = WriteBuffer::new(
        mem.ofmap.sram_words(),
        words_per_cycle(mem.ofmap.dram_bw),
        tracing,
    );

    let widths = [
        fs.width(Operand::Ifmap),
        fs.width(Operand::Filter),
        fs.width(Operand::Ofmap),
    ];
    let mut line: [Vec<u64>; 3] = std::array::from_fn(|o| Vec::with_capacity(widths[o] as usize));
    debug_assert!(widths.iter().all(|&w| w > 0));
    let mut stalls: i64 = 0;
    let mut i: i64 = 0;
    let mut sram: [Option<(i64, i64)>; 3] = [None; 3];
    let mut max_ofmap = i64::MIN;
    let mut last_ofmap = 0;
    let mut last_fold_start = 0;
    for inst in 0..work.instances {
        for f in map.fold_sequence() {
            last_fold_start = i + stalls;
            for l in 0..map.fold_cycles {
                let cycle = i + stalls;
                for (o, op) in [Operand::Ifmap, Operand::Filter, Operand::Ofmap]
                    .into_iter()
                    .enumerate()
                {
                    line[o].clear();
                    let (lo, hi) = fs.lanes(op, l);
                    line[o].extend(
                        (lo..hi).filter_map(|x| fs.demand(op, inst, f.row_fold, f.col_fold, l, x)),
                    );
                }
                let [ti, tf, to] = sinks(traces.as_deref_mut());
                let out = [
                    ifmap.service(cycle, &line[0], ti),
                    filter.service(cycle, &line[1], tf),
                    ofmap.service(cycle, &line[2], to),
                ];
                for o in 0..3 {
                    if !line[o].is_empty() {
                        let w = sram[o].get_or_insert((out[o], out[o]));
                        w.1 = out[o];
                    }
                }
                let stall = (out[0] - cycle - 1)
                    .max(out[1] - cycle - 1)
                    .max(out[2] - cycle);
                stalls += stall;
                max_ofmap = max_ofmap.max(out[2]);
                last_ofmap = out[2];
                i += 1;
            }
        }
    }
    let [ti, tf, to] = sinks(traces);
    ifmap.finish(ti);
    filter.finish(tf);
    ofmap.finish(last_ofmap, to);
    let (ir, iw) = ifmap.outcome();
    let (fr, fw) = filter.outcome();
    let ow = ofmap.dram_window.unwrap_or((0, 0));
    ScaleSimMemory {
        lines: i as u64,
        last_fold_start,
        total_cycles: max_ofmap.max(0) as u64,
        stall_cycles: stalls.max(0) as u64,
        total_incl_prefetch: ow.1 - iw.0.min(fw.0),
        sram_windows: sram.map(|w| w.unwrap_or((0, 0))),
        dram_counts: [ir, fr, ofmap.writes],
        dram_windows: [iw, fw, ow],
    }
}
