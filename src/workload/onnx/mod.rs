//! ONNX models in: the graph's MAC layers as a [`Network`] and their weights as tensors
//! (`docs/workloads.md` describes the import for users).
//!
//! The model is decoded with the `onnx-protobuf` crate (the ONNX protobuf schema, generated).
//! Nodes are visited in graph order (ONNX requires topological order), following shapes from
//! the graph inputs and initializers:
//! - `Conv`, `Gemm`, `MatMul` with a constant operand, `LSTM`, `GRU`, `RNN` become layers
//!   ([`lower`]), their weights tensors named `<layer>.weight` (recurrent:
//!   `<layer>.weight_ih_l0`, `<layer>.weight_hh_l0`) in PyTorch's orientation;
//! - a `MatMul`/`Gemm` of two activations (attention scores) is reported with its MACs and
//!   left out: it has no weights to prune or pack;
//! - nodes whose inputs are all constants are folded when sparsim evaluates their operator
//!   (`Constant`, `ConstantOfShape`, `Shape`, `Reshape`, `Transpose`, `DequantizeLinear`, …),
//!   so weights made by such subgraphs are bound like initializers;
//! - every other node (pooling, activations, normalization, element-wise, `Concat`,
//!   `Reshape`, …) is skipped and reported, its output shapes inferred where sparsim follows
//!   the operator ([`infer`]);
//! - operators with MACs that are not lowered (`ConvTranspose`, `Einsum`, integer or fused
//!   runtime operators) are an error naming the node.
//!
//! Layer names: the weight initializer's name without `.weight` when it has one (PyTorch's
//! module path, e.g. `layer1.0.conv1`), else the node's name as a dotted path
//! (`/encoder/layer.0/attention/self/query/MatMul` → `encoder.layer.0.attention.self.query`),
//! else `<op><index>`; repeats get `_2`, `_3`, …. Leading components every layer name shares
//! (a wrapper's path, e.g. `model.0.auto_model.`) are dropped.

mod infer;
mod lower;
mod node;
pub mod tensor;

use crate::error::InputError;
use crate::weights::WeightSpread;
use crate::weights::files::NamedTensor;
use crate::workload::Network;
use node::{Node, Value};
use onnx_protobuf::tensor_shape_proto::dimension::Value as DimValue;
use onnx_protobuf::type_proto::Value as TypeValue;
use onnx_protobuf::{Message, ModelProto, ValueInfoProto};
use std::collections::{HashMap, HashSet};

/// Sizes the user gives for the model's free dimensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnnxOptions {
    /// The batch: the first dimension of every graph input (`--batch`); `None` keeps the
    /// model's, or 1 where the model leaves it symbolic.
    pub batch: Option<u64>,
    /// Sizes of named symbolic dimensions (`--dim sequence=128`).
    pub dims: Vec<(String, u64)>,
}

/// What became of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Lowered to these layers, with their MACs.
    Lowered {
        /// Layer names.
        layers: Vec<String>,
        /// MACs of those layers.
        macs: u64,
    },
    /// Evaluated at import: its output is a constant (weights or shape arithmetic).
    Folded,
    /// A product of two activations: its MACs are left out (no weights to prune or pack).
    ActivationProduct {
        /// The MACs left out.
        macs: u64,
    },
    /// No MACs on the array (pooling, activation, normalization, element-wise, reshaping).
    Skipped {
        /// Whether sparsim followed its output shapes.
        shapes: bool,
    },
}

/// One node of the model and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReport {
    /// The node's name, or `#<index>` when it has none.
    pub name: String,
    /// Its operator (`Conv`, …), with the domain for non-standard ones.
    pub op: String,
    /// What the import did with it.
    pub outcome: Outcome,
}

/// An imported model.
#[derive(Debug, Clone)]
pub struct OnnxImport {
    /// The MAC layers in graph order.
    pub network: Network,
    /// Every layer's weight tensors, named after the layer (see the module doc).
    pub tensors: Vec<NamedTensor>,
    /// Every node, in graph order.
    pub nodes: Vec<NodeReport>,
    /// What the import decided on the user's behalf (batch, free dimensions) and facts about
    /// the model (opset, producer).
    pub notes: Vec<String>,
}

/// Unique layer names.
#[derive(Default)]
struct Names {
    used: HashSet<String>,
}

impl Names {
    fn unique(&mut self, want: &str) -> String {
        let mut name = want.to_string();
        let mut i = 2;
        while self.used.contains(&name) {
            name = format!("{want}_{i}");
            i += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

/// Imports an ONNX model from its bytes. `origin` names it in errors; `name` is the
/// network's name when the model's graph has none.
pub fn import_onnx(
    bytes: &[u8],
    origin: &str,
    name: &str,
    opts: &OnnxOptions,
) -> Result<OnnxImport, InputError> {
    let err = |m: String| InputError::new(origin, m);
    let model = ModelProto::parse_from_bytes(bytes)
        .map_err(|e| err(format!("not an ONNX model (protobuf): {e}")))?;
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| err("the model has no graph".into()))?;
    let mut notes = Vec::new();
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version);
    notes.push(format!(
        "ONNX IR version {}, opset {}, produced by {}",
        model.ir_version,
        opset.map_or("not stated".into(), |v| v.to_string()),
        if model.producer_name.is_empty() {
            "an unnamed tool".to_string()
        } else {
            format!("{} {}", model.producer_name, model.producer_version)
                .trim_end()
                .to_string()
        }
    ));

    let mut values: HashMap<String, Value> = HashMap::new();
    let mut source: HashMap<String, String> = HashMap::new();
    for t in &graph.initializer {
        let c = tensor::decode(t).map_err(|e| err(format!("initializer `{}` {e}", t.name)))?;
        values.insert(t.name.clone(), Value::constant(c));
    }
    // Constant-valued graph inputs shadowed by initializers are defaults: the initializer wins.
    let dims = Dims::new(
        opts,
        graph.input.iter().filter(|i| !values.contains_key(&i.name)),
    );
    let mut used_dims = HashSet::new();
    for input in &graph.input {
        if values.contains_key(&input.name) {
            continue;
        }
        let shape = dims
            .input_shape(input, &mut used_dims, &mut notes)
            .map_err(|m| err(m).with_key(format!("input `{}`", input.name)))?;
        values.insert(input.name.clone(), Value { shape, konst: None });
    }
    for (d, _) in &opts.dims {
        if !used_dims.contains(d) {
            let have = dims.symbolic.join(", ");
            return Err(err(format!(
                "--dim {d}: the model's inputs have no symbolic dimension `{d}` (they have: {})",
                if have.is_empty() { "none" } else { &have }
            )));
        }
    }
    let hints: HashMap<&str, &ValueInfoProto> = graph
        .value_info
        .iter()
        .chain(&graph.output)
        .map(|v| (v.name.as_str(), v))
        .collect();

    let mut names = Names::default();
    let mut layers = Vec::new();
    let mut tensors = Vec::new();
    let mut nodes = Vec::with_capacity(graph.node.len());
    // Where each unknown shape was lost: the node that did not follow its operator.
    let mut lost: HashMap<String, String> = HashMap::new();
    for (index, proto) in graph.node.iter().enumerate() {
        let op = proto.op_type.as_str();
        let label = if proto.name.is_empty() {
            format!("#{index}")
        } else {
            proto.name.clone()
        };
        let node_key = format!("node `{label}` ({op})");
        let standard = proto.domain.is_empty() || proto.domain == "ai.onnx";
        let node = Node {
            proto,
            inputs: proto
                .input
                .iter()
                .map(|n| {
                    if n.is_empty() {
                        None
                    } else {
                        values.get(n).cloned()
                    }
                })
                .collect(),
        };
        if let Some(why) = lower::unsupported(op) {
            return Err(err(format!("`{op}` carries MACs: {why}")).with_key(node_key));
        }
        let (outputs, outcome) = if standard && lower::MAC_OPS.contains(&op) {
            let base = base_name(proto, index, &node, &source);
            let mut unique = |w: &str| names.unique(w);
            match lower::lower(&node, &base, &mut unique) {
                Err(m) => {
                    let note = lost_at(&node, &lost).map_or(String::new(), |at| {
                        format!(" (sparsim does not follow the shapes of {at})")
                    });
                    let m = format!("{m}{note}");
                    return Err(err(m).with_key(node_key));
                }
                Ok(lower::MacNode::Skipped { outputs, macs }) => {
                    (outputs, Outcome::ActivationProduct { macs })
                }
                Ok(lower::MacNode::Lowered {
                    layers: made,
                    outputs,
                }) => {
                    let mut macs = 0u64;
                    let mut made_names = Vec::new();
                    for (layer, ts) in made {
                        macs = macs.saturating_add(layer.macs());
                        made_names.push(layer.name.clone());
                        layers.push(layer);
                        tensors.extend(ts);
                    }
                    (
                        outputs,
                        Outcome::Lowered {
                            layers: made_names,
                            macs,
                        },
                    )
                }
            }
        } else if standard {
            match infer::infer(&node).map_err(|m| err(m).with_key(node_key.clone()))? {
                Some(outs) => {
                    let folded = outs.iter().all(|v| v.konst.is_some());
                    if folded && let Some(first) = proto.input.first() {
                        let root = source.get(first).cloned().unwrap_or_else(|| first.clone());
                        for o in &proto.output {
                            source.insert(o.clone(), root.clone());
                        }
                    }
                    let outcome = if folded {
                        Outcome::Folded
                    } else {
                        Outcome::Skipped { shapes: true }
                    };
                    (outs, outcome)
                }
                None => (Vec::new(), Outcome::Skipped { shapes: false }),
            }
        } else {
            (Vec::new(), Outcome::Skipped { shapes: false })
        };
        for (i, out) in proto.output.iter().enumerate() {
            if out.is_empty() {
                continue;
            }
            let mut v = outputs.get(i).cloned().unwrap_or_default();
            if v.shape.is_none() {
                v.shape = hints.get(out.as_str()).and_then(|h| dims.hint_shape(h));
            }
            if v.shape.is_none() {
                let at = lost_at(&node, &lost).unwrap_or_else(|| node_key.clone());
                lost.insert(out.clone(), at);
            }
            values.insert(out.clone(), v);
        }
        nodes.push(NodeReport {
            name: label,
            op: if standard {
                op.to_string()
            } else {
                format!("{}:{op}", proto.domain)
            },
            outcome,
        });
    }
    if layers.is_empty() {
        return Err(err(
            "found no Conv, Gemm, MatMul with a constant operand, LSTM, GRU or RNN node: nothing to simulate"
                .into(),
        ));
    }
    strip_common_prefix(&mut layers, &mut tensors, &mut nodes);
    let network = Network {
        name: if graph.name.is_empty() || graph.name == "main_graph" || graph.name == "torch_jit" {
            name.to_string()
        } else {
            graph.name.clone()
        },
        layers,
        weight_spread: WeightSpread::default(),
    };
    Ok(OnnxImport {
        network,
        tensors,
        nodes,
        notes,
    })
}

/// Drops the dotted components every layer name starts with (a wrapper's path such as
/// `model.0.auto_model.`), from the layers, their tensors and the node reports.
fn strip_common_prefix(
    layers: &mut [crate::workload::Layer],
    tensors: &mut [NamedTensor],
    nodes: &mut [NodeReport],
) {
    let split: Vec<Vec<&str>> = layers.iter().map(|l| l.name.split('.').collect()).collect();
    let Some(first) = split.first() else {
        return;
    };
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    // Keep at least one component of every name.
    let mut keep = 0;
    while keep + 1 < shortest && split.iter().all(|p| p[keep] == first[keep]) {
        keep += 1;
    }
    // `layer.0.…`, not `0.…`: a numbered block keeps the name of its container.
    if keep > 0
        && split
            .iter()
            .any(|p| p[keep].chars().all(|c| c.is_ascii_digit()))
    {
        keep -= 1;
    }
    if keep == 0 || layers.len() < 2 {
        return;
    }
    let prefix = format!("{}.", first[..keep].join("."));
    let cut = |s: &mut String| {
        if let Some(rest) = s.strip_prefix(&prefix) {
            *s = rest.to_string();
        }
    };
    for l in layers.iter_mut() {
        cut(&mut l.name);
    }
    for t in tensors.iter_mut() {
        cut(&mut t.name);
    }
    for n in nodes.iter_mut() {
        if let Outcome::Lowered { layers, .. } = &mut n.outcome {
            layers.iter_mut().for_each(cut);
        }
    }
}

/// The node that lost the shape of `node`'s first input of unknown shape, if any.
fn lost_at(node: &Node, lost: &HashMap<String, String>) -> Option<String> {
    (0..node.proto.input.len())
        .filter(|i| node.has_input(*i) && node.shape(*i).is_none())
        .find_map(|i| lost.get(&node.proto.input[i]).cloned())
}

/// The layer name a MAC node asks for (see the module doc).
fn base_name(
    proto: &onnx_protobuf::NodeProto,
    index: usize,
    node: &Node,
    source: &HashMap<String, String>,
) -> String {
    let op = proto.op_type.as_str();
    let weight_input = match op {
        "Gemm" | "MatMul" if node.konst(1).is_none() => 0,
        _ => 1,
    };
    if let Some(w) = proto.input.get(weight_input) {
        let root = source.get(w).unwrap_or(w);
        if let Some(stem) = root.strip_suffix(".weight")
            && !stem.is_empty()
            && !root.starts_with("onnx::")
        {
            return stem.to_string();
        }
    }
    let mut parts: Vec<&str> = proto
        .name
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(last) = parts.last() {
        let numbered = last.strip_prefix(op).is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('_')
                    .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
        });
        if numbered && parts.len() > 1 {
            parts.pop();
        }
    }
    if parts.is_empty() {
        format!("{}{index}", op.to_ascii_lowercase())
    } else {
        parts.join(".")
    }
}

/// The sizes of the graph inputs' dimensions.
struct Dims<'a> {
    opts: &'a OnnxOptions,
    /// Every symbolic dimension name of the graph inputs, in order of appearance.
    symbolic: Vec<String>,
}

impl<'a> Dims<'a> {
    fn new<'b>(
        opts: &'a OnnxOptions,
        inputs: impl Iterator<Item = &'b ValueInfoProto>,
    ) -> Dims<'a> {
        let mut symbolic = Vec::new();
        for i in inputs {
            for d in tensor_dims(i).unwrap_or_default() {
                if let Some(DimValue::DimParam(p)) = &d.value
                    && !symbolic.contains(p)
                {
                    symbolic.push(p.clone());
                }
            }
        }
        Dims { opts, symbolic }
    }

    fn given(&self, name: &str) -> Option<u64> {
        self.opts
            .dims
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// The shape of a graph input (`None` for a non-tensor input); an error for a free
    /// dimension the user must size.
    fn input_shape(
        &self,
        input: &ValueInfoProto,
        used: &mut HashSet<String>,
        notes: &mut Vec<String>,
    ) -> Result<Option<Vec<u64>>, String> {
        let Some(dims) = tensor_dims(input) else {
            return Ok(None);
        };
        let mut shape = Vec::with_capacity(dims.len());
        for (p, d) in dims.iter().enumerate() {
            let param = match &d.value {
                Some(DimValue::DimParam(s)) if !s.is_empty() => Some(s.as_str()),
                _ => None,
            };
            if let Some(s) = param
                && let Some(v) = self.given(s)
            {
                used.insert(s.to_string());
                shape.push(v);
                continue;
            }
            let fixed = match &d.value {
                Some(DimValue::DimValue(v)) if *v > 0 => Some(*v as u64),
                _ => None,
            };
            if p == 0 {
                match (self.opts.batch, fixed) {
                    (Some(b), _) => shape.push(b),
                    (None, Some(v)) => shape.push(v),
                    (None, None) => {
                        notes.push(format!(
                            "input `{}`: its first dimension{} has no size; batch 1 is used (set it with --batch)",
                            input.name,
                            param.map_or(String::new(), |s| format!(" `{s}`"))
                        ));
                        shape.push(1);
                    }
                }
                continue;
            }
            match fixed {
                Some(v) => shape.push(v),
                None => {
                    let what = param.map_or_else(
                        || format!("dimension {p} has no size"),
                        |s| format!("dimension {p} is the symbolic `{s}`"),
                    );
                    let flag = param.unwrap_or("NAME");
                    return Err(format!("{what}: give its size with --dim {flag}=N"));
                }
            }
        }
        Ok(Some(shape))
    }

    /// A shape the model states for an intermediate value, if every dimension is known.
    fn hint_shape(&self, v: &ValueInfoProto) -> Option<Vec<u64>> {
        tensor_dims(v)?
            .iter()
            .map(|d| match &d.value {
                Some(DimValue::DimValue(x)) if *x >= 0 => Some(*x as u64),
                Some(DimValue::DimParam(s)) => self.given(s),
                _ => None,
            })
            .collect()
    }
}

fn tensor_dims(v: &ValueInfoProto) -> Option<Vec<onnx_protobuf::tensor_shape_proto::Dimension>> {
    match &v.type_.as_ref()?.value {
        Some(TypeValue::TensorType(t)) => Some(t.shape.as_ref()?.dim.clone()),
        _ => None,
    }
}
