//! `sparsim check`: validates a file, or a built-in by name, and says what it holds.

use super::{CheckArgs, form};
use crate::builtins::BuiltinKind;
use crate::inputs::{self, InputSource};
use anyhow::{Context, Result, bail};
use std::path::Path;

pub(super) fn check_command(a: CheckArgs) -> Result<()> {
    let path = match inputs::resolve_input(Path::new(""), &a.file, None)? {
        InputSource::File(p) => p,
        InputSource::Builtin(b) => {
            if a.onnx.any() {
                bail!(
                    "--batch and --dim size the free dimensions of an ONNX workload; the built-in `{}` states its sizes in its file",
                    b.name
                );
            }
            match b.kind {
                BuiltinKind::Arch => print_arch(&inputs::load_builtin_arch(b)?.0),
                BuiltinKind::Workload => {
                    print_workload(&inputs::load_builtin_workload(b, form(a.gemm))?.0)
                }
            }
            return Ok(());
        }
    };
    let path = path.as_path();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "cfg" => TomlKind::Arch,
        "toml" => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml_kind(&text).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: cannot tell whether this is an architecture (it would have an [array] table), a workload (it would have [[layer]] tables) or a sweep (it would have an [axes] table)",
                    path.display()
                )
            })?
        }
        _ => TomlKind::Workload,
    };
    if kind == TomlKind::Sweep {
        let (spec, _) = super::sweep::load(path)?;
        let points = spec.points()?;
        let combos: usize = spec
            .groups
            .iter()
            .map(|g| spec.axes[g[0]].values.len())
            .product::<usize>()
            * spec.workloads.len();
        println!(
            "ok: sweep `{}`: {} axes, {} points ({} skipped by constraints)",
            spec.name,
            spec.axes.len(),
            points.len(),
            combos - points.len()
        );
        return Ok(());
    }
    if kind == TomlKind::Arch {
        print_arch(&inputs::load_arch(path)?.0);
    } else {
        if a.onnx.any() && !inputs::is_onnx(path) {
            bail!(
                "--batch and --dim size the free dimensions of an ONNX workload; {} states its sizes in the file",
                path.display()
            );
        }
        let (net, _, onnx) = inputs::load_workload_with(path, form(a.gemm), &a.onnx.options()?)?;
        if let Some(import) = &onnx {
            print!(
                "{}",
                crate::report::onnx_import::import_summary(&path.display().to_string(), import)
            );
        }
        print_workload(&net);
    }
    Ok(())
}

/// Prints what a valid architecture holds.
fn print_arch(arch: &crate::config::Arch) {
    println!(
        "ok: architecture `{}`: {}x{} {} array, SRAM {}/{}/{} kB (ifmap/filter/ofmap), {} bandwidth, {:.3} mm² as provisioned ({} energy table, {} area table)",
        arch.name,
        arch.array.rows,
        arch.array.cols,
        arch.dataflow,
        arch.memory.ifmap.sram_kb,
        arch.memory.filter.sram_kb,
        arch.memory.ofmap.sram_kb,
        match arch.memory.bandwidth_mode {
            crate::config::BandwidthMode::User => "user",
            crate::config::BandwidthMode::Calc => "calc",
        },
        crate::energy::area(arch, &crate::energy::Provision::of_arch(arch)).area_mm2,
        arch.tech.energy.base.as_str(),
        arch.tech.area.base.as_str()
    );
}

/// Prints what a valid workload holds.
fn print_workload(net: &crate::workload::Network) {
    let mapped = net
        .layers
        .iter()
        .filter(|l| l.gemm_work().is_some())
        .count();
    let spread = net.weight_spread;
    println!(
        "ok: workload `{}`: {} layers ({} on the array), {} MACs{}",
        net.name,
        net.layers.len(),
        mapped,
        crate::report::table::thousands(net.macs()),
        if spread == crate::weights::WeightSpread::default() {
            String::new()
        } else {
            format!(
                "; synthetic weight spreads filter = {}, channel = {}",
                spread.filter(),
                spread.channel()
            )
        }
    );
    for w in net.warnings() {
        eprintln!("warning: {w}");
    }
}

#[derive(Debug, PartialEq, Eq)]
enum TomlKind {
    Arch,
    Workload,
    Sweep,
}

/// Whether a TOML text is a workload (has `[[layer]]` tables) or an architecture (has one of
/// the architecture tables).
fn toml_kind(text: &str) -> Option<TomlKind> {
    let headers: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| l.starts_with('['))
        .collect();
    if headers.iter().any(|h| h.starts_with("[[")) {
        return Some(TomlKind::Workload);
    }
    let sweep_key = text
        .lines()
        .any(|l| l.trim_start().starts_with("base_arch"));
    if headers.contains(&"[axes]") || sweep_key {
        return Some(TomlKind::Sweep);
    }
    let arch_tables = ["[array]", "[sram]", "[word_bytes]", "[dram]", "[pe]"];
    let inline_array = text.lines().any(|l| l.trim_start().starts_with("array"));
    (headers.iter().any(|h| arch_tables.contains(h)) || inline_array).then_some(TomlKind::Arch)
}
