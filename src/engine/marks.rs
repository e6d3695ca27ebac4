//! A set of integers below a known bound, marked one by one and read back in ascending order
//! without sorting: a bitmap, of which only the words between the lowest and highest mark
//! are read (and cleared) when the set is drained, so one bitmap serves many small sets.

/// Integers marked since the last drain.
#[derive(Debug, Clone)]
pub struct Marks {
    words: Vec<u64>,
    /// Lowest and highest word holding a mark (`lo > hi` when none).
    lo: usize,
    hi: usize,
    /// Marks made, repeats included.
    marked: usize,
}

impl Marks {
    /// An empty set of integers below `bound`.
    pub fn new(bound: u64) -> Marks {
        Marks {
            words: vec![0; bound.div_ceil(64) as usize],
            lo: usize::MAX,
            hi: 0,
            marked: 0,
        }
    }

    /// Adds `x` (below the bound).
    pub fn mark(&mut self, x: u64) {
        let w = (x / 64) as usize;
        self.words[w] |= 1 << (x % 64);
        self.lo = self.lo.min(w);
        self.hi = self.hi.max(w);
        self.marked += 1;
    }

    /// Whether draining reads fewer words than marks were made: false when a few marks lie
    /// far apart, where collecting and sorting them is cheaper (then [`Marks::forget`]).
    pub fn is_compact(&self) -> bool {
        self.lo > self.hi || self.hi - self.lo < self.marked
    }

    /// Calls `f` on every marked integer, ascending, and empties the set.
    pub fn drain(&mut self, mut f: impl FnMut(u64)) {
        if self.lo <= self.hi {
            for (w, word) in (self.lo..).zip(&mut self.words[self.lo..=self.hi]) {
                let mut bits = std::mem::take(word);
                while bits != 0 {
                    f(w as u64 * 64 + u64::from(bits.trailing_zeros()));
                    bits &= bits - 1;
                }
            }
        }
        self.reset();
    }

    /// Empties the set, given every integer marked since the last drain.
    pub fn forget(&mut self, marked: impl IntoIterator<Item = u64>) {
        for x in marked {
            self.words[(x / 64) as usize] = 0;
        }
        self.reset();
    }

    fn reset(&mut self) {
        (self.lo, self.hi, self.marked) = (usize::MAX, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_ascending_distinct_and_starts_empty_again() {
        let mut m = Marks::new(300);
        for x in [299, 5, 64, 5, 130, 63] {
            m.mark(x);
        }
        assert!(m.is_compact());
        let mut got = Vec::new();
        m.drain(|x| got.push(x));
        assert_eq!(got, vec![5, 63, 64, 130, 299]);
        m.mark(7);
        let mut again = Vec::new();
        m.drain(|x| again.push(x));
        assert_eq!(again, vec![7]);
    }

    #[test]
    fn far_apart_marks_are_forgotten_without_a_scan() {
        let mut m = Marks::new(64 * 1000);
        m.mark(3);
        m.mark(64 * 999);
        assert!(!m.is_compact());
        m.forget([3, 64 * 999]);
        let mut got = Vec::new();
        m.drain(|x| got.push(x));
        assert!(got.is_empty());
    }
}
