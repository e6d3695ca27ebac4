//! NumPy `.npy` arrays (format versions 1.0, 2.0 and 3.0), read with the `npyz` crate and
//! converted to `f32` in C order, with sparsim's error messages.
//!
//! `npyz` parses the header dict and reads the elements. Before it runs, this module checks
//! what `npyz` would trust: the magic, the version, that the header fits in the file (`npyz`
//! allocates the length the preamble claims), how deep the header's brackets nest (its parser
//! recurses) and that the header's dimensions multiply to less than 2⁶⁴ (it multiplies them
//! unchecked). After it, the element type must be one of [`SUPPORTED_DESCRS`] and the data
//! exactly as long as the shape says, so nothing is allocated beyond the bytes present.

use std::borrow::Cow;
use std::fmt::Display;
use std::io;

use half::f16;
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use npyz::{DType, NpyFile, NpyHeader, Order};

use crate::error::InputError;

/// The magic bytes every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The `descr` values read, as NumPy writes them.
pub const SUPPORTED_DESCRS: &[&str] = &[
    "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "|i1", "|u1", "<i2", ">i2", "<i4", ">i4", "<i8",
    ">i8",
];

/// Longest piece of a header quoted in an error message.
const QUOTE_LIMIT: usize = 160;

/// Deepest nesting of brackets accepted in a header (NumPy's own need 3 levels).
const MAX_NESTING: usize = 32;

/// An array read from a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Shape as the header gives it; empty for a 0-d array (one element).
    pub shape: Vec<usize>,
    /// The elements converted to `f32`, in C (row-major) order.
    pub data: Vec<f32>,
}

/// Parses a whole `.npy` file; `origin` names it in errors.
pub fn parse_npy(bytes: &[u8], origin: &str) -> Result<NpyArray, InputError> {
    let error = |message: String| InputError::new(origin, message);
    let (text, data_start) = preamble(bytes).map_err(error)?;
    let found = quote(text.trim());
    let bad = |message: &dyn Display| error(format!("bad header: {message} in `{found}`"));
    let longs = scan_header(text).map_err(|e| match e {
        Bound::Nesting => bad(&format!("brackets nested more than {MAX_NESTING} deep")),
        Bound::Product => error(format!(
            "shape is too large: its dimensions multiply past 2^64 in `{found}`"
        )),
    })?;
    let header = NpyHeader::from_reader(&*python3_header(bytes, data_start, &longs))
        .map_err(|e| bad(&one_line(&e.to_string())))?;
    let file = NpyFile::with_header(header, &bytes[data_start..]);
    let dtype = file.dtype();
    let descr = match &dtype {
        DType::Plain(ty) => ty.to_string(),
        _ => String::new(),
    };
    if !SUPPORTED_DESCRS.contains(&descr.as_str()) {
        return Err(error(unsupported(&dtype)));
    }
    let shape: Vec<usize> = file
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).ok())
        .collect::<Option<_>>()
        .ok_or_else(|| error(format!("shape {:?} is too large", file.shape())))?;
    let too_large = || error(format!("shape {shape:?} is too large"));
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(too_large)?;
    let size = dtype.num_bytes().ok_or_else(too_large)?;
    let expected = count.checked_mul(size).ok_or_else(too_large)?;
    check_data_length(expected, bytes.len() - data_start).map_err(error)?;
    let order = file.order();
    let data = read_elements(file, &descr[1..])
        .map_err(|e| error(format!("cannot read the elements: {e}")))?;
    let data = match order {
        Order::C => data,
        Order::Fortran => ArrayD::from_shape_vec(IxDyn(&shape).f(), data)
            .map_err(|e| error(format!("cannot reorder the Fortran-order elements: {e}")))?
            .iter()
            .copied()
            .collect(),
    };
    Ok(NpyArray { shape, data })
}

/// The header text and the offset of the data: the magic, a supported version and a header
/// that ends within the file.
fn preamble(bytes: &[u8]) -> Result<(&str, usize), String> {
    if !bytes.starts_with(MAGIC) {
        let hint = if bytes.starts_with(b"PK\x03\x04") {
            " (it is a zip archive: name it .npz)"
        } else {
            ""
        };
        return Err(format!(
            "bad magic: not a .npy file: it does not start with \\x93NUMPY{hint}"
        ));
    }
    let truncated = || {
        format!(
            "truncated header: the file ends after {} bytes",
            bytes.len()
        )
    };
    let (major, minor) = match bytes.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => return Err(truncated()),
    };
    let length = |range: std::ops::Range<usize>| {
        let b = bytes.get(range).ok_or_else(truncated)?;
        let wide = b.iter().rev().fold(0u64, |n, &x| n << 8 | u64::from(x));
        usize::try_from(wide).map_err(|_| truncated())
    };
    let (start, length): (usize, usize) = match (major, minor) {
        (1, 0) => (10, length(8..10)?),
        (2 | 3, 0) => (12, length(8..12)?),
        _ => {
            return Err(format!(
                "unsupported format version {major}.{minor}: expected 1.0, 2.0 or 3.0"
            ));
        }
    };
    let end = start.saturating_add(length);
    let raw = bytes.get(start..end).ok_or_else(|| {
        format!(
            "truncated header: the preamble says {length} header bytes, the file has {}",
            bytes.len() - start
        )
    })?;
    let text = std::str::from_utf8(raw).map_err(|e| format!("bad header: not UTF-8: {e}"))?;
    Ok((text, end))
}

/// Why a header is refused before `npyz` parses it.
enum Bound {
    /// Brackets nest deeper than [`MAX_NESTING`].
    Nesting,
    /// The dimensions may multiply to 2⁶⁴ or more.
    Product,
}

/// Bounds the header's nesting and the product of its dimensions, and finds the `L` suffixes
/// of Python 2 integers (`(3L, 4L)`, as NumPy under Python 2 wrote some shapes): their byte
/// offsets in `text`. Outside strings, every integer literal (decimal, hex, octal or binary)
/// counts as a factor (0 as 1) and every `+` doubles the product, so that it bounds the
/// product of the nonzero dimensions however the header spells them; for a header NumPy
/// writes it is that product exactly.
fn scan_header(text: &str) -> Result<Vec<usize>, Bound> {
    let bytes = text.as_bytes();
    let (mut depth, mut product, mut i) = (0usize, 1u64, 0);
    let mut times = |factor: u64| {
        product = product.checked_mul(factor.max(1)).ok_or(Bound::Product)?;
        Ok(())
    };
    let mut longs = Vec::new();
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'\'' | b'"' => {
                while let Some(&c) = bytes.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b {
                        break;
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Bound::Nesting);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' => times(2)?,
            b'0'..=b'9' => {
                let start = i - 1;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                let mut token = &text[start..i];
                if let Some(digits) = token.strip_suffix(['L', 'l']) {
                    longs.push(i - 1);
                    token = digits;
                }
                times(integer(token))?;
            }
            _ => {}
        }
    }
    Ok(longs)
}

/// The preamble and header of the file (`bytes[..data_start]`), the Python 2 `L` suffixes at
/// `longs` (increasing offsets in the header text) removed and the header length adjusted.
fn python3_header<'a>(bytes: &'a [u8], data_start: usize, longs: &[usize]) -> Cow<'a, [u8]> {
    if longs.is_empty() {
        return Cow::Borrowed(&bytes[..data_start]);
    }
    let text_start = if bytes[6] == 1 { 10 } else { 12 };
    let mut out = Vec::with_capacity(data_start);
    let mut from = 0;
    for &long in longs {
        out.extend_from_slice(&bytes[from..text_start + long]);
        from = text_start + long + 1;
    }
    out.extend_from_slice(&bytes[from..data_start]);
    let length = (out.len() - text_start).to_le_bytes();
    let width = text_start - 8;
    out[8..text_start].copy_from_slice(&length[..width]);
    Cow::Owned(out)
}

/// The value of a Python integer literal (`u64::MAX` beyond it); 1 for any other token.
fn integer(token: &str) -> u64 {
    let digits = token.replace('_', "").to_ascii_lowercase();
    let (radix, digits) = match digits.get(..2) {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, &digits[..]),
    };
    match u64::from_str_radix(digits, radix) {
        Ok(value) => value,
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => u64::MAX,
        Err(_) => 1,
    }
}

/// Every element of `file`, of NumPy type `code` (`descr` without the byte order), as `f32`
/// (`f64`, `i32` and `i64` rounded to nearest), in the file's order.
fn read_elements(file: NpyFile<&[u8]>, code: &str) -> Result<Vec<f32>, String> {
    match code {
        "f2" => convert(file, f16::to_f32),
        "f4" => convert(file, |x: f32| x),
        "f8" => convert(file, |x: f64| x as f32),
        "i1" => convert::<i8>(file, f32::from),
        "u1" => convert::<u8>(file, f32::from),
        "i2" => convert::<i16>(file, f32::from),
        "i4" => convert(file, |x: i32| x as f32),
        "i8" => convert(file, |x: i64| x as f32),
        _ => Err(format!("no conversion of `{code}` to f32")),
    }
}

/// Reads every element of `file` as `T` and converts it.
fn convert<T: npyz::Deserialize>(
    file: NpyFile<&[u8]>,
    to_f32: impl Fn(T) -> f32,
) -> Result<Vec<f32>, String> {
    let reader = file.data::<T>().map_err(|e| e.to_string())?;
    reader
        .map(|x| x.map(&to_f32))
        .collect::<io::Result<_>>()
        .map_err(|e| e.to_string())
}

/// The message for a dtype that is not one of [`SUPPORTED_DESCRS`].
fn unsupported(dtype: &DType) -> String {
    let expected = SUPPORTED_DESCRS.join(", ");
    match dtype {
        DType::Plain(ty) => format!("unsupported dtype `{ty}`: expected one of {expected}"),
        DType::Record(_) => {
            format!("unsupported dtype: a structured (record) dtype; expected one of {expected}")
        }
        DType::Array(..) => format!(
            "unsupported dtype `{}`: expected one of {expected}",
            dtype.descr()
        ),
    }
}

fn check_data_length(expected: usize, actual: usize) -> Result<(), String> {
    if actual < expected {
        return Err(format!(
            "truncated data: header says {expected} bytes, file has {actual}"
        ));
    }
    if actual > expected {
        return Err(format!(
            "{} bytes after the data: header says {expected} bytes, file has {actual}",
            actual - expected
        ));
    }
    Ok(())
}

/// An `npyz` message on one line. A syntax error from its Python-literal parser spans
/// several lines (` --> line:column`, the header, a caret, `= expected …`): it becomes
/// `… syntax error at line:column: expected …`.
fn one_line(message: &str) -> String {
    let flat = || message.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some((head, rest)) = message.split_once("-->") else {
        return flat();
    };
    let position = rest.split_whitespace().next().unwrap_or_default();
    match rest.lines().find_map(|l| l.trim().strip_prefix("= ")) {
        Some(expected) => format!(
            "{} at {position}: {expected}",
            head.trim_end().trim_end_matches(':')
        ),
        None => flat(),
    }
}

/// `text` cut to [`QUOTE_LIMIT`] characters.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.npy` file of `version` with header dict `dict`, padded like NumPy to a multiple of
    /// 64 bytes, followed by `data`.
    fn npy(version: u8, dict: &str, data: &[u8]) -> Vec<u8> {
        let prefix = if version == 1 { 10 } else { 12 };
        let mut header = dict.to_string();
        while !(prefix + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn dict(descr: &str, fortran: bool, shape: &str) -> String {
        let fortran = if fortran { "True" } else { "False" };
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}")
    }

    fn read(descr: &str, shape: &str, data: &[u8]) -> NpyArray {
        parse_npy(&npy(1, &dict(descr, false, shape), data), "t.npy").expect("valid npy")
    }

    fn error(bytes: &[u8]) -> String {
        parse_npy(bytes, "t.npy")
            .expect_err("invalid npy")
            .to_string()
    }

    fn concat<const N: usize>(parts: &[[u8; N]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn every_dtype() {
        let f2 = concat(&[0x3c00u16, 0xc000, 0x3800].map(u16::to_le_bytes));
        assert_eq!(read("<f2", "(3,)", &f2).data, [1.0, -2.0, 0.5]);
        let f2be = concat(&[0x3c00u16, 0x3555].map(u16::to_be_bytes));
        assert_eq!(read(">f2", "(2,)", &f2be).data, [1.0, 0.333_251_95]);
        let f4 = concat(&[1.5f32, -0.25].map(f32::to_le_bytes));
        assert_eq!(read("<f4", "(2,)", &f4).data, [1.5, -0.25]);
        let f4be = concat(&[1.5f32, 3.0e-3].map(f32::to_be_bytes));
        assert_eq!(read(">f4", "(2,)", &f4be).data, [1.5, 3.0e-3]);
        let f8 = concat(&[0.1f64, -1e300].map(f64::to_le_bytes));
        assert_eq!(read("<f8", "(2,)", &f8).data, [0.1f32, f32::NEG_INFINITY]);
        let f8be = concat(&[0.1f64, 2.5].map(f64::to_be_bytes));
        assert_eq!(read(">f8", "(2,)", &f8be).data, [0.1f32, 2.5]);
        assert_eq!(read("|i1", "(2,)", &[0x80, 0x7f]).data, [-128.0, 127.0]);
        assert_eq!(read("|u1", "(2,)", &[0, 255]).data, [0.0, 255.0]);
        let i2 = concat(&[-300i16, 7].map(i16::to_le_bytes));
        assert_eq!(read("<i2", "(2,)", &i2).data, [-300.0, 7.0]);
        let i2be = concat(&[-300i16].map(i16::to_be_bytes));
        assert_eq!(read(">i2", "(1,)", &i2be).data, [-300.0]);
        let i4 = concat(&[-70_000i32, 16_777_217].map(i32::to_le_bytes));
        assert_eq!(read("<i4", "(2,)", &i4).data, [-70_000.0, 16_777_216.0]);
        let i4be = concat(&[123_456i32].map(i32::to_be_bytes));
        assert_eq!(read(">i4", "(1,)", &i4be).data, [123_456.0]);
        let i8 = concat(&[-(1i64 << 40), 3].map(i64::to_le_bytes));
        assert_eq!(read("<i8", "(2,)", &i8).data, [-(2f32.powi(40)), 3.0]);
        let i8be = concat(&[5i64].map(i64::to_be_bytes));
        assert_eq!(read(">i8", "(1,)", &i8be).data, [5.0]);
    }

    /// Every finite float16 bit pattern, in both byte orders, against the definition
    /// evaluated exactly in f64; infinities and NaN stay what they are.
    #[test]
    fn float16_every_finite_pattern_matches_the_definition() {
        let finite: Vec<u16> = (0..=u16::MAX)
            .filter(|bits| (bits >> 10) & 0x1f != 0x1f)
            .collect();
        let expected: Vec<f64> = finite
            .iter()
            .map(|&bits| {
                let exponent = i32::from((bits >> 10) & 0x1f);
                let mantissa = f64::from(bits & 0x03ff);
                let magnitude = if exponent == 0 {
                    mantissa * 2f64.powi(-24)
                } else {
                    (1024.0 + mantissa) * 2f64.powi(exponent - 25)
                };
                if bits & 0x8000 != 0 {
                    -magnitude
                } else {
                    magnitude
                }
            })
            .collect();
        let shape = format!("({},)", finite.len());
        let little: Vec<u8> = finite.iter().flat_map(|b| b.to_le_bytes()).collect();
        let big: Vec<u8> = finite.iter().flat_map(|b| b.to_be_bytes()).collect();
        for array in [read("<f2", &shape, &little), read(">f2", &shape, &big)] {
            let found: Vec<f64> = array.data.iter().map(|&x| f64::from(x)).collect();
            assert_eq!(found, expected);
        }
        let special = concat(&[0x7c00u16, 0xfc00, 0x7e00].map(u16::to_le_bytes));
        let data = read("<f2", "(3,)", &special).data;
        assert_eq!(data[..2], [f32::INFINITY, f32::NEG_INFINITY]);
        assert!(data[2].is_nan());
    }

    #[test]
    fn shapes_zero_one_and_many_dimensions() {
        let one = 1.0f32.to_le_bytes();
        let scalar = read("<f4", "()", &one);
        assert_eq!((scalar.shape, scalar.data), (vec![], vec![1.0]));
        let empty = read("<f4", "(0, 3)", &[]);
        assert_eq!((empty.shape, empty.data), (vec![0, 3], vec![]));
        let data: Vec<u8> = (0..24u8).collect();
        let cube = read("|u1", "(2, 3, 4)", &data);
        assert_eq!(cube.shape, [2, 3, 4]);
        assert_eq!(cube.data[23], 23.0);
    }

    #[test]
    fn fortran_order_is_transposed_to_c_order() {
        // The 2×3 matrix [[0, 1, 2], [10, 11, 12]] stored column by column.
        let column_major = [0u8, 10, 1, 11, 2, 12];
        let bytes = npy(1, &dict("|u1", true, "(2, 3)"), &column_major);
        let array = parse_npy(&bytes, "t.npy").unwrap();
        assert_eq!(array.shape, [2, 3]);
        assert_eq!(array.data, [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        // 3-d: element (i, j, k) = 100i + 10j + k, stored with i fastest.
        let (a, b, c) = (2, 3, 4);
        let mut fortran = Vec::new();
        for k in 0..c {
            for j in 0..b {
                for i in 0..a {
                    fortran.push((100 * i + 10 * j + k) as i16);
                }
            }
        }
        let raw: Vec<u8> = fortran.iter().flat_map(|v| v.to_le_bytes()).collect();
        let bytes = npy(1, &dict("<i2", true, "(2, 3, 4)"), &raw);
        let array = parse_npy(&bytes, "t.npy").unwrap();
        let expected: Vec<f32> = (0..a)
            .flat_map(|i| {
                (0..b).flat_map(move |j| (0..c).map(move |k| (100 * i + 10 * j + k) as f32))
            })
            .collect();
        assert_eq!(array.data, expected);
        // 1-d, 0-d and empty Fortran arrays are unchanged.
        let bytes = npy(1, &dict("|u1", true, "(3,)"), &[7, 8, 9]);
        assert_eq!(parse_npy(&bytes, "t.npy").unwrap().data, [7.0, 8.0, 9.0]);
        let bytes = npy(1, &dict("|u1", true, "()"), &[7]);
        assert_eq!(parse_npy(&bytes, "t.npy").unwrap().data, [7.0]);
        let bytes = npy(1, &dict("<f4", true, "(3, 0, 2)"), &[]);
        let array = parse_npy(&bytes, "t.npy").unwrap();
        assert_eq!((array.shape, array.data), (vec![3, 0, 2], vec![]));
    }

    #[test]
    fn versions_two_and_three() {
        let data = concat(&[1.0f32, 2.0].map(f32::to_le_bytes));
        for version in [2, 3] {
            let bytes = npy(version, &dict("<f4", false, "(1, 2)"), &data);
            let array = parse_npy(&bytes, "t.npy").unwrap();
            assert_eq!((array.shape, array.data), (vec![1, 2], vec![1.0, 2.0]));
        }
        // Version 3 headers are UTF-8; an extra key with a non-ASCII value is fine.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'note': 'µ'}";
        assert_eq!(
            parse_npy(&npy(3, header, &data), "t.npy").unwrap().shape,
            [2]
        );
    }

    #[test]
    fn header_variants_python_writes() {
        let data = [1u8, 2];
        let double_quotes = r#"{"descr": "|u1", "fortran_order": False, "shape": (2,)}"#;
        assert_eq!(
            parse_npy(&npy(1, double_quotes, &data), "t.npy")
                .unwrap()
                .shape,
            [2]
        );
        let reordered = "{'shape': [2], 'fortran_order': False, 'descr': '|u1'}";
        assert_eq!(
            parse_npy(&npy(1, reordered, &data), "t.npy").unwrap().shape,
            [2]
        );
        // NumPy under Python 2 wrote some dimensions as longs.
        for (version, shape) in [(1, "(1L, 2L)"), (2, "(1l, 2L,)"), (3, "[1L, 0x2L]")] {
            let header = dict("|u1", false, shape);
            let array = parse_npy(&npy(version, &header, &data), "t.npy").unwrap();
            assert_eq!((array.shape, array.data), (vec![1, 2], vec![1.0, 2.0]));
        }
        let header = dict("<f4", false, "(4611686018427387904L, 4L)");
        assert!(error(&npy(1, &header, &[])).contains("multiply past 2^64"));
        // Brackets and digits inside strings are not shape dimensions.
        let strings = "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), 'x': '((((9999999999 \\' 99999999999'}";
        assert_eq!(
            parse_npy(&npy(1, strings, &data), "t.npy").unwrap().shape,
            [2]
        );
    }

    #[test]
    fn truncated_and_oversized_data() {
        let bytes = npy(1, &dict("<f4", false, "(10, 30)"), &[0; 1000]);
        assert_eq!(
            error(&bytes),
            "t.npy: truncated data: header says 1200 bytes, file has 1000"
        );
        let bytes = npy(1, &dict("<f4", false, "(2,)"), &[0; 9]);
        assert_eq!(
            error(&bytes),
            "t.npy: 1 bytes after the data: header says 8 bytes, file has 9"
        );
        let bytes = npy(1, &dict("<f8", false, "(4611686018427387904, 2)"), &[]);
        assert_eq!(
            error(&bytes),
            "t.npy: shape [4611686018427387904, 2] is too large"
        );
        let bytes = npy(1, &dict("<f4", false, "(1000000, 1000000)"), &[0; 64]);
        assert_eq!(
            error(&bytes),
            "t.npy: truncated data: header says 4000000000000 bytes, file has 64"
        );
    }

    /// Dimensions that multiply past 2⁶⁴ are refused before `npyz` multiplies them, however
    /// they are spelled, and a zero among them does not hide the others.
    #[test]
    fn dimensions_multiplying_past_2_to_the_64() {
        for shape in [
            "(4611686018427387904, 4)",
            "(0x4000_0000_0000_0000, 0b100)",
            "(0, 4294967296, 4294967296)",
            "(4294967295+1, 4294967295+1)",
            "(99999999999999999999999, 2)",
        ] {
            let header = dict("<f4", false, shape);
            assert_eq!(
                error(&npy(1, &header, &[])),
                format!(
                    "t.npy: shape is too large: its dimensions multiply past 2^64 in `{header}`"
                ),
                "{shape}"
            );
        }
        for shape in ["(18446744073709551616,)", "(-1,)"] {
            let message = error(&npy(1, &dict("<f4", false, shape), &[]));
            assert!(message.starts_with("t.npy: bad header: "), "{message}");
        }
    }

    #[test]
    fn truncated_preamble_and_header() {
        assert_eq!(
            error(b"\x93NUMPY\x01"),
            "t.npy: truncated header: the file ends after 7 bytes"
        );
        assert_eq!(
            error(b"\x93NUMPY\x02\x00\x10"),
            "t.npy: truncated header: the file ends after 9 bytes"
        );
        assert_eq!(
            error(b"\x93NUMPY\x01\x00\x76\x00{'descr'"),
            "t.npy: truncated header: the preamble says 118 header bytes, the file has 8"
        );
        // A 4 GiB header length is an error, not an allocation.
        assert_eq!(
            error(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}"),
            "t.npy: truncated header: the preamble says 4294967295 header bytes, the file has 2"
        );
    }

    #[test]
    fn bad_magic_and_version() {
        assert_eq!(
            error(b"hello world"),
            "t.npy: bad magic: not a .npy file: it does not start with \\x93NUMPY"
        );
        assert_eq!(
            error(b"PK\x03\x04rest"),
            "t.npy: bad magic: not a .npy file: it does not start with \\x93NUMPY (it is a zip archive: name it .npz)"
        );
        assert_eq!(
            error(b""),
            "t.npy: bad magic: not a .npy file: it does not start with \\x93NUMPY"
        );
        let mut bytes = npy(1, &dict("<f4", false, "()"), &[0; 4]);
        bytes[6] = 4;
        assert_eq!(
            error(&bytes),
            "t.npy: unsupported format version 4.0: expected 1.0, 2.0 or 3.0"
        );
        bytes[6] = 1;
        bytes[7] = 1;
        assert_eq!(
            error(&bytes),
            "t.npy: unsupported format version 1.1: expected 1.0, 2.0 or 3.0"
        );
    }

    #[test]
    fn unsupported_dtypes() {
        let expected =
            "expected one of <f2, >f2, <f4, >f4, <f8, >f8, |i1, |u1, <i2, >i2, <i4, >i4, <i8, >i8";
        for descr in ["<c8", "<u2", "|b1", "|O", "<U3"] {
            let bytes = npy(1, &dict(descr, false, "(1,)"), &[0; 8]);
            assert_eq!(
                error(&bytes),
                format!("t.npy: unsupported dtype `{descr}`: {expected}")
            );
        }
        let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}";
        assert_eq!(
            error(&npy(1, structured, &[0; 4])),
            format!("t.npy: unsupported dtype: a structured (record) dtype; {expected}")
        );
    }

    #[test]
    fn bad_headers() {
        let cases = [
            (
                "{'descr': '<f4', 'shape': (1,)}",
                "dict is missing key 'fortran_order'",
            ),
            (
                "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
                "'fortran_order' value is not a bool",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                "dimension cannot be negative",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': 3}",
                "shape must be list or tuple",
            ),
            (
                "{'descr': 4, 'fortran_order': False, 'shape': (3,)}",
                "must be string or list",
            ),
            (
                "{'descr': '<x4', 'fortran_order': False, 'shape': (3,)}",
                "invalid type string: Invalid type-string",
            ),
            (
                "{'descr': '<f4' 'fortran_order': False}",
                "could not parse Python expression: syntax error at 1:15: expected short_string_non_escape, string_escape_seq, string_unknown_escape, or line_continuation_seq",
            ),
            (
                "{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}",
                "could not parse Python expression: syntax error at 1:35: expected value",
            ),
            ("[1, 2]", "expected a python dict literal"),
            (
                "{'descr': '<f4'} x",
                "could not parse Python expression: syntax error at 1:18: expected EOI",
            ),
            (
                "{'descr",
                "could not parse Python expression: syntax error at 1:54: expected short_string_non_escape, string_escape_seq, string_unknown_escape, or line_continuation_seq",
            ),
            (
                "",
                "could not parse Python expression: syntax error at 1:54: expected value",
            ),
        ];
        for (header, expected) in cases {
            assert_eq!(
                error(&npy(1, header, &[])),
                format!("t.npy: bad header: {expected} in `{header}`"),
                "header {header}"
            );
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            error(&npy(1, &deep, &[])),
            format!(
                "t.npy: bad header: brackets nested more than 32 deep in `{}…`",
                "[".repeat(160)
            )
        );
        let long = format!("{{'descr': '{}'", "x".repeat(300));
        let message = error(&npy(1, &long, &[]));
        assert!(message.ends_with("xxx…`"), "{message}");
        assert!(message.len() < 400, "{message}");
    }

    #[test]
    fn a_header_that_is_not_utf8() {
        for version in [1, 3] {
            let mut bytes = npy(version, "{'descr': '<f4'}", &[]);
            bytes[13] = 0xff;
            assert!(error(&bytes).starts_with("t.npy: bad header: not UTF-8: "));
        }
    }
}
