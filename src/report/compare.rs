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
pub(crate) fn record<T: serde::Serialize>(v: &T) -> (csv::StringRecord, csv::StringRecord) {
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
        assert_finite("compare.csv", &row.energy);
        let (h1, v1) = record(&row.layer);
        let (h2, v2) = record(&row.sparse);
        let (h3, v3) = record(&row.energy);
        if i == 0 {
            let mut h: Vec<&str> = h1.iter().chain(h2.iter()).collect();
            h.extend(["dense_cycles", "speedup_vs_dense"]);
            h.extend(h3.iter());
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
            .chain(v3.iter())
            .collect();
        w.write_record(&v).expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

/// One row per layout with network totals, then its energy by component, its area by
/// component, the area it needs and its figures of merit.
pub fn totals_csv(totals: &[LayoutTotals]) -> Vec<u8> {
    assert_finite("compare_totals.csv", totals);
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, t) in totals.iter().enumerate() {
        assert_finite("compare_totals.csv", &t.cost);
        let parts = [
            record(t),
            record(&t.cost.energy),
            record(&t.cost.area),
            record(&NeededArea {
                needed_area_mm2: t.cost.needed_area_mm2,
            }),
            record(&t.cost.merit),
        ];
        if i == 0 {
            let h: Vec<&str> = parts.iter().flat_map(|(h, _)| h.iter()).collect();
            w.write_record(&h).expect("writing into memory cannot fail");
        }
        let v: Vec<&str> = parts.iter().flat_map(|(_, v)| v.iter()).collect();
        w.write_record(&v).expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

#[derive(serde::Serialize)]
struct NeededArea {
    needed_area_mm2: f64,
}

/// One row per layer × layout: the action counts its energy was priced from.
pub fn actions_csv(rows: &[CompareRow]) -> Vec<u8> {
    actions_csv_of(
        rows.iter()
            .map(|r| (r.layer.layer.as_str(), r.sparse.layout.as_str(), &r.actions)),
    )
}

/// `actions.csv` from (layer, layout, actions) triples.
pub fn actions_csv_of<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, &'a crate::energy::ActionCounts)>,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // The header even without rows.
    let (h, _) = record(&crate::energy::ActionCounts::default());
    let mut head = vec!["layer", "layout"];
    head.extend(h.iter());
    w.write_record(&head)
        .expect("writing into memory cannot fail");
    for (layer, layout, actions) in rows {
        let (_, v) = record(actions);
        let mut vals = vec![layer, layout];
        vals.extend(v.iter());
        w.write_record(&vals)
            .expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
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
        "w² kept",
        "cycles",
        "speedup",
        "PE util",
        "map eff",
        "fan-in",
        "bus",
        "meta b/nz",
        "DRAM kB",
        "energy µJ",
        "area mm²",
        "TOPS/W",
        "EDP µJ·ms",
        "status",
    ];
    let rows: Vec<[String; 16]> = totals
        .iter()
        .map(|t| {
            let dram = t.filter_dram_bytes
                + t.metadata_dram_bytes
                + t.ifmap_dram_bytes
                + t.ofmap_dram_bytes;
            [
                t.layout.clone(),
                format!("{:.1}%", 100.0 * t.sparsity),
                format!("{:.1}%", 100.0 * t.kept_weight_energy),
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
                format!("{:.2}", t.cost.energy.energy_pj * 1e-6),
                format!("{:.3}", t.cost.area.area_mm2),
                t.cost
                    .merit
                    .tops_per_w
                    .map_or_else(|| UNDEFINED.to_string(), |v| format!("{v:.2}")),
                format!("{:.4}", t.cost.merit.edp_uj_ms),
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

/// A layout's totals as `summary.json` lists them: the `compare_totals.csv` values, the
/// energy and area breakdowns included.
#[derive(Debug, serde::Serialize)]
pub struct TotalsJson<'a> {
    /// The totals.
    #[serde(flatten)]
    pub totals: &'a LayoutTotals,
    /// Energy, area and figures of merit.
    #[serde(flatten)]
    pub cost: &'a crate::compare::LayoutCost,
}

/// The JSON view of every layout's totals.
pub fn totals_json(totals: &[LayoutTotals]) -> Vec<TotalsJson<'_>> {
    totals
        .iter()
        .map(|t| TotalsJson {
            totals: t,
            cost: &t.cost,
        })
        .collect()
}
