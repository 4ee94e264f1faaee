#!/usr/bin/env bash
# Benchmark what history costs `ropa build` (issue 18: at most 1 s on the
# generated registry of 10,000 activities with 1,000 commits).
#
#   bench/history.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (default 10000 activities).
# examples/gen_history.rs writes the history as a `git fast-import` stream;
# the same objects are timed in three repositories:
#
#   gc:     repacked with fresh deltas (`git repack -a -d -f`), as `git gc`
#           leaves a repository whose commits were made one by one and as
#           a clone receives it: the realistic case
#   import: as `git fast-import` leaves it (its pack deltas each version of
#           a file against the one before, in long chains)
#   loose:  every object a loose file (`git unpack-objects`), as before a
#           repository's first `git gc`
#
# Each round builds the site once with history in each repository and once
# with `--no-history` (interleaved, so the machine's drift falls on all),
# from no site (the site is removed first). Prints the median wall time,
# the `history` stage (ROPA_TIMINGS=1) and the peak RSS of each.
# Environment: RUNS (default 5), ROPA=path times another binary,
# BASELINE=path also times that binary with history in the gc repository
# (interleaved with the others), COMMITS (default 1000), NO_BUILD=1 skips
# the cargo build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
COMMITS="${COMMITS:-1000}"
AS_OF="2026-11-01"

source bench/machine.sh
echo "git:      $(git --version)"
echo

echo "== build (release)"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
    cargo build --release --bins --example gen_registry --example gen_history
fi
ROPA="${ROPA:-target/release/ropa}"
GEN="target/release/examples/gen_registry"
GEN_HISTORY="target/release/examples/gen_history"
echo

# In /dev/shm (tmpfs), as bench/run.sh: the figures measure ropa, not the
# VM's page cache.
WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-bench-history.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
git_() { git -c gc.auto=0 -c core.hooksPath=/dev/null "$@"; }

echo "== generate"
"$GEN" "$WORK/files" "$@" >/dev/null
git_ init -q -b main "$WORK/import"
"$GEN_HISTORY" "$WORK/files" --commits "$COMMITS" | git_ -C "$WORK/import" fast-import --quiet
git_ -C "$WORK/import" reset -q --hard main
cp -a "$WORK/import" "$WORK/gc"
git_ -C "$WORK/gc" repack -a -d -f -q
cp -a "$WORK/import" "$WORK/loose"
mv "$WORK/loose/.git/objects/pack" "$WORK/pack-of-import"
mkdir "$WORK/loose/.git/objects/pack"
for p in "$WORK"/pack-of-import/*.pack; do
    git_ -C "$WORK/loose" unpack-objects -q <"$p"
done
rm -rf "$WORK/pack-of-import"
echo "registry: $(find "$WORK/gc/registry" -type f -name '*.toml' | wc -l) *.toml, $(du -sh --apparent-size "$WORK/gc/registry" | cut -f1)"
echo "commits:  $(git_ -C "$WORK/gc" rev-list --count HEAD)"
repos=(gc import loose)
for r in "${repos[@]}"; do
    objects="$(git_ -C "$WORK/$r" count-objects -v | awk '/^count:/ {l = $2} /^in-pack:/ {p = $2} /^size-pack:/ {s = $2} /^size:/ {z = $2} END {printf "%d loose (%.1f MiB), %d packed (%.1f MiB)", l, z / 1024, p, s / 1024}')"
    chain=""
    if compgen -G "$WORK/$r/.git/objects/pack/*.idx" >/dev/null; then
        chain="; longest delta chain $(git_ -C "$WORK/$r" verify-pack -v "$WORK/$r"/.git/objects/pack/*.idx | awk '/^chain length/ {n = $4 + 0; if (n > m) m = n} END {print m + 0}')"
    fi
    printf '%-7s %s%s\n' "$r:" "$objects" "$chain"
done
echo

# label, repository, extra arguments
# label|repository|extra argument|binary
variants=("history, gc|gc||$ROPA" "history, import|import||$ROPA" "history, loose|loose||$ROPA" "--no-history|gc|--no-history|$ROPA")
if [[ -n "${BASELINE:-}" ]]; then
    variants+=("baseline, gc|gc||$BASELINE")
    echo "baseline: $BASELINE"
fi
build_cmd() { # repository extra binary
    local reg="$WORK/$1/registry"
    BUILD=("$3" build --registry "$reg" --as-of "$AS_OF" --out "$WORK/site")
    [[ -n "$2" ]] && BUILD+=("$2")
    return 0
}

echo "== sanity run (stages of history, ROPA_TIMINGS=1)"
for v in "${variants[@]}"; do
    IFS='|' read -r label repo extra bin <<<"$v"
    build_cmd "$repo" "$extra" "$bin"
    rm -rf "$WORK/site"
    set +e
    ROPA_TIMINGS=1 "${BUILD[@]}" >"$WORK/build.out" 2>&1
    status=$?
    set -e
    printf '%-16s exit %d, %s HTML files; %s\n' "$label" "$status" \
        "$(find "$WORK/site" -name '*.html' 2>/dev/null | wc -l)" \
        "$(grep '^timing: history' "$WORK/build.out" | sed 's/^timing: //; s/ (rss.*//' | paste -sd ';' - | sed 's/;/; /g')"
done
build_cmd gc "" "$ROPA"
echo "command:  ROPA_TIMINGS=1 ${BUILD[*]} [--no-history]" | sed "s|$WORK|\$WORK|g"
echo

echo "== timing ($RUNS interleaved runs of each, ROPA_TIMINGS=1 under /usr/bin/time -v)"
declare -A walls rss hist hcpu
for i in $(seq 1 "$RUNS"); do
    for v in "${variants[@]}"; do
        IFS='|' read -r label repo extra bin <<<"$v"
        build_cmd "$repo" "$extra" "$bin"
        rm -rf "$WORK/site"
        ROPA_TIMINGS=1 /usr/bin/time -v "${BUILD[@]}" >/dev/null 2>"$WORK/time.out" || true
        wall="$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$WORK/time.out")"
        secs="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$wall")"
        kib="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")"
        # The stage's own line: `timing: history 412.3 ms, cpu ...`.
        ms="$(awk '$1 == "timing:" && $2 == "history" {print $3}' "$WORK/time.out")"
        cpu="$(awk '$1 == "timing:" && $2 == "history" {print $6}' "$WORK/time.out")"
        walls[$label]+="$secs "
        rss[$label]+="$kib "
        hist[$label]+="${ms:-0} "
        hcpu[$label]+="${cpu:-0} "
        printf 'run %d %-16s wall %6.3f s  history %7s ms (cpu %7s ms)  max RSS %7.1f MiB\n' "$i" "$label" "$secs" "${ms:--}" "${cpu:--}" \
            "$(awk -v k="$kib" 'BEGIN {print k/1024}')"
    done
done
echo
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
base="$(median <<<"${walls[--no-history]}")"
echo "== medians ($RUNS runs)"
for v in "${variants[@]}"; do
    IFS='|' read -r label repo extra bin <<<"$v"
    w="$(median <<<"${walls[$label]}")"
    printf '%-16s wall %.3f s (%+.3f s against --no-history), history stage %.0f ms (cpu %.0f ms), max RSS %.1f MiB\n' \
        "$label" "$w" "$(awk -v a="$w" -v b="$base" 'BEGIN {print a - b}')" \
        "$(median <<<"${hist[$label]}")" "$(median <<<"${hcpu[$label]}")" "$(awk -v k="$(median <<<"${rss[$label]}")" 'BEGIN {print k/1024}')"
done
