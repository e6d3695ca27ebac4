//! The `sparsim` binary: parse the command line, call the library, report errors.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reader that stops early (`sparsim pack … --json | head -c 100`) closes the pipe: end
    // quietly on SIGPIPE like other command-line tools, instead of panicking in `println!`.
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = sparsim::cli::Cli::parse();
    match sparsim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
