//! Seeded synthetic weights, for runs without a weights file.
//!
//! Distribution: `w[n][k] = s_n · t_c · sqrt(2/K) · z`, where
//! - `z` is Laplace-distributed with unit variance (trained weights are heavier-tailed than a
//!   Gaussian),
//! - `s_n = exp(σ_f·g_n)` is a per-filter scale and `t_c = exp(σ_c·h_c)` a per-input-channel
//!   scale (`g`, `h` standard normal; `c` is the input channel of window index k), so after
//!   magnitude pruning filters and channels keep very different numbers of weights, as DARB
//!   observed in trained layers; the spreads σ_f and σ_c are a [`WeightSpread`], by default
//!   0.5 and 0.3,
//! - `sqrt(2/K)` is the Kaiming scale.
//!
//! Every layer instance draws from its own stream, seeded from `(seed, layer index, instance)`
//! with SplitMix64, so the same seed gives the same bytes on every platform. The scales are
//! drawn whatever the spreads (a spread of 0 multiplies its draw by 0), so every spread sees the
//! same Laplace values `z`: changing a spread rescales filters and channels and nothing else.

use super::WeightMatrix;
use serde::Serialize;

/// The log-normal spreads of the synthetic weights: the standard deviations of `ln s_n`
/// (per filter) and `ln t_c` (per input channel). 0 makes every filter (channel) the same
/// scale; larger values make pruned filters differ more in how many weights they keep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightSpread {
    filter: f64,
    channel: f64,
}

impl WeightSpread {
    /// The largest spread accepted: at 3 the scales of two filters one standard deviation
    /// apart already differ e³ ≈ 20-fold, so a few filters hold nearly all the energy.
    pub const MAX: f64 = 3.0;

    /// The default per-filter spread.
    pub const DEFAULT_FILTER: f64 = 0.5;

    /// The default per-input-channel spread.
    pub const DEFAULT_CHANNEL: f64 = 0.3;

    /// Spreads from their values; an error (see [`check_spread`]) if either is out of range.
    pub fn new(filter: f64, channel: f64) -> Result<WeightSpread, String> {
        // `+ 0.0` turns -0 into 0: equal spreads have equal bits (sweeps group by them).
        Ok(WeightSpread {
            filter: check_spread(filter).map_err(|e| format!("filter = {filter}: {e}"))? + 0.0,
            channel: check_spread(channel).map_err(|e| format!("channel = {channel}: {e}"))? + 0.0,
        })
    }

    /// The spread of `ln s_n`, the per-filter scale.
    pub fn filter(&self) -> f64 {
        self.filter
    }

    /// The spread of `ln t_c`, the per-input-channel scale.
    pub fn channel(&self) -> f64 {
        self.channel
    }

    /// The spreads' bit patterns: a total order and hash key for grouping equal spreads.
    pub fn bits(&self) -> (u64, u64) {
        (self.filter.to_bits(), self.channel.to_bits())
    }
}

impl Default for WeightSpread {
    /// 0.5 per filter and 0.3 per input channel.
    fn default() -> Self {
        WeightSpread {
            filter: Self::DEFAULT_FILTER,
            channel: Self::DEFAULT_CHANNEL,
        }
    }
}

/// A spread as given, if finite and in `[0, WeightSpread::MAX]`; else what is allowed.
pub fn check_spread(x: f64) -> Result<f64, String> {
    if x.is_finite() && (0.0..=WeightSpread::MAX).contains(&x) {
        Ok(x)
    } else {
        Err(format!("expected a number from 0 to {}", WeightSpread::MAX))
    }
}

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
/// `channel_of(j)` among `channels`, with the scales spread as `spread` says.
pub fn synthetic_matrix(
    n: usize,
    k: usize,
    channels: usize,
    channel_of: impl Fn(usize) -> usize,
    seed: u64,
    spread: WeightSpread,
) -> WeightMatrix {
    let mut g = SplitMix64::new(seed);
    let filter_scale: Vec<f64> = (0..n).map(|_| (spread.filter * g.normal()).exp()).collect();
    let channel_scale: Vec<f64> = (0..channels)
        .map(|_| (spread.channel * g.normal()).exp())
        .collect();
    let kaiming = (2.0 / k as f64).sqrt();
    let mut data = Vec::with_capacity(n * k);
    for s in &filter_scale {
        for j in 0..k {
            data.push((s * channel_scale[channel_of(j)] * kaiming * g.laplace()) as f32);
        }
    }
    WeightMatrix::new(n, k, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let d = WeightSpread::default();
        let a = synthetic_matrix(8, 27, 3, |j| j % 3, 7, d);
        let b = synthetic_matrix(8, 27, 3, |j| j % 3, 7, d);
        let c = synthetic_matrix(8, 27, 3, |j| j % 3, 8, d);
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

    /// Max / min of the filters' L2 norms of a 64 × 2304 layer (3×3 × 256 channels).
    fn filter_norm_ratio(spread: WeightSpread) -> f64 {
        let w = synthetic_matrix(64, 2304, 256, |j| j % 256, 3, spread);
        let norms: Vec<f64> = (0..64)
            .map(|n| {
                w.row(n)
                    .iter()
                    .map(|x| f64::from(*x).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect();
        let max = norms.iter().cloned().fold(0.0, f64::max);
        let min = norms.iter().cloned().fold(f64::MAX, f64::min);
        max / min
    }

    #[test]
    fn filter_norms_spread_with_the_filter_spread() {
        // Default spreads: filters differ several-fold in norm (9.9× here).
        let default = filter_norm_ratio(WeightSpread::default());
        assert!(default > 5.0, "{default}");
        // No spread: the norms differ only by the Laplace noise over 2,304 weights (1.11×).
        let none = filter_norm_ratio(WeightSpread::new(0.0, 0.0).unwrap());
        assert!(none < 1.15, "{none}");
        // The channel spread scales every filter alike: equal norms up to the noise, which
        // grows as fewer channels hold the energy.
        let channels = filter_norm_ratio(WeightSpread::new(0.0, 0.3).unwrap());
        assert!(channels < 1.15, "{channels}");
        let wide = filter_norm_ratio(WeightSpread::new(1.0, 0.0).unwrap());
        assert!(wide > default, "{wide} vs {default}");
    }

    #[test]
    fn every_spread_draws_the_same_laplace_values() {
        // Spreads rescale rows and columns; the signs (the draws of z) stay.
        let a = synthetic_matrix(8, 27, 3, |j| j % 3, 7, WeightSpread::default());
        let b = synthetic_matrix(8, 27, 3, |j| j % 3, 7, WeightSpread::new(0.0, 2.0).unwrap());
        assert_ne!(a, b);
        assert!(
            a.data
                .iter()
                .zip(&b.data)
                .all(|(x, y)| x.signum() == y.signum())
        );
    }

    #[test]
    fn spreads_are_finite_and_within_range() {
        assert_eq!(
            WeightSpread::new(0.0, 3.0).map(|s| (s.filter(), s.channel())),
            Ok((0.0, 3.0))
        );
        for (f, c, msg) in [
            (-0.1, 0.3, "filter = -0.1: expected a number from 0 to 3"),
            (0.5, 3.5, "channel = 3.5: expected a number from 0 to 3"),
            (f64::NAN, 0.3, "filter = NaN: expected a number from 0 to 3"),
            (
                0.5,
                f64::INFINITY,
                "channel = inf: expected a number from 0 to 3",
            ),
        ] {
            assert_eq!(WeightSpread::new(f, c), Err(msg.to_string()));
        }
        assert_eq!(
            WeightSpread::default(),
            WeightSpread::new(0.5, 0.3).unwrap()
        );
    }
}
