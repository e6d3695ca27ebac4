//! Action counts of one layer under one layout: what the hardware did, counted from the
//! engine's results (`docs/model.md` §9.1). Pricing them is [`super::price`]'s job.

use crate::config::Arch;
use crate::stats::LayerStats;
use serde::Serialize;
use std::ops::AddAssign;

/// The hardware a run uses: the PE mux and row bus as provisioned for it, its select
/// registers and metadata decoders, and whether its layout loads a select with each weight
/// (packed layouts do; dense and masked do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provision {
    /// Activation-mux inputs per PE.
    pub mux_inputs: u32,
    /// Row-bus lanes.
    pub row_bus_width: u32,
    /// Select-register bits per PE: which of its row's bus entries (beat and lane) it takes.
    pub select_bits: u32,
    /// Metadata decoder lanes (entries decoded per cycle); 0 without a decoder.
    pub decoder_lanes: u32,
    /// Whether weights carry a select (a packed layout).
    pub selects: bool,
}

/// `⌈log2 n⌉`: bits that tell `n` things apart (0 for one or none).
pub fn bits_for(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// Whether PEs with these features can run packed layouts: a mux or a bus wider than one.
pub fn runs_packed(pe: &crate::config::PeFeatures) -> bool {
    pe.mux_inputs > 1 || pe.row_bus_width > 1
}

/// Select-register bits of a PE as provisioned: enough for any of the ≤ C entries a row of
/// C PEs may carry when it can run packed layouts, none for a plain PE.
pub fn provisioned_select_bits(pe: &crate::config::PeFeatures, cols: u32) -> u32 {
    if runs_packed(pe) {
        bits_for(u64::from(cols))
    } else {
        0
    }
}

impl Provision {
    /// The arch as its file provisions it. A PE with a mux or a wider bus can run packed
    /// layouts: it has a select register wide enough for any entry its row may carry (a row
    /// of C PEs asks for at most C activations per vector) and the metadata decoders, the
    /// most entries per cycle any layout's `[decode]` asks for. A plain PE has neither.
    pub fn of_arch(arch: &Arch) -> Provision {
        let d = &arch.decode;
        let lanes = [d.irregular, d.nm, d.bwhm, d.darb, d.pconv, d.colcomb]
            .into_iter()
            .max()
            .unwrap_or(0);
        Provision {
            mux_inputs: arch.pe.mux_inputs,
            row_bus_width: arch.pe.row_bus_width,
            select_bits: provisioned_select_bits(&arch.pe, arch.array.cols),
            decoder_lanes: if runs_packed(&arch.pe) { lanes } else { 0 },
            selects: false,
        }
    }
}

/// What one layer's run did, in actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ActionCounts {
    /// MACs with a nonzero weight.
    pub mac_effectual: u64,
    /// MAC slots of mapped PEs whose weight is zero or absent.
    pub mac_zero_weight: u64,
    /// Streamed-operand words written into PE registers (one per used PE passed).
    pub operand_hops: u64,
    /// Stationary words written into PE registers while tiles shift in.
    pub stationary_hops: u64,
    /// Partial-sum (accumulator) register writes: one per MAC slot.
    pub psum_writes: u64,
    /// Activation-mux selections: one per MAC slot.
    pub mux_selects: u64,
    /// Σ over selections of the mux's inputs (selections × `mux_inputs`).
    pub mux_select_inputs: u64,
    /// Metadata entries decoded.
    pub decoder_entries: u64,
    /// Row-bus beats.
    pub bus_beats: u64,
    /// Ifmap words read from SRAM.
    pub ifmap_sram_reads: u64,
    /// Weight words read from the filter SRAM.
    pub filter_sram_reads: u64,
    /// Metadata words read from the filter SRAM.
    pub metadata_sram_reads: u64,
    /// Ofmap words written to SRAM.
    pub ofmap_sram_writes: u64,
    /// Ifmap bytes read from DRAM.
    pub ifmap_dram_bytes: u64,
    /// Weight bytes read from DRAM.
    pub filter_dram_bytes: u64,
    /// Metadata bytes read from DRAM.
    pub metadata_dram_bytes: u64,
    /// Ofmap bytes written to DRAM (spilled partial sums included).
    pub ofmap_dram_write_bytes: u64,
    /// Spilled partial-sum bytes read back from DRAM.
    pub psum_dram_read_bytes: u64,
    /// PE-cycles of the layer: R·C·total cycles.
    pub pe_cycles: u64,
    /// PE-cycles without a MAC slot (idle, filling, draining, stalled).
    pub idle_pe_cycles: u64,
}

impl AddAssign for ActionCounts {
    fn add_assign(&mut self, o: ActionCounts) {
        let fields = [
            (&mut self.mac_effectual, o.mac_effectual),
            (&mut self.mac_zero_weight, o.mac_zero_weight),
            (&mut self.operand_hops, o.operand_hops),
            (&mut self.stationary_hops, o.stationary_hops),
            (&mut self.psum_writes, o.psum_writes),
            (&mut self.mux_selects, o.mux_selects),
            (&mut self.mux_select_inputs, o.mux_select_inputs),
            (&mut self.decoder_entries, o.decoder_entries),
            (&mut self.bus_beats, o.bus_beats),
            (&mut self.ifmap_sram_reads, o.ifmap_sram_reads),
            (&mut self.filter_sram_reads, o.filter_sram_reads),
            (&mut self.metadata_sram_reads, o.metadata_sram_reads),
            (&mut self.ofmap_sram_writes, o.ofmap_sram_writes),
            (&mut self.ifmap_dram_bytes, o.ifmap_dram_bytes),
            (&mut self.filter_dram_bytes, o.filter_dram_bytes),
            (&mut self.metadata_dram_bytes, o.metadata_dram_bytes),
            (&mut self.ofmap_dram_write_bytes, o.ofmap_dram_write_bytes),
            (&mut self.psum_dram_read_bytes, o.psum_dram_read_bytes),
            (&mut self.pe_cycles, o.pe_cycles),
            (&mut self.idle_pe_cycles, o.idle_pe_cycles),
        ];
        for (a, b) in fields {
            *a += b;
        }
    }
}

/// The sparse-layout counters actions need from a packed run (all zero for a dense one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackedCounts {
    /// MACs with a nonzero weight.
    pub effectual_macs: u64,
    /// Zero-weight MAC slots.
    pub ineffectual_macs: u64,
    /// Metadata entries decoded.
    pub decoder_entries: u64,
    /// Metadata words read from SRAM.
    pub metadata_sram_reads: u64,
    /// Metadata words read from DRAM.
    pub metadata_dram_reads: u64,
}

/// The actions of one layer: from its result row and, for a packed layout, its sparse
/// counters. A dense row's every MAC slot is a MAC of its `macs` (zero weights included when
/// it runs masked weights: `packed` then gives the split).
pub fn layer_actions(
    arch: &Arch,
    s: &LayerStats,
    packed: Option<&PackedCounts>,
    hw: &Provision,
) -> ActionCounts {
    let mem = &arch.memory;
    let (fw, mw) = (
        u64::from(mem.filter.word_bytes),
        u64::from(mem.metadata_word_bytes),
    );
    let p = packed.copied().unwrap_or(PackedCounts {
        effectual_macs: s.macs,
        ..PackedCounts::default()
    });
    let slots = p.effectual_macs + p.ineffectual_macs;
    let metadata_dram_bytes = p.metadata_dram_reads * mw;
    // Metadata travels on the filter channel in whole filter words.
    let meta_filter_words = metadata_dram_bytes.div_ceil(fw);
    // Saturating: R·C (up to 2³²) × cycles; a u64 holds any real run.
    let pe_cycles = arch.array.pes().saturating_mul(s.total_cycles);
    ActionCounts {
        mac_effectual: p.effectual_macs,
        mac_zero_weight: p.ineffectual_macs,
        operand_hops: s.operand_hops,
        stationary_hops: s.stationary_hops,
        psum_writes: slots,
        mux_selects: slots,
        mux_select_inputs: slots.saturating_mul(u64::from(hw.mux_inputs)),
        decoder_entries: p.decoder_entries,
        bus_beats: s.bus_beats,
        ifmap_sram_reads: s.ifmap_sram_reads,
        filter_sram_reads: s.filter_sram_reads,
        metadata_sram_reads: p.metadata_sram_reads,
        ofmap_sram_writes: s.ofmap_sram_writes,
        ifmap_dram_bytes: s.ifmap_dram_reads * u64::from(mem.ifmap.word_bytes),
        filter_dram_bytes: s.filter_dram_reads.saturating_sub(meta_filter_words) * fw,
        metadata_dram_bytes,
        ofmap_dram_write_bytes: s.ofmap_dram_writes * u64::from(mem.ofmap.word_bytes),
        psum_dram_read_bytes: s.ofmap_dram_reads * u64::from(mem.ofmap.word_bytes),
        pe_cycles,
        idle_pe_cycles: pe_cycles.saturating_sub(slots),
    }
}
