//! DRAM request traces of a layer, for a cycle-level DRAM simulator (DRAMsim3's trace format:
//! `0x<hex byte address> READ|WRITE <cycle>`, one request per line, cycles non-decreasing).
//!
//! **Requests.** Each DRAM word a memory model moves is placed at a byte address (below) and a
//! cycle (when the channel moves it); the words one channel moves in one cycle that fall in the
//! same `burst_bytes`-aligned block form one request. With `burst_bytes` equal to the word size
//! every request is one word.
//!
//! **Address map.** Each operand has a region: ifmap from byte 0, filter and ofmap each from the
//! next multiple of 1 MiB after the region before; a word at operand-relative word address `a`
//! is at `base + a · word_bytes`. Under the `scalesim` model the word addresses are SCALE-Sim's
//! own (NHWC ifmap, `n·K + k` filter, `m·N + n` ofmap, see `docs/model.md`), and each DRAM line
//! is one cycle; its padding slots move no data and are not requests (they are counted as
//! `padding_words`). sparsim's tile model knows how many words each transfer moves and when,
//! not which: its transfers are laid out sequentially over the operand's region (a stream that
//! wraps around the region, the operand's dense tensor size), as a compiler would place tiles
//! contiguously.
//!
//! **Cycles** count array cycles from the layer's first DRAM request (cycle 0), so the fill
//! before SCALE-Sim's cycle 0 is included.

use super::memory::DramTransfer;
use super::scalesim_mem::{DramLine, DramTraces};
use crate::config::{Arch, Memory};

/// Bytes each operand region starts on.
const REGION_ALIGN: u64 = 1 << 20;

/// One DRAM request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Cycle from the layer's first request.
    pub cycle: u64,
    /// Write (ofmap drains and spills) or read.
    pub write: bool,
    /// Byte address.
    pub addr: u64,
    /// Operand: 0 ifmap, 1 filter, 2 ofmap.
    pub channel: usize,
    /// Words of the request.
    pub words: u64,
}

/// A layer's trace and its word counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerTrace {
    /// Requests in cycle order.
    pub requests: Vec<Request>,
    /// Words read per channel (ifmap, filter, ofmap read-back) and written (ofmap).
    pub read_words: [u64; 3],
    /// Words written (ofmap).
    pub write_words: u64,
    /// Padding slots the model counts as DRAM traffic but that carry no word (`scalesim`).
    pub padding_words: [u64; 3],
    /// Region base byte addresses.
    pub bases: [u64; 3],
}

/// Bytes per word of each operand (ifmap, filter, ofmap).
pub fn word_bytes(mem: &Memory) -> [u64; 3] {
    [&mem.ifmap, &mem.filter, &mem.ofmap].map(|m| u64::from(m.word_bytes))
}

fn bases(mem: &Memory, region_words: [u64; 3]) -> [u64; 3] {
    let wb = word_bytes(mem);
    let mut out = [0u64; 3];
    let mut next = 0u64;
    for c in 0..3 {
        out[c] = next;
        next = (next + region_words[c].max(1) * wb[c]).next_multiple_of(REGION_ALIGN);
    }
    out
}

/// Appends the requests of `words` (byte addresses in order) moving at `cycle`.
fn push_bursts(
    out: &mut Vec<Request>,
    cycle: u64,
    write: bool,
    channel: usize,
    addrs: impl Iterator<Item = u64>,
    burst: u64,
) {
    let mut current: Option<Request> = None;
    for a in addrs {
        let block = a / burst * burst;
        match &mut current {
            Some(r) if r.addr == block => r.words += 1,
            _ => {
                if let Some(r) = current.take() {
                    out.push(r);
                }
                current = Some(Request {
                    cycle,
                    write,
                    addr: block,
                    channel,
                    words: 1,
                });
            }
        }
    }
    out.extend(current);
}

/// The trace of sparsim's model: `transfers` laid out sequentially over regions of
/// `region_words` words per operand.
pub fn from_transfers(
    arch: &Arch,
    transfers: &[DramTransfer],
    region_words: [u64; 3],
    burst_bytes: u64,
) -> LayerTrace {
    let mem = &arch.memory;
    let ops = [&mem.ifmap, &mem.filter, &mem.ofmap];
    let wb = word_bytes(mem);
    let calc = mem.bandwidth_mode == crate::config::BandwidthMode::Calc;
    let bases = bases(mem, region_words);
    let mut t = LayerTrace {
        bases,
        ..LayerTrace::default()
    };
    let mut cursor = [0u64; 3];
    for x in transfers {
        let c = x.channel;
        let region = region_words[c].max(1);
        // Word i moves in the cycle its channel's capacity first covers it.
        let cycle_of = |i: u64| {
            if calc {
                x.start
            } else {
                x.start + ops[c].dram_bw.cycles_for(i + 1).0 - 1
            }
        };
        let mut i = 0;
        while i < x.words {
            let cyc = cycle_of(i);
            let mut j = i + 1;
            while j < x.words && cycle_of(j) == cyc {
                j += 1;
            }
            let start = cursor[c];
            let addrs = (i..j).map(|w| bases[c] + (start + w - i) % region * wb[c]);
            push_bursts(&mut t.requests, cyc, x.write, c, addrs, burst_bytes);
            cursor[c] = (start + j - i) % region;
            i = j;
        }
        if x.write {
            t.write_words += x.words;
        } else {
            t.read_words[c] += x.words;
        }
    }
    finish(t)
}

/// The trace of the `scalesim` model: its DRAM lines, with the reads' and writes' counts as
/// it reported them (`reported` = ifmap reads, filter reads, ofmap writes).
pub fn from_scalesim(
    arch: &Arch,
    lines: &DramTraces,
    reported: [u64; 3],
    burst_bytes: u64,
) -> LayerTrace {
    let mem = &arch.memory;
    let wb = word_bytes(mem);
    let per_channel: [&Vec<DramLine>; 3] = [&lines.ifmap, &lines.filter, &lines.ofmap];
    let region_words = per_channel.map(|ls| {
        ls.iter()
            .flat_map(|l| l.addrs.iter())
            .max()
            .map_or(1, |m| m + 1)
    });
    let bases = bases(mem, region_words);
    let first = per_channel
        .iter()
        .flat_map(|ls| ls.iter().map(|l| l.cycle))
        .min()
        .unwrap_or(0);
    let mut t = LayerTrace {
        bases,
        ..LayerTrace::default()
    };
    for (c, ls) in per_channel.iter().enumerate() {
        let mut words = 0;
        for l in ls.iter() {
            let cycle = (l.cycle - first) as u64;
            let addrs = l.addrs.iter().map(|a| bases[c] + a * wb[c]);
            push_bursts(&mut t.requests, cycle, c == 2, c, addrs, burst_bytes);
            words += l.addrs.len() as u64;
        }
        if c == 2 {
            t.write_words = words;
        } else {
            t.read_words[c] = words;
        }
        t.padding_words[c] = reported[c].saturating_sub(words);
    }
    finish(t)
}

fn finish(mut t: LayerTrace) -> LayerTrace {
    if let Some(first) = t.requests.iter().map(|r| r.cycle).min() {
        for r in &mut t.requests {
            r.cycle -= first;
        }
    }
    // Stable: same-cycle requests keep channel then issue order.
    t.requests.sort_by_key(|r| (r.cycle, r.channel));
    t
}

/// The trace text in DRAMsim3's format.
pub fn dramsim3_text(t: &LayerTrace) -> String {
    let mut s = String::with_capacity(t.requests.len() * 24);
    for r in &t.requests {
        let op = if r.write { "WRITE" } else { "READ" };
        s.push_str(&format!("0x{:X} {op} {}\n", r.addr, r.cycle));
    }
    s
}

/// The dense tensor sizes of a layer's operands, words: the regions of sparsim's model.
fn tensor_words(work: &crate::workload::GemmWork) -> [u64; 3] {
    let g = work.shape;
    let ifmap = match work.ifmap {
        crate::workload::IfmapGeometry::Conv(c) => c.batch * c.ifmap_h * c.ifmap_w * c.channels,
        crate::workload::IfmapGeometry::Matrix => work.instances * g.m * g.k,
    };
    let filters = if work.weights_shared {
        1
    } else {
        work.instances
    };
    [ifmap, g.k * g.n * filters, g.m * g.n * work.instances]
}

/// Largest DRAM traffic, words, of a layer a trace is built for.
pub const MAX_TRACE_WORDS: u64 = 200_000_000;

/// The DRAM trace of one layer under `arch`'s memory model, or `None` for a layer not on the
/// array. `packed` is the layer's packed mapping for a packed layout (sparsim's model only);
/// `moved` the layer's reported DRAM words (reads + writes), which bounds the work.
pub fn layer_trace(
    arch: &Arch,
    layer: &crate::workload::Layer,
    packed: Option<&super::sparse::PackedMapping>,
    moved: u64,
    burst_bytes: u64,
) -> Result<Option<LayerTrace>, String> {
    let Some(work) = layer.gemm_work() else {
        return Ok(None);
    };
    if moved > MAX_TRACE_WORDS {
        return Err(format!(
            "layer `{}` moves {moved} DRAM words, more than a trace is written for ({MAX_TRACE_WORDS}): trace a smaller workload or fewer layers",
            layer.name
        ));
    }
    Ok(Some(match arch.memory.policy.model {
        crate::config::MemoryModel::Scalesim => {
            let mut lines = DramTraces::default();
            let mem = super::scalesim_mem::simulate(arch, &work, Some(&mut lines));
            from_scalesim(arch, &lines, mem.dram_counts, burst_bytes)
        }
        crate::config::MemoryModel::Sparsim => {
            let transfers = match packed {
                Some(p) => super::sparse::packed_transfers(arch, p),
                None => super::dense_transfers(arch, layer),
            };
            from_transfers(arch, &transfers, tensor_words(&work), burst_bytes)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::validate::parse_arch_toml;

    /// 2 words/cycle ifmap channel, 1-byte words, 4-byte bursts: a transfer of 5 words from
    /// cycle 3 moves words 0–1 at 3, 2–3 at 4, 4 at 5; the region of 6 words wraps the next
    /// transfer's third word to address 0.
    #[test]
    fn transfers_become_bursts_by_hand() {
        let arch = parse_arch_toml(
            "[array]\nrows = 2\ncols = 2\n[dram]\nifmap_bw = 2\n",
            "<t>",
            "t",
        )
        .unwrap();
        let x = |start, words| DramTransfer {
            channel: 0,
            write: false,
            start,
            words,
        };
        let t = from_transfers(&arch, &[x(3, 5), x(10, 3)], [6, 1, 1], 4);
        let got: Vec<(u64, u64, u64)> = t
            .requests
            .iter()
            .map(|r| (r.cycle, r.addr, r.words))
            .collect();
        // Cycles shift so that the first request is cycle 0.
        assert_eq!(
            got,
            vec![
                (0, 0, 2),
                (1, 0, 2),
                (2, 4, 1),
                (7, 4, 1),
                (7, 0, 1),
                (8, 0, 1)
            ]
        );
        assert_eq!(t.read_words, [8, 0, 0]);
        assert_eq!(dramsim3_text(&t).lines().next(), Some("0x0 READ 0"));
    }
}
