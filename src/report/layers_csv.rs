//! `layers.csv`: one row per layer, columns named as the [`LayerStats`] fields.

use crate::stats::LayerStats;

/// Renders the per-layer CSV.
pub fn layers_csv(layers: &[LayerStats]) -> Vec<u8> {
    super::finite::assert_finite("layers.csv", layers);
    let mut w = csv::Writer::from_writer(Vec::new());
    for l in layers {
        w.serialize(l)
            .expect("serializing plain numbers and strings into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}
