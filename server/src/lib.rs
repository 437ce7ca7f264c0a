//! The GAiLLERY server: configuration, start-up, the JSON HTTP API and the Leptos site.
//!
//! `startup` wires storage, the gallery service and the routers together; `api` is the JSON
//! API; `site` serves the server-rendered Leptos app and its static files.

#![recursion_limit = "256"]

pub mod account_commands;
pub mod api;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod connections;
pub mod events;
pub mod guard;
pub mod machine;
pub mod models;
pub mod openapi;
pub mod remote;
pub mod seed_command;
pub mod site;
pub mod startup;
pub mod telemetry;

use axum::extract::FromRef;
use gaillery_service::accounts::Accounts;
use gaillery_service::{Gallery, SetupCode};
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// What every request handler can reach: one reference count to clone, since axum clones the
/// state for every handler that takes it.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl AppState {
    pub fn new(parts: AppParts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The Leptos routes read their options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// What an [`AppState`] holds.
pub struct AppParts {
    pub gallery: Gallery,
    pub leptos_options: LeptosOptions,
    pub limits: RequestLimits,
    /// Send browsers to presigned URLs valid this long instead of streaming images, when the
    /// storage can make them; `None` streams.
    pub presigned_images: Option<std::time::Duration>,
    /// Cancelled when the server begins to shut down, so long-lived responses (the event
    /// stream) end and the graceful shutdown can finish.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Where people reach this server (`--public-url`), when not only on loopback.
    pub public_url: Option<guard::PublicUrl>,
    /// Open server-sent event streams, capped per owner and in all.
    pub event_streams: events::EventStreamSlots,
    pub accounts: Accounts,
    pub albums: gaillery_service::Albums,
    /// Asked of a first run from another machine; shown in the log.
    pub setup_code: SetupCode,
    pub cookies: gaillery_service::CookiePolicy,
}

/// Limits on one HTTP request, beyond the per-file ones the service enforces.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    /// Most files accepted in one upload request.
    pub max_files_per_request: usize,
}
