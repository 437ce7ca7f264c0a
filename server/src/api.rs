//! The JSON HTTP API (`/api/...`, `/healthz`). Every handler is a thin translation between HTTP
//! and the gallery service, which the Leptos server functions call too.

use crate::AppState;
use axum::body::Body;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use gaillery_core::api::{ErrorBody, PhotoPage, TagCount, UploadError, UploadResponse};
use gaillery_core::voice::{Intent, Language};
use gaillery_core::{OwnerId, Photo, PhotoId, Variant};
use gaillery_imaging::ImagingError;
use gaillery_service::{ErrorKind, ImageSource, IngestOutcome, ServiceError};
use serde::Deserialize;
use std::sync::Arc;
use tokio_util::io::ReaderStream;
use utoipa::IntoParams;
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
        .routes(routes!(list_photos, upload_photos).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(get_photo, delete_photo))
        .routes(routes!(classify_photo))
        .routes(routes!(list_tags))
        .routes(routes!(parse_intent))
        .routes(routes!(crate::events::stream))
        .routes(routes!(photo_image))
}

/// The only owner until accounts exist.
fn owner() -> OwnerId {
    OwnerId::local()
}

/// An error response: a status and a message a person can act on, as `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> ApiError {
        // Details stay in the log; the client gets a message it can act on.
        error.log_unless_client("a request");
        ApiError::new(status_of(&error), error.public_message())
    }
}

/// What a 503 asks clients to wait before trying again: storage outages and throttling
/// usually pass within seconds.
const RETRY_AFTER_SECS: &str = "5";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

/// The status code that fits each service error: its kind decides the class, and among the
/// client's errors HTTP has a code for each.
pub fn status_of(error: &ServiceError) -> StatusCode {
    match error.kind() {
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Client => match error {
            ServiceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceError::Image(ImagingError::Unsupported) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceError::Image(_) | ServiceError::Empty => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::NotFound => StatusCode::NOT_FOUND,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        },
    }
}

#[utoipa::path(
    get,
    path = "/healthz",
    summary = "Liveness check",
    responses((status = 200, description = "The server is up: `{\"status\": \"ok\"}`"))
)]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `?cursor=&limit=&tag=dog&tag=beach`: `tag` may repeat, so the query is read by hand.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
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
                _ => {}
            }
        }
        Ok(query)
    }
}

#[utoipa::path(
    get,
    path = "/api/photos",
    summary = "List photos, newest first",
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = PhotoPage),
        (status = 400, description = "The cursor is malformed", body = ErrorBody),
    )
)]
async fn list_photos(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(uri.query())?;
    let page = state
        .gallery
        .list_tagged(&owner(), &query.tags, query.cursor.as_deref(), query.limit)
        .await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(
    get,
    path = "/api/tags",
    summary = "The labels photos carry, with counts, most common first",
    responses((status = 200, description = "Tags", body = Vec<TagCount>))
)]
async fn list_tags(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(state.gallery.tags(&owner()).await?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct IntentQuery {
    /// What was said
    text: String,
    #[serde(default)]
    #[param(default = "en")]
    language: Option<String>,
}

/// `GET /api/intent?text=...[&language=en]`: what a spoken command means, as
/// `{"intent": "show_tag", "tag": "dog"}`, with tags matched against the owner's vocabulary.
#[utoipa::path(
    get,
    path = "/api/intent",
    summary = "What a spoken command means",
    params(IntentQuery),
    responses(
        (status = 200, description = "The intent, e.g. {\"intent\": \"show_tag\", \"tag\": \"dog\"}; `none` when nothing matched", body = Intent),
        (status = 400, description = "A language commands cannot be spoken in yet", body = ErrorBody),
    )
)]
async fn parse_intent(
    State(state): State<AppState>,
    Query(query): Query<IntentQuery>,
) -> Result<Response, ApiError> {
    let language = Language::for_code(query.language.as_deref().unwrap_or("en"))
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))?;
    let vocabulary = state.gallery.tag_vocabulary(&owner()).await?;
    Ok(Json(language.grammar().parse(&query.text, Some(&vocabulary))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ClassifyQuery {
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
async fn classify_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ClassifyQuery>,
) -> Result<Response, ApiError> {
    let photo = state
        .gallery
        .reclassify(&owner(), &parse_id(&id)?, query.model.as_deref())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(photo)).into_response())
}

fn parse_id(raw: &str) -> Result<PhotoId, ApiError> {
    PhotoId::parse(raw).ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no such photo"))
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
async fn get_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let photo = state.gallery.photo(&owner(), &parse_id(&id)?).await?;
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
async fn delete_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.gallery.delete(&owner(), &parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/photos`: every part named `file` is one photo. Each file succeeds or fails on its
/// own; the response lists both. When every file failed, the status is that of the failure.
#[utoipa::path(
    post,
    path = "/api/photos",
    summary = "Upload photos",
    description = "Multipart form data; every part named `file` is one photo. Each file is stored or refused on its own. Uploading bytes already in the gallery returns the existing photo.",
    request_body(content = inline(crate::openapi::UploadForm), content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "At least one new photo was stored", body = UploadResponse),
        (status = 200, description = "Only photos already in the gallery", body = UploadResponse),
        (status = 400, description = "No file part, or an unreadable body", body = ErrorBody),
        (status = 413, description = "Every file was too large (bytes or count)", body = UploadResponse),
        (status = 415, description = "Every file was of an unsupported format", body = UploadResponse),
        (status = 422, description = "Every file was broken, empty or had too many pixels", body = UploadResponse),
    )
)]
async fn upload_photos(State(state): State<AppState>, mut multipart: Multipart) -> Response {
    let mut photos = Vec::new();
    let mut failures: Vec<(String, FileFailure)> = Vec::new();
    let mut files = 0;
    let mut created_any = false;

    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                // The body itself is broken (cut off, malformed): nothing after this point can
                // be read, but what was stored stays stored and is reported.
                // A body that breaks off (a cancelled upload, a dropped connection) is the
                // client's doing: a 400, not a server error.
                let status = match error.status() {
                    status if status.is_server_error() => StatusCode::BAD_REQUEST,
                    status => status,
                };
                if photos.is_empty() && failures.is_empty() {
                    return ApiError::new(
                        status,
                        format!("the upload could not be read: {}", error.body_text()),
                    )
                    .into_response();
                }
                failures.push((
                    "(rest of the upload)".to_owned(),
                    FileFailure::CutOff(error.body_text()),
                ));
                break;
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("untitled").to_owned();
        files += 1;
        if files > state.limits.max_files_per_request {
            failures.push((
                filename,
                FileFailure::TooManyFiles(state.limits.max_files_per_request),
            ));
            continue;
        }
        match receive(&state, &filename, field).await {
            Ok(outcome) => {
                created_any |= matches!(outcome, IngestOutcome::Created(_));
                photos.push(outcome.into_photo());
            }
            Err(failure) => {
                tracing::info!(error = %failure.message(), filename, "upload refused");
                failures.push((filename, failure));
            }
        }
    }

    let status = if created_any {
        StatusCode::CREATED
    } else if !photos.is_empty() {
        StatusCode::OK
    } else if let Some((_, failure)) = failures.first() {
        failure.status()
    } else {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "no files in the upload; send each photo as a multipart part named \"file\"",
        )
        .into_response();
    };
    let errors = failures
        .into_iter()
        .map(|(filename, failure)| UploadError {
            filename,
            error: failure.message(),
        })
        .collect();
    let mut response = (status, Json(UploadResponse { photos, errors })).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

/// Why one file of an upload was not stored.
enum FileFailure {
    /// The service refused or failed it.
    Service(ServiceError),
    /// The request carried more files than allowed.
    TooManyFiles(usize),
    /// The request body broke off while this file was streaming.
    CutOff(String),
}

impl FileFailure {
    fn status(&self) -> StatusCode {
        match self {
            FileFailure::Service(error) => status_of(error),
            FileFailure::TooManyFiles(_) => StatusCode::PAYLOAD_TOO_LARGE,
            FileFailure::CutOff(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The message shown for the file; server-side details stay in the log.
    fn message(&self) -> String {
        match self {
            FileFailure::Service(error) => {
                error.log_unless_client("storing an upload");
                match error.kind() {
                    // Said of the one file, as the other files of the upload may be stored.
                    ErrorKind::Internal => {
                        "the server could not store this file; the error was logged".to_owned()
                    }
                    _ => error.public_message(),
                }
            }
            FileFailure::TooManyFiles(max) => {
                format!("too many files in one upload; send at most {max} at a time")
            }
            FileFailure::CutOff(detail) => format!("the upload was cut off: {detail}"),
        }
    }
}

/// Streams one multipart part to staging, then ingests it.
async fn receive(
    state: &AppState,
    filename: &str,
    mut field: Field<'_>,
) -> Result<IngestOutcome, FileFailure> {
    let mut upload = state
        .gallery
        .begin_upload(filename)
        .await
        .map_err(FileFailure::Service)?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => upload.write(&chunk).await.map_err(FileFailure::Service)?,
            Ok(None) => break,
            Err(error) => return Err(FileFailure::CutOff(error.body_text())),
        }
    }
    state
        .gallery
        .ingest(&owner(), upload)
        .await
        .map_err(FileFailure::Service)
}

/// Bytes read per write of an image response: a thumbnail (about 30 KB) goes out in one or
/// two writes instead of eight.
const IMAGE_CHUNK: usize = 64 * 1024;

/// An id's images never change: browsers and CDNs may keep them for a year.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /api/photos/{id}/{variant}`: the original or a derived image, streamed, with an ETag
/// and immutable caching (an id's images never change).
#[utoipa::path(
    get,
    path = "/api/photos/{id}/{variant}",
    summary = "The original or a derived image",
    description = "Immutable for a given id: cached for a year, with an ETag.",
    params(
        ("id" = PhotoId, Path, description = "The photo's id"),
        ("variant" = Variant, Path),
    ),
    responses(
        (status = 200, description = "The image bytes", content(("image/*"))),
        (status = 302, description = "With `--image-delivery redirect` on S3 storage: a presigned S3 URL in `Location`; the redirect may be cached for a quarter of the URL's validity"),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such photo or variant", body = ErrorBody),
    )
)]
async fn photo_image(
    State(state): State<AppState>,
    Path((id, variant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let variant = Variant::parse(&variant).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no such image; use original, thumbnail, thumbnail-2x or preview",
        )
    })?;
    let source = state.gallery.image_source(&owner(), &id).await?;
    if let Some(valid_for) = state.presigned_images {
        if let Some(redirect) = redirect_to_storage(&state, &source, variant, valid_for).await? {
            return Ok(redirect);
        }
    }
    let etag = format!(
        "\"{}-{}\"",
        &source.sha256[..source.sha256.len().min(16)],
        variant.path_segment()
    );
    let cache_control = HeaderValue::from_static(IMMUTABLE);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        })
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, IMMUTABLE.to_owned()),
            ],
        )
            .into_response());
    }

    let (blob, content_type) = state.gallery.open_image(&source, variant).await?;
    let mut response = Response::new(Body::from_stream(ReaderStream::with_capacity(
        blob.reader,
        IMAGE_CHUNK,
    )));
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response_headers.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.len));
    response_headers.insert(header::CACHE_CONTROL, cache_control);
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    if variant == Variant::Original {
        if let Ok(value) = HeaderValue::from_str(&content_disposition(&source.filename)) {
            response_headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

/// A redirect to a presigned URL of the image, when the storage makes them. Browsers may keep
/// the redirect for a quarter of the URL's validity, so they ask again for the same image
/// while its URL still works, and the image is cached under one URL meanwhile.
async fn redirect_to_storage(
    state: &AppState,
    source: &ImageSource,
    variant: Variant,
    valid_for: std::time::Duration,
) -> Result<Option<Response>, ApiError> {
    let Some(url) = state
        .gallery
        .direct_image_url(source, variant, valid_for, IMMUTABLE)
        .await?
    else {
        return Ok(None);
    };
    let location = HeaderValue::from_str(&url).map_err(|invalid| {
        ApiError::from(ServiceError::internal_because(
            "the storage made a URL that is no valid header",
            invalid,
        ))
    })?;
    let cache_control = format!("private, max-age={}", valid_for.as_secs() / 4);
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    Ok(Some(response))
}

/// `inline` with the display name, RFC 5987-encoded so any name is safe in a header.
fn content_disposition(filename: &str) -> String {
    format!(
        "inline; filename*=UTF-8''{}",
        gaillery_core::percent::percent_encode(filename)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_encodes_everything_unsafe() {
        assert_eq!(
            content_disposition("my cat \"1\".jpg"),
            "inline; filename*=UTF-8''my%20cat%20%221%22.jpg"
        );
        assert_eq!(
            content_disposition("é.png"),
            "inline; filename*=UTF-8''%C3%A9.png"
        );
    }

    #[test]
    fn user_errors_get_4xx_and_server_errors_5xx() {
        assert_eq!(
            status_of(&ServiceError::TooLarge { limit_bytes: 1 }),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status_of(&ServiceError::Image(ImagingError::Unsupported)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(status_of(&ServiceError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            status_of(&ServiceError::Unavailable(
                gaillery_storage::StorageError::Unavailable("x".into())
            )),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status_of(&ServiceError::internal("x")),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn storage_down_reads_as_on_the_page() {
        let outage = ServiceError::from(gaillery_storage::StorageError::Unavailable(
            "connect timeout".into(),
        ));
        let answer = ApiError::from(outage);
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer.message, gaillery_service::UNAVAILABLE_MESSAGE);
        let failure = ApiError::from(ServiceError::internal("x"));
        assert_eq!(failure.message, gaillery_service::INTERNAL_MESSAGE);
    }
}
