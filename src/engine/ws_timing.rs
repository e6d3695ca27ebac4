//! The stall-free length of one weight-stationary fold, in closed form (`docs/model.md` §6).
//!
//! A fold runs in three phases, counted from its first cycle:
//! 1. **load** — the stationary tile shifts in one array row per cycle; a used row needs its
//!    `cols_used` weights from the filter SRAM port (`P_f` words/cycle), so it takes
//!    `⌈cols_used / P_f⌉` cycles, an unused row one: `load = (R − rows_used) +
//!    rows_used·⌈cols_used / P_f⌉` (R when the port is as wide as a row);
//! 2. **first vector** — the ifmap SRAM port (`P` words/cycle) fills a staging register with
//!    the first input vector's `W = Σ_r D_r` words from the fold's first cycle, taking
//!    `f = ⌈W/P⌉` cycles; the metadata decoder must be done too. Streaming starts at
//!    `S₀ = max(load, f, decode_ready)`;
//! 3. **stream** — vector t enters the array at `S₀ + t·σ`, one bus beat per cycle for
//!    `s_b = max_r ⌈D_r/B⌉` beats; when it does, the port starts filling the staging
//!    register with vector t + 1, so the period is `σ = max(s_b, f)`. The last vector's last
//!    beat crosses R rows and C columns: the fold ends `s_b + R + C − 2` cycles after the
//!    last vector entered.
//!
//! So `L = S₀ + (T − 1)·σ + s_b + R + C − 2`, which is SCALE-Sim's `2R + C + T − 2` for a
//! dense fold (`s_b = σ = 1`, `S₀ = R`).

/// What one weight-stationary fold asks of the array and its ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsFoldShape {
    /// Array rows R.
    pub r: u64,
    /// Array columns C.
    pub c: u64,
    /// Array rows the fold uses.
    pub rows_used: u64,
    /// Array columns the fold uses.
    pub cols_used: u64,
    /// Input vectors streamed, T.
    pub vectors: u64,
    /// Bus beats per vector, `s_b = max_r ⌈D_r/B⌉` (1 for a dense fold).
    pub beats: u64,
    /// Ifmap words per vector, `W = Σ_r D_r` (`rows_used` for a dense fold).
    pub vector_words: u64,
}

/// A fold's phases, in cycles from its first cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsFoldTiming {
    /// Cycles of the weight load.
    pub load: u64,
    /// Cycles the ifmap port takes to fill one vector, `f = ⌈W/P⌉`.
    pub vector_fill: u64,
    /// Cycles between consecutive vectors, `σ = max(s_b, f)`.
    pub period: u64,
    /// Cycles the stream waited for the metadata decoder beyond the load and the first
    /// vector's fill.
    pub decode_wait: u64,
    /// First cycle of the stream, `S₀`.
    pub stream_start: u64,
    /// Cycles from the stream's start to the fold's end.
    pub stream_cycles: u64,
    /// Stall-free cycles of the fold, `S₀ + stream_cycles`.
    pub cycles: u64,
}

/// The fold's timing given its ifmap and filter read ports (words/cycle) and the cycle,
/// counted from the fold's start, at which its metadata is decoded (0 without metadata).
pub fn ws_fold_timing(
    f: &WsFoldShape,
    ifmap_port: u64,
    filter_port: u64,
    decode_ready: u64,
) -> WsFoldTiming {
    let load = (f.r - f.rows_used) + f.rows_used * f.cols_used.div_ceil(filter_port);
    let vector_fill = f.vector_words.div_ceil(ifmap_port);
    let period = f.beats.max(vector_fill);
    let ready = load.max(vector_fill);
    let stream_start = ready.max(decode_ready);
    let stream_cycles = (f.vectors - 1) * period + f.beats + f.r + f.c - 2;
    WsFoldTiming {
        load,
        vector_fill,
        period,
        decode_wait: stream_start - ready,
        stream_start,
        stream_cycles,
        cycles: stream_start + stream_cycles,
    }
}

/// Cycles the metadata decoder needs for a fold: it reads `meta_words` through its port
/// (words/cycle) while decoding `entries` at `throughput` entries/cycle.
pub fn decode_cycles(entries: u64, throughput: u64, meta_words: u64, read_port: u64) -> u64 {
    entries
        .div_ceil(throughput)
        .max(meta_words.div_ceil(read_port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(rows_used: u64, cols_used: u64, vectors: u64, beats: u64, words: u64) -> WsFoldShape {
        WsFoldShape {
            r: 4,
            c: 3,
            rows_used,
            cols_used,
            vectors,
            beats,
            vector_words: words,
        }
    }

    #[test]
    fn a_dense_fold_with_wide_ports_is_scalesims() {
        let t = ws_fold_timing(&shape(4, 3, 10, 1, 4), 4, 3, 0);
        assert_eq!(t.cycles, 2 * 4 + 3 + 10 - 2);
        assert_eq!((t.load, t.stream_start, t.period), (4, 4, 1));
    }

    #[test]
    fn narrow_ports_stretch_the_load_and_the_period() {
        // Filter port 2 < 3 columns: each used row loads in 2 cycles, the unused one in 1:
        // load = 1 + 3·2 = 7. Ifmap port 2 for 6 words per vector: f = 3 > s_b = 2, so a
        // vector every 3 cycles: L = 7 + 4·3 + 2 + 4 + 3 − 2 = 26.
        let t = ws_fold_timing(&shape(3, 3, 5, 2, 6), 2, 2, 0);
        assert_eq!((t.load, t.vector_fill, t.period), (7, 3, 3));
        assert_eq!(t.cycles, 26);
        // A decoder done at cycle 9 holds the stream 2 cycles past the load.
        let d = ws_fold_timing(&shape(3, 3, 5, 2, 6), 2, 2, 9);
        assert_eq!((d.decode_wait, d.cycles), (2, 28));
    }

    #[test]
    fn decode_takes_the_slower_of_reading_and_decoding() {
        assert_eq!(decode_cycles(64, 32, 96, 32), 3);
        assert_eq!(decode_cycles(64, 8, 96, 32), 8);
    }
}
