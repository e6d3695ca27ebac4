#!/usr/bin/env bash
# How much each energy-model choice moves the VGG-16 (CIFAR-10) layout comparison: runs
# `sparsim compare` on the shipped sparse arch and on one variant per choice (one change at a
# time), and writes each layout's energy per inference, area and TOPS/mm² to
#   results/energy-assumptions-vgg16/energy_assumptions.csv   (one row per variant x layout)
#   results/energy-assumptions-vgg16/energy_assumptions.md    (the table the README shows)
# Run from anywhere: bash docs/energy-assumptions.sh   (about 1 minute on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
s="$PWD/target/release/sparsim"
out=results/energy-assumptions-vgg16
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
base=arch/sparse-32x32-ws.toml
layouts=dense,irregular,nm,darb,pconv,colcomb

# variant name | what changes (no commas) | lines appended to the arch file (\n-separated) | extra flags
variants=(
    "base|the 45 nm table; zero-weight slots gated; idle PEs clock-gated||"
    "size_to_fit|--size-to-fit: each layout on the mux; bus; selects and decoders it needs||--size-to-fit"
    "ungated_zeros|[pe] zero_gating = false: a zero-weight slot costs a whole MAC|[pe_extra]zero_gating = false|"
    "ungated_idle|[energy] idle_pe_cycle_pj = 0.9: idle PEs clocked (186 register bits x 4.8 fJ: NanGate DFF_X1 at 0.9 V)|[energy]\nidle_pe_cycle_pj = 0.9|"
    "dram_high|[energy] dram_pj_per_byte = 325: Horowitz's high end: 2.6 nJ per 64 bits|[energy]\ndram_pj_per_byte = 325|"
    "sram_cacti|[energy] sram_pj_per_byte = 1.86: CACTI 7 at 45 nm (itrs-hp; 32 kB bank) instead of Horowitz|[energy]\nsram_pj_per_byte = 1.86|"
    "mux_x4|[energy] mux_input_pj = 0.057: every mux input 4x dearer (lane wires across the PE)|[energy]\nmux_input_pj = 0.057|"
)

csv="$out/energy_assumptions.csv"
echo "variant,change,layout,energy_pj,area_mm2,tops_per_mm2,total_cycles" > "$csv.tmp"
for v in "${variants[@]}"; do
    IFS='|' read -r name change extra flags <<< "$v"
    arch="$work/$name.toml"
    if [[ "$extra" == "[pe_extra]"* ]]; then
        # A [pe] key: add it under the existing [pe] table.
        key="${extra#\[pe_extra\]}"
        sed -e "s/^\[pe\]$/[pe]\n$key/" "$base" > "$arch"
    else
        cp "$base" "$arch"
        [ -n "$extra" ] && printf '\n%b\n' "$extra" >> "$arch"
    fi
    # shellcheck disable=SC2086
    "$s" compare -q --arch "$arch" --layouts "$layouts" --out "$work/$name" $flags
    awk -F, -v name="$name" -v change="$change" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { printf "%s,\"%s\",%s,%.0f,%.4f,%.4f,%s\n", name, change, $col["layout"], $col["energy_pj"],
              $col["area_mm2"], $col["tops_per_mm2"], $col["total_cycles"] }
    ' "$work/$name/compare_totals.csv" >> "$csv.tmp"
done
mv "$csv.tmp" "$csv"

# The markdown table: per variant, each layout's energy per inference (µJ) and, below, TOPS/mm².
{
    echo "| variant | change | dense | irregular | nm | darb | pconv | colcomb |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -F, '
        NR == 1 { next }
        { n = split($0, f, ","); v = f[1]
          # the change text is quoted and holds no commas
          change[v] = f[2]; gsub(/"/, "", change[v])
          e[v, f[3]] = sprintf("%.0f µJ, %.3f", f[4] / 1e6, f[6])
          if (!(v in seen)) { seen[v] = 1; order[++k] = v } }
        END { for (i = 1; i <= k; i++) { v = order[i]
                printf "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", v, change[v], e[v, "dense"],
                    e[v, "irregular"], e[v, "nm"], e[v, "darb"], e[v, "pconv"], e[v, "colcomb"] } }
    ' "$csv"
} > "$out/energy_assumptions.md.tmp"
mv "$out/energy_assumptions.md.tmp" "$out/energy_assumptions.md"
cat "$out/energy_assumptions.md"
