//! `POST /api/photos`: a multipart upload of many files, each stored or refused on its own.

use super::{status_of, with_retry_after, ApiError};
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::{ErrorBody, UploadError, UploadResponse};
use gaillery_core::OwnerId;
use gaillery_service::{ErrorKind, IngestOutcome, ServiceError};

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
pub(super) async fn upload_photos(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    mut multipart: Multipart,
) -> Response {
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
        match receive(&state, &caller.owner, &filename, field).await {
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
    with_retry_after((status, Json(UploadResponse { photos, errors })).into_response())
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
    owner: &OwnerId,
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
        .ingest(owner, upload)
        .await
        .map_err(FileFailure::Service)
}
