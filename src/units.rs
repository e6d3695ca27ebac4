//! Unit-carrying newtypes: cycle counts and DRAM bandwidth.
//!
//! Counters in reports are plain `u64` words or cycles (the column names say which); the
//! memory timeline uses [`Cycle`] so that points in time cannot be mixed up with word counts.

use serde::Serialize;
use std::fmt;
use std::ops::{Add, AddAssign};

/// A point in time or a duration, in array clock cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Cycle(pub u64);

impl Cycle {
    /// Time zero: the cycle a layer starts.
    pub const ZERO: Cycle = Cycle(0);

    /// The later of two points in time.
    pub fn max(self, other: Cycle) -> Cycle {
        Cycle(self.0.max(other.0))
    }
}

impl Add for Cycle {
    type Output = Cycle;
    fn add(self, rhs: Cycle) -> Cycle {
        Cycle(
            self.0
                .checked_add(rhs.0)
                .expect("cycle count overflows u64"),
        )
    }
}

impl AddAssign for Cycle {
    fn add_assign(&mut self, rhs: Cycle) {
        *self = *self + rhs;
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A DRAM channel bandwidth, held exactly in thousandths of a word per cycle so that
/// transfer times are integer arithmetic (no floating-point drift between engines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bandwidth {
    milli_words_per_cycle: u64,
}

impl Bandwidth {
    /// Resolution of a bandwidth value: 0.001 words per cycle.
    pub const RESOLUTION: f64 = 0.001;

    /// Builds a bandwidth from words per cycle, rounded to [`Bandwidth::RESOLUTION`].
    /// Returns `None` when the value is not finite or rounds to zero.
    pub fn from_words_per_cycle(words: f64) -> Option<Bandwidth> {
        if !words.is_finite() || words <= 0.0 || words > 1e12 {
            return None;
        }
        let milli = (words * 1000.0).round() as u64;
        (milli > 0).then_some(Bandwidth {
            milli_words_per_cycle: milli,
        })
    }

    /// Words per cycle as a float (for reports).
    pub fn words_per_cycle(self) -> f64 {
        self.milli_words_per_cycle as f64 / 1000.0
    }

    /// Cycles a channel of this bandwidth needs to move `words` words: `ceil(words / bw)`.
    pub fn cycles_for(self, words: u64) -> Cycle {
        let num = u128::from(words) * 1000;
        let den = u128::from(self.milli_words_per_cycle);
        Cycle(num.div_ceil(den) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_cycles_round_up() {
        let bw = Bandwidth::from_words_per_cycle(10.0).unwrap();
        assert_eq!(bw.cycles_for(0), Cycle(0));
        assert_eq!(bw.cycles_for(1), Cycle(1));
        assert_eq!(bw.cycles_for(10), Cycle(1));
        assert_eq!(bw.cycles_for(11), Cycle(2));
        let half = Bandwidth::from_words_per_cycle(0.5).unwrap();
        assert_eq!(half.cycles_for(3), Cycle(6));
        let frac = Bandwidth::from_words_per_cycle(25.6).unwrap();
        assert_eq!(frac.cycles_for(256), Cycle(10));
        assert_eq!(frac.cycles_for(257), Cycle(11));
    }

    #[test]
    fn bandwidth_rejects_non_positive() {
        assert!(Bandwidth::from_words_per_cycle(0.0).is_none());
        assert!(Bandwidth::from_words_per_cycle(0.0004).is_none());
        assert!(Bandwidth::from_words_per_cycle(-1.0).is_none());
        assert!(Bandwidth::from_words_per_cycle(f64::NAN).is_none());
    }
}
