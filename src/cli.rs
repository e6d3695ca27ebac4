//! Command-line interface: clap arguments → validated inputs → library calls → reports.
//! This is the edge of the program: the only module that prints or touches result folders.

use crate::config::Arch;
use crate::engine;
use crate::engine::scalesim_view::scalesim_row;
use crate::inputs::{self, InputRecord};
use crate::report::atomic::write_atomic;
use crate::report::layers_csv::layers_csv;
use crate::report::scalesim::scalesim_reports;
use crate::report::summary::{Inputs, Summary, Tool, WorkloadInfo, summary_json};
use crate::report::table::render_table;
use crate::workload::Network;
use crate::workload::scalesim_csv::TopologyForm;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// sparsim: cycle-level simulation of systolic arrays running dense and pruned networks.
#[derive(Debug, Parser)]
#[command(name = "sparsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a workload on an architecture and write per-layer results.
    Run(RunArgs),
    /// Validate an architecture or workload file and say what it holds.
    Check(CheckArgs),
}

/// `sparsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Architecture: sparsim `.toml` or SCALE-Sim `.cfg` [default: built-in 32x32 WS array].
    #[arg(long, short = 'a')]
    pub arch: Option<PathBuf>,
    /// Workload: sparsim `.toml`, SCALE-Sim topology `.csv`, or ConvNetDraw text (any other
    /// extension) [default: built-in ResNet-50].
    #[arg(long, short = 'w')]
    pub workload: Option<PathBuf>,
    /// Read a `.csv` topology in SCALE-Sim's GEMM form (`name, M, N, K`), as SCALE-Sim's `-i gemm`.
    #[arg(long)]
    pub gemm: bool,
    /// Output folder (created if missing).
    #[arg(long, short = 'o', default_value = "results/tmp/run")]
    pub out: PathBuf,
    /// Also write SCALE-Sim-format COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
    /// DETAILED_ACCESS_REPORT.csv.
    #[arg(long)]
    pub scalesim_reports: bool,
    /// Do not print the result table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `sparsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// File to validate: `.toml` (architecture or workload), `.cfg`, `.csv`, or ConvNetDraw text.
    pub file: PathBuf,
    /// Read a `.csv` topology in SCALE-Sim's GEMM form.
    #[arg(long)]
    pub gemm: bool,
}

fn form(gemm: bool) -> TopologyForm {
    if gemm {
        TopologyForm::Gemm
    } else {
        TopologyForm::Detect
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run_command(a),
        Command::Check(a) => check_command(a),
    }
}

/// The loaded inputs of a run.
struct Loaded {
    arch: Arch,
    arch_record: InputRecord,
    network: Network,
    workload_record: InputRecord,
}

fn load(arch: Option<&Path>, workload: Option<&Path>, gemm: bool) -> Result<Loaded> {
    let (arch, arch_record) = match arch {
        Some(p) => inputs::load_arch(p)?,
        None => inputs::builtin_arch(),
    };
    let (network, workload_record) = match workload {
        Some(p) => inputs::load_workload(p, form(gemm))?,
        None => inputs::builtin_workload(),
    };
    Ok(Loaded {
        arch,
        arch_record,
        network,
        workload_record,
    })
}

fn run_command(a: RunArgs) -> Result<()> {
    let l = load(a.arch.as_deref(), a.workload.as_deref(), a.gemm)?;
    let bar = progress_bar(l.network.layers.len() as u64);
    let layers =
        engine::simulate_network(&l.arch, &l.network, |done| bar.set_position(done as u64));
    bar.finish_and_clear();
    let totals = engine::totals(&l.arch, &layers);

    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create the output folder {}", a.out.display()))?;
    let write = |name: &str, bytes: &[u8]| -> Result<()> {
        let p = a.out.join(name);
        write_atomic(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    };
    write("layers.csv", &layers_csv(&layers))?;
    let summary = Summary {
        tool: Tool::default(),
        inputs: Inputs {
            arch: &l.arch_record,
            workload: &l.workload_record,
        },
        arch: &l.arch,
        workload: WorkloadInfo {
            name: &l.network.name,
            layers: l.network.layers.len(),
        },
        totals: &totals,
    };
    write("summary.json", &summary_json(&summary))?;
    if a.scalesim_reports {
        let rows: Vec<_> = l
            .network
            .layers
            .iter()
            .zip(&layers)
            .filter_map(|(layer, s)| scalesim_row(&l.arch, layer, s))
            .collect();
        let (compute, bandwidth, detailed) = scalesim_reports(&rows);
        write("COMPUTE_REPORT.csv", compute.as_bytes())?;
        write("BANDWIDTH_REPORT.csv", bandwidth.as_bytes())?;
        write("DETAILED_ACCESS_REPORT.csv", detailed.as_bytes())?;
    }
    if !a.quiet {
        print!(
            "{}",
            render_table(&l.arch, &l.network.name, &layers, &totals)
        );
        println!("wrote {}", a.out.join("layers.csv").display());
    }
    Ok(())
}

fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stdout().is_terminal() || len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} layers  {elapsed} (eta {eta})")
            .expect("the progress template is valid"),
    );
    bar
}

fn check_command(a: CheckArgs) -> Result<()> {
    let path = &a.file;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let is_arch = match ext.as_str() {
        "cfg" => true,
        "toml" => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml_kind(&text).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: cannot tell whether this is an architecture (it would have an [array] table) or a workload (it would have [[layer]] tables)",
                    path.display()
                )
            })? == TomlKind::Arch
        }
        _ => false,
    };
    if is_arch {
        let (arch, _) = inputs::load_arch(path)?;
        println!(
            "ok: architecture `{}`: {}x{} {} array, SRAM {}/{}/{} kB (ifmap/filter/ofmap), {} bandwidth",
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
            }
        );
    } else {
        let (net, _) = inputs::load_workload(path, form(a.gemm))?;
        let mapped = net
            .layers
            .iter()
            .filter(|l| l.gemm_work().is_some())
            .count();
        println!(
            "ok: workload `{}`: {} layers ({} on the array), {} MACs",
            net.name,
            net.layers.len(),
            mapped,
            crate::report::table::thousands(net.macs())
        );
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum TomlKind {
    Arch,
    Workload,
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
    let arch_tables = ["[array]", "[sram]", "[word_bytes]", "[dram]", "[pe]"];
    let inline_array = text.lines().any(|l| l.trim_start().starts_with("array"));
    (headers.iter().any(|h| arch_tables.contains(h)) || inline_array).then_some(TomlKind::Arch)
}
