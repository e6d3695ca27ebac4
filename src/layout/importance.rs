//! Importance scores for pruning: magnitude, or lookahead (LAP, Park et al. ICLR'20).
//!
//! LAP scores `W_d[n][k]` as `|w| · ‖W_{d−1}[c(k), :]‖ · ‖W_{d+1}[:, n]‖`: the previous MAC
//! layer's row for the input channel `c(k)` that window index k reads, and the next MAC
//! layer's weights that read output channel n (all its taps of that channel). A factor is 1
//! at the network's ends and wherever the neighbour does not line up (its output count is not
//! this layer's input channels, grouped convolutions, LSTMs), as the LAP code does for
//! mismatched neighbours.

use super::params::Importance;
use crate::weights::{LayerWeights, WeightMatrix};
use crate::workload::{LayerOp, Network};

/// Input channels of a MAC layer; window index k reads channel `k % channels` (conv,
/// channel-fastest) or k itself (FC, where the modulus is K).
fn input_channels(op: &LayerOp) -> Option<usize> {
    match op {
        LayerOp::Conv(c) if c.groups == 1 => Some(c.channels as usize),
        LayerOp::Gemm(g) => Some(g.shape.k as usize),
        _ => None,
    }
}

/// Output channels of a MAC layer whose weights can serve as a LAP neighbour.
fn output_channels(op: &LayerOp) -> Option<usize> {
    match op {
        LayerOp::Conv(c) if c.groups == 1 => Some(c.filters as usize),
        LayerOp::Gemm(g) => Some(g.shape.n as usize),
        _ => None,
    }
}

/// Scores for every weight of `matrix` (instance of layer `index`), same layout as its data.
pub fn scores(
    network: &Network,
    weights: &[Option<LayerWeights>],
    index: usize,
    matrix: &WeightMatrix,
    importance: Importance,
) -> Vec<f32> {
    let magnitude: Vec<f32> = matrix.data.iter().map(|w| w.abs()).collect();
    if importance == Importance::Magnitude {
        return magnitude;
    }
    let mac: Vec<usize> = (0..network.layers.len())
        .filter(|&i| weights[i].is_some())
        .collect();
    let pos = mac
        .iter()
        .position(|&i| i == index)
        .expect("scored layers have weights");
    let op = &network.layers[index].op;
    let single = |i: usize| {
        weights[i]
            .as_ref()
            .filter(|w| w.matrices.len() == 1)
            .map(|w| &w.matrices[0])
    };

    let mut prev = vec![1.0f32; matrix.k];
    if let (Some(&p), Some(ch)) = (pos.checked_sub(1).map(|q| &mac[q]), input_channels(op))
        && output_channels(&network.layers[p].op) == Some(ch)
        && let Some(pw) = single(p)
    {
        let norms: Vec<f32> = (0..pw.n)
            .map(|r| pw.row(r).iter().map(|x| x * x).sum::<f32>().sqrt())
            .collect();
        for (k, v) in prev.iter_mut().enumerate() {
            *v = norms[k % ch];
        }
    }
    let mut next = vec![1.0f32; matrix.n];
    if let (Some(&nx), Some(out)) = (mac.get(pos + 1), output_channels(op))
        && let Some(ch) = input_channels(&network.layers[nx].op)
        && ch == out
        && let Some(nw) = single(nx)
    {
        let mut sq = vec![0.0f32; out];
        for r in 0..nw.n {
            for (k, x) in nw.row(r).iter().enumerate() {
                sq[k % ch] += x * x;
            }
        }
        for (n, v) in next.iter_mut().enumerate() {
            *v = sq[n].sqrt();
        }
    }
    (0..matrix.n)
        .flat_map(|n| {
            let (prev, next, magnitude) = (&prev, &next, &magnitude);
            (0..matrix.k).map(move |k| magnitude[n * matrix.k + k] * prev[k] * next[n])
        })
        .collect()
}
