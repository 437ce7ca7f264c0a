//! Start-up: storage, the gallery service and the routers, wired from the configuration.

use crate::auth::{self, Authenticator, TrustedProxies};
use crate::cli::{ImageDelivery, ServeArgs, StorageArgs, StorageKind};
use crate::connections::{self, ConnectionLimits};
use crate::{api, events, guard, site, AppParts, AppState, RequestLimits};
use axum::Router;
use gaillery_imaging::Limits;
use gaillery_service::accounts::Accounts;
use gaillery_service::pipeline::{Pipeline, PipelineOptions};
use gaillery_service::{Albums, Gallery, GalleryConfig, Relay, RelayTasks, SetupCode};
use gaillery_storage::{AccountStore, AlbumStore, BlobStore, Catalog, EventLog, StorageError};
use gaillery_storage_aws::{load_sdk_config, AwsStorageSettings, DynamoCatalog, S3BlobStore};
use gaillery_storage_embedded::{FsBlobStore, SqliteCatalog};
use leptos::config::LeptosOptions;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("configuration: {0}")]
    Config(String),
    #[error("{}", .0.chain())]
    Service(#[from] gaillery_service::ServiceError),
}

pub(crate) fn io_context(
    context: impl Into<String>,
) -> impl FnOnce(std::io::Error) -> StartupError {
    let context = context.into();
    move |source| StartupError::Io { context, source }
}

/// The server, ready to run: the router, and the classification workers when models are
/// loaded.
pub struct App {
    pub router: Router,
    /// What the router was built from, for tests that build parts of it.
    pub state: AppState,
    pub pipeline: Option<Pipeline>,
    /// The link to other servers sharing the catalog, on shared storage.
    pub relay: Option<RelayTasks>,
    pub connections: ConnectionLimits,
    shutdown: tokio_util::sync::CancellationToken,
}

/// `gaillery serve`: binds, serves until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn serve(args: ServeArgs) -> Result<(), StartupError> {
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(io_context(format!("cannot listen on {}", args.addr)))?;
    let app = build(&args).await?;
    let addr = listener
        .local_addr()
        .map_err(io_context("listener address"))?;
    tracing::info!(
        data_dir = %args.data_dir.display(),
        storage = ?args.storage.storage,
        "GAiLLERY listening on http://{addr}"
    );
    if !addr.ip().is_loopback() && args.public_url.is_none() {
        tracing::warn!(
            "listening beyond loopback without --public-url: requests are answered only when \
             they name localhost or a loopback address; give --public-url the address people \
             use to reach this server"
        );
    }
    run(listener, app, shutdown_signal()).await
}

/// Serves `app` on `listener` until `shutdown` completes, then stops the workers. Tests call
/// this with a listener on port 0 and their own shutdown future.
pub async fn run(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let token = app.shutdown.clone();
    let shutdown = async move {
        shutdown.await;
        token.cancel();
    };
    let deadline = app.connections.shutdown_deadline;
    connections::serve(listener, app.router, app.connections, shutdown).await;
    // Deleted photos' images still being removed; what a kill cuts short, a sweep removes.
    let settled = app.state.gallery.background_settled();
    if tokio::time::timeout(deadline, settled).await.is_err() {
        tracing::warn!("images of deleted photos are left for the next sweep");
    }
    if let Some(pipeline) = app.pipeline {
        pipeline.stop().await;
    }
    if let Some(relay) = app.relay {
        relay.stop().await;
    }
    tracing::info!("GAiLLERY stopped");
    Ok(())
}

/// Opens storage, loads the models, starts the workers (and, on shared storage, the event
/// relay), and builds the whole router.
pub async fn build(args: &ServeArgs) -> Result<App, StartupError> {
    let names = args.models.names();
    // With no workers here, uploads are still queued for the models named, and the servers
    // that do run workers classify them: no need to load the weights.
    let runs_workers = args.classify_workers != Some(0);
    let classifiers = if runs_workers {
        let models = args.models.clone();
        tokio::task::spawn_blocking(move || crate::models::load(&models))
            .await
            .map_err(|e| StartupError::Config(format!("loading models: {e}")))??
    } else {
        crate::models::check_names(&args.models)?;
        Default::default()
    };
    let storage = open_storage(&args.data_dir, &args.storage).await?;
    let mut config = gallery_config(
        storage.staging_dir,
        args.processing_threads,
        args.max_upload_mb,
        args.max_megapixels,
        names,
    );
    if let Some(megabytes) = args.decode_memory_mb {
        config.decode_memory_bytes = megabytes * 1_000_000;
    }
    tracing::info!(
        megabytes = config.decode_memory_bytes / 1_000_000,
        "decode memory budget"
    );
    let accounts = Accounts::new(storage.accounts);
    let setup_code = SetupCode::generate();
    if accounts.needs_setup().await? {
        tracing::warn!(
            "no account yet: open the page to create the administrator, or run `gaillery user \
             add NAME --admin`; from another machine than this one, the first-run page asks \
             for the setup code {}",
            setup_code.as_str()
        );
    }
    let mut gallery = Gallery::new(storage.blobs, storage.catalog, config)
        .with_albums(Arc::clone(&storage.albums));
    let instance = args
        .instance
        .clone()
        .unwrap_or_else(|| format!("{}-{}", host_name(), args.addr.port()));
    let relay = storage
        .event_log
        .map(|log| Relay::start(&mut gallery, log, instance.clone()));
    let pipeline = if classifiers.is_empty() {
        None
    } else {
        let mut options = PipelineOptions {
            instance,
            lease: Duration::from_secs(args.storage.job_lease_secs),
            ..PipelineOptions::default()
        };
        if let Some(workers) = args.classify_workers {
            options.workers = workers;
        }
        Some(Pipeline::start(gallery.clone(), classifiers, options).await?)
    };
    let image_delivery = match args.storage.image_delivery {
        ImageDelivery::Proxy => None,
        ImageDelivery::Redirect => Some(Duration::from_secs(args.storage.presign_secs)),
    };
    let connections = ConnectionLimits {
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        ..ConnectionLimits::default()
    };
    let albums = Albums::new(storage.albums, gallery.clone(), accounts.clone());
    let state = AppState::new(AppParts {
        albums,
        gallery,
        leptos_options: leptos_options(args)?,
        limits: RequestLimits {
            max_files_per_request: usize::try_from(args.max_files_per_request)
                .unwrap_or(usize::MAX),
        },
        presigned_images: image_delivery,
        shutdown: tokio_util::sync::CancellationToken::new(),
        public_url: args.public_url.clone(),
        // Half the connections at most: the other half keeps serving pages and images.
        event_streams: events::EventStreamSlots::new(connections.max_connections / 2),
        cookies: gaillery_service::CookiePolicy {
            secure: args.public_url.as_ref().is_some_and(|url| url.https),
        },
        accounts,
        setup_code,
    });
    if args.sweep_interval_mins > 0 {
        let interval = Duration::from_secs(args.sweep_interval_mins.saturating_mul(60));
        let (gallery, stop) = (state.gallery.clone(), state.shutdown.clone());
        tokio::spawn(gaillery_service::keep_swept(gallery, interval, stop));
    }
    let proxies = TrustedProxies::new(args.trusted_proxy.clone());
    Ok(App {
        connections,
        shutdown: state.shutdown.clone(),
        router: router(state.clone(), proxies),
        state,
        pipeline,
        relay,
    })
}

/// The storage a server (or a command) runs on.
pub(crate) struct Storage {
    pub blobs: Arc<dyn BlobStore>,
    pub catalog: Arc<dyn Catalog>,
    pub accounts: Arc<dyn AccountStore>,
    pub albums: Arc<dyn AlbumStore>,
    /// Set when other servers may share the catalog: their stage changes come through it.
    pub event_log: Option<Arc<dyn EventLog>>,
    pub staging_dir: PathBuf,
}

pub(crate) async fn open_storage(
    data_dir: &Path,
    storage: &StorageArgs,
) -> Result<Storage, StartupError> {
    create_dir(data_dir)?;
    match storage.storage {
        StorageKind::Embedded => {
            let (blobs, catalog) = open_embedded(data_dir)?;
            let catalog = Arc::new(catalog);
            Ok(Storage {
                staging_dir: blobs.temp_dir().to_path_buf(),
                blobs: Arc::new(blobs),
                accounts: Arc::clone(&catalog) as Arc<dyn AccountStore>,
                albums: Arc::clone(&catalog) as Arc<dyn AlbumStore>,
                catalog,
                event_log: None,
            })
        }
        StorageKind::Aws => {
            let (Some(bucket), Some(table)) = (&storage.s3_bucket, &storage.dynamodb_table) else {
                return Err(StartupError::Config(
                    "--storage aws needs --s3-bucket and --dynamodb-table".into(),
                ));
            };
            let settings = AwsStorageSettings::new(bucket, table);
            let sdk = load_sdk_config(&settings).await;
            let blobs = S3BlobStore::new(&sdk, bucket).with_cache_control(api::IMMUTABLE);
            let catalog = Arc::new(DynamoCatalog::new(&sdk, table));
            if storage.create_resources {
                if blobs.create_bucket_if_missing().await? {
                    tracing::info!(bucket, "created the S3 bucket");
                }
                if catalog.create_table_if_missing().await? {
                    tracing::info!(table, "created the DynamoDB table");
                }
            } else {
                blobs.check().await?;
                catalog.check().await?;
            }
            // Uploads stream to local disk first: they are checked and decoded before any
            // byte goes to S3.
            let staging_dir = data_dir.join("staging");
            create_dir(&staging_dir)?;
            Ok(Storage {
                blobs: Arc::new(blobs),
                catalog: Arc::clone(&catalog) as Arc<dyn Catalog>,
                accounts: Arc::clone(&catalog) as Arc<dyn AccountStore>,
                albums: Arc::clone(&catalog) as Arc<dyn AlbumStore>,
                event_log: Some(catalog as Arc<dyn EventLog>),
                staging_dir,
            })
        }
    }
}

fn create_dir(dir: &Path) -> Result<(), StartupError> {
    std::fs::create_dir_all(dir).map_err(io_context(format!(
        "cannot create directory {}",
        dir.display()
    )))
}

fn open_embedded(data_dir: &Path) -> Result<(FsBlobStore, SqliteCatalog), StartupError> {
    let blobs = FsBlobStore::new(data_dir.join("blobs"))?;
    let catalog = SqliteCatalog::open(&data_dir.join("catalog.sqlite3"))?;
    Ok((blobs, catalog))
}

pub(crate) fn gallery_config(
    staging_dir: PathBuf,
    processing_threads: Option<usize>,
    max_upload_mb: u64,
    max_megapixels: u64,
    models: Vec<String>,
) -> GalleryConfig {
    let processing_slots = processing_threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    GalleryConfig {
        max_upload_bytes: max_upload_mb * 1_000_000,
        image_limits: Limits {
            max_pixels: max_megapixels * 1_000_000,
            ..Limits::default()
        },
        staging_dir,
        processing_slots,
        decode_memory_bytes: crate::machine::default_decode_memory_bytes(),
        models,
    }
}

/// The gallery service and its accounts on the embedded storage under `data_dir` (for
/// commands such as `import` that work on a local gallery).
pub fn open_gallery(
    data_dir: &Path,
    processing_threads: Option<usize>,
    max_upload_mb: u64,
    max_megapixels: u64,
    models: Vec<String>,
) -> Result<(Gallery, Accounts), StartupError> {
    create_dir(data_dir)?;
    let (blobs, catalog) = open_embedded(data_dir)?;
    let catalog = Arc::new(catalog);
    let accounts = Accounts::new(Arc::clone(&catalog) as Arc<dyn AccountStore>);
    let albums = Arc::clone(&catalog) as Arc<dyn AlbumStore>;
    let config = gallery_config(
        blobs.temp_dir().to_path_buf(),
        processing_threads,
        max_upload_mb,
        max_megapixels,
        models,
    );
    let gallery = Gallery::new(Arc::new(blobs), catalog, config).with_albums(albums);
    Ok((gallery, accounts))
}

/// The machine's name. With the port, it names this server among those sharing a catalog:
/// stable across restarts, so a restarted server takes its own jobs back at once.
fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "gaillery".to_owned())
}

/// The API, the site, and the layers around both: the guard, then the authentication that
/// every route and page relies on to know who is asking.
pub fn router(state: AppState, proxies: TrustedProxies) -> Router {
    let hosts = guard::AllowedHosts::new(state.public_url.as_ref());
    let authenticator = Authenticator {
        accounts: state.accounts.clone(),
        proxies,
    };
    let routes = Router::new()
        .merge(api::router(state.clone()))
        .merge(site::router(state))
        .layer(axum::middleware::from_fn_with_state(
            authenticator,
            auth::identify,
        ));
    guard::guard(routes, hosts)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Leptos's runtime settings: from the Leptos config file when there is one, then our flags.
fn leptos_options(args: &ServeArgs) -> Result<LeptosOptions, StartupError> {
    let mut options = if args.leptos_config.exists() {
        let path = args.leptos_config.to_string_lossy().into_owned();
        leptos::config::get_configuration(Some(&path))
            .map_err(|e| StartupError::Config(format!("{path}: {e}")))?
            .leptos_options
    } else {
        LeptosOptions::builder()
            .output_name("gaillery")
            .site_root("target/site")
            .build()
    };
    if let Some(site_root) = &args.site_root {
        options.site_root = site_root.to_string_lossy().into_owned().into();
    }
    options.site_addr = args.addr;
    Ok(options)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
