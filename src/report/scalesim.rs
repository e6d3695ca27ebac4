//! SCALE-Sim-format reports: `COMPUTE_REPORT.csv`, `BANDWIDTH_REPORT.csv`,
//! `DETAILED_ACCESS_REPORT.csv`, with SCALE-Sim's column names and number formatting
//! (`, ` separators, a trailing comma, Python float text). The numbers are sparsim's in
//! SCALE-Sim's conventions; see [`crate::engine::scalesim_view`].

use crate::engine::scalesim_view::ScaleSimRow;

const COMPUTE_HEADER: &str = "LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,";
const BANDWIDTH_HEADER: &str = "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,";
const DETAILED_HEADER: &str = "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,";

/// A float as Python's `repr` writes it (`100.0`, `1e-05`, `1.5e+16`).
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = x.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        return format!("{x:?}");
    }
    // Scientific: Rust `{:e}` gives the shortest digits; Python writes `d.ddde±XX`.
    let s = format!("{x:e}");
    let (mant, exp) = s.split_once('e').expect("{:e} has an exponent");
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mant}e{sign}{digits:0>2}")
}

fn row(id: usize, cells: &[String]) -> String {
    format!("{id}, {},\n", cells.join(", "))
}

/// The three reports' texts: (compute, bandwidth, detailed). Rows are numbered from 0 over
/// the layers given (layers not mapped on the array are left out, as SCALE-Sim has none).
pub fn scalesim_reports(rows: &[ScaleSimRow]) -> (String, String, String) {
    let mut compute = format!("{COMPUTE_HEADER}\n");
    let mut bandwidth = format!("{BANDWIDTH_HEADER}\n");
    let mut detailed = format!("{DETAILED_HEADER}\n");
    for (id, r) in rows.iter().enumerate() {
        compute += &row(
            id,
            &[
                r.total_cycles_incl_prefetch.to_string(),
                r.total_cycles.to_string(),
                r.stall_cycles.to_string(),
                py_float(r.overall_util_pct),
                py_float(r.mapping_eff_pct),
                py_float(r.compute_util_pct),
            ],
        );
        let total = r.total_cycles.max(1) as f64;
        let mut bw: Vec<String> = r
            .sram_counts
            .iter()
            .map(|&c| py_float(c as f64 / total))
            .collect();
        for (count, window) in r.dram_counts.iter().zip(&r.dram_windows) {
            bw.push(match window {
                Some((a, b)) => py_float(*count as f64 / (b - a + 1.0)),
                None => py_float(0.0),
            });
        }
        bandwidth += &row(id, &bw);
        let mut d = Vec::with_capacity(18);
        for (count, (a, b)) in r.sram_counts.iter().zip(&r.sram_windows) {
            d.extend([py_float(*a), py_float(*b), count.to_string()]);
        }
        for (count, window) in r.dram_counts.iter().zip(&r.dram_windows) {
            match window {
                Some((a, b)) => d.extend([py_float(*a), py_float(*b)]),
                None => d.extend(["0".to_string(), "0".to_string()]),
            }
            d.push(count.to_string());
        }
        detailed += &row(id, &d);
    }
    (compute, bandwidth, detailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_text() {
        assert_eq!(py_float(100.0), "100.0");
        assert_eq!(py_float(16.666666666666803), "16.666666666666803");
        assert_eq!(py_float(-4480.0), "-4480.0");
        assert_eq!(py_float(1e-5), "1e-05");
        assert_eq!(py_float(1.5e16), "1.5e+16");
        assert_eq!(py_float(0.0), "0.0");
    }
}
