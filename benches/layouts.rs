//! Pruning + packing speed: every layout on every ResNet-50 layer (synthetic weights).

use criterion::{Criterion, criterion_group, criterion_main};
use sparsim::compare::pack_layer;
use sparsim::inputs::builtin_workload;
use sparsim::layout::{LayoutKind, LayoutParams};
use sparsim::weights::{WeightSource, network_weights};
use std::hint::black_box;
use std::time::Duration;

fn resnet50_all_layouts(c: &mut Criterion) {
    let (net, _) = builtin_workload();
    let weights = network_weights(&net, &WeightSource::synthetic(1)).unwrap();
    let params = LayoutParams::default();
    let mut group = c.benchmark_group("prune_and_pack");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function("resnet50_54_layers_all_8_layouts_one_thread", |b| {
        b.iter(|| {
            let mut cells = 0u64;
            for kind in LayoutKind::ALL {
                for i in 0..net.layers.len() {
                    for p in pack_layer(&net, &weights, i, kind, &params) {
                        cells += p.packed_cells();
                    }
                }
            }
            black_box(cells)
        })
    });
    group.finish();
}

criterion_group!(benches, resnet50_all_layouts);
criterion_main!(benches);
