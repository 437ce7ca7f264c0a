//! The photos and their labels: list and search, one photo, delete, classify again, the tag
//! counts, and what a spoken command means.

use super::{parse_id, ApiError};
use crate::auth::{Client, SignedIn};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::{ErrorBody, PhotoPage, TagCount, MAX_VOICE_TEXT_CHARS};
use gaillery_core::voice::{Intent, Language};
use gaillery_core::{Month, Photo, PhotoId, TimelineOrder};
use gaillery_service::ServiceError;
use serde::Deserialize;
use utoipa::IntoParams;

/// `?cursor=&limit=&tag=dog&tag=beach[&month=2025-05&sort=taken]`: `tag` may repeat, so the
/// query is read by hand.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// One month of the timeline (`YYYY-MM`): its photos, newest first by `sort`. Without it,
    /// every photo, newest upload first
    #[param(value_type = Option<String>, example = "2025-05")]
    month: Option<Month>,
    /// With `month`: `taken` (default) orders by date taken, `uploaded` by upload time
    #[param(value_type = Option<TimelineOrder>)]
    sort: Option<TimelineOrder>,
    /// `next_cursor` of the previous page
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 60)]
    limit: Option<usize>,
    /// Search words, all of which must match a label, through the WordNet hierarchy (`dog`
    /// finds every breed); case and plurals do not matter
    #[param(rename = "tag", required = false, style = Form, explode)]
    tags: Vec<String>,
}

impl ListQuery {
    fn parse(raw: Option<&str>) -> Result<ListQuery, ApiError> {
        let mut query = ListQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "cursor" => query.cursor = Some(value.into_owned()),
                "limit" => {
                    query.limit = Some(value.parse().map_err(|_| {
                        ApiError::new(StatusCode::BAD_REQUEST, "limit must be a whole number")
                    })?)
                }
                "tag" => query.tags.push(value.into_owned()),
                "month" => query.month = Some(super::timeline::parse_month(&value)?),
                "sort" => query.sort = Some(super::timeline::parse_sort(&value)?),
                _ => {}
            }
        }
        Ok(query)
    }
}

#[utoipa::path(
    get,
    path = "/api/photos",
    summary = "List photos, newest first, or one month of the timeline",
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = PhotoPage),
        (status = 400, description = "The cursor, month or sort is malformed", body = ErrorBody),
    )
)]
pub(super) async fn list_photos(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(uri.query())?;
    let (owner, cursor) = (&caller.owner, query.cursor.as_deref());
    let page = match query.month {
        Some(month) => {
            let order = query.sort.unwrap_or_default();
            state
                .gallery
                .list_month(owner, order, month, &query.tags, cursor, query.limit)
                .await?
        }
        None => {
            state
                .gallery
                .list_tagged(owner, &query.tags, cursor, query.limit)
                .await?
        }
    };
    Ok(Json(page).into_response())
}

#[utoipa::path(
    get,
    path = "/api/tags",
    summary = "The labels photos carry, with counts, most common first",
    responses((status = 200, description = "Tags", body = Vec<TagCount>))
)]
pub(super) async fn list_tags(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    Ok(Json(state.gallery.tags(&caller.owner).await?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct IntentQuery {
    /// What was said
    text: String,
    #[serde(default)]
    #[param(default = "en")]
    language: Option<String>,
}

/// `GET /api/intent?text=...[&language=en]`: what a spoken command means, as
/// `{"intent": "show_tag", "tag": "dog"}`, with tags matched against the owner's vocabulary
/// and relative dates ("last summer") read against the server's month (UTC).
#[utoipa::path(
    get,
    path = "/api/intent",
    summary = "What a spoken command means",
    params(IntentQuery),
    responses(
        (status = 200, description = "The intent, e.g. {\"intent\": \"show_tag\", \"tag\": \"dog\"}; `none` when nothing matched", body = Intent),
        (status = 400, description = "A language commands cannot be spoken in yet, or a text over 512 characters", body = ErrorBody),
    )
)]
pub(super) async fn parse_intent(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Query(query): Query<IntentQuery>,
) -> Result<Response, ApiError> {
    ServiceError::check_count(
        "characters of spoken text",
        query.text.chars().count(),
        MAX_VOICE_TEXT_CHARS,
    )?;
    let language = Language::for_code(query.language.as_deref().unwrap_or("en"))
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))?;
    let vocabulary = state.gallery.tag_vocabulary(&caller.owner).await?;
    let intent = language.grammar().parse(
        &query.text,
        Some(&vocabulary),
        crate::commands::this_month(),
    );
    Ok(Json(intent).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ClassifyQuery {
    /// Default: the server's first model
    model: Option<String>,
}

/// `POST /api/photos/{id}/classify[?model=NAME]`: classify again (a retry after a failure, or
/// another model). Answers 202 with the photo, now queued.
#[utoipa::path(
    post,
    path = "/api/photos/{id}/classify",
    summary = "Classify a photo again (after a failure, or with another loaded model)",
    params(("id" = PhotoId, Path, description = "The photo's id"), ClassifyQuery),
    responses(
        (status = 202, description = "Queued", body = Photo),
        (status = 400, description = "A model this server has not loaded", body = ErrorBody),
        (status = 404, description = "No such photo", body = ErrorBody),
        (status = 409, description = "Classification is off on this server", body = ErrorBody),
    )
)]
pub(super) async fn classify_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ClassifyQuery>,
) -> Result<Response, ApiError> {
    let photo = state
        .gallery
        .reclassify(&caller.owner, &parse_id(&id)?, query.model.as_deref())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(photo)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/photos/{id}",
    summary = "One photo",
    params(("id" = PhotoId, Path, description = "The photo's id")),
    responses(
        (status = 200, description = "The photo", body = Photo),
        (status = 404, description = "No such photo", body = ErrorBody),
    )
)]
pub(super) async fn get_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let photo = state.gallery.photo(&caller.owner, &parse_id(&id)?).await?;
    Ok(Json(photo).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/photos/{id}",
    summary = "Delete a photo and its images",
    params(("id" = PhotoId, Path, description = "The photo's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such photo", body = ErrorBody),
    )
)]
pub(super) async fn delete_photo(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.gallery.delete(&caller.owner, &parse_id(&id)?).await?;
    tracing::info!(username = caller.username, client = ?client.ip, photo = id, "photo deleted");
    Ok(StatusCode::NO_CONTENT)
}
