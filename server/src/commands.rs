//! The command-line tools beside `serve`: `classify`, `import`, `convert-weights` and `intent`.

use crate::cli::{ClassifyArgs, ConvertArgs, ImportArgs, IntentArgs};
use crate::remote::{Remote, Uploaded};
use crate::startup::StartupError;
use gaillery_classify::{convert_checkpoint, ModelKind};
use gaillery_core::voice::Language;
use gaillery_core::{Label, Month, OwnerId};
use gaillery_imaging::Limits;
use gaillery_service::IngestOutcome;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct Classified<'a> {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<&'a [Label]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `gaillery classify`: one JSON line per file, in order; a file that cannot be read gets an
/// `error` instead of `labels` and the others go on. Fails (exit 1) if any file failed.
pub async fn classify(args: ClassifyArgs) -> Result<(), StartupError> {
    if let Some(remote) = Remote::from_args(&args.remote)? {
        return classify_remotely(&remote, &args.files).await;
    }
    let name = args
        .models
        .names()
        .into_iter()
        .next()
        .ok_or_else(|| StartupError::Config("classify needs a model, not `none`".into()))?;
    // Only the first model classifies: the others named are not loaded.
    let models = crate::cli::ModelArgs {
        model: vec![name.clone()],
        model_dir: args.models.model_dir.clone(),
    };
    let classifiers = tokio::task::spawn_blocking(move || crate::models::load(&models))
        .await
        .map_err(|e| StartupError::Config(e.to_string()))??;
    let classifier = classifiers
        .get(&name)
        .cloned()
        .ok_or_else(|| StartupError::Config(format!("model {name} did not load")))?;
    let mut failed = 0;
    let mut out = std::io::stdout().lock();
    for file in &args.files {
        let result = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                classifier
                    .classify(&bytes, &Limits::default())
                    .map_err(|e| e.to_string())
            });
        let line = match &result {
            Ok(labels) => Classified {
                file: file.display().to_string(),
                labels: Some(labels),
                error: None,
            },
            Err(error) => {
                failed += 1;
                Classified {
                    file: file.display().to_string(),
                    labels: None,
                    error: Some(error.clone()),
                }
            }
        };
        let json = serde_json::to_string(&line).map_err(|e| StartupError::Config(e.to_string()))?;
        writeln!(out, "{json}").map_err(crate::startup::io_context("stdout"))?;
    }
    if failed > 0 {
        return Err(StartupError::Config(format!(
            "{failed} of {} files could not be classified",
            args.files.len()
        )));
    }
    Ok(())
}

/// `gaillery classify --server`: each file uploaded, its labels printed once the server has
/// classified it; the same JSON lines as a local run.
async fn classify_remotely(remote: &Remote, files: &[PathBuf]) -> Result<(), StartupError> {
    remote.account().await.map_err(StartupError::Config)?;
    let mut failed = 0;
    for file in files {
        let classified = match remote.upload(file).await {
            Ok(Uploaded::Created(photo) | Uploaded::Duplicate(photo)) => {
                remote.classified(photo).await
            }
            Err(error) => Err(error),
        };
        let (labels, error) = match &classified {
            Ok(photo) if photo.status == gaillery_core::PhotoStatus::Done => {
                (Some(photo.labels.as_slice()), None)
            }
            Ok(photo) => (None, Some(photo.status_reason.clone().unwrap_or_default())),
            Err(error) => (None, Some(error.clone())),
        };
        failed += usize::from(error.is_some());
        print_line(&Classified {
            file: file.display().to_string(),
            labels,
            error,
        })?;
    }
    if failed > 0 {
        return Err(StartupError::Config(format!(
            "{failed} of {} files could not be classified",
            files.len()
        )));
    }
    Ok(())
}

fn print_line(line: &Classified<'_>) -> Result<(), StartupError> {
    let json = serde_json::to_string(line).map_err(|e| StartupError::Config(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{json}").map_err(crate::startup::io_context("stdout"))
}

/// `gaillery import`: stores every image under the folder, printing progress to stderr.
/// Files that are no images, or broken, are reported and skipped.
pub async fn import(args: ImportArgs) -> Result<(), StartupError> {
    let model = Some(args.model.clone()).filter(|m| m != "none");
    if let Some(model) = &model {
        ModelKind::parse(model).map_err(|e| StartupError::Config(e.to_string()))?;
    }
    let files = files_under(&args.dir).map_err(crate::startup::io_context(format!(
        "cannot read {}",
        args.dir.display()
    )))?;
    if let Some(remote) = Remote::from_args(&args.remote)? {
        return import_remotely(&remote, &files).await;
    }
    let (accounts, gallery, _) =
        crate::account_commands::open_for_commands(&args.store, model.into_iter().collect())
            .await?;
    let owner = crate::account_commands::owner_named(&accounts, args.user.as_deref()).await?;
    let (mut created, mut duplicates, mut failed) = (0, 0, 0);
    for (n, file) in files.iter().enumerate() {
        let result = import_one(&gallery, &owner, file).await;
        let what = match &result {
            Ok(IngestOutcome::Created(photo)) => {
                created += 1;
                format!("added as {}", photo.id)
            }
            Ok(IngestOutcome::Duplicate(photo)) => {
                duplicates += 1;
                format!("already there as {}", photo.id)
            }
            Err(error) => {
                failed += 1;
                format!("skipped: {error}")
            }
        };
        eprintln!("[{}/{}] {}: {what}", n + 1, files.len(), file.display());
    }
    eprintln!(
        "imported {created}, {duplicates} already there, {failed} skipped; \
         the server classifies new photos when it runs"
    );
    Ok(())
}

/// `gaillery import --server`: every file uploaded, one request each.
async fn import_remotely(remote: &Remote, files: &[PathBuf]) -> Result<(), StartupError> {
    let account = remote.account().await.map_err(StartupError::Config)?;
    let (mut created, mut duplicates, mut failed) = (0, 0, 0);
    for (n, file) in files.iter().enumerate() {
        let what = match remote.upload(file).await {
            Ok(Uploaded::Created(photo)) => {
                created += 1;
                format!("added as {}", photo.id)
            }
            Ok(Uploaded::Duplicate(photo)) => {
                duplicates += 1;
                format!("already there as {}", photo.id)
            }
            Err(error) => {
                failed += 1;
                format!("skipped: {error}")
            }
        };
        eprintln!("[{}/{}] {}: {what}", n + 1, files.len(), file.display());
    }
    eprintln!("imported {created} for {account}, {duplicates} already there, {failed} skipped");
    Ok(())
}

async fn import_one(
    gallery: &gaillery_service::Gallery,
    owner: &OwnerId,
    file: &Path,
) -> Result<IngestOutcome, String> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = tokio::fs::read(file).await.map_err(|e| e.to_string())?;
    let mut upload = gallery
        .begin_upload(&name)
        .await
        .map_err(|e| e.to_string())?;
    upload.write(&bytes).await.map_err(|e| e.to_string())?;
    gallery
        .ingest(owner, upload)
        .await
        .map_err(|e| e.to_string())
}

/// Regular files under `dir`, recursively, sorted; hidden entries skipped.
fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `gaillery convert-weights`.
pub fn convert_weights(args: ConvertArgs) -> Result<(), StartupError> {
    let kind = ModelKind::parse(&args.model).map_err(|e| StartupError::Config(e.to_string()))?;
    std::fs::create_dir_all(&args.model_dir).map_err(crate::startup::io_context(format!(
        "cannot create {}",
        args.model_dir.display()
    )))?;
    let output = kind.weights_path(&args.model_dir);
    let count = convert_checkpoint(&args.checkpoint, &output)
        .map_err(|e| StartupError::Config(e.to_string()))?;
    // Loading proves the tensors fit the model.
    gaillery_classify::Classifier::load(kind, &args.model_dir)
        .map_err(|e| StartupError::Config(e.to_string()))?;
    eprintln!("wrote {count} tensors to {}", output.display());
    Ok(())
}

/// The current month in UTC: what relative dates in spoken commands ("last summer") are read
/// against, here and in `GET /api/intent`.
pub fn this_month() -> Month {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    Month::of_key(i64::try_from(now).unwrap_or(i64::MAX))
}

/// `gaillery intent`: the intent of a spoken command as one JSON line. Tags are matched
/// against every ImageNet term, as the page does (without the gallery's own labels); relative
/// dates are read against this month (UTC).
pub fn intent(args: IntentArgs) -> Result<(), StartupError> {
    let language =
        Language::for_code(&args.language).map_err(|e| StartupError::Config(e.to_string()))?;
    let vocabulary = gaillery_service::imagenet_vocabulary();
    let intent = language
        .grammar()
        .parse(&args.words.join(" "), Some(vocabulary), this_month());
    let json = serde_json::to_string(&intent).map_err(|e| StartupError::Config(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{json}").map_err(crate::startup::io_context("stdout"))
}
