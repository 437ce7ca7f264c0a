use gaillery_imaging::ImagingError;
use gaillery_storage::StorageError;

/// Everything the service layer can answer with instead of a result. The HTTP layer maps each
/// variant to a status code; `Internal` and `Storage` details are logged, not shown to users.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the file is larger than the limit of {} MB", limit_bytes / 1_000_000)]
    TooLarge { limit_bytes: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    Image(#[from] ImagingError),
    #[error("no such photo")]
    NotFound,
    /// The request cannot be done in the server's current configuration or state.
    #[error("{0}")]
    Conflict(String),
    #[error("the cursor is not one this server handed out; start again without it")]
    InvalidCursor,
    #[error("unknown model {model:?}; this server has: {}", known.join(", "))]
    UnknownModel { model: String, known: Vec<String> },
    #[error("storage is unavailable right now, try again shortly")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Storage(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StorageError> for ServiceError {
    fn from(error: StorageError) -> ServiceError {
        match error {
            StorageError::NotFound => ServiceError::NotFound,
            StorageError::InvalidCursor => ServiceError::InvalidCursor,
            StorageError::Unavailable(detail) => ServiceError::Unavailable(detail),
            other => ServiceError::Storage(other.to_string()),
        }
    }
}

impl From<std::io::Error> for ServiceError {
    fn from(error: std::io::Error) -> ServiceError {
        ServiceError::Internal(format!("I/O: {error}"))
    }
}

impl ServiceError {
    /// True when the user's input caused the error (as opposed to the server or its storage).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            ServiceError::TooLarge { .. }
                | ServiceError::Empty
                | ServiceError::Image(_)
                | ServiceError::NotFound
                | ServiceError::Conflict(_)
                | ServiceError::InvalidCursor
                | ServiceError::UnknownModel { .. }
        )
    }
}
