#!/usr/bin/env bash
# Benchmark every `ropa export` format on a large generated registry.
#
#   bench/export.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs; the defaults are 10000
# activities, 2000 processors, 5000 transfers. The registry and the exports
# are in /dev/shm (tmpfs), so the figures measure ropa rather than the VM's
# disk (see bench/run.sh). Each run times every format once, the formats
# (and the binaries) interleaved, so a noisy neighbour on this shared
# machine slows all of them alike; the median of the runs is reported.
# Environment: RUNS (default 5); ROPA=path times another binary instead of
# target/release/ropa; BASELINE=path times that binary too, interleaved
# with ROPA, and compares the two binaries' outputs byte for byte.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
AS_OF="2026-11-01"

source bench/machine.sh
echo

echo "== build (release)"
cargo build --release --bins --example gen_registry
ROPA="${ROPA:-target/release/ropa}"
GEN="target/release/examples/gen_registry"
BINS=("$ROPA")
if [[ -n "${BASELINE:-}" ]]; then
    BINS+=("$BASELINE")
fi
for b in "${BINS[@]}"; do
    if [[ ! -x "$b" ]]; then
        echo "error: $b is not an executable" >&2
        exit 2
    fi
done
if [[ ! -x /usr/bin/time ]]; then
    echo "error: /usr/bin/time is needed for the peak RSS" >&2
    exit 2
fi
echo

WORK="$(mktemp -d /dev/shm/ropa-export-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
REG="$WORK/registry"

echo "== generate"
"$GEN" "$REG" "$@"
echo "files:    $(find "$REG" -type f -name '*.toml' | wc -l) *.toml, $(du -sh --apparent-size "$REG" | cut -f1)"
echo

# name|arguments after `ropa export --registry REG --as-of AS_OF`
FORMATS=(
    "json|--format json"
    "csv-controller|--format csv --record controller"
    "csv-processor|--format csv --record processor"
    "xlsx|--format xlsx"
    "dpv|--format dpv"
)

# One export: prints "wall_seconds peak_rss_kib cpu_seconds" (user and
# system together: less swayed than wall time by the other tenants).
export_once() { # bin index format-args out
    local bin="$1" args="$2" out="$3"
    # shellcheck disable=SC2086 # the arguments are split on purpose
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.out" \
        "$bin" export --registry "$REG" --as-of "$AS_OF" $args --out "$out" >/dev/null 2>"$WORK/stderr.out" || {
        echo "error: $bin export $args failed:" >&2
        cat "$WORK/stderr.out" >&2
        exit 1
    }
    tail -n 1 "$WORK/time.out" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

echo "== sanity run (each format once, sizes of the outputs)"
for i in "${!BINS[@]}"; do
    for f in "${FORMATS[@]}"; do
        name="${f%%|*}"
        export_once "${BINS[$i]}" "${f#*|}" "$WORK/out-$i-$name" >/dev/null
    done
done
for f in "${FORMATS[@]}"; do
    name="${f%%|*}"
    line="$(printf '%-15s %10s bytes' "$name" "$(stat -c %s "$WORK/out-0-$name")")"
    if [[ ${#BINS[@]} -gt 1 ]]; then
        if cmp -s "$WORK/out-0-$name" "$WORK/out-1-$name"; then
            line+="  identical to BASELINE's"
        else
            line+="  DIFFERS from BASELINE's"
        fi
    fi
    echo "$line"
done
echo

echo "== timing ($RUNS runs, formats and binaries interleaved)"
: >"$WORK/results"
for run in $(seq 1 "$RUNS"); do
    for f in "${FORMATS[@]}"; do
        name="${f%%|*}"
        for i in "${!BINS[@]}"; do
            read -r wall rss cpu < <(export_once "${BINS[$i]}" "${f#*|}" "$WORK/out-$i-$name")
            echo "$i $name $wall $rss $cpu" >>"$WORK/results"
        done
    done
    echo "run $run done (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo

median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for i in "${!BINS[@]}"; do
    echo "== ${BINS[$i]}"
    printf '%-15s %9s %9s %9s %11s %11s %11s\n' format "wall min" median max "CPU median" "RSS median" "RSS max"
    for f in "${FORMATS[@]}"; do
        name="${f%%|*}"
        walls="$(awk -v i="$i" -v n="$name" '$1 == i && $2 == n { print $3 }' "$WORK/results")"
        rsss="$(awk -v i="$i" -v n="$name" '$1 == i && $2 == n { print $4 }' "$WORK/results")"
        cpus="$(awk -v i="$i" -v n="$name" '$1 == i && $2 == n { print $5 }' "$WORK/results")"
        printf '%-15s %7s s %7s s %7s s %9s s %7s MiB %7s MiB\n' "$name" \
            "$(sort -n <<<"$walls" | head -n 1)" \
            "$(median <<<"$walls")" \
            "$(sort -n <<<"$walls" | tail -n 1)" \
            "$(median <<<"$cpus")" \
            "$(awk '{ printf "%.0f\n", $1 / 1024 }' <<<"$rsss" | median | cut -d. -f1)" \
            "$(awk '{ printf "%.0f\n", $1 / 1024 }' <<<"$rsss" | sort -n | tail -n 1)"
    done
    echo
done
