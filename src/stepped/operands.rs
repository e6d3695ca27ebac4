//! Operand values and DRAM addresses for the stepped engine: int8 weights quantized from the
//! packed cells, seeded int8 activations, and the DRAM address of every ifmap element.
//!
//! Weights are quantized per layer with `q = round(w · 127 / max|w|)`, kept nonzero for a
//! nonzero weight (so the effectual/zero-weight split is the same as in f32). Activations are
//! a deterministic function of the layer seed and the element's DRAM address; padding reads 0.

use crate::weights::synthetic::SplitMix64;
use crate::workload::GemmWork;

/// Quantizes `w` with `scale` to int8, keeping nonzero weights nonzero.
pub fn quantize(w: f32, scale: f32) -> i8 {
    if w == 0.0 {
        return 0;
    }
    let q = (w * scale).round().clamp(-127.0, 127.0) as i8;
    if q == 0 {
        if w > 0.0 { 1 } else { -1 }
    } else {
        q
    }
}

/// `127 / max|w|` over the given weights (1 for an all-zero layer).
pub fn scale_for(weights: impl Iterator<Item = f32>) -> f32 {
    let max = weights.fold(0.0f32, |m, w| m.max(w.abs()));
    if max == 0.0 { 1.0 } else { 127.0 / max }
}

/// The int8 activation stored at a DRAM address.
pub fn activation(seed: u64, address: u64) -> i8 {
    SplitMix64::new(seed ^ address.wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64() as i8
}

/// The im2col ifmap of one instance, M×K row-major, padding 0.
pub fn ifmap_matrix(work: &GemmWork, instance: u64, seed: u64) -> Vec<i8> {
    let (m, k) = (work.shape.m, work.shape.k);
    let mut out = vec![0i8; (m * k) as usize];
    for ki in 0..k {
        work.for_each_ifmap_in_column(instance, ki, 0..m, |mi, a| {
            out[(mi * k + ki) as usize] = a.map_or(0, |a| activation(seed, a));
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonzero_weights_stay_nonzero() {
        let s = scale_for([1.0f32, -0.001, 0.5].into_iter());
        assert_eq!(s, 127.0);
        assert_eq!(quantize(-0.001, s), -1);
        assert_eq!(quantize(0.0, s), 0);
        assert_eq!(quantize(1.0, s), 127);
        assert_eq!(quantize(0.5, s), 64);
    }
}
