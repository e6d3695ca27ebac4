//! Raw architecture file → validated [`Arch`].

use super::raw::RawArch;
use super::raw::RawLayout;
use super::{
    Arch, ArrayShape, Dataflow, DecodeThroughput, Memory, MemoryModel, MemoryPolicy, OperandMemory,
    PeFeatures, SramPorts,
};
use crate::error::InputError;
use crate::layout::LayoutParams;
use crate::units::Bandwidth;

/// Reads the file an architecture's `[energy] ert` names: (its origin for errors, its text).
pub type ErtLoader<'a> = &'a dyn Fn(&str) -> Result<(String, String), InputError>;

/// Parses an architecture TOML text. `origin` names the input in errors; `default_name` is
/// used when the file has no `name` (usually the file stem). An `[energy] ert` key is an
/// error here: it names a file, which [`parse_arch_toml_with`] can read.
pub fn parse_arch_toml(src: &str, origin: &str, default_name: &str) -> Result<Arch, InputError> {
    parse_arch_toml_with(src, origin, default_name, None)
}

/// [`parse_arch_toml`], reading an `[energy] ert` file through `load_ert`: its values fill
/// the `[energy]` keys the file does not set.
pub fn parse_arch_toml_with(
    src: &str,
    origin: &str,
    default_name: &str,
    load_ert: Option<ErtLoader>,
) -> Result<Arch, InputError> {
    let raw: RawArch = crate::toml_input::parse(src, origin)?;
    let (energy, area) = (raw.energy.clone(), raw.area.clone());
    let with_line = |e: InputError| match (&e.key, e.line) {
        (Some(key), None) => match crate::toml_input::line_of_key(src, key) {
            Some(line) => InputError {
                line: Some(line),
                ..e
            },
            None => e,
        },
        _ => e,
    };
    let mut arch = validate(raw, origin, default_name).map_err(with_line)?;
    let Some(path) = &energy.ert else {
        return Ok(arch);
    };
    let Some(load) = load_ert else {
        return Err(with_line(
            InputError::new(
                origin,
                format!(
                    "`{path}` names a file, which this input cannot read (a sweep point or built-in text): load the architecture from its file, or copy the table's values into [energy]"
                ),
            )
            .with_key("energy.ert"),
        ));
    };
    let (ert_origin, text) = load(path).map_err(|e| {
        with_line(
            InputError::new(
                origin,
                format!("the energy reference table cannot be read: {e}"),
            )
            .with_key("energy.ert"),
        )
    })?;
    let ert = super::ert::parse_ert(&text, &ert_origin)?;
    let from_ert = ert.overrides(&ert_widths(&arch))?;
    arch.tech = super::resolve_technology(
        (
            energy.base,
            &super::ert::merge(&energy.overrides(), &from_ert),
        ),
        (area.base, &area.overrides()),
        &arch.memory,
        &arch.pe,
        arch.array.cols,
        arch.clock_mhz,
    );
    Ok(arch)
}

/// The widths an ERT's per-access energies divide by, for `arch`.
fn ert_widths(arch: &Arch) -> super::ert::ErtWidths {
    let m = &arch.memory;
    let (stream, stationary) = crate::energy::area::operand_bits(arch);
    super::ert::ErtWidths {
        accumulator_bits: arch.pe.accumulator_bits,
        stream_bits: stream,
        stationary_bits: stationary,
        mux_inputs: arch.pe.mux_inputs,
        word_bytes: [m.ifmap.word_bytes, m.filter.word_bytes, m.ofmap.word_bytes],
    }
}

/// The SRAM read ports: the file's values over the dense array's needs. Limits below those
/// needs are modelled only under weight stationarity.
fn ports(raw: &RawArch, origin: &str) -> Result<SramPorts, InputError> {
    let array = ArrayShape {
        rows: raw.array.rows,
        cols: raw.array.cols,
    };
    let df = raw.array.dataflow;
    let need = SramPorts::dense_need(array, df);
    let s = &raw.sram;
    let resolved = SramPorts {
        ifmap_read_bw: s.ifmap_read_bw.unwrap_or(need.ifmap_read_bw),
        filter_read_bw: s.filter_read_bw.unwrap_or(need.filter_read_bw),
        metadata_read_bw: s.metadata_read_bw.unwrap_or(need.metadata_read_bw),
    };
    if df != Dataflow::Ws {
        let (r_or_c, c_or_r) = if df == Dataflow::Is {
            ("C", "R")
        } else {
            ("R", "C")
        };
        for (key, got, want, dim) in [
            (
                "sram.ifmap_read_bw",
                resolved.ifmap_read_bw,
                need.ifmap_read_bw,
                r_or_c,
            ),
            (
                "sram.filter_read_bw",
                resolved.filter_read_bw,
                need.filter_read_bw,
                c_or_r,
            ),
        ] {
            if got < want {
                return Err(InputError::new(
                    origin,
                    format!(
                        "{got} words/cycle is below what a dense {df} array reads ({dim} = {want}); SRAM read-port limits are modelled on weight-stationary arrays only: give at least {want}, or leave the key out"
                    ),
                )
                .with_key(key));
            }
        }
    }
    Ok(resolved)
}

/// SCALE-Sim's memory system moves whole DRAM lines of an integer number of words per cycle
/// and times dense folds: the `scalesim` model refuses fractional bandwidths, the sparsim
/// model's policy keys that it would ignore, and SRAM read ports narrower than a dense array
/// reads. The error is `(key, message)`.
pub fn scalesim_model_fits(
    memory: &Memory,
    ports: SramPorts,
    array: ArrayShape,
    dataflow: Dataflow,
) -> Result<(), (&'static str, String)> {
    for (key, m) in [
        ("dram.ifmap_bw", &memory.ifmap),
        ("dram.filter_bw", &memory.filter),
        ("dram.ofmap_bw", &memory.ofmap),
    ] {
        let v = m.dram_bw.words_per_cycle();
        if v.fract() != 0.0 {
            return Err((
                key,
                format!(
                    "{v} words/cycle: memory.model = \"scalesim\" moves whole DRAM lines, so it needs an integer bandwidth of at least 1 (or use model = \"sparsim\")"
                ),
            ));
        }
    }
    let defaults = MemoryPolicy::default();
    let p = &memory.policy;
    let ignored = [
        (
            "memory.half_release",
            p.half_release != defaults.half_release,
        ),
        ("memory.first_fill", p.first_fill != defaults.first_fill),
        (
            "memory.dram_read_latency",
            p.dram_read_latency != defaults.dram_read_latency,
        ),
    ];
    if let Some((key, _)) = ignored.iter().find(|(_, set)| *set) {
        return Err((
            key,
            "is a policy of sparsim's own memory model; memory.model = \"scalesim\" follows SCALE-Sim's fixed policy (first fill before cycle 0, 1-cycle read latency): remove the key or use model = \"sparsim\"".to_string(),
        ));
    }
    scalesim_ports_fit(ports, array, dataflow)
}

/// SCALE-Sim's folds read a dense array's words per cycle: SRAM read ports narrower than that
/// do not fit the `scalesim` model.
fn scalesim_ports_fit(
    ports: SramPorts,
    array: ArrayShape,
    dataflow: Dataflow,
) -> Result<(), (&'static str, String)> {
    let need = SramPorts::dense_need(array, dataflow);
    for (key, got, want) in [
        (
            "sram.ifmap_read_bw",
            ports.ifmap_read_bw,
            need.ifmap_read_bw,
        ),
        (
            "sram.filter_read_bw",
            ports.filter_read_bw,
            need.filter_read_bw,
        ),
    ] {
        if got < want {
            return Err((
                key,
                format!(
                    "{got} words/cycle is below what a dense array reads ({want}); memory.model = \"scalesim\" times SCALE-Sim's dense folds, which read that much: give at least {want}, or use model = \"sparsim\""
                ),
            ));
        }
    }
    Ok(())
}

/// `arch` with its memory model replaced by `model` (the command line's `--memory-model`),
/// checked as the file's `[memory] model` would be.
pub fn with_memory_model(mut arch: Arch, model: MemoryModel) -> Result<Arch, String> {
    arch.memory.policy.model = model;
    if model == MemoryModel::Scalesim {
        scalesim_model_fits(&arch.memory, arch.ports, arch.array, arch.dataflow)
            .map_err(|(key, m)| format!("--memory-model scalesim: `{key}` {m}"))?;
    }
    Ok(arch)
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
        metadata_word_bytes: raw.word_bytes.metadata,
        ofmap: operand(
            raw.sram.ofmap_kb,
            raw.word_bytes.ofmap,
            bw(raw.dram.ofmap_bw),
        ),
        policy: MemoryPolicy {
            model: raw.memory.model,
            half_release: raw.memory.half_release,
            first_fill: raw.memory.first_fill,
            dram_read_latency: raw.memory.dram_read_latency,
        },
    };
    let ports = ports(&raw, origin)?;
    if raw.memory.model == MemoryModel::Scalesim {
        let array = ArrayShape {
            rows: raw.array.rows,
            cols: raw.array.cols,
        };
        scalesim_model_fits(&memory, ports, array, raw.array.dataflow)
            .map_err(|(key, m)| InputError::new(origin, m).with_key(key))?;
    }
    let pe = PeFeatures {
        mux_inputs: raw.pe.mux_inputs,
        row_bus_width: raw.pe.row_bus_width,
        weight_double_buffer: raw.pe.weight_double_buffer,
        zero_gating: raw.pe.zero_gating,
        accumulator_bits: raw.pe.accumulator_bits,
    };
    let tech = super::resolve_technology(
        (raw.energy.base, &raw.energy.overrides()),
        (raw.area.base, &raw.area.overrides()),
        &memory,
        &pe,
        raw.array.cols,
        raw.clock_mhz,
    );
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
        pe,
        decode: {
            let d = &raw.decode;
            let or = |v: Option<u32>| v.unwrap_or(raw.array.cols);
            DecodeThroughput {
                irregular: or(d.irregular),
                nm: or(d.nm),
                bwhm: or(d.bwhm),
                darb: or(d.darb),
                pconv: or(d.pconv),
                colcomb: or(d.colcomb),
            }
        },
        ports,
        dropped_filters: raw.outputs.dropped_filters,
        layout: layout_params(&raw.layout, &LayoutParams::default())
            .map_err(|m| InputError::new(origin, m).with_key("layout"))?,
        tech,
    })
}

/// Applies a `[layout]` table over `base` and checks the result.
pub fn layout_params(raw: &RawLayout, base: &LayoutParams) -> Result<LayoutParams, String> {
    let mut p = base.clone();
    if let Some(v) = raw.sparsity {
        p.sparsity = v;
    }
    if let Some(v) = raw.importance {
        p.importance = v;
    }
    if let Some(v) = &raw.nm {
        p.nm = Some(parse_nm(v)?);
    }
    if let Some(v) = raw.bwhm_block {
        p.bwhm_block = Some(v);
    }
    if let Some(v) = &raw.darb_blocks {
        p.darb_blocks = v.clone();
    }
    if let Some(v) = raw.darb_mapping {
        p.darb_mapping = v;
    }
    if let Some(v) = raw.pconv_patterns {
        p.pconv_patterns = v;
    }
    if let Some(v) = raw.pconv_connectivity {
        p.pconv_connectivity = Some(v);
    }
    if let Some(v) = raw.colcomb_alpha {
        p.colcomb_alpha = v;
    }
    if let Some(v) = raw.colcomb_gamma {
        p.colcomb_gamma = v;
    }
    if let Some(v) = raw.colcomb_column_order {
        p.colcomb_column_order = v;
    }
    if let Some(v) = raw.layerwise_nm {
        p.layerwise_nm = v;
    }
    p.validate()?;
    Ok(p)
}

/// Parses `"N:M"`.
pub fn parse_nm(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("N:M = \"{s}\": expected two integers as \"N:M\", e.g. \"2:4\"");
    let (n, m) = s.split_once(':').ok_or_else(bad)?;
    let n = n.trim().parse().map_err(|_| bad())?;
    let m = m.trim().parse().map_err(|_| bad())?;
    Ok((n, m))
}
