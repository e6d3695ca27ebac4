#!/usr/bin/env bash
# sparsim's memory model (and each of its policy options) against the `scalesim` model
# (SCALE-Sim v3.0.0's memory system) on dense LeNet-5, VGG-16 (CIFAR-10) and ResNet-50, on the
# shipped arch/tpu-32x32-ws.toml (32x32 WS, 64 kB SRAMs, 10 words/cycle DRAM per operand).
# Writes
#   results/memory-models/memory_models.csv   (one row per workload x model)
#   results/memory-models/memory_models.md    (the table the README shows)
# Run from anywhere: bash docs/memory-models.sh   (about 30 s on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
s="$PWD/target/release/sparsim"
out=results/memory-models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
base=arch/tpu-32x32-ws.toml

# model name | [memory] table lines ("\n"-separated; empty = sparsim defaults)
models=(
    "sparsim|"
    "sparsim fold_end|half_release = \"fold_end\""
    "sparsim prefetch|first_fill = \"prefetch\""
    "sparsim latency 100|dram_read_latency = 100"
    "scalesim|model = \"scalesim\""
)

csv="$out/memory_models.csv"
echo "workload,model,total_cycles,stall_cycles,compute_cycles,prefetch_cycles,ifmap_dram_reads,filter_dram_reads,ofmap_dram_writes" > "$csv.tmp"
for w in lenet5 vgg16_cifar10 resnet50; do
    for m in "${models[@]}"; do
        IFS='|' read -r name table <<< "$m"
        arch="$work/arch.toml"
        cp "$base" "$arch"
        if [ -n "$table" ]; then
            printf '\n[memory]\n%b\n' "$table" >> "$arch"
        fi
        dir="$work/$w-${name// /_}"
        "$s" run -q --arch "$arch" --workload "workloads/$w.toml" --out "$dir"
        awk -F, -v w="$w" -v name="$name" '
            NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            { t += $col["total_cycles"]; st += $col["stall_cycles"]; cc += $col["compute_cycles"]
              pf += $col["prefetch_cycles"]; ir += $col["ifmap_dram_reads"]
              fr += $col["filter_dram_reads"]; ow += $col["ofmap_dram_writes"] }
            END { printf "%s,%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", w, name, t, st, cc, pf, ir, fr, ow }
        ' "$dir/layers.csv" >> "$csv.tmp"
    done
done
mv "$csv.tmp" "$csv"

{
    echo "| workload | model | total cycles | stall cycles | prefetch cycles | DRAM words read | DRAM words written |"
    echo "|---|---|---|---|---|---|---|"
    awk -F, 'NR > 1 { printf "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", $1, $2, $3, $4, $6, $7 + $8, $9 }' "$csv"
} > "$out/memory_models.md.tmp"
mv "$out/memory_models.md.tmp" "$out/memory_models.md"
cat "$out/memory_models.md"
