//! The HTTP status of each error, part of the one error policy: the JSON API answers with it,
//! and so do the page's server functions, so a script and the page see the same code.

use crate::{ErrorKind, ServiceError};
use gaillery_imaging::ImagingError;

impl ServiceError {
    /// The status code that fits: the kind decides the class, and among the client's errors
    /// HTTP has a code for each.
    pub fn http_status(&self) -> u16 {
        match self.kind() {
            ErrorKind::Unavailable => 503,
            ErrorKind::Full => 507,
            ErrorKind::Internal => 500,
            ErrorKind::Client => match self {
                ServiceError::TooLarge { .. } => 413,
                ServiceError::Image(ImagingError::Unsupported) => 415,
                ServiceError::Image(_) | ServiceError::Empty => 422,
                ServiceError::NotFound | ServiceError::NoSuch(_) => 404,
                ServiceError::Conflict(_) => 409,
                ServiceError::SignInFailed
                | ServiceError::SignInRequired
                | ServiceError::PasswordRequired => 401,
                ServiceError::Forbidden(_) => 403,
                ServiceError::Throttled { .. } => 429,
                _ => 400,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StorageError;

    #[test]
    fn each_error_has_its_status() {
        let cases = [
            (ServiceError::SignInFailed, 401),
            (ServiceError::SignInRequired, 401),
            (ServiceError::PasswordRequired, 401),
            (ServiceError::Forbidden("admins only".into()), 403),
            (ServiceError::NoSuch("user"), 404),
            (ServiceError::NotFound, 404),
            (ServiceError::Conflict("taken".into()), 409),
            (
                ServiceError::Throttled {
                    retry_after_secs: 60,
                },
                429,
            ),
            (ServiceError::Invalid("too short".into()), 400),
            (ServiceError::TooLarge { limit_bytes: 1 }, 413),
            (ServiceError::Image(ImagingError::Unsupported), 415),
            (ServiceError::Empty, 422),
            (
                ServiceError::from(StorageError::Unavailable("down".into())),
                503,
            ),
            (ServiceError::internal("broken"), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.http_status(), status, "{error:?}");
        }
    }
}
