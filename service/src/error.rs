//! What the service answers with instead of a result, and the one policy on whose fault each
//! error is. The JSON API and the Leptos server functions both answer from [`ServiceError::kind`]
//! and [`ServiceError::public_message`], so the page and the API always say the same.

use gaillery_imaging::ImagingError;
use gaillery_storage::StorageError;
use std::error::Error;
use std::fmt;

/// Whose fault an error is: decides how it is answered and whether it is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request or its file: the message says what to change.
    Client,
    /// Storage cannot be reached or is throttling: it passes by itself, so the client should
    /// try again shortly.
    Unavailable,
    /// The disk or the quota is full: no fault of the request's, and it does not pass by
    /// itself. Logged, and said plainly, so the owner knows to free space.
    Full,
    /// A bug or a broken server: logged with its causes, never shown.
    Internal,
}

/// What people read when storage is down, on the page and from the API.
pub const UNAVAILABLE_MESSAGE: &str = "storage is unavailable right now, try again shortly";
/// What people read when storage is full.
pub const FULL_MESSAGE: &str =
    "storage is full: nothing new can be stored until space is freed on the server";
/// What people read when the server failed; the details are in its log.
pub const INTERNAL_MESSAGE: &str = "something went wrong on the server; the error was logged";

/// Everything the service layer can answer with instead of a result. The messages of client
/// errors are for people; the others keep their causes as sources, for the log.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the file is larger than the limit of {} MB", limit_bytes / 1_000_000)]
    TooLarge { limit_bytes: u64 },
    #[error("the file is empty")]
    Empty,
    #[error(transparent)]
    Image(#[from] ImagingError),
    #[error("no such photo")]
    NotFound,
    /// The request cannot be done in the server's current configuration or state.
    #[error("{0}")]
    Conflict(String),
    #[error("the cursor is not one this server handed out; start again without it")]
    InvalidCursor,
    /// A request that asks for more at once than the server takes.
    #[error("at most {limit} {what} in one request")]
    TooMany { what: &'static str, limit: usize },
    #[error("unknown model {model:?}; this server has: {}", known.join(", "))]
    UnknownModel { model: String, known: Vec<String> },
    /// A request that breaks a rule (a password too short, a username with control
    /// characters); the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// There is no such thing of `what` kind ("user", "token").
    #[error("no such {0}")]
    NoSuch(&'static str),
    /// The username or the password is wrong; which one is never said.
    #[error("wrong username or password")]
    SignInFailed,
    /// The request needs a signed-in caller and has none.
    #[error("sign in first")]
    SignInRequired,
    /// The caller is signed in but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins for the account or from the address; at the latest after
    /// `retry_after_secs` another try is counted again.
    #[error(
        "too many failed sign-ins; try again in {} minutes",
        retry_after_secs.div_ceil(60)
    )]
    Throttled { retry_after_secs: u64 },
    /// A share link with a password, opened without it (or with a wrong one).
    #[error("this link needs its password")]
    PasswordRequired,
    /// Storage could not be reached, or throttled.
    #[error("storage is unavailable")]
    Unavailable(#[source] StorageError),
    /// The disk or quota that storage (or staging) writes to is full.
    #[error("storage is full")]
    Full(#[source] StorageError),
    /// Storage failed in a way that is no client's fault and no outage.
    #[error("storage failed")]
    Storage(#[source] StorageError),
    /// Something of the server's own failed: staging, decoding, a task.
    #[error("{what}")]
    Internal {
        what: String,
        #[source]
        cause: Option<Box<dyn Error + Send + Sync>>,
    },
}

impl From<StorageError> for ServiceError {
    fn from(error: StorageError) -> ServiceError {
        match error {
            StorageError::NotFound => ServiceError::NotFound,
            StorageError::InvalidCursor => ServiceError::InvalidCursor,
            StorageError::Unavailable(_) => ServiceError::Unavailable(error),
            StorageError::Full(_) => ServiceError::Full(error),
            other => ServiceError::Storage(other),
        }
    }
}

impl From<std::io::Error> for ServiceError {
    fn from(error: std::io::Error) -> ServiceError {
        match error.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                ServiceError::Full(StorageError::from(error))
            }
            _ => ServiceError::internal_because("I/O failed", error),
        }
    }
}

impl ServiceError {
    /// Refuses `count` items of `what` when more than `limit` are asked for at once.
    pub fn check_count(what: &'static str, count: usize, limit: usize) -> Result<(), ServiceError> {
        if count > limit {
            return Err(ServiceError::TooMany { what, limit });
        }
        Ok(())
    }

    /// A failure of the server's own, with nothing more to say than `what`.
    pub fn internal(what: impl Into<String>) -> ServiceError {
        ServiceError::Internal {
            what: what.into(),
            cause: None,
        }
    }

    /// A failure of the server's own: `what` was being done when `cause` happened.
    pub fn internal_because(
        what: impl Into<String>,
        cause: impl Error + Send + Sync + 'static,
    ) -> ServiceError {
        ServiceError::Internal {
            what: what.into(),
            cause: Some(Box::new(cause)),
        }
    }

    /// Whose fault the error is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::TooLarge { .. }
            | ServiceError::Empty
            | ServiceError::Image(_)
            | ServiceError::NotFound
            | ServiceError::Conflict(_)
            | ServiceError::InvalidCursor
            | ServiceError::TooMany { .. }
            | ServiceError::UnknownModel { .. }
            | ServiceError::Invalid(_)
            | ServiceError::NoSuch(_)
            | ServiceError::SignInFailed
            | ServiceError::SignInRequired
            | ServiceError::Forbidden(_)
            | ServiceError::Throttled { .. }
            | ServiceError::PasswordRequired => ErrorKind::Client,
            ServiceError::Unavailable(_) => ErrorKind::Unavailable,
            ServiceError::Full(_) => ErrorKind::Full,
            ServiceError::Storage(_) | ServiceError::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// What the person who made the request reads: what to change for a client error, to try
    /// again shortly for an outage, and no details of a server failure.
    pub fn public_message(&self) -> String {
        match self.kind() {
            ErrorKind::Client => self.to_string(),
            ErrorKind::Unavailable => UNAVAILABLE_MESSAGE.to_owned(),
            ErrorKind::Full => FULL_MESSAGE.to_owned(),
            ErrorKind::Internal => INTERNAL_MESSAGE.to_owned(),
        }
    }

    /// The error and every cause below it, `: `-separated, for the log.
    pub fn chain(&self) -> ErrorChain<'_> {
        ErrorChain(self)
    }

    /// Logs an outage or a server failure with its causes, as `doing` failed; a client's
    /// mistake is answered, not logged.
    pub fn log_unless_client(&self, doing: &str) {
        if self.kind() != ErrorKind::Client {
            tracing::error!(error = %self.chain(), "{doing} failed");
        }
    }
}

/// See [`ServiceError::chain`].
pub struct ErrorChain<'a>(&'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_one_kind() {
        let client = [
            ServiceError::TooLarge { limit_bytes: 1 },
            ServiceError::Empty,
            ServiceError::Image(ImagingError::Unsupported),
            ServiceError::NotFound,
            ServiceError::Conflict("classification is off on this server".into()),
            ServiceError::InvalidCursor,
            ServiceError::UnknownModel {
                model: "x".into(),
                known: vec![],
            },
            ServiceError::Invalid("a password has at least 10 characters".into()),
            ServiceError::NoSuch("user"),
            ServiceError::SignInFailed,
            ServiceError::SignInRequired,
            ServiceError::Forbidden("only an administrator can do this".into()),
            ServiceError::Throttled {
                retry_after_secs: 900,
            },
        ];
        for error in &client {
            assert_eq!(error.kind(), ErrorKind::Client, "{error:?}");
            assert_eq!(error.public_message(), error.to_string());
        }
        let outage = ServiceError::from(StorageError::Unavailable("connect timeout".into()));
        assert_eq!(outage.kind(), ErrorKind::Unavailable);
        for internal in [
            ServiceError::from(StorageError::Backend("disk full".into())),
            ServiceError::internal("image processing pool closed"),
            ServiceError::from(std::io::Error::other("disk full")),
        ] {
            assert_eq!(internal.kind(), ErrorKind::Internal, "{internal:?}");
        }
    }

    #[test]
    fn people_read_no_details_of_outages_and_server_failures() {
        let outage = ServiceError::from(StorageError::Unavailable("10.0.0.7:443 refused".into()));
        assert_eq!(
            outage.public_message(),
            "storage is unavailable right now, try again shortly"
        );
        let failure = ServiceError::from(StorageError::Backend("SQL: no such table".into()));
        assert_eq!(
            failure.public_message(),
            "something went wrong on the server; the error was logged"
        );
    }

    #[test]
    fn account_errors_say_what_happened_and_no_more() {
        assert_eq!(
            ServiceError::SignInFailed.public_message(),
            "wrong username or password"
        );
        assert_eq!(
            ServiceError::SignInRequired.public_message(),
            "sign in first"
        );
        assert_eq!(
            ServiceError::NoSuch("token").public_message(),
            "no such token"
        );
        let throttled = ServiceError::Throttled {
            retry_after_secs: 900,
        };
        assert_eq!(
            throttled.public_message(),
            "too many failed sign-ins; try again in 15 minutes"
        );
        let almost = ServiceError::Throttled {
            retry_after_secs: 61,
        };
        assert!(almost.public_message().ends_with("in 2 minutes"));
    }

    #[test]
    fn a_full_disk_says_so_without_its_path() {
        let enospc = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let sqlite = StorageError::Full("database or disk is full: /srv/gaillery/catalog".into());
        for full in [ServiceError::from(enospc), ServiceError::from(sqlite)] {
            assert_eq!(full.kind(), ErrorKind::Full, "{full:?}");
            assert_eq!(full.http_status(), 507);
            assert_eq!(full.public_message(), FULL_MESSAGE);
        }
    }

    #[test]
    fn storage_answers_that_are_the_clients_stay_client_errors() {
        assert!(matches!(
            ServiceError::from(StorageError::NotFound),
            ServiceError::NotFound
        ));
        assert!(matches!(
            ServiceError::from(StorageError::InvalidCursor),
            ServiceError::InvalidCursor
        ));
    }

    #[test]
    fn the_log_shows_every_cause() {
        let outage = ServiceError::from(StorageError::Unavailable("10.0.0.7:443 refused".into()));
        assert_eq!(
            outage.chain().to_string(),
            "storage is unavailable: storage unavailable: 10.0.0.7:443 refused"
        );
        let io = std::io::Error::other("disk full");
        let staging = ServiceError::internal_because("staging an upload", io);
        assert_eq!(staging.chain().to_string(), "staging an upload: disk full");
    }
}
