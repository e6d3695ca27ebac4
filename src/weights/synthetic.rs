//! Seeded synthetic weights, for runs without a weights file.
//!
//! Distribution: `w[n][k] = s_n · t_c · sqrt(2/K) · z`, where
//! - `z` is Laplace-distributed with unit variance (trained weights are heavier-tailed than a
//!   Gaussian),
//! - `s_n = exp(0.5·g_n)` is a per-filter scale and `t_c = exp(0.3·h_c)` a per-input-channel
//!   scale (`g`, `h` standard normal; `c` is the input channel of window index k), so after
//!   magnitude pruning filters and channels keep very different numbers of weights, as DARB
//!   observed in trained layers,
//! - `sqrt(2/K)` is the Kaiming scale.
//!
//! Every layer instance draws from its own stream, seeded from `(seed, layer index, instance)`
//! with SplitMix64, so the same seed gives the same bytes on every platform.

use super::WeightMatrix;

/// SplitMix64: a small, fast, well-mixed generator with a 64-bit state.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one value per call).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Laplace with unit variance.
    pub fn laplace(&mut self) -> f64 {
        let u = self.uniform() - 0.5;
        -u.signum() * (1.0 - 2.0 * u.abs()).ln() / std::f64::consts::SQRT_2
    }
}

/// The seed of one layer instance's stream.
pub fn stream_seed(seed: u64, layer: usize, instance: usize) -> u64 {
    let mut g = SplitMix64::new(seed ^ 0x5EED_5EED_5EED_5EED);
    let a = g.next_u64() ^ (layer as u64).wrapping_mul(0xA24B_AED4_963E_E407);
    let mut g = SplitMix64::new(a);
    g.next_u64() ^ (instance as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25)
}

/// Synthetic weights for an `n × k` matrix whose window index `j` reads input channel
/// `channel_of(j)` among `channels`.
pub fn synthetic_matrix(
    n: usize,
    k: usize,
    channels: usize,
    channel_of: impl Fn(usize) -> usize,
    seed: u64,
) -> WeightMatrix {
    let mut g = SplitMix64::new(seed);
    let filter_scale: Vec<f64> = (0..n).map(|_| (0.5 * g.normal()).exp()).collect();
    let channel_scale: Vec<f64> = (0..channels).map(|_| (0.3 * g.normal()).exp()).collect();
    let kaiming = (2.0 / k as f64).sqrt();
    let mut data = Vec::with_capacity(n * k);
    for s in &filter_scale {
        for j in 0..k {
            data.push((s * channel_scale[channel_of(j)] * kaiming * g.laplace()) as f32);
        }
    }
    WeightMatrix { n, k, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = synthetic_matrix(8, 27, 3, |j| j % 3, 7);
        let b = synthetic_matrix(8, 27, 3, |j| j % 3, 7);
        let c = synthetic_matrix(8, 27, 3, |j| j % 3, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn laplace_has_unit_variance() {
        let mut g = SplitMix64::new(1);
        let n = 200_000;
        let v: f64 = (0..n).map(|_| g.laplace().powi(2)).sum::<f64>() / n as f64;
        assert!((v - 1.0).abs() < 0.02, "variance {v}");
    }

    #[test]
    fn filters_have_different_scales() {
        let w = synthetic_matrix(64, 256, 256, |j| j, 3);
        let norms: Vec<f64> = (0..64)
            .map(|n| w.row(n).iter().map(|x| (*x as f64).powi(2)).sum::<f64>())
            .collect();
        let max = norms.iter().cloned().fold(0.0, f64::max);
        let min = norms.iter().cloned().fold(f64::MAX, f64::min);
        assert!(max / min > 4.0, "filter energies vary: {min} .. {max}");
    }
}
