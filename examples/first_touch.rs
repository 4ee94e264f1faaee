//! How dear is memory the first time it is touched, on this machine?
//!
//!     cargo run --release --example first_touch -- [MIB] [PAUSE_S...]
//!
//! For each pause (default 0, 1, 5 and 10 seconds): sleeps, maps MIB MiB
//! (default 200) of anonymous memory with transparent huge pages asked
//! for (as mimalloc does), writes one byte every 4 KiB and prints how
//! long that took; then does the same again at once, with the memory just
//! freed. On a VM that hands freed memory back to its host (free page
//! reporting), the first figure grows with the pause: see
//! docs/performance.md.

#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "mapping memory by hand is what it measures")]
fn touch(mib: usize) -> std::io::Result<f64> {
    use rustix::mm::{Advice, MapFlags, ProtFlags, madvise, mmap_anonymous, munmap};
    let len = mib << 20;
    // SAFETY: a fresh private anonymous mapping, written only within its
    // length and unmapped before return; no reference to it escapes.
    unsafe {
        let p = mmap_anonymous(
            std::ptr::null_mut(),
            len,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::PRIVATE,
        )?;
        let _ = madvise(p, len, Advice::LinuxHugepage);
        let start = std::time::Instant::now();
        let bytes = p.cast::<u8>();
        for off in (0..len).step_by(4096) {
            bytes.add(off).write_volatile(1);
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        munmap(p, len)?;
        Ok(ms)
    }
}

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mib: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut pauses: Vec<u64> = args.filter_map(|a| a.parse().ok()).collect();
    if pauses.is_empty() {
        pauses = vec![0, 1, 5, 10];
    }
    for pause in pauses {
        std::thread::sleep(std::time::Duration::from_secs(pause));
        let first = touch(mib)?;
        let again = touch(mib)?;
        println!(
            "after {pause:>2} s idle: {mib} MiB first touched in {first:7.1} ms ({:6.0} MiB/s); again at once {again:6.1} ms",
            mib as f64 / first * 1000.0
        );
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("first_touch measures Linux memory only");
}
