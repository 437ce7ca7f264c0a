//! An owner's albums: make, list, rename, delete; add, remove and reorder photos; share by a
//! link. Every album id of another owner answers 404, as one that does not exist.

use super::{parse_id, ApiError, PageQuery};
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gaillery_core::api::albums::{
    Added, AlbumChange, AlbumInfo, AlbumPhotos, LinkInfo, Move, NewAlbum, NewLink,
};
use gaillery_core::api::{ErrorBody, PhotoPage};
use gaillery_core::PhotoId;
use gaillery_service::albums::{album_info, link_info};

fn photo_ids(raw: &[String]) -> Result<Vec<PhotoId>, ApiError> {
    raw.iter().map(|id| parse_id(id)).collect()
}

#[utoipa::path(
    post,
    path = "/api/albums",
    summary = "Make an album",
    request_body = NewAlbum,
    responses(
        (status = 201, description = "Made, empty", body = AlbumInfo),
        (status = 400, description = "No title, or one over 200 characters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn create_album(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Json(request): Json<NewAlbum>,
) -> Result<(StatusCode, Json<AlbumInfo>), ApiError> {
    let album = state.albums.create(&caller.owner, &request.title).await?;
    Ok((StatusCode::CREATED, Json(album_info(album))))
}

#[utoipa::path(
    get,
    path = "/api/albums",
    summary = "One's albums, newest first",
    responses(
        (status = 200, description = "The albums", body = Vec<AlbumInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn list_albums(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<Vec<AlbumInfo>>, ApiError> {
    let albums = state.albums.list(&caller.owner).await?;
    Ok(Json(albums.into_iter().map(album_info).collect()))
}

#[utoipa::path(
    get,
    path = "/api/albums/{id}",
    summary = "One album",
    params(("id" = String, Path, description = "The album's id")),
    responses(
        (status = 200, description = "The album", body = AlbumInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album", body = ErrorBody),
    )
)]
pub(super) async fn get_album(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AlbumInfo>, ApiError> {
    Ok(Json(album_info(
        state.albums.get(&caller.owner, &id).await?,
    )))
}

#[utoipa::path(
    patch,
    path = "/api/albums/{id}",
    summary = "Rename an album or set its cover",
    params(("id" = String, Path, description = "The album's id")),
    request_body = AlbumChange,
    responses(
        (status = 200, description = "The album as changed", body = AlbumInfo),
        (status = 400, description = "A title that breaks the rules", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album, or a cover that is not in it", body = ErrorBody),
    )
)]
pub(super) async fn change_album(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(change): Json<AlbumChange>,
) -> Result<Json<AlbumInfo>, ApiError> {
    if let Some(title) = &change.title {
        state.albums.rename(&caller.owner, &id, title).await?;
    }
    if let Some(cover) = &change.cover {
        let cover = match cover.as_str() {
            "" => None,
            photo => Some(parse_id(photo)?),
        };
        state
            .albums
            .set_cover(&caller.owner, &id, cover.as_ref())
            .await?;
    }
    Ok(Json(album_info(
        state.albums.get(&caller.owner, &id).await?,
    )))
}

#[utoipa::path(
    delete,
    path = "/api/albums/{id}",
    summary = "Delete an album and its links; its photos stay",
    params(("id" = String, Path, description = "The album's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album", body = ErrorBody),
    )
)]
pub(super) async fn delete_album(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.albums.delete(&caller.owner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/albums/{id}/photos",
    summary = "An album's photos, in album order, paged like /api/photos",
    params(("id" = String, Path, description = "The album's id"), PageQuery),
    responses(
        (status = 200, description = "One page", body = PhotoPage),
        (status = 400, description = "The cursor is malformed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album", body = ErrorBody),
    )
)]
pub(super) async fn album_photos(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<PhotoPage>, ApiError> {
    let photos = state
        .albums
        .photos(&caller.owner, &id, page.cursor.as_deref(), page.limit)
        .await?;
    Ok(Json(photos))
}

#[utoipa::path(
    post,
    path = "/api/albums/{id}/photos",
    summary = "Add photos to an album, after its last one",
    description = "Photos already in the album stay where they are. Any id that is not one of one's photos refuses the whole request (404).",
    params(("id" = String, Path, description = "The album's id")),
    request_body = AlbumPhotos,
    responses(
        (status = 200, description = "How many were added", body = Added),
        (status = 400, description = "More than 1,000 ids", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album or photo", body = ErrorBody),
    )
)]
pub(super) async fn add_photos(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(request): Json<AlbumPhotos>,
) -> Result<Json<Added>, ApiError> {
    let photos = photo_ids(&request.photo_ids)?;
    let added = state.albums.add(&caller.owner, &id, &photos).await?;
    Ok(Json(Added { added }))
}

#[utoipa::path(
    delete,
    path = "/api/albums/{id}/photos/{photo}",
    summary = "Take a photo out of an album (it stays in the gallery)",
    params(
        ("id" = String, Path, description = "The album's id"),
        ("photo" = PhotoId, Path, description = "The photo's id"),
    ),
    responses(
        (status = 204, description = "Taken out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album, or the photo is not in it", body = ErrorBody),
    )
)]
pub(super) async fn remove_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path((id, photo)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let photo = parse_id(&photo)?;
    state.albums.remove(&caller.owner, &id, &photo).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/albums/{id}/photos/{photo}/move",
    summary = "Reorder: put a photo just before another, or last",
    params(
        ("id" = String, Path, description = "The album's id"),
        ("photo" = PhotoId, Path, description = "The photo to move"),
    ),
    request_body = Move,
    responses(
        (status = 204, description = "Moved"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album, or a photo not in it", body = ErrorBody),
    )
)]
pub(super) async fn move_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path((id, photo)): Path<(String, String)>,
    Json(request): Json<Move>,
) -> Result<StatusCode, ApiError> {
    let photo = parse_id(&photo)?;
    let before = request.before.as_deref().map(parse_id).transpose()?;
    state
        .albums
        .reorder(&caller.owner, &id, &photo, before.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/albums/{id}/share",
    summary = "Share an album by a link, read-only, to anyone who holds it",
    params(("id" = String, Path, description = "The album's id")),
    request_body = NewLink,
    responses(
        (status = 201, description = "The link: `url` opens the shared album page", body = LinkInfo),
        (status = 400, description = "An expiry out of 1 to 3650 days, or a password under 6 characters", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such album", body = ErrorBody),
    )
)]
pub(super) async fn share_album(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(request): Json<NewLink>,
) -> Result<(StatusCode, Json<LinkInfo>), ApiError> {
    let link = state
        .albums
        .share_album(
            &caller.owner,
            &id,
            request.expires_in_days,
            request.password.as_deref(),
        )
        .await?;
    tracing::info!(username = caller.username, album = id, "album shared");
    Ok((StatusCode::CREATED, Json(link_info(link))))
}
