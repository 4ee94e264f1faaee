#!/usr/bin/env bash
# Benchmark `ropa import ico` of the generated registry of 10,000
# activities, as ropa's own XLSX and CSV exports write it (and as an ODS,
# when LibreOffice is installed to convert the XLSX).
#
#   bench/import.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (default 10000 activities). The
# formats are timed in turns (xlsx, csv, ods, xlsx, ...) so that a change in
# the machine's load falls on all of them. Environment: RUNS (default 5),
# ROPA=path times another binary, SOFFICE=path (default: soffice on PATH;
# SOFFICE=none skips the ODS).
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
echo

# In /dev/shm (tmpfs), as bench/export.sh: the figures measure ropa, not
# how the VM's disk creates 17,000 small files (on ext4 the write stage
# took 0.6 to 6.7 s for the same work, depending on the inodes it reused).
WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-bench-import.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== generate and export"
"$GEN" "$WORK/registry" "$@" >/dev/null
formats=(xlsx csv)
for f in "${formats[@]}"; do
    "$ROPA" export --registry "$WORK/registry" --as-of "$AS_OF" --format "$f" --out "$WORK/record.$f"
done
SOFFICE="${SOFFICE:-$(command -v soffice || echo none)}"
if [[ "$SOFFICE" != none ]]; then
    # LibreOffice's own ODS of the same workbook.
    "$SOFFICE" --headless --convert-to ods --outdir "$WORK" "$WORK/record.xlsx" >/dev/null 2>&1
    formats+=(ods)
fi
for f in "${formats[@]}"; do
    rows="$("$ROPA" import ico "$WORK/record.$f" --out "$WORK/sanity-$f" 2>/dev/null | grep -m1 -o 'imported [0-9]* rows' || true)"
    echo "record.$f: $(du -h --apparent-size "$WORK/record.$f" | cut -f1), ${rows:-import failed}"
    rm -rf "$WORK/sanity-$f"
done
if [[ -f "$WORK/record.ods" ]]; then
    echo "record.ods content.xml: $(unzip -l "$WORK/record.ods" content.xml | awk '/content.xml/ {printf "%.1f MiB unpacked", $1/1048576}')"
fi
echo

echo "== stages (ROPA_TIMINGS=1, one run each)"
for f in "${formats[@]}"; do
    rm -rf "$WORK/out"
    echo "$f: $(ROPA_TIMINGS=1 "$ROPA" import ico "$WORK/record.$f" --out "$WORK/out" 2>&1 >/dev/null | grep '^timing' | sed 's/^timing: //' | paste -sd ',' -)"
done
echo

echo "== timing ($RUNS interleaved runs of each, /usr/bin/time -v)"
declare -A walls rss
for i in $(seq 1 "$RUNS"); do
    for f in "${formats[@]}"; do
        rm -rf "$WORK/out"
        /usr/bin/time -v "$ROPA" import ico "$WORK/record.$f" --out "$WORK/out" >/dev/null 2>"$WORK/time.out" || true
        wall="$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$WORK/time.out")"
        secs="$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$wall")"
        kib="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")"
        walls[$f]+="$secs "
        rss[$f]+="$kib "
        printf 'run %d %-4s wall %6.3f s  max RSS %7.1f MiB\n' "$i" "$f" "$secs" "$(awk -v k="$kib" 'BEGIN {print k/1024}')"
    done
done
echo
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for f in "${formats[@]}"; do
    printf '%-4s median wall %.3f s, median max RSS %.1f MiB (%s runs)\n' "$f" \
        "$(median <<<"${walls[$f]}")" "$(awk -v k="$(median <<<"${rss[$f]}")" 'BEGIN {print k/1024}')" "$RUNS"
done
