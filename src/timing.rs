//! `ROPA_TIMINGS=1`: how long each stage of a run took, on standard error
//! (see docs/performance.md). Off by default; costs one environment lookup.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ROPA_TIMINGS").is_some())
}

/// Runs `f`, printing `timing: <stage> <ms>` when timings are on.
pub fn timed<T>(stage: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let _ = writeln!(std::io::stderr(), "timing: {stage} {ms:.1} ms");
    out
}
