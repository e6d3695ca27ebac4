//! `dram_trace.csv`: per layer and channel, the requests and words of a `--dram-trace` file
//! next to the words the memory model reported.

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

/// The CSV bytes.
pub fn dram_trace_csv(rows: &[DramTraceRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
