//! The human-readable result table printed after a run.

use crate::config::Arch;
use crate::stats::{LayerStats, NetworkTotals};
use std::fmt::Write;

/// Formats an integer with thousands separators.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Renders the table: one line per layer (with its energy from `energies`) and a totals line.
pub fn render_table(
    arch: &Arch,
    network: &str,
    layers: &[LayerStats],
    energies: &[crate::energy::EnergyBreakdown],
    t: &NetworkTotals,
) -> String {
    let headers = [
        "layer",
        "kind",
        "M",
        "N",
        "K",
        "MACs",
        "folds",
        "cycles",
        "stalls",
        "map eff",
        "PE util",
        "energy uJ",
    ];
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let uj = |pj: f64| format!("{:.2}", pj * 1e-6);
    let mut rows: Vec<[String; 12]> = layers
        .iter()
        .zip(energies)
        .map(|(l, e)| {
            if l.folds == 0 {
                let mut r: [String; 12] = Default::default();
                r[0] = l.layer.clone();
                r[1] = l.kind.clone();
                r[2] = "(not on the array)".into();
                r
            } else {
                [
                    l.layer.clone(),
                    l.kind.clone(),
                    thousands(l.m),
                    thousands(l.n),
                    thousands(l.k),
                    thousands(l.macs),
                    thousands(l.folds),
                    thousands(l.total_cycles),
                    thousands(l.stall_cycles),
                    pct(l.mapping_efficiency),
                    pct(l.pe_utilization),
                    uj(e.energy_pj),
                ]
            }
        })
        .collect();
    rows.push([
        "total".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        thousands(t.macs),
        thousands(t.folds),
        thousands(t.total_cycles),
        thousands(t.stall_cycles),
        pct(t.mapping_efficiency),
        pct(t.pe_utilization),
        uj(t.energy.energy_pj),
    ]);
    let mut width = headers.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            if !(c.starts_with('(') && c.len() > 12) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{network} on {} ({}x{} {}, {} bandwidth)",
        arch.name,
        arch.array.rows,
        arch.array.cols,
        arch.dataflow,
        match arch.memory.bandwidth_mode {
            crate::config::BandwidthMode::User => "user",
            crate::config::BandwidthMode::Calc => "calc",
        }
    );
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i < 2 {
                let _ = write!(s, "{:<w$}  ", c, w = width[i]);
            } else if c.starts_with('(') {
                let _ = write!(s, "{c}");
                break;
            } else {
                let _ = write!(s, "{:>w$}  ", c, w = width[i]);
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&headers.map(String::from)));
    let total_width: usize = width.iter().sum::<usize>() + 2 * (width.len() - 1);
    for (i, r) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            let _ = writeln!(out, "{}", "-".repeat(total_width));
        }
        let _ = writeln!(out, "{}", line(r));
    }
    let _ = writeln!(
        out,
        "{} cycles = {:.1} us at {} MHz; DRAM traffic {} bytes",
        thousands(t.total_cycles),
        t.time_us,
        arch.clock_mhz,
        thousands(t.dram_bytes)
    );
    let _ = writeln!(
        out,
        "energy {:.2} uJ per inference ({} table: MAC {:.2}, SRAM {:.2}, DRAM {:.2} uJ); area {:.3} mm2",
        t.energy.energy_pj * 1e-6,
        arch.tech.energy.base.as_str(),
        t.energy.energy_mac_pj * 1e-6,
        t.energy.energy_sram_pj * 1e-6,
        t.energy.energy_dram_pj * 1e-6,
        t.area.area_mm2
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(115_200), "115,200");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
