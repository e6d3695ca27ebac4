//! Nodes with MACs → sparsim layers and their weight tensors in PyTorch's orientation:
//! `Conv` (1-D and 2-D, strides, pads, dilations, groups, `auto_pad`), `ConvTranspose`
//! (ungrouped, as a GEMM whose overlapping outputs are summed outside the array), `Gemm` and
//! `MatMul` with one constant operand, and `LSTM`, `GRU`, `RNN` (one layer per direction).

use super::infer::{broadcast, checked_product, transpose};
use super::node::{Node, Value};
use super::tensor::Const;
use crate::weights::files::NamedTensor;
use crate::workload::{Cell, Conv2d, ConvSpec, Gemm, Layer, LayerOp, OutputRule, Recurrent};

/// Operators that carry MACs.
pub const MAC_OPS: &[&str] = &[
    "Conv",
    "ConvTranspose",
    "Gemm",
    "MatMul",
    "LSTM",
    "GRU",
    "RNN",
];

/// Operators that carry MACs sparsim does not lower, with what to do instead.
pub fn unsupported(op: &str) -> Option<&'static str> {
    Some(match op {
        "Einsum" => {
            "Einsum is not lowered: export the model with the contraction written as MatMul (e.g. torch.matmul instead of torch.einsum)"
        }
        "ConvInteger"
        | "MatMulInteger"
        | "QLinearConv"
        | "QLinearMatMul"
        | "QGemm"
        | "DynamicQuantizeMatMul"
        | "MatMulNBits" => {
            "integer (quantized) operators are not lowered: export the float model, or a QDQ model whose weights go through DequantizeLinear"
        }
        "Attention" | "MultiHeadAttention" | "FusedMatMul" | "FusedConv" | "FusedGemm" => {
            "fused runtime operators are not lowered: export the model without graph optimizations (onnxruntime's optimized models use them)"
        }
        "DeformConv" | "ConvTransposeWithDynamicPads" | "Conv3D" => {
            "this convolution variant is not lowered"
        }
        _ => return None,
    })
}

/// A MAC node, lowered or skipped.
pub enum MacNode {
    /// Layers (each with its weight tensors) and the node's output values.
    Lowered {
        /// The layers, in order.
        layers: Vec<(Layer, Vec<NamedTensor>)>,
        /// Output values.
        outputs: Vec<Value>,
    },
    /// A product of two activations: no weights to prune or pack, left out.
    Skipped {
        /// Output values.
        outputs: Vec<Value>,
        /// The MACs left out.
        macs: u64,
    },
}

fn need_shape(node: &Node, i: usize) -> Result<Vec<u64>, String> {
    node.shape(i).ok_or_else(|| {
        format!(
            "the shape of its input `{}` is not known",
            node.proto.input.get(i).map_or("", String::as_str)
        )
    })
}

fn need_const(node: &Node, i: usize, what: &str) -> Result<std::rc::Rc<Const>, String> {
    node.konst(i).ok_or_else(|| {
        format!(
            "its {what} `{}` is not a constant: sparsim simulates layers whose weights are fixed (initializers, or nodes folded from them)",
            node.proto.input.get(i).map_or("", String::as_str)
        )
    })
}

fn dim(d: u64, what: &str) -> Result<u64, String> {
    if d == 0 {
        Err(format!("{what} is 0"))
    } else {
        Ok(d)
    }
}

/// Lowers a node whose operator is in [`MAC_OPS`]; `name(want)` returns a unique layer name.
pub fn lower(
    node: &Node,
    base: &str,
    name: &mut dyn FnMut(&str) -> String,
) -> Result<MacNode, String> {
    match node.op() {
        "Conv" => conv(node, name(base)),
        "ConvTranspose" => conv_transpose(node, name(base)),
        "Gemm" => {
            let (ta, tb) = (node.int("transA", 0) != 0, node.int("transB", 0) != 0);
            let a = need_shape(node, 0)?;
            let b = need_shape(node, 1)?;
            if a.len() != 2 || b.len() != 2 {
                return Err(format!(
                    "Gemm operands must be matrices, found {a:?} and {b:?}"
                ));
            }
            let (m, k) = if ta { (a[1], a[0]) } else { (a[0], a[1]) };
            let (kb, n) = if tb { (b[1], b[0]) } else { (b[0], b[1]) };
            if k != kb {
                return Err(format!(
                    "operands {a:?} and {b:?} do not multiply (K {k} vs {kb})"
                ));
            }
            product(
                node,
                Product {
                    m,
                    n,
                    k,
                    batch: 1,
                    a_trans: ta,
                    b_trans: tb,
                    out: vec![m, n],
                },
                base,
                name,
            )
        }
        "MatMul" => {
            let a = need_shape(node, 0)?;
            let b = need_shape(node, 1)?;
            if a.is_empty() || b.is_empty() {
                return Err("MatMul operands must have at least one dimension".into());
            }
            let a2 = if a.len() == 1 {
                vec![1, a[0]]
            } else {
                a.clone()
            };
            let b2 = if b.len() == 1 {
                vec![b[0], 1]
            } else {
                b.clone()
            };
            let (m, k) = (a2[a2.len() - 2], a2[a2.len() - 1]);
            let (kb, n) = (b2[b2.len() - 2], b2[b2.len() - 1]);
            if k != kb {
                return Err(format!(
                    "operands {a:?} and {b:?} do not multiply (K {k} vs {kb})"
                ));
            }
            let batch_shape = broadcast(&a2[..a2.len() - 2], &b2[..b2.len() - 2])?;
            let mut out = batch_shape.clone();
            if a.len() > 1 {
                out.push(m);
            }
            if b.len() > 1 {
                out.push(n);
            }
            let batch = checked_product(&batch_shape)?;
            product(
                node,
                Product {
                    m,
                    n,
                    k,
                    batch,
                    a_trans: false,
                    b_trans: false,
                    out,
                },
                base,
                name,
            )
        }
        "LSTM" => recurrent(node, Cell::Lstm, base, name),
        "GRU" => recurrent(node, Cell::Gru, base, name),
        "RNN" => recurrent(node, Cell::Rnn, base, name),
        other => unreachable!("`{other}` is not a MAC operator"),
    }
}

/// An integer-list attribute of `len` values, `fill` repeated when absent: at least 1 when
/// `fill` is 1 (strides, dilations), at least 0 otherwise (pads).
fn int_list(node: &Node, key: &str, fill: i64, len: usize) -> Result<Vec<i64>, String> {
    let v = node.ints(key).unwrap_or_else(|| vec![fill; len]);
    if v.len() != len {
        return Err(format!("`{key}` has {} values, expected {len}", v.len()));
    }
    if v.iter().any(|x| *x < 0 || (fill == 1 && *x < 1)) {
        return Err(format!("`{key}` {v:?} is out of range"));
    }
    Ok(v)
}

fn conv(node: &Node, name: String) -> Result<MacNode, String> {
    let x = need_shape(node, 0)?;
    let w = need_const(node, 1, "weight")?;
    let one_d = x.len() == 3 && w.shape.len() == 3;
    if !(one_d || (x.len() == 4 && w.shape.len() == 4)) {
        return Err(format!(
            "input {x:?} and weight {:?}: sparsim lowers 1-D and 2-D convolutions",
            w.shape
        ));
    }
    // A 1-D convolution is a 2-D one of height 1.
    let lift = |v: Vec<i64>, fill: i64| -> Vec<i64> {
        if one_d {
            let mut o = vec![fill];
            o.extend(v);
            o
        } else {
            v
        }
    };
    if x.iter().chain(&w.dims()).any(|d| *d == 0) {
        return Err(format!(
            "input {x:?} or weight {:?} has a dimension of size 0",
            w.shape
        ));
    }
    let (n, c) = (x[0], x[1]);
    let (h, wd) = if one_d { (1, x[2]) } else { (x[2], x[3]) };
    let ws: Vec<u64> = w.dims();
    let (f, cg) = (ws[0], ws[1]);
    let (kh, kw) = if one_d { (1, ws[2]) } else { (ws[2], ws[3]) };
    let g = node.int("group", 1);
    if g < 1 {
        return Err(format!("group {g} must be at least 1"));
    }
    let g = g as u64;
    if cg * g != c {
        return Err(format!(
            "weight {:?} has {cg} input channels per group, but the input has {c} channels in {g} group(s)",
            w.shape
        ));
    }
    let spatial = if one_d { 1 } else { 2 };
    let strides = lift(int_list(node, "strides", 1, spatial)?, 1);
    let dilations = lift(int_list(node, "dilations", 1, spatial)?, 1);
    let pads = int_list(node, "pads", 0, 2 * spatial)?;
    let pads = if one_d {
        vec![0, pads[0], 0, pads[1]]
    } else {
        pads
    };
    let (sizes, kernel) = ([h, wd], [kh, kw]);
    let (mut begin, mut end) = (
        [pads[0] as u64, pads[1] as u64],
        [pads[2] as u64, pads[3] as u64],
    );
    let auto = node.string("auto_pad").unwrap_or_default();
    match auto.as_str() {
        "" | "NOTSET" => {}
        "VALID" => {
            begin = [0, 0];
            end = [0, 0];
        }
        "SAME_UPPER" | "SAME_LOWER" => {
            for i in 0..2 {
                let (s, d) = (strides[i] as u64, dilations[i] as u64);
                let out = sizes[i].div_ceil(s);
                let span = d * (kernel[i] - 1) + 1;
                let total = ((out - 1) * s + span).saturating_sub(sizes[i]);
                let small = total / 2;
                (begin[i], end[i]) = if auto == "SAME_UPPER" {
                    (small, total - small)
                } else {
                    (total - small, small)
                };
            }
        }
        other => {
            return Err(format!(
                "auto_pad `{other}` is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID"
            ));
        }
    }
    let spec = ConvSpec {
        batch: dim(n, "the batch")?,
        ifmap: (h, wd),
        channels: c,
        filters: f,
        kernel: (kh, kw),
        stride: (strides[0] as u64, strides[1] as u64),
        padding: (begin[0], begin[1]),
        padding_end: Some((end[0], end[1])),
        dilation: (dilations[0] as u64, dilations[1] as u64),
        groups: g,
        rule: OutputRule::Padded,
    };
    let conv = Conv2d::new(spec)?;
    let out = if one_d {
        vec![n, f, conv.ofmap_w]
    } else {
        vec![n, f, conv.ofmap_h, conv.ofmap_w]
    };
    let tensor = NamedTensor {
        name: format!("{name}.weight"),
        shape: vec![f as usize, cg as usize, kh as usize, kw as usize],
        data: w.floats(),
    };
    Ok(MacNode::Lowered {
        layers: vec![(Layer::new(name, LayerOp::Conv(conv)), vec![tensor])],
        outputs: vec![Value::shaped(out)],
    })
}

/// A transposed convolution as the GEMM that computes every (input pixel, kernel tap) product:
/// M = N·H·W input pixels, K = Cin, N = Cout·kh·kw; the taps that land on the same output pixel
/// are summed outside the array (col2im), as Caffe's Deconvolution layer does. The MACs are
/// exactly the transposed convolution's, N·H·W·Cin·Cout·kh·kw.
fn conv_transpose(node: &Node, name: String) -> Result<MacNode, String> {
    let x = need_shape(node, 0)?;
    let w = need_const(node, 1, "weight")?;
    let spatial = x.len().saturating_sub(2);
    if !(spatial == 1 || spatial == 2) || w.shape.len() != x.len() {
        return Err(format!(
            "input {x:?} and weight {:?}: sparsim lowers 1-D and 2-D transposed convolutions",
            w.shape
        ));
    }
    if node.int("group", 1) != 1 {
        return Err(format!(
            "group {}: sparsim lowers ungrouped transposed convolutions only",
            node.int("group", 1)
        ));
    }
    let ws = w.dims();
    if x.iter().chain(&ws).any(|d| *d == 0) {
        return Err(format!(
            "input {x:?} or weight {:?} has a dimension of size 0",
            w.shape
        ));
    }
    if ws[0] != x[1] {
        return Err(format!(
            "weight {:?} expects {} input channels, the input has {}",
            w.shape, ws[0], x[1]
        ));
    }
    let strides = int_list(node, "strides", 1, spatial)?;
    let dil = int_list(node, "dilations", 1, spatial)?;
    let pads = int_list(node, "pads", 0, 2 * spatial)?;
    let extra = int_list(node, "output_padding", 0, spatial)?;
    let explicit = node.ints("output_shape");
    let mut out = vec![x[0], ws[1]];
    for i in 0..spatial {
        let span = dil[i] * (ws[2 + i] as i64 - 1) + 1;
        let full = strides[i] * (x[2 + i] as i64 - 1) + extra[i] + span;
        let o = match &explicit {
            Some(shape) => *shape
                .get(shape.len().wrapping_sub(spatial) + i)
                .ok_or("its output_shape is too short")?,
            None => full - pads[i] - pads[i + spatial],
        };
        if o < 1 {
            return Err(format!("its output would have size {o}"));
        }
        out.push(o as u64);
    }
    let pixels = checked_product(&x[2..])?;
    let taps = checked_product(&ws[2..])?;
    let m = x[0].checked_mul(pixels).ok_or("its input is too large")?;
    let n = ws[1].checked_mul(taps).ok_or("its kernel is too large")?;
    let gemm = Gemm::new(m, n, x[1])?;
    // W [Cin, Cout, kh, kw] viewed [Cin, Cout·kh·kw], transposed to [Cout·kh·kw, Cin].
    let flat = Const {
        shape: vec![ws[0] as usize, n as usize],
        data: w.data.clone(),
    };
    Ok(gemm_layer(
        name,
        gemm,
        &transpose(&flat, &[1, 0]),
        vec![Value::shaped(out)],
    ))
}

/// A `gemm` layer with its weight `[N, K]`, named `<name>.weight`.
fn gemm_layer(name: String, gemm: Gemm, weight: &Const, outputs: Vec<Value>) -> MacNode {
    let tensor = NamedTensor {
        name: format!("{name}.weight"),
        shape: weight.shape.clone(),
        data: weight.floats(),
    };
    MacNode::Lowered {
        layers: vec![(Layer::new(name, LayerOp::Gemm(gemm)), vec![tensor])],
        outputs,
    }
}

/// A matrix product `[batch…, m, k] · [k, n]` as the node states it.
struct Product {
    m: u64,
    n: u64,
    k: u64,
    batch: u64,
    a_trans: bool,
    b_trans: bool,
    out: Vec<u64>,
}

/// A constant matrix as a `[rows, cols]` weight, transposed if it is stored `[cols, rows]`;
/// leading dimensions of size 1 are dropped.
fn weight_matrix(c: &Const, stored_transposed: bool, what: &str) -> Result<Const, String> {
    let lead: usize = c.shape[..c.shape.len().saturating_sub(2)].iter().product();
    if c.shape.len() < 2 || lead != 1 {
        return Err(format!(
            "its constant {what} has shape {:?}: sparsim lowers a product whose constant operand is one matrix",
            c.shape
        ));
    }
    let r = c.shape.len();
    let m = Const {
        shape: c.shape[r - 2..].to_vec(),
        data: c.data.clone(),
    };
    Ok(if stored_transposed {
        transpose(&m, &[1, 0])
    } else {
        m
    })
}

fn product(
    node: &Node,
    p: Product,
    base: &str,
    name: &mut dyn FnMut(&str) -> String,
) -> Result<MacNode, String> {
    let outputs = vec![Value::shaped(p.out.clone())];
    // sparsim's GEMM is ofmap[M×N] = ifmap[M×K] · Wᵀ with W = [N, K] (PyTorch's Linear).
    let (gemm_m, gemm_n, weight) = if let Some(b) = node.konst(1) {
        // Y = A·B: W = Bᵀ, stored [K, N] unless transB.
        let w = weight_matrix(&b, !p.b_trans, "second operand")?;
        (p.batch.checked_mul(p.m), p.n, w)
    } else if let Some(a) = node.konst(0) {
        // Y = A·B with A constant: Yᵀ = Bᵀ·Aᵀ, so the activations are Bᵀ and W = A [M, K].
        let w = weight_matrix(&a, p.a_trans, "first operand")?;
        (p.batch.checked_mul(p.n), p.m, w)
    } else {
        let macs = [p.batch, p.m, p.n]
            .iter()
            .try_fold(p.k, |x, y| x.checked_mul(*y))
            .ok_or("its product is too large")?;
        return Ok(MacNode::Skipped { outputs, macs });
    };
    let gemm_m = gemm_m.ok_or("its product is too large")?;
    let gemm = Gemm::new(dim(gemm_m, "M")?, dim(gemm_n, "N")?, dim(p.k, "K")?)?;
    Ok(gemm_layer(name(base), gemm, &weight, outputs))
}

/// ONNX's gate blocks in PyTorch's order: LSTM i,o,f,c → i,f,g,o; GRU z,r,h → r,z,n.
fn torch_gate_order(cell: Cell) -> &'static [usize] {
    match cell {
        Cell::Lstm => &[0, 2, 3, 1],
        Cell::Gru => &[1, 0, 2],
        Cell::Rnn => &[0],
    }
}

fn recurrent(
    node: &Node,
    cell: Cell,
    base: &str,
    name: &mut dyn FnMut(&str) -> String,
) -> Result<MacNode, String> {
    let x = need_shape(node, 0)?;
    let w = need_const(node, 1, "input weight W")?;
    let r = need_const(node, 2, "recurrent weight R")?;
    if x.len() != 3 || w.shape.len() != 3 || r.shape.len() != 3 {
        return Err(format!(
            "input {x:?}, W {:?} and R {:?} must all have rank 3",
            w.shape, r.shape
        ));
    }
    let layout = node.int("layout", 0);
    let (steps, batch, input) = if layout == 0 {
        (x[0], x[1], x[2])
    } else {
        (x[1], x[0], x[2])
    };
    let gates = cell.gates() as usize;
    let dirs = match node.string("direction").as_deref().unwrap_or("forward") {
        "forward" | "reverse" => 1,
        "bidirectional" => 2,
        other => {
            return Err(format!(
                "direction `{other}` is not one of forward, reverse, bidirectional"
            ));
        }
    };
    let hidden = r.shape[2];
    if node.int("hidden_size", hidden as i64) != hidden as i64 {
        return Err(format!(
            "hidden_size {} does not match R {:?}",
            node.int("hidden_size", 0),
            r.shape
        ));
    }
    let rows = gates * hidden;
    if w.shape != [dirs, rows, input as usize] || r.shape != [dirs, rows, hidden] {
        return Err(format!(
            "W {:?} and R {:?} do not fit {dirs} direction(s), {gates} gates, hidden {hidden}, input {input}",
            w.shape, r.shape
        ));
    }
    let (wv, rv) = (w.floats(), r.floats());
    let order = torch_gate_order(cell);
    let reorder = |v: &[f32], d: usize, cols: usize| -> Vec<f32> {
        let dir = &v[d * rows * cols..(d + 1) * rows * cols];
        order
            .iter()
            .flat_map(|g| {
                dir[g * hidden * cols..(g + 1) * hidden * cols]
                    .iter()
                    .copied()
            })
            .collect()
    };
    let mut layers = Vec::with_capacity(dirs);
    for d in 0..dirs {
        let want = if d == 0 {
            base.to_string()
        } else {
            format!("{base}_reverse")
        };
        let lname = name(&want);
        let op = Recurrent::new(
            cell,
            input,
            hidden as u64,
            dim(steps, "the sequence length")?,
            dim(batch, "the batch")?,
        )?;
        let tensors = vec![
            NamedTensor {
                name: format!("{lname}.weight_ih_l0"),
                shape: vec![rows, input as usize],
                data: reorder(&wv, d, input as usize),
            },
            NamedTensor {
                name: format!("{lname}.weight_hh_l0"),
                shape: vec![rows, hidden],
                data: reorder(&rv, d, hidden),
            },
        ];
        layers.push((Layer::new(lname, LayerOp::Recurrent(op)), tensors));
    }
    let (d, h) = (dirs as u64, hidden as u64);
    let (y, yh) = if layout == 0 {
        (vec![steps, d, batch, h], vec![d, batch, h])
    } else {
        (vec![batch, steps, d, h], vec![batch, d, h])
    };
    Ok(MacNode::Lowered {
        layers,
        outputs: vec![
            Value::shaped(y),
            Value::shaped(yh.clone()),
            Value::shaped(yh),
        ],
    })
}
