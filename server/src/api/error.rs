//! One error response for every route: a status and a message a person can act on, as
//! `{"error": "..."}`, decided by the service error's kind.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::ErrorBody;
use gaillery_imaging::ImagingError;
use gaillery_service::{ErrorKind, ServiceError};

/// An error response: a status and a message a person can act on, as `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
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
        let body = Json(ErrorBody {
            error: self.message,
        });
        with_retry_after((self.status, body).into_response())
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

#[cfg(test)]
mod tests {
    use super::*;

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
