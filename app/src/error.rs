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
        if error.is_client_error() {
            AppError::Refused(error.to_string())
        } else {
            // Internal details go to the log, never to the page.
            tracing::error!(%error, "server function failed");
            AppError::Refused("something went wrong on the server; the error was logged".to_owned())
        }
    }
}
