//! Malformed and hostile input end to end: each case once crashed, hung, exhausted memory or
//! computed nonsense; now it is a clear error (exit 1) or a stated warning.

use crate::common::{root, sparsim, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("hostile", name)
}

/// Exit 1 with exactly `message` on stderr (no panic, no abort).
fn fails(o: &Output, message: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert_eq!(stderr(o), message);
}

/// The head of a sweep file on the shipped sparse arch and LeNet-5.
fn sweep_head() -> String {
    let r = root();
    format!(
        "base_arch = \"{}\"\nworkloads = [\"{}\"]\n",
        r.join("arch/sparse-32x32-ws.toml").display(),
        r.join("workloads/lenet5.toml").display()
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

#[test]
fn a_long_operator_chain_in_a_constraint_is_refused_not_a_stack_overflow() {
    let dir = temp_dir("chain");
    let chain = vec!["1"; 400_000].join("+");
    let f = write(
        &dir,
        "s.toml",
        &format!(
            "{}constraints = [\"{chain} > 0\"]\n[axes]\n\"array.rows\" = [8]\n",
            sweep_head()
        ),
    );
    fails(
        &sparsim(&["sweep", &f, "-q", "-o", "o"], &dir),
        &format!(
            "error: s.toml:3:1: constraints[0]: `{}…`: more than 256 arithmetic operators; split it into several constraints\n",
            "1+".repeat(40)
        ),
    );
}

#[test]
fn a_deeply_dotted_axis_key_is_refused_not_a_stack_overflow() {
    let dir = temp_dir("dots");
    let key = vec!["a"; 50_000].join(".");
    let f = write(
        &dir,
        "s.toml",
        &format!("{}[axes]\n\"{key}\" = [8]\n", sweep_head()),
    );
    let shown = format!("{}…", &key[..60]);
    fails(
        &sparsim(&["sweep", &f, "-q", "-o", "o"], &dir),
        &format!(
            "error: s.toml: axes.\"{shown}\": axis `{shown}` has 50000 dotted parts, but architecture keys have at most 8 (e.g. array.rows, memory.first_fill)\n"
        ),
    );
}

/// A reader that stops early closes the pipe: sparsim ends on SIGPIPE like other tools
/// instead of panicking in `println!` ("failed printing to stdout: Broken pipe").
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_process_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = temp_dir("pipe");
    // A packing whose JSON is far larger than a pipe's buffer.
    let (n, k) = (512usize, 4608usize);
    let data: Vec<f32> = (0..n * k)
        .map(|i| ((i * 7919 % 1000) as f32 - 500.0) / 100.0)
        .collect();
    std::fs::write(dir.join("w.npy"), crate::common::npy_f32(&[n, k], &data)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sparsim"))
        .args([
            "pack",
            "--layout",
            "colcomb",
            "--weights",
            "w.npy",
            "--json",
        ])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is closed here (the handle was dropped).
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{:?}",
        out.status
    );
}

/// SIGPIPE's number (13 on Linux and the BSDs).
#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}

/// Replaces `file` in result folder `dir` by `text` and records its new SHA-256 in the
/// manifest, as a crafted (not merely edited) folder would.
fn craft(dir: &Path, file: &str, text: &str) {
    use sparsim::cli::output_folder::{MANIFEST, read_manifest, sha256_hex};
    std::fs::write(dir.join(file), text).unwrap();
    let mut m = read_manifest(dir).unwrap();
    m.files
        .insert(file.to_string(), sha256_hex(text.as_bytes()));
    std::fs::write(dir.join(MANIFEST), serde_json::to_string(&m).unwrap()).unwrap();
}

/// An `inf` in a result CSV sent plotters' axis code into an endless loop; a PE index of 10¹⁵
/// in pe_states.csv asked for an absurd grid.
#[test]
fn plot_refuses_non_finite_numbers_and_absurd_pe_indices() {
    let dir = temp_dir("plotinf");
    let lenet = root().join("workloads/lenet5.toml");
    let w = lenet.to_str().unwrap();
    let o = sparsim(&["compare", "-w", w, "-q", "-o", "c", "--pe-states"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let c = dir.join("c");
    let original = std::fs::read_to_string(c.join("compare.csv")).unwrap();
    let header: Vec<&str> = original.lines().next().unwrap().split(',').collect();
    let u = header.iter().position(|h| *h == "pe_utilization").unwrap();
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[u] = "inf";
    lines[1] = cells.join(",");
    craft(&c, "compare.csv", &(lines.join("\n") + "\n"));
    fails(
        &sparsim(&["plot", "c"], &dir),
        "error: compare.csv line 2, column pe_utilization: `inf` is not a finite number\n",
    );
    craft(&c, "compare.csv", &original);
    let pe = std::fs::read_to_string(c.join("pe_states.csv")).unwrap();
    let mut lines: Vec<String> = pe.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let r = header.iter().position(|h| *h == "row").unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[r] = "1000000000000000".into();
    lines[1] = cells.join(",");
    craft(&c, "pe_states.csv", &(lines.join("\n") + "\n"));
    fails(
        &sparsim(&["plot", "c"], &dir),
        "error: pe_states.csv line 2, column row: `1000000000000000` is not a PE index from 0 to 65535\n",
    );
}

/// Each input-driven allocation is bounded before it is made; these once aborted with
/// `memory allocation of … failed` (or ran the machine out of memory).
#[test]
fn resource_limits_are_errors_not_aborts() {
    let dir = temp_dir("limits");
    let lstm = std::fs::read_to_string(root().join("workloads/lstm_mnist_rows.toml"))
        .unwrap()
        .replace("steps = 28", "steps = 16777216");
    let f = write(&dir, "lstm.toml", &lstm);
    let folds = "error: lstm.toml: layer `lstm`: 1,342,177,280 folds on the 32×32 array (80 per instance × 16,777,216 instances) exceed the limit of 16,777,216 per layer (--max-folds)\n";
    fails(&sparsim(&["run", "-w", &f, "-q", "-o", "o"], &dir), folds);
    fails(
        &sparsim(&["compare", "-w", &f, "-q", "-o", "o"], &dir),
        folds,
    );
    let g = write(
        &dir,
        "g.toml",
        "name = \"g\"\n[[layer]]\nname = \"g\"\ntype = \"gemm\"\nm = 1\nn = 65536\nk = 65536\n",
    );
    fails(
        &sparsim(&["run", "-w", &g, "--cross-check", "-q", "-o", "o"], &dir),
        "error: g.toml: layer `g`: 4,294,967,296 weights (N 65,536 × K 65,536) exceed the limit of 268,435,456 per layer (--max-weights)\n",
    );
    let a = write(&dir, "huge.toml", "[array]\nrows = 65536\ncols = 65536\n");
    let lenet = root().join("workloads/lenet5.toml");
    let l = lenet.to_str().unwrap();
    fails(
        &sparsim(
            &["run", "-a", &a, "-w", l, "--pe-states", "-q", "-o", "o"],
            &dir,
        ),
        &format!(
            "error: {l}: per-PE output of 21,474,836,480 rows (4,294,967,296 PEs × 5 layers × 1 layouts) exceeds the limit of 16,777,216 (--max-pe-rows)\n"
        ),
    );
    // 132 bytes that split into 16 M layers.
    let csv = write(
        &dir,
        "dp.csv",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nDP1, 8, 8, 3, 3, 16777216, 1, 1,\n",
    );
    fails(
        &sparsim(&["run", "-w", &csv, "-q", "-o", "o"], &dir),
        "error: dp.csv:2: depthwise layer `DP1` splits into 16777216 layers (one per channel), 16777216 in all so far: a topology may expand to at most 100000 layers\n",
    );
    // The limits are options: lowered, they stop a small run too. conv1 (K = 5·5·1 = 25,
    // N = 6) is one fold; conv2 (K = 5·5·6 = 150, N = 16) is ⌈150/32⌉ = 5 row folds.
    fails(
        &sparsim(&["run", "-w", l, "--max-folds", "1", "-q", "-o", "o"], &dir),
        &format!(
            "error: {l}: layer `conv2`: 5 folds on the 32×32 array (5 per instance × 1 instances) exceed the limit of 1 per layer (--max-folds)\n"
        ),
    );
    fails(
        &sparsim(
            &["run", "-w", l, "--max-layers", "3", "-q", "-o", "o"],
            &dir,
        ),
        &format!("error: {l}: 12 layers exceed the limit of 3 (--max-layers)\n"),
    );
    assert!(!dir.join("o").exists());
}

/// A float range whose step is below the 1e-9 its values are rounded to made many points of
/// the same value; a value listed twice made two identical points.
#[test]
fn repeated_axis_values_are_errors_except_in_zip_groups() {
    let dir = temp_dir("dupvalues");
    let f = write(
        &dir,
        "r.toml",
        &format!(
            "{}[axes]\n\"layout.sparsity\" = {{ from = 0.5, to = 0.5000000000000009, step = 1e-17 }}\n",
            sweep_head()
        ),
    );
    fails(
        &sparsim(&["sweep", &f, "-q", "-o", "o"], &dir),
        "error: r.toml:4:1: axes.\"layout.sparsity\": the axis holds the value 0.5 more than once: the range's step is finer than the 1e-9 its values are rounded to, so values repeat; use a step of at least 1e-9\n",
    );
    let f = write(
        &dir,
        "l.toml",
        &format!(
            "{}[axes]\nlayout = [\"nm\", \"dense\", \"nm\"]\n",
            sweep_head()
        ),
    );
    fails(
        &sparsim(&["sweep", &f, "-q", "-o", "o"], &dir),
        "error: l.toml:4:1: axes.\"layout\": the axis holds the value \"nm\" more than once: each value may be listed once\n",
    );
    // In a zip group a value may repeat, paired with different values of the other axis.
    let f = write(
        &dir,
        "z.toml",
        &format!(
            "{}zip = [[\"array.rows\", \"array.cols\"]]\n[axes]\n\"array.rows\" = [8, 8]\n\"array.cols\" = [8, 16]\n",
            sweep_head()
        ),
    );
    let o = sparsim(&["sweep", &f, "-q", "-o", "z"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.join("o").exists());
}

/// Flags that would be ignored were accepted silently; now each is an error saying why.
#[test]
fn flags_without_effect_are_errors() {
    let dir = temp_dir("noeffect");
    let lenet = root().join("workloads/lenet5.toml");
    let l = lenet.to_str().unwrap();
    fails(
        &sparsim(
            &["run", "-w", l, "--weights", "w.npy", "-q", "-o", "o"],
            &dir,
        ),
        "error: --weights has no effect without --layout (a plain run simulates the dense layers and makes no weights): add --layout L, or drop it\n",
    );
    fails(
        &sparsim(
            &[
                "run",
                "-w",
                l,
                "--sparsity",
                "0.5",
                "--size-to-fit",
                "-q",
                "-o",
                "o",
            ],
            &dir,
        ),
        "error: --size-to-fit, --sparsity have no effect without --layout (a plain run simulates the dense layers and makes no weights): add --layout L, or drop them\n",
    );
    fails(
        &sparsim(&["run", "-w", l, "--gemm", "-q", "-o", "o"], &dir),
        &format!(
            "error: --gemm reads a SCALE-Sim topology .csv in its GEMM form (name, M, N, K); the workload {l} is not a .csv: drop --gemm\n"
        ),
    );
    fails(
        &sparsim(
            &[
                "run",
                "-w",
                l,
                "--layout",
                "nm",
                "--nm",
                "2:4",
                "--sparsity",
                "0.9",
                "-q",
                "-o",
                "o",
            ],
            &dir,
        ),
        "error: --sparsity 0.9 has no effect on layout nm when --nm is given (N:M fixes the sparsity to 1 − N/M): drop one of them\n",
    );
    // compare prunes the other layouts to --sparsity: it runs, and says nm differs.
    let o = sparsim(
        &[
            "compare",
            "-w",
            l,
            "--nm",
            "2:4",
            "--sparsity",
            "0.9",
            "-o",
            "c",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: --nm 2:4 prunes the nm layout to sparsity 0.500, not the --sparsity 0.9 the other layouts use\n"
    );
    assert!(!dir.join("o").exists());
}

/// Duplicate layer names are accepted, with a warning.
#[test]
fn duplicate_layer_names_get_a_warning() {
    let dir = temp_dir("warnings");
    let text = "name = \"w\"\n\
        [[layer]]\nname = \"a\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 3\nfilters = 8\nkernel = [3, 3]\n\
        [[layer]]\nname = \"a\"\ntype = \"conv2d\"\nifmap = [6, 6]\nchannels = 8\nfilters = 8\nkernel = [3, 3]\n";
    let f = write(&dir, "w.toml", text);
    let o = sparsim(&["check", &f], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    // MACs: 6·6·8·(3·3·3) = 7,776 and 4·4·8·(3·3·8) = 9,216.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "ok: workload `w`: 2 layers (2 on the array), 16,992 MACs\n"
    );
    assert_eq!(
        stderr(&o),
        "warning: layers 1 and 2 are both named `a`; rows of the same name are told apart only by their position\n"
    );
    let o = sparsim(&["run", "-w", &f, "-o", "r"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: w.toml: layers 1 and 2 are both named `a`; rows of the same name are told apart only by their position\n"
    );
}

/// A depthwise layer with padding far larger than its input: the footprint walk visited every
/// one of its 4·10¹² output positions (hours); now it visits only those that reach a real
/// pixel. Expected by hand: 1,000 groups of one 3×3 kernel each is 1,000 folds, every one of
/// the 8·8·1,000 input pixels is read from DRAM once, the 9,000 weights once, and the
/// (8 + 2·10⁶ − 2)² outputs of each channel are written once.
#[test]
fn padding_far_larger_than_the_input_does_not_walk_the_padding() {
    let dir = temp_dir("dwpad");
    let f = write(
        &dir,
        "d.toml",
        "name = \"d\"\n[[layer]]\nname = \"dw\"\ntype = \"conv2d\"\nifmap = [8, 8]\nchannels = 1000\n\
         filters = 1000\ngroups = 1000\nkernel = [3, 3]\npadding = [1000000, 1000000]\n",
    );
    let o = sparsim(&["run", "-w", &f, "-q", "-o", "r"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = crate::common::read_report(&dir.join("r/layers.csv"));
    let col = |n: &str| crate::common::col(&h, &rows[0], n).to_string();
    assert_eq!(col("folds"), "1000");
    assert_eq!(col("ifmap_dram_reads"), "64000");
    assert_eq!(col("filter_dram_reads"), "9000");
    let per_channel: u64 = 2_000_006 * 2_000_006;
    assert_eq!(col("ofmap_dram_writes"), (per_channel * 1000).to_string());
}
