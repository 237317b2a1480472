#!/usr/bin/env bash
# Regenerates the backoff study in docs/backoff/ (docs/backoff.md): the AWS
# "Exponential Backoff And Jitter" experiment, simulated. For every seed, one
# `conflictlab sweep --sim` over backoff kind x client count N = 10..100 on
# scenarios/sim/aws-backoff-study.json; then scripts/backoff_study.py averages
# the seeds and writes results.md (tables), results.csv and chart.svg.
#
# Usage: scripts/backoff-study.sh [OUT_DIR]
#   CONFLICTLAB_BIN  the binary (default: build/harness/conflictlab)
#   SEEDS            seeds to average over (default: "1 2 3 4 5 6 7 8 9 10")
# Deterministic: the same build and seeds write the same files.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CONFLICTLAB_BIN:-$ROOT/build/harness/conflictlab}
OUT=${1:-$ROOT/docs/backoff}
SEEDS=${SEEDS:-"1 2 3 4 5 6 7 8 9 10"}
SCENARIO=scenarios/sim/aws-backoff-study.json
KINDS=none,exponential,full-jitter,equal-jitter,decorrelated-jitter
WRITERS=10,20,30,40,50,60,70,80,90,100

if [[ ! -x $BIN ]]; then
    echo "backoff-study: no conflictlab binary at $BIN (build it, or set CONFLICTLAB_BIN)" >&2
    exit 2
fi
mkdir -p "$OUT"
RAW=$(mktemp -d)
trap 'rm -rf "$RAW"' EXIT

cd "$ROOT"
for seed in $SEEDS; do
    echo "backoff-study: seed $seed" >&2
    status=0
    "$BIN" sweep "$SCENARIO" --sim --quiet --seed "$seed" \
        --vary "backoff=$KINDS" --vary "writers=$WRITERS" \
        --json "$RAW/seed-$seed.json" >"$RAW/seed-$seed.txt" || status=$?
    if [[ $status -ne 0 ]]; then
        cat "$RAW/seed-$seed.txt" >&2
        echo "backoff-study: the sweep for seed $seed exited $status (a run failed its gates)" >&2
        exit 1
    fi
done

/usr/bin/python3 "$ROOT/scripts/backoff_study.py" --out "$OUT" \
    --command "SEEDS=\"$SEEDS\" scripts/backoff-study.sh" "$RAW"/seed-*.json
echo "backoff-study: wrote $OUT/results.md, $OUT/results.csv, $OUT/chart.svg" >&2
