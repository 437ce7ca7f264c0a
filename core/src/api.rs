//! Request and response bodies of the JSON HTTP API, shared by the server and the browser.

pub mod accounts;
pub mod albums;

use crate::photo::Photo;
use serde::{Deserialize, Serialize};

/// `GET /api/photos`: one page of photos, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoPage {
    pub photos: Vec<Photo>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_cursor: Option<String>,
}

/// `POST /api/photos`: what was stored and what was refused, one entry per file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadResponse {
    pub photos: Vec<Photo>,
    pub errors: Vec<UploadError>,
}

/// Why one file of an upload was refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadError {
    pub filename: String,
    pub error: String,
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: String,
}

/// `GET /api/tags`: a label that photos carry, and how many do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagCount {
    pub tag: String,
    pub count: u64,
}

/// `GET /api/timeline`: the months that hold photos, newest first, with how many each holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeline {
    pub sections: Vec<TimelineSection>,
}

/// One month of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineSection {
    /// `YYYY-MM`.
    #[cfg_attr(feature = "openapi", schema(example = "2025-05"))]
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub count: u64,
}

/// `GET /api/events`: a photo's processing moved on (server-sent event `photo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoEvent {
    pub id: crate::PhotoId,
    pub status: crate::PhotoStatus,
    pub status_reason: Option<String>,
    /// Set once the photo is `done`: its top labels, most probable first.
    pub labels: Vec<crate::Label>,
}

impl PhotoEvent {
    /// The photo is waiting to be classified (again).
    pub fn queued(id: crate::PhotoId) -> PhotoEvent {
        PhotoEvent {
            id,
            status: crate::PhotoStatus::Queued,
            status_reason: None,
            labels: Vec::new(),
        }
    }

    /// Where `photo` stands now: sent when an announced change did not happen after all.
    pub fn current(photo: &crate::Photo) -> PhotoEvent {
        PhotoEvent {
            id: photo.id.clone(),
            status: photo.status,
            status_reason: photo.status_reason.clone(),
            labels: photo.labels.clone(),
        }
    }
}

/// The most photos one listing request returns.
pub const MAX_PAGE_SIZE: usize = 200;
/// The page size when the request names none.
pub const DEFAULT_PAGE_SIZE: usize = 60;
/// The most search words (tags) one listing or count matches at once.
pub const MAX_SEARCH_TAGS: usize = 8;
/// The most photos one delete request names.
pub const MAX_DELETE_IDS: usize = 1_000;
/// The longest spoken command the server parses, in characters.
pub const MAX_VOICE_TEXT_CHARS: usize = 512;
