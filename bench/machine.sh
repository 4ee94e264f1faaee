# Sourced by the bench scripts: prints the machine a benchmark ran on, so
# its figures can be written down with it.
echo "== machine"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:     $(uname -srm)"
echo "nproc:    $(nproc)"
cpu_model="$(grep -m1 -E '^(model name|Model|cpu model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^[[:space:]]*//' || true)"
echo "cpu:      ${cpu_model:-unknown}"
mem_total="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)"
echo "memory:   ${mem_total:-unknown}"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "rustc:    $(rustc --version)"
