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

source bench/machine.sh
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
# ropa build: the site of the same registry.
#
# This VM reclaims page cache continuously (its "Cached" figure falls by
# megabytes a second while idle), so a registry on disk is partly read from
# the disk again on every run and the figures swing by a factor of two. To
# measure ropa rather than the VM's disk, the main figures use a copy of the
# registry and the site in /dev/shm (tmpfs, never reclaimed); the registry
# and site on disk are timed too, for comparison.
#
#   fresh:    no site yet (a CI job on a fresh clone): --prepare removes it
#   replace:  each run replaces the site of the previous run
# ---------------------------------------------------------------------------
time_build() { # label registry out mode
    local label="$1" reg="$2" out="$3" mode="$4"
    local BUILD=("$ROPA" build --registry "$reg" --as-of "$AS_OF" --out "$out")
    echo
    echo "== ropa build, $label ($RUNS runs, $mode)"
    "${BUILD[@]}" >/dev/null 2>&1
    echo "pages:    $(find "$out" -name '*.html' | wc -l) HTML files, $(du -sh --apparent-size "$out" | cut -f1)"
    echo "stages:   $(ROPA_TIMINGS=1 "${BUILD[@]}" 2>&1 >/dev/null | grep '^timing' | sed 's/^timing: //' | paste -sd ',' -)"
    local prepare=()
    if [[ "$mode" == fresh ]]; then
        prepare=(--prepare "rm -rf $(printf '%q' "$out")")
    fi
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 1 --runs "$RUNS" -N "${prepare[@]}" --command-name "ropa build ($mode)" "$(printf '%q ' "${BUILD[@]}")"
    else
        for i in $(seq 1 "$RUNS"); do
            [[ "$mode" == fresh ]] && rm -rf "$out"
            /usr/bin/time -f "run $i: wall %e s  user %U s  sys %S s" "${BUILD[@]}" >/dev/null 2>"$WORK/build-time.out" || true
            tail -n 1 "$WORK/build-time.out"
        done
    fi
    if [[ -x /usr/bin/time ]]; then
        [[ "$mode" == fresh ]] && rm -rf "$out"
        /usr/bin/time -v "${BUILD[@]}" >/dev/null 2>"$WORK/build-time.out" || true
        echo "max RSS:  $(awk -F': ' '/Maximum resident set size/ {printf "%.1f MiB", $2/1024}' "$WORK/build-time.out")"
    fi
}

if [[ -d /dev/shm && -w /dev/shm ]]; then
    SHM="$(mktemp -d /dev/shm/ropa-bench.XXXXXX)"
    trap 'cleanup; rm -rf "$SHM"' EXIT
    cp -r "$REG" "$SHM/registry"
    time_build "registry and site in /dev/shm" "$SHM/registry" "$SHM/site" fresh
    time_build "registry and site in /dev/shm" "$SHM/registry" "$SHM/site" replace
fi
time_build "registry and site on disk" "$REG" "$WORK/site" fresh
time_build "registry and site on disk" "$REG" "$WORK/site" replace
