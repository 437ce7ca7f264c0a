//! GAiLLERY's storage on AWS, for deployments that outgrow one machine: the bytes of photos in
//! S3 ([`S3BlobStore`]), the catalog and the classification queue in DynamoDB
//! ([`DynamoCatalog`]). Both implement the same traits as the embedded default and pass the same
//! contract suite (`gaillery_storage::contract`), so the rest of the program cannot tell them
//! apart.
//!
//! Credentials, region and endpoints come from the standard AWS configuration chain
//! (environment, profiles, instance roles). An endpoint set with `AWS_ENDPOINT_URL_S3` (or
//! `AWS_ENDPOINT_URL`) switches S3 to path-style addressing, which S3-compatible servers expect.

mod config;
pub mod dynamodb;
mod error;
pub mod s3;

pub use config::{load_sdk_config, AwsStorageSettings};
pub use dynamodb::DynamoCatalog;
pub use s3::S3BlobStore;
