//! The JSON HTTP API (`/api/...`, `/healthz`). Every handler is a thin translation between HTTP
//! and the gallery service, which the Leptos server functions call too: the photos and their
//! labels (`photos`), uploads (`upload`), image bytes (`images`), signing in and one's own
//! account (`accounts`), the administrator's accounts (`users`), API tokens (`tokens`), and
//! one error response for all of them (`error`).
//!
//! A handler that reads or changes anyone's data takes [`crate::auth::SignedIn`]: who is
//! asking is decided before the handler runs, and an anonymous request gets 401.

mod accounts;
mod albums;
mod error;
mod images;
mod links;
mod photos;
mod shared;
mod timeline;
mod tokens;
mod upload;
mod users;

use error::with_retry_after;
pub use error::{status_of, ApiError};
pub(crate) use images::IMMUTABLE;

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::{Extension, Json, Router};
use gaillery_core::PhotoId;
use std::sync::Arc;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router(state: AppState) -> Router {
    // Each file is limited while it streams; the request as a whole may carry many files.
    let upload_limit = state.gallery.config().max_upload_bytes as usize
        * state.limits.max_files_per_request
        + 1_000_000;
    let (router, document) = routes(upload_limit).split_for_parts();
    router
        .layer(Extension(Arc::new(document)))
        .with_state(state)
}

/// Every route of the API, in one list. `routes!` takes each path and method from the
/// handler's `#[utoipa::path]` and adds that description to the OpenAPI document, so a route
/// cannot be served undocumented, nor documented where it is not served.
pub fn routes(upload_limit: usize) -> OpenApiRouter<AppState> {
    crate::openapi::base()
        .routes(routes!(healthz))
        .routes(routes!(crate::openapi::serve))
        .routes(
            routes!(photos::list_photos, upload::upload_photos)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(photos::get_photo, photos::delete_photo))
        .routes(routes!(photos::classify_photo))
        .routes(routes!(photos::list_tags))
        .routes(routes!(timeline::timeline))
        .routes(routes!(photos::parse_intent))
        .routes(routes!(crate::events::stream))
        .routes(routes!(images::photo_image))
        .routes(routes!(accounts::set_up))
        .routes(routes!(accounts::sign_in, accounts::sign_out))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(users::list_users, users::add_user))
        .routes(routes!(users::remove_user))
        .routes(routes!(users::reset_password))
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(albums::create_album, albums::list_albums))
        .routes(routes!(
            albums::get_album,
            albums::change_album,
            albums::delete_album
        ))
        .routes(routes!(albums::album_photos, albums::add_photos))
        .routes(routes!(albums::remove_photo))
        .routes(routes!(albums::move_photo))
        .routes(routes!(albums::share_album))
        .routes(routes!(links::share_photo))
        .routes(routes!(links::list_links))
        .routes(routes!(links::revoke_link))
        .routes(routes!(shared::shared_info))
        .routes(routes!(shared::shared_photos))
        .routes(routes!(shared::shared_image))
        .routes(routes!(shared::unlock))
}

#[utoipa::path(
    get,
    path = "/healthz",
    summary = "Liveness check",
    responses((status = 200, description = "The server is up: `{\"status\": \"ok\"}`"))
)]
pub(super) async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `?cursor=&limit=` of a paged listing.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// `next_cursor` of the previous page
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 60)]
    limit: Option<usize>,
}

pub(super) fn parse_id(raw: &str) -> Result<PhotoId, ApiError> {
    PhotoId::parse(raw).ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no such photo"))
}
