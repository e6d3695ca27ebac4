//! Shapes through the operators that carry no MACs on the array, and constant folding of the
//! small subgraphs exporters leave in models (shape arithmetic, `ConstantOfShape` weights,
//! dequantized or transposed weights).
//!
//! [`infer`] returns the node's output values, `Ok(None)` for an operator it does not follow
//! (its outputs' shapes become unknown, which matters only if a MAC layer later needs them),
//! or an error for a node whose inputs contradict each other.

use super::node::{Node, Value, axis};
use super::tensor::decode;
use super::tensor::{Const, Data, element_count};

/// Operators whose output has the shape of their first input.
const SAME_SHAPE: &[&str] = &[
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Erf",
    "Gelu",
    "Elu",
    "Selu",
    "Celu",
    "Mish",
    "Softplus",
    "Softsign",
    "ThresholdedRelu",
    "Clip",
    "Sqrt",
    "Reciprocal",
    "Neg",
    "Abs",
    "Exp",
    "Log",
    "Sin",
    "Cos",
    "Floor",
    "Ceil",
    "Round",
    "Sign",
    "Not",
    "IsNaN",
    "IsInf",
    "Softmax",
    "LogSoftmax",
    "Hardmax",
    "BatchNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "LpNormalization",
    "MeanVarianceNormalization",
    "LRN",
    "Dropout",
    "Identity",
    "Cast",
    "CastLike",
    "QuantizeLinear",
    "DequantizeLinear",
    "DynamicQuantizeLinear",
    "CumSum",
    "Trilu",
    "Shrink",
    "ScatterND",
    "ScatterElements",
];

/// Element-wise operators with NumPy broadcasting.
const BROADCAST: &[&str] = &[
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Pow",
    "Mod",
    "Max",
    "Min",
    "Sum",
    "Mean",
    "Equal",
    "Less",
    "LessOrEqual",
    "Greater",
    "GreaterOrEqual",
    "And",
    "Or",
    "Xor",
    "BitShift",
    "Where",
];

/// The output values of `node`, or `Ok(None)` when this importer does not follow `node.op()`.
pub fn infer(node: &Node) -> Result<Option<Vec<Value>>, String> {
    let op = node.op();
    if op == "Constant" {
        return constant(node).map(|c| Some(vec![Value::constant(c)]));
    }
    if node.all_constant()
        && let Some(c) = fold(node)?
    {
        return Ok(Some(vec![Value::constant(c)]));
    }
    let Some(shapes) = shapes(node)? else {
        return Ok(None);
    };
    if op == "Shape" || op == "Size" {
        // Their results are constants as soon as the input's shape is known.
        let s = &shapes[0];
        return Ok(Some(vec![Value::constant(shape_const(node, s, op)?)]));
    }
    Ok(Some(shapes.into_iter().map(Value::shaped).collect()))
}

/// The output shapes of `node` (first input's shape for the element-wise family), `None`
/// when an input shape is unknown or the operator is not followed.
fn shapes(node: &Node) -> Result<Option<Vec<Vec<u64>>>, String> {
    let op = node.op();
    let Some(x) = node.shape(0) else {
        return Ok(None);
    };
    let one = |s: Vec<u64>| Ok(Some(vec![s]));
    if SAME_SHAPE.contains(&op) {
        // Extra outputs (Dropout's mask, normalization statistics) are left unknown except
        // Dropout's mask, which has the input's shape.
        let mut outs = vec![x.clone()];
        if op == "Dropout" && node.proto.output.len() > 1 {
            outs.push(x);
        }
        return Ok(Some(outs));
    }
    if BROADCAST.contains(&op) {
        let mut out = x;
        for i in 1..node.proto.input.len() {
            let Some(s) = node.shape(i) else {
                return Ok(None);
            };
            out = broadcast(&out, &s)?;
        }
        return one(out);
    }
    match op {
        "Shape" | "Size" => one(x),
        "MaxPool" | "AveragePool" | "LpPool" => {
            let s = pool(node, &x)?;
            // MaxPool's optional indices output has the same shape.
            let outs = (0..node.proto.output.len()).map(|_| s.clone()).collect();
            Ok(Some(outs))
        }
        "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => {
            if x.len() < 3 {
                return Err(format!("input of rank {} has no spatial axes", x.len()));
            }
            let mut s = x[..2].to_vec();
            s.resize(x.len(), 1);
            one(s)
        }
        "Flatten" => {
            let a = node.int("axis", 1);
            let a = if a < 0 { a + x.len() as i64 } else { a };
            if !(0..=x.len() as i64).contains(&a) {
                return Err(format!("axis {a} is out of range for rank {}", x.len()));
            }
            let (l, r) = x.split_at(a as usize);
            one(vec![checked_product(l)?, checked_product(r)?])
        }
        "Reshape" => match node.konst(1) {
            Some(spec) => one(reshape(&x, &spec.ints(), node.int("allowzero", 0) != 0)?),
            None => Ok(None),
        },
        "Transpose" => {
            let perm = perm(node, x.len())?;
            one(perm.iter().map(|p| x[*p]).collect())
        }
        "Squeeze" => {
            let Some(axes) = axes_of(node, 1) else {
                return Ok(None);
            };
            let axes = match axes {
                Some(a) => norm_axes(&a, x.len())?,
                None => (0..x.len()).filter(|i| x[*i] == 1).collect(),
            };
            if let Some(a) = axes.iter().find(|a| x[**a] != 1) {
                return Err(format!("axis {a} of {x:?} is not of size 1"));
            }
            one(x
                .iter()
                .enumerate()
                .filter(|(i, _)| !axes.contains(i))
                .map(|(_, d)| *d)
                .collect())
        }
        "Unsqueeze" => {
            let Some(Some(axes)) = axes_of(node, 1) else {
                return Ok(None);
            };
            one(unsqueeze(&x, &axes)?)
        }
        "Concat" => {
            let a = axis(node.int("axis", 0), x.len())?;
            let mut out = x.clone();
            out[a] = 0;
            for i in 0..node.proto.input.len() {
                let Some(s) = node.shape(i) else {
                    return Ok(None);
                };
                if s.len() != x.len() {
                    return Err(format!(
                        "input {i} has rank {}, input 0 rank {}",
                        s.len(),
                        x.len()
                    ));
                }
                if (0..x.len()).any(|d| d != a && s[d] != x[d]) {
                    return Err(format!(
                        "input {i} has shape {s:?}, which differs from input 0's {x:?} off axis {a}"
                    ));
                }
                out[a] = out[a].checked_add(s[a]).ok_or("its result is too large")?;
            }
            one(out)
        }
        "Split" => {
            let a = axis(node.int("axis", 0), x.len())?;
            let n = node.proto.output.len() as u64;
            let sizes = match (node.ints("split"), node.konst(1)) {
                (Some(s), _) => s,
                (None, Some(c)) => c.ints(),
                (None, None) => {
                    if n == 0 {
                        return Ok(None);
                    }
                    let part = x[a].div_ceil(n);
                    (0..n)
                        .map(|i| part.min(x[a].saturating_sub(i * part)) as i64)
                        .collect()
                }
            };
            Ok(Some(
                sizes
                    .iter()
                    .map(|s| {
                        let mut o = x.clone();
                        o[a] = (*s).max(0) as u64;
                        o
                    })
                    .collect(),
            ))
        }
        "Slice" => {
            let Some(params) = slice_params(node, x.len())? else {
                return Ok(None);
            };
            one(params.iter().map(|p| p.len).collect())
        }
        "Gather" => {
            let Some(ix) = node.shape(1) else {
                return Ok(None);
            };
            let a = axis(node.int("axis", 0), x.len())?;
            let mut out = x[..a].to_vec();
            out.extend_from_slice(&ix);
            out.extend_from_slice(&x[a + 1..]);
            one(out)
        }
        "GatherND" => {
            let Some(ix) = node.shape(1) else {
                return Ok(None);
            };
            let b = node.int("batch_dims", 0).max(0) as usize;
            let Some(k) = ix.last().map(|k| *k as usize) else {
                return Err("its indices have rank 0".into());
            };
            if b + k > x.len() {
                return Err(format!(
                    "indices of depth {k} after {b} batch dimensions for data of rank {}",
                    x.len()
                ));
            }
            let mut out = ix[..ix.len() - 1].to_vec();
            out.extend_from_slice(&x[b + k..]);
            one(out)
        }
        "DepthToSpace" | "SpaceToDepth" => {
            let b = node.int("blocksize", 0);
            if x.len() != 4 || b < 1 {
                return Err(format!("blocksize {b} on a tensor of rank {}", x.len()));
            }
            let b = b as u64;
            if op == "DepthToSpace" {
                let bb = b.saturating_mul(b);
                one(vec![
                    x[0],
                    x[1] / bb,
                    x[2].saturating_mul(b),
                    x[3].saturating_mul(b),
                ])
            } else {
                let bb = b.saturating_mul(b);
                one(vec![x[0], x[1].saturating_mul(bb), x[2] / b, x[3] / b])
            }
        }
        "TopK" => match node.konst(1) {
            Some(k) if k.len() == 1 => {
                let a = axis(node.int("axis", -1), x.len())?;
                let mut out = x.clone();
                out[a] = k.ints()[0].max(0) as u64;
                Ok(Some(vec![out.clone(), out]))
            }
            _ => Ok(None),
        },
        "Expand" => match node.konst(1) {
            Some(s) => {
                let want: Vec<u64> = s.ints().iter().map(|d| (*d).max(0) as u64).collect();
                one(broadcast(&x, &want)?)
            }
            None => Ok(None),
        },
        "Tile" => match node.konst(1) {
            Some(r) => {
                let r = r.ints();
                if r.len() != x.len() {
                    return Err(format!("{} repeats for rank {}", r.len(), x.len()));
                }
                one(x
                    .iter()
                    .zip(&r)
                    .map(|(d, k)| d.saturating_mul((*k).max(0) as u64))
                    .collect())
            }
            None => Ok(None),
        },
        "Pad" => {
            let pads = match (node.ints("pads"), node.konst(1)) {
                (Some(p), _) => p,
                (None, Some(c)) => c.ints(),
                (None, None) => return Ok(None),
            };
            let axes = match node.konst(3) {
                Some(a) => norm_axes(&a.ints(), x.len())?,
                None => (0..x.len()).collect(),
            };
            if pads.len() != 2 * axes.len() {
                return Err(format!("{} pads for {} axes", pads.len(), axes.len()));
            }
            let mut out = x.clone();
            for (j, a) in axes.iter().enumerate() {
                let d = out[*a] as i64 + pads[j] + pads[j + axes.len()];
                out[*a] = d.max(0) as u64;
            }
            one(out)
        }
        "Resize" | "Upsample" => {
            let sizes = node.konst(3).filter(|c| !c.is_empty());
            let scales = if op == "Upsample" {
                node.konst(1)
            } else {
                node.konst(2).filter(|c| !c.is_empty())
            };
            match (sizes, scales) {
                (Some(s), _) if s.len() == x.len() => {
                    one(s.ints().iter().map(|d| (*d).max(0) as u64).collect())
                }
                (_, Some(sc)) if sc.len() == x.len() => one(x
                    .iter()
                    .zip(sc.floats())
                    .map(|(d, f)| (*d as f64 * f64::from(f)).floor().max(0.0) as u64)
                    .collect()),
                _ => Ok(None),
            }
        }
        "ReduceMean" | "ReduceSum" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceL1"
        | "ReduceL2" | "ReduceSumSquare" | "ReduceLogSum" | "ReduceLogSumExp" => {
            let Some(axes) = axes_of(node, 1) else {
                return Ok(None);
            };
            let keep = node.int("keepdims", 1) != 0;
            let axes = match axes {
                Some(a) if !a.is_empty() => norm_axes(&a, x.len())?,
                _ if node.int("noop_with_empty_axes", 0) != 0 => vec![],
                _ => (0..x.len()).collect(),
            };
            one(reduce(&x, &axes, keep))
        }
        "ArgMax" | "ArgMin" => {
            let a = axis(node.int("axis", 0), x.len())?;
            one(reduce(&x, &[a], node.int("keepdims", 1) != 0))
        }
        _ => Ok(None),
    }
}

/// `Shape` (with its `start`/`end` attributes) or `Size` of a value of shape `s`.
fn shape_const(node: &Node, s: &[u64], op: &str) -> Result<Const, String> {
    if op == "Size" {
        return Ok(Const::int(vec![], vec![checked_product(s)? as i64]));
    }
    let r = s.len() as i64;
    let clamp = |v: i64| (if v < 0 { v + r } else { v }).clamp(0, r) as usize;
    let start = clamp(node.int("start", 0));
    let end = clamp(node.int("end", r));
    let dims: Vec<i64> = s[start..end.max(start)].iter().map(|d| *d as i64).collect();
    Ok(Const::int(vec![dims.len()], dims))
}

/// The value of a `Constant` node.
fn constant(node: &Node) -> Result<Const, String> {
    if let Some(t) = node.tensor("value") {
        return decode(t).map_err(|e| format!("its value {e}"));
    }
    let a = |name: &str| node.proto.attribute.iter().find(|a| a.name == name);
    if let Some(x) = a("value_float") {
        return Ok(Const::float(vec![], vec![x.f]));
    }
    if let Some(x) = a("value_floats") {
        return Ok(Const::float(vec![x.floats.len()], x.floats.clone()));
    }
    if let Some(x) = a("value_int") {
        return Ok(Const::int(vec![], vec![x.i]));
    }
    if let Some(x) = a("value_ints") {
        return Ok(Const::int(vec![x.ints.len()], x.ints.clone()));
    }
    Err("has no `value`, `value_float(s)` or `value_int(s)` attribute that sparsim reads".into())
}

/// Folds `node` whose inputs are all constants, if its operator is one sparsim evaluates.
fn fold(node: &Node) -> Result<Option<Const>, String> {
    let c = |i: usize| node.konst(i).expect("all inputs are constants");
    let op = node.op();
    Ok(Some(match op {
        "Identity" | "Dropout" => (*c(0)).clone(),
        "Cast" => {
            let x = c(0);
            // ONNX TensorProto.DataType: 1 FLOAT, 10 FLOAT16, 11 DOUBLE, 16 BFLOAT16.
            match node.int("to", 1) {
                1 | 10 | 11 | 16 => Const::float(x.shape.clone(), x.floats()),
                _ => Const::int(x.shape.clone(), x.ints()),
            }
        }
        "ConstantOfShape" => {
            let dims: Vec<usize> = c(0).ints().iter().map(|d| (*d).max(0) as usize).collect();
            let n = element_count(&dims)
                .ok_or_else(|| format!("would make a tensor of shape {dims:?}: too large"))?;
            match node.tensor("value").map(decode).transpose()? {
                Some(v) if v.len() == 1 => match v.data {
                    Data::Float(f) => Const::float(dims, vec![f[0]; n]),
                    Data::Int(i) => Const::int(dims, vec![i[0]; n]),
                },
                Some(_) => return Err("its `value` must hold one element".into()),
                None => Const::float(dims, vec![0.0; n]),
            }
        }
        "Unsqueeze" | "Squeeze" | "Flatten" | "Reshape" | "Expand" => {
            let Some(shape) = shapes(node)?.map(|mut s| s.remove(0)) else {
                return Ok(None);
            };
            let x = c(0);
            let dims: Vec<usize> = shape.iter().map(|d| *d as usize).collect();
            if op == "Expand" {
                broadcast_to(&x, &dims)?
            } else {
                Const {
                    shape: dims,
                    data: x.data.clone(),
                }
            }
        }
        "Concat" => {
            let Some(shape) = shapes(node)?.map(|mut s| s.remove(0)) else {
                return Ok(None);
            };
            let a = axis(node.int("axis", 0), shape.len())?;
            let parts: Vec<_> = (0..node.proto.input.len()).map(c).collect();
            concat(&parts, a, shape.iter().map(|d| *d as usize).collect())
        }
        "Transpose" => {
            let x = c(0);
            let p = perm(node, x.shape.len())?;
            transpose(&x, &p)
        }
        "Gather" => {
            let (x, ix) = (c(0), c(1));
            let a = axis(node.int("axis", 0), x.shape.len())?;
            gather(&x, &ix.ints(), &ix.shape, a)?
        }
        "Slice" => {
            let x = c(0);
            let Some(params) = slice_params(node, x.shape.len())? else {
                return Ok(None);
            };
            slice(&x, &params)
        }
        "Add" | "Sub" | "Mul" | "Div" | "Equal" | "Less" | "Greater" | "Max" | "Min"
            if node.proto.input.len() == 2 =>
        {
            binary(&c(0), &c(1), op)?
        }
        "Where" => {
            let (cond, a, b) = (c(0), c(1), c(2));
            let shape = broadcast(&broadcast(&cond.dims(), &a.dims())?, &b.dims())?;
            let dims: Vec<usize> = shape.iter().map(|d| *d as usize).collect();
            let (cond, a, b) = (
                broadcast_to(&cond, &dims)?,
                broadcast_to(&a, &dims)?,
                broadcast_to(&b, &dims)?,
            );
            let pick = cond.ints();
            match (&a.data, &b.data) {
                (Data::Int(x), Data::Int(y)) => Const::int(
                    dims,
                    pick.iter()
                        .enumerate()
                        .map(|(i, p)| if *p != 0 { x[i] } else { y[i] })
                        .collect(),
                ),
                _ => {
                    let (x, y) = (a.floats(), b.floats());
                    Const::float(
                        dims,
                        pick.iter()
                            .enumerate()
                            .map(|(i, p)| if *p != 0 { x[i] } else { y[i] })
                            .collect(),
                    )
                }
            }
        }
        "Neg" => {
            let x = c(0);
            match &x.data {
                Data::Float(v) => Const::float(x.shape.clone(), v.iter().map(|a| -a).collect()),
                Data::Int(v) => Const::int(x.shape.clone(), v.iter().map(|a| -a).collect()),
            }
        }
        "Sqrt" => {
            let x = c(0);
            Const::float(
                x.shape.clone(),
                x.floats().iter().map(|a| a.sqrt()).collect(),
            )
        }
        "Range" => {
            let (s, l, d) = (c(0), c(1), c(2));
            match (&s.data, &l.data, &d.data) {
                (Data::Int(s), Data::Int(l), Data::Int(d)) if s.len() == 1 => {
                    let (s, l, d) = (s[0], l[0], d[0]);
                    if d == 0 {
                        return Err("its delta is 0".into());
                    }
                    let n = ((l - s) as f64 / d as f64).ceil().max(0.0) as usize;
                    element_count(&[n]).ok_or("its range is too long")?;
                    Const::int(vec![n], (0..n as i64).map(|i| s + i * d).collect())
                }
                _ => return Ok(None),
            }
        }
        "DequantizeLinear" => dequantize(node, &c(0), &c(1), node.konst(2).as_deref())?,
        _ => return Ok(None),
    }))
}

/// `(x − zero_point) · scale`, per tensor or per `axis`.
fn dequantize(
    node: &Node,
    x: &Const,
    scale: &Const,
    zero: Option<&Const>,
) -> Result<Const, String> {
    let values = x.floats();
    let scales = scale.floats();
    let zeros = zero.map_or_else(|| vec![0.0; scales.len()], Const::floats);
    if scales.is_empty() || zeros.len() != scales.len() {
        return Err("its scale and zero point differ in length".into());
    }
    if scales.len() == 1 {
        let (s, z) = (scales[0], zeros[0]);
        return Ok(Const::float(
            x.shape.clone(),
            values.iter().map(|v| (v - z) * s).collect(),
        ));
    }
    let a = axis(node.int("axis", 1), x.shape.len())?;
    if x.shape[a] != scales.len() {
        return Err(format!(
            "{} scales for axis {a} of length {}",
            scales.len(),
            x.shape[a]
        ));
    }
    let inner: usize = x.shape[a + 1..].iter().product();
    let along = x.shape[a];
    Ok(Const::float(
        x.shape.clone(),
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let j = (i / inner) % along;
                (v - zeros[j]) * scales[j]
            })
            .collect(),
    ))
}

/// NumPy broadcasting of two shapes.
pub fn broadcast(a: &[u64], b: &[u64]) -> Result<Vec<u64>, String> {
    let n = a.len().max(b.len());
    let at = |s: &[u64], i: usize| {
        let off = n - s.len();
        if i < off { 1 } else { s[i - off] }
    };
    (0..n)
        .map(|i| {
            let (x, y) = (at(a, i), at(b, i));
            if x == y || y == 1 {
                Ok(x)
            } else if x == 1 {
                Ok(y)
            } else {
                Err(format!("shapes {a:?} and {b:?} do not broadcast"))
            }
        })
        .collect()
}

/// The product of dimensions, checked.
pub fn checked_product(s: &[u64]) -> Result<u64, String> {
    s.iter()
        .try_fold(1u64, |p, d| p.checked_mul(*d))
        .ok_or_else(|| format!("shape {s:?} has too many elements"))
}

fn reshape(x: &[u64], spec: &[i64], allowzero: bool) -> Result<Vec<u64>, String> {
    let total = checked_product(x)?;
    let mut out = Vec::with_capacity(spec.len());
    let mut infer = None;
    for (i, d) in spec.iter().enumerate() {
        match *d {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            0 if !allowzero => out.push(
                *x.get(i)
                    .ok_or("a 0 in its shape has no input dimension to copy")?,
            ),
            d if d >= 0 => out.push(d as u64),
            d => return Err(format!("shape entry {d} is not allowed")),
        }
    }
    let known = checked_product(&out)?;
    if let Some(i) = infer {
        if known == 0 || total % known != 0 {
            return Err(format!("cannot reshape {x:?} to {spec:?}"));
        }
        out[i] = total / known;
    } else if known != total {
        return Err(format!(
            "cannot reshape {x:?} ({total} elements) to {spec:?}"
        ));
    }
    Ok(out)
}

fn perm(node: &Node, rank: usize) -> Result<Vec<usize>, String> {
    let p: Vec<usize> = match node.ints("perm") {
        Some(p) => p.iter().map(|a| axis(*a, rank)).collect::<Result<_, _>>()?,
        None => (0..rank).rev().collect(),
    };
    let mut seen = vec![false; rank];
    for a in &p {
        if std::mem::replace(&mut seen[*a], true) {
            return Err(format!("perm {p:?} repeats an axis"));
        }
    }
    if p.len() != rank {
        return Err(format!("perm {p:?} does not fit rank {rank}"));
    }
    Ok(p)
}

/// The axes of Squeeze/Unsqueeze/Reduce*: the attribute (older opsets) or constant input
/// `i`. `None`: not known (a non-constant input); `Some(None)`: not given.
fn axes_of(node: &Node, i: usize) -> Option<Option<Vec<i64>>> {
    if let Some(a) = node.ints("axes") {
        return Some(Some(a));
    }
    if node.has_input(i) {
        return node.konst(i).map(|c| Some(c.ints()));
    }
    Some(None)
}

fn norm_axes(axes: &[i64], rank: usize) -> Result<Vec<usize>, String> {
    axes.iter().map(|a| axis(*a, rank)).collect()
}

fn unsqueeze(x: &[u64], axes: &[i64]) -> Result<Vec<u64>, String> {
    let rank = x.len() + axes.len();
    let axes = norm_axes(axes, rank)?;
    let mut rest = x.iter();
    Ok((0..rank)
        .map(|i| {
            if axes.contains(&i) {
                1
            } else {
                *rest.next().unwrap_or(&1)
            }
        })
        .collect())
}

fn reduce(x: &[u64], axes: &[usize], keep: bool) -> Vec<u64> {
    x.iter()
        .enumerate()
        .filter_map(|(i, d)| match (axes.contains(&i), keep) {
            (true, true) => Some(1),
            (true, false) => None,
            (false, _) => Some(*d),
        })
        .collect()
}

/// Output size of a pooling window (`kernel_shape`, `strides`, `pads`, `dilations`,
/// `ceil_mode`, `auto_pad`).
fn pool(node: &Node, x: &[u64]) -> Result<Vec<u64>, String> {
    let kernel = node.ints("kernel_shape").ok_or("has no kernel_shape")?;
    let n = kernel.len();
    if x.len() != n + 2 {
        return Err(format!("a {n}-D window on an input of rank {}", x.len()));
    }
    let strides = node.ints("strides").unwrap_or_else(|| vec![1; n]);
    let dil = node.ints("dilations").unwrap_or_else(|| vec![1; n]);
    let pads = node.ints("pads").unwrap_or_else(|| vec![0; 2 * n]);
    let auto = node.string("auto_pad").unwrap_or_default();
    let ceil = node.int("ceil_mode", 0) != 0;
    if strides.len() != n || dil.len() != n || pads.len() != 2 * n {
        return Err("its strides, dilations or pads do not match kernel_shape".into());
    }
    let mut out = x[..2].to_vec();
    for i in 0..n {
        let (h, k, s, d) = (x[i + 2] as i64, kernel[i], strides[i], dil[i]);
        if k < 1 || s < 1 || d < 1 {
            return Err("kernel, strides and dilations must be positive".into());
        }
        let span = d * (k - 1) + 1;
        let o = match auto.as_str() {
            "SAME_UPPER" | "SAME_LOWER" => (h + s - 1) / s,
            "VALID" if h < span => 0,
            "VALID" => (h - span) / s + 1,
            _ => {
                let num = h + pads[i] + pads[i + n] - span;
                if num < 0 {
                    return Err(format!("window {span} is larger than the padded input"));
                }
                if ceil {
                    // The last window must start inside the input or its left padding.
                    let o = (num + s - 1) / s + 1;
                    if (o - 1) * s >= h + pads[i] { o - 1 } else { o }
                } else {
                    num / s + 1
                }
            }
        };
        out.push(o.max(0) as u64);
    }
    Ok(out)
}

/// One axis of a `Slice`: first index, step and output length.
#[derive(Debug, Clone, Copy)]
struct SliceAxis {
    start: i64,
    step: i64,
    len: u64,
}

/// Per axis of the input, for `Slice`.
type SliceParams = Vec<SliceAxis>;

fn slice_params(node: &Node, rank: usize) -> Result<Option<SliceParams>, String> {
    let x = node.shape(0).ok_or("input shape unknown")?;
    let (starts, ends, axes, steps) = if let Some(s) = node.ints("starts") {
        (
            s,
            node.ints("ends").ok_or("has starts but no ends")?,
            node.ints("axes"),
            None,
        )
    } else {
        let get = |i: usize| node.konst(i).map(|c| c.ints());
        let (Some(s), Some(e)) = (get(1), get(2)) else {
            return Ok(None);
        };
        if (node.has_input(3) && get(3).is_none()) || (node.has_input(4) && get(4).is_none()) {
            return Ok(None);
        }
        (s, e, get(3), get(4))
    };
    let axes = match axes {
        Some(a) => norm_axes(&a, rank)?,
        None => (0..starts.len()).collect(),
    };
    let steps = steps.unwrap_or_else(|| vec![1; axes.len()]);
    if starts.len() != axes.len() || ends.len() != axes.len() || steps.len() != axes.len() {
        return Err("its starts, ends, axes and steps differ in length".into());
    }
    let mut out: SliceParams = x
        .iter()
        .map(|d| SliceAxis {
            start: 0,
            step: 1,
            len: *d,
        })
        .collect();
    for (j, a) in axes.iter().enumerate() {
        let dim = x[*a] as i64;
        let step = steps[j];
        if step == 0 {
            return Err("a slice step is 0".into());
        }
        let norm = |v: i64| if v < 0 { v + dim } else { v };
        let (start, len) = if step > 0 {
            let s = norm(starts[j]).clamp(0, dim);
            let e = norm(ends[j]).clamp(0, dim);
            (s, if e > s { (e - s + step - 1) / step } else { 0 })
        } else {
            let s = norm(starts[j]).clamp(-1, dim - 1);
            let e = norm(ends[j]).clamp(-1, dim - 1);
            (s, if s > e { (s - e - step - 1) / -step } else { 0 })
        };
        out[*a] = SliceAxis {
            start,
            step,
            len: len as u64,
        };
    }
    Ok(Some(out))
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Maps every output index to an input index through `f` (per-axis coordinates).
fn remap(x: &Const, out_shape: Vec<usize>, f: impl Fn(&[usize]) -> usize) -> Const {
    let n: usize = out_shape.iter().product();
    let mut coord = vec![0usize; out_shape.len()];
    let mut idx = Vec::with_capacity(n);
    for _ in 0..n {
        idx.push(f(&coord));
        for a in (0..coord.len()).rev() {
            coord[a] += 1;
            if coord[a] < out_shape[a] {
                break;
            }
            coord[a] = 0;
        }
    }
    let data = match &x.data {
        Data::Float(v) => Data::Float(idx.iter().map(|i| v[*i]).collect()),
        Data::Int(v) => Data::Int(idx.iter().map(|i| v[*i]).collect()),
    };
    Const {
        shape: out_shape,
        data,
    }
}

/// `x` with its axes permuted: output axis `i` is input axis `p[i]`.
pub fn transpose(x: &Const, p: &[usize]) -> Const {
    let st = strides(&x.shape);
    let out: Vec<usize> = p.iter().map(|a| x.shape[*a]).collect();
    remap(x, out, |c| c.iter().zip(p).map(|(ci, a)| ci * st[*a]).sum())
}

fn broadcast_to(x: &Const, dims: &[usize]) -> Result<Const, String> {
    if x.shape == dims {
        return Ok(x.clone());
    }
    let target: Vec<u64> = dims.iter().map(|d| *d as u64).collect();
    if broadcast(&x.dims(), &target)? != target {
        return Err(format!("cannot expand {:?} to {dims:?}", x.shape));
    }
    element_count(dims).ok_or_else(|| format!("shape {dims:?} is too large"))?;
    let off = dims.len() - x.shape.len();
    let st = strides(&x.shape);
    Ok(remap(x, dims.to_vec(), |c| {
        (0..x.shape.len())
            .map(|i| {
                if x.shape[i] == 1 {
                    0
                } else {
                    c[i + off] * st[i]
                }
            })
            .sum()
    }))
}

fn binary(a: &Const, b: &Const, op: &str) -> Result<Const, String> {
    let shape = broadcast(&a.dims(), &b.dims())?;
    let dims: Vec<usize> = shape.iter().map(|d| *d as usize).collect();
    let (a, b) = (broadcast_to(a, &dims)?, broadcast_to(b, &dims)?);
    let compare = matches!(op, "Equal" | "Less" | "Greater");
    Ok(match (&a.data, &b.data) {
        (Data::Int(x), Data::Int(y)) => {
            let f = |p: i64, q: i64| -> Result<i64, String> {
                Ok(match op {
                    "Add" => p.wrapping_add(q),
                    "Sub" => p.wrapping_sub(q),
                    "Mul" => p.wrapping_mul(q),
                    "Div" => p.checked_div(q).ok_or("divides by zero")?,
                    "Equal" => i64::from(p == q),
                    "Less" => i64::from(p < q),
                    "Greater" => i64::from(p > q),
                    "Max" => p.max(q),
                    _ => p.min(q),
                })
            };
            Const::int(
                dims,
                x.iter()
                    .zip(y)
                    .map(|(p, q)| f(*p, *q))
                    .collect::<Result<_, _>>()?,
            )
        }
        _ => {
            let (x, y) = (a.floats(), b.floats());
            let f = |p: f32, q: f32| match op {
                "Add" => p + q,
                "Sub" => p - q,
                "Mul" => p * q,
                "Div" => p / q,
                "Equal" => f32::from(u8::from(p == q)),
                "Less" => f32::from(u8::from(p < q)),
                "Greater" => f32::from(u8::from(p > q)),
                "Max" => p.max(q),
                _ => p.min(q),
            };
            let v: Vec<f32> = x.iter().zip(&y).map(|(p, q)| f(*p, *q)).collect();
            if compare {
                Const::int(dims, v.iter().map(|z| *z as i64).collect())
            } else {
                Const::float(dims, v)
            }
        }
    })
}

fn concat(parts: &[std::rc::Rc<Const>], a: usize, shape: Vec<usize>) -> Const {
    let outer: usize = shape[..a].iter().product();
    let all_int = parts.iter().all(|p| matches!(p.data, Data::Int(_)));
    let mut ints = Vec::new();
    let mut floats = Vec::new();
    for o in 0..outer {
        for p in parts {
            let chunk: usize = p.shape[a..].iter().product();
            let range = o * chunk..(o + 1) * chunk;
            match &p.data {
                Data::Int(v) if all_int => ints.extend_from_slice(&v[range]),
                _ => floats.extend(p.floats()[range].iter()),
            }
        }
    }
    if all_int {
        Const::int(shape, ints)
    } else {
        Const::float(shape, floats)
    }
}

fn gather(x: &Const, ix: &[i64], ix_shape: &[usize], a: usize) -> Result<Const, String> {
    let dim = x.shape[a] as i64;
    let ix: Vec<usize> = ix
        .iter()
        .map(|i| {
            let j = if *i < 0 { i + dim } else { *i };
            if (0..dim).contains(&j) {
                Ok(j as usize)
            } else {
                Err(format!(
                    "index {i} is out of range for an axis of length {dim}"
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    let mut shape = x.shape[..a].to_vec();
    shape.extend_from_slice(ix_shape);
    shape.extend_from_slice(&x.shape[a + 1..]);
    element_count(&shape).ok_or("its result is too large")?;
    let st = strides(&x.shape);
    let q = ix_shape.len();
    let ix_st = strides(ix_shape);
    Ok(remap(x, shape, |c| {
        let flat: usize = c[a..a + q].iter().zip(&ix_st).map(|(ci, s)| ci * s).sum();
        let mut off = ix[flat] * st[a];
        for i in 0..a {
            off += c[i] * st[i];
        }
        for i in a + 1..x.shape.len() {
            off += c[i + q - 1] * st[i];
        }
        off
    }))
}

fn slice(x: &Const, params: &SliceParams) -> Const {
    let st = strides(&x.shape);
    let out: Vec<usize> = params.iter().map(|p| p.len as usize).collect();
    remap(x, out, |c| {
        c.iter()
            .zip(params)
            .zip(&st)
            .map(|((ci, p), s)| (p.start + *ci as i64 * p.step) as usize * s)
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reshape_copies_zeros_and_infers_one_dimension() {
        assert_eq!(reshape(&[2, 3, 4], &[0, -1], false).unwrap(), [2, 12]);
        assert_eq!(reshape(&[2, 3, 4], &[4, 6], false).unwrap(), [4, 6]);
        assert!(reshape(&[2, 3, 4], &[5, -1], false).is_err());
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[8, 1, 6, 1], &[7, 1, 5]).unwrap(), [8, 7, 6, 5]);
        assert!(broadcast(&[3], &[4]).is_err());
    }

    #[test]
    fn transpose_and_gather_move_elements() {
        let x = Const::int(vec![2, 3], vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(transpose(&x, &[1, 0]).ints(), [0, 3, 1, 4, 2, 5]);
        let g = gather(&x, &[2, 0], &[2], 1).unwrap();
        assert_eq!((g.shape.clone(), g.ints()), (vec![2, 2], vec![2, 0, 5, 3]));
    }
}
