//! Image bytes: the original and the derived images, streamed with an ETag, or a redirect to
//! the storage's own URL.

use super::{parse_id, ApiError};
use crate::auth::SignedIn;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gaillery_core::api::ErrorBody;
use gaillery_core::{PhotoId, Variant};
use gaillery_service::{ImageSource, ServiceError};
use tokio_util::io::ReaderStream;

/// Bytes read per write of an image response: a thumbnail (about 30 KB) goes out in one or
/// two writes instead of eight.
const IMAGE_CHUNK: usize = 64 * 1024;

/// An id's images never change: the browser may keep them for a year. Private: they are one
/// person's photos, for no shared cache to keep.
pub(crate) const IMMUTABLE: &str = "private, max-age=31536000, immutable";

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
pub(super) async fn photo_image(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path((id, variant)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let variant = parse_variant(&variant)?;
    let source = state.gallery.image_source(&caller.owner, &id).await?;
    serve_image(&state, &source, variant, &headers).await
}

/// The variant as `{variant}` names it, or a 404 that lists the names.
pub(super) fn parse_variant(raw: &str) -> Result<Variant, ApiError> {
    Variant::parse(raw).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no such image; use original, thumbnail, thumbnail-2x or preview",
        )
    })
}

/// One image of a photo whose source the caller may see: a redirect to storage, a 304, or the
/// bytes, with an ETag and immutable private caching.
pub(super) async fn serve_image(
    state: &AppState,
    source: &ImageSource,
    variant: Variant,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(valid_for) = state.presigned_images {
        if let Some(redirect) = redirect_to_storage(state, source, variant, valid_for).await? {
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

    let (blob, content_type) = state.gallery.open_image(source, variant).await?;
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
pub(super) async fn redirect_to_storage(
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
}
