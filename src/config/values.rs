//! Deserializers that reject bad values at parse time, so `toml` reports them with a span.

use serde::Deserializer;
use serde::de::{self, Unexpected, Visitor};
use std::fmt;

/// An integer in `1..=max`, from any TOML integer.
fn bounded_int<'de, D: Deserializer<'de>>(d: D, max: u64) -> Result<u64, D::Error> {
    int_in(d, 1, max)
}

/// An integer in `min..=max`, from any TOML integer.
fn int_in<'de, D: Deserializer<'de>>(d: D, min: u64, max: u64) -> Result<u64, D::Error> {
    struct V(u64, u64);
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an integer from {} to {}", self.0, self.1)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            if v >= 0 && (v as u64) >= self.0 && (v as u64) <= self.1 {
                Ok(v as u64)
            } else {
                Err(E::invalid_value(Unexpected::Signed(v), &self))
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            if v >= self.0 && v <= self.1 {
                Ok(v)
            } else {
                Err(E::invalid_value(Unexpected::Unsigned(v), &self))
            }
        }
    }
    d.deserialize_i64(V(min, max))
}

/// Largest DRAM read latency accepted, cycles.
pub const MAX_DRAM_LATENCY: u64 = 100_000;

pub fn dram_latency<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    int_in(d, 0, MAX_DRAM_LATENCY).map(|v| v as u32)
}

/// Largest array dimension accepted (rows or columns).
pub const MAX_ARRAY_DIM: u64 = 65_536;
/// Largest SRAM size accepted, kB.
pub const MAX_SRAM_KB: u64 = 1 << 30;
/// Largest word size accepted, bytes.
pub const MAX_WORD_BYTES: u64 = 16;

pub fn array_dim<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded_int(d, MAX_ARRAY_DIM).map(|v| v as u32)
}

pub fn sram_kb<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    bounded_int(d, MAX_SRAM_KB)
}

pub fn word_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded_int(d, MAX_WORD_BYTES).map(|v| v as u32)
}

pub fn small_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded_int(d, 4096).map(|v| v as u32)
}

/// A positive, finite number (integer or float) no smaller than `min`.
fn positive_number<'de, D: Deserializer<'de>>(
    d: D,
    min: f64,
    what: &'static str,
) -> Result<f64, D::Error> {
    struct V(f64, &'static str);
    impl V {
        fn check<E: de::Error>(&self, v: f64, unexpected: Unexpected) -> Result<f64, E> {
            if v.is_finite() && v >= self.0 && v <= 1e12 {
                Ok(v)
            } else {
                Err(E::invalid_value(unexpected, self))
            }
        }
    }
    impl Visitor<'_> for V {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            self.check(v as f64, Unexpected::Signed(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            self.check(v as f64, Unexpected::Unsigned(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            self.check(v, Unexpected::Float(v))
        }
    }
    d.deserialize_any(V(min, what))
}

pub fn bandwidth<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    positive_number(d, 0.001, "a number of words per cycle, at least 0.001")
}

pub fn clock_mhz<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    positive_number(d, 0.001, "a clock frequency in MHz, at least 0.001")
}

/// Largest SRAM read port accepted, words per cycle.
pub const MAX_PORT_WORDS: u64 = 1 << 24;

pub fn opt_port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded_int(d, MAX_PORT_WORDS).map(|v| Some(v as u32))
}

pub fn opt_throughput<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded_int(d, 1 << 20).map(|v| Some(v as u32))
}

/// Largest technology-table value accepted (pJ or µm²).
pub const MAX_TECH_VALUE: f64 = 1e9;

/// A technology-table value: finite, in `0..=1e9` (pJ per action or µm² per component).
pub fn opt_tech_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct V;
    impl V {
        fn check<E: de::Error>(&self, v: f64, unexpected: Unexpected) -> Result<Option<f64>, E> {
            if v.is_finite() && (0.0..=MAX_TECH_VALUE).contains(&v) {
                Ok(Some(v))
            } else {
                Err(E::invalid_value(unexpected, self))
            }
        }
    }
    impl Visitor<'_> for V {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number from 0 to 1e9")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
            self.check(v as f64, Unexpected::Signed(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
            self.check(v as f64, Unexpected::Unsigned(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
            self.check(v, Unexpected::Float(v))
        }
    }
    d.deserialize_any(V)
}

/// Accumulator width, bits: 1..=64.
pub fn accumulator_bits<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded_int(d, 64).map(|v| v as u32)
}
