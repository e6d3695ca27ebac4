//! Resource limits: the most work and memory one run may ask for.
//!
//! A short input can describe an enormous job (a 132-byte topology whose depthwise row splits
//! into 16 million layers, an LSTM of 2²⁴ steps, a 65,536 × 65,536 array with per-PE output).
//! Each limit below bounds one input-driven allocation and is checked before that allocation
//! is made; exceeding one is an error that names the layer, the count and the option that
//! raises the limit. The defaults leave every shipped workload and architecture far inside.

use crate::config::Arch;
use crate::engine::mapping::Mapping;
use crate::report::table::thousands as grouped;
use crate::workload::Network;

/// The limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most layers a workload may have once expanded (a SCALE-Sim depthwise row becomes one
    /// layer per channel). Default 100,000 (ResNet-152 has 155), which is also the most a
    /// SCALE-Sim topology is expanded to while it is parsed.
    pub max_layers: u64,
    /// Most weights one layer may hold (N·K per weight instance), when weights are made:
    /// they, and every layout's packing of them, stay in memory at 4 bytes or more each.
    /// Default 2²⁸ = 268,435,456 (1 GiB of f32; an LLM MLP layer of 11,008 × 4,096 is 45 M).
    pub max_weights: u64,
    /// Most folds one layer may map into: the memory model keeps a record of each (about
    /// 100 bytes). Default 2²⁴ = 16,777,216 (ResNet-50's largest layer on an 8 × 8 array has
    /// 36,864).
    pub max_folds: u64,
    /// Most rows of per-PE output (`pe_states.csv`: PEs × layers on the array × layouts).
    /// Default 2²⁴ = 16,777,216 (about 1 GB of CSV).
    pub max_pe_rows: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_layers: crate::workload::scalesim_csv::MAX_EXPANDED_LAYERS,
            max_weights: 1 << 28,
            max_folds: 1 << 24,
            max_pe_rows: 1 << 24,
        }
    }
}

/// What a run will do with a network, for [`Limits::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demands {
    /// Whether weights are made (a layout, a comparison, checks).
    pub weights: bool,
    /// Layouts each layer is simulated under (1 for a plain run).
    pub layouts: u64,
    /// Whether per-PE output is written (`--pe-states`, `--cross-check`, `--plot`, `--trace`).
    pub per_pe: bool,
}

impl Limits {
    /// Checks a workload's layer count.
    pub fn check_layers(&self, layers: u64) -> Result<(), String> {
        if layers > self.max_layers {
            return Err(format!(
                "{} layers exceed the limit of {} (--max-layers)",
                grouped(layers),
                grouped(self.max_layers)
            ));
        }
        Ok(())
    }

    /// Checks what running `net` on `arch` will hold in memory, before any of it is made.
    pub fn check(&self, arch: &Arch, net: &Network, d: Demands) -> Result<(), String> {
        self.check_layers(net.layers.len() as u64)?;
        let mut on_array = 0u64;
        for layer in &net.layers {
            let Some(work) = layer.gemm_work() else {
                continue;
            };
            on_array += 1;
            let shape = work.shape;
            let copies = if work.weights_shared {
                1
            } else {
                work.instances
            };
            let weights = shape
                .n
                .checked_mul(shape.k)
                .and_then(|w| w.checked_mul(copies));
            if d.weights && weights.is_none_or(|w| w > self.max_weights) {
                return Err(format!(
                    "layer `{}`: {} weights (N {} × K {}{}) exceed the limit of {} per layer (--max-weights)",
                    layer.name,
                    weights.map_or_else(|| "more than 2⁶⁴".into(), grouped),
                    grouped(shape.n),
                    grouped(shape.k),
                    if copies > 1 {
                        format!(" × {} instances", grouped(copies))
                    } else {
                        String::new()
                    },
                    grouped(self.max_weights)
                ));
            }
            let folds = Mapping::new(arch.dataflow, arch.array, shape)
                .folds()
                .checked_mul(work.instances);
            if folds.is_none_or(|f| f > self.max_folds) {
                return Err(format!(
                    "layer `{}`: {} folds on the {}×{} array ({} per instance × {} instances) exceed the limit of {} per layer (--max-folds)",
                    layer.name,
                    folds.map_or_else(|| "more than 2⁶⁴".into(), grouped),
                    arch.array.rows,
                    arch.array.cols,
                    grouped(Mapping::new(arch.dataflow, arch.array, shape).folds()),
                    grouped(work.instances),
                    grouped(self.max_folds)
                ));
            }
        }
        if d.per_pe {
            let rows = arch
                .array
                .pes()
                .checked_mul(on_array)
                .and_then(|r| r.checked_mul(d.layouts));
            if rows.is_none_or(|r| r > self.max_pe_rows) {
                return Err(format!(
                    "per-PE output of {} rows ({} PEs × {} layers × {} layouts) exceeds the limit of {} (--max-pe-rows)",
                    rows.map_or_else(|| "more than 2⁶⁴".into(), grouped),
                    grouped(arch.array.pes()),
                    grouped(on_array),
                    grouped(d.layouts),
                    grouped(self.max_pe_rows)
                ));
            }
        }
        Ok(())
    }
}
