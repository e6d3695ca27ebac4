//! Dense layer weights in sparsim's orientation, from files or a seeded generator.
//!
//! A layer's weight matrix `W` is N×K, row-major, rows = filters / output neurons, columns =
//! the flattened input window in channel-fastest order `j = (r·kw + q)·C + c` (SCALE-Sim's
//! order; PyTorch's `[F, C, kh, kw]` is reordered on load). A grouped convolution has one
//! matrix per group; an LSTM layer one matrix `[W_ih | W_hh]` (K = input + hidden) shared by
//! all steps.

pub mod files;
pub mod npy;
pub mod synthetic;

pub use synthetic::WeightSpread;

use crate::error::InputError;
use crate::workload::{LayerOp, Network};
use files::NamedTensor;

/// A dense N×K weight matrix, row-major.
///
/// Its nonzero count and Σw² are computed once, at first use, and kept: every layout that
/// prunes the matrix reports them. Build a matrix with [`WeightMatrix::new`] and do not
/// change `data` afterwards.
#[derive(Debug, Clone)]
pub struct WeightMatrix {
    /// Rows: filters / output neurons.
    pub n: usize,
    /// Columns: window length / input features.
    pub k: usize,
    /// `n · k` values, row-major.
    pub data: Vec<f32>,
    /// Nonzero count and Σw², once computed.
    totals: std::sync::OnceLock<(usize, f64)>,
}

impl PartialEq for WeightMatrix {
    fn eq(&self, other: &WeightMatrix) -> bool {
        (self.n, self.k, &self.data) == (other.n, other.k, &other.data)
    }
}

impl WeightMatrix {
    /// An `n × k` matrix of row-major `data`.
    ///
    /// # Panics
    ///
    /// If `data.len() != n · k`.
    pub fn new(n: usize, k: usize, data: Vec<f32>) -> WeightMatrix {
        assert_eq!(
            Some(data.len()),
            n.checked_mul(k),
            "a weight matrix holds n·k values"
        );
        WeightMatrix {
            n,
            k,
            data,
            totals: std::sync::OnceLock::new(),
        }
    }

    fn totals(&self) -> (usize, f64) {
        *self.totals.get_or_init(|| {
            let nnz = self.data.iter().filter(|w| **w != 0.0).count();
            let sq = self
                .data
                .iter()
                .map(|w| f64::from(*w) * f64::from(*w))
                .sum();
            (nnz, sq)
        })
    }

    /// Row `i` (one filter).
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.k..(i + 1) * self.k]
    }

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.k + j]
    }

    /// Nonzero count.
    pub fn nnz(&self) -> usize {
        self.totals().0
    }

    /// Σ w², in f64, summed in row-major order.
    pub fn sum_of_squares(&self) -> f64 {
        self.totals().1
    }
}

/// The weights of one layer: one matrix per GEMM instance with its own weights.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    /// One matrix per group (convolutions) or a single shared one (FC, GEMM, LSTM).
    pub matrices: Vec<WeightMatrix>,
}

/// Where weights come from.
#[derive(Debug, Clone)]
pub enum WeightSource {
    /// The seeded generator of [`synthetic`].
    Synthetic {
        /// Seed of the whole network.
        seed: u64,
        /// Per-filter and per-input-channel scale spreads.
        spread: WeightSpread,
    },
    /// Tensors read from a file, named `origin` in errors.
    Tensors {
        /// File the tensors came from.
        origin: String,
        /// The tensors.
        tensors: Vec<NamedTensor>,
    },
}

impl WeightSource {
    /// Synthetic weights from `seed` with the default spreads.
    pub fn synthetic(seed: u64) -> WeightSource {
        WeightSource::Synthetic {
            seed,
            spread: WeightSpread::default(),
        }
    }
}

/// The tensor names a layer reads: its `weights` key, or the PyTorch state-dict default
/// (`<name>.weight`; for a recurrent layer `<name>.weight_ih_l0` and `<name>.weight_hh_l0`).
pub fn tensor_names(name: &str, op: &LayerOp, explicit: Option<&[String]>) -> Vec<String> {
    if let Some(e) = explicit {
        return e.to_vec();
    }
    match op {
        LayerOp::Recurrent(_) => vec![
            format!("{name}.weight_ih_l0"),
            format!("{name}.weight_hh_l0"),
        ],
        _ => vec![format!("{name}.weight")],
    }
}

/// Weights for every layer of `network` (`None` for layers not on the array).
pub fn network_weights(
    network: &Network,
    source: &WeightSource,
) -> Result<Vec<Option<LayerWeights>>, InputError> {
    network
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            if layer.gemm_work().is_none() {
                return Ok(None);
            }
            Ok(Some(match source {
                WeightSource::Synthetic { seed, spread } => {
                    synthetic_layer(&layer.op, *seed, *spread, i)
                }
                WeightSource::Tensors { origin, tensors } => {
                    let names =
                        tensor_names(&layer.name, &layer.op, layer.weight_tensors.as_deref());
                    bind_layer(&layer.name, &layer.op, &names, tensors, origin)?
                }
            }))
        })
        .collect()
}

fn synthetic_layer(op: &LayerOp, seed: u64, spread: WeightSpread, layer: usize) -> LayerWeights {
    use synthetic::{stream_seed, synthetic_matrix};
    let matrices = match op {
        LayerOp::Conv(c) => {
            let g = c.gemm();
            let cg = (c.channels / c.groups) as usize;
            (0..c.groups as usize)
                .map(|inst| {
                    synthetic_matrix(
                        g.n as usize,
                        g.k as usize,
                        cg,
                        |j| j % cg,
                        stream_seed(seed, layer, inst),
                        spread,
                    )
                })
                .collect()
        }
        LayerOp::Gemm(g) => {
            let (n, k) = (g.shape.n as usize, g.shape.k as usize);
            vec![synthetic_matrix(
                n,
                k,
                k,
                |j| j,
                stream_seed(seed, layer, 0),
                spread,
            )]
        }
        LayerOp::Recurrent(l) => {
            let g = l.step_gemm();
            let (n, k) = (g.n as usize, g.k as usize);
            vec![synthetic_matrix(
                n,
                k,
                k,
                |j| j,
                stream_seed(seed, layer, 0),
                spread,
            )]
        }
        LayerOp::NonMac(_) => unreachable!("non-MAC layers have no weights"),
    };
    LayerWeights { matrices }
}

/// The index (one coordinate per dimension, C order) and value of the first NaN or infinite
/// element of `t`, if any.
pub fn first_non_finite(t: &NamedTensor) -> Option<(Vec<usize>, f32)> {
    let flat = t.data.iter().position(|x| !x.is_finite())?;
    let mut index = vec![0; t.shape.len()];
    let mut rest = flat;
    for (i, d) in t.shape.iter().enumerate().rev() {
        if *d > 0 {
            index[i] = rest % d;
            rest /= d;
        }
    }
    Some((index, t.data[flat]))
}

/// A tensor's element `[i, j, …]` that is NaN or infinite, described: weights must be finite.
pub fn non_finite_message(t: &NamedTensor, index: &[usize], value: f32) -> String {
    let at: Vec<String> = index.iter().map(usize::to_string).collect();
    format!(
        "tensor `{}` holds {value} at [{}]: weights must be finite numbers",
        t.name,
        at.join(", ")
    )
}

/// The tensor `name` that layer `layer` reads, with finite values.
fn find<'a>(
    tensors: &'a [NamedTensor],
    name: &str,
    layer: &str,
    origin: &str,
) -> Result<&'a NamedTensor, InputError> {
    let t = find_named(tensors, name, layer, origin)?;
    match first_non_finite(t) {
        None => Ok(t),
        Some((index, value)) => Err(InputError::new(
            origin,
            format!("layer `{layer}`: {}", non_finite_message(t, &index, value)),
        )),
    }
}

fn find_named<'a>(
    tensors: &'a [NamedTensor],
    name: &str,
    layer: &str,
    origin: &str,
) -> Result<&'a NamedTensor, InputError> {
    tensors.iter().find(|t| t.name == name).ok_or_else(|| {
        let mut have: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
        have.truncate(12);
        InputError::new(
            origin,
            format!(
                "layer `{layer}`: tensor `{name}` not found (the file has {}{}); name it with the layer's `weights` key",
                have.join(", "),
                if tensors.len() > 12 { ", …" } else { "" }
            ),
        )
    })
}

fn shape_error(layer: &str, t: &NamedTensor, expected: &str, origin: &str) -> InputError {
    InputError::new(
        origin,
        format!(
            "layer `{layer}`: tensor `{}` has shape {:?}; expected {expected}",
            t.name, t.shape
        ),
    )
}

fn bind_layer(
    layer: &str,
    op: &LayerOp,
    names: &[String],
    tensors: &[NamedTensor],
    origin: &str,
) -> Result<LayerWeights, InputError> {
    let count_err = |want: usize| {
        InputError::new(
            origin,
            format!(
                "layer `{layer}`: expected {want} tensor name(s), found {}",
                names.len()
            ),
        )
    };
    match op {
        LayerOp::Conv(c) => {
            let [name] = names else {
                return Err(count_err(1));
            };
            let t = find(tensors, name, layer, origin)?;
            let (f, cg, kh, kw) = (
                c.filters as usize,
                (c.channels / c.groups) as usize,
                c.kernel_h as usize,
                c.kernel_w as usize,
            );
            let ok = t.shape == [f, cg, kh, kw] || (kh == 1 && kw == 1 && t.shape == [f, cg]);
            if !ok {
                return Err(shape_error(
                    layer,
                    t,
                    &format!("[filters, channels/groups, kh, kw] = [{f}, {cg}, {kh}, {kw}]"),
                    origin,
                ));
            }
            let per = f / c.groups as usize;
            let k = kh * kw * cg;
            let matrices = (0..c.groups as usize)
                .map(|g| {
                    let mut data = vec![0.0f32; per * k];
                    for n in 0..per {
                        let src = &t.data[(g * per + n) * k..(g * per + n + 1) * k];
                        for ch in 0..cg {
                            for r in 0..kh {
                                for q in 0..kw {
                                    data[n * k + (r * kw + q) * cg + ch] =
                                        src[(ch * kh + r) * kw + q];
                                }
                            }
                        }
                    }
                    WeightMatrix::new(per, k, data)
                })
                .collect();
            Ok(LayerWeights { matrices })
        }
        LayerOp::Gemm(g) => {
            let [name] = names else {
                return Err(count_err(1));
            };
            let t = find(tensors, name, layer, origin)?;
            let (n, k) = (g.shape.n as usize, g.shape.k as usize);
            if t.shape != [n, k] {
                return Err(shape_error(
                    layer,
                    t,
                    &format!("[out_features, in_features] = [{n}, {k}]"),
                    origin,
                ));
            }
            Ok(LayerWeights {
                matrices: vec![WeightMatrix::new(n, k, t.data.clone())],
            })
        }
        LayerOp::Recurrent(l) => {
            let [ih, hh] = names else {
                return Err(count_err(2));
            };
            let (i, h) = (l.input as usize, l.hidden as usize);
            let gates = l.cell.gates() as usize;
            let rows = gates * h;
            let label = if gates == 1 {
                "hidden".to_string()
            } else {
                format!("{gates}·hidden")
            };
            let t_ih = find(tensors, ih, layer, origin)?;
            let t_hh = find(tensors, hh, layer, origin)?;
            if t_ih.shape != [rows, i] {
                return Err(shape_error(
                    layer,
                    t_ih,
                    &format!("weight_ih [{label}, input] = [{rows}, {i}]"),
                    origin,
                ));
            }
            if t_hh.shape != [rows, h] {
                return Err(shape_error(
                    layer,
                    t_hh,
                    &format!("weight_hh [{label}, hidden] = [{rows}, {h}]"),
                    origin,
                ));
            }
            let k = i + h;
            let mut data = Vec::with_capacity(rows * k);
            for n in 0..rows {
                data.extend_from_slice(&t_ih.data[n * i..(n + 1) * i]);
                data.extend_from_slice(&t_hh.data[n * h..(n + 1) * h]);
            }
            Ok(LayerWeights {
                matrices: vec![WeightMatrix::new(rows, k, data)],
            })
        }
        LayerOp::NonMac(_) => unreachable!("non-MAC layers have no weights"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn tensor(shape: &[usize], data: Vec<f32>) -> NamedTensor {
        NamedTensor {
            name: "t".into(),
            shape: shape.to_vec(),
            data,
        }
    }

    #[test]
    fn first_non_finite_gives_the_c_order_index_of_the_first_nan_or_infinity() {
        let mut data = vec![0.5f32; 2 * 3 * 4];
        data[23] = f32::NAN;
        data[17] = f32::NEG_INFINITY; // [1, 1, 1]: before the NaN in C order
        let t = tensor(&[2, 3, 4], data);
        let (index, value) = first_non_finite(&t).unwrap();
        assert_eq!(
            (index.as_slice(), value),
            (&[1, 1, 1][..], f32::NEG_INFINITY)
        );
        assert_eq!(
            non_finite_message(&t, &index, value),
            "tensor `t` holds -inf at [1, 1, 1]: weights must be finite numbers"
        );
        let t = tensor(&[2, 2], vec![0.0, 1.0, -2.0, f32::NAN]);
        let (index, value) = first_non_finite(&t).unwrap();
        assert_eq!(
            non_finite_message(&t, &index, value),
            "tensor `t` holds NaN at [1, 1]: weights must be finite numbers"
        );
        let scalar = tensor(&[], vec![f32::INFINITY]);
        assert_eq!(first_non_finite(&scalar), Some((vec![], f32::INFINITY)));
        assert_eq!(first_non_finite(&tensor(&[0, 3], vec![])), None);
        assert_eq!(
            first_non_finite(&tensor(&[3], vec![f32::MAX, -0.0, 1e-45])),
            None
        );
    }

    /// SHA-256 of every synthetic weight of `workload` (little-endian f32, layer by layer,
    /// matrix by matrix).
    fn weights_sha256(workload: &str, name: &str, source: &WeightSource) -> String {
        let net = crate::inputs::parse_workload_text(
            workload,
            name,
            name,
            "toml",
            crate::workload::scalesim_csv::TopologyForm::Detect,
        )
        .unwrap();
        let mut h = Sha256::new();
        for lw in network_weights(&net, source).unwrap().iter().flatten() {
            for m in &lw.matrices {
                for w in &m.data {
                    h.update(w.to_le_bytes());
                }
            }
        }
        format!("{:x}", h.finalize())
    }

    /// The synthetic weights, pinned as the generator wrote them before the spreads became
    /// parameters: results made with the default spreads keep their bytes.
    #[test]
    fn default_synthetic_weights_keep_their_bytes() {
        let source = WeightSource::Synthetic {
            seed: 1,
            spread: WeightSpread::default(),
        };
        for (text, name, sha) in [
            (
                include_str!("../../workloads/lenet5.toml"),
                "lenet5",
                "33e773ee11a88a7810fcef06d40ab07b8c5a6bdf9c57e2739c5ad9f1d27f004e",
            ),
            (
                include_str!("../../workloads/mobilenet_v2.toml"),
                "mobilenet_v2",
                "c97c19729125c62e948e335379404ba83c96d17ccdf86ce165702f93b1bc1968",
            ),
            (
                include_str!("../../workloads/lstm_mnist_rows.toml"),
                "lstm_mnist_rows",
                "8f1b394fde06e92b3adce4a1c7d343a91dbbe9ebdcc8b7228d57b08ff54fe927",
            ),
        ] {
            assert_eq!(weights_sha256(text, name, &source), sha, "{name}");
        }
        let m = synthetic::synthetic_matrix(4, 6, 3, |j| j % 3, 7, WeightSpread::default());
        assert_eq!(
            [m.data[0], m.data[5], m.data[16], m.data[23]],
            [0.6291778, 0.6362197, 2.1664186, 0.67974263]
        );
    }
}
