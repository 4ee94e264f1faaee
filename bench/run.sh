#!/usr/bin/env bash
# Benchmark `ropa check` on a large generated registry.
#
#   bench/run.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (e.g. --activities 20000); the
# defaults are 10000 activities, 2000 processors, 5000 transfers.
# Environment: RUNS (default 5), KEEP=1 keeps the generated registry,
# ROPA=path times another binary instead of target/release/ropa.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
AS_OF="2026-11-01"

echo "== machine"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:     $(uname -srm)"
echo "nproc:    $(nproc)"
cpu_model="$(grep -m1 -E '^(model name|Model|cpu model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^[[:space:]]*//' || true)"
echo "cpu:      ${cpu_model:-unknown}"
mem_total="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)"
echo "memory:   ${mem_total:-unknown}"
echo "rustc:    $(rustc --version)"
echo

echo "== build (release)"
cargo build --release --bins --example gen_registry
ROPA="${ROPA:-target/release/ropa}"   # override to time another build
GEN="target/release/examples/gen_registry"
if [[ ! -x "$ROPA" ]]; then
    echo "error: $ROPA was not built (does the crate have a \`ropa\` binary yet?)" >&2
    exit 2
fi
echo

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ropa-bench.XXXXXX")"
REG="$WORK/registry"
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept registry in $REG"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

echo "== generate"
"$GEN" "$REG" "$@"
echo "files:    $(find "$REG" -type f -name '*.toml' | wc -l) *.toml, $(du -sh --apparent-size "$REG" | cut -f1)"
echo

CMD=("$ROPA" check --registry "$REG" --as-of "$AS_OF")

echo "== sanity run: ${CMD[*]}"
set +e
"${CMD[@]}" >"$WORK/check.out" 2>&1
status=$?
set -e
echo "exit status: $status (expected 0: the generated registry is valid)"
errors="$(grep -c '^error' "$WORK/check.out" || true)"
warnings="$(grep -c '^warning' "$WORK/check.out" || true)"
echo "diagnostics: $errors error line(s), $warnings warning line(s); last lines of output:"
tail -n 5 "$WORK/check.out" | sed 's/^/  | /'
echo

echo "== timing ($RUNS runs)"
if command -v hyperfine >/dev/null 2>&1; then
    hf_args=(--warmup 1 --runs "$RUNS" --export-json "$WORK/hyperfine.json")
    if [[ $status -ne 0 ]]; then
        hf_args+=(--ignore-failure)
    fi
    hyperfine "${hf_args[@]}" --command-name "ropa check" "$(printf '%q ' "${CMD[@]}")"
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v "${CMD[@]}" >/dev/null 2>"$WORK/time.out" || true
        echo "max RSS:  $(awk -F': ' '/Maximum resident set size/ {printf "%.1f MiB", $2/1024}' "$WORK/time.out")"
    fi
elif [[ -x /usr/bin/time ]]; then
    echo "(hyperfine not installed; using /usr/bin/time -v)"
    walls=()
    for i in $(seq 1 "$RUNS"); do
        /usr/bin/time -v "${CMD[@]}" >/dev/null 2>"$WORK/time.out" || true
        wall="$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$WORK/time.out")"
        rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")"
        user="$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$WORK/time.out")"
        sys="$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$WORK/time.out")"
        cpu="$(awk -F': ' '/Percent of CPU this job got/ {print $2}' "$WORK/time.out")"
        # m:ss.ss or h:mm:ss -> seconds
        secs="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$wall")"
        walls+=("$secs")
        printf 'run %d: wall %7.3f s  user %6.2f s  sys %6.2f s  cpu %5s  max RSS %8.1f MiB\n' \
            "$i" "$secs" "$user" "$sys" "$cpu" "$(awk -v k="$rss" 'BEGIN {print k/1024}')"
    done
    printf '%s\n' "${walls[@]}" | sort -n | awk '
        { v[NR] = $1; sum += $1 }
        END { printf "wall: min %.3f s  median %.3f s  mean %.3f s  max %.3f s\n",
                     v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), sum / NR, v[NR] }'
else
    echo "(neither hyperfine nor /usr/bin/time found; using the bash time builtin, no RSS)"
    for i in $(seq 1 "$RUNS"); do
        echo "run $i:"
        time "${CMD[@]}" >/dev/null 2>&1 || true
    done
fi

# ---------------------------------------------------------------------------
# ropa build: the site of the same registry. Two places for the output:
# the folder beside the registry (this machine's disk) and, when present,
# /dev/shm (tmpfs), which separates ropa's own work from the disk's cost of
# creating 17,000 files. Each run replaces the site of the previous one, as
# a CI build does.
# ---------------------------------------------------------------------------
build_targets=("$WORK/site")
if [[ -d /dev/shm && -w /dev/shm ]]; then
    SHM_SITE="$(mktemp -d /dev/shm/ropa-bench-site.XXXXXX)"
    rmdir "$SHM_SITE"
    build_targets+=("$SHM_SITE")
    trap 'cleanup; rm -rf "$SHM_SITE" "$(dirname "$SHM_SITE")/.$(basename "$SHM_SITE").ropa-"*' EXIT
fi
for out in "${build_targets[@]}"; do
    BUILD=("$ROPA" build --registry "$REG" --as-of "$AS_OF" --out "$out")
    echo
    echo "== ropa build into $out ($RUNS runs, each replacing the previous site)"
    "${BUILD[@]}" >/dev/null 2>&1
    echo "pages:    $(find "$out" -name '*.html' | wc -l) HTML files, $(du -sh --apparent-size "$out" | cut -f1)"
    echo "stages:   $(ROPA_TIMINGS=1 "${BUILD[@]}" 2>&1 >/dev/null | grep '^timing' | sed 's/^timing: //' | paste -sd ',' -)"
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 1 --runs "$RUNS" -N --command-name "ropa build" "$(printf '%q ' "${BUILD[@]}")"
    else
        for i in $(seq 1 "$RUNS"); do
            /usr/bin/time -f "run $i: wall %e s  user %U s  sys %S s" "${BUILD[@]}" >/dev/null 2>"$WORK/build-time.out" || true
            tail -n 1 "$WORK/build-time.out"
        done
    fi
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v "${BUILD[@]}" >/dev/null 2>"$WORK/build-time.out" || true
        echo "max RSS:  $(awk -F': ' '/Maximum resident set size/ {printf "%.1f MiB", $2/1024}' "$WORK/build-time.out")"
    fi
done
