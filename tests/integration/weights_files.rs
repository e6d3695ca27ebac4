//! Weight tensors read from files as NumPy and safetensors write them
//! (`tests/fixtures/weights/`, generated as its README says): names, order, shapes, pinned
//! elements and checksums, cross-checked between formats, and errors that name the file.

use std::path::{Path, PathBuf};

use sparsim::weights::files::{NamedTensor, read_tensors};

use crate::common::fixture;

/// What one tensor must hold: its shape, Σx and Σ(i+1)·x over its C-order elements (exact,
/// computed in Python with `math.fsum`), and a few elements by C-order index.
struct Expected {
    shape: &'static [usize],
    sum: f64,
    weighted: f64,
    pins: &'static [(usize, f32)],
}

/// `conv`: float32 [F=8, C=4, kh=3, kw=3].
const CONV: Expected = Expected {
    shape: &[8, 4, 3, 3],
    sum: 2.031246200785972,
    weighted: 297.65844817785546,
    pins: &[(0, -0.07931225), (96, -0.038235646), (287, 0.00574376)],
};

/// `linear`: float64 [out=10, in=20], as read (rounded to f32).
const LINEAR: Expected = Expected {
    shape: &[10, 20],
    sum: 0.03149915172252804,
    weighted: 0.7946731124538928,
    pins: &[(0, 0.022548594), (66, 0.045205787), (199, 0.07430301)],
};

/// `linear` stored as float16.
const LINEAR_F16: Expected = Expected {
    shape: &[10, 20],
    sum: 0.031313419342041016,
    weighted: 0.7639093399047852,
    pins: &[(0, 0.02255249), (66, 0.045196533), (199, 0.074279785)],
};

/// `bias`: float32 [10].
const BIAS: Expected = Expected {
    shape: &[10],
    sum: -0.07302647968754172,
    weighted: -0.4714434645138681,
    pins: &[(0, -0.0074275224), (3, -0.008558122), (9, -0.01108037)],
};

/// `bias` rounded to bfloat16 (round to nearest even).
const BIAS_BF16: Expected = Expected {
    shape: &[10],
    sum: -0.07305908203125,
    weighted: -0.47186279296875,
    pins: &[(0, -0.0074157715), (3, -0.008544922), (9, -0.011108398)],
};

/// LSTM `weight_ih_l0`: float32 [4·hidden = 32, input = 6].
const W_IH: Expected = Expected {
    shape: &[32, 6],
    sum: 1.7121763349277899,
    weighted: -28.771293492172845,
    pins: &[(0, 0.12886946), (64, -0.38898525), (191, 0.10125948)],
};

/// LSTM `weight_hh_l0`: float32 [4·hidden = 32, hidden = 8].
const W_HH: Expected = Expected {
    shape: &[32, 8],
    sum: 1.0044880579516757,
    weighted: -24.01156062434893,
    pins: &[(0, 0.060595706), (85, 0.17597403), (255, -0.01023242)],
};

/// Quantized weights: int8 [16, 16].
const Q: Expected = Expected {
    shape: &[16, 16],
    sum: 1156.0,
    weighted: 83537.0,
    pins: &[(0, -93.0), (85, -41.0), (255, 97.0)],
};

/// Zero points: uint8 [16].
const ZP: Expected = Expected {
    shape: &[16],
    sum: 2139.0,
    weighted: 19762.0,
    pins: &[(0, 82.0), (5, 240.0), (15, 136.0)],
};

fn weights(file: &str) -> PathBuf {
    fixture(&format!("weights/{file}"))
}

fn read(file: &str) -> Vec<NamedTensor> {
    read_tensors(&weights(file)).unwrap_or_else(|e| panic!("{e}"))
}

/// The single tensor of a `.npy` file.
fn only(file: &str) -> NamedTensor {
    let mut tensors = read(file);
    assert_eq!(tensors.len(), 1, "{file}");
    tensors.remove(0)
}

fn names(tensors: &[NamedTensor]) -> Vec<&str> {
    tensors.iter().map(|t| t.name.as_str()).collect()
}

fn find<'a>(tensors: &'a [NamedTensor], name: &str) -> &'a NamedTensor {
    tensors
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tensor `{name}` in {:?}", names(tensors)))
}

fn check(tensor: &NamedTensor, expected: &Expected) {
    let name = &tensor.name;
    assert_eq!(tensor.shape, expected.shape, "{name}: shape");
    assert_eq!(
        tensor.data.len(),
        expected.shape.iter().product::<usize>(),
        "{name}: element count"
    );
    let values = || tensor.data.iter().map(|&x| f64::from(x));
    let sum: f64 = values().sum();
    let weighted: f64 = values().zip(1..).map(|(x, i)| x * f64::from(i)).sum();
    let scale: f64 = values()
        .zip(1..)
        .map(|(x, i)| (x * f64::from(i)).abs())
        .sum();
    let tolerance = 1e-12 * scale.max(1.0);
    assert!(
        (sum - expected.sum).abs() <= tolerance,
        "{name}: Σx = {sum}, expected {}",
        expected.sum
    );
    assert!(
        (weighted - expected.weighted).abs() <= tolerance,
        "{name}: Σ(i+1)x = {weighted}, expected {}",
        expected.weighted
    );
    for &(index, value) in expected.pins {
        assert_eq!(tensor.data[index], value, "{name}[{index}]");
    }
}

#[test]
fn conv_weight_in_c_and_fortran_order() {
    let c = only("conv_f32.npy");
    assert_eq!(c.name, "conv_f32");
    check(&c, &CONV);
    let fortran = only("conv_f32_fortran.npy");
    assert_eq!(fortran.name, "conv_f32_fortran");
    assert_eq!((&fortran.shape, &fortran.data), (&c.shape, &c.data));
}

#[test]
fn linear_weight_as_f64_big_endian_f32_and_f16() {
    let f64_file = only("linear_f64.npy");
    check(&f64_file, &LINEAR);
    let big_endian = only("linear_f32_be.npy");
    check(&big_endian, &LINEAR);
    assert_eq!(big_endian.data, f64_file.data);
    check(&only("linear_f16.npy"), &LINEAR_F16);
}

#[test]
fn npy_format_versions_two_and_three_and_a_scalar() {
    let bias = only("bias_v2.npy");
    assert_eq!(bias.name, "bias_v2");
    check(&bias, &BIAS);
    let scalar = only("scalar_v3.npy");
    assert_eq!(
        scalar,
        NamedTensor {
            name: "scalar_v3".into(),
            shape: vec![],
            data: vec![0.75],
        }
    );
}

#[test]
fn lstm_input_weights() {
    let w = only("weight_ih_l0.npy");
    assert_eq!(w.name, "weight_ih_l0");
    check(&w, &W_IH);
}

#[test]
fn npz_stored_and_deflated_entries_in_file_order() {
    let tensors = read("mixed.npz");
    assert_eq!(names(&tensors), ["conv1.weight", "fc.bias"]);
    check(&tensors[0], &CONV);
    check(&tensors[1], &BIAS);
}

#[test]
fn npz_from_savez_compressed_with_integer_dtypes() {
    let tensors = read("quantized.npz");
    assert_eq!(
        names(&tensors),
        ["q.weight", "q.zero_point", "idx16", "idx32", "idx64"]
    );
    check(&tensors[0], &Q);
    check(&tensors[1], &ZP);
    assert_eq!(tensors[2].data, [-300.0, 0.0, 1.0, 2.0, 32767.0]);
    // int32 and int64 round to the nearest f32 beyond 2^24.
    assert_eq!(tensors[3].data, [-70000.0, 0.0, 1.0, 2.0, 16_777_216.0]);
    assert_eq!(tensors[4].data, [-1_099_511_627_776.0, 0.0, 1.0, 2.0, 3.0]);
    assert!(tensors[2..].iter().all(|t| t.shape == [5]));
}

#[test]
fn safetensors_f32_f16_bf16_sorted_by_name() {
    let tensors = read("model.safetensors");
    assert_eq!(
        names(&tensors),
        [
            "conv1.weight",
            "fc.bias",
            "fc.weight",
            "lstm.weight_hh_l0",
            "lstm.weight_ih_l0"
        ]
    );
    check(find(&tensors, "conv1.weight"), &CONV);
    check(find(&tensors, "fc.bias"), &BIAS_BF16);
    check(find(&tensors, "fc.weight"), &LINEAR_F16);
    check(find(&tensors, "lstm.weight_hh_l0"), &W_HH);
    check(find(&tensors, "lstm.weight_ih_l0"), &W_IH);
    // The same values as the .npy exports.
    assert_eq!(
        find(&tensors, "conv1.weight").data,
        only("conv_f32.npy").data
    );
    assert_eq!(
        find(&tensors, "fc.weight").data,
        only("linear_f16.npy").data
    );
    assert_eq!(
        find(&tensors, "lstm.weight_ih_l0").data,
        only("weight_ih_l0.npy").data
    );
}

/// A copy of fixture bytes under a new name in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!("sparsim-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn error(path: &Path) -> String {
    match read_tensors(path) {
        Ok(tensors) => panic!("{}: read {:?}", path.display(), names(&tensors)),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let readme = weights("README.md");
    assert_eq!(
        error(&readme),
        format!(
            "{}: unknown weights file extension `.md`: expected .npy, .npz or .safetensors",
            readme.display()
        )
    );
    let missing = weights("missing.npy");
    assert!(
        error(&missing).starts_with(&format!("{}: cannot read the file: ", missing.display())),
        "{}",
        error(&missing)
    );

    let conv = std::fs::read(weights("conv_f32.npy")).unwrap();
    let truncated = TempFile::new("truncated.npy", &conv[..conv.len() - 100]);
    assert_eq!(
        error(&truncated.0),
        format!(
            "{}: truncated data: header says 1152 bytes, file has 1052",
            truncated.0.display()
        )
    );

    let npz = std::fs::read(weights("mixed.npz")).unwrap();
    let misnamed = TempFile::new("misnamed.npy", &npz);
    assert_eq!(
        error(&misnamed.0),
        format!(
            "{}: bad magic: not a .npy file: it does not start with \\x93NUMPY (it is a zip archive: name it .npz)",
            misnamed.0.display()
        )
    );

    let cut_npz = TempFile::new("cut.npz", &npz[..npz.len() / 2]);
    assert!(
        error(&cut_npz.0).contains("not a valid .npz (zip) archive"),
        "{}",
        error(&cut_npz.0)
    );

    let st = std::fs::read(weights("model.safetensors")).unwrap();
    let cut_st = TempFile::new("cut.safetensors", &st[..st.len() - 1]);
    assert!(
        error(&cut_st.0).contains("not a valid .safetensors file"),
        "{}",
        error(&cut_st.0)
    );
}
