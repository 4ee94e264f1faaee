#!/usr/bin/env bash
# Benchmark what the pictures cost `ropa build` (issue 16: at most 15% more
# wall time than `--no-pictures` on the generated registry of 10,000
# activities, and a peak RSS under 300 MB).
#
#   bench/pictures.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (default 10000 activities).
# Each round builds the site once with the pictures and once with
# `--no-pictures`, both `--no-history` (the generated registry is no git
# repository; history has its own bench/history.sh), interleaved so the
# machine's drift falls on both, each from no site (removed first). Prints
# every run, then the median wall time, the CPU time in the process (user)
# and in the kernel (sys: writing the site), the `render: pages` stage
# (ROPA_TIMINGS=1), the peak RSS, and the size of the site of each.
# Environment: RUNS (default 5), ROPA=path times another binary,
# BASE=path also times that other binary the same way, its runs interleaved
# with the others (a before and after in one run: on a shared VM, two
# series minutes apart differ by more than most changes),
# NO_BUILD=1 skips the cargo build, BENCH_DIR (default /dev/shm),
# INSTRUCTIONS=1 also counts each build's instructions once under
# valgrind's callgrind, on one thread: a figure that does not move with the
# machine's load, as wall time on a shared VM does (but leaves out the
# kernel's work of writing the larger site).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
AS_OF="2026-11-01"

if [[ ! -x /usr/bin/time ]]; then
    echo "error: /usr/bin/time is missing (peak RSS comes from \`/usr/bin/time -v\`):" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends time" >&2
    exit 2
fi

source bench/machine.sh
echo

echo "== build (release)"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
    cargo build --release --bins --example gen_registry
fi
ROPA="${ROPA:-target/release/ropa}"
GEN="target/release/examples/gen_registry"
if [[ ! -x "$ROPA" ]]; then
    echo "error: $ROPA was not built" >&2
    exit 2
fi
echo

# In /dev/shm (tmpfs), as bench/run.sh: the figures measure ropa, not the
# VM's page cache or disk.
WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-bench-pictures.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
REG="$WORK/registry"

echo "== generate"
"$GEN" "$REG" "$@" >/dev/null
echo "registry: $(find "$REG" -type f -name '*.toml' | wc -l) *.toml, $(du -sh --apparent-size "$REG" | cut -f1)"
echo

# label|extra argument
# label|extra argument|binary
variants=("pictures||$ROPA" "--no-pictures|--no-pictures|$ROPA")
if [[ -n "${BASE:-}" ]]; then
    if [[ ! -x "$BASE" ]]; then
        echo "error: BASE=$BASE is not an executable" >&2
        exit 2
    fi
    variants+=("BASE pictures||$BASE" "BASE --no-pictures|--no-pictures|$BASE")
fi
# The build each variant is measured against: its own binary's --no-pictures.
reference() { [[ "$1" == BASE* ]] && echo "BASE --no-pictures" || echo "--no-pictures"; }
build_cmd() { # extra [binary]
    BUILD=("${2:-$ROPA}" build --registry "$REG" --as-of "$AS_OF" --out "$WORK/site" --no-history)
    [[ -n "$1" ]] && BUILD+=("$1")
    return 0
}

echo "== sanity run"
declare -A svgs size pages
for v in "${variants[@]}"; do
    IFS='|' read -r label extra bin <<<"$v"
    build_cmd "$extra" "$bin"
    rm -rf "$WORK/site"
    set +e
    "${BUILD[@]}" >"$WORK/build.out" 2>&1
    status=$?
    set -e
    pages[$label]="$(find "$WORK/site" -name '*.html' 2>/dev/null | wc -l)"
    # Pictures are counted by their opening tag; grep -o counts each.
    svgs[$label]="$( (grep -rho '<svg class="picture' "$WORK/site" --include='*.html' 2>/dev/null || true) | wc -l)"
    size[$label]="$(du -s --apparent-size --block-size=1M "$WORK/site" 2>/dev/null | cut -f1)"
    printf '%-20s exit %d, %s HTML files, %s pictures, site %s MiB\n' "$label" "$status" \
        "${pages[$label]}" "${svgs[$label]}" "${size[$label]}"
    if [[ $status -ne 0 ]]; then
        tail -n 5 "$WORK/build.out" | sed 's/^/  | /'
        exit 1
    fi
done
if [[ "${svgs[pictures]}" -eq 0 ]]; then
    echo "error: the build with pictures drew none (are the pictures in this binary?)" >&2
    exit 1
fi
build_cmd ""
echo "command:  ${BUILD[*]} [--no-pictures]" | sed "s|$WORK|\$WORK|g"
echo

echo "== timing ($RUNS interleaved runs of each, ROPA_TIMINGS=1 under /usr/bin/time -v)"
declare -A walls rss stage users systems
for i in $(seq 1 "$RUNS"); do
    for v in "${variants[@]}"; do
        IFS='|' read -r label extra bin <<<"$v"
        build_cmd "$extra" "$bin"
        rm -rf "$WORK/site"
        ROPA_TIMINGS=1 /usr/bin/time -v "${BUILD[@]}" >/dev/null 2>"$WORK/time.out" || true
        wall="$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$WORK/time.out")"
        secs="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$wall")"
        kib="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")"
        # CPU time in the process and in the kernel for it (writing the
        # site to tmpfs is the kernel's): where the wall time goes.
        user="$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$WORK/time.out")"
        system="$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$WORK/time.out")"
        # The stage's own line: `timing: render: pages 1234.5 ms, cpu ...`.
        ms="$(awk '$1 == "timing:" && $2 == "render:" && $3 == "pages" {print $4}' "$WORK/time.out")"
        walls[$label]+="$secs "
        rss[$label]+="$kib "
        stage[$label]+="${ms:-0} "
        users[$label]+="$user "
        systems[$label]+="$system "
        printf 'run %d %-20s wall %6.3f s  user %5.2f s  sys %5.2f s  render: pages %8s ms  max RSS %7.1f MiB\n' \
            "$i" "$label" "$secs" "$user" "$system" "${ms:--}" "$(awk -v k="$kib" 'BEGIN {print k/1024}')"
    done
done
echo
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "== medians ($RUNS runs; target: pictures at most +15% wall, max RSS under 300 MB)"
printf '%-20s %9s %16s %9s %9s %15s %12s %9s %9s\n' "" "wall (s)" "vs --no-pictures" "user (s)" "sys (s)" \
    "render: pages" "median RSS" "pictures" "site"
for v in "${variants[@]}"; do
    IFS='|' read -r label extra bin <<<"$v"
    w="$(median <<<"${walls[$label]}")"
    ref="$(median <<<"${walls[$(reference "$label")]}")"
    printf '%-20s %9.3f %+15.1f%% %9.2f %9.2f %12.0f ms %8.1f MiB %9s %5s MiB\n' \
        "$label" "$w" "$(awk -v a="$w" -v b="$ref" 'BEGIN {print (a - b) / b * 100}')" \
        "$(median <<<"${users[$label]}")" "$(median <<<"${systems[$label]}")" \
        "$(median <<<"${stage[$label]}")" \
        "$(awk -v k="$(median <<<"${rss[$label]}")" 'BEGIN {print k/1024}')" \
        "${svgs[$label]}" "${size[$label]}"
done
# On a shared machine the load drifts between rounds: the median of each
# round's own difference (the two builds ran one after the other) says more.
for label in pictures "BASE pictures"; do
    [[ -n "${walls[$label]:-}" ]] || continue
    paired="$(paste <(tr ' ' '\n' <<<"${walls[$label]}" | grep .) \
        <(tr ' ' '\n' <<<"${walls[$(reference "$label")]}" | grep .) |
        awk '{ printf "%f\n", ($1 - $2) / $2 * 100 }' | median)"
    printf 'median of the rounds'"'"' own differences: %s %+.1f%% against %s\n' \
        "$label" "$paired" "$(reference "$label")"
done
# Peak RSS is the largest run's, not the median: the limit is on the peak.
maximum() { tr ' ' '\n' | grep . | sort -n | tail -1; }
for v in "${variants[@]}"; do
    IFS='|' read -r label extra bin <<<"$v"
    peak="$(maximum <<<"${rss[$label]}")"
    printf 'peak RSS of any run, %-20s %.1f MiB (%.0f MB)\n' "$label" \
        "$(awk -v k="$peak" 'BEGIN {print k/1024}')" "$(awk -v k="$peak" 'BEGIN {print k*1024/1e6}')"
done

# What writing the larger site costs by itself: each site, as built,
# copied with `cp -r` (the same files and bytes, no ropa), interleaved.
echo
echo "== the kernel's share: each site copied with cp -r (3 interleaved runs, medians)"
declare -A copies copy_sys
for v in "${variants[@]:0:2}"; do
    IFS='|' read -r label extra bin <<<"$v"
    build_cmd "$extra" "$bin"
    rm -rf "$WORK/site"
    "${BUILD[@]}" >/dev/null 2>&1
    mv "$WORK/site" "$WORK/built-${label#--}"
done
for i in 1 2 3; do
    for v in "${variants[@]:0:2}"; do
        IFS='|' read -r label extra bin <<<"$v"
        rm -rf "$WORK/copy"
        /usr/bin/time -f '%e %S' -o "$WORK/copy.time" cp -r "$WORK/built-${label#--}" "$WORK/copy"
        read -r e sy <"$WORK/copy.time"
        copies[$label]+="$e "
        copy_sys[$label]+="$sy "
    done
done
rm -rf "$WORK/copy"
for v in "${variants[@]:0:2}"; do
    IFS='|' read -r label extra bin <<<"$v"
    printf 'cp -r, site of %-20s wall %6.3f s  sys %5.2f s  (%s MiB)\n' "$label" \
        "$(median <<<"${copies[$label]}")" "$(median <<<"${copy_sys[$label]}")" "${size[$label]}"
done

if [[ "${INSTRUCTIONS:-0}" == 1 ]]; then
    if ! command -v valgrind >/dev/null; then
        echo "error: INSTRUCTIONS=1 needs valgrind" >&2
        exit 2
    fi
    echo
    echo "== instructions (callgrind, RAYON_NUM_THREADS=1, one build of each)"
    declare -A irefs
    for v in "${variants[@]}"; do
        IFS='|' read -r label extra bin <<<"$v"
        build_cmd "$extra" "$bin"
        rm -rf "$WORK/site"
        RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
            "${BUILD[@]}" >/dev/null 2>"$WORK/callgrind.log" || true
        irefs[$label]="$(awk '/I *refs:/ {gsub(",", "", $NF); print $NF}' "$WORK/callgrind.log")"
        printf '%-20s %15s instructions\n' "$label" "${irefs[$label]}"
    done
    for label in pictures "BASE pictures"; do
        [[ -n "${irefs[$label]:-}" ]] || continue
        printf '%s over %s: %+.1f%% instructions\n' "$label" "$(reference "$label")" \
            "$(awk -v a="${irefs[$label]}" -v b="${irefs[$(reference "$label")]}" 'BEGIN {print (a - b) / b * 100}')"
    done
fi
