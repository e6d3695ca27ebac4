//! `layers.csv`: one row per layer, columns named as the [`LayerStats`] fields.

use crate::energy::EnergyBreakdown;
use crate::stats::LayerStats;

/// Renders the per-layer CSV: the [`LayerStats`] columns, then each layer's energy by
/// component.
pub fn layers_csv(layers: &[LayerStats], energies: &[EnergyBreakdown]) -> Vec<u8> {
    super::finite::assert_finite("layers.csv", layers);
    super::finite::assert_finite("layers.csv", energies);
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, (l, e)) in layers.iter().zip(energies).enumerate() {
        let (h1, v1) = super::compare::record(l);
        let (h2, v2) = super::compare::record(e);
        if i == 0 {
            let h: Vec<&str> = h1.iter().chain(h2.iter()).collect();
            w.write_record(&h).expect("writing into memory cannot fail");
        }
        let v: Vec<&str> = v1.iter().chain(v2.iter()).collect();
        w.write_record(&v).expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}
