//! What a share link's visitor sees, without an account: the shared album's (or photo's)
//! photos and their images, read-only, and nothing else. A link that does not exist, expired
//! or was revoked answers 404; one with a password answers 401 until its visitor unlocked it
//! (the proof is kept in a cookie of that link).

use super::images::{parse_variant, serve_image};
use super::{parse_id, ApiError, PageQuery};
use crate::auth::{cookie_value, Client};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::albums::{SharedInfo, Unlock};
use gaillery_core::api::{ErrorBody, PhotoPage};
use gaillery_core::PhotoId;
use gaillery_service::albums::{proof_cookie_name, OpenedLink};

async fn open(state: &AppState, token: &str, headers: &HeaderMap) -> Result<OpenedLink, ApiError> {
    let proof = cookie_value(headers, &proof_cookie_name(token));
    Ok(state.albums.open_link(token, proof).await?)
}

#[utoipa::path(
    get,
    path = "/api/shared/{token}",
    summary = "What a share link shows (anyone holding the link)",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, description = "The album's title, or the photo's name", body = SharedInfo),
        (status = 401, description = "The link has a password: unlock it first", body = ErrorBody),
        (status = 404, description = "No such link, or it expired or was revoked", body = ErrorBody),
    )
)]
pub(super) async fn shared_info(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SharedInfo>, ApiError> {
    let link = open(&state, &token, &headers).await?;
    Ok(Json(gaillery_service::albums::shared_info(&link)))
}

#[utoipa::path(
    get,
    path = "/api/shared/{token}/photos",
    summary = "The photos a share link shows, in album order, paged like /api/photos",
    params(("token" = String, Path, description = "The link's token"), PageQuery),
    responses(
        (status = 200, description = "One page", body = PhotoPage),
        (status = 401, description = "The link has a password: unlock it first", body = ErrorBody),
        (status = 404, description = "No such link, or it expired or was revoked", body = ErrorBody),
    )
)]
pub(super) async fn shared_photos(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(page): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Json<PhotoPage>, ApiError> {
    let link = open(&state, &token, &headers).await?;
    let photos = state
        .albums
        .link_photos(&link, page.cursor.as_deref(), page.limit)
        .await?;
    Ok(Json(photos))
}

#[utoipa::path(
    get,
    path = "/api/shared/{token}/photos/{id}/{variant}",
    summary = "An image of a photo a share link shows",
    params(
        ("token" = String, Path, description = "The link's token"),
        ("id" = PhotoId, Path, description = "The photo's id"),
        ("variant" = gaillery_core::Variant, Path),
    ),
    responses(
        (status = 200, description = "The image bytes, `Cache-Control: private`", content(("image/*"))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "The link has a password: unlock it first", body = ErrorBody),
        (status = 404, description = "No such link, or a photo it does not show", body = ErrorBody),
    )
)]
pub(super) async fn shared_image(
    State(state): State<AppState>,
    Path((token, id, variant)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let link = open(&state, &token, &headers).await?;
    let variant = parse_variant(&variant)?;
    let source = state
        .albums
        .link_image_source(&link, &parse_id(&id)?)
        .await?;
    serve_image(&state, &source, variant, &headers).await
}

#[utoipa::path(
    post,
    path = "/api/shared/{token}/unlock",
    summary = "Give a share link's password",
    description = "Throttled like sign-ins, per link and per address.",
    params(("token" = String, Path, description = "The link's token")),
    request_body = Unlock,
    responses(
        (status = 204, description = "Unlocked: a cookie for this link proves it from now on"),
        (status = 401, description = "Wrong password", body = ErrorBody),
        (status = 404, description = "No such link, or it expired or was revoked", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn unlock(
    State(state): State<AppState>,
    Client(client): Client,
    Path(token): Path<String>,
    Json(request): Json<Unlock>,
) -> Result<Response, ApiError> {
    let proof = state
        .albums
        .unlock_link(&token, &request.password, client.ip)
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if proof.is_empty() {
        // The link has no password: nothing to prove.
        return Ok(response);
    }
    let cookie = state
        .cookies
        .cookie(&proof_cookie_name(&token), &proof, None);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
