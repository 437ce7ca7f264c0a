use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What a server function can fail with, as shown to the person using the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The server refused or could not do it; the message says why.
    #[error("{0}")]
    Refused(String),
    /// The request did not get through (offline, server down, bad response).
    #[error("the server could not be reached ({0})")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        AppError::Transport(error.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<gaillery_service::ServiceError> for AppError {
    fn from(error: gaillery_service::ServiceError) -> Self {
        // Internal details go to the log, never to the page; the status is the API's.
        error.log_unless_client("a server function");
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.http_status()) {
                response.set_status(status);
            }
        }
        AppError::Refused(error.public_message())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use gaillery_service::{ServiceError, StorageError};

    #[test]
    fn the_page_says_what_the_api_says() {
        let outage = ServiceError::from(StorageError::Unavailable("connect timeout".into()));
        assert_eq!(
            AppError::from(outage),
            AppError::Refused("storage is unavailable right now, try again shortly".into())
        );
        assert_eq!(
            AppError::from(ServiceError::internal("image processing pool closed")),
            AppError::Refused(gaillery_service::INTERNAL_MESSAGE.into())
        );
        assert_eq!(
            AppError::from(ServiceError::NotFound),
            AppError::Refused("no such photo".into())
        );
    }
}
