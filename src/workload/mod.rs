//! Networks and layers, and how each layer lowers to GEMMs on the array (`docs/model.md` §1).
//!
//! Three input forms build a [`Network`]: native TOML ([`toml_format`]), SCALE-Sim topology CSV
//! ([`scalesim_csv`]) and ConvNetDraw notation ([`convnetdraw`]). All shape checks happen in the
//! constructors here, so a `Network` that exists lowers without failure.

pub mod convnetdraw;
pub mod onnx;
pub mod scalesim_csv;
pub mod toml_format;

use crate::weights::WeightSpread;
use serde::Serialize;
use std::fmt;

/// A network: named layers in execution order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    /// Display name.
    pub name: String,
    /// Layers in order.
    pub layers: Vec<Layer>,
    /// The spreads of the synthetic weights the workload asks for (its `[weight_spread]`
    /// table in TOML; the defaults otherwise). Weights read from a file ignore them.
    pub weight_spread: WeightSpread,
}

impl Network {
    /// Things about the network that are allowed but often a mistake, one sentence each:
    /// layers sharing a name (results are keyed by position, but reports read ambiguously).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, l) in self.layers.iter().enumerate() {
            if let Some(&j) = first.get(l.name.as_str()) {
                out.push(format!(
                    "layers {} and {} are both named `{}`; rows of the same name are told apart only by their position",
                    j + 1,
                    i + 1,
                    l.name
                ));
            } else {
                first.insert(&l.name, i);
            }
        }
        out
    }

    /// Total MACs of the layers that map on the array.
    pub fn macs(&self) -> u64 {
        self.layers.iter().map(Layer::macs).sum()
    }
}

/// One layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layer {
    /// Layer name (unique names are not required).
    pub name: String,
    /// What it computes.
    pub op: LayerOp,
    /// N:M weight sparsity declared by a SCALE-Sim topology (`N:M` column), if any.
    pub declared_nm: Option<(u32, u32)>,
    /// Names of the weight tensors this layer reads from a weights file (the `weights` key),
    /// if given; otherwise [`crate::weights::tensor_names`] gives the default.
    pub weight_tensors: Option<Vec<String>>,
}

/// What a layer computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LayerOp {
    /// 2-D convolution (groups and depthwise included).
    Conv(Conv2d),
    /// Fully connected layer or explicit GEMM.
    Gemm(Gemm),
    /// Recurrent layer (LSTM, GRU or plain RNN): one GEMM per time step.
    Recurrent(Recurrent),
    /// A layer with no MACs on the array (pool, relu, softmax, …): listed, not mapped.
    NonMac(NonMacKind),
}

/// Layers that are accepted and listed but do not run on the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NonMacKind {
    /// Max or average pooling.
    Pool,
    /// ReLU (or any element-wise activation).
    Relu,
    /// Softmax.
    Softmax,
    /// Element-wise addition (residual connection).
    Add,
}

impl NonMacKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            NonMacKind::Pool => "pool",
            NonMacKind::Relu => "relu",
            NonMacKind::Softmax => "softmax",
            NonMacKind::Add => "add",
        }
    }
}

/// How the output size of a convolution is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputRule {
    /// `Ho = floor((H + 2p − kh)/s) + 1` (native workloads, explicit padding).
    Padded,
    /// SCALE-Sim's rule: no padding, `Ho = ceil((H − kh + s)/s)`; windows may run past the
    /// input edge, and SCALE-Sim counts those reads.
    ScaleSim,
}

/// A 2-D convolution, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conv2d {
    /// Batch size.
    pub batch: u64,
    /// Input height H.
    pub ifmap_h: u64,
    /// Input width W.
    pub ifmap_w: u64,
    /// Input channels C.
    pub channels: u64,
    /// Output channels (filters) F.
    pub filters: u64,
    /// Kernel height.
    pub kernel_h: u64,
    /// Kernel width.
    pub kernel_w: u64,
    /// Vertical stride.
    pub stride_h: u64,
    /// Horizontal stride.
    pub stride_w: u64,
    /// Zero padding rows above the input (and below it unless `pad_bottom` differs).
    pub pad_h: u64,
    /// Zero padding columns left of the input (and right of it unless `pad_right` differs).
    pub pad_w: u64,
    /// Zero padding rows below the input.
    pub pad_bottom: u64,
    /// Zero padding columns right of the input.
    pub pad_right: u64,
    /// Vertical dilation: kernel taps are `dilation_h` input rows apart (1 = dense kernel).
    pub dilation_h: u64,
    /// Horizontal dilation.
    pub dilation_w: u64,
    /// Groups (1 = ordinary conv, `channels` = depthwise).
    pub groups: u64,
    /// Output-size rule.
    pub rule: OutputRule,
    /// Output height.
    pub ofmap_h: u64,
    /// Output width.
    pub ofmap_w: u64,
}

/// Parameters of a convolution before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvSpec {
    /// Batch size.
    pub batch: u64,
    /// Input (H, W).
    pub ifmap: (u64, u64),
    /// Input channels.
    pub channels: u64,
    /// Filters.
    pub filters: u64,
    /// Kernel (kh, kw).
    pub kernel: (u64, u64),
    /// Stride (sh, sw).
    pub stride: (u64, u64),
    /// Padding (ph, pw): top and left, and bottom and right unless `padding_end` is given.
    pub padding: (u64, u64),
    /// Bottom and right padding when they differ from top and left (ONNX `pads`, TensorFlow's
    /// `SAME` with an even window); `None` pads both sides alike.
    pub padding_end: Option<(u64, u64)>,
    /// Dilation (dh, dw); (1, 1) is an ordinary convolution.
    pub dilation: (u64, u64),
    /// Groups.
    pub groups: u64,
    /// Output-size rule.
    pub rule: OutputRule,
}

/// Largest value any layer dimension may take (keeps every product in `u64`).
pub const MAX_DIM: u64 = 1 << 24;

impl Conv2d {
    /// Validates a convolution; the error says which parameter is wrong and why.
    pub fn new(s: ConvSpec) -> Result<Conv2d, String> {
        let named = [
            ("batch", s.batch),
            ("ifmap height", s.ifmap.0),
            ("ifmap width", s.ifmap.1),
            ("channels", s.channels),
            ("filters", s.filters),
            ("kernel height", s.kernel.0),
            ("kernel width", s.kernel.1),
            ("stride (vertical)", s.stride.0),
            ("stride (horizontal)", s.stride.1),
            ("dilation (vertical)", s.dilation.0),
            ("dilation (horizontal)", s.dilation.1),
            ("groups", s.groups),
        ];
        for (what, v) in named {
            if v == 0 || v > MAX_DIM {
                return Err(format!(
                    "{what} is {v}: expected an integer from 1 to {MAX_DIM}"
                ));
            }
        }
        let padding_end = s.padding_end.unwrap_or(s.padding);
        for p in [s.padding, padding_end] {
            if p.0 > MAX_DIM || p.1 > MAX_DIM {
                return Err(format!("padding {p:?} is too large"));
            }
        }
        if s.rule == OutputRule::ScaleSim && (s.padding != (0, 0) || padding_end != (0, 0)) {
            return Err("SCALE-Sim convolutions have no padding".into());
        }
        if s.rule == OutputRule::ScaleSim && s.dilation != (1, 1) {
            return Err("SCALE-Sim convolutions have no dilation".into());
        }
        if !s.channels.is_multiple_of(s.groups) || !s.filters.is_multiple_of(s.groups) {
            return Err(format!(
                "groups = {} must divide both channels ({}) and filters ({})",
                s.groups, s.channels, s.filters
            ));
        }
        // The window a dilated kernel spans: d·(k − 1) + 1 input pixels.
        let span = |k: u64, d: u64| d * (k - 1) + 1;
        let out = |h: u64, k: u64, st: u64, p: (u64, u64), dim: &str| -> Result<u64, String> {
            match s.rule {
                OutputRule::Padded => {
                    let padded = h + p.0 + p.1;
                    if padded < k {
                        let pads = if p.0 == p.1 {
                            format!("2·{}", p.0)
                        } else {
                            format!("{} + {}", p.0, p.1)
                        };
                        return Err(format!(
                            "kernel {dim} {k} is larger than the padded input {dim} {padded} (= {h} + {pads})"
                        ));
                    }
                    Ok((padded - k) / st + 1)
                }
                OutputRule::ScaleSim => {
                    if h < k {
                        return Err(format!(
                            "kernel {dim} {k} is larger than the input {dim} {h}"
                        ));
                    }
                    Ok((h - k + st).div_ceil(st))
                }
            }
        };
        let (kh, kw) = (
            span(s.kernel.0, s.dilation.0),
            span(s.kernel.1, s.dilation.1),
        );
        let ofmap_h = out(
            s.ifmap.0,
            kh,
            s.stride.0,
            (s.padding.0, padding_end.0),
            "height",
        )?;
        let ofmap_w = out(
            s.ifmap.1,
            kw,
            s.stride.1,
            (s.padding.1, padding_end.1),
            "width",
        )?;
        // M = batch·Ho·Wo, N = F/g, K = kh·kw·C/g, g instances: checked before any product
        // is formed in 64 bits.
        check_macs(
            u128::from(s.batch) * u128::from(ofmap_h) * u128::from(ofmap_w),
            u128::from(s.filters / s.groups),
            u128::from(s.kernel.0) * u128::from(s.kernel.1) * u128::from(s.channels / s.groups),
            u128::from(s.groups),
        )?;
        let conv = Conv2d {
            batch: s.batch,
            ifmap_h: s.ifmap.0,
            ifmap_w: s.ifmap.1,
            channels: s.channels,
            filters: s.filters,
            kernel_h: s.kernel.0,
            kernel_w: s.kernel.1,
            stride_h: s.stride.0,
            stride_w: s.stride.1,
            pad_h: s.padding.0,
            pad_w: s.padding.1,
            pad_bottom: padding_end.0,
            pad_right: padding_end.1,
            dilation_h: s.dilation.0,
            dilation_w: s.dilation.1,
            groups: s.groups,
            rule: s.rule,
            ofmap_h,
            ofmap_w,
        };
        check_gemm_size(conv.gemm())?;
        Ok(conv)
    }

    /// The GEMM of one group: M = batch·Ho·Wo, N = F/g, K = kh·kw·C/g.
    pub fn gemm(&self) -> GemmShape {
        GemmShape {
            m: self.batch * self.ofmap_h * self.ofmap_w,
            n: self.filters / self.groups,
            k: self.kernel_h * self.kernel_w * (self.channels / self.groups),
        }
    }

    /// Whether every group has one input and one output channel.
    pub fn is_depthwise(&self) -> bool {
        self.groups > 1 && self.groups == self.channels && self.groups == self.filters
    }
}

/// Checks a layer's MACs, M·N·K per GEMM × `instances`, in 128 bits: at most 2⁶² (every
/// count derived from them then fits in `u64`).
fn check_macs(m: u128, n: u128, k: u128, instances: u128) -> Result<(), String> {
    let macs = m * n * k * instances;
    if macs > 1 << 62 {
        return Err(format!(
            "{macs} MACs (M {m} × N {n} × K {k}{}) are too many to simulate: at most 2^62",
            if instances > 1 {
                format!(" × {instances} instances")
            } else {
                String::new()
            }
        ));
    }
    Ok(())
}

fn check_gemm_size(g: GemmShape) -> Result<(), String> {
    let limit = 1u64 << 48;
    let ok =
        g.m.checked_mul(g.k)
            .zip(g.n.checked_mul(g.k))
            .zip(g.m.checked_mul(g.n))
            .is_some_and(|((a, b), c)| a < limit && b < limit && c < limit);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "GEMM {}×{}×{} is too large to simulate (operand sizes above 2^48 words)",
            g.m, g.n, g.k
        ))
    }
}

/// A fully connected layer or explicit GEMM: `ofmap[M×N] = ifmap[M×K] · Wᵀ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gemm {
    /// The GEMM sizes.
    pub shape: GemmShape,
}

impl Gemm {
    /// Validates sizes.
    pub fn new(m: u64, n: u64, k: u64) -> Result<Gemm, String> {
        for (what, v) in [("M", m), ("N", n), ("K", k)] {
            if v == 0 || v > MAX_DIM {
                return Err(format!(
                    "{what} is {v}: expected an integer from 1 to {MAX_DIM}"
                ));
            }
        }
        let shape = GemmShape { m, n, k };
        check_macs(m.into(), n.into(), k.into(), 1)?;
        check_gemm_size(shape)?;
        Ok(Gemm { shape })
    }
}

/// The cell of a recurrent layer: how many gates share its step GEMM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// LSTM: input, forget, cell and output gates (4 gates).
    Lstm,
    /// GRU: reset, update and new gates (3 gates). Its new gate multiplies the recurrent
    /// product by the reset gate, which changes no MAC count: the step is still one
    /// (input + hidden) × 3·hidden weight matrix.
    Gru,
    /// Plain (Elman) RNN: one gate.
    Rnn,
}

impl Cell {
    /// Gates per hidden unit: rows of the step's weight matrix per hidden unit.
    pub fn gates(self) -> u64 {
        match self {
            Cell::Lstm => 4,
            Cell::Gru => 3,
            Cell::Rnn => 1,
        }
    }

    /// Lower-case name, as in workload files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
            Cell::Rnn => "rnn",
        }
    }
}

/// A recurrent layer: per step a GEMM with M = batch, K = input + hidden, N = gates·hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recurrent {
    /// The cell (LSTM, GRU, RNN).
    pub cell: Cell,
    /// Input features I.
    pub input: u64,
    /// Hidden units H.
    pub hidden: u64,
    /// Time steps T.
    pub steps: u64,
    /// Batch B.
    pub batch: u64,
}

impl Recurrent {
    /// Validates sizes.
    pub fn new(
        cell: Cell,
        input: u64,
        hidden: u64,
        steps: u64,
        batch: u64,
    ) -> Result<Recurrent, String> {
        for (what, v) in [
            ("input", input),
            ("hidden", hidden),
            ("steps", steps),
            ("batch", batch),
        ] {
            if v == 0 || v > MAX_DIM {
                return Err(format!(
                    "{what} is {v}: expected an integer from 1 to {MAX_DIM}"
                ));
            }
        }
        let l = Recurrent {
            cell,
            input,
            hidden,
            steps,
            batch,
        };
        let g = l.step_gemm();
        check_macs(g.m.into(), g.n.into(), g.k.into(), steps.into())?;
        check_gemm_size(g)?;
        Ok(l)
    }

    /// The GEMM of one time step.
    pub fn step_gemm(&self) -> GemmShape {
        GemmShape {
            m: self.batch,
            n: self.cell.gates() * self.hidden,
            k: self.input + self.hidden,
        }
    }
}

/// GEMM sizes: `ofmap[M×N] = ifmap[M×K] · Wᵀ`, W is N×K.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct GemmShape {
    /// Output rows (ofmap pixels × batch).
    pub m: u64,
    /// Output columns (filters).
    pub n: u64,
    /// Reduction length (window size).
    pub k: u64,
}

impl GemmShape {
    /// MACs of one GEMM, M·N·K.
    pub fn macs(self) -> u64 {
        self.m * self.n * self.k
    }
}

impl fmt::Display for GemmShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "M={} N={} K={}", self.m, self.n, self.k)
    }
}

/// How a layer's MAC work lowers onto the array: `instances` GEMMs of one shape, run back to
/// back (groups of a grouped conv, or LSTM time steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GemmWork {
    /// Shape of each GEMM.
    pub shape: GemmShape,
    /// How many GEMMs run back to back.
    pub instances: u64,
    /// Whether all instances use the same weights (LSTM steps) or each its own (groups).
    pub weights_shared: bool,
    /// How ifmap words map to DRAM addresses, for footprints.
    pub ifmap: IfmapGeometry,
}

impl GemmWork {
    /// Word address of ifmap element `(m, k)` of GEMM `instance`, or `None` for a padding
    /// word or one past the input's edge: NHWC for a convolution (instance = group), row-major
    /// `m·K + k` per instance for a plain matrix.
    pub fn ifmap_address(&self, instance: u64, m: u64, k: u64) -> Option<u64> {
        match self.ifmap {
            IfmapGeometry::Matrix => Some((instance * self.shape.m + m) * self.shape.k + k),
            IfmapGeometry::Conv(c) => {
                let cg = c.channels / c.groups;
                let per_image = c.ofmap_h * c.ofmap_w;
                let (b, pix) = (m / per_image, m % per_image);
                let (ho, wo) = (pix / c.ofmap_w, pix % c.ofmap_w);
                let (tap, ch) = (k / cg, k % cg);
                let (r, q) = (tap / c.kernel_w, tap % c.kernel_w);
                let y = (ho * c.stride_h + r * c.dilation_h).checked_sub(c.pad_h)?;
                let x = (wo * c.stride_w + q * c.dilation_w).checked_sub(c.pad_w)?;
                if y >= c.ifmap_h || x >= c.ifmap_w {
                    return None;
                }
                Some(((b * c.ifmap_h + y) * c.ifmap_w + x) * c.channels + instance * cg + ch)
            }
        }
    }

    /// Words of the ifmap address space [`GemmWork::ifmap_address`] maps into: a convolution's
    /// input tensor, or every instance's M×K matrix.
    pub fn ifmap_address_space(&self) -> u64 {
        match self.ifmap {
            IfmapGeometry::Conv(c) => c.batch * c.ifmap_h * c.ifmap_w * c.channels,
            IfmapGeometry::Matrix => self.instances * self.shape.m * self.shape.k,
        }
    }

    /// Calls `f(m, address)` for each `m` in `ms`, in order, with
    /// [`GemmWork::ifmap_address`]`(instance, m, k)`: the column's kernel tap and channel are
    /// decoded once and the output pixel is stepped, instead of dividing per element.
    pub fn for_each_ifmap_in_column(
        &self,
        instance: u64,
        k: u64,
        ms: std::ops::Range<u64>,
        mut f: impl FnMut(u64, Option<u64>),
    ) {
        let c = match self.ifmap {
            IfmapGeometry::Matrix => {
                for m in ms {
                    f(m, Some((instance * self.shape.m + m) * self.shape.k + k));
                }
                return;
            }
            IfmapGeometry::Conv(c) => c,
        };
        let cg = c.channels / c.groups;
        let (tap, ch) = (k / cg, k % cg);
        let (r, q) = (tap / c.kernel_w, tap % c.kernel_w);
        let channel = instance * cg + ch;
        let per_image = c.ofmap_h * c.ofmap_w;
        let (mut b, pix) = (ms.start / per_image, ms.start % per_image);
        let (mut ho, mut wo) = (pix / c.ofmap_w, pix % c.ofmap_w);
        for m in ms {
            let y = (ho * c.stride_h + r * c.dilation_h).checked_sub(c.pad_h);
            let x = (wo * c.stride_w + q * c.dilation_w).checked_sub(c.pad_w);
            let address = match (y, x) {
                (Some(y), Some(x)) if y < c.ifmap_h && x < c.ifmap_w => {
                    Some(((b * c.ifmap_h + y) * c.ifmap_w + x) * c.channels + channel)
                }
                _ => None,
            };
            f(m, address);
            wo += 1;
            if wo == c.ofmap_w {
                wo = 0;
                ho += 1;
                if ho == c.ofmap_h {
                    ho = 0;
                    b += 1;
                }
            }
        }
    }
}

/// Where the ifmap matrix's words come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfmapGeometry {
    /// A plain M×K matrix: every element is its own word.
    Matrix,
    /// An im2col view of a convolution's input: windows overlap, so distinct GEMM elements
    /// can be the same pixel; padding pixels are zeros that are never fetched.
    Conv(Conv2d),
}

impl Layer {
    /// A layer with no declared sparsity and default weight-tensor names.
    pub fn new(name: impl Into<String>, op: LayerOp) -> Layer {
        Layer {
            name: name.into(),
            op,
            declared_nm: None,
            weight_tensors: None,
        }
    }

    /// The layer's GEMM work, or `None` for layers that do not map on the array.
    pub fn gemm_work(&self) -> Option<GemmWork> {
        match &self.op {
            LayerOp::Conv(c) => Some(GemmWork {
                shape: c.gemm(),
                instances: c.groups,
                weights_shared: false,
                ifmap: IfmapGeometry::Conv(*c),
            }),
            LayerOp::Gemm(g) => Some(GemmWork {
                shape: g.shape,
                instances: 1,
                weights_shared: false,
                ifmap: IfmapGeometry::Matrix,
            }),
            LayerOp::Recurrent(l) => Some(GemmWork {
                shape: l.step_gemm(),
                instances: l.steps,
                weights_shared: true,
                ifmap: IfmapGeometry::Matrix,
            }),
            LayerOp::NonMac(_) => None,
        }
    }

    /// MACs on the array (0 for non-MAC layers).
    pub fn macs(&self) -> u64 {
        self.gemm_work().map_or(0, |w| w.shape.macs() * w.instances)
    }

    /// Short kind name for reports: `conv`, `dwconv`, `gemm`, `lstm`, `pool`, …
    pub fn kind_name(&self) -> &'static str {
        match &self.op {
            LayerOp::Conv(c) if c.is_depthwise() => "dwconv",
            LayerOp::Conv(_) => "conv",
            LayerOp::Gemm(_) => "gemm",
            LayerOp::Recurrent(l) => l.cell.as_str(),
            LayerOp::NonMac(k) => k.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ConvSpec {
        ConvSpec {
            batch: 1,
            ifmap: (224, 224),
            channels: 3,
            filters: 96,
            kernel: (11, 11),
            stride: (4, 4),
            padding: (0, 0),
            padding_end: None,
            dilation: (1, 1),
            groups: 1,
            rule: OutputRule::ScaleSim,
        }
    }

    #[test]
    fn scalesim_output_rule_rounds_up() {
        let c = Conv2d::new(spec()).unwrap();
        assert_eq!((c.ofmap_h, c.ofmap_w), (55, 55));
        assert_eq!(
            c.gemm(),
            GemmShape {
                m: 3025,
                n: 96,
                k: 363
            }
        );
    }

    #[test]
    fn padded_output_rule_rounds_down() {
        let c = Conv2d::new(ConvSpec {
            rule: OutputRule::Padded,
            padding: (2, 2),
            ..spec()
        })
        .unwrap();
        assert_eq!((c.ofmap_h, c.ofmap_w), (55, 55));
        let c = Conv2d::new(ConvSpec {
            rule: OutputRule::Padded,
            ..spec()
        })
        .unwrap();
        assert_eq!(c.ofmap_h, 54);
    }

    #[test]
    fn groups_must_divide() {
        let e = Conv2d::new(ConvSpec {
            groups: 2,
            ..spec()
        })
        .unwrap_err();
        assert_eq!(
            e,
            "groups = 2 must divide both channels (3) and filters (96)"
        );
    }

    #[test]
    fn ifmap_column_walk_matches_per_element_addresses() {
        // Batch 2, stride 2, dilation 2, padding, groups: every (m, k) of each group's
        // im2col, walked a column at a time from a start in the middle of an image.
        let c = Conv2d::new(ConvSpec {
            batch: 2,
            ifmap: (9, 7),
            channels: 4,
            filters: 6,
            kernel: (3, 2),
            stride: (2, 1),
            padding: (1, 2),
            padding_end: None,
            dilation: (2, 1),
            groups: 2,
            rule: OutputRule::Padded,
        })
        .unwrap();
        let layer = Layer::new("c", LayerOp::Conv(c));
        let work = layer.gemm_work().unwrap();
        let (m, k) = (work.shape.m, work.shape.k);
        let mut padded = 0;
        for inst in 0..work.instances {
            for kk in 0..k {
                for start in [0, 5, m - 1] {
                    let mut seen = Vec::new();
                    work.for_each_ifmap_in_column(inst, kk, start..m, |mi, a| seen.push((mi, a)));
                    let want: Vec<_> = (start..m)
                        .map(|mi| (mi, work.ifmap_address(inst, mi, kk)))
                        .collect();
                    assert_eq!(seen, want, "group {inst}, column {kk}, from row {start}");
                    padded += seen.iter().filter(|(_, a)| a.is_none()).count();
                }
            }
        }
        assert!(padded > 0, "the case must cover padding");
        // By hand: the ofmap is 4×10 ((9 + 2 − 5)/2 + 1, (7 + 4 − 2) + 1); group 1's column 3
        // is tap 1 (r 0, q 1) of the group's channel 1 (ifmap channel 3). Output row 1
        // (ho 0, wo 1) reads y = 0·2 + 0·2 − 1 < 0: padding; row 12 (ho 1, wo 2) reads
        // y = 2 − 1 = 1, x = 2 + 1 − 2 = 1: pixel 1·7 + 1, word 8·4 + 3.
        assert_eq!(work.ifmap_address(1, 1, 3), None);
        assert_eq!(work.ifmap_address(1, 12, 3), Some(35));
    }

    #[test]
    fn lstm_step_gemm() {
        let l = Recurrent::new(Cell::Lstm, 650, 650, 35, 20).unwrap();
        assert_eq!(
            l.step_gemm(),
            GemmShape {
                m: 20,
                n: 2600,
                k: 1300
            }
        );
    }
}
