#!/usr/bin/env bash
# How much each modelling assumption moves the VGG-16 (CIFAR-10) layout comparison: runs
# `sparsim compare` on the shipped sparse arch and on one variant per assumption (one change
# at a time), and writes each layout's network cycles and speedup over dense to
#   results/assumptions-vgg16/assumptions.csv   (one row per variant x layout)
#   results/assumptions-vgg16/assumptions.md    (the table the README and docs/model.md show)
# Run from anywhere: bash docs/assumptions.sh   (about 2 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
s="$PWD/target/release/sparsim"
out=results/assumptions-vgg16
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
base=arch/sparse-32x32-ws.toml
layouts=dense,irregular,nm,darb,pconv,colcomb

# variant name | what changes | sed expression on the arch file | extra compare flags
variants=(
    "base|shipped sparse-32x32-ws: ifmap port 512; bus 16; mux 16; decode C; double-buffered weights; zero outputs written; DARB by block size; spreads 0.5/0.3||"
    "ifmap_port_R|[sram] ifmap_read_bw = 32 (R: what a dense array reads)|s/^ifmap_read_bw = 512/ifmap_read_bw = 32/|"
    "bus_4|[pe] row_bus_width = 4 (mux 16; ifmap port 512)|s/^row_bus_width = 16/row_bus_width = 4/|"
    "bus_4_port_128|[pe] row_bus_width = 4 and [sram] ifmap_read_bw = 128 (R x B)|s/^row_bus_width = 16/row_bus_width = 4/;s/^ifmap_read_bw = 512/ifmap_read_bw = 128/|"
    "filter_port_16|[sram] filter_read_bw = 16 (C/2: each weight row loads in 2 cycles)|s/^ifmap_read_bw = 512/ifmap_read_bw = 512\nfilter_read_bw = 16/|"
    "slow_decoder|[decode] 4 entries/cycle for every layout and [sram] metadata_read_bw = 4|s/^ifmap_read_bw = 512/ifmap_read_bw = 512\nmetadata_read_bw = 4/;s/^\[outputs\]/[decode]\nirregular = 4\nnm = 4\nbwhm = 4\ndarb = 4\npconv = 4\ncolcomb = 4\n\n[outputs]/|"
    "single_weight_buffer|[pe] weight_double_buffer = false (decode cannot work ahead)|s/^weight_double_buffer = true/weight_double_buffer = false/|"
    "skip_dropped|[outputs] dropped_filters = \"skip\" (next layer re-indexed)|s/^dropped_filters = \"write_zeros\"/dropped_filters = \"skip\"/|"
    "darb_mixed|--darb-mapping mixed (DARB folds mix block sizes)||--darb-mapping mixed"
    "no_spread|--weight-spread filter=0 channel=0 (synthetic weights without per-filter or per-channel scales)||--weight-spread filter=0,channel=0"
    "half_release_fold_end|[memory] half_release = \"fold_end\" (a double buffer's free half opens when the tile's first fold ends)|s/^\[outputs\]/[memory]\nhalf_release = \"fold_end\"\n\n[outputs]/|"
    "first_fill_prefetch|[memory] first_fill = \"prefetch\" (each layer's first fill before cycle 0 as SCALE-Sim counts it)|s/^\[outputs\]/[memory]\nfirst_fill = \"prefetch\"\n\n[outputs]/|"
    "dram_latency_100|[memory] dram_read_latency = 100 (cycles from a DRAM read to its data)|s/^\[outputs\]/[memory]\ndram_read_latency = 100\n\n[outputs]/|"
)

csv="$out/assumptions.csv"
echo "variant,change,layout,total_cycles,speedup_vs_dense,dense_cycles,status" > "$csv.tmp"
for v in "${variants[@]}"; do
    IFS='|' read -r name change expr flags <<< "$v"
    arch="$work/$name.toml"
    if [ -n "$expr" ]; then
        sed -e "$expr" "$base" > "$arch"
        cmp -s "$arch" "$base" && { echo "variant $name changed nothing" >&2; exit 1; }
    else
        cp "$base" "$arch"
    fi
    # shellcheck disable=SC2086
    "$s" compare -q --arch "$arch" --layouts "$layouts" --out "$work/$name" $flags
    awk -F, -v name="$name" -v change="$change" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { rows[NR] = $0; lay[NR] = $col["layout"]; cyc[NR] = $col["total_cycles"]; st[NR] = $col["status"]
          if ($col["layout"] == "dense") dense = $col["total_cycles"] }
        END { for (r in rows) if (lay[r] != "dense")
                printf "%s,\"%s\",%s,%s,%.3f,%s,%s\n", name, change, lay[r], cyc[r], dense / cyc[r], dense, st[r] }
    ' "$work/$name/compare_totals.csv" | sort -t, -k3,3 >> "$csv.tmp"
done
mv "$csv.tmp" "$csv"

# The markdown table: one row per variant, one speedup column per layout (* = infeasible).
{
    echo "| variant | change | dense cycles | irregular | nm | darb | pconv | colcomb |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -F, '
        NR == 1 { next }
        { v = $1; change[v] = $2; gsub(/"/, "", change[v]); dense[v] = $(NF-1)
          mark = ($NF == "ok") ? "" : "*"
          speed[v, $(NF-4)] = sprintf("%.2fx%s", $(NF-2), mark)
          if (!(v in seen)) { seen[v] = 1; order[++n] = v } }
        END { for (i = 1; i <= n; i++) { v = order[i]
                printf "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", v, change[v], dense[v],
                    speed[v, "irregular"], speed[v, "nm"], speed[v, "darb"], speed[v, "pconv"], speed[v, "colcomb"] } }
    ' "$csv"
} > "$out/assumptions.md.tmp"
mv "$out/assumptions.md.tmp" "$out/assumptions.md"
cat "$out/assumptions.md"
