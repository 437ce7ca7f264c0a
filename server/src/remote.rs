//! `gaillery import` and `gaillery classify` against a server elsewhere (`--server URL
//! --token-file F`): each file is uploaded through the JSON API with an API token, as any
//! script would.

use crate::cli::RemoteArgs;
use crate::startup::StartupError;
use gaillery_core::api::UploadResponse;
use gaillery_core::{Photo, PhotoStatus};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long `classify --server` waits for one photo's labels.
const CLASSIFY_TIMEOUT: Duration = Duration::from_secs(300);

/// A server and the token to act with.
pub struct Remote {
    client: reqwest::Client,
    base: String,
}

/// What the server did with one uploaded file.
pub enum Uploaded {
    Created(Photo),
    Duplicate(Photo),
}

impl Remote {
    /// `None` when no `--server` was given.
    pub fn from_args(args: &RemoteArgs) -> Result<Option<Remote>, StartupError> {
        let (Some(server), Some(token_file)) = (&args.server, &args.token_file) else {
            return Ok(None);
        };
        let token = std::fs::read_to_string(token_file).map_err(crate::startup::io_context(
            format!("cannot read the token file {}", token_file.display()),
        ))?;
        let token = token.trim();
        if token.is_empty() {
            return Err(StartupError::Config(format!(
                "{} holds no token",
                token_file.display()
            )));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        let authorization = format!("Bearer {token}")
            .parse()
            .map_err(|_| StartupError::Config("the token is not one line of text".into()))?;
        headers.insert(reqwest::header::AUTHORIZATION, authorization);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| StartupError::Config(format!("HTTP client: {e}")))?;
        let base = server.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(StartupError::Config(format!(
                "--server {server:?} must start with https:// or http://"
            )));
        }
        Ok(Some(Remote { client, base }))
    }

    /// Checks the token before any file is sent: who it acts for.
    pub async fn account(&self) -> Result<String, String> {
        let response = self.get("/api/me").await?;
        let me: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        Ok(me["username"].as_str().unwrap_or_default().to_owned())
    }

    /// Uploads one file.
    pub async fn upload(&self, file: &Path) -> Result<Uploaded, String> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = tokio::fs::read(file).await.map_err(|e| e.to_string())?;
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = self
            .client
            .post(format!("{}/api/photos", self.base))
            .multipart(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: UploadResponse = response
            .json()
            .await
            .map_err(|_| format!("the server answered {status} without an upload report"))?;
        if let Some(refused) = body.errors.into_iter().next() {
            return Err(refused.error);
        }
        let photo = body
            .photos
            .into_iter()
            .next()
            .ok_or_else(|| format!("the server answered {status} with no photo"))?;
        Ok(if status == reqwest::StatusCode::CREATED {
            Uploaded::Created(photo)
        } else {
            Uploaded::Duplicate(photo)
        })
    }

    /// The photo once its classification ended (done or failed).
    pub async fn classified(&self, photo: Photo) -> Result<Photo, String> {
        let started = Instant::now();
        let mut photo = photo;
        while !matches!(photo.status, PhotoStatus::Done | PhotoStatus::Failed) {
            if started.elapsed() > CLASSIFY_TIMEOUT {
                return Err("the server did not classify it within 5 minutes".into());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            let response = self.get(&format!("/api/photos/{}", photo.id)).await?;
            photo = response.json().await.map_err(|e| e.to_string())?;
        }
        Ok(photo)
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, String> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let error = body["error"].as_str().unwrap_or("no explanation");
            return Err(format!("{status}: {error}"));
        }
        Ok(response)
    }
}
