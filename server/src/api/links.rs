//! An owner's share links: share a photo, list the links, revoke one. (Albums are shared in
//! `albums`; what a link's visitor sees is `shared`.)

use super::{parse_id, ApiError};
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gaillery_core::api::albums::{LinkInfo, NewLink};
use gaillery_core::api::ErrorBody;
use gaillery_core::PhotoId;
use gaillery_service::albums::link_info;

#[utoipa::path(
    post,
    path = "/api/photos/{id}/share",
    summary = "Share one photo by a link, read-only, to anyone who holds it",
    params(("id" = PhotoId, Path, description = "The photo's id")),
    request_body = NewLink,
    responses(
        (status = 201, description = "The link", body = LinkInfo),
        (status = 400, description = "An expiry out of 1 to 3650 days, or a password under 6 characters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such photo", body = ErrorBody),
    )
)]
pub(super) async fn share_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(request): Json<NewLink>,
) -> Result<(StatusCode, Json<LinkInfo>), ApiError> {
    let photo = parse_id(&id)?;
    let link = state
        .albums
        .share_photo(
            &caller.owner,
            &photo,
            request.expires_in_days,
            request.password.as_deref(),
        )
        .await?;
    tracing::info!(username = caller.username, photo = id, "photo shared");
    Ok((StatusCode::CREATED, Json(link_info(link))))
}

#[utoipa::path(
    get,
    path = "/api/shares",
    summary = "One's live share links, newest first",
    responses(
        (status = 200, description = "The links", body = Vec<LinkInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn list_links(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<Vec<LinkInfo>>, ApiError> {
    let links = state.albums.links(&caller.owner).await?;
    Ok(Json(links.into_iter().map(link_info).collect()))
}

#[utoipa::path(
    delete,
    path = "/api/shares/{token}",
    summary = "Revoke a share link at once",
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such link of one's own", body = ErrorBody),
    )
)]
pub(super) async fn revoke_link(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.albums.revoke_link(&caller.owner, &token).await?;
    tracing::info!(username = caller.username, "share link revoked");
    Ok(StatusCode::NO_CONTENT)
}
