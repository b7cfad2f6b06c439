//! `gantry`: the command line. Wiring only; the work lives in the library crates.

mod cli;
mod commands;
mod output;
mod stdout;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match &cli.command {
        cli::Command::Controller(args) => {
            commands::controller::init_logging(args, cli.global.verbose)
        }
        _ => cli::init_logging(cli.global.verbose),
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
