//! NumPy `.npy` arrays (format versions 1.0, 2.0 and 3.0), converted to `f32` in C order.
//!
//! A `.npy` file is the magic `\x93NUMPY`, a major and a minor version byte, the header length
//! (`u16` little-endian in version 1, `u32` in versions 2 and 3), a header that is a Python
//! dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (8, 4, 3, 3), }`
//! (Latin-1 in versions 1 and 2, UTF-8 in version 3), then the raw elements. The header is
//! parsed here without a Python evaluator; the element decoding is shared with the
//! `.safetensors` reader.

use super::f16::{bf16_to_f32, f16_to_f32};
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

/// Byte order of multi-byte elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Least significant byte first (`<`, and `|` for single bytes).
    Little,
    /// Most significant byte first (`>`).
    Big,
}

/// An element type that converts to `f32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// IEEE 754 binary16 (`float16`).
    F16,
    /// bfloat16 (safetensors only: NumPy has no such dtype).
    BF16,
    /// `float32`.
    F32,
    /// `float64`, rounded to the nearest `f32`.
    F64,
    /// `int8`.
    I8,
    /// `int16`.
    I16,
    /// `int32`, rounded to the nearest `f32` beyond 2²⁴.
    I32,
    /// `int64`, rounded to the nearest `f32` beyond 2²⁴.
    I64,
    /// `uint8`.
    U8,
}

impl Scalar {
    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::F16 | Scalar::BF16 | Scalar::I16 => 2,
            Scalar::F32 | Scalar::I32 => 4,
            Scalar::F64 | Scalar::I64 => 8,
        }
    }
}

/// An element type with its byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtype {
    /// The element type.
    pub scalar: Scalar,
    /// The byte order of its bytes.
    pub order: ByteOrder,
}

impl Dtype {
    /// A little-endian element type (the order of `.safetensors` data).
    pub fn little(scalar: Scalar) -> Dtype {
        Dtype {
            scalar,
            order: ByteOrder::Little,
        }
    }

    /// The dtype of a NumPy `descr` string, if it is one of [`SUPPORTED_DESCRS`].
    pub fn from_descr(descr: &str) -> Option<Dtype> {
        let scalar = match descr {
            "<f2" | ">f2" => Scalar::F16,
            "<f4" | ">f4" => Scalar::F32,
            "<f8" | ">f8" => Scalar::F64,
            "|i1" => Scalar::I8,
            "|u1" => Scalar::U8,
            "<i2" | ">i2" => Scalar::I16,
            "<i4" | ">i4" => Scalar::I32,
            "<i8" | ">i8" => Scalar::I64,
            _ => return None,
        };
        let order = if descr.starts_with('>') {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        };
        Some(Dtype { scalar, order })
    }
}

/// Decodes packed elements of `dtype` to `f32`; a trailing partial element is ignored (callers
/// check the length first). The bytes need no alignment.
pub fn decode(bytes: &[u8], dtype: Dtype) -> Vec<f32> {
    let order = dtype.order;
    match dtype.scalar {
        Scalar::F16 => convert(bytes, order, |b| f16_to_f32(u16::from_le_bytes(b))),
        Scalar::BF16 => convert(bytes, order, |b| bf16_to_f32(u16::from_le_bytes(b))),
        Scalar::F32 => convert(bytes, order, f32::from_le_bytes),
        Scalar::F64 => convert(bytes, order, |b| f64::from_le_bytes(b) as f32),
        Scalar::I8 => convert(bytes, order, |b| f32::from(i8::from_le_bytes(b))),
        Scalar::U8 => convert(bytes, order, |b| f32::from(u8::from_le_bytes(b))),
        Scalar::I16 => convert(bytes, order, |b| f32::from(i16::from_le_bytes(b))),
        Scalar::I32 => convert(bytes, order, |b| i32::from_le_bytes(b) as f32),
        Scalar::I64 => convert(bytes, order, |b| i64::from_le_bytes(b) as f32),
    }
}

/// Applies `from_le` to every `N`-byte element, reversing big-endian ones first.
fn convert<const N: usize>(
    bytes: &[u8],
    order: ByteOrder,
    from_le: impl Fn([u8; N]) -> f32,
) -> Vec<f32> {
    let (elements, _partial) = bytes.as_chunks::<N>();
    elements
        .iter()
        .map(|&element| {
            let mut element = element;
            if order == ByteOrder::Big {
                element.reverse();
            }
            from_le(element)
        })
        .collect()
}

/// What a `.npy` header says about its array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// Format version (major, minor).
    pub version: (u8, u8),
    /// Element type.
    pub dtype: Dtype,
    /// Whether the elements are stored in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Shape; empty for a 0-d array.
    pub shape: Vec<usize>,
}

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
    let (header, data_start) = parse_header(bytes, origin)?;
    let count = element_count(&header.shape)
        .ok_or_else(|| InputError::new(origin, too_large(&header.shape)))?;
    let expected = count
        .checked_mul(header.dtype.scalar.size())
        .ok_or_else(|| InputError::new(origin, too_large(&header.shape)))?;
    let raw = &bytes[data_start..];
    check_data_length(expected, raw.len(), origin)?;
    let data = decode(raw, header.dtype);
    let data = if header.fortran_order {
        fortran_to_c(&data, &header.shape)
    } else {
        data
    };
    Ok(NpyArray {
        shape: header.shape,
        data,
    })
}

/// Parses the preamble and header of a `.npy` file: the header and the offset of the data.
pub fn parse_header(bytes: &[u8], origin: &str) -> Result<(NpyHeader, usize), InputError> {
    check_magic(bytes, origin)?;
    let (version, text, data_start) = header_text(bytes, origin)?;
    let bad = |message: String| {
        InputError::new(
            origin,
            format!("bad header: {message} in `{}`", quote(text.trim())),
        )
    };
    let dict = parse_literal(&text).map_err(bad)?;
    let (dtype, fortran_order, shape) = header_fields(&dict, origin).map_err(|e| match e {
        FieldError::Bad(message) => bad(message),
        FieldError::Input(e) => e,
    })?;
    let header = NpyHeader {
        version,
        dtype,
        fortran_order,
        shape,
    };
    Ok((header, data_start))
}

fn check_magic(bytes: &[u8], origin: &str) -> Result<(), InputError> {
    if bytes.starts_with(MAGIC) {
        return Ok(());
    }
    let hint = if bytes.starts_with(b"PK\x03\x04") {
        " (it is a zip archive: name it .npz)"
    } else {
        ""
    };
    Err(InputError::new(
        origin,
        format!("bad magic: not a .npy file: it does not start with \\x93NUMPY{hint}"),
    ))
}

/// Version, header text and data offset.
fn header_text(bytes: &[u8], origin: &str) -> Result<((u8, u8), String, usize), InputError> {
    let (major, minor) = match bytes.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => return Err(truncated_preamble(bytes, origin)),
    };
    let (start, length) = header_span(bytes, (major, minor), origin)?;
    let raw = start
        .checked_add(length)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| {
            InputError::new(
                origin,
                format!(
                    "truncated header: the preamble says {length} header bytes, the file has {}",
                    bytes.len().saturating_sub(start)
                ),
            )
        })?;
    let text = if major == 3 {
        std::str::from_utf8(raw)
            .map_err(|e| InputError::new(origin, format!("bad header: not UTF-8: {e}")))?
            .to_string()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    Ok(((major, minor), text, start + length))
}

/// Start and length of the header: a `u16` length in version 1, a `u32` in versions 2 and 3.
fn header_span(
    bytes: &[u8],
    (major, minor): (u8, u8),
    origin: &str,
) -> Result<(usize, usize), InputError> {
    let span = match major {
        1 => bytes
            .get(8..10)
            .map(|b| (10, usize::from(u16::from_le_bytes([b[0], b[1]])))),
        2 | 3 => bytes.get(8..12).and_then(|b| {
            let length = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some((12, usize::try_from(length).ok()?))
        }),
        _ => {
            return Err(InputError::new(
                origin,
                format!("unsupported format version {major}.{minor}: expected 1.0, 2.0 or 3.0"),
            ));
        }
    };
    span.ok_or_else(|| truncated_preamble(bytes, origin))
}

fn truncated_preamble(bytes: &[u8], origin: &str) -> InputError {
    InputError::new(
        origin,
        format!(
            "truncated header: the file ends after {} bytes",
            bytes.len()
        ),
    )
}

fn check_data_length(expected: usize, actual: usize, origin: &str) -> Result<(), InputError> {
    if actual < expected {
        return Err(InputError::new(
            origin,
            format!("truncated data: header says {expected} bytes, file has {actual}"),
        ));
    }
    if actual > expected {
        return Err(InputError::new(
            origin,
            format!(
                "{} bytes after the data: header says {expected} bytes, file has {actual}",
                actual - expected
            ),
        ));
    }
    Ok(())
}

fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

fn too_large(shape: &[usize]) -> String {
    format!("shape {shape:?} is too large")
}

/// Reorders the elements of a Fortran-order (column-major) array to C (row-major) order.
fn fortran_to_c(data: &[f32], shape: &[usize]) -> Vec<f32> {
    if shape.len() < 2 {
        return data.to_vec();
    }
    let mut strides = Vec::with_capacity(shape.len());
    let mut stride = 1;
    for &d in shape {
        strides.push(stride);
        stride *= d;
    }
    let mut index = vec![0usize; shape.len()];
    let mut offset = 0;
    let mut out = Vec::with_capacity(data.len());
    for _ in 0..data.len() {
        out.push(data[offset]);
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            offset += strides[axis];
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
            offset -= strides[axis] * shape[axis];
        }
    }
    out
}

/// A header problem: a message for `bad header: …`, or a finished error.
enum FieldError {
    Bad(String),
    Input(InputError),
}

/// The `descr`, `fortran_order` and `shape` entries of the header dict.
fn header_fields(dict: &Literal, origin: &str) -> Result<(Dtype, bool, Vec<usize>), FieldError> {
    let Literal::Dict(entries) = dict else {
        return Err(FieldError::Bad("expected a dict".into()));
    };
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| matches!(k, Literal::Str(s) if s == key))
            .map(|(_, v)| v)
            .ok_or_else(|| FieldError::Bad(format!("no `{key}` key")))
    };
    let dtype = descr_dtype(get("descr")?, origin)?;
    let fortran_order = match get("fortran_order")? {
        Literal::Bool(b) => *b,
        other => {
            return Err(FieldError::Bad(format!(
                "`fortran_order` is {}, expected True or False",
                other.describe()
            )));
        }
    };
    let shape = shape_dims(get("shape")?)?;
    Ok((dtype, fortran_order, shape))
}

fn descr_dtype(descr: &Literal, origin: &str) -> Result<Dtype, FieldError> {
    let expected = SUPPORTED_DESCRS.join(", ");
    match descr {
        Literal::Str(s) => Dtype::from_descr(s).ok_or_else(|| {
            FieldError::Input(InputError::new(
                origin,
                format!("unsupported dtype `{s}`: expected one of {expected}"),
            ))
        }),
        Literal::Seq(_) => Err(FieldError::Input(InputError::new(
            origin,
            format!("unsupported dtype: a structured (record) dtype; expected one of {expected}"),
        ))),
        other => Err(FieldError::Bad(format!(
            "`descr` is {}, expected a string",
            other.describe()
        ))),
    }
}

fn shape_dims(shape: &Literal) -> Result<Vec<usize>, FieldError> {
    let Literal::Seq(items) = shape else {
        return Err(FieldError::Bad(format!(
            "`shape` is {}, expected a tuple of integers",
            shape.describe()
        )));
    };
    items
        .iter()
        .map(|item| match item {
            Literal::Int(d) => usize::try_from(*d)
                .map_err(|_| FieldError::Bad(format!("shape dimension {d} is out of range"))),
            other => Err(FieldError::Bad(format!(
                "shape dimension is {}, expected an integer",
                other.describe()
            ))),
        })
        .collect()
}

/// `text` cut to [`QUOTE_LIMIT`] characters.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The Python literals a `.npy` header uses.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    /// A tuple or a list.
    Seq(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

impl Literal {
    fn describe(&self) -> String {
        match self {
            Literal::Str(s) => format!("the string '{s}'"),
            Literal::Int(i) => format!("the integer {i}"),
            Literal::Bool(b) => if *b { "True" } else { "False" }.into(),
            Literal::None => "None".into(),
            Literal::Seq(_) => "a tuple or list".into(),
            Literal::Dict(_) => "a dict".into(),
        }
    }
}

/// Parses `text` as one Python literal, surrounded by whitespace at most.
fn parse_literal(text: &str) -> Result<Literal, String> {
    let mut parser = LiteralParser {
        chars: text.chars().collect(),
        pos: 0,
        nesting: 0,
    };
    let value = parser.value()?;
    parser.skip_space();
    match parser.peek() {
        None => Ok(value),
        Some(c) => Err(format!("unexpected `{c}` after the dict")),
    }
}

/// A recursive-descent parser for the Python literals of [`Literal`].
struct LiteralParser {
    chars: Vec<char>,
    pos: usize,
    /// Brackets open at `pos`.
    nesting: usize,
}

impl LiteralParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Literal, String> {
        self.skip_space();
        match self.peek() {
            Some(quote @ ('\'' | '"')) => self.string(quote).map(Literal::Str),
            Some(open @ ('(' | '[' | '{')) => self.nested(open),
            Some(c) if c == '-' || c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            Some(c) => Err(format!("unexpected `{c}`")),
            None => Err("unexpected end".into()),
        }
    }

    /// A tuple, list or dict, opened by `open`.
    fn nested(&mut self, open: char) -> Result<Literal, String> {
        if self.nesting == MAX_NESTING {
            return Err(format!("brackets nested more than {MAX_NESTING} deep"));
        }
        self.nesting += 1;
        let value = match open {
            '(' => self.items(')').map(Literal::Seq),
            '[' => self.items(']').map(Literal::Seq),
            _ => self.dict().map(Literal::Dict),
        };
        self.nesting -= 1;
        value
    }

    fn string(&mut self, quote: char) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("unterminated string".into()),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or("unterminated string")?;
                    out.push(escaped);
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// An integer, with Python 2's `L` suffix accepted.
    fn int(&mut self) -> Result<Literal, String> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        if self.peek() == Some('L') {
            self.pos += 1;
        }
        digits
            .parse()
            .map(Literal::Int)
            .map_err(|_| format!("bad integer `{digits}`"))
    }

    fn word(&mut self) -> Result<Literal, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match word.as_str() {
            "True" => Ok(Literal::Bool(true)),
            "False" => Ok(Literal::Bool(false)),
            "None" => Ok(Literal::None),
            _ => Err(format!("unexpected `{word}`")),
        }
    }

    /// Comma-separated values up to `close`, a trailing comma allowed.
    fn items(&mut self, close: char) -> Result<Vec<Literal>, String> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            self.separator(close)?;
        }
    }

    fn dict(&mut self) -> Result<Vec<(Literal, Literal)>, String> {
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(entries);
            }
            let key = self.value()?;
            self.skip_space();
            if self.peek() != Some(':') {
                return Err("expected `:` after a dict key".into());
            }
            self.pos += 1;
            let value = self.value()?;
            entries.push((key, value));
            self.separator('}')?;
        }
    }

    /// After an item: a comma (consumed) or the closing bracket (left for the caller).
    fn separator(&mut self, close: char) -> Result<(), String> {
        self.skip_space();
        match self.peek() {
            Some(',') => {
                self.pos += 1;
                Ok(())
            }
            Some(c) if c == close => Ok(()),
            Some(c) => Err(format!("expected `,` or `{close}`, found `{c}`")),
            None => Err(format!("expected `,` or `{close}`, found the end")),
        }
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
        // 1-d and 0-d Fortran arrays are unchanged.
        let bytes = npy(1, &dict("|u1", true, "(3,)"), &[7, 8, 9]);
        assert_eq!(parse_npy(&bytes, "t.npy").unwrap().data, [7.0, 8.0, 9.0]);
    }

    #[test]
    fn versions_two_and_three() {
        let data = concat(&[1.0f32, 2.0].map(f32::to_le_bytes));
        for version in [2, 3] {
            let bytes = npy(version, &dict("<f4", false, "(1, 2)"), &data);
            let (header, start) = parse_header(&bytes, "t.npy").unwrap();
            assert_eq!(header.version, (version, 0));
            assert_eq!(start % 64, 0);
            assert_eq!(parse_npy(&bytes, "t.npy").unwrap().data, [1.0, 2.0]);
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
        let python2 = "{'descr': '|u1', 'fortran_order': False, 'shape': (1L, 2L), }";
        assert_eq!(
            parse_npy(&npy(1, python2, &data), "t.npy").unwrap().shape,
            [1, 2]
        );
        let reordered = "{'shape': [2], 'fortran_order': False, 'descr': '|u1'}";
        assert_eq!(
            parse_npy(&npy(1, reordered, &data), "t.npy").unwrap().shape,
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
        let bytes = npy(1, &dict("<f8", false, "(4611686018427387904, 4)"), &[]);
        assert_eq!(
            error(&bytes),
            "t.npy: shape [4611686018427387904, 4] is too large"
        );
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
    }

    #[test]
    fn unsupported_dtypes() {
        let bytes = npy(1, &dict("<c8", false, "(1,)"), &[0; 8]);
        assert_eq!(
            error(&bytes),
            "t.npy: unsupported dtype `<c8`: expected one of <f2, >f2, <f4, >f4, <f8, >f8, |i1, |u1, <i2, >i2, <i4, >i4, <i8, >i8"
        );
        let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}";
        assert!(error(&npy(1, structured, &[0; 4])).starts_with(
            "t.npy: unsupported dtype: a structured (record) dtype; expected one of <f2"
        ));
    }

    #[test]
    fn bad_headers() {
        let cases = [
            (
                "{'descr': '<f4', 'shape': (1,)}",
                "t.npy: bad header: no `fortran_order` key in `{'descr': '<f4', 'shape': (1,)}`",
            ),
            (
                "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
                "t.npy: bad header: `fortran_order` is the integer 0, expected True or False in `{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}`",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                "t.npy: bad header: shape dimension -1 is out of range in `{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}`",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': 3}",
                "t.npy: bad header: `shape` is the integer 3, expected a tuple of integers in `{'descr': '<f4', 'fortran_order': False, 'shape': 3}`",
            ),
            (
                "{'descr': '<f4' 'fortran_order': False}",
                "t.npy: bad header: expected `,` or `}`, found `'` in `{'descr': '<f4' 'fortran_order': False}`",
            ),
            (
                "{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}",
                "t.npy: bad header: unexpected `Maybe` in `{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}`",
            ),
            ("[1, 2]", "t.npy: bad header: expected a dict in `[1, 2]`"),
            (
                "{'descr': '<f4'} x",
                "t.npy: bad header: unexpected `x` after the dict in `{'descr': '<f4'} x`",
            ),
            (
                "{'descr",
                "t.npy: bad header: unterminated string in `{'descr`",
            ),
            ("", "t.npy: bad header: unexpected end in ``"),
        ];
        for (header, expected) in cases {
            assert_eq!(error(&npy(1, header, &[])), expected, "header {header}");
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
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn bad_utf8_in_a_version_3_header() {
        let bytes = npy(3, "{'descr': '<f4'}", &[]);
        let mut bytes = bytes;
        bytes[13] = 0xff;
        assert!(error(&bytes).starts_with("t.npy: bad header: not UTF-8: "));
    }

    #[test]
    fn decode_ignores_alignment() {
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&2.5f32.to_le_bytes());
        bytes.extend_from_slice(&(-1.0f32).to_le_bytes());
        assert_eq!(decode(&bytes[1..], Dtype::little(Scalar::F32)), [2.5, -1.0]);
        let bf16 = concat(&[0x3f80u16, 0xc040].map(u16::to_le_bytes));
        assert_eq!(decode(&bf16, Dtype::little(Scalar::BF16)), [1.0, -3.0]);
    }
}
