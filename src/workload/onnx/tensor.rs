//! Constant tensors of an ONNX graph: initializers and `Constant` attributes decoded from
//! their protobuf fields into floats or integers.
//!
//! ONNX stores a tensor's elements either packed little-endian in `raw_data` or in the typed
//! repeated field of its element type (`float_data`, `int32_data` — which also carries 8- and
//! 16-bit integers, booleans and the bit patterns of float16/bfloat16 —, `int64_data`,
//! `double_data`, `uint64_data`). Both forms are read; every float type becomes `f32`, every
//! integer type `i64`.

use half::{bf16, f16};
use onnx_protobuf::TensorProto;
use onnx_protobuf::tensor_proto::{DataLocation, DataType};
use protobuf::Enum;

/// Most elements a constant may hold (1 GiB of `f32`): bounds what a header can make
/// sparsim allocate.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// The elements of a constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Any float type, converted to `f32`.
    Float(Vec<f32>),
    /// Any integer or boolean type, converted to `i64`.
    Int(Vec<i64>),
}

/// A constant tensor, C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct Const {
    /// Shape, outermost first; empty for a scalar.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` elements.
    pub data: Data,
}

impl Const {
    /// A float tensor.
    pub fn float(shape: Vec<usize>, values: Vec<f32>) -> Const {
        debug_assert_eq!(shape.iter().product::<usize>(), values.len());
        Const {
            shape,
            data: Data::Float(values),
        }
    }

    /// An integer tensor.
    pub fn int(shape: Vec<usize>, values: Vec<i64>) -> Const {
        debug_assert_eq!(shape.iter().product::<usize>(), values.len());
        Const {
            shape,
            data: Data::Int(values),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::Float(v) => v.len(),
            Data::Int(v) => v.len(),
        }
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as `f32`.
    pub fn floats(&self) -> Vec<f32> {
        match &self.data {
            Data::Float(v) => v.clone(),
            Data::Int(v) => v.iter().map(|x| *x as f32).collect(),
        }
    }

    /// The elements as `i64` (floats truncated toward zero, as ONNX `Cast` does).
    pub fn ints(&self) -> Vec<i64> {
        match &self.data {
            Data::Float(v) => v.iter().map(|x| *x as i64).collect(),
            Data::Int(v) => v.clone(),
        }
    }

    /// The shape as `u64` dimensions.
    pub fn dims(&self) -> Vec<u64> {
        self.shape.iter().map(|d| *d as u64).collect()
    }
}

/// The element count of `shape`, if it is at most [`MAX_ELEMENTS`].
pub fn element_count(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(*d))
        .filter(|n| *n <= MAX_ELEMENTS)
}

/// Decodes a tensor; the error says what is wrong without naming the tensor.
pub fn decode(t: &TensorProto) -> Result<Const, String> {
    if t.data_location.enum_value() == Ok(DataLocation::EXTERNAL) || !t.external_data.is_empty() {
        let file = t
            .external_data
            .iter()
            .find(|e| e.key == "location")
            .map_or(String::new(), |e| format!(" (`{}`)", e.value));
        return Err(format!(
            "its data is stored in an external file{file}: sparsim reads self-contained models (save with onnx.save(model, path, save_as_external_data=False), below 2 GB)"
        ));
    }
    let mut shape = Vec::with_capacity(t.dims.len());
    for d in &t.dims {
        let d = usize::try_from(*d).map_err(|_| format!("has a negative dimension {d}"))?;
        shape.push(d);
    }
    let n = element_count(&shape).ok_or_else(|| {
        format!("shape {shape:?} has more than {MAX_ELEMENTS} elements: too large to read")
    })?;
    let kind = DataType::from_i32(t.data_type);
    let raw = &t.raw_data;
    let from_raw = !raw.is_empty();
    let check = |found: usize| -> Result<(), String> {
        if found == n {
            Ok(())
        } else {
            Err(format!(
                "holds {found} values for shape {shape:?} ({n} elements)"
            ))
        }
    };
    let raw_elems = |size: usize| -> Result<std::slice::ChunksExact<'_, u8>, String> {
        if !raw.len().is_multiple_of(size) {
            return Err(format!(
                "has {} bytes of raw data, not a whole number of {size}-byte elements",
                raw.len()
            ));
        }
        check(raw.len() / size)?;
        Ok(raw.chunks_exact(size))
    };
    let small_ints =
        |convert: fn(i32) -> i64, size: usize, from: fn(&[u8]) -> i64| -> Result<Data, String> {
            if from_raw {
                Ok(Data::Int(raw_elems(size)?.map(from).collect()))
            } else {
                check(t.int32_data.len())?;
                Ok(Data::Int(
                    t.int32_data.iter().map(|x| convert(*x)).collect(),
                ))
            }
        };
    let data = match kind {
        Some(DataType::FLOAT) => {
            if from_raw {
                Data::Float(
                    raw_elems(4)?
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect(),
                )
            } else {
                check(t.float_data.len())?;
                Data::Float(t.float_data.clone())
            }
        }
        Some(DataType::DOUBLE) => {
            if from_raw {
                Data::Float(
                    raw_elems(8)?
                        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")) as f32)
                        .collect(),
                )
            } else {
                check(t.double_data.len())?;
                Data::Float(t.double_data.iter().map(|x| *x as f32).collect())
            }
        }
        Some(DataType::FLOAT16 | DataType::BFLOAT16) => {
            let half = kind == Some(DataType::FLOAT16);
            let convert = |bits: u16| {
                if half {
                    f16::from_bits(bits).to_f32()
                } else {
                    bf16::from_bits(bits).to_f32()
                }
            };
            if from_raw {
                Data::Float(
                    raw_elems(2)?
                        .map(|b| convert(u16::from_le_bytes([b[0], b[1]])))
                        .collect(),
                )
            } else {
                check(t.int32_data.len())?;
                Data::Float(t.int32_data.iter().map(|x| convert(*x as u16)).collect())
            }
        }
        Some(DataType::INT8) => small_ints(|x| i64::from(x as i8), 1, |b| i64::from(b[0] as i8))?,
        Some(DataType::UINT8 | DataType::BOOL) => {
            small_ints(|x| i64::from(x as u8), 1, |b| i64::from(b[0]))?
        }
        Some(DataType::INT16) => small_ints(
            |x| i64::from(x as i16),
            2,
            |b| i64::from(i16::from_le_bytes([b[0], b[1]])),
        )?,
        Some(DataType::UINT16) => small_ints(
            |x| i64::from(x as u16),
            2,
            |b| i64::from(u16::from_le_bytes([b[0], b[1]])),
        )?,
        Some(DataType::INT32) => small_ints(i64::from, 4, |b| {
            i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })?,
        Some(DataType::INT64) => {
            if from_raw {
                Data::Int(
                    raw_elems(8)?
                        .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                        .collect(),
                )
            } else {
                check(t.int64_data.len())?;
                Data::Int(t.int64_data.clone())
            }
        }
        Some(DataType::UINT32 | DataType::UINT64) => {
            let size = if kind == Some(DataType::UINT32) { 4 } else { 8 };
            if from_raw {
                Data::Int(
                    raw_elems(size)?
                        .map(|b| {
                            let mut w = [0u8; 8];
                            w[..size].copy_from_slice(b);
                            u64::from_le_bytes(w) as i64
                        })
                        .collect(),
                )
            } else {
                check(t.uint64_data.len())?;
                Data::Int(t.uint64_data.iter().map(|x| *x as i64).collect())
            }
        }
        other => {
            let name = other.map_or_else(|| format!("code {}", t.data_type), |d| format!("{d:?}"));
            return Err(format!(
                "has element type {name}: sparsim reads FLOAT, FLOAT16, BFLOAT16, DOUBLE and integer or boolean tensors"
            ));
        }
    };
    Ok(Const { shape, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto(kind: DataType, dims: &[i64]) -> TensorProto {
        let mut t = TensorProto::new();
        t.data_type = kind.value();
        t.dims = dims.to_vec();
        t
    }

    #[test]
    fn raw_and_typed_floats_agree() {
        let mut raw = proto(DataType::FLOAT, &[2, 2]);
        raw.raw_data = [1.0f32, -2.5, 0.0, 8.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let mut typed = proto(DataType::FLOAT, &[2, 2]);
        typed.float_data = vec![1.0, -2.5, 0.0, 8.0];
        assert_eq!(decode(&raw).unwrap(), decode(&typed).unwrap());
        assert_eq!(decode(&raw).unwrap().shape, [2, 2]);
    }

    #[test]
    fn half_floats_and_int8_convert() {
        // 0x3C00 is 1.0 in float16; 0x3F80 is 1.0 in bfloat16; 0xC000 is −2.0 in float16.
        let mut h = proto(DataType::FLOAT16, &[2]);
        h.raw_data = vec![0x00, 0x3C, 0x00, 0xC0];
        assert_eq!(decode(&h).unwrap().data, Data::Float(vec![1.0, -2.0]));
        let mut b = proto(DataType::BFLOAT16, &[1]);
        b.int32_data = vec![0x3F80];
        assert_eq!(decode(&b).unwrap().data, Data::Float(vec![1.0]));
        let mut i = proto(DataType::INT8, &[3]);
        i.raw_data = vec![0xFF, 0x7F, 0x80];
        assert_eq!(decode(&i).unwrap().data, Data::Int(vec![-1, 127, -128]));
    }

    #[test]
    fn bad_tensors_say_what_is_wrong() {
        let mut short = proto(DataType::FLOAT, &[3]);
        short.float_data = vec![1.0];
        assert_eq!(
            decode(&short).unwrap_err(),
            "holds 1 values for shape [3] (3 elements)"
        );
        let huge = proto(DataType::FLOAT, &[1 << 20, 1 << 20]);
        assert!(decode(&huge).unwrap_err().contains("too large to read"));
        let neg = proto(DataType::FLOAT, &[-1]);
        assert_eq!(decode(&neg).unwrap_err(), "has a negative dimension -1");
        let s = proto(DataType::STRING, &[1]);
        assert!(
            decode(&s)
                .unwrap_err()
                .starts_with("has element type STRING")
        );
        let mut odd = proto(DataType::FLOAT, &[1]);
        odd.raw_data = vec![0; 5];
        assert_eq!(
            decode(&odd).unwrap_err(),
            "has 5 bytes of raw data, not a whole number of 4-byte elements"
        );
    }
}
