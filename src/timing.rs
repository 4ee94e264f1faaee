//! `ROPA_TIMINGS=1`: how long each stage of a run took, on standard error
//! (see docs/performance.md). Off by default; costs one environment lookup.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ROPA_TIMINGS").is_some())
}

/// The process's resident memory now and at its peak, in MiB (Linux).
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((kib("VmRSS:")? / 1024, kib("VmHWM:")? / 1024))
}

/// CPU time of the whole process (all threads) so far, in ms: with the
/// wall time it shows how much of a stage ran on both cores.
#[cfg(unix)]
fn cpu_ms() -> Option<f64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Some(t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6)
}
#[cfg(not(unix))]
fn cpu_ms() -> Option<f64> {
    None
}

/// Runs `f`, printing `timing: <stage> <ms>, cpu <ms>` when timings are on, with
/// the resident memory after it and the peak so far.
pub fn timed<T>(stage: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let cpu_start = cpu_ms();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let cpu = match (cpu_start, cpu_ms()) {
        (Some(a), Some(b)) => format!(", cpu {:.1} ms", b - a),
        _ => String::new(),
    };
    let mem = memory().map_or_else(String::new, |(rss, peak)| {
        format!(" (rss {rss} MiB, peak {peak} MiB)")
    });
    let _ = writeln!(std::io::stderr(), "timing: {stage} {ms:.1} ms{cpu}{mem}");
    out
}
