//! Native TOML workloads.
//!
//! ```toml
//! name = "LeNet-5"              # default: the file stem
//! description = "MNIST, 32×32"  # optional
//! batch = 1                     # default batch for every layer, default 1
//!
//! [[layer]]
//! name = "conv1"
//! type = "conv2d"               # conv2d | fc | gemm | lstm | gru | rnn | pool | relu | softmax | add
//! ifmap = [32, 32]              # input height, width
//! channels = 1
//! filters = 6
//! kernel = 5                    # or [kh, kw]
//! stride = 1                    # or [sh, sw]; default 1
//! padding = 0                   # or [ph, pw]; default 0
//! dilation = 1                  # or [dh, dw]; default 1 (kernel taps d pixels apart)
//! groups = 1                    # default 1; groups = channels = filters is depthwise
//!
//! [[layer]]
//! name = "fc1"
//! type = "fc"
//! in_features = 400
//! out_features = 120
//!
//! [[layer]]
//! name = "proj"
//! type = "gemm"                 # explicit GEMM: m, n, k
//! m = 35
//! n = 10000
//! k = 650
//!
//! [[layer]]
//! name = "lstm1"
//! type = "lstm"
//! input = 650
//! hidden = 650
//! steps = 35                    # `gru` and `rnn` layers take the same keys (3 and 1 gates)
//! ```
//! Every MAC layer takes an optional `weights` key naming its tensor in a weights file
//! (`weights = "features.0.weight"`; a recurrent layer takes `["weight_ih", "weight_hh"]`
//! names); the default is `<name>.weight` (recurrent: `<name>.weight_ih_l0`,
//! `<name>.weight_hh_l0`, PyTorch's names).
//!
//! Convolutions use explicit padding: `Ho = floor((H + 2p − d·(kh − 1) − 1)/s) + 1`. Every layer takes an
//! optional `batch` overriding the network's. `pool` layers may carry `kernel` and `stride` for
//! the reader; they are not mapped on the array.
//!
//! An optional top-level table sets the spreads of the synthetic weights (used when no weights
//! file is given; `--weight-spread` overrides it key by key):
//! ```toml
//! [weight_spread]
//! filter = 0.5                  # σ of ln(per-filter scale), 0 to 3, default 0.5
//! channel = 0.3                 # σ of ln(per-input-channel scale), 0 to 3, default 0.3
//! ```

use super::{
    Cell, Conv2d, ConvSpec, Gemm, Layer, LayerOp, Network, NonMacKind, OutputRule, Recurrent,
};
use crate::error::{InputError, line_column};
use crate::weights::WeightSpread;
use crate::weights::synthetic::check_spread;
use serde::Deserialize;
use toml::Spanned;

type Field = Option<Spanned<toml::Value>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    name: Option<String>,
    description: Option<String>,
    batch: Field,
    weight_spread: Option<RawSpread>,
    #[serde(default)]
    layer: Vec<Spanned<RawLayer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpread {
    filter: Field,
    channel: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    batch: Field,
    ifmap: Field,
    channels: Field,
    filters: Field,
    kernel: Field,
    stride: Field,
    padding: Field,
    dilation: Field,
    groups: Field,
    in_features: Field,
    out_features: Field,
    m: Field,
    n: Field,
    k: Field,
    input: Field,
    hidden: Field,
    steps: Field,
    weights: Field,
}

/// Layer types the TOML format accepts.
pub const LAYER_TYPES: &str = "conv2d, fc, gemm, lstm, gru, rnn, pool, relu, softmax, add";

/// Parses a native TOML workload. `origin` names it in errors; `default_name` is used when
/// the file has no `name`.
pub fn parse_workload_toml(
    src: &str,
    origin: &str,
    default_name: &str,
) -> Result<Network, InputError> {
    let raw: RawNetwork = crate::toml_input::parse(src, origin)?;
    let ctx = Ctx { src, origin };
    let batch = match &raw.batch {
        Some(v) => ctx.int(v, "batch")?,
        None => 1,
    };
    if raw.layer.is_empty() {
        return Err(InputError::new(
            origin,
            "the workload has no layers: add `[[layer]]` tables",
        ));
    }
    let mut layers = Vec::with_capacity(raw.layer.len());
    for (i, l) in raw.layer.iter().enumerate() {
        layers.push(ctx.layer(l, i, batch)?);
    }
    let _ = raw.description;
    let mut weight_spread = WeightSpread::default();
    if let Some(t) = &raw.weight_spread {
        let filter = match &t.filter {
            Some(v) => ctx.spread(v, "weight_spread.filter")?,
            None => weight_spread.filter(),
        };
        let channel = match &t.channel {
            Some(v) => ctx.spread(v, "weight_spread.channel")?,
            None => weight_spread.channel(),
        };
        weight_spread =
            WeightSpread::new(filter, channel).expect("both spreads were checked above");
    }
    Ok(Network {
        name: raw.name.unwrap_or_else(|| default_name.to_string()),
        layers,
        weight_spread,
    })
}

struct Ctx<'a> {
    src: &'a str,
    origin: &'a str,
}

impl Ctx<'_> {
    fn err_at(&self, offset: usize, key: &str, message: impl Into<String>) -> InputError {
        let (line, column) = line_column(self.src, offset);
        InputError::at_line(self.origin, line, message)
            .with_column(column)
            .with_key(key)
    }

    /// A synthetic-weight spread: a number (integer or float) from 0 to the maximum.
    fn spread(&self, v: &Spanned<toml::Value>, key: &str) -> Result<f64, InputError> {
        let x = match v.get_ref() {
            toml::Value::Float(f) => Some(*f),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        };
        x.ok_or_else(|| "expected a number".to_string())
            .and_then(check_spread)
            .map_err(|e| {
                self.err_at(
                    v.span().start,
                    key,
                    format!("invalid value {}: {e}", show(v.get_ref())),
                )
            })
    }

    fn int(&self, v: &Spanned<toml::Value>, key: &str) -> Result<u64, InputError> {
        match v.get_ref() {
            toml::Value::Integer(i) if *i >= 1 && (*i as u64) <= super::MAX_DIM => Ok(*i as u64),
            other => Err(self.err_at(
                v.span().start,
                key,
                format!(
                    "invalid value {}: expected an integer from 1 to {}",
                    show(other),
                    super::MAX_DIM
                ),
            )),
        }
    }

    /// An integer ≥ 0 or a pair of them (`3` or `[3, 5]`).
    fn int_or_pair(
        &self,
        v: &Spanned<toml::Value>,
        key: &str,
        min: i64,
    ) -> Result<(u64, u64), InputError> {
        let one = |x: &toml::Value| match x {
            toml::Value::Integer(i) if *i >= min && (*i as u64) <= super::MAX_DIM => {
                Some(*i as u64)
            }
            _ => None,
        };
        let got = match v.get_ref() {
            toml::Value::Array(a) if a.len() == 2 => one(&a[0]).zip(one(&a[1])),
            x => one(x).map(|i| (i, i)),
        };
        got.ok_or_else(|| {
            self.err_at(
                v.span().start,
                key,
                format!(
                    "invalid value {}: expected an integer from {min} to {} or a pair [height, width] of them",
                    show(v.get_ref()),
                    super::MAX_DIM
                ),
            )
        })
    }

    /// `weights = "name"` or `weights = ["ih", "hh"]` (LSTM).
    fn tensor_names(
        &self,
        v: &Spanned<toml::Value>,
        key: &str,
        kind: &str,
    ) -> Result<Vec<String>, InputError> {
        let want = if matches!(kind, "lstm" | "gru" | "rnn") {
            2
        } else {
            1
        };
        let names: Option<Vec<String>> = match v.get_ref() {
            toml::Value::String(s) if want == 1 => Some(vec![s.clone()]),
            toml::Value::Array(a) if a.len() == want => {
                a.iter().map(|x| x.as_str().map(str::to_string)).collect()
            }
            _ => None,
        };
        names.ok_or_else(|| {
            let expected = if want == 2 {
                "a pair of tensor names [\"weight_ih\", \"weight_hh\"]"
            } else {
                "a tensor name"
            };
            self.err_at(
                v.span().start,
                key,
                format!("invalid value {}: expected {expected}", show(v.get_ref())),
            )
        })
    }

    fn layer(
        &self,
        l: &Spanned<RawLayer>,
        index: usize,
        net_batch: u64,
    ) -> Result<Layer, InputError> {
        let r = l.get_ref();
        let name = r.name.get_ref().clone();
        let path = |k: &str| format!("layer[{index}].{k}");
        let kind = r.kind.get_ref().as_str();
        let present: Vec<(&str, &Field)> = vec![
            ("batch", &r.batch),
            ("ifmap", &r.ifmap),
            ("channels", &r.channels),
            ("filters", &r.filters),
            ("kernel", &r.kernel),
            ("stride", &r.stride),
            ("padding", &r.padding),
            ("dilation", &r.dilation),
            ("groups", &r.groups),
            ("in_features", &r.in_features),
            ("out_features", &r.out_features),
            ("m", &r.m),
            ("n", &r.n),
            ("k", &r.k),
            ("input", &r.input),
            ("hidden", &r.hidden),
            ("steps", &r.steps),
            ("weights", &r.weights),
        ];
        let allowed: &[&str] = match kind {
            "conv2d" => &[
                "batch", "ifmap", "channels", "filters", "kernel", "stride", "padding", "dilation",
                "groups", "weights",
            ],
            "fc" => &["batch", "in_features", "out_features", "weights"],
            "gemm" => &["m", "n", "k", "weights"],
            "lstm" | "gru" | "rnn" => &["batch", "input", "hidden", "steps", "weights"],
            "pool" => &["kernel", "stride", "padding"],
            "relu" | "softmax" | "add" => &[],
            other => {
                return Err(self.err_at(
                    r.kind.span().start,
                    &path("type"),
                    format!("unknown layer type \"{other}\": expected one of {LAYER_TYPES}"),
                ));
            }
        };
        for (key, field) in &present {
            if let Some(v) = field
                && !allowed.contains(key)
            {
                let takes = if allowed.is_empty() {
                    "no other keys".to_string()
                } else {
                    allowed.join(", ")
                };
                return Err(self.err_at(
                    v.span().start,
                    &path(key),
                    format!(
                        "`{key}` does not apply to a {kind} layer (`{name}`); {kind} takes {takes}"
                    ),
                ));
            }
        }
        let need = |field: &Field, key: &str| -> Result<Spanned<toml::Value>, InputError> {
            field.clone().ok_or_else(|| {
                self.err_at(
                    l.span().start,
                    &path(key),
                    format!("{kind} layer `{name}` needs `{key}`"),
                )
            })
        };
        let batch = match &r.batch {
            Some(v) => self.int(v, &path("batch"))?,
            None => net_batch,
        };
        let shape_err = |msg: String| {
            self.err_at(
                l.span().start,
                &format!("layer[{index}]"),
                format!("{kind} layer `{name}`: {msg}"),
            )
        };
        let op = match kind {
            "conv2d" => {
                let ifmap = need(&r.ifmap, "ifmap")?;
                let ifmap = match ifmap.get_ref() {
                    toml::Value::Array(a) if a.len() == 2 => {
                        self.int_or_pair(&ifmap, &path("ifmap"), 1)?
                    }
                    _ => {
                        return Err(self.err_at(
                            ifmap.span().start,
                            &path("ifmap"),
                            format!(
                                "invalid value {}: expected [height, width]",
                                show(ifmap.get_ref())
                            ),
                        ));
                    }
                };
                let opt_pair = |f: &Field, key: &str, default: u64, min: i64| match f {
                    Some(v) => self.int_or_pair(v, &path(key), min),
                    None => Ok((default, default)),
                };
                let spec = ConvSpec {
                    batch,
                    ifmap,
                    channels: self.int(&need(&r.channels, "channels")?, &path("channels"))?,
                    filters: self.int(&need(&r.filters, "filters")?, &path("filters"))?,
                    kernel: self.int_or_pair(&need(&r.kernel, "kernel")?, &path("kernel"), 1)?,
                    stride: opt_pair(&r.stride, "stride", 1, 1)?,
                    padding: opt_pair(&r.padding, "padding", 0, 0)?,
                    padding_end: None,
                    dilation: opt_pair(&r.dilation, "dilation", 1, 1)?,
                    groups: match &r.groups {
                        Some(v) => self.int(v, &path("groups"))?,
                        None => 1,
                    },
                    rule: OutputRule::Padded,
                };
                LayerOp::Conv(Conv2d::new(spec).map_err(shape_err)?)
            }
            "fc" => {
                let k = self.int(&need(&r.in_features, "in_features")?, &path("in_features"))?;
                let n = self.int(
                    &need(&r.out_features, "out_features")?,
                    &path("out_features"),
                )?;
                LayerOp::Gemm(Gemm::new(batch, n, k).map_err(shape_err)?)
            }
            "gemm" => {
                let m = self.int(&need(&r.m, "m")?, &path("m"))?;
                let n = self.int(&need(&r.n, "n")?, &path("n"))?;
                let k = self.int(&need(&r.k, "k")?, &path("k"))?;
                LayerOp::Gemm(Gemm::new(m, n, k).map_err(shape_err)?)
            }
            "lstm" | "gru" | "rnn" => {
                let cell = match kind {
                    "lstm" => Cell::Lstm,
                    "gru" => Cell::Gru,
                    _ => Cell::Rnn,
                };
                let input = self.int(&need(&r.input, "input")?, &path("input"))?;
                let hidden = self.int(&need(&r.hidden, "hidden")?, &path("hidden"))?;
                let steps = self.int(&need(&r.steps, "steps")?, &path("steps"))?;
                LayerOp::Recurrent(
                    Recurrent::new(cell, input, hidden, steps, batch).map_err(shape_err)?,
                )
            }
            "pool" => {
                for (f, key, min) in [
                    (&r.kernel, "kernel", 1),
                    (&r.stride, "stride", 1),
                    (&r.padding, "padding", 0),
                ] {
                    if let Some(v) = f {
                        self.int_or_pair(v, &path(key), min)?;
                    }
                }
                LayerOp::NonMac(NonMacKind::Pool)
            }
            "relu" => LayerOp::NonMac(NonMacKind::Relu),
            "softmax" => LayerOp::NonMac(NonMacKind::Softmax),
            "add" => LayerOp::NonMac(NonMacKind::Add),
            _ => unreachable!("layer types were matched above"),
        };
        let weight_tensors = match &r.weights {
            None => None,
            Some(v) => Some(self.tensor_names(v, &path("weights"), kind)?),
        };
        let mut layer = Layer::new(name, op);
        layer.weight_tensors = weight_tensors;
        Ok(layer)
    }
}

fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LENET: &str = r#"
name = "tiny"
[[layer]]
name = "c1"
type = "conv2d"
ifmap = [32, 32]
channels = 1
filters = 6
kernel = 5
[[layer]]
name = "p1"
type = "pool"
kernel = 2
stride = 2
[[layer]]
name = "f1"
type = "fc"
in_features = 400
out_features = 120
"#;

    #[test]
    fn parses_layers() {
        let n = parse_workload_toml(LENET, "t.toml", "t").unwrap();
        assert_eq!(n.layers.len(), 3);
        assert_eq!(n.layers[0].macs(), 28 * 28 * 6 * 25);
        assert_eq!(n.layers[1].macs(), 0);
        assert_eq!(n.layers[2].macs(), 400 * 120);
    }

    #[test]
    fn weight_spreads_default_and_are_read_key_by_key() {
        let n = parse_workload_toml(LENET, "t.toml", "t").unwrap();
        assert_eq!(n.weight_spread, WeightSpread::default());
        let src = LENET.replacen("[[layer]]", "[weight_spread]\nchannel = 0\n[[layer]]", 1);
        let n = parse_workload_toml(&src, "t.toml", "t").unwrap();
        assert_eq!(n.weight_spread, WeightSpread::new(0.5, 0.0).unwrap());
        let src = format!("{LENET}\n[weight_spread]\nfilter = 1.25\nchannel = 2\n");
        let n = parse_workload_toml(&src, "t.toml", "t").unwrap();
        assert_eq!(n.weight_spread, WeightSpread::new(1.25, 2.0).unwrap());
    }

    #[test]
    fn bad_weight_spreads_are_named() {
        for (table, msg) in [
            (
                "[weight_spread]\nfilter = 3.5\n",
                "t.toml:2:10: weight_spread.filter: invalid value 3.5: expected a number from 0 to 3",
            ),
            (
                "[weight_spread]\nchannel = -1\n",
                "t.toml:2:11: weight_spread.channel: invalid value -1: expected a number from 0 to 3",
            ),
            (
                "[weight_spread]\nchannel = nan\n",
                "t.toml:2:11: weight_spread.channel: invalid value nan: expected a number from 0 to 3",
            ),
            (
                "[weight_spread]\nfilter = \"wide\"\n",
                "t.toml:2:10: weight_spread.filter: invalid value \"wide\": expected a number",
            ),
            (
                "[weight_spread]\nlayer = 0.5\n",
                "t.toml:2:1: weight_spread.layer: unknown field `layer`, expected `filter` or `channel`",
            ),
        ] {
            // The table first (line 1), then the layers.
            let src = format!("{table}{}", LENET.replacen("name = \"tiny\"\n", "", 1));
            let e = parse_workload_toml(&src, "t.toml", "t").unwrap_err();
            assert_eq!(e.to_string(), msg, "{table}");
        }
    }

    #[test]
    fn misplaced_key_is_named() {
        let src = LENET.replace("out_features = 120", "out_features = 120\nhidden = 3");
        let e = parse_workload_toml(&src, "t.toml", "t").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.toml:20:10: layer[2].hidden: `hidden` does not apply to a fc layer (`f1`); fc takes batch, in_features, out_features, weights"
        );
    }
}
