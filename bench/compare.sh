#!/usr/bin/env bash
# Compare builds of the generated 10k/2k/5k registry, interleaved: run 1 of
# each variant, then run 2 of each, and so on, so that this VM's drift in
# speed (±25% over minutes) falls on all variants alike.
#
#   bench/compare.sh RUNS LABEL "ENV..." [LABEL "ENV..."]...
#
# ENV is `VAR=value` words for `env`; `BIN=path` times another ropa binary
# (default target/release/ropa); use "X=1" for none. Example:
#
#   bench/compare.sh 15 before "BIN=/tmp/old/ropa" after "X=1"
#
# PAUSE=seconds sleeps before each run, so that memory freed by the run
# before has time to go back to the VM's host, as between two CI jobs.
# Registry and site live in /dev/shm. Prints mean and median wall time,
# user and system CPU and peak RSS of each variant.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N="$1"; shift
cargo build --release --bins --example gen_registry >&2
WORK="$(mktemp -d /dev/shm/ropa-compare.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
target/release/examples/gen_registry "$WORK/registry" >/dev/null
declare -a L E
while [[ $# -gt 0 ]]; do L+=("$1"); E+=("$2"); shift 2; done
for i in $(seq 1 "$N"); do
  for j in "${!L[@]}"; do
    rm -rf "$WORK/site"
    sleep "${PAUSE:-0}"
    read -r -a vars <<<"${E[$j]}"
    bin=target/release/ropa
    for kv in "${vars[@]}"; do [[ $kv == BIN=* ]] && bin="${kv#BIN=}"; done
    /usr/bin/time -f "T %e %U %S %M" env "${vars[@]}" "$bin" build --registry "$WORK/registry" \
      --out "$WORK/site" --as-of 2026-11-01 >/dev/null 2>>"$WORK/times.$j"
  done
done
for j in "${!L[@]}"; do
  grep '^T ' "$WORK/times.$j" | sort -k2 -n | awk -v l="${L[$j]}" '
    { w[NR] = $2; sw += $2; u += $3; s += $4; m += $5 }
    END { printf "%-14s n=%d  wall mean %.3f s  median %.3f s  user %.3f s  sys %.3f s  peak RSS %d MiB\n",
                 l, NR, sw / NR, (NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2),
                 u / NR, s / NR, m / NR / 1024 }'
done
