//! Half-precision bit patterns to `f32`: IEEE 754 binary16 (`float16`) and bfloat16.
//!
//! Both conversions are exact: every binary16 and every bfloat16 value is an `f32` value.

/// The `f32` value of an IEEE 754 binary16 bit pattern (1 sign, 5 exponent, 10 mantissa bits),
/// subnormals, infinities and NaNs included.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits & 0x8000) << 16;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x03ff);
    let magnitude = match exponent {
        // Zero or subnormal: mantissa · 2⁻²⁴, exact in f32 (at most 10 significant bits).
        0 => (mantissa as f32 * (-24.0f32).exp2()).to_bits(),
        // Infinity or NaN (the payload is kept).
        0x1f => 0x7f80_0000 | (mantissa << 13),
        // Normal: rebias the exponent from 15 to 127.
        _ => ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(sign | magnitude)
}

/// The `f32` value of a bfloat16 bit pattern: the upper 16 bits of an `f32`.
pub(crate) fn bf16_to_f32(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_known_values() {
        assert_eq!(f16_to_f32(0x0000).to_bits(), 0.0f32.to_bits());
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3800), 0.5);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14));
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
        assert!(f16_to_f32(0xfe01).is_nan());
    }

    /// Every finite bit pattern against the definition, evaluated exactly in f64.
    #[test]
    fn f16_every_finite_pattern_matches_the_definition() {
        for bits in 0..=u16::MAX {
            let exponent = i32::from((bits >> 10) & 0x1f);
            if exponent == 0x1f {
                continue;
            }
            let mantissa = f64::from(bits & 0x03ff);
            let magnitude = if exponent == 0 {
                mantissa * 2f64.powi(-24)
            } else {
                (1024.0 + mantissa) * 2f64.powi(exponent - 25)
            };
            let expected = if bits & 0x8000 != 0 {
                -magnitude
            } else {
                magnitude
            };
            assert_eq!(f64::from(f16_to_f32(bits)), expected, "bits {bits:#06x}");
        }
    }

    #[test]
    fn bf16_known_values() {
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
        assert_eq!(bf16_to_f32(0xc040), -3.0);
        assert_eq!(bf16_to_f32(0x3e20), 0.156_25);
        assert_eq!(bf16_to_f32(0x7f80), f32::INFINITY);
        assert!(bf16_to_f32(0x7fc0).is_nan());
        assert_eq!(bf16_to_f32(0x0001), f32::from_bits(0x0001_0000));
    }
}
