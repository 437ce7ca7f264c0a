//! `gaillery`: the GAiLLERY server and command line.

#![recursion_limit = "256"]

use clap::Parser;
use gaillery_server::cli::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    gaillery_server::telemetry::init();
    let result = match cli.command {
        Command::Serve(args) => gaillery_server::startup::serve(args).await,
        Command::Classify(args) => gaillery_server::commands::classify(args).await,
        Command::Import(args) => gaillery_server::commands::import(args).await,
        Command::ConvertWeights(args) => gaillery_server::commands::convert_weights(args),
        Command::Intent(args) => gaillery_server::commands::intent(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("gaillery: {error}");
            ExitCode::FAILURE
        }
    }
}
