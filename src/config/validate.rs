//! Raw architecture file → validated [`Arch`].

use super::raw::RawArch;
use super::{Arch, ArrayShape, Memory, OperandMemory, PeFeatures};
use crate::error::InputError;
use crate::units::Bandwidth;

/// Parses an architecture TOML text. `origin` names the input in errors; `default_name` is
/// used when the file has no `name` (usually the file stem).
pub fn parse_arch_toml(src: &str, origin: &str, default_name: &str) -> Result<Arch, InputError> {
    let raw: RawArch = crate::toml_input::parse(src, origin)?;
    validate(raw, origin, default_name)
}

/// Checks what a single field cannot and builds the validated type.
pub fn validate(raw: RawArch, origin: &str, default_name: &str) -> Result<Arch, InputError> {
    // The deserializer already bounded every bandwidth to [0.001, 1e12] words per cycle.
    let bw = |v: f64| {
        Bandwidth::from_words_per_cycle(v).expect("bandwidths are validated when deserialized")
    };
    let operand = |sram_kb, word_bytes, dram_bw| OperandMemory {
        sram_kb,
        word_bytes,
        dram_bw,
    };
    let memory = Memory {
        bandwidth_mode: raw.dram.bandwidth_mode,
        ifmap: operand(
            raw.sram.ifmap_kb,
            raw.word_bytes.ifmap,
            bw(raw.dram.ifmap_bw),
        ),
        filter: operand(
            raw.sram.filter_kb,
            raw.word_bytes.filter,
            bw(raw.dram.filter_bw),
        ),
        ofmap: operand(
            raw.sram.ofmap_kb,
            raw.word_bytes.ofmap,
            bw(raw.dram.ofmap_bw),
        ),
    };
    let name = match raw.name {
        Some(n) if n.trim().is_empty() => {
            return Err(
                InputError::new(origin, "the name is empty: give a non-empty string")
                    .with_key("name"),
            );
        }
        Some(n) => n,
        None => default_name.to_string(),
    };
    Ok(Arch {
        name,
        description: raw.description.unwrap_or_default(),
        clock_mhz: raw.clock_mhz,
        array: ArrayShape {
            rows: raw.array.rows,
            cols: raw.array.cols,
        },
        dataflow: raw.array.dataflow,
        memory,
        pe: PeFeatures {
            mux_inputs: raw.pe.mux_inputs,
            row_bus_width: raw.pe.row_bus_width,
            weight_double_buffer: raw.pe.weight_double_buffer,
        },
    })
}
