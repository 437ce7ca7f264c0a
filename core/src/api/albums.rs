//! The JSON bodies of albums and share links (`/api/albums`, `/api/shares`, `/api/shared`).

use serde::{Deserialize, Serialize};

/// `POST /api/albums`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAlbum {
    pub title: String,
}

/// An album, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlbumInfo {
    pub id: String,
    pub title: String,
    /// The cover photo's id; `null`: the first photo is shown.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub cover: Option<String>,
    pub photo_count: u64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: the last change of title, cover, photos or order.
    pub updated_at: String,
}

/// `PATCH /api/albums/{id}`: what to change; absent fields stay.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlbumChange {
    #[serde(default)]
    pub title: Option<String>,
    /// A photo of the album; an empty string clears the cover.
    #[serde(default)]
    pub cover: Option<String>,
}

/// `POST /api/albums/{id}/photos`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlbumPhotos {
    pub photo_ids: Vec<String>,
}

/// The answer to `POST /api/albums/{id}/photos`: how many were not in the album yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Added {
    pub added: u64,
}

/// `POST /api/albums/{id}/photos/{photo}/move`: put the photo just before `before`, or last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Move {
    #[serde(default)]
    pub before: Option<String>,
}

/// `POST /api/albums/{id}/share` and `POST /api/photos/{id}/share`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLink {
    /// 1 to 3650; absent: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    /// At least 6 characters; absent or empty: no password.
    #[serde(default)]
    pub password: Option<String>,
}

/// A share link, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInfo {
    pub token: String,
    /// Where the link opens: `/s/{token}` on this server.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub album_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_id: Option<String>,
    /// RFC 3339, UTC; `null`: until revoked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<String>,
    pub has_password: bool,
    pub created_at: String,
}

/// `GET /api/shared/{token}`: what a link shows, for its visitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedInfo {
    /// `album` or `photo`.
    pub kind: String,
    /// The album's title, or the photo's file name.
    pub title: String,
    pub photo_count: u64,
}

/// `POST /api/shared/{token}/unlock`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unlock {
    pub password: String,
}
