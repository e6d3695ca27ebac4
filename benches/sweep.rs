//! Sweep speed: a 50-point sweep over array shape × weight bandwidth on VGG-16 (CIFAR-10) with
//! N:M 2:4 — one packing shared by all points, 25 array mappings, each mapping shared by two
//! memory points. Measures the per-point cost a large sweep pays after packing.

use criterion::{Criterion, criterion_group, criterion_main};
use sparsim::inputs::parse_workload_text;
use sparsim::sweep::run::run_points;
use sparsim::sweep::spec::parse_sweep_file;
use sparsim::workload::scalesim_csv::TopologyForm;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const SWEEP: &str = r#"
base_arch = "sparse-32x32-ws.toml"
workloads = ["vgg16_cifar10.toml"]
[axes]
"array.rows" = [8, 16, 32, 64, 128]
"array.cols" = [8, 16, 32, 64, 128]
layout = ["nm"]
"dram.filter_bw" = [8, 32]
"#;

fn vgg16_nm_50_points(c: &mut Criterion) {
    let net = parse_workload_text(
        include_str!("../workloads/vgg16_cifar10.toml"),
        "vgg16_cifar10.toml",
        "vgg16_cifar10",
        "toml",
        TopologyForm::Detect,
    )
    .unwrap();
    let spec = parse_sweep_file(SWEEP, "bench.toml", "bench")
        .unwrap()
        .resolve(
            include_str!("../arch/sparse-32x32-ws.toml"),
            "sparse-32x32-ws.toml",
            vec![("vgg16_cifar10".into(), net)],
        )
        .unwrap();
    let points = spec.points().unwrap();
    assert_eq!(points.len(), 50);
    let mut group = c.benchmark_group("sweep");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("vgg16_cifar10_nm_50_points", |b| {
        b.iter(|| {
            let done = AtomicUsize::new(0);
            run_points(&spec, &points, &|_| {
                done.fetch_add(1, Ordering::Relaxed);
            })
            .unwrap();
            assert_eq!(done.into_inner(), 50);
        })
    });
    group.finish();
}

criterion_group!(benches, vgg16_nm_50_points);
criterion_main!(benches);
