#!/usr/bin/env bash
# Runs a sparsim sweep on a Slurm cluster: one shard per array task, then a merge job that
# waits for every shard. The merged folder is byte-identical to a one-machine run.
#
#   docs/sweep-slurm.sh submit SWEEP.toml OUT SHARDS     # from the repository root
#
# e.g.  docs/sweep-slurm.sh submit arch/sweeps/vgg16_array_layout.toml results/vgg-sweep 16
#
# submits `--array=0-(SHARDS-1)` running `sparsim sweep SWEEP --shard i/SHARDS --out OUT/shard-i`
# and, after all of them succeed, `sparsim merge OUT/shard-* --out OUT`. Tasks always pass
# --resume: a preempted or requeued task continues its shard where it stopped, and a task
# whose shard is finished exits at once. OUT must be on a file system every node sees.
#
# Environment: SPARSIM (default: target/release/sparsim; build it first with
# `cargo build --release`), SBATCH_ARGS (extra sbatch options: partition, account, ...).
# Each task uses the CPUs Slurm gives it (RAYON_NUM_THREADS = SLURM_CPUS_PER_TASK).
#SBATCH --job-name=sparsim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=sparsim-sweep-%A_%a.log
set -euo pipefail

SPARSIM=${SPARSIM:-target/release/sparsim}
mode=${1:-}
case "$mode" in
submit)
    sweep=${2:?usage: $0 submit SWEEP.toml OUT SHARDS}
    out=${3:?usage: $0 submit SWEEP.toml OUT SHARDS}
    shards=${4:?usage: $0 submit SWEEP.toml OUT SHARDS}
    [ -x "$SPARSIM" ] || { echo "$SPARSIM not found: run cargo build --release or set SPARSIM" >&2; exit 1; }
    "$SPARSIM" check "$sweep"
    mkdir -p "$out"
    # shellcheck disable=SC2086
    job=$(sbatch --parsable ${SBATCH_ARGS:-} --array="0-$((shards - 1))" "$0" shard "$sweep" "$out" "$shards")
    # shellcheck disable=SC2086
    sbatch --parsable ${SBATCH_ARGS:-} --dependency="afterok:${job%%;*}" \
        --job-name=sparsim-merge "$0" merge "$sweep" "$out" "$shards" >/dev/null
    echo "submitted array job ${job%%;*} ($shards shards) and a merge job into $out"
    ;;
shard)
    sweep=$2 out=$3 shards=$4
    i=${SLURM_ARRAY_TASK_ID:?the shard mode runs inside a Slurm array task}
    export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
    exec "$SPARSIM" sweep "$sweep" --out "$out/shard-$i" --shard "$i/$shards" --resume --quiet
    ;;
merge)
    out=$3 shards=$4
    dirs=()
    for ((i = 0; i < shards; i++)); do dirs+=("$out/shard-$i"); done
    exec "$SPARSIM" merge "${dirs[@]}" --out "$out"
    ;;
*)
    echo "usage: $0 submit SWEEP.toml OUT SHARDS" >&2
    exit 2
    ;;
esac
