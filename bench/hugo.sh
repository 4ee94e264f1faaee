#!/usr/bin/env bash
# Compare `ropa build` with Hugo in pages per second (issue 20: at least 12
# times Hugo's pages per second, in the same run, on the generated registry
# of 10,000 activities against 10,000 generated Markdown pages).
#
#   bench/hugo.sh [GEN_ARGS...]
#
# GEN_ARGS go to examples/gen_registry.rs (default 10000 activities, 2000
# processors, 5000 transfers). The Hugo site is generated here (awk, no
# randomness: the same PAGES give the same site): PAGES Markdown pages
# (default 10000) in 20 sections, each with TOML front matter (title, date,
# three `tags` and one of six `categories`) and a body like an activity's
# page (paragraphs, a list, a table), and a local theme of three templates
# (baseof, single, list; the nav a cached partial) with no external
# resource. Hugo writes only HTML (RSS, sitemap and robots.txt are
# disabled), and its list pages are the
# home page (every page), the 20 sections, the two taxonomies and their 56
# terms, each listing all its pages (no pagination), as ropa's indexes do.
#
# Each round builds the ropa site (`--no-history`: the generated registry
# is no git repository) and the Hugo site, interleaved (the first of the
# two alternates between rounds) so the machine's drift falls on both, each
# from no output (removed first). Hugo runs with `--ignoreCache` and a
# fresh `--cacheDir` removed before each run, so nothing is warm but the
# files in tmpfs, as for ropa. Prints every run, then each one's median
# wall time, peak RSS, HTML files written and pages per second, the ratio
# of ropa's pages per second to Hugo's, and the median of each round's own
# ratio.
# Environment: RUNS (default 5), PAGES (default 10000), ROPA=path times
# another binary, GEN=path another gen_registry, NO_BUILD=1 skips the cargo
# build, HUGO=path another hugo, BENCH_DIR (default /dev/shm).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-5}"
PAGES="${PAGES:-10000}"
AS_OF="2026-11-01"
HUGO="${HUGO:-hugo}"

if [[ ! -x /usr/bin/time ]]; then
    echo "error: /usr/bin/time is missing (peak RSS comes from \`/usr/bin/time -v\`):" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends time" >&2
    exit 2
fi
if ! command -v "$HUGO" >/dev/null 2>&1; then
    echo "error: hugo is missing (the comparison uses Debian's package):" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends hugo" >&2
    exit 2
fi
if ! [[ "$PAGES" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: PAGES and RUNS must be positive whole numbers" >&2
    exit 2
fi

source bench/machine.sh
echo "hugo:     $("$HUGO" version)"
echo

echo "== build (release)"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
    cargo build --release --bins --example gen_registry
fi
ROPA="${ROPA:-target/release/ropa}"
GEN="${GEN:-target/release/examples/gen_registry}"
for bin in "$ROPA" "$GEN"; do
    if [[ ! -x "$bin" ]]; then
        echo "error: $bin was not built" >&2
        exit 2
    fi
done
echo

# In /dev/shm (tmpfs), as bench/run.sh: the figures measure the two
# programs, not the VM's page cache or disk.
WORK="$(mktemp -d "${BENCH_DIR:-/dev/shm}/ropa-bench-hugo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
REG="$WORK/registry"
HSITE="$WORK/hugo-site"

# Writes the Hugo site of $1 pages into $2.
gen_hugo_site() { # pages dir
    local dir="$2"
    mkdir -p "$dir/content" "$dir/themes/bench/layouts/_default" "$dir/themes/bench/layouts/partials" \
        "$dir/themes/bench/static"
    cat >"$dir/config.toml" <<'EOF'
baseURL = "https://example.org/"
languageCode = "en"
title = "Record of processing activities"
theme = "bench"
disableKinds = ["RSS", "sitemap", "robotsTXT"]
enableRobotsTXT = false
[taxonomies]
tag = "tags"
category = "categories"
EOF
    cat >"$dir/themes/bench/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
{{ partialCached "nav.html" . }}
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>Generated for a benchmark.</footer>
</body>
</html>
EOF
    # The same on every page: rendered once (partialCached, as Hugo's
    # documentation suggests for such a partial); rendered on every page
    # it took a quarter to a third of Hugo's time.
    cat >"$dir/themes/bench/layouts/partials/nav.html" <<'EOF'
<nav><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
EOF
    cat >"$dir/themes/bench/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>Reviewed <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
in <a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a>.</p>
<dl>
<dt>Legal basis</dt><dd>{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</dd>
<dt>Data</dt><dd><ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></dd>
</dl>
{{ .Content }}
</article>{{ end }}
EOF
    cat >"$dir/themes/bench/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
<p>{{ len $pages }} entries.</p>
<table>
<thead><tr><th>Title</th><th>Reviewed</th></tr></thead>
<tbody>{{ range $pages }}<tr><td><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></td><td>{{ .Date.Format "2006-01-02" }}</td></tr>{{ end }}</tbody>
</table>{{ end }}
EOF
    printf 'body { font-family: sans-serif; max-width: 60em; margin: auto; }\ntable { border-collapse: collapse; }\n' \
        >"$dir/themes/bench/static/style.css"
    awk -v n="$1" -v dir="$dir/content" '
    BEGIN {
        nw = split("personal data is processed for the purpose stated below by the controller " \
            "and its processors under contract with safeguards retention periods access " \
            "rights of the data subject are respected erasure on request records kept " \
            "reviewed each year by the protection officer with the department head", w, " ")
        nt = split("name email address phone salary bank-account health-data " \
            "national-id date-of-birth photo location ip-address cookies device-id " \
            "contract-details invoices payment-card credit-score criminal-records " \
            "trade-union religion ethnic-origin biometrics genetic-data sex-life " \
            "political-opinions children-data employee-id performance absence " \
            "training camera-images access-logs badge-records vehicle-data " \
            "travel-data emergency-contact nationality marital-status education " \
            "references social-media call-recordings chat-logs feedback " \
            "complaints newsletter purchase-history loyalty-points signature", tag, " ")
        nc = split("Consent|Contract|Legal obligation|Vital interests|Public task|Legitimate interests", cat, "|")
        nd = split("Finance,Human resources,Sales,Marketing,Customer service,IT,Legal," \
            "Procurement,Facilities,Security,Research,Production,Logistics,Quality," \
            "Communications,Training,Health and safety,Audit,Management,Works council", dept, ",")
        for (s = 1; s <= nd; s++) {
            sec[s] = sprintf("department-%02d", s)
            system("mkdir -p \"" dir "/" sec[s] "\"")
            f = dir "/" sec[s] "/_index.md"
            printf "+++\ntitle = \"%s\"\nweight = %d\n+++\nThe activities of the %s department.\n", dept[s], s, dept[s] > f
            close(f)
        }
        for (i = 1; i <= n; i++) {
            s = (i - 1) % nd + 1
            f = sprintf("%s/%s/activity-%05d.md", dir, sec[s], i)
            t1 = i % nt
            t2 = (t1 + 1 + int(i / nt) % 24) % nt
            t3 = (t1 + 25 + int(i / 7) % 24) % nt
            printf "+++\ntitle = \"Activity %05d: %s of %s\"\n", i, w[(i * 7) % nw + 1], tag[t1 + 1] > f
            printf "date = %04d-%02d-%02d\n", 2020 + i % 5, i % 12 + 1, i % 28 + 1 > f
            printf "tags = [\"%s\", \"%s\", \"%s\"]\n", tag[t1 + 1], tag[t2 + 1], tag[t3 + 1] > f
            printf "categories = [\"%s\"]\n+++\n\n", cat[i % nc + 1] > f
            for (p = 1; p <= 3; p++) {
                line = ""
                for (k = 1; k <= 40; k++) {
                    word = w[(i * 31 + p * 17 + k * 13) % nw + 1]
                    if (k == 1) word = toupper(substr(word, 1, 1)) substr(word, 2)
                    if (k == 7) word = "**" word "**"
                    line = line (k > 1 ? " " : "") word
                }
                if (p == 2) print "## Purposes and data\n" > f
                print line ".\n" > f
                if (p == 2) {
                    for (k = 0; k < 5; k++)
                        printf "- %s, kept %d months\n", tag[(t1 + k * 9) % nt + 1], 6 * (1 + (i + k) % 20) > f
                    print "" > f
                }
            }
            print "## Recipients\n\n| Recipient | Country | Safeguard |\n|---|---|---|" > f
            for (k = 1; k <= 4; k++) {
                c = (i + k) % 8
                printf "| Processor %04d | %s | %s |\n", (i * 3 + k) % 2000, substr("NLDEFRBEUSJPGBCH", c * 2 + 1, 2), \
                    (c < 4 ? "Inside the EEA" : c == 4 ? "Standard contractual clauses" : "Adequacy decision") > f
            }
            printf "\nSee [the %s department](/%s/).\n", dept[s], sec[s] > f
            close(f)
        }
    }'
}

echo "== generate"
if ! "$GEN" "$REG" "$@" >"$WORK/gen.out" 2>&1; then
    cat "$WORK/gen.out" >&2
    exit 1
fi
echo "registry:  $(find "$REG" -type f -name '*.toml' | wc -l) *.toml, $(du -sh --apparent-size "$REG" | cut -f1)"
gen_hugo_site "$PAGES" "$HSITE"
echo "hugo site: $(find "$HSITE/content" -type f -name '*.md' | wc -l) *.md, $(du -sh --apparent-size "$HSITE/content" | cut -f1)"
echo

# label|output folder; the commands are built by cmd_of.
tools=(ropa hugo)
declare -A out=([ropa]="$WORK/site" [hugo]="$WORK/public")
cmd_of() { # label
    case "$1" in
    ropa) CMD=("$ROPA" build --registry "$REG" --as-of "$AS_OF" --out "${out[ropa]}" --no-history) ;;
    hugo) CMD=("$HUGO" --source "$HSITE" --destination "${out[hugo]}" --cleanDestinationDir --quiet
        --ignoreCache --cacheDir "$WORK/hugo-cache") ;;
    esac
}
# From no output, and (Hugo) no cache: what the timed command starts from.
fresh() { # label
    rm -rf "${out[$1]}" "$WORK/hugo-cache"
}
count_pages() { # label
    find "${out[$1]}" -type f -name '*.html' 2>/dev/null | wc -l
}

echo "== sanity run"
for t in "${tools[@]}"; do
    cmd_of "$t"
    fresh "$t"
    set +e
    "${CMD[@]}" >"$WORK/sanity.out" 2>&1
    status=$?
    set -e
    printf '%-5s exit %d, %s HTML files, output %s MiB\n' "$t" "$status" "$(count_pages "$t")" \
        "$(du -s --apparent-size --block-size=1M "${out[$t]}" 2>/dev/null | cut -f1)"
    echo "command: ${CMD[*]}" | sed "s|$WORK|\$WORK|g"
    if [[ $status -ne 0 ]]; then
        tail -n 5 "$WORK/sanity.out" | sed 's/^/  | /'
        exit 1
    fi
done
echo

echo "== timing ($RUNS interleaved rounds, under /usr/bin/time -v)"
declare -A walls rss npages
for i in $(seq 1 "$RUNS"); do
    # The first of the pair alternates, so neither always inherits the
    # other's freed memory or warmed caches.
    order=("${tools[@]}")
    ((i % 2 == 0)) && order=(hugo ropa)
    for t in "${order[@]}"; do
        cmd_of "$t"
        fresh "$t"
        # Wall time from bash's clock (microseconds; /usr/bin/time rounds
        # to 10 ms, 2.5% of a 0.4 s build), peak RSS from /usr/bin/time.
        start="$EPOCHREALTIME"
        if ! /usr/bin/time -v "${CMD[@]}" >/dev/null 2>"$WORK/time.out"; then
            echo "error: run $i of $t failed:" >&2
            tail -n 5 "$WORK/time.out" | sed 's/^/  | /' >&2
            exit 1
        fi
        end="$EPOCHREALTIME"
        secs="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
        kib="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")"
        p="$(count_pages "$t")"
        walls[$t]+="$secs "
        rss[$t]+="$kib "
        npages[$t]+="$p "
        printf 'run %d %-5s wall %6.3f s  max RSS %7.1f MiB  %6d pages  %8.0f pages/s\n' "$i" "$t" "$secs" \
            "$(awk -v k="$kib" 'BEGIN {print k/1024}')" "$p" "$(awk -v p="$p" -v s="$secs" 'BEGIN {print p/s}')"
    done
done
fresh ropa
fresh hugo
echo

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
maximum() { tr ' ' '\n' | grep . | sort -g | tail -1; }
declare -A rate
echo "== medians ($RUNS rounds; target: ropa at least 12 times Hugo's pages per second)"
printf '%-5s %9s %11s %15s %7s %9s\n' "" "wall (s)" "median RSS" "peak RSS" "pages" "pages/s"
for t in "${tools[@]}"; do
    w="$(median <<<"${walls[$t]}")"
    p="$(median <<<"${npages[$t]}")"
    rate[$t]="$(awk -v p="$p" -v w="$w" 'BEGIN {printf "%.1f", p / w}')"
    printf '%-5s %9.3f %7.1f MiB %7.1f MiB %7d %9.0f\n' "$t" "$w" \
        "$(awk -v k="$(median <<<"${rss[$t]}")" 'BEGIN {print k/1024}')" \
        "$(awk -v k="$(maximum <<<"${rss[$t]}")" 'BEGIN {print k/1024}')" "$p" "${rate[$t]}"
done
printf 'ratio of the medians: ropa %.2f times Hugo'"'"'s pages per second\n' \
    "$(awk -v a="${rate[ropa]}" -v b="${rate[hugo]}" 'BEGIN {print a / b}')"
# On a shared machine the load drifts between rounds: the median of each
# round's own ratio (the two builds ran one after the other) says more.
paired="$(paste <(tr ' ' '\n' <<<"${walls[ropa]}" | grep .) <(tr ' ' '\n' <<<"${npages[ropa]}" | grep .) \
    <(tr ' ' '\n' <<<"${walls[hugo]}" | grep .) <(tr ' ' '\n' <<<"${npages[hugo]}" | grep .) |
    awk '{ printf "%f\n", ($2 / $1) / ($4 / $3) }')"
printf 'rounds'"'"' own ratios: %s\n' "$(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' <<<"$paired")"
printf 'median of the rounds'"'"' own ratios: ropa %.2f times Hugo'"'"'s pages per second\n' "$(median <<<"$paired")"
