//! Command-line interface: clap arguments → validated inputs → library calls → reports.
//! This is the edge of the program: the only module that prints or touches result folders.

mod check;
mod compare;
mod layout_args;
mod list;
pub mod output_folder;
mod pack;
mod run;
mod sweep;
mod weight_args;

pub use layout_args::LayoutArgs;

use crate::config::Arch;
use crate::inputs::{self, InputRecord};
use crate::workload::Network;
use crate::workload::scalesim_csv::TopologyForm;
use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use output_folder::OutputFolder;
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
    Run(Box<RunArgs>),
    /// Compare weight layouts on the same pruned weights and array.
    Compare(Box<CompareArgs>),
    /// Prune and pack one weight matrix and describe the packing.
    Pack(Box<PackArgs>),
    /// Draw the charts (PNG and SVG) of a result folder written by run, compare or sweep.
    Plot(PlotArgs),
    /// Run a design-space sweep described by a TOML file.
    Sweep(SweepArgs),
    /// Combine the folders of sharded sweep runs into one.
    Merge(MergeArgs),
    /// Validate an architecture, workload or sweep file (or a built-in by name) and say what
    /// it holds.
    Check(CheckArgs),
    /// List the built-in architectures and workloads, which --arch NAME and --workload NAME
    /// take from any folder.
    List,
}

/// `sparsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// Output folder [default: results/tmp/sweep-NAME].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in the output folder, skipping finished points.
    #[arg(long)]
    pub resume: bool,
    /// Run shard i of n (i/n): the points, grouped by the packing they need, cut into n
    /// near-equal slices; combine the folders with `sparsim merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Also write per-layer rows (sweep_layers.csv).
    #[arg(long)]
    pub per_layer: bool,
    /// Pareto objectives, comma-separated (minimized; max:NAME maximizes) [default: the file's].
    #[arg(long, value_delimiter = ',')]
    pub pareto: Option<Vec<String>>,
    /// Also draw the charts into OUT/charts.
    #[arg(long)]
    pub plot: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Resource limits (checked for every point).
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Write into an output folder that holds files sparsim did not write, or results of
    /// another command (files of the names sparsim writes are replaced; nothing else is
    /// removed).
    #[arg(long)]
    pub force: bool,
}

/// `sparsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged tables go (not one of the shard folders).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Write into an output folder that holds files sparsim did not write, or results of
    /// another command (files of the names sparsim writes are replaced; nothing else is
    /// removed).
    #[arg(long)]
    pub force: bool,
}

/// `sparsim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Result folder (with compare.csv or layers.csv, and pe_states.csv for the PE charts).
    pub dir: PathBuf,
    /// Where the charts go [default: DIR/charts].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Layer of the per-PE heatmap [default: the layer with the most MACs].
    #[arg(long)]
    pub layer: Option<String>,
    /// Layout of the per-PE heatmap [default: colcomb if present, else the first].
    #[arg(long)]
    pub layout: Option<String>,
    /// Write into an output folder that holds files sparsim did not write, or results of
    /// another command (files of the names sparsim writes are replaced; nothing else is
    /// removed).
    #[arg(long)]
    pub force: bool,
}

/// Draws the charts of `dir` into `dir/charts` and says where they went.
pub(super) fn plot_into(
    dir: &Path,
    out: Option<&Path>,
    opts: &crate::report::plot::PlotOptions,
    force: bool,
    quiet: bool,
) -> Result<()> {
    output_folder::read_finished(
        dir,
        &["run", "compare", "sweep", "merge"],
        &crate::report::plot::INPUT_FILES,
    )?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join("charts"));
    if same_folder(&out, dir) {
        anyhow::bail!(
            "--out {}: the charts need a folder of their own, not the result folder",
            out.display()
        );
    }
    let mut folder = OutputFolder::open(&out, "plot", force)?;
    let files = crate::report::plot::plot_dir(dir, opts).map_err(anyhow::Error::msg)?;
    for (name, bytes) in &files {
        folder.write(name, bytes)?;
    }
    folder.commit()?;
    if !quiet {
        println!(
            "wrote {} charts (PNG and SVG) to {}",
            files.len() / 2,
            out.display()
        );
    }
    Ok(())
}

/// Whether two paths name the same folder (existing or not).
pub(super) fn same_folder(a: &Path, b: &Path) -> bool {
    resolved(a) == resolved(b)
}

/// A path with its existing part resolved (symlinks, `..`), for comparing folders.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            resolved(parent).join(name)
        }
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

/// A side output (`--trace`, `--dram-trace`, `--accelergy`): not asked for, written into the
/// main output folder (the same folder named twice), or a folder of its own.
#[derive(Debug)]
pub(super) enum Side {
    Off,
    Main,
    Own(OutputFolder),
}

impl Side {
    /// The folder to stage the side output's files in, if asked for.
    pub(super) fn folder<'a>(
        &'a mut self,
        main: &'a mut OutputFolder,
    ) -> Option<&'a mut OutputFolder> {
        match self {
            Side::Off => None,
            Side::Main => Some(main),
            Side::Own(f) => Some(f),
        }
    }

    /// Puts a folder of its own in place; returns where the files went, if anywhere.
    pub(super) fn commit(self, main: &Path) -> Result<Option<PathBuf>> {
        match self {
            Side::Off => Ok(None),
            Side::Main => Ok(Some(main.to_path_buf())),
            Side::Own(f) => {
                let dir = f.dir().to_path_buf();
                f.commit()?;
                Ok(Some(dir))
            }
        }
    }
}

/// Opens a side output's folder `dir` (if given) as `command`.
pub(super) fn open_side(
    dir: Option<&Path>,
    command: &'static str,
    out: &OutputFolder,
    force: bool,
) -> Result<Side> {
    Ok(match dir {
        None => Side::Off,
        Some(dir) if same_folder(dir, out.dir()) => Side::Main,
        Some(dir) => Side::Own(OutputFolder::open(dir, command, force)?),
    })
}

/// `sparsim pack`.
#[derive(Debug, Args)]
pub struct PackArgs {
    /// Layout: dense, masked, irregular, nm, bwhm, darb, pconv or colcomb.
    #[arg(long)]
    pub layout: String,
    /// Weights file (.npy, .npz, .safetensors); a 2-D .npy array is W (N×K) itself.
    #[arg(long)]
    pub weights: PathBuf,
    /// Tensor to pack, for files holding several.
    #[arg(long)]
    pub tensor: Option<String>,
    /// Print the packing as JSON.
    #[arg(long)]
    pub json: bool,
    /// Layout parameters.
    #[command(flatten)]
    pub params: LayoutArgs,
}

/// `sparsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Architecture: a sparsim `.toml` or SCALE-Sim `.cfg` file, or a built-in's name (an
    /// existing file wins; `sparsim list` names them) [default: sparse-32x32-ws, a 32x32 WS
    /// array with 16-input PE muxes and 16-wide row buses].
    #[arg(long, short = 'a', value_name = "FILE|NAME")]
    pub arch: Option<PathBuf>,
    /// Workload: a file as for `run --workload`, or a built-in's name (an existing file wins;
    /// `sparsim list` names them) [default: vgg16_cifar10, VGG-16 for CIFAR-10].
    #[arg(long, short = 'w', value_name = "FILE|NAME")]
    pub workload: Option<PathBuf>,
    /// Read a `.csv` topology in SCALE-Sim's GEMM form.
    #[arg(long)]
    pub gemm: bool,
    /// Sizes of an ONNX workload's free dimensions.
    #[command(flatten)]
    pub onnx: OnnxArgs,
    /// Layouts to compare, comma-separated (dense is always the speedup reference).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "dense,masked,irregular,nm,darb,pconv,colcomb"
    )]
    pub layouts: Vec<String>,
    /// Dense weights (.npy, .npz, .safetensors, or an .onnx model's initializers), or
    /// `synthetic` [default: an ONNX workload's own weights, else seeded synthetic weights].
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Seed of the synthetic weights.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Spreads of the synthetic weights, `filter=X,channel=Y` (σ of the log-normal per-filter
    /// and per-input-channel scales, each 0 to 3; an omitted key keeps its value) [default:
    /// the workload's `[weight_spread]`, else filter=0.5,channel=0.3].
    #[arg(long, value_name = "filter=X,channel=Y")]
    pub weight_spread: Option<String>,
    /// Memory model: `sparsim` (sparsim's tile model) or `scalesim` (SCALE-Sim v3's memory
    /// system, address by address; dense and masked layouts only) [default: the arch's
    /// `[memory] model`; `scalesim` for a SCALE-Sim `.cfg`].
    #[arg(long, value_name = "MODEL")]
    pub memory_model: Option<String>,
    /// Give each layout the PE mux fan-in and row bus it needs instead of the arch's.
    #[arg(long)]
    pub size_to_fit: bool,
    /// Write an Accelergy (v0.3) architecture.yaml and action_counts.yaml per layout to
    /// DIR/<layout>/, for pricing the same actions with Accelergy and its plug-ins.
    #[arg(long, value_name = "DIR")]
    pub accelergy: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, short = 'o', default_value = "results/tmp/compare")]
    pub out: PathBuf,
    /// Write into an output folder that holds files sparsim did not write, or results of
    /// another command (files of the names sparsim writes are replaced; nothing else is
    /// removed).
    #[arg(long)]
    pub force: bool,
    /// Do not print the result table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Layout parameters.
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Trust checks.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Resource limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `sparsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Architecture: a sparsim `.toml` or SCALE-Sim `.cfg` file, or a built-in's name such as
    /// sparse-32x32-ws (an existing file wins; `sparsim list` names them) [default:
    /// tpu-32x32-ws, a 32x32 WS array].
    #[arg(long, short = 'a', value_name = "FILE|NAME")]
    pub arch: Option<PathBuf>,
    /// Workload: a sparsim `.toml`, SCALE-Sim topology `.csv`, ONNX model `.onnx` or
    /// ConvNetDraw text (any other extension) file, or a built-in's name such as resnet50 (an
    /// existing file wins; `sparsim list` names them) [default: resnet50].
    #[arg(long, short = 'w', value_name = "FILE|NAME")]
    pub workload: Option<PathBuf>,
    /// Read a `.csv` topology in SCALE-Sim's GEMM form (`name, M, N, K`), as SCALE-Sim's `-i gemm`.
    #[arg(long)]
    pub gemm: bool,
    /// Sizes of an ONNX workload's free dimensions.
    #[command(flatten)]
    pub onnx: OnnxArgs,
    /// Output folder (created if missing).
    #[arg(long, short = 'o', default_value = "results/tmp/run")]
    pub out: PathBuf,
    /// Write into an output folder that holds files sparsim did not write, or results of
    /// another command (files of the names sparsim writes are replaced; nothing else is
    /// removed).
    #[arg(long)]
    pub force: bool,
    /// Also write SCALE-Sim-format COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
    /// DETAILED_ACCESS_REPORT.csv.
    #[arg(long)]
    pub scalesim_reports: bool,
    /// Write each layer's DRAM requests, as DRAMsim3 reads traces (`0x<address> READ|WRITE
    /// <cycle>`), to DIR/layerNNN_<name>.trace, with their word counts in DIR/dram_trace.csv.
    #[arg(long, value_name = "DIR")]
    pub dram_trace: Option<PathBuf>,
    /// Bytes per request in --dram-trace: a power of two from the largest word size to 4096
    /// (the word size gives one request per word).
    #[arg(long, value_name = "BYTES", default_value_t = 64)]
    pub dram_burst_bytes: u64,
    /// Write an Accelergy (v0.3) architecture.yaml and action_counts.yaml of the run to DIR,
    /// for pricing the same actions with Accelergy and its plug-ins.
    #[arg(long, value_name = "DIR")]
    pub accelergy: Option<PathBuf>,
    /// Memory model: `sparsim` (sparsim's tile model) or `scalesim` (SCALE-Sim v3's memory
    /// system, address by address; dense and masked layouts only) [default: the arch's
    /// `[memory] model`; `scalesim` for a SCALE-Sim `.cfg`].
    #[arg(long, value_name = "MODEL")]
    pub memory_model: Option<String>,

    /// Do not print the result table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Prune and pack the weights with this layout (weight-stationary arrays only); the
    /// CSV then has the layout columns of `compare`.
    #[arg(long)]
    pub layout: Option<String>,
    /// Dense weights for `--layout` (.npy, .npz, .safetensors, or an .onnx model's
    /// initializers), or `synthetic` [default: an ONNX workload's own weights, else seeded
    /// synthetic weights].
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Seed of the synthetic weights.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Spreads of the synthetic weights, `filter=X,channel=Y` (σ of the log-normal per-filter
    /// and per-input-channel scales, each 0 to 3; an omitted key keeps its value) [default:
    /// the workload's `[weight_spread]`, else filter=0.5,channel=0.3].
    #[arg(long, value_name = "filter=X,channel=Y")]
    pub weight_spread: Option<String>,
    /// Give the layout the PE mux fan-in and row bus it needs instead of the arch's.
    #[arg(long)]
    pub size_to_fit: bool,
    /// Layout parameters.
    #[command(flatten)]
    pub params: LayoutArgs,
    /// Trust checks.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Resource limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Resource limits shared by `run`, `compare` and `sweep` (see [`crate::limits::Limits`]).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Most layers a workload may have once expanded.
    #[arg(long, value_name = "N", default_value_t = crate::limits::Limits::default().max_layers, help_heading = "Resource limits")]
    pub max_layers: u64,
    /// Most weights one layer may hold (N·K per weight instance) when weights are made.
    #[arg(long, value_name = "N", default_value_t = crate::limits::Limits::default().max_weights, help_heading = "Resource limits")]
    pub max_weights: u64,
    /// Most folds one layer may map into on the array.
    #[arg(long, value_name = "N", default_value_t = crate::limits::Limits::default().max_folds, help_heading = "Resource limits")]
    pub max_folds: u64,
    /// Most rows of per-PE output (PEs × layers × layouts).
    #[arg(long, value_name = "N", default_value_t = crate::limits::Limits::default().max_pe_rows, help_heading = "Resource limits")]
    pub max_pe_rows: u64,
}

impl LimitArgs {
    /// The library's view.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_layers: self.max_layers,
            max_weights: self.max_weights,
            max_folds: self.max_folds,
            max_pe_rows: self.max_pe_rows,
        }
    }
}

/// Trust checks shared by `run` and `compare`.
#[derive(Debug, Clone, Default, Args)]
pub struct TrustArgs {
    /// Write pe_states.csv: every PE's cycles in each state, per layer (and layout).
    #[arg(long)]
    pub pe_states: bool,
    /// Also run the cycle-stepped engine and compare every counter and PE state with the
    /// fast engine (writes pe_states.csv and checks.csv; exits 1 on any difference).
    #[arg(long)]
    pub cross_check: bool,
    /// Check the stepped engine's int8 outputs against a reference GEMM of the kept weights
    /// (writes checks.csv; exits 1 on any mismatch). Layers above 3e8 PE-cycles are checked
    /// on their first output rows, and checks.csv says so.
    #[arg(long)]
    pub verify: bool,
    /// Also draw the charts into OUT/charts (implies --pe-states).
    #[arg(long)]
    pub plot: bool,
    /// Write the cycle-stepped engine's per-cycle trace, run-length encoded, to DIR/trace.csv
    /// (for small runs: layers above 3e8 PE-cycles are traced on their first output rows).
    #[arg(long, value_name = "DIR")]
    pub trace: Option<PathBuf>,
}

impl TrustArgs {
    /// The library's view.
    pub fn checks(&self, seed: u64) -> crate::compare::Checks {
        crate::compare::Checks {
            pe_states: self.pe_states || self.cross_check || self.plot,
            cross_check: self.cross_check,
            verify: self.verify,
            seed,
            budget: crate::compare::CHECK_BUDGET,
            trace: self.trace.is_some(),
        }
    }

    /// Whether anything beyond the fast engine is asked for.
    pub fn any(&self) -> bool {
        self.pe_states || self.cross_check || self.verify || self.plot || self.trace.is_some()
    }
}

/// Writes the trust-check files into `out` (and the cycle trace into `trace`), puts both
/// folders' files in place, prints the checks' summary and draws the charts if asked; an
/// error if a check failed.
pub(super) fn finish_checks(
    mut out: OutputFolder,
    mut trace: Side,
    rows: &[crate::compare::CompareRow],
    t: &TrustArgs,
    quiet: bool,
    force: bool,
) -> Result<()> {
    use crate::report::checks::{checks_csv, checks_summary, pe_states_csv};
    if t.pe_states || t.cross_check || t.plot {
        out.write("pe_states.csv", &pe_states_csv(rows))?;
    }
    let mut outcome = None;
    if t.cross_check || t.verify {
        out.write("checks.csv", &checks_csv(rows))?;
        outcome = Some(checks_summary(rows, t.cross_check, t.verify));
    }
    if let Some(f) = trace.folder(&mut out) {
        f.write("trace.csv", &crate::report::checks::trace_csv(rows))?;
    }
    let dir = out.dir().to_path_buf();
    out.commit()?;
    if let Some(d) = trace.commit(&dir)?
        && !quiet
    {
        println!("wrote the cycle trace to {}", d.join("trace.csv").display());
    }
    if let Some((summary, ok)) = outcome {
        if !ok {
            anyhow::bail!("{}", summary.trim_end());
        }
        if !quiet {
            print!("{summary}");
        }
    }
    if t.plot {
        plot_into(
            &dir,
            None,
            &crate::report::plot::PlotOptions::default(),
            force,
            quiet,
        )?;
    }
    Ok(())
}

/// `sparsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// File to validate: `.toml` (architecture, workload or sweep), `.cfg`, `.csv`, `.onnx`, or
    /// ConvNetDraw text; or a built-in architecture's or workload's name (an existing file
    /// wins; `sparsim list` names them).
    #[arg(value_name = "FILE|NAME")]
    pub file: PathBuf,
    /// Read a `.csv` topology in SCALE-Sim's GEMM form.
    #[arg(long)]
    pub gemm: bool,
    /// Sizes of an ONNX workload's free dimensions.
    #[command(flatten)]
    pub onnx: OnnxArgs,
}

/// `--batch` and `--dim`: the sizes an ONNX model leaves free.
#[derive(Debug, Clone, Default, Args)]
pub struct OnnxArgs {
    /// ONNX workloads: the batch, i.e. the first dimension of every graph input [default: the
    /// model's; 1 where the model leaves it symbolic, said in the import summary].
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
    /// ONNX workloads: the size of a symbolic input dimension, NAME=N; repeat for several
    /// (e.g. --dim sequence=128).
    #[arg(long, value_name = "NAME=N")]
    pub dim: Vec<String>,
}

impl OnnxArgs {
    /// Whether any size is given.
    pub fn any(&self) -> bool {
        self.batch.is_some() || !self.dim.is_empty()
    }

    /// The validated sizes.
    pub fn options(&self) -> Result<crate::workload::onnx::OnnxOptions> {
        use crate::workload::MAX_DIM;
        let range = |v: u64| (1..=MAX_DIM).contains(&v);
        if let Some(b) = self.batch
            && !range(b)
        {
            anyhow::bail!("--batch {b}: expected an integer from 1 to {MAX_DIM}");
        }
        let mut dims: Vec<(String, u64)> = Vec::new();
        for d in &self.dim {
            let parsed = d.split_once('=').and_then(|(n, v)| {
                let (n, v) = (n.trim(), v.trim());
                let v = v.parse::<u64>().ok().filter(|v| range(*v))?;
                (!n.is_empty()).then(|| (n.to_string(), v))
            });
            let Some((name, v)) = parsed else {
                anyhow::bail!(
                    "--dim {d}: expected NAME=N with N an integer from 1 to {MAX_DIM} (e.g. --dim sequence=128)"
                );
            };
            if dims.iter().any(|(n, _)| *n == name) {
                anyhow::bail!("--dim {name} is given twice");
            }
            dims.push((name, v));
        }
        Ok(crate::workload::onnx::OnnxOptions {
            batch: self.batch,
            dims,
        })
    }
}

pub(super) fn form(gemm: bool) -> TopologyForm {
    if gemm {
        TopologyForm::Gemm
    } else {
        TopologyForm::Detect
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run::run_command(*a),
        Command::Compare(a) => compare::compare_command(*a),
        Command::Pack(a) => pack::pack_command(*a),
        Command::Plot(a) => plot_into(
            &a.dir,
            a.out.as_deref(),
            &crate::report::plot::PlotOptions {
                layer: a.layer,
                layout: a.layout,
            },
            a.force,
            false,
        ),
        Command::Sweep(a) => sweep::sweep_command(a),
        Command::Merge(a) => sweep::merge_command(a),
        Command::Check(a) => check::check_command(a),
        Command::List => {
            print!("{}", list::list_text());
            Ok(())
        }
    }
}

/// The loaded inputs of a run.
pub(super) struct Loaded {
    arch: Arch,
    arch_record: InputRecord,
    network: Network,
    workload_record: InputRecord,
    /// The import of an ONNX workload (its weights and the fate of its nodes).
    onnx: Option<crate::workload::onnx::OnnxImport>,
}

pub(super) fn load(
    arch: Option<&Path>,
    workload: Option<&Path>,
    gemm: bool,
    onnx: &OnnxArgs,
) -> Result<Loaded> {
    load_with_defaults(
        arch,
        workload,
        gemm,
        onnx,
        inputs::builtin_arch,
        inputs::builtin_workload,
    )
}

/// Loads the inputs, falling back to the given built-in defaults.
pub(super) fn load_with_defaults(
    arch: Option<&Path>,
    workload: Option<&Path>,
    gemm: bool,
    onnx: &OnnxArgs,
    default_arch: fn() -> (Arch, InputRecord),
    default_workload: fn() -> (Network, InputRecord),
) -> Result<Loaded> {
    let onnx_opts = onnx.options()?;
    if onnx.any() && !workload.is_some_and(inputs::is_onnx) {
        anyhow::bail!(
            "--batch and --dim size the free dimensions of an ONNX workload (--workload model.onnx); other workloads state their sizes in the file"
        );
    }
    let is_csv =
        workload.is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
    if gemm && !is_csv {
        anyhow::bail!(
            "--gemm reads a SCALE-Sim topology .csv in its GEMM form (name, M, N, K); {} is not a .csv: drop --gemm",
            workload.map_or_else(
                || "the default workload".to_string(),
                |p| format!("the workload {}", p.display())
            )
        );
    }
    let (arch, arch_record) = match arch {
        Some(p) => inputs::load_arch_or_builtin(p)?,
        None => default_arch(),
    };
    let (network, workload_record, onnx) = match workload {
        Some(p) => inputs::load_workload_or_builtin(p, form(gemm), &onnx_opts)?,
        None => {
            let (n, r) = default_workload();
            (n, r, None)
        }
    };
    Ok(Loaded {
        arch,
        arch_record,
        network,
        workload_record,
        onnx,
    })
}

/// Prints the workload's warnings on stderr, unless `quiet`.
pub(super) fn print_warnings(l: &Loaded, quiet: bool) {
    if !quiet {
        for w in l.network.warnings() {
            eprintln!("warning: {}: {w}", l.workload_record.path);
        }
    }
}

/// Prints an ONNX import's summary (unless `quiet`) and writes `onnx_nodes.csv` into `out`.
pub(super) fn report_onnx(l: &Loaded, out: &mut OutputFolder, quiet: bool) -> Result<()> {
    let Some(import) = &l.onnx else {
        return Ok(());
    };
    if !quiet {
        print!(
            "{}",
            crate::report::onnx_import::import_summary(&l.workload_record.path, import)
        );
    }
    out.write(
        "onnx_nodes.csv",
        &crate::report::onnx_import::nodes_csv(import),
    )?;
    Ok(())
}

/// Replaces the loaded arch's memory model by `--memory-model`, if given.
pub(super) fn apply_memory_model(mut l: Loaded, model: Option<&str>) -> Result<Loaded> {
    if let Some(m) = model {
        let m = crate::config::MemoryModel::parse(m)
            .map_err(|e| anyhow::anyhow!("--memory-model: {e}"))?;
        l.arch =
            crate::config::validate::with_memory_model(l.arch, m).map_err(anyhow::Error::msg)?;
    }
    Ok(l)
}

pub(super) fn progress_bar(len: u64) -> ProgressBar {
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

/// Stages `architecture.yaml` and `action_counts.yaml` (Accelergy v0.3) in `folder`, under
/// `sub/` if given.
fn write_accelergy(
    folder: &mut OutputFolder,
    sub: Option<&str>,
    arch: &crate::config::Arch,
    hw: &crate::energy::Provision,
    actions: &crate::energy::ActionCounts,
) -> anyhow::Result<()> {
    use crate::report::accelergy::{action_counts_yaml, architecture_yaml};
    for (name, text) in [
        ("architecture.yaml", architecture_yaml(arch, hw)),
        ("action_counts.yaml", action_counts_yaml(arch, hw, actions)),
    ] {
        let name = match sub {
            Some(s) => format!("{s}/{name}"),
            None => name.to_string(),
        };
        folder.write(&name, text.as_bytes())?;
    }
    Ok(())
}
