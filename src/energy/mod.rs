//! Energy and area (`docs/model.md` §9): the engines' results become action counts
//! ([`actions`]), a technology table ([`table`], defaults from [`sources`]) prices them
//! ([`price`]), and the architecture's components get an area ([`area`]).
//!
//! Data flow: [`crate::stats::LayerStats`] (+ sparse counters) → [`actions::ActionCounts`]
//! → [`price::EnergyBreakdown`]; [`crate::config::Arch`] + [`actions::Provision`] →
//! [`area::AreaBreakdown`].

pub mod actions;
pub mod area;
pub mod price;
pub mod sources;
pub mod table;

pub use actions::{ActionCounts, PackedCounts, Provision, layer_actions};
pub use area::{AreaBreakdown, area};
pub use price::{EnergyBreakdown, price};
pub use table::{AreaTable, EnergyTable, TechBase};

/// An architecture's technology table, resolved.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Technology {
    /// pJ per action.
    pub energy: EnergyTable,
    /// µm² per component.
    pub area: AreaTable,
}

/// Energy, delay and area combined: the figures of merit designs are ranked by
/// (`docs/model.md` §9.5). Operations count 2 per MAC of the workload as written (dense
/// equivalent), so a layout that skips work gets credit for the work it skipped.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FiguresOfMerit {
    /// Energy × delay, µJ·ms (= nJ·s).
    pub edp_uj_ms: f64,
    /// Effective tera-operations per second per watt: 2·MACs / energy in pJ. `None` without
    /// energy.
    pub tops_per_w: Option<f64>,
    /// Effective tera-operations per second per mm². `None` without time or area.
    pub tops_per_mm2: Option<f64>,
}

use serde::Serialize;

impl FiguresOfMerit {
    /// From a run's energy (pJ), time (µs), dense-equivalent MACs and area (mm²).
    pub fn new(energy_pj: f64, time_us: f64, macs: u64, area_mm2: f64) -> FiguresOfMerit {
        let ops = 2.0 * macs as f64;
        FiguresOfMerit {
            edp_uj_ms: (energy_pj * 1e-6) * (time_us * 1e-3),
            tops_per_w: (energy_pj > 0.0).then(|| ops / energy_pj),
            // ops / (µs · 1e-6) / 1e12 / mm² = ops / (µs · 1e6 · mm²)
            tops_per_mm2: (time_us > 0.0 && area_mm2 > 0.0)
                .then(|| ops / (time_us * 1e6 * area_mm2)),
        }
    }
}
