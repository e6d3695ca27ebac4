//! `compare.csv`, `compare_totals.csv` and the printed layout table.

use super::finite::{assert_finite, fmt_opt};
use super::table::thousands;
use crate::compare::{CompareRow, CompareSpec, LayoutTotals};
use crate::config::Arch;
use std::fmt::Write;

fn to_csv<T: serde::Serialize>(rows: &[T]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .expect("serializing plain numbers and strings into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

/// A struct's CSV header and values (the csv crate cannot flatten nested structs).
fn record<T: serde::Serialize>(v: &T) -> (csv::StringRecord, csv::StringRecord) {
    let bytes = to_csv(std::slice::from_ref(v));
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header = r.headers().expect("a header was written").clone();
    let values = r
        .records()
        .next()
        .expect("one record was written")
        .expect("valid CSV");
    (header, values)
}

/// One row per layer × layout: the `layers.csv` columns, then the layout columns,
/// `dense_cycles` and `speedup_vs_dense` (empty when the layout spends no cycles on the
/// layer).
pub fn compare_csv(rows: &[CompareRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        assert_finite("compare.csv", &row.layer);
        assert_finite("compare.csv", &row.sparse);
        let (h1, v1) = record(&row.layer);
        let (h2, v2) = record(&row.sparse);
        if i == 0 {
            let mut h: Vec<&str> = h1.iter().chain(h2.iter()).collect();
            h.extend(["dense_cycles", "speedup_vs_dense"]);
            w.write_record(&h).expect("writing into memory cannot fail");
        }
        let extra = [
            row.dense_cycles.to_string(),
            fmt_opt(row.speedup_vs_dense()),
        ];
        let v: Vec<&str> = v1
            .iter()
            .chain(v2.iter())
            .chain(extra.iter().map(String::as_str))
            .collect();
        w.write_record(&v).expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

/// One row per layout with network totals.
pub fn totals_csv(totals: &[LayoutTotals]) -> Vec<u8> {
    assert_finite("compare_totals.csv", totals);
    to_csv(totals)
}

/// How the table shows an undefined ratio (a speedup over no cycles, bits per kept weight
/// when none is kept).
pub const UNDEFINED: &str = "—";

/// The network-level comparison table.
pub fn render_compare_table(
    arch: &Arch,
    network: &str,
    spec: &CompareSpec,
    totals: &[LayoutTotals],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{network} on {} ({}x{} {}, mux {} / bus {} / ifmap port {}{}), target sparsity {}",
        arch.name,
        arch.array.rows,
        arch.array.cols,
        arch.dataflow,
        arch.pe.mux_inputs,
        arch.pe.row_bus_width,
        arch.ports.ifmap_read_bw,
        if spec.size_to_fit {
            ", sized to fit each layout"
        } else {
            ""
        },
        spec.params.sparsity
    );
    let header = [
        "layout",
        "sparsity",
        "energy",
        "cycles",
        "speedup",
        "PE util",
        "map eff",
        "fan-in",
        "bus",
        "meta b/nz",
        "DRAM kB",
        "status",
    ];
    let rows: Vec<[String; 12]> = totals
        .iter()
        .map(|t| {
            let dram = t.filter_dram_bytes
                + t.metadata_dram_bytes
                + t.ifmap_dram_bytes
                + t.ofmap_dram_bytes;
            [
                t.layout.clone(),
                format!("{:.1}%", 100.0 * t.sparsity),
                format!("{:.1}%", 100.0 * t.retained_energy),
                thousands(t.total_cycles),
                t.speedup_vs_dense
                    .map_or_else(|| UNDEFINED.to_string(), |s| format!("{s:.2}x")),
                format!("{:.1}%", 100.0 * t.pe_utilization),
                format!("{:.1}%", 100.0 * t.mapping_efficiency),
                t.max_fan_in.to_string(),
                t.max_bus_demand.to_string(),
                t.metadata_bits_per_nonzero
                    .map_or_else(|| UNDEFINED.to_string(), |b| format!("{b:.2}")),
                thousands(dram.div_ceil(1024)),
                t.status.clone(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 0 || i == cells.len() - 1 {
                let _ = write!(s, "{:<w$}  ", c, w = width[i]);
            } else {
                let _ = write!(s, "{:>w$}  ", c, w = width[i]);
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header.map(String::from)));
    for r in &rows {
        let _ = writeln!(out, "{}", line(r));
    }
    out
}
