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
    /// Classify image files and print one JSON line per file: {"file", "labels"}.
    Classify(ClassifyArgs),
    /// Add every photo under a folder to the gallery (recursively, skipping duplicates).
    Import(ImportArgs),
    /// Convert a PyTorch checkpoint into the model directory's safetensors file for a model.
    ConvertWeights(ConvertArgs),
    /// Parse a spoken command and print its intent as one JSON line, e.g.
    /// {"intent":"show_tag","tag":"dog"}.
    Intent(IntentArgs),
}

/// Where models come from.
#[derive(Clone, Debug, Args)]
pub struct ModelArgs {
    /// Models to load, comma-separated, the default first: efficientnet-lite0, resnet50; or
    /// `none` to store photos without classifying them.
    #[arg(
        long,
        env = "GAILLERY_MODEL",
        default_value = "efficientnet-lite0",
        value_delimiter = ','
    )]
    pub model: Vec<String>,

    /// Where the weights are (`NAME.safetensors`; see scripts/fetch-models.sh).
    #[arg(long, env = "GAILLERY_MODEL_DIR", default_value = "models")]
    pub model_dir: PathBuf,
}

impl ModelArgs {
    /// The model names asked for, none when classification is off.
    pub fn names(&self) -> Vec<String> {
        self.model
            .iter()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty() && name != "none")
            .collect()
    }
}

#[derive(Clone, Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub models: ModelArgs,
    /// Image files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub struct ImportArgs {
    /// The folder to import.
    pub dir: PathBuf,
    /// Where photos and the catalog are kept.
    #[arg(long, env = "GAILLERY_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The model the photos are queued for (classified by the server); `none` to skip.
    #[arg(long, env = "GAILLERY_MODEL", default_value = "efficientnet-lite0")]
    pub model: String,
}

#[derive(Clone, Debug, Args)]
pub struct IntentArgs {
    /// What was said; several arguments are joined with spaces.
    #[arg(required = true)]
    pub words: Vec<String>,
    /// The language it was said in (a BCP 47 tag; English is the one understood so far).
    #[arg(long, default_value = "en")]
    pub language: String,
}

#[derive(Clone, Debug, Args)]
pub struct ConvertArgs {
    /// The PyTorch checkpoint (.pth/.pt, legacy or zip).
    pub checkpoint: PathBuf,
    /// Which model the checkpoint holds.
    #[arg(long)]
    pub model: String,
    #[arg(long, env = "GAILLERY_MODEL_DIR", default_value = "models")]
    pub model_dir: PathBuf,
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

    #[command(flatten)]
    pub models: ModelArgs,

    /// Classification workers (default: half the cores, at least one).
    #[arg(long, env = "GAILLERY_CLASSIFY_WORKERS")]
    pub classify_workers: Option<usize>,

    /// This server's name among servers sharing one catalog (default: the host name).
    #[arg(long, env = "GAILLERY_INSTANCE")]
    pub instance: Option<String>,
}
