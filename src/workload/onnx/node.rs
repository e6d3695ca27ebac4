//! One ONNX node as the importer sees it: its attributes, read with defaults, and the values
//! (shape and, for constants, contents) of its inputs.

use super::tensor::Const;
use onnx_protobuf::{AttributeProto, NodeProto, TensorProto};
use std::rc::Rc;

/// What the importer knows about a value of the graph.
#[derive(Debug, Clone, Default)]
pub struct Value {
    /// Its shape, when inference could follow it.
    pub shape: Option<Vec<u64>>,
    /// Its contents, when it is a constant (an initializer or folded from constants).
    pub konst: Option<Rc<Const>>,
}

impl Value {
    /// A value of known shape and unknown contents.
    pub fn shaped(shape: Vec<u64>) -> Value {
        Value {
            shape: Some(shape),
            konst: None,
        }
    }

    /// A constant.
    pub fn constant(c: Const) -> Value {
        Value {
            shape: Some(c.dims()),
            konst: Some(Rc::new(c)),
        }
    }
}

/// A node and its input values (`None` for an omitted optional input or a value whose
/// shape was lost).
pub struct Node<'a> {
    /// The protobuf node.
    pub proto: &'a NodeProto,
    /// Input values, one per input name.
    pub inputs: Vec<Option<Value>>,
}

impl Node<'_> {
    /// The operator (`Conv`, `MatMul`, …).
    pub fn op(&self) -> &str {
        &self.proto.op_type
    }

    fn attr(&self, name: &str) -> Option<&AttributeProto> {
        self.proto.attribute.iter().find(|a| a.name == name)
    }

    /// An integer attribute, or `default`.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.attr(name).map_or(default, |a| a.i)
    }

    /// An integer-list attribute, if present.
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.attr(name).map(|a| a.ints.clone())
    }

    /// A string attribute, if present.
    pub fn string(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(|a| String::from_utf8_lossy(&a.s).into_owned())
    }

    /// A tensor attribute, if present.
    pub fn tensor(&self, name: &str) -> Option<&TensorProto> {
        self.attr(name).and_then(|a| a.t.as_ref())
    }

    /// Whether input `i` is given.
    pub fn has_input(&self, i: usize) -> bool {
        self.proto.input.get(i).is_some_and(|n| !n.is_empty())
    }

    /// The shape of input `i`, if known.
    pub fn shape(&self, i: usize) -> Option<Vec<u64>> {
        self.inputs.get(i)?.as_ref()?.shape.clone()
    }

    /// The contents of input `i`, if it is a constant.
    pub fn konst(&self, i: usize) -> Option<Rc<Const>> {
        self.inputs.get(i)?.as_ref()?.konst.clone()
    }

    /// Whether every given input is a constant (and there is at least one).
    pub fn all_constant(&self) -> bool {
        let given: Vec<usize> = (0..self.proto.input.len())
            .filter(|i| self.has_input(*i))
            .collect();
        !given.is_empty() && given.iter().all(|i| self.konst(*i).is_some())
    }
}

/// `axis` (negative counts from the end) as an index into `rank` dimensions.
pub fn axis(axis: i64, rank: usize) -> Result<usize, String> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(format!(
            "axis {axis} is out of range for a tensor of rank {rank}"
        ))
    }
}
