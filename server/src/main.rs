//! `gaillery`: the GAiLLERY server and command line.

#![recursion_limit = "256"]

use clap::Parser;
use gaillery_server::cli::{Cli, Command};
use std::process::ExitCode;

/// Most threads for blocking work (file reads, SQLite, decoding, inference). Tokio's default of
/// 512 let a burst of image requests start hundreds, each keeping its own malloc arena: the
/// load tests saw the server grow past 1 GB and stay there.
const MAX_BLOCKING_THREADS: usize = 64;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("gaillery: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    gaillery_server::telemetry::init();
    let result = match cli.command {
        Command::Serve(args) => gaillery_server::startup::serve(args).await,
        Command::Classify(args) => gaillery_server::commands::classify(args).await,
        Command::Import(args) => gaillery_server::commands::import(args).await,
        Command::ConvertWeights(args) => gaillery_server::commands::convert_weights(args),
        Command::Intent(args) => gaillery_server::commands::intent(args),
        Command::User(command) => gaillery_server::account_commands::user(command).await,
        Command::Token(command) => gaillery_server::account_commands::token(command).await,
        Command::Sweep(args) => gaillery_server::account_commands::sweep(args).await,
        Command::SeedLibrary(args) => gaillery_server::seed_command::seed_library(args).await,
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
