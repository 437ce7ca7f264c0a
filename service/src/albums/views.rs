//! Albums and links as the API and the page show them to their owner: the same JSON shapes
//! for both.

use super::{LinkTarget, OpenedLink};
use gaillery_core::api::albums::{AlbumInfo, LinkInfo, SharedInfo};
use gaillery_storage::catalog::rfc3339_from_millis;
use gaillery_storage::{Album, Share};

pub fn album_info(album: Album) -> AlbumInfo {
    AlbumInfo {
        id: album.id,
        title: album.title,
        cover: album.cover.map(|cover| cover.to_string()),
        photo_count: album.photo_count,
        created_at: rfc3339_from_millis(album.created_at_ms),
        updated_at: rfc3339_from_millis(album.updated_at_ms),
    }
}

/// Where a link opens, on this server.
pub fn link_path(token: &str) -> String {
    format!("/s/{token}")
}

pub fn link_info(share: Share) -> LinkInfo {
    LinkInfo {
        url: link_path(&share.token),
        token: share.token,
        album_id: share.album_id,
        photo_id: share.photo_id.map(|photo| photo.to_string()),
        expires_at: share.expires_at_ms.map(rfc3339_from_millis),
        has_password: share.password_hash.is_some(),
        created_at: rfc3339_from_millis(share.created_at_ms),
    }
}

/// What a link shows, as its visitor sees it.
pub fn shared_info(link: &OpenedLink) -> SharedInfo {
    match &link.target {
        LinkTarget::Album(album) => SharedInfo {
            kind: "album".to_owned(),
            title: album.title.clone(),
            photo_count: album.photo_count,
        },
        LinkTarget::Photo(photo) => SharedInfo {
            kind: "photo".to_owned(),
            title: photo.filename.clone(),
            photo_count: 1,
        },
    }
}
