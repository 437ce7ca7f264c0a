//! Blobs as objects in an S3 bucket: key `a/b/c` is the object `a/b/c`.
//!
//! A PutObject is atomic on S3 (readers see the old object, the new one or nothing), so no
//! temporary names are needed. Uploads stream from disk with a known length, in one request:
//! photos stay far below S3's 5 GB limit for a single PUT, and a single PUT can be retried by the
//! SDK (it reopens the file) where a multipart upload would need bookkeeping of its own.

use crate::config::custom_s3_endpoint;
use crate::error::from_sdk;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use bytes::Bytes;
use futures::StreamExt;
use gaillery_storage::{BlobKey, BlobListing, BlobReader, BlobStore, StorageError, StoredBlob};
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The region where CreateBucket must not name a location constraint (S3 refuses one there).
const DEFAULT_REGION: &str = "us-east-1";

/// The S3 blob store: one bucket, keys used as they are.
#[derive(Clone)]
pub struct S3BlobStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    cache_control: Option<String>,
}

impl fmt::Debug for S3BlobStore {
    // The client's configuration holds the credentials provider; nothing of it is printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3BlobStore")
            .field("bucket", &self.bucket)
            .field("cache_control", &self.cache_control)
            .finish_non_exhaustive()
    }
}

impl S3BlobStore {
    /// A store on `bucket`, with the SDK configuration's credentials, region, timeouts and
    /// retries. A custom endpoint (MinIO, s3s, Ceph) switches to path-style addressing.
    pub fn new(sdk: &SdkConfig, bucket: impl Into<String>) -> S3BlobStore {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(custom_s3_endpoint(sdk))
            .build();
        S3BlobStore {
            client: aws_sdk_s3::Client::from_conf(config),
            bucket: bucket.into(),
            cache_control: None,
        }
    }

    /// The `Cache-Control` stored with every object put from now on. S3 sends it back with the
    /// object (presigned URLs included), so browsers and CDNs can keep objects whose keys never
    /// change content, e.g. `private, max-age=31536000, immutable`.
    pub fn with_cache_control(mut self, value: impl Into<String>) -> S3BlobStore {
        self.cache_control = Some(value.into());
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Creates the bucket unless it exists; `true` if this call created it. Meant for start-up
    /// with an explicit opt-in: in production the bucket (and its policy) is usually managed
    /// elsewhere.
    pub async fn create_bucket_if_missing(&self) -> Result<bool, StorageError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(false),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => {}
            Err(err) => return Err(from_sdk("HeadBucket", err)),
        }
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        // Outside us-east-1, S3 wants the bucket's region spelled out again.
        if let Some(region) = self.client.config().region() {
            if region.as_ref() != DEFAULT_REGION {
                create = create.create_bucket_configuration(
                    CreateBucketConfiguration::builder()
                        .location_constraint(BucketLocationConstraint::from(region.as_ref()))
                        .build(),
                );
            }
        }
        match create.send().await {
            Ok(_) => {
                tracing::info!(bucket = %self.bucket, "created the S3 bucket");
                Ok(true)
            }
            // Another instance starting at the same time created it first.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_bucket_already_owned_by_you()) =>
            {
                Ok(false)
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_bucket_already_exists()) =>
            {
                Err(StorageError::Backend(format!(
                    "bucket {} belongs to another account; choose another name",
                    self.bucket
                )))
            }
            Err(err) => Err(from_sdk("CreateBucket", err)),
        }
    }

    /// Start-up check that the bucket exists and the credentials may use it, so a
    /// misconfiguration fails at once with a message that says what to fix, instead of failing
    /// the first upload.
    pub async fn check(&self) -> Result<(), StorageError> {
        let err = match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        // A HEAD response has no body, so the status is all S3 says.
        match err
            .raw_response()
            .map(|response| response.status().as_u16())
        {
            Some(404) => Err(StorageError::Backend(format!(
                "S3 bucket {} does not exist; create it or pass --create-resources",
                self.bucket
            ))),
            Some(status @ (401 | 403)) => Err(StorageError::Backend(format!(
                "S3 bucket {}: access denied ({status}); check the credentials and the bucket \
                 policy",
                self.bucket
            ))),
            _ => Err(from_sdk("HeadBucket", err)),
        }
    }

    /// A URL that lets whoever holds it GET the object until `expires_in` has passed, without
    /// credentials: the browser fetches the bytes from S3 directly. The optional overrides make
    /// S3 answer with that `Cache-Control` / `Content-Type` instead of the stored ones; they are
    /// part of the signature, so the holder cannot change them.
    pub async fn presigned_get(
        &self,
        key: &BlobKey,
        expires_in: Duration,
        response_cache_control: Option<&str>,
        response_content_type: Option<&str>,
    ) -> Result<String, StorageError> {
        let presigning = PresigningConfig::expires_in(expires_in)
            .map_err(|err| StorageError::Backend(format!("presigning {key}: {err}")))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .set_response_cache_control(response_cache_control.map(str::to_owned))
            .set_response_content_type(response_content_type.map(str::to_owned))
            .presigned(presigning)
            .await
            .map_err(|err| from_sdk("GetObject (presign)", err))?;
        Ok(request.uri().to_owned())
    }

    async fn put(
        &self,
        key: &BlobKey,
        body: ByteStream,
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .set_cache_control(self.cache_control.clone())
            .body(body)
            .send()
            .await
            .map_err(|err| from_sdk("PutObject", err))?;
        Ok(())
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put_file(
        &self,
        key: &BlobKey,
        source: &Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        // A missing source is NotFound (the io::Error conversion); a directory or a symlink
        // would not be an object.
        if !tokio::fs::symlink_metadata(source).await?.is_file() {
            return Err(StorageError::Backend(format!(
                "{} is not a regular file",
                source.display()
            )));
        }
        // Streams the file in chunks (and reopens it if the SDK retries), never all in memory.
        let body = ByteStream::from_path(source)
            .await
            .map_err(|err| StorageError::Backend(format!("reading {}: {err}", source.display())))?;
        self.put(key, body, content_type).await?;
        // The trait takes ownership of the source: once stored, it is gone.
        match tokio::fs::remove_file(source).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.put(key, ByteStream::from(bytes), content_type).await
    }

    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|err| {
                // NoSuchBucket is a 404 too, but a misconfiguration, not a missing object.
                if err.as_service_error().is_some_and(|e| e.is_no_such_key()) {
                    StorageError::NotFound
                } else {
                    from_sdk("GetObject", err)
                }
            })?;
        let len = object
            .content_length()
            .and_then(|len| u64::try_from(len).ok())
            .ok_or_else(|| {
                StorageError::Backend(format!("GetObject {key}: no valid Content-Length"))
            })?;
        Ok(BlobReader {
            len,
            reader: Box::pin(object.body.into_async_read()),
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        // S3 answers 204 whether or not the object existed, which makes this idempotent; some
        // compatible servers answer NoSuchKey instead, which means the same.
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if service_code(&err) == Some("NoSuchKey") => Ok(()),
            Err(err) => Err(from_sdk("DeleteObject", err)),
        }
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BlobListing<'a> {
        let pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        Box::pin(
            futures::stream::unfold(pages, |mut pages| async move {
                let page = pages.next().await?;
                let listed: Vec<Result<StoredBlob, StorageError>> = match page {
                    Ok(page) => page.contents().iter().filter_map(stored_blob).collect(),
                    Err(error) => vec![Err(from_sdk("ListObjectsV2", error))],
                };
                Some((futures::stream::iter(listed), pages))
            })
            .flatten(),
        )
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(true),
            // A HEAD response has no body: a missing bucket looks the same (`check` covers it).
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
            Err(err) => Err(from_sdk("HeadObject", err)),
        }
    }

    /// A presigned GET: the browser fetches the bytes from S3, not through this server.
    async fn direct_url(
        &self,
        key: &BlobKey,
        expires_in: Duration,
        content_type: &str,
        cache_control: &str,
    ) -> Result<Option<String>, StorageError> {
        self.presigned_get(key, expires_in, Some(cache_control), Some(content_type))
            .await
            .map(Some)
    }
}

/// The error code the service answered with, if it answered at all.
fn service_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
}

/// A listed object, unless its key is none of ours (put there by something else).
fn stored_blob(object: &aws_sdk_s3::types::Object) -> Option<Result<StoredBlob, StorageError>> {
    let key = BlobKey::new(object.key()?).ok()?;
    let modified_ms = object
        .last_modified()
        .and_then(|time| time.to_millis().ok())
        .unwrap_or(0);
    Some(Ok(StoredBlob { key, modified_ms }))
}
