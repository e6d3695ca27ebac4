//! Stepped-engine speed: PE-cycles per second for dense weight-stationary layers.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sparsim::compare::pack_layer;
use sparsim::config::BandwidthMode;
use sparsim::engine::sparse::PeLimits;
use sparsim::inputs::builtin_arch;
use sparsim::layout::{LayoutKind, LayoutParams};
use sparsim::stepped::step_layer;
use sparsim::weights::{WeightSource, network_weights};
use sparsim::workload::{Conv2d, ConvSpec, Layer, LayerOp, Network, OutputRule};
use std::hint::black_box;

fn dense_ws(c: &mut Criterion) {
    // CALC bandwidth: no memory stalls, so every counted cycle steps all PEs.
    let (mut arch, _) = builtin_arch();
    arch.memory.bandwidth_mode = BandwidthMode::Calc;
    // ResNet-50's IB3b_2: 28x28x128, 3x3, 128 filters — 36 folds of 2R + C + 784 − 2 cycles.
    let conv = Conv2d::new(ConvSpec {
        batch: 1,
        ifmap: (28, 28),
        channels: 128,
        filters: 128,
        kernel: (3, 3),
        stride: (1, 1),
        padding: (1, 1),
        padding_end: None,
        dilation: (1, 1),
        groups: 1,
        rule: OutputRule::Padded,
    })
    .unwrap();
    let net = Network {
        name: "one".into(),
        layers: vec![Layer::new("IB3b_2", LayerOp::Conv(conv))],
        weight_spread: sparsim::weights::WeightSpread::default(),
    };
    let weights = network_weights(&net, &WeightSource::synthetic(1)).unwrap();
    let packs = pack_layer(
        &net,
        &weights,
        0,
        LayoutKind::Dense,
        &LayoutParams::default(),
    );
    let limits = PeLimits {
        mux_inputs: 1,
        row_bus_width: 1,
        ifmap_read_bw: None,
    };
    let cycles = step_layer(&arch, &net.layers[0], &packs, limits, 1)
        .stats
        .total_cycles;
    let mut g = c.benchmark_group("stepped");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cycles * arch.array.pes()));
    g.bench_function("dense_ws_32x32_resnet_3x3_layer_pe_cycles", |b| {
        b.iter(|| black_box(step_layer(&arch, &net.layers[0], &packs, limits, 1)))
    });
    g.finish();
}

criterion_group!(benches, dense_ws);
criterion_main!(benches);
