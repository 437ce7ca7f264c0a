//! The command line and its environment variables, validated into one struct.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gaillery",
    version,
    about = "GAiLLERY: a self-hosted, multimodal, AI photo gallery"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the gallery and the JSON API).
    Serve(ServeArgs),
}

#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GAILLERY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Where photos and the catalog are kept.
    #[arg(long, env = "GAILLERY_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// The built site (WASM, JS, CSS, public files); overrides `site-root` of the Leptos config.
    #[arg(long, env = "GAILLERY_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// The Leptos runtime settings (output name, site root). Missing file: built-in defaults.
    #[arg(long, env = "GAILLERY_LEPTOS_CONFIG", default_value = "Leptos.toml")]
    pub leptos_config: PathBuf,

    /// Largest accepted photo, in megabytes.
    #[arg(long, env = "GAILLERY_MAX_UPLOAD_MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_upload_mb: u64,

    /// Largest accepted photo, in megapixels (checked before decoding).
    #[arg(long, env = "GAILLERY_MAX_MEGAPIXELS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=2_000))]
    pub max_megapixels: u64,

    /// Most files accepted in one upload request.
    #[arg(long, env = "GAILLERY_MAX_FILES_PER_REQUEST", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_files_per_request: u64,

    /// How many photos are decoded at once (default: one per core).
    #[arg(long, env = "GAILLERY_PROCESSING_THREADS")]
    pub processing_threads: Option<usize>,
}
