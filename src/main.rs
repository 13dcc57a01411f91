//! The `sportello` command: serves the desk by default; sets up, manages users, tokens and the audit.
#![forbid(unsafe_code)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // The Windows service logs to a file in its data directory instead (it has no console).
    if !matches!(
        args.command,
        Some(cli::Command::Service(cli::service::ServiceCommand::Run))
    ) {
        cli::init_logging(
            args.command.is_none() || matches!(args.command, Some(cli::Command::Serve)),
        );
    }
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("errore: {message}");
            ExitCode::FAILURE
        }
    }
}
