//! `run --dram-trace`: DRAMsim3-format request traces whose word counts equal the DRAM reads
//! and writes the memory model reports, under both memory models and for a packed layout.

use crate::common::{col, fixture, read_report, root, sparsim, stderr, temp_dir};
use std::path::Path;

/// `dram_trace.csv` rows as (channel, op, requests, words, padding, reported).
fn summary(dir: &Path) -> Vec<(String, String, u64, u64, u64, u64)> {
    let text = std::fs::read_to_string(dir.join("dram_trace.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("layer_index,layer,file,channel,op,requests,words,padding_words,reported_words")
    );
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let n = |i: usize| c[i].parse::<u64>().unwrap();
            (c[3].to_string(), c[4].to_string(), n(5), n(6), n(7), n(8))
        })
        .collect()
}

/// Every trace line is `0x<HEX> READ|WRITE <cycle>` with cycles non-decreasing; returns the
/// number of lines.
fn check_trace_files(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "trace") {
            continue;
        }
        let mut last = 0u64;
        for line in std::fs::read_to_string(&p).unwrap().lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            assert_eq!(parts.len(), 3, "{line}");
            let hex = parts[0].strip_prefix("0x").unwrap();
            u64::from_str_radix(hex, 16).unwrap();
            assert!(parts[1] == "READ" || parts[1] == "WRITE", "{line}");
            let cycle: u64 = parts[2].parse().unwrap();
            assert!(cycle >= last, "{}: cycles go back at {line}", p.display());
            last = cycle;
            total += 1;
        }
    }
    total
}

/// One-word requests under sparsim's model: every channel's requests and words equal the
/// reported DRAM traffic, and the files hold exactly those requests.
#[test]
fn sparsim_model_trace_words_equal_the_reported_traffic() {
    let dir = temp_dir("dram_trace", "sparsim");
    let lenet = root().join("workloads/lenet5.toml");
    for (name, extra) in [("dense", vec![]), ("nm", vec!["--layout", "nm"])] {
        let mut args = vec![
            "run",
            "-w",
            lenet.to_str().unwrap(),
            "-q",
            "-o",
            name,
            "--dram-trace",
            name,
            "--dram-burst-bytes",
            "1",
        ];
        args.extend(extra);
        let o = sparsim(&args, &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let rows = summary(&dir.join(name));
        assert!(rows.len() >= 20, "{name}: {} rows", rows.len());
        let mut requests = 0;
        for (ch, op, req, words, pad, reported) in rows {
            assert_eq!(
                (req, words, pad),
                (reported, reported, 0),
                "{name} {ch} {op}"
            );
            requests += req;
        }
        assert_eq!(check_trace_files(&dir.join(name)), requests, "{name}");
    }
}

/// The `scalesim` model on a SCALE-Sim USER run: the trace's words plus the padding slots of
/// SCALE-Sim's DRAM lines equal the DRAM reads and writes in SCALE-Sim's own report.
#[test]
fn scalesim_model_trace_words_equal_scalesims_dram_counts() {
    let dir = temp_dir("dram_trace", "scalesim");
    let run = fixture("scalesim_user_extra/gemm_7x5_is_user");
    let o = sparsim(
        &[
            "run",
            "--arch",
            run.join("config.cfg").to_str().unwrap(),
            "--workload",
            run.join("topology.csv").to_str().unwrap(),
            "--gemm",
            "-q",
            "-o",
            "out",
            "--dram-trace",
            "tr",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, detailed) = read_report(&run.join("DETAILED_ACCESS_REPORT.csv"));
    let rows = summary(&dir.join("tr"));
    // Four rows per layer: ifmap read, filter read, ofmap write, ofmap read (none).
    assert_eq!(rows.len(), 4 * detailed.len());
    for (layer, d) in rows.chunks(4).zip(&detailed) {
        for (r, name) in
            layer
                .iter()
                .zip(["DRAM IFMAP Reads", "DRAM Filter Reads", "DRAM OFMAP Writes"])
        {
            let theirs: u64 = col(&h, d, name).parse().unwrap();
            assert_eq!(r.3 + r.4, theirs, "{name}");
            assert_eq!(r.5, theirs, "{name}");
        }
    }
    check_trace_files(&dir.join("tr"));
}

#[test]
fn a_bad_burst_size_is_refused() {
    let dir = temp_dir("dram_trace", "burst");
    let o = sparsim(
        &[
            "run",
            "-q",
            "--dram-trace",
            "tr",
            "--dram-burst-bytes",
            "48",
        ],
        &dir,
    );
    assert_eq!(
        stderr(&o),
        "error: --dram-burst-bytes 48: expected a power of two from the largest word size (1 B) to 4096\n"
    );
    assert!(!dir.join("tr").exists());
}
