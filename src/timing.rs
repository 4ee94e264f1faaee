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

/// Runs `f`, printing `timing: <stage> <ms>` when timings are on, with
/// the resident memory after it and the peak so far.
pub fn timed<T>(stage: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let mem = memory().map_or_else(String::new, |(rss, peak)| {
        format!(" (rss {rss} MiB, peak {peak} MiB)")
    });
    let _ = writeln!(std::io::stderr(), "timing: {stage} {ms:.1} ms{mem}");
    out
}
