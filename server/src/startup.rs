//! Start-up: storage, the gallery service and the routers, wired from the configuration.

use crate::cli::ServeArgs;
use crate::{api, site, AppState, RequestLimits};
use axum::Router;
use gaillery_imaging::Limits;
use gaillery_service::pipeline::{Pipeline, PipelineOptions};
use gaillery_service::{Gallery, GalleryConfig};
use gaillery_storage::{FsBlobStore, SqliteCatalog, StorageError};
use leptos::config::LeptosOptions;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
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
    pub pipeline: Option<Pipeline>,
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
    tracing::info!(data_dir = %args.data_dir.display(), "GAiLLERY listening on http://{addr}");
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
    let served = axum::serve(listener, app.router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(io_context("server"));
    if let Some(pipeline) = app.pipeline {
        pipeline.stop().await;
    }
    served?;
    tracing::info!("GAiLLERY stopped");
    Ok(())
}

/// Opens storage under the data directory, loads the models, starts the workers, and builds
/// the whole router.
pub async fn build(args: &ServeArgs) -> Result<App, StartupError> {
    let names = args.models.names();
    let models = args.models.clone();
    let classifiers = tokio::task::spawn_blocking(move || crate::models::load(&models))
        .await
        .map_err(|e| StartupError::Config(format!("loading models: {e}")))??;
    let gallery = open_gallery(
        &args.data_dir,
        args.processing_threads,
        args.max_upload_mb,
        args.max_megapixels,
        names,
    )?;
    let pipeline = if classifiers.is_empty() {
        None
    } else {
        let mut options = PipelineOptions::default();
        if let Some(workers) = args.classify_workers {
            options.workers = workers.max(1);
        }
        options.instance = args.instance.clone().unwrap_or_else(host_name);
        Some(Pipeline::start(gallery.clone(), classifiers, options).await?)
    };
    let state = AppState {
        gallery,
        leptos_options: leptos_options(args)?,
        limits: RequestLimits {
            max_files_per_request: usize::try_from(args.max_files_per_request)
                .unwrap_or(usize::MAX),
        },
        shutdown: tokio_util::sync::CancellationToken::new(),
    };
    Ok(App {
        shutdown: state.shutdown.clone(),
        router: router(state),
        pipeline,
    })
}

/// The gallery service on the embedded storage under `data_dir`.
pub fn open_gallery(
    data_dir: &Path,
    processing_threads: Option<usize>,
    max_upload_mb: u64,
    max_megapixels: u64,
    models: Vec<String>,
) -> Result<Gallery, StartupError> {
    std::fs::create_dir_all(data_dir).map_err(io_context(format!(
        "cannot create data directory {}",
        data_dir.display()
    )))?;
    let blobs = FsBlobStore::new(data_dir.join("blobs"))?;
    let staging_dir = blobs.temp_dir().to_path_buf();
    let catalog = SqliteCatalog::open(&data_dir.join("catalog.sqlite3"))?;
    let processing_slots = processing_threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let config = GalleryConfig {
        max_upload_bytes: max_upload_mb * 1_000_000,
        image_limits: Limits {
            max_pixels: max_megapixels * 1_000_000,
            ..Limits::default()
        },
        staging_dir,
        processing_slots,
        models,
    };
    Ok(Gallery::new(Arc::new(blobs), Arc::new(catalog), config))
}

/// The machine's name, for naming this server's workers; stable across restarts, so a
/// restarted server takes its own jobs back at once.
fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "gaillery".to_owned())
}

/// The API, the site, and the layers around both.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::router(state.clone()))
        .merge(site::router(state))
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
