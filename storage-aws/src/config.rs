//! The SDK configuration shared by both adapters: the standard chain, plus timeouts and retries
//! chosen so that an unreachable service fails a request within seconds instead of hanging it.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use std::time::Duration;

/// Where GAiLLERY's data lives on AWS, and how hard to try before giving up.
#[derive(Clone, Debug)]
pub struct AwsStorageSettings {
    pub bucket: String,
    pub table: String,
    /// Tries per request, the first included (the SDK's standard retry mode, with jittered
    /// exponential backoff; it retries only what is safe to retry: throttling, 5xx, timeouts,
    /// connection failures).
    pub max_attempts: u32,
    /// How long to wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long one try of a request may take, the response body of a download excluded.
    pub attempt_timeout: Duration,
}

impl AwsStorageSettings {
    pub fn new(bucket: impl Into<String>, table: impl Into<String>) -> AwsStorageSettings {
        AwsStorageSettings {
            bucket: bucket.into(),
            table: table.into(),
            max_attempts: 3,
            connect_timeout: Duration::from_secs(2),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// The SDK configuration from the standard chain, with our timeouts and retries.
pub async fn load_sdk_config(settings: &AwsStorageSettings) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .operation_attempt_timeout(settings.attempt_timeout)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(settings.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(2));
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(retries)
        .load()
        .await
}

/// Whether an S3 endpoint other than AWS's own was configured: S3-compatible servers (MinIO,
/// s3s, Ceph) are addressed path-style, `http://host/bucket/key`, not `http://bucket.host/key`.
pub(crate) fn custom_s3_endpoint(sdk: &SdkConfig) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    sdk.endpoint_url().is_some() || set("AWS_ENDPOINT_URL_S3") || set("AWS_ENDPOINT_URL")
}
