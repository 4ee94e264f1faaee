#!/usr/bin/env bash
# Benchmark the live preview (issue 20: after a save that changes one
# activity of the 10,000, the open page shows the change within 300 ms,
# 95th percentile over 20 saves).
#
#   bench/preview.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (default 10000 activities).
# Starts `ropa serve` on a copy of the generated registry in /dev/shm and
# saves its first activity SAVES times (default 20) with a new name;
# examples/preview_latency.rs prints, per save, when the server first
# served the new page ("ready") and when a client polling as the page's own
# script does had it ("seen", what a person looking at the page waits for).
# Environment: SAVES, GAP_MS (default 1500, between saves), ROPA=path
# times another binary, BASE=path also times that binary, on its own copy
# of the registry, its saves interleaved with the others (a before and
# after in one run), NO_BUILD=1 skips the cargo build, BENCH_DIR (default
# /dev/shm).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/machine.sh
echo

echo "== build (release)"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
    cargo build --release --bins --example gen_registry --example preview_latency
fi
ROPA="${ROPA:-target/release/ropa}"
for bin in "$ROPA" ${BASE:+"$BASE"} target/release/examples/gen_registry target/release/examples/preview_latency; do
    if [[ ! -x "$bin" ]]; then
        echo "error: $bin was not built" >&2
        exit 2
    fi
done
echo

WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-bench-preview.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== generate"
target/release/examples/gen_registry "$WORK/registry" "$@" >/dev/null
echo "registry: $(find "$WORK/registry" -type f -name '*.toml' | wc -l) *.toml"
servers=("now=$ROPA:$WORK/registry")
if [[ -n "${BASE:-}" ]]; then
    cp -r "$WORK/registry" "$WORK/registry-base"
    servers+=("BASE=$BASE:$WORK/registry-base")
fi
echo

echo "== saves"
# The preview builds into the temporary folder: in tmpfs too, as the
# registry (the figures measure ropa, not the disk).
export TMPDIR="$WORK"
target/release/examples/preview_latency --saves "${SAVES:-20}" --gap-ms "${GAP_MS:-1500}" "${servers[@]}"
