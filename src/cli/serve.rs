//! `ropa serve`: the live preview (see `ropa::serve`).

use std::io::Write;
use std::process::ExitCode;

use super::{Common, fail};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on. The default keeps the preview on this
    /// machine; `0.0.0.0` shares it with the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
}

pub fn run(Args { common, port, bind }: Args) -> ExitCode {
    if common.at.is_some() {
        return fail(
            "`ropa serve` previews the registry as it is being edited; `--at` is for check, build and export",
        );
    }
    let as_of = match common.as_of.map_or_else(ropa::pipeline::default_as_of, Ok) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let opts = ropa::serve::ServeOptions {
        registry: common.registry,
        bind,
        port,
        as_of,
        quiet: common.quiet,
        log: |m| {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{}", m.trim_end());
            let _ = err.flush();
        },
    };
    match ropa::serve::serve(opts) {
        // The preview folder is removed; the status says which signal.
        Ok(ropa::serve::Stopped::Signal(code)) => ExitCode::from(code),
        Err(e) => fail(e),
    }
}
