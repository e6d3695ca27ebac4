//! Dense weight tensors from the files users export from PyTorch: `.npy`, `.npz` and
//! `.safetensors`, every element type converted to `f32` in C (row-major) order.
//!
//! - `.npy` (`numpy.save`): one tensor, named after the file stem.
//! - `.npz` (`numpy.savez`, `numpy.savez_compressed`; entries stored or deflated): one tensor
//!   per `.npy` entry, named after the entry without `.npy`, in archive order.
//! - `.safetensors` (`safetensors.torch.save_file`): every tensor, sorted by name; dtypes
//!   F16, BF16, F32, F64, I8, I16, I32, I64 and U8.
//!
//! ```
//! use sparsim::weights::files::parse_tensors;
//!
//! let mut npy = b"\x93NUMPY\x01\x00\x3a\x00".to_vec(); // version 1.0, 58 header bytes
//! npy.extend_from_slice(b"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }\n");
//! npy.extend_from_slice(&[3, 4]);
//! let tensors = parse_tensors(&npy, "bias.npy", "bias", "npy").unwrap();
//! assert_eq!(tensors[0].name, "bias");
//! assert_eq!(tensors[0].data, [3.0, 4.0]);
//! ```

use std::io::{Cursor, Read};
use std::path::Path;

use half::{bf16, f16};
use safetensors::{Dtype as StDtype, SafeTensors};

use super::npy;
use crate::error::InputError;

/// The file extensions read, without the dot.
pub const EXTENSIONS: &[&str] = &["npy", "npz", "safetensors"];

/// A dense tensor read from a weights file, converted to f32, C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// The tensor's name: the file stem (`.npy`), the entry name without `.npy` (`.npz`) or
    /// the key (`.safetensors`).
    pub name: String,
    /// Shape, outermost dimension first; empty for a scalar.
    pub shape: Vec<usize>,
    /// The elements (as many as the product of `shape`), C (row-major) order.
    pub data: Vec<f32>,
}

/// Reads every tensor of a `.npy` (one tensor, named after the file stem), `.npz` or
/// `.safetensors` file, in a deterministic order (file order for npz, sorted by name for
/// safetensors). The extension is matched case-insensitively; errors name the path.
pub fn read_tensors(path: &Path) -> Result<Vec<NamedTensor>, InputError> {
    let origin = path.display().to_string();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    check_extension(&extension, &origin)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&origin, format!("cannot read the file: {e}")))?;
    parse_tensors(&bytes, &origin, &stem, &extension)
}

/// The same from bytes already in memory; `origin` names the input in errors, `extension` is
/// "npy" | "npz" | "safetensors" (a leading dot and upper case are accepted).
pub fn parse_tensors(
    bytes: &[u8],
    origin: &str,
    stem: &str,
    extension: &str,
) -> Result<Vec<NamedTensor>, InputError> {
    let extension = extension.trim_start_matches('.').to_ascii_lowercase();
    check_extension(&extension, origin)?;
    match extension.as_str() {
        "npy" => read_npy(bytes, origin, stem),
        "npz" => read_npz(bytes, origin),
        _ => read_safetensors(bytes, origin),
    }
}

fn check_extension(extension: &str, origin: &str) -> Result<(), InputError> {
    if EXTENSIONS.contains(&extension) {
        return Ok(());
    }
    let found = if extension.is_empty() {
        "no file extension".to_string()
    } else {
        format!("unknown weights file extension `.{extension}`")
    };
    let hint = match extension {
        "pt" | "pth" | "bin" | "ckpt" | "pkl" => {
            " (PyTorch pickles are not read: save the state dict with safetensors.torch.save_file)"
        }
        _ => "",
    };
    Err(InputError::new(
        origin,
        format!("{found}: expected .npy, .npz or .safetensors{hint}"),
    ))
}

fn read_npy(bytes: &[u8], origin: &str, stem: &str) -> Result<Vec<NamedTensor>, InputError> {
    let array = npy::parse_npy(bytes, origin)?;
    Ok(vec![NamedTensor {
        name: stem.to_string(),
        shape: array.shape,
        data: array.data,
    }])
}

fn read_npz(bytes: &[u8], origin: &str) -> Result<Vec<NamedTensor>, InputError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| InputError::new(origin, format!("not a valid .npz (zip) archive: {e}")))?;
    let mut tensors = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        if let Some(tensor) = read_npz_entry(&mut archive, index, origin)? {
            tensors.push(tensor);
        }
    }
    Ok(tensors)
}

/// The tensor of entry `index`; `None` for a directory entry.
fn read_npz_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    origin: &str,
) -> Result<Option<NamedTensor>, InputError> {
    let mut entry = archive
        .by_index(index)
        .map_err(|e| InputError::new(origin, format!("entry {}: {e}", index + 1)))?;
    if entry.is_dir() {
        return Ok(None);
    }
    let entry_name = entry.name().to_string();
    let Some(name) = entry_name.strip_suffix(".npy") else {
        return Err(InputError::new(
            origin,
            "not a .npy entry: every entry of an .npz must be a NumPy array named *.npy",
        )
        .with_key(entry_name));
    };
    let name = name.to_string();
    let mut data = Vec::new();
    entry.read_to_end(&mut data).map_err(|e| {
        InputError::new(origin, format!("cannot decompress: {e}")).with_key(&entry_name)
    })?;
    let array = npy::parse_npy(&data, origin).map_err(|e| e.with_key(&entry_name))?;
    Ok(Some(NamedTensor {
        name,
        shape: array.shape,
        data: array.data,
    }))
}

fn read_safetensors(bytes: &[u8], origin: &str) -> Result<Vec<NamedTensor>, InputError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| InputError::new(origin, format!("not a valid .safetensors file: {e}")))?;
    let mut tensors = file
        .iter()
        .map(|(name, view)| {
            let data = decode_le(view.data(), view.dtype()).ok_or_else(|| {
                InputError::new(
                    origin,
                    format!(
                        "unsupported dtype {}: expected one of F16, BF16, F32, F64, I8, I16, I32, I64, U8",
                        view.dtype()
                    ),
                )
                .with_key(name)
            })?;
            Ok(NamedTensor {
                name: name.to_string(),
                shape: view.shape().to_vec(),
                data,
            })
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tensors)
}

/// The little-endian elements of a safetensors tensor converted to `f32` (`f64`, `i32` and
/// `i64` rounded to nearest); `None` for a dtype that is not read. The bytes need no alignment.
fn decode_le(bytes: &[u8], dtype: StDtype) -> Option<Vec<f32>> {
    Some(match dtype {
        StDtype::F16 => each(bytes, |b| f16::from_le_bytes(b).to_f32()),
        StDtype::BF16 => each(bytes, |b| bf16::from_le_bytes(b).to_f32()),
        StDtype::F32 => each(bytes, f32::from_le_bytes),
        StDtype::F64 => each(bytes, |b| f64::from_le_bytes(b) as f32),
        StDtype::I8 => each(bytes, |b| f32::from(i8::from_le_bytes(b))),
        StDtype::U8 => each(bytes, |b| f32::from(u8::from_le_bytes(b))),
        StDtype::I16 => each(bytes, |b| f32::from(i16::from_le_bytes(b))),
        StDtype::I32 => each(bytes, |b| i32::from_le_bytes(b) as f32),
        StDtype::I64 => each(bytes, |b| i64::from_le_bytes(b) as f32),
        _ => return None,
    })
}

/// `convert` applied to every `N`-byte element (safetensors checks that the length is a
/// multiple of `N`).
fn each<const N: usize>(bytes: &[u8], convert: impl Fn([u8; N]) -> f32) -> Vec<f32> {
    bytes
        .as_chunks::<N>()
        .0
        .iter()
        .map(|&b| convert(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A version-1 `.npy` of little-endian f32 values.
    fn npy_f32(shape: &str, values: &[f32]) -> Vec<u8> {
        let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut out = npy::MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn zip(entries: &[(&str, &[u8], zip::CompressionMethod)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            let options = zip::write::SimpleFileOptions::default().compression_method(*method);
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// A `.safetensors` file built by hand: header JSON, then `data`.
    fn safetensors_bytes(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn err(result: Result<Vec<NamedTensor>, InputError>) -> String {
        result.expect_err("an error").to_string()
    }

    #[test]
    fn npy_is_named_after_the_stem() {
        let bytes = npy_f32("(1, 2)", &[1.0, 2.0]);
        let tensors = parse_tensors(&bytes, "dir/fc.weight.npy", "fc.weight", "npy").unwrap();
        assert_eq!(
            tensors,
            [NamedTensor {
                name: "fc.weight".into(),
                shape: vec![1, 2],
                data: vec![1.0, 2.0],
            }]
        );
        assert_eq!(
            parse_tensors(&bytes, "X.NPY", "X", ".NPY").unwrap()[0].name,
            "X"
        );
    }

    #[test]
    fn npz_keeps_archive_order_stored_and_deflated() {
        let b = npy_f32("(2,)", &[1.0, 2.0]);
        let a = npy_f32("()", &[3.0]);
        let bytes = zip(&[
            ("layer.b.npy", &b, zip::CompressionMethod::Stored),
            ("layer.a.npy", &a, zip::CompressionMethod::Deflated),
            ("dir/", &[], zip::CompressionMethod::Stored),
        ]);
        let tensors = parse_tensors(&bytes, "m.npz", "m", "npz").unwrap();
        let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["layer.b", "layer.a"]);
        assert_eq!(tensors[0].data, [1.0, 2.0]);
        assert_eq!((tensors[1].shape.len(), tensors[1].data[0]), (0, 3.0));
    }

    #[test]
    fn npz_errors_name_the_entry() {
        let good = npy_f32("(2,)", &[1.0, 2.0]);
        let short = &good[..good.len() - 4];
        let bytes = zip(&[("w.npy", short, zip::CompressionMethod::Deflated)]);
        assert_eq!(
            err(parse_tensors(&bytes, "m.npz", "m", "npz")),
            "m.npz: w.npy: truncated data: header says 8 bytes, file has 4"
        );
        let bytes = zip(&[("notes.txt", b"hi", zip::CompressionMethod::Stored)]);
        assert_eq!(
            err(parse_tensors(&bytes, "m.npz", "m", "npz")),
            "m.npz: notes.txt: not a .npy entry: every entry of an .npz must be a NumPy array named *.npy"
        );
        assert!(
            err(parse_tensors(b"not a zip", "m.npz", "m", "npz"))
                .starts_with("m.npz: not a valid .npz (zip) archive: ")
        );
    }

    #[test]
    fn safetensors_every_dtype_sorted_unaligned() {
        // F16 [3] at 0..6 leaves the F32 tensor at an odd offset from the data start.
        let header = concat!(
            r#"{"__metadata__":{"format":"pt"},"#,
            r#""z.half":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"#,
            r#""a.float":{"dtype":"F32","shape":[1,2],"data_offsets":[6,14]},"#,
            r#""m.bf16":{"dtype":"BF16","shape":[1],"data_offsets":[14,16]},"#,
            r#""m.double":{"dtype":"F64","shape":[],"data_offsets":[16,24]},"#,
            r#""q.i8":{"dtype":"I8","shape":[2],"data_offsets":[24,26]},"#,
            r#""q.u8":{"dtype":"U8","shape":[1],"data_offsets":[26,27]},"#,
            r#""q.i16":{"dtype":"I16","shape":[1],"data_offsets":[27,29]},"#,
            r#""q.i32":{"dtype":"I32","shape":[1],"data_offsets":[29,33]},"#,
            r#""q.i64":{"dtype":"I64","shape":[1],"data_offsets":[33,41]}}"#
        );
        let mut data = Vec::new();
        for bits in [0x3c00u16, 0xc000, 0x3800] {
            data.extend_from_slice(&bits.to_le_bytes());
        }
        data.extend_from_slice(&1.5f32.to_le_bytes());
        data.extend_from_slice(&(-4.0f32).to_le_bytes());
        data.extend_from_slice(&0x3f80u16.to_le_bytes());
        data.extend_from_slice(&0.1f64.to_le_bytes());
        data.extend_from_slice(&[0xff, 0x05, 0xc8]);
        data.extend_from_slice(&(-300i16).to_le_bytes());
        data.extend_from_slice(&(-70_000i32).to_le_bytes());
        data.extend_from_slice(&(1i64 << 33).to_le_bytes());
        let bytes = safetensors_bytes(header, &data);
        let tensors = parse_tensors(&bytes, "m.safetensors", "m", "safetensors").unwrap();
        let found: Vec<(&str, &[usize], &[f32])> = tensors
            .iter()
            .map(|t| (t.name.as_str(), t.shape.as_slice(), t.data.as_slice()))
            .collect();
        let expected: Vec<(&str, &[usize], &[f32])> = vec![
            ("a.float", &[1, 2], &[1.5, -4.0]),
            ("m.bf16", &[1], &[1.0]),
            ("m.double", &[], &[0.1]),
            ("q.i16", &[1], &[-300.0]),
            ("q.i32", &[1], &[-70_000.0]),
            ("q.i64", &[1], &[8_589_934_592.0]),
            ("q.i8", &[2], &[-1.0, 5.0]),
            ("q.u8", &[1], &[200.0]),
            ("z.half", &[3], &[1.0, -2.0, 0.5]),
        ];
        assert_eq!(found, expected);
    }

    /// Half-precision bit patterns become exact f32 values: normal, subnormal, signed zero,
    /// infinite and NaN (rejected later, when a layer binds the tensor).
    #[test]
    fn safetensors_f16_and_bf16_values() {
        let f16_bits = [
            0x0000u16, 0x8000, 0x3555, 0x7bff, 0x0400, 0x0001, 0x03ff, 0xfc00, 0x7e00,
        ];
        let bf16_bits = [0x3f80u16, 0xc040, 0x3e20, 0x0001, 0x7f80, 0x7fc0];
        let header = concat!(
            r#"{"a":{"dtype":"F16","shape":[9],"data_offsets":[0,18]},"#,
            r#""b":{"dtype":"BF16","shape":[6],"data_offsets":[18,30]}}"#
        );
        let data: Vec<u8> = f16_bits
            .iter()
            .chain(&bf16_bits)
            .flat_map(|b| b.to_le_bytes())
            .collect();
        let bytes = safetensors_bytes(header, &data);
        let tensors = parse_tensors(&bytes, "m.safetensors", "m", "safetensors").unwrap();
        let bits = |t: &NamedTensor| -> Vec<u32> { t.data.iter().map(|x| x.to_bits()).collect() };
        let f16_expected = [
            0.0f32,
            -0.0,
            0.333_251_95,
            65504.0,
            2f32.powi(-14),
            2f32.powi(-24),
            1023.0 * 2f32.powi(-24),
            f32::NEG_INFINITY,
        ];
        assert_eq!(bits(&tensors[0])[..8], f16_expected.map(f32::to_bits));
        assert!(tensors[0].data[8].is_nan());
        let bf16_expected = [
            1.0f32,
            -3.0,
            0.156_25,
            f32::from_bits(0x0001_0000),
            f32::INFINITY,
        ];
        assert_eq!(bits(&tensors[1])[..5], bf16_expected.map(f32::to_bits));
        assert!(tensors[1].data[5].is_nan());
    }

    #[test]
    fn safetensors_errors() {
        let header = r#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#;
        let bytes = safetensors_bytes(header, &[0; 8]);
        assert_eq!(
            err(parse_tensors(&bytes, "m.safetensors", "m", "safetensors")),
            "m.safetensors: w: unsupported dtype C64: expected one of F16, BF16, F32, F64, I8, I16, I32, I64, U8"
        );
        let header = r#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#;
        let bytes = safetensors_bytes(header, &[0; 8]);
        assert!(
            err(parse_tensors(&bytes, "m.safetensors", "m", "safetensors"))
                .starts_with("m.safetensors: not a valid .safetensors file: ")
        );
        assert_eq!(
            err(parse_tensors(&[1, 2], "m.safetensors", "m", "safetensors")),
            "m.safetensors: not a valid .safetensors file: header too small"
        );
    }

    #[test]
    fn unknown_extensions() {
        assert_eq!(
            err(parse_tensors(b"", "w.pt", "w", "pt")),
            "w.pt: unknown weights file extension `.pt`: expected .npy, .npz or .safetensors (PyTorch pickles are not read: save the state dict with safetensors.torch.save_file)"
        );
        assert_eq!(
            err(parse_tensors(b"", "w.h5", "w", "h5")),
            "w.h5: unknown weights file extension `.h5`: expected .npy, .npz or .safetensors"
        );
        assert_eq!(
            err(read_tensors(Path::new("weights"))),
            "weights: no file extension: expected .npy, .npz or .safetensors"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let message = err(read_tensors(Path::new("/nonexistent/w.npz")));
        assert!(
            message.starts_with("/nonexistent/w.npz: cannot read the file: "),
            "{message}"
        );
    }
}
