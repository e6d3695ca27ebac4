#!/usr/bin/env bash
# Runs a sparsim sweep as SHARDS shards with GNU parallel, on this machine or over ssh on
# several, then merges them. The merged folder is byte-identical to a one-process run.
#
#   docs/sweep-parallel.sh SWEEP.toml OUT SHARDS [HOST ...]     # from the repository root
#
# e.g.  docs/sweep-parallel.sh arch/sweeps/vgg16_array_layout.toml results/vgg-sweep 4
#       docs/sweep-parallel.sh arch/sweeps/vgg16_array_layout.toml /shared/vgg 32 node1 node2
#
# Without hosts, the shards run here one at a time (each already uses every core). With
# hosts, each host runs one shard at a time over ssh (`parallel --sshlogin`), in the same
# working directory: the repository, the binary and OUT must be on a shared file system.
# Every shard passes --resume, so rerunning the command after an interruption finishes only
# what is missing. Environment: SPARSIM (default: target/release/sparsim), JOBS (shards at
# once per host, default 1).
set -euo pipefail

sweep=${1:?usage: $0 SWEEP.toml OUT SHARDS [HOST ...]}
out=${2:?usage: $0 SWEEP.toml OUT SHARDS [HOST ...]}
shards=${3:?usage: $0 SWEEP.toml OUT SHARDS [HOST ...]}
shift 3
SPARSIM=${SPARSIM:-target/release/sparsim}
command -v parallel >/dev/null || { echo "GNU parallel is not installed (apt install parallel)" >&2; exit 1; }
[ -x "$SPARSIM" ] || { echo "$SPARSIM not found: run cargo build --release or set SPARSIM" >&2; exit 1; }
"$SPARSIM" check "$sweep"
mkdir -p "$out"

remote=()
if [ $# -gt 0 ]; then
    for h in "$@"; do remote+=(--sshlogin "$h"); done
    remote+=(--workdir "$PWD")
fi
seq 0 $((shards - 1)) | parallel --will-cite --jobs "${JOBS:-1}" --halt now,fail=1 --line-buffer \
    "${remote[@]}" \
    "$SPARSIM" sweep "$sweep" --out "$out/shard-{}" --shard "{}/$shards" --resume --quiet

dirs=()
for ((i = 0; i < shards; i++)); do dirs+=("$out/shard-$i"); done
"$SPARSIM" merge "${dirs[@]}" --out "$out"
