//! The SDK's errors, normalised into [`StorageError`] the same way for S3 and DynamoDB.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;
use gaillery_storage::StorageError;

/// Error codes that mean "try again later": the service is overloaded, throttles us, or lost a
/// race that the caller may simply retry.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "InternalServerError",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Unreachable, timed out, throttled or a 5xx: `Unavailable` (the server answers 503 and the
/// work is retried later). Anything else the service said: `Backend`, with its code and message
/// for the logs.
pub(crate) fn from_sdk<E>(operation: &str, error: SdkError<E, HttpResponse>) -> StorageError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let describe = |what: &str| format!("{operation}: {what}");
    match &error {
        SdkError::TimeoutError(_) => StorageError::Unavailable(describe("timed out")),
        SdkError::DispatchFailure(_) => StorageError::Unavailable(describe(&format!(
            "cannot reach the service: {}",
            DisplayErrorContext(&error)
        ))),
        // The connection broke mid-response, or a proxy answered something unparseable.
        SdkError::ResponseError(_) => {
            StorageError::Unavailable(describe("the response was cut short or malformed"))
        }
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let code = context.err().code().unwrap_or("");
            let message = context.err().message().unwrap_or("");
            let detail = describe(&format!("{status} {code} {message}"));
            if status >= 500 || TRANSIENT_CODES.contains(&code) {
                StorageError::Unavailable(detail)
            } else {
                StorageError::Backend(detail)
            }
        }
        _ => StorageError::Backend(describe(&DisplayErrorContext(&error).to_string())),
    }
}
