//! `dram_trace.csv`: per layer and channel, the requests and words of a `--dram-trace` file
//! next to the words the memory model reported.

use crate::engine::dram_trace::LayerTrace;
use crate::stats::LayerStats;
use serde::Serialize;

/// One channel and direction of one layer's trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DramTraceRow {
    /// Layer position in the workload, from 0.
    pub layer_index: usize,
    /// Layer name.
    pub layer: String,
    /// Trace file name.
    pub file: String,
    /// `ifmap`, `filter` or `ofmap`.
    pub channel: &'static str,
    /// `read` or `write`.
    pub op: &'static str,
    /// Requests in the trace.
    pub requests: u64,
    /// Words the requests carry.
    pub words: u64,
    /// Padding slots the model counts as traffic that carry no word (`scalesim` model).
    pub padding_words: u64,
    /// Words the memory model reported (`*_dram_reads`, `ofmap_dram_writes`).
    pub reported_words: u64,
}

/// The four rows of one layer's trace `t` (ifmap reads, filter reads, ofmap writes, ofmap
/// read-back), next to the traffic `s` reports.
pub fn trace_rows(
    layer_index: usize,
    layer: &str,
    file: &str,
    t: &LayerTrace,
    s: &LayerStats,
) -> [DramTraceRow; 4] {
    let row =
        |channel, op, c: usize, write: bool, words, padding_words, reported_words| DramTraceRow {
            layer_index,
            layer: layer.to_string(),
            file: file.to_string(),
            channel,
            op,
            requests: t
                .requests
                .iter()
                .filter(|r| r.channel == c && r.write == write)
                .count() as u64,
            words,
            padding_words,
            reported_words,
        };
    let pad = t.padding_words;
    [
        row(
            "ifmap",
            "read",
            0,
            false,
            t.read_words[0],
            pad[0],
            s.ifmap_dram_reads,
        ),
        row(
            "filter",
            "read",
            1,
            false,
            t.read_words[1],
            pad[1],
            s.filter_dram_reads,
        ),
        row(
            "ofmap",
            "write",
            2,
            true,
            t.write_words,
            pad[2],
            s.ofmap_dram_writes,
        ),
        row(
            "ofmap",
            "read",
            2,
            false,
            t.read_words[2],
            0,
            s.ofmap_dram_reads,
        ),
    ]
}

/// The CSV bytes.
pub fn dram_trace_csv(rows: &[DramTraceRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
