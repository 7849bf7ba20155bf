//! The `nines` command line. Exit codes: 0 success, 1 an SLO not met
//! (`check`), 2 bad input or usage.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
