//! `pe_states.csv`, `checks.csv` and the cross-check / verification summary.

use crate::compare::CompareRow;
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
struct PeRow<'a> {
    layer: &'a str,
    layout: &'a str,
    row: u32,
    col: u32,
    effectual: u64,
    zero_weight: u64,
    unmapped: u64,
    fill_drain: u64,
    stalled: u64,
    bus_wait: u64,
    total: u64,
}

/// One row per layer × layout × PE: cycles in each state (they sum to the layer's
/// `total_cycles`). Rows without a grid (layers not on the array) are left out.
pub fn pe_states_csv(rows: &[CompareRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        let Some(g) = &r.grid else { continue };
        if r.layer.folds == 0 {
            continue;
        }
        for (i, p) in g.pes.iter().enumerate() {
            w.serialize(PeRow {
                layer: &r.layer.layer,
                layout: &r.sparse.layout,
                row: i as u32 / g.cols,
                col: i as u32 % g.cols,
                effectual: p.effectual,
                zero_weight: p.zero_weight,
                unmapped: p.unmapped,
                fill_drain: p.fill_drain,
                stalled: p.stalled,
                bus_wait: p.bus_wait,
                total: p.total(),
            })
            .expect("serializing into memory cannot fail");
        }
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

#[derive(Serialize)]
struct CheckRow<'a> {
    layer: &'a str,
    layout: &'a str,
    scope: &'a str,
    cross_check: String,
    verify: String,
}

/// One row per checked layer × layout.
pub fn checks_csv(rows: &[CompareRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        let Some(c) = &r.check else { continue };
        let cross = match c.differences.first() {
            None => "agree".to_string(),
            Some(d) => format!(
                "{} differences, first {}: fast {}, stepped {}",
                c.differences.len(),
                d.counter,
                d.fast,
                d.stepped
            ),
        };
        let verify = match &c.verified {
            None => "not run".to_string(),
            Some(Ok(())) => "outputs equal the reference GEMM".to_string(),
            Some(Err(e)) => e.clone(),
        };
        w.serialize(CheckRow {
            layer: &r.layer.layer,
            layout: &r.sparse.layout,
            scope: &c.scope,
            cross_check: cross,
            verify,
        })
        .expect("serializing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

/// The cycle traces of the checked layers × layouts (`--trace`), one row per span of
/// consecutive cycles in which the fold on the array, what the array does and which DRAM
/// channels move data stay the same. `start_cycle` counts from the layer's cycle 0, so with
/// `first_fill = "prefetch"` the spans of the initial fill have negative start cycles.
pub fn trace_csv(rows: &[CompareRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "layer",
        "layout",
        "scope",
        "start_cycle",
        "cycles",
        "fold",
        "array",
        "ifmap_dram",
        "filter_dram",
        "ofmap_dram",
    ];
    w.write_record(header)
        .expect("writing into memory cannot fail");
    for r in rows {
        let Some(c) = &r.check else { continue };
        for s in &c.trace {
            let flag = |b: bool| if b { "1" } else { "0" };
            w.write_record([
                r.layer.layer.as_str(),
                r.sparse.layout.as_str(),
                c.scope.as_str(),
                &(i128::from(s.start) - i128::from(c.trace_origin)).to_string(),
                &s.cycles.to_string(),
                &s.fold.map_or(String::new(), |f| f.to_string()),
                s.array.as_str(),
                flag(s.dram[0]),
                flag(s.dram[1]),
                flag(s.dram[2]),
            ])
            .expect("writing into memory cannot fail");
        }
    }
    w.into_inner().expect("flushing into memory cannot fail")
}

/// The summary of the checks, and whether they all passed.
pub fn checks_summary(rows: &[CompareRow], cross_check: bool, verify: bool) -> (String, bool) {
    let checked: Vec<&CompareRow> = rows.iter().filter(|r| r.check.is_some()).collect();
    let reduced = checked
        .iter()
        .filter(|r| r.check.as_ref().is_some_and(|c| c.scope != "whole layer"))
        .count();
    let mut out = String::new();
    let mut ok = true;
    let scope = if reduced == 0 {
        String::new()
    } else {
        format!(" ({reduced} on their first output rows to bound the stepping; see checks.csv)")
    };
    if cross_check {
        let bad: Vec<&&CompareRow> = checked
            .iter()
            .filter(|r| r.check.as_ref().is_some_and(|c| !c.differences.is_empty()))
            .collect();
        if bad.is_empty() {
            let _ = writeln!(
                out,
                "cross-check: the fast and cycle-stepped engines agree on every counter and every PE's state counts for all {} layer x layout runs{scope}",
                checked.len()
            );
        } else {
            ok = false;
            let _ = writeln!(
                out,
                "cross-check: the engines DISAGREE on {} of {} layer x layout runs:",
                bad.len(),
                checked.len()
            );
            for r in bad {
                for d in &r.check.as_ref().expect("checked").differences {
                    let _ = writeln!(
                        out,
                        "  layer `{}`, layout {}: {}: fast {}, stepped {}",
                        r.layer.layer, r.sparse.layout, d.counter, d.fast, d.stepped
                    );
                }
            }
        }
    }
    if verify {
        let bad: Vec<String> = checked
            .iter()
            .filter_map(|r| match &r.check.as_ref()?.verified {
                Some(Err(e)) => Some(format!("  layout {}: {e}", r.sparse.layout)),
                _ => None,
            })
            .collect();
        if bad.is_empty() {
            let _ = writeln!(
                out,
                "verify: every output of the stepped engine equals the reference GEMM of the kept weights, for all {} layer x layout runs{scope}",
                checked.len()
            );
        } else {
            ok = false;
            let _ = writeln!(out, "verify: {} runs compute WRONG outputs:", bad.len());
            for b in bad {
                let _ = writeln!(out, "{b}");
            }
        }
    }
    (out, ok)
}
