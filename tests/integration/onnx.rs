//! ONNX import: models written here with the ONNX protobuf types, every lowered layer's M, N,
//! K and MACs checked against hand computation, weights against the tensors written in.

use crate::common::{sparsim, stderr, stdout};
use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{Dimension, dimension};
use onnx_protobuf::type_proto::{self, Tensor as TensorType};
use onnx_protobuf::{
    AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto, attribute_proto::AttributeType,
};
use proptest::prelude::*;
use protobuf::Enum;
use sparsim::weights::files::parse_tensors;
use sparsim::weights::{WeightSource, network_weights};
use sparsim::workload::onnx::{OnnxImport, OnnxOptions, Outcome, import_onnx};
use sparsim::workload::{GemmShape, LayerOp};

/// A graph under construction.
#[derive(Default)]
struct G {
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
}

enum A {
    I(i64),
    Is(Vec<i64>),
    S(&'static str),
    T(Box<TensorProto>),
}

fn floats(name: &str, dims: &[i64], data: Vec<f32>) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = dims.to_vec();
    t.data_type = DataType::FLOAT.value();
    t.float_data = data;
    t
}

fn ints(name: &str, data: &[i64]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = vec![data.len() as i64];
    t.data_type = DataType::INT64.value();
    t.int64_data = data.to_vec();
    t
}

/// `0, 1, 2, …` in the tensor's (C) order.
fn iota(name: &str, dims: &[i64]) -> TensorProto {
    let n: i64 = dims.iter().product();
    floats(name, dims, (0..n).map(|x| x as f32).collect())
}

impl G {
    fn input(&mut self, name: &str, dims: &[&str]) -> &mut Self {
        let mut shape = TensorShapeProto::new();
        for d in dims {
            let mut dim = Dimension::new();
            dim.value = Some(match d.parse::<i64>() {
                Ok(v) => dimension::Value::DimValue(v),
                Err(_) => dimension::Value::DimParam(d.to_string()),
            });
            shape.dim.push(dim);
        }
        let mut tt = TensorType::new();
        tt.elem_type = DataType::FLOAT.value();
        tt.shape = Some(shape).into();
        let mut ty = TypeProto::new();
        ty.value = Some(type_proto::Value::TensorType(tt));
        let mut v = ValueInfoProto::new();
        v.name = name.into();
        v.type_ = Some(ty).into();
        self.inputs.push(v);
        self
    }

    fn init(&mut self, t: TensorProto) -> &mut Self {
        self.inits.push(t);
        self
    }

    fn node(
        &mut self,
        op: &str,
        name: &str,
        inputs: &[&str],
        outputs: &[&str],
        attrs: Vec<(&str, A)>,
    ) -> &mut Self {
        let mut n = NodeProto::new();
        n.op_type = op.into();
        n.name = name.into();
        n.input = inputs.iter().map(|s| s.to_string()).collect();
        n.output = outputs.iter().map(|s| s.to_string()).collect();
        for (k, v) in attrs {
            let mut a = AttributeProto::new();
            a.name = k.into();
            match v {
                A::I(i) => {
                    a.type_ = AttributeType::INT.into();
                    a.i = i;
                }
                A::Is(is) => {
                    a.type_ = AttributeType::INTS.into();
                    a.ints = is;
                }
                A::S(s) => {
                    a.type_ = AttributeType::STRING.into();
                    a.s = s.as_bytes().to_vec();
                }
                A::T(t) => {
                    a.type_ = AttributeType::TENSOR.into();
                    a.t = Some(*t).into();
                }
            }
            n.attribute.push(a);
        }
        self.nodes.push(n);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut g = GraphProto::new();
        g.name = "main_graph".into();
        g.node = self.nodes.clone();
        g.initializer = self.inits.clone();
        g.input = self.inputs.clone();
        let mut m = ModelProto::new();
        m.ir_version = 8;
        m.producer_name = "sparsim-tests".into();
        let mut op = OperatorSetIdProto::new();
        op.version = 17;
        m.opset_import.push(op);
        m.graph = Some(g).into();
        m.write_to_bytes().unwrap()
    }
}

fn import(g: &G, opts: &OnnxOptions) -> OnnxImport {
    import_onnx(&g.bytes(), "m.onnx", "m", opts).unwrap_or_else(|e| panic!("{e}"))
}

fn import_err(g: &G, opts: &OnnxOptions) -> String {
    import_onnx(&g.bytes(), "m.onnx", "m", opts)
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

/// (name, GEMM shape, instances, MACs) of every layer.
fn shapes(i: &OnnxImport) -> Vec<(String, GemmShape, u64, u64)> {
    i.network
        .layers
        .iter()
        .map(|l| {
            let w = l.gemm_work().unwrap();
            (l.name.clone(), w.shape, w.instances, l.macs())
        })
        .collect()
}

fn gemm(m: u64, n: u64, k: u64) -> GemmShape {
    GemmShape { m, n, k }
}

/// A small CNN: a padded conv, a pool, a depthwise conv whose weights come from
/// `ConstantOfShape`, a grouped dilated conv with float16 weights, a `SAME_UPPER` strided
/// conv (asymmetric padding), global pooling, a `Reshape` whose shape is computed from
/// `Shape`, and a `Gemm` whose weights are dequantized int8.
fn cnn() -> G {
    let mut g = G::default();
    let mut half = TensorProto::new();
    half.name = "grp.weight".into();
    half.dims = vec![32, 8, 3, 3];
    half.data_type = DataType::FLOAT16.value();
    // 0x3800 is 0.5 in float16.
    half.raw_data = [0x00u8, 0x38].repeat(32 * 8 * 9);
    let mut q = TensorProto::new();
    q.name = "fc_q".into();
    q.dims = vec![10, 8];
    q.data_type = DataType::INT8.value();
    q.raw_data = (0..80u8).map(|x| x.wrapping_sub(40)).collect();
    g.input("x", &["N", "3", "32", "32"])
        .init(iota("conv1.weight", &[16, 3, 3, 3]))
        .init(ints("dw_shape", &[16, 1, 3, 3]))
        .init(half)
        .init(iota("down.weight", &[8, 32, 3, 3]))
        .init(q)
        .init(floats("fc_scale", &[], vec![0.25]))
        .init(ints("minus_one", &[-1]))
        .node(
            "Conv",
            "/conv1/Conv",
            &["x", "conv1.weight"],
            &["c1"],
            vec![("pads", A::Is(vec![1, 1, 1, 1]))],
        )
        .node("Relu", "/relu/Relu", &["c1"], &["r1"], vec![])
        .node(
            "MaxPool",
            "/pool/MaxPool",
            &["r1"],
            &["p1"],
            vec![
                ("kernel_shape", A::Is(vec![2, 2])),
                ("strides", A::Is(vec![2, 2])),
            ],
        )
        .node(
            "ConstantOfShape",
            "make_dw",
            &["dw_shape"],
            &["dw_w"],
            vec![("value", A::T(Box::new(floats("", &[1], vec![0.5]))))],
        )
        .node(
            "Conv",
            "/features/dw/Conv",
            &["p1", "dw_w"],
            &["c2"],
            vec![
                ("group", A::I(16)),
                ("strides", A::Is(vec![2, 2])),
                ("pads", A::Is(vec![1, 1, 1, 1])),
            ],
        )
        .node(
            "Conv",
            "/grp/Conv",
            &["c2", "grp.weight"],
            &["c3"],
            vec![
                ("group", A::I(2)),
                ("dilations", A::Is(vec![2, 2])),
                ("pads", A::Is(vec![2, 2, 2, 2])),
            ],
        )
        .node(
            "Conv",
            "/down/Conv",
            &["c3", "down.weight"],
            &["c4"],
            vec![
                ("strides", A::Is(vec![2, 2])),
                ("auto_pad", A::S("SAME_UPPER")),
            ],
        )
        .node("GlobalAveragePool", "/gap", &["c4"], &["g"], vec![])
        .node("Shape", "/shape", &["g"], &["s"], vec![])
        .node(
            "Gather",
            "/gather",
            &["s", "zero"],
            &["n"],
            vec![("axis", A::I(0))],
        )
        .init({
            let mut z = ints("zero", &[0]);
            z.dims = vec![];
            z
        })
        .node("Unsqueeze", "/unsq", &["n", "axes0"], &["n1"], vec![])
        .init(ints("axes0", &[0]))
        .node(
            "Concat",
            "/cat",
            &["n1", "minus_one"],
            &["shape2"],
            vec![("axis", A::I(0))],
        )
        .node("Reshape", "/flat", &["g", "shape2"], &["f"], vec![])
        .node(
            "DequantizeLinear",
            "/dq",
            &["fc_q", "fc_scale"],
            &["fc_w"],
            vec![],
        )
        .node(
            "Gemm",
            "/fc/Gemm",
            &["f", "fc_w"],
            &["y"],
            vec![("transB", A::I(1))],
        );
    g
}

#[test]
fn convolutions_lower_with_strides_pads_dilations_groups_and_same_padding() {
    let i = import(
        &cnn(),
        &OnnxOptions {
            batch: Some(2),
            dims: vec![],
        },
    );
    // Hand computation, batch 2:
    // conv1: 32×32 out (pad 1), M = 2·32·32, N = 16, K = 3·3·3.
    // dw: 16×16 in, stride 2, pad 1 → 8×8; per group M = 2·64, N = 1, K = 9; 16 groups.
    // grp: 8×8 in, dilation 2 (span 5), pad 2 → 8×8; per group M = 128, N = 16, K = 9·16/2.
    // down: 8×8 in, SAME_UPPER stride 2 → 4×4 (pads 0 above, 1 below); M = 2·16, N = 8,
    //   K = 9·32.
    // fc: M = 2, N = 10, K = 8.
    assert_eq!(
        shapes(&i),
        vec![
            ("conv1".into(), gemm(2048, 16, 27), 1, 884_736),
            ("features.dw".into(), gemm(128, 1, 9), 16, 18_432),
            ("grp".into(), gemm(128, 16, 72), 2, 294_912),
            ("down".into(), gemm(32, 8, 288), 1, 73_728),
            ("fc".into(), gemm(2, 10, 8), 1, 160),
        ]
    );
    let LayerOp::Conv(down) = &i.network.layers[3].op else {
        panic!()
    };
    assert_eq!(
        (down.pad_h, down.pad_bottom, down.pad_w, down.pad_right),
        (0, 1, 0, 1)
    );
    let outcomes: Vec<(&str, &str)> = i
        .nodes
        .iter()
        .map(|n| {
            let o = match n.outcome {
                Outcome::Lowered { .. } => "lowered",
                Outcome::Folded => "folded",
                Outcome::ActivationProduct { .. } => "product",
                Outcome::Skipped { .. } => "skipped",
            };
            (n.op.as_str(), o)
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Conv", "lowered"),
            ("Relu", "skipped"),
            ("MaxPool", "skipped"),
            ("ConstantOfShape", "folded"),
            ("Conv", "lowered"),
            ("Conv", "lowered"),
            ("Conv", "lowered"),
            ("GlobalAveragePool", "skipped"),
            ("Shape", "folded"),
            ("Gather", "folded"),
            ("Unsqueeze", "folded"),
            ("Concat", "folded"),
            ("Reshape", "skipped"),
            ("DequantizeLinear", "folded"),
            ("Gemm", "lowered"),
        ]
    );
}

#[test]
fn weights_come_from_initializers_and_folded_constants() {
    let i = import(&cnn(), &OnnxOptions::default());
    let t = |name: &str| i.tensors.iter().find(|t| t.name == name).unwrap();
    // The conv1 initializer equals the same tensor read from a .npy file.
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (16, 3, 3, 3), }";
    let pad = 64 - (10 + header.len() + 1) % 64;
    let header = format!("{header}{}\n", " ".repeat(pad));
    npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    for x in 0..432 {
        npy.extend_from_slice(&(x as f32).to_le_bytes());
    }
    let from_npy = parse_tensors(&npy, "conv1.weight.npy", "conv1.weight", "npy").unwrap();
    assert_eq!(t("conv1.weight").shape, from_npy[0].shape);
    assert_eq!(t("conv1.weight").data, from_npy[0].data);
    // ConstantOfShape's value, float16 halves, int8 × scale.
    assert!(t("features.dw.weight").data.iter().all(|w| *w == 0.5));
    assert_eq!(t("features.dw.weight").shape, [16, 1, 3, 3]);
    assert!(t("grp.weight").data.iter().all(|w| *w == 0.5));
    assert_eq!(t("fc.weight").shape, [10, 8]);
    assert_eq!(t("fc.weight").data[..3], [-10.0, -9.75, -9.5]);
    // Bound in sparsim's channel-fastest column order: column j = (r·kw + q)·C + c, so
    // W[0][1] is PyTorch's [0, c = 1, 0, 0], element 9 of the flattened filter.
    let source = WeightSource::Tensors {
        origin: "m.onnx".into(),
        tensors: i.tensors.clone(),
    };
    let w = network_weights(&i.network, &source).unwrap();
    let conv1 = w[0].as_ref().unwrap();
    assert_eq!(conv1.matrices[0].get(0, 1), 9.0);
    assert_eq!(w[1].as_ref().unwrap().matrices.len(), 16);
    // Without --batch the symbolic batch is 1, and the import says so.
    assert_eq!(i.network.layers[0].gemm_work().unwrap().shape.m, 1024);
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("input `x`: its first dimension `N` has no size; batch 1 is used"))
    );
}

#[test]
fn transposed_convolutions_lower_to_the_gemm_of_every_pixel_and_tap() {
    let mut g = G::default();
    g.input("x", &["1", "2", "4", "4"])
        .init(iota("up.weight", &[2, 3, 3, 3]))
        .node(
            "ConvTranspose",
            "/up/ConvTranspose",
            &["x", "up.weight"],
            &["y"],
            vec![
                ("strides", A::Is(vec![2, 2])),
                ("pads", A::Is(vec![1, 1, 1, 1])),
                ("output_padding", A::Is(vec![1, 1])),
            ],
        )
        .node("Relu", "", &["y"], &["z"], vec![])
        .init(iota("head.weight", &[5, 3, 1, 1]))
        .node("Conv", "", &["z", "head.weight"], &["o"], vec![]);
    let i = import(&g, &OnnxOptions::default());
    // 16 input pixels × 9 taps × 2 in × 3 out channels; output 2·(4 − 1) + 1 + 3 − 2 = 8 wide,
    // so the 1×1 head sees 8×8 pixels.
    assert_eq!(
        shapes(&i),
        vec![
            ("up".into(), gemm(16, 27, 2), 1, 864),
            ("head".into(), gemm(64, 5, 3), 1, 960),
        ]
    );
    // W_s[(co·3 + r)·3 + q][ci] = W[ci, co, r, q] = ci·27 + (co·3 + r)·3 + q.
    let w = &i.tensors[0];
    assert_eq!(w.shape, [27, 2]);
    assert_eq!(&w.data[..4], [0.0, 27.0, 1.0, 28.0]);
}

#[test]
fn one_dimensional_convolutions_are_two_dimensional_ones_of_height_one() {
    let mut g = G::default();
    g.input("x", &["1", "4", "10"])
        .init(iota("c.weight", &[6, 4, 3]))
        .node(
            "Conv",
            "",
            &["x", "c.weight"],
            &["y"],
            vec![("pads", A::Is(vec![1, 1]))],
        );
    let i = import(&g, &OnnxOptions::default());
    assert_eq!(shapes(&i), vec![("c".into(), gemm(10, 6, 12), 1, 720)]);
    assert_eq!(i.tensors[0].shape, [6, 4, 1, 3]);
}

/// An attention block: projections are weight GEMMs, the score and context products multiply
/// two activations.
fn attention() -> G {
    let mut g = G::default();
    g.input("x", &["batch", "seq", "16"])
        .init(iota("onnx::MatMul_1", &[16, 16]))
        .init(iota("onnx::MatMul_2", &[16, 16]))
        .init(iota("mix", &[4, 16]))
        .node(
            "MatMul",
            "/encoder/layer.0/attention/self/query/MatMul",
            &["x", "onnx::MatMul_1"],
            &["q"],
            vec![],
        )
        .node(
            "MatMul",
            "/encoder/layer.0/attention/self/key/MatMul",
            &["x", "onnx::MatMul_2"],
            &["k"],
            vec![],
        )
        .node(
            "Transpose",
            "/t",
            &["k"],
            &["kt"],
            vec![("perm", A::Is(vec![0, 2, 1]))],
        )
        .node("MatMul", "/scores/MatMul", &["q", "kt"], &["s"], vec![])
        .node("Softmax", "/sm", &["s"], &["p"], vec![("axis", A::I(-1))])
        .node("MatMul", "/context/MatMul", &["p", "q"], &["c"], vec![])
        // A constant first operand: mixed = mix[4×16] · c[b, 16, s] needs c transposed.
        .node(
            "Transpose",
            "/t2",
            &["c"],
            &["ct"],
            vec![("perm", A::Is(vec![0, 2, 1]))],
        )
        .node("MatMul", "/mix/MatMul", &["mix", "ct"], &["y"], vec![]);
    g
}

#[test]
fn matmuls_with_a_constant_operand_lower_and_activation_products_are_reported() {
    let opts = OnnxOptions {
        batch: Some(2),
        dims: vec![("seq".into(), 8)],
    };
    let i = import(&attention(), &opts);
    // q, k: M = batch·seq = 16, N = 16, K = 16. mix: Y[b] = A[4×16]·X[b][16×8], so the array
    // sees Yᵀ = Xᵀ·Aᵀ: M = 2·8, N = 4, K = 16.
    assert_eq!(
        shapes(&i),
        vec![
            (
                "encoder.layer.0.attention.self.query".into(),
                gemm(16, 16, 16),
                1,
                4096
            ),
            (
                "encoder.layer.0.attention.self.key".into(),
                gemm(16, 16, 16),
                1,
                4096
            ),
            ("mix".into(), gemm(16, 4, 16), 1, 1024),
        ]
    );
    // The query weight in PyTorch's [out, in] orientation: W[n][k] = B[k][n] = 16·k + n.
    let q = &i.tensors[0];
    assert_eq!(q.name, "encoder.layer.0.attention.self.query.weight");
    assert_eq!((q.data[1], q.data[16]), (16.0, 1.0));
    let products: Vec<u64> = i
        .nodes
        .iter()
        .filter_map(|n| match n.outcome {
            Outcome::ActivationProduct { macs } => Some(macs),
            _ => None,
        })
        .collect();
    // scores: 2 × (8×16)·(16×8); context: 2 × (8×8)·(8×16).
    assert_eq!(products, [2048, 2048]);
}

#[test]
fn gemm_transposes_either_operand_and_may_hold_the_weight_first() {
    let mut g = G::default();
    g.input("a", &["3", "5"])
        .init(iota("b", &[5, 4]))
        .init(iota("w2", &[4, 2]))
        .node("Gemm", "g1", &["a", "b"], &["y1"], vec![])
        .node(
            "Gemm",
            "g2",
            &["w2", "y1"],
            &["y2"],
            vec![("transA", A::I(1)), ("transB", A::I(1))],
        );
    let i = import(&g, &OnnxOptions::default());
    // g1: [3×5]·[5×4]. g2: Y[2×3] = w2ᵀ[2×4] · y1ᵀ[4×3], computed as Yᵀ = y1·w2: M = 3 rows of
    // y1, N = 2, K = 4.
    assert_eq!(
        shapes(&i),
        vec![
            ("g1".into(), gemm(3, 4, 5), 1, 60),
            ("g2".into(), gemm(3, 2, 4), 1, 24),
        ]
    );
    // g1's weight is bᵀ: W[n][k] = b[k][n] = 4k + n. g2's is w2ᵀ: W[m][k] = w2[k][m] = 2k + m.
    assert_eq!(
        (i.tensors[0].shape.clone(), i.tensors[0].data[1]),
        (vec![4, 5], 4.0)
    );
    assert_eq!(
        (
            i.tensors[1].shape.clone(),
            i.tensors[1].data[1],
            i.tensors[1].data[4]
        ),
        (vec![2, 4], 2.0, 1.0)
    );
}

#[test]
fn free_dimensions_must_be_sized() {
    assert_eq!(
        import_err(&attention(), &OnnxOptions::default()),
        "m.onnx: input `x`: dimension 1 is the symbolic `seq`: give its size with --dim seq=N"
    );
    let e = import_err(
        &attention(),
        &OnnxOptions {
            batch: None,
            dims: vec![("seq".into(), 4), ("heads".into(), 2)],
        },
    );
    assert_eq!(
        e,
        "m.onnx: --dim heads: the model's inputs have no symbolic dimension `heads` (they have: batch, seq)"
    );
}

#[test]
fn recurrent_layers_lower_per_direction_with_pytorch_gate_order() {
    let mut g = G::default();
    // LSTM W rows hold their ONNX gate index (i, o, f, c = 0, 1, 2, 3).
    let gate_rows = |dirs: usize, gates: usize, h: usize, cols: usize| -> Vec<f32> {
        (0..dirs * gates * h * cols)
            .map(|x| ((x / (h * cols)) % gates) as f32)
            .collect()
    };
    g.input("x", &["5", "3", "4"])
        .input("z", &["2", "7", "4"])
        .init(floats("W", &[2, 24, 4], gate_rows(2, 4, 6, 4)))
        .init(floats("R", &[2, 24, 6], gate_rows(2, 4, 6, 6)))
        .init(floats("Wg", &[1, 15, 4], gate_rows(1, 3, 5, 4)))
        .init(floats("Rg", &[1, 15, 5], gate_rows(1, 3, 5, 5)))
        .node(
            "LSTM",
            "/rnn/LSTM",
            &["x", "W", "R"],
            &["y", "yh", "yc"],
            vec![
                ("hidden_size", A::I(6)),
                ("direction", A::S("bidirectional")),
            ],
        )
        .node(
            "GRU",
            "/gru/GRU",
            &["z", "Wg", "Rg"],
            &["gy"],
            vec![("hidden_size", A::I(5)), ("layout", A::I(1))],
        );
    let i = import(&g, &OnnxOptions::default());
    // LSTM: per step M = batch 3, N = 4·6, K = 4 + 6, over 5 steps; GRU (batch-first):
    // M = 2, N = 3·5, K = 4 + 5, over 7 steps.
    assert_eq!(
        shapes(&i),
        vec![
            ("rnn".into(), gemm(3, 24, 10), 5, 3600),
            ("rnn_reverse".into(), gemm(3, 24, 10), 5, 3600),
            ("gru".into(), gemm(2, 15, 9), 7, 1890),
        ]
    );
    let t = |name: &str| i.tensors.iter().find(|t| t.name == name).unwrap();
    let first_of_block = |name: &str, h: usize, cols: usize, blocks: usize| -> Vec<f32> {
        (0..blocks).map(|b| t(name).data[b * h * cols]).collect()
    };
    // PyTorch's LSTM order i, f, g, o = ONNX blocks 0, 2, 3, 1; GRU r, z, n = ONNX 1, 0, 2.
    assert_eq!(
        first_of_block("rnn.weight_ih_l0", 6, 4, 4),
        [0.0, 2.0, 3.0, 1.0]
    );
    assert_eq!(
        first_of_block("rnn_reverse.weight_hh_l0", 6, 6, 4),
        [0.0, 2.0, 3.0, 1.0]
    );
    assert_eq!(first_of_block("gru.weight_ih_l0", 5, 4, 3), [1.0, 0.0, 2.0]);
    assert_eq!(i.network.layers[2].kind_name(), "gru");
}

#[test]
fn unsupported_and_malformed_models_get_clear_errors() {
    let einsum = {
        let mut g = G::default();
        g.input("x", &["2", "4"]).init(iota("w", &[4, 3])).node(
            "Einsum",
            "mix",
            &["x", "w"],
            &["y"],
            vec![("equation", A::S("ij,jk->ik"))],
        );
        g
    };
    assert_eq!(
        import_err(&einsum, &OnnxOptions::default()),
        "m.onnx: node `mix` (Einsum): `Einsum` carries MACs: Einsum is not lowered: export the model with the contraction written as MatMul (e.g. torch.matmul instead of torch.einsum)"
    );
    let moving_weight = {
        let mut g = G::default();
        g.input("x", &["1", "2", "4", "4"])
            .input("w", &["2", "2", "3", "3"])
            .node("Conv", "", &["x", "w"], &["y"], vec![]);
        g
    };
    assert_eq!(
        import_err(&moving_weight, &OnnxOptions::default()),
        "m.onnx: node `#0` (Conv): its weight `w` is not a constant: sparsim simulates layers whose weights are fixed (initializers, or nodes folded from them)"
    );
    let no_macs = {
        let mut g = G::default();
        g.input("x", &["1", "4"])
            .node("Relu", "", &["x"], &["y"], vec![]);
        g
    };
    assert_eq!(
        import_err(&no_macs, &OnnxOptions::default()),
        "m.onnx: found no Conv, Gemm, MatMul with a constant operand, LSTM, GRU or RNN node: nothing to simulate"
    );
    let lost_shape = {
        let mut g = G::default();
        g.input("x", &["1", "4"])
            .init(iota("w", &[4, 4]))
            .node("NonZero", "nz", &["x"], &["i"], vec![])
            .node("MatMul", "mm", &["i", "w"], &["y"], vec![]);
        g
    };
    assert_eq!(
        import_err(&lost_shape, &OnnxOptions::default()),
        "m.onnx: node `mm` (MatMul): the shape of its input `i` is not known (sparsim does not follow the shapes of node `nz` (NonZero))"
    );
    let e = import_onnx(
        b"\x0a\xff\xff\xff\xff\x0f",
        "bad.onnx",
        "bad",
        &OnnxOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("bad.onnx: not an ONNX model (protobuf): "),
        "{e}"
    );
}

#[test]
fn the_cli_runs_and_compares_an_onnx_model_and_says_what_it_lowered() {
    let dir = crate::common::temp_dir("onnx", "cli");
    std::fs::write(dir.join("cnn.onnx"), cnn().bytes()).unwrap();
    let o = sparsim(
        &[
            "compare",
            "--workload",
            "cnn.onnx",
            "--batch",
            "2",
            "--layouts",
            "dense,nm,colcomb",
            "--out",
            "out",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "cnn.onnx: ONNX IR version 8, opset 17, produced by sparsim-tests\n  lowered 5 nodes to 5 layers (4 Conv, 1 Gemm; 1.27 M MACs)\n  folded 6 nodes of constants (weights and shape arithmetic)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  skipped 4 nodes without MACs on the array (1 Relu, 1 MaxPool, 1 GlobalAveragePool, 1 Reshape)\n"),
        "{out}"
    );
    let nodes = std::fs::read_to_string(dir.join("out/onnx_nodes.csv")).unwrap();
    assert!(
        nodes.starts_with(
            "index,node,op,outcome,layers,macs\n0,/conv1/Conv,Conv,lowered,conv1,884736\n"
        ),
        "{nodes}"
    );
    let compare = std::fs::read_to_string(dir.join("out/compare.csv")).unwrap();
    assert_eq!(compare.lines().count(), 1 + 5 * 3);

    let o = sparsim(
        &[
            "run",
            "--workload",
            "cnn.onnx",
            "--layout",
            "nm",
            "--out",
            "run",
            "-q",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sparsim(&["check", "cnn.onnx"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("ok: workload `cnn`: 5 layers (5 on the array), 635,984 MACs\n"),
        "{}",
        stdout(&o)
    );
    let o = sparsim(&["run", "--batch", "2"], &dir);
    assert_eq!(
        stderr(&o),
        "error: --batch and --dim size the free dimensions of an ONNX workload (--workload model.onnx); other workloads state their sizes in the file\n"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Corrupted models (bytes overwritten anywhere) are imported or refused, never a panic.
    #[test]
    fn corrupted_models_never_panic(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = if which == 0 { cnn().bytes() } else { attention().bytes() };
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let opts = OnnxOptions { batch: Some(2), dims: vec![("seq".into(), 4)] };
        let _ = import_onnx(&bytes, "m.onnx", "m", &opts);
    }
}
