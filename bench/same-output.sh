#!/usr/bin/env bash
# Checks that a change to `ropa` leaves its output byte-identical (issue 20:
# "the output stays byte-identical"): builds the same registries with two
# binaries and compares the sites file by file.
#
#   bench/same-output.sh BASE NEW [EXTRA_BUILD_ARGS...]
#
# BASE and NEW are `ropa` binaries (say, a release build of main kept aside,
# and target/release/ropa). The registries are the example one, the three in
# examples/, the site fixtures in tests/fixtures/ and, when GEN is set to a
# generated registry (examples/gen_registry.rs), that one too. Every build is
# `--no-history` with a fixed `--as-of` and SOURCE_DATE_EPOCH, so only the
# binaries differ. Run it twice, with and without `--no-pictures`, to cover
# both. Prints `same` or `DIFFER` per registry; exits 1 if any differ.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 2 ]]; then
    echo "usage: bench/same-output.sh BASE NEW [EXTRA_BUILD_ARGS...]" >&2
    exit 2
fi
BASE="$1"
NEW="$2"
shift 2
for bin in "$BASE" "$NEW"; do
    if [[ ! -x "$bin" ]]; then
        echo "error: $bin is not an executable" >&2
        exit 2
    fi
done

WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-same.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1790000000

registries=(registry examples/allocloud examples/allthingstalk examples/alutech
    tests/fixtures/site-hostile tests/fixtures/valid-saas tests/fixtures/warnings-only
    tests/fixtures/contract-1-1-abroad)
[[ -n "${GEN:-}" ]] && registries+=("$GEN")

differ=0
for reg in "${registries[@]}"; do
    for side in base new; do
        bin="$BASE"
        [[ $side == new ]] && bin="$NEW"
        rm -rf "$WORK/site" "$WORK/$side"
        # The messages and the exit status are compared too; the output
        # folder's name is the same on both sides so that they can be.
        set +e
        "$bin" build --registry "$reg" --out "$WORK/site" --as-of 2026-11-01 --no-history "$@" \
            >"$WORK/$side.out" 2>&1
        echo "exit $?" >>"$WORK/$side.out"
        [[ -d "$WORK/site" ]] && mv "$WORK/site" "$WORK/$side"
        set -e
    done
    # A registry that fails on both sides wrote no site on either.
    [[ -d "$WORK/base" || -d "$WORK/new" ]] || mkdir "$WORK/base" "$WORK/new"
    if diff -rq "$WORK/base" "$WORK/new" >"$WORK/diff" 2>&1 && cmp -s "$WORK/base.out" "$WORK/new.out"; then
        echo "same    $reg ($(find "$WORK/new" -type f 2>/dev/null | wc -l) files)"
    else
        echo "DIFFER  $reg"
        head -n 5 "$WORK/diff" | sed 's/^/  | /'
        diff "$WORK/base.out" "$WORK/new.out" | head -n 5 | sed 's/^/  | /' || true
        differ=1
    fi
done
exit "$differ"
