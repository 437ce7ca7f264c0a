//! The command line and its environment variables, validated into one struct.

use clap::{Args, Parser, Subcommand, ValueEnum};
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

// Parsed once at start and moved out at once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
    /// Add, list and remove accounts (passwords are read from standard input).
    #[command(subcommand)]
    User(UserCommand),
    /// Create API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Remove images and staged uploads that no photo names (left by a crash or an
    /// interrupted delete), then print what was found. `serve` does this at start and hourly.
    Sweep(SweepArgs),
    /// Add made-up photos to an account's library without decoding anything, to try and
    /// measure large galleries: dates over twenty years, small images, labels.
    SeedLibrary(SeedLibraryArgs),
}

#[derive(Debug, Args)]
pub struct SeedLibraryArgs {
    /// How many photos to add (up to ten million).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,
    /// Whose library grows (default: the only account, when there is one).
    #[arg(long)]
    pub user: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// The storage a command works on: the same options as `serve`.
#[derive(Clone, Debug, Args)]
pub struct StoreArgs {
    /// Where photos and the catalog are kept.
    #[arg(long, env = "GAILLERY_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; its password is read from standard input (one line).
    Add {
        /// The username people sign in with.
        name: String,
        /// An administrator adds and removes accounts.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the accounts, one per line: username, role, photo count.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove an account with its photos, sessions and API tokens.
    Remove {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it, once: send it as `Authorization: Bearer TOKEN`.
    Create {
        /// What the token is for ("laptop backup").
        name: String,
        /// Whose token it is (default: the only account, when there is one).
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
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

/// A GAiLLERY server to work with instead of the local gallery.
#[derive(Clone, Debug, Args)]
pub struct RemoteArgs {
    /// The server's address, e.g. https://photos.example.com: photos are uploaded there.
    #[arg(long, requires = "token_file")]
    pub server: Option<String>,
    /// A file holding an API token of the account to act for (`gaillery token create`, or
    /// the Settings page); a file, so the token is never in the process list.
    #[arg(long, requires = "server")]
    pub token_file: Option<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub models: ModelArgs,
    /// With --server: each file is uploaded to that gallery and its labels printed once the
    /// server has classified it (the account's own copy stays).
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Image files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub struct ImportArgs {
    /// The folder to import.
    pub dir: PathBuf,
    /// The gallery imported into: the same storage options as `serve` (`--data-dir`, or the
    /// S3 and DynamoDB ones).
    #[command(flatten)]
    pub store: StoreArgs,
    /// The model the photos are queued for (classified by the server); `none` to skip.
    #[arg(long, env = "GAILLERY_MODEL", default_value = "efficientnet-lite0")]
    pub model: String,
    /// Whose photos these are (default: the only account, when there is one).
    #[arg(long)]
    pub user: Option<String>,
    /// With --server: uploaded to that gallery, for the token's account.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Clone, Debug, Args)]
pub struct SweepArgs {
    /// Only what is older than this, in minutes: younger images may belong to an upload a
    /// running server is still storing.
    #[arg(long, default_value_t = 60)]
    pub older_than_mins: u64,
    #[command(flatten)]
    pub store: StoreArgs,
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

    /// Where people reach this server, e.g. https://photos.example.com: the one host name
    /// answered besides loopback ones (others get 421, against DNS rebinding).
    #[arg(long, env = "GAILLERY_PUBLIC_URL")]
    pub public_url: Option<crate::guard::PublicUrl>,

    /// A reverse proxy (address or CIDR network; repeat for several) whose X-Forwarded-For
    /// names the client: for sign-in throttling and the audit log. Without it, the header is
    /// ignored, since any client can send it.
    #[arg(long, env = "GAILLERY_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<crate::auth::Network>,

    /// Most connections served at once; more wait until one closes.
    #[arg(long, env = "GAILLERY_MAX_CONNECTIONS", default_value_t = crate::connections::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub max_connections: u64,

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

    /// Memory all decodes at once may take, in megabytes; a decode waits until its share,
    /// read from the image's header, is free (default: a quarter of the machine's memory).
    #[arg(long, env = "GAILLERY_DECODE_MEMORY_MB", value_parser = clap::value_parser!(u64).range(64..=10_000_000))]
    pub decode_memory_mb: Option<u64>,

    #[command(flatten)]
    pub models: ModelArgs,

    /// Minutes between sweeps, which remove images and staged uploads an hour old that no
    /// photo names; the first runs at start. 0 never sweeps (with many servers on one bucket,
    /// one sweeping is enough).
    #[arg(long, env = "GAILLERY_SWEEP_INTERVAL_MINS", default_value_t = 60)]
    pub sweep_interval_mins: u64,

    /// Classification workers (default: half the cores, at least one). 0 runs none here:
    /// uploads are queued for the other servers sharing the catalog to classify.
    #[arg(long, env = "GAILLERY_CLASSIFY_WORKERS")]
    pub classify_workers: Option<usize>,

    /// This server's name among servers sharing one catalog: it must differ between servers
    /// and stay the same across restarts (default: the host name and the port).
    #[arg(long, env = "GAILLERY_INSTANCE")]
    pub instance: Option<String>,

    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Where photos and the catalog live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum StorageKind {
    /// Files and SQLite under --data-dir: one server.
    #[default]
    Embedded,
    /// Images in S3, the catalog and job queue in DynamoDB: any number of servers.
    Aws,
}

/// How images reach browsers when storage can serve them itself (S3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ImageDelivery {
    /// Streamed through this server.
    #[default]
    Proxy,
    /// A redirect to a presigned S3 URL: the bytes bypass the server.
    Redirect,
}

#[derive(Clone, Debug, Args)]
pub struct StorageArgs {
    /// `embedded` (files and SQLite under --data-dir) or `aws` (S3 and DynamoDB, with
    /// credentials, region and endpoints from the standard AWS configuration: AWS_REGION,
    /// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, profiles, instance roles).
    #[arg(long, env = "GAILLERY_STORAGE", value_enum, default_value_t = StorageKind::Embedded)]
    pub storage: StorageKind,

    /// The S3 bucket of the images (with --storage aws).
    #[arg(long, env = "GAILLERY_S3_BUCKET", required_if_eq("storage", "aws"))]
    pub s3_bucket: Option<String>,

    /// The DynamoDB table of the catalog and job queue (with --storage aws).
    #[arg(
        long,
        env = "GAILLERY_DYNAMODB_TABLE",
        required_if_eq("storage", "aws")
    )]
    pub dynamodb_table: Option<String>,

    /// Create the bucket and the table (with its indexes) if they are missing.
    #[arg(long, env = "GAILLERY_CREATE_RESOURCES")]
    pub create_resources: bool,

    /// How long a server's claim on a classification job lasts: the jobs of a server that
    /// died are taken over by the others this long after it claimed them.
    #[arg(long, env = "GAILLERY_JOB_LEASE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(5..=86_400))]
    pub job_lease_secs: u64,

    /// `proxy` streams images through the server; `redirect` sends browsers to presigned S3
    /// URLs instead (with --storage aws; embedded storage always streams).
    #[arg(long, env = "GAILLERY_IMAGE_DELIVERY", value_enum, default_value_t = ImageDelivery::Proxy)]
    pub image_delivery: ImageDelivery,

    /// How long a presigned image URL stays valid, in seconds.
    #[arg(long, env = "GAILLERY_PRESIGN_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(60..=604_800))]
    pub presign_secs: u64,
}

impl Default for StorageArgs {
    fn default() -> Self {
        StorageArgs {
            storage: StorageKind::Embedded,
            s3_bucket: None,
            dynamodb_table: None,
            create_resources: false,
            job_lease_secs: 60,
            image_delivery: ImageDelivery::Proxy,
            presign_secs: 900,
        }
    }
}
