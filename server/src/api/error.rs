//! One error response for every route: a status and a message a person can act on, as
//! `{"error": "..."}`, decided by the service error's kind.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::ErrorBody;
use gaillery_service::ServiceError;

/// An error response: a status and a message a person can act on, as `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// Overrides the default `Retry-After` of a 429 or 503, in seconds.
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after_secs: None,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> ApiError {
        // Details stay in the log; the client gets a message it can act on.
        error.log_unless_client("a request");
        let mut answer = ApiError::new(status_of(&error), error.public_message());
        if let ServiceError::Throttled { retry_after_secs } = error {
            answer.retry_after_secs = Some(retry_after_secs);
        }
        answer
    }
}

/// What a 503 asks clients to wait before trying again: storage outages and throttling
/// usually pass within seconds.
const RETRY_AFTER_SECS: &str = "5";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(ErrorBody {
            error: self.message,
        });
        let mut response = with_retry_after((self.status, body).into_response());
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The response, with `Retry-After` when it is a 503 or a 429: every route's answer to an
/// outage or a limit says when to try again, whether it is an error body or an upload's
/// per-file report.
pub(super) fn with_retry_after(mut response: Response) -> Response {
    if matches!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
    ) {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

/// The status code of a service error: the service's one policy (`ServiceError::http_status`).
pub fn status_of(error: &ServiceError) -> StatusCode {
    StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
