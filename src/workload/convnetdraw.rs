//! ConvNetDraw notation: one layer per line, `name(height, width, depth)` giving the layer's
//! *output* shape, `#` comments, optional `k=`, `s=`, `p=` keyword arguments.
//!
//! ```text
//! input(28, 28, 1)
//! conv(24, 24, 8)
//! relu(24, 24, 8)
//! pool(12, 12, 8)
//! conv(10, 10, 16)
//! relu(10, 10, 16)
//! pool(4, 4, 16)
//! fullyconn(1, 1, 10)
//! softmax(1, 1, 10)
//! ```
//!
//! Rules (each layer reads the previous line's output shape `H×W×C`):
//! - `input` must come first, once; it only sets the shape.
//! - `conv(Ho, Wo, F)`: `F` filters over all `C` channels. Unless given, stride `s` = 1 and
//!   padding `p` = 0; the kernel is the window that exactly spans the input with them,
//!   `k = H + 2p − (Ho − 1)·s` (per axis). With `k=` given and no `p=`, the smallest padding
//!   that yields `Ho` is used. Any combination must satisfy `Ho = ⌊(H + 2p − k)/s⌋ + 1`; a
//!   shape no kernel explains (e.g. `Ho > H` with no padding given) is an error naming the line.
//! - `pool(Ho, Wo, C)`: depth must stay `C`. Unless given, stride `s = ⌊H/Ho⌋` and window
//!   `k = H − (Ho − 1)·s` — the window that tiles the input exactly with that stride. So
//!   `pool(12,12,·)` after 24×24 is 2×2/2, and `pool(4,4,·)` after 10×10 is a 4×4 window with
//!   stride 2 (windows at rows 0, 2, 4, 6). Pools are listed, not mapped on the array.
//! - `relu`, `softmax`: the shape must not change.
//! - `fullyconn(1, 1, N)`: a fully connected layer from `H·W·C` inputs to `N` outputs.
//! - Any other name is an error listing the accepted ones.

use super::{Conv2d, ConvSpec, Gemm, Layer, LayerOp, Network, NonMacKind, OutputRule};
use crate::error::InputError;

/// Layer names ConvNetDraw files may use.
pub const LAYER_NAMES: &str = "input, conv, relu, pool, fullyconn, softmax";

#[derive(Debug, Clone, Copy, Default)]
struct Kwargs {
    k: Option<u64>,
    s: Option<u64>,
    p: Option<u64>,
}

/// Parses ConvNetDraw text. `origin` names it in errors; `name` becomes the network name.
pub fn parse_convnetdraw(src: &str, origin: &str, name: &str) -> Result<Network, InputError> {
    let mut shape: Option<(u64, u64, u64)> = None;
    let mut layers = Vec::new();
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line_no = i + 1;
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let err = |msg: String| InputError::at_line(origin, line_no, format!("`{text}`: {msg}"));
        let (kind, dims, kw) = parse_line(text).map_err(err)?;
        let kind: &'static str = match kind.as_str() {
            "input" => "input",
            "conv" => "conv",
            "relu" => "relu",
            "pool" => "pool",
            "fullyconn" => "fullyconn",
            "softmax" => "softmax",
            other => {
                return Err(err(format!(
                    "unknown layer `{other}`: expected one of {LAYER_NAMES}"
                )));
            }
        };
        let (ho, wo, co) = dims;
        let Some((h, w, c)) = shape else {
            if kind != "input" {
                return Err(err(format!(
                    "the first layer must be `input(height, width, depth)`, not `{kind}`"
                )));
            }
            if kw.k.is_some() || kw.s.is_some() || kw.p.is_some() {
                return Err(err("`input` takes no k=, s= or p=".into()));
            }
            shape = Some(dims);
            continue;
        };
        if kind == "input" {
            return Err(err(
                "`input` may appear only once, as the first layer".into()
            ));
        }
        let no_kwargs = |what: &str| -> Result<(), InputError> {
            if kw.k.is_some() || kw.s.is_some() || kw.p.is_some() {
                Err(err(format!("`{what}` takes no k=, s= or p=")))
            } else {
                Ok(())
            }
        };
        let op = match kind {
            "conv" => {
                let kh = solve_conv(h, ho, kw).map_err(|m| {
                    err(format!(
                        "no convolution turns {h}×{w}×{c} into {ho}×{wo}×{co}: {m}"
                    ))
                })?;
                let kwd = solve_conv(w, wo, kw).map_err(|m| {
                    err(format!(
                        "no convolution turns {h}×{w}×{c} into {ho}×{wo}×{co}: {m}"
                    ))
                })?;
                let conv = Conv2d::new(ConvSpec {
                    batch: 1,
                    ifmap: (h, w),
                    channels: c,
                    filters: co,
                    kernel: (kh.0, kwd.0),
                    stride: (kh.1, kwd.1),
                    padding: (kh.2, kwd.2),
                    padding_end: None,
                    dilation: (1, 1),
                    groups: 1,
                    rule: OutputRule::Padded,
                })
                .map_err(err)?;
                debug_assert_eq!((conv.ofmap_h, conv.ofmap_w), (ho, wo));
                LayerOp::Conv(conv)
            }
            "pool" => {
                if co != c {
                    return Err(err(format!(
                        "pooling keeps the depth: expected depth {c}, found {co}"
                    )));
                }
                solve_pool(h, ho, kw)
                    .map_err(|m| err(format!("no pooling turns {h}×{w} into {ho}×{wo}: {m}")))?;
                solve_pool(w, wo, kw)
                    .map_err(|m| err(format!("no pooling turns {h}×{w} into {ho}×{wo}: {m}")))?;
                LayerOp::NonMac(NonMacKind::Pool)
            }
            "relu" | "softmax" => {
                no_kwargs(kind)?;
                if dims != (h, w, c) {
                    return Err(err(format!(
                        "`{kind}` keeps the shape: expected ({h}, {w}, {c}), found ({ho}, {wo}, {co})"
                    )));
                }
                LayerOp::NonMac(if kind == "relu" {
                    NonMacKind::Relu
                } else {
                    NonMacKind::Softmax
                })
            }
            "fullyconn" => {
                no_kwargs(kind)?;
                if (ho, wo) != (1, 1) {
                    return Err(err(format!(
                        "`fullyconn` outputs a vector: expected (1, 1, N), found ({ho}, {wo}, {co})"
                    )));
                }
                LayerOp::Gemm(Gemm::new(1, co, h * w * c).map_err(err)?)
            }
            _ => unreachable!("names were matched above"),
        };
        let n = match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((kind, 1));
                1
            }
        };
        layers.push(Layer::new(format!("{kind}{n}"), op));
        shape = Some(dims);
    }
    if shape.is_none() {
        return Err(InputError::new(
            origin,
            "no layers: expected lines such as `input(28, 28, 1)` then `conv(24, 24, 8)`",
        ));
    }
    if layers.is_empty() {
        return Err(InputError::new(
            origin,
            "only an `input` line: add layers after it",
        ));
    }
    Ok(Network {
        name: name.to_string(),
        layers,
        weight_spread: crate::weights::WeightSpread::default(),
    })
}

/// A parsed line: layer name, the three sizes, keyword arguments.
type ParsedLine = (String, (u64, u64, u64), Kwargs);

/// Splits `name(a, b, c, k=.., s=..)`.
fn parse_line(text: &str) -> Result<ParsedLine, String> {
    let open = text
        .find('(')
        .ok_or("expected `name(height, width, depth)`")?;
    let close = text.rfind(')').filter(|&c| c > open).ok_or("missing `)`")?;
    if !text[close + 1..].trim().is_empty() {
        return Err(format!(
            "unexpected text after `)`: `{}`",
            text[close + 1..].trim()
        ));
    }
    let kind = text[..open].trim().to_ascii_lowercase();
    let mut dims = Vec::new();
    let mut kw = Kwargs::default();
    for arg in text[open + 1..close].split(',') {
        let arg = arg.trim();
        if let Some((key, val)) = arg.split_once('=') {
            let (key, val) = (key.trim(), val.trim());
            let min = if key == "p" { 0 } else { 1 };
            let v: u64 = val
                .parse()
                .ok()
                .filter(|v| *v >= min && *v <= super::MAX_DIM)
                .ok_or_else(|| {
                    format!(
                        "`{key}={val}`: expected an integer from {min} to {}",
                        super::MAX_DIM
                    )
                })?;
            let slot = match key {
                "k" => &mut kw.k,
                "s" => &mut kw.s,
                "p" => &mut kw.p,
                other => {
                    return Err(format!(
                        "unknown argument `{other}=`: expected k=, s= or p="
                    ));
                }
            };
            if slot.replace(v).is_some() {
                return Err(format!("`{key}=` is given twice"));
            }
        } else {
            if kw.k.is_some() || kw.s.is_some() || kw.p.is_some() {
                return Err("the shape must come before k=, s=, p=".into());
            }
            let v: u64 = arg
                .parse()
                .ok()
                .filter(|v| *v >= 1 && *v <= super::MAX_DIM)
                .ok_or_else(|| {
                    format!(
                        "`{arg}` is not a size: expected an integer from 1 to {}",
                        super::MAX_DIM
                    )
                })?;
            dims.push(v);
        }
    }
    match dims[..] {
        [h, w, d] => Ok((kind, (h, w, d), kw)),
        _ => Err(format!(
            "expected three sizes (height, width, depth), found {}",
            dims.len()
        )),
    }
}

/// One axis of a convolution: `(k, s, p)` with `⌊(h + 2p − k)/s⌋ + 1 = out`.
fn solve_conv(h: u64, out: u64, kw: Kwargs) -> Result<(u64, u64, u64), String> {
    let s = kw.s.unwrap_or(1);
    let fits = |k: u64, p: u64| h + 2 * p >= k && (h + 2 * p - k) / s + 1 == out;
    match (kw.k, kw.p) {
        (Some(k), Some(p)) => {
            if fits(k, p) {
                Ok((k, s, p))
            } else {
                let got = if h + 2 * p >= k {
                    format!("{}", (h + 2 * p - k) / s + 1)
                } else {
                    "nothing".into()
                };
                Err(format!("k={k}, s={s}, p={p} on {h} gives {got}, not {out}"))
            }
        }
        (Some(k), None) => (0..k)
            .find(|&p| fits(k, p))
            .map(|p| (k, s, p))
            .ok_or_else(|| {
                format!("no padding below k={k} gives {out} from {h} with k={k}, s={s}")
            }),
        (None, p) => {
            let p = p.unwrap_or(0);
            let span = h + 2 * p;
            let need = (out - 1) * s;
            if span > need {
                Ok((span - need, s, p))
            } else {
                Err(format!(
                    "an output of {out} with stride {s} needs an input larger than {need}, but the input is {h} with padding {p}; give k= and p="
                ))
            }
        }
    }
}

/// One axis of a pooling window: `(k, s)` with `⌊(h + 2p − k)/s⌋ + 1 = out`.
fn solve_pool(h: u64, out: u64, kw: Kwargs) -> Result<(u64, u64), String> {
    let p = kw.p.unwrap_or(0);
    let span = h + 2 * p;
    if out > span {
        return Err(format!(
            "an output of {out} is larger than the input {span}"
        ));
    }
    let s = kw.s.unwrap_or(span / out);
    let k = kw.k.unwrap_or(span.saturating_sub((out - 1) * s));
    if k >= 1 && span >= k && (span - k) / s + 1 == out {
        Ok((k, s))
    } else {
        Err(format!(
            "window {k} with stride {s} does not give {out} from {span}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "input(28, 28, 1)\nconv(24, 24, 8)\nrelu(24, 24, 8)\npool(12, 12, 8)\nconv(10, 10, 16)\nrelu(10, 10, 16)\npool(4, 4, 16)\nfullyconn(1, 1, 10)\nsoftmax(1, 1, 10)\n";

    #[test]
    fn example_macs() {
        let n = parse_convnetdraw(EXAMPLE, "ex.txt", "ex").unwrap();
        let macs: Vec<u64> = n
            .layers
            .iter()
            .map(|l| l.macs())
            .filter(|&m| m > 0)
            .collect();
        assert_eq!(macs, vec![115_200, 115_200, 2_560]);
        assert_eq!(n.layers.len(), 8);
        assert_eq!(n.layers[3].name, "conv2");
    }

    #[test]
    fn pool_rule_tiles_the_input() {
        assert_eq!(solve_pool(10, 4, Kwargs::default()), Ok((4, 2)));
        assert_eq!(solve_pool(24, 12, Kwargs::default()), Ok((2, 2)));
    }

    #[test]
    fn conv_rule_and_kwargs() {
        assert_eq!(solve_conv(28, 24, Kwargs::default()), Ok((5, 1, 0)));
        let k3 = Kwargs {
            k: Some(3),
            ..Kwargs::default()
        };
        assert_eq!(solve_conv(28, 28, k3), Ok((3, 1, 1)));
        let s2 = Kwargs {
            s: Some(2),
            k: Some(3),
            p: Some(1),
        };
        assert_eq!(solve_conv(224, 112, s2), Ok((3, 2, 1)));
    }

    #[test]
    fn impossible_shape_names_the_line() {
        let e = parse_convnetdraw("input(8, 8, 1)\nconv(10, 10, 4)\n", "n.txt", "n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "n.txt:2: `conv(10, 10, 4)`: no convolution turns 8×8×1 into 10×10×4: an output of 10 with stride 1 needs an input larger than 9, but the input is 8 with padding 0; give k= and p="
        );
    }
}
