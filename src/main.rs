//! The `ropa` command line: parse arguments, run a command, map the outcome
//! to the exit status of the contract (0 ok, 1 registry errors, 2 could not run).
//! Each command is one file of `cli/`.

// A malformed registry gets a diagnostic, never a panic: outside tests,
// no `unwrap` or `expect` (errors are typed and reported in one place).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;

use std::process::ExitCode;

use cli::Command;

// A build allocates and frees millions of small strings on every core;
// glibc's per-thread arenas spent a tenth of the build in malloc, free and
// the mprotect calls that grow their heaps. mimalloc's thread-local free
// lists avoid both.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's own C API (linked in by the `mimalloc` crate; the sys crate
// declares it only behind a feature, and without this option's constant).
#[allow(unsafe_code, reason = "mimalloc's C API has no safe binding")]
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc.h: an ABI-stable enum value (the
/// enum keeps deprecated entries so that numbers never move).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Tells mimalloc never to hand freed memory back to the kernel while
/// `ropa` runs (not for `serve`). A run is short and its peak is what it needs anyway; given
/// back, the memory is faulted in and zeroed again by the next stage, and
/// on a virtual machine fresh pages are dear. Measured on the 10k/2k/5k
/// benchmark (docs/performance.md): about 8% less wall time, the same
/// peak memory.
#[allow(unsafe_code, reason = "mimalloc's C API has no safe binding")]
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option; mimalloc reads options at any
    // time and this one only decides whether free memory is purged.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn main() -> ExitCode {
    let command = cli::parse();
    // `ropa serve` runs for hours: it may give memory back between builds.
    if !matches!(command, Command::Serve(_)) {
        keep_freed_memory();
    }
    match command {
        Command::Check(args) => cli::check::run(args),
        Command::Export(args) => cli::export::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Schema(args) => cli::schema::run(args),
        Command::Init(args) => cli::init::run(args),
        Command::New(args) => cli::new::run(args),
        Command::Diff(args) => cli::diff::run(args),
        Command::Due(args) => cli::due::run(args),
        Command::Import(args) => cli::import::run(args),
        Command::Build(args) => cli::build::run(args),
    }
}
