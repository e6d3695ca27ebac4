//! Dense engine speed: whole networks on the built-in 32x32 WS array.

use criterion::{Criterion, criterion_group, criterion_main};
use sparsim::config::MemoryModel;
use sparsim::config::validate::with_memory_model;
use sparsim::engine::{simulate_network, totals};
use sparsim::inputs::{builtin_arch, builtin_workload, load_workload};
use sparsim::workload::scalesim_csv::TopologyForm;
use std::hint::black_box;
use std::path::Path;

fn networks(c: &mut Criterion) {
    let (arch, _) = builtin_arch();
    let (resnet, _) = builtin_workload();
    c.bench_function("resnet50_54_layers_32x32_ws", |b| {
        b.iter(|| {
            let layers = simulate_network(black_box(&arch), black_box(&resnet), |_| {});
            black_box(totals(&arch, &layers))
        })
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (scalesim_resnet, _) = load_workload(
        &root.join("workloads/resnet50_scalesim.csv"),
        TopologyForm::Conv,
    )
    .unwrap();
    c.bench_function("resnet50_scalesim_topology_32x32_ws", |b| {
        b.iter(|| black_box(simulate_network(&arch, black_box(&scalesim_resnet), |_| {})))
    });
    let (mobilenet, _) = load_workload(
        &root.join("workloads/mobilenet_v2.toml"),
        TopologyForm::Detect,
    )
    .unwrap();
    c.bench_function("mobilenet_v2_32x32_ws", |b| {
        b.iter(|| black_box(simulate_network(&arch, black_box(&mobilenet), |_| {})))
    });
    // SCALE-Sim's memory system, address by address, on ResNet-50's first three layers
    // (Conv1, CB2a_1, CB2a_2) of its own topology.
    let scalesim_arch = with_memory_model(arch.clone(), MemoryModel::Scalesim).unwrap();
    let mut first3 = scalesim_resnet.clone();
    first3.layers.truncate(3);
    let mut g = c.benchmark_group("scalesim_memory_model");
    g.sample_size(10);
    g.bench_function("resnet50_first_3_layers_32x32_ws", |b| {
        b.iter(|| black_box(simulate_network(&scalesim_arch, black_box(&first3), |_| {})))
    });
    g.finish();
}

criterion_group!(benches, networks);
criterion_main!(benches);
