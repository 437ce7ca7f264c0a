//! Where the photos a grid shows come from: the signed-in owner's library, one of their albums,
//! or a share link opened by anyone. The grid, the lightbox and the listing are the same for
//! all three; what differs is listed here: where pages come from, the images' addresses, the
//! page's own address, and what the visitor may change.

use crate::error::AppError;
use crate::server_fns::{list_album_photos, list_photos, list_shared_photos};
use gaillery_core::api::PhotoPage;
use gaillery_core::percent::percent_encode;
use gaillery_core::{Photo, PhotoId, Variant};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PhotoSource {
    /// The owner's photos, newest first, filtered by tags.
    #[default]
    Library,
    /// One of the owner's albums, by its id, in album order.
    Album(String),
    /// What a share link shows, by its token: read-only.
    Link(String),
}

impl PhotoSource {
    /// The page that shows these photos, without a query.
    pub fn path(&self) -> String {
        match self {
            PhotoSource::Library => "/".to_owned(),
            PhotoSource::Album(id) => format!("/albums/{}", percent_encode(id)),
            PhotoSource::Link(token) => format!("/s/{}", percent_encode(token)),
        }
    }

    /// The address of one of a photo's images, as this page's visitor may fetch it.
    pub fn image_url(&self, photo: &Photo, variant: Variant) -> String {
        match self {
            PhotoSource::Link(token) => format!(
                "/api/shared/{}/photos/{}/{}",
                percent_encode(token),
                photo.id,
                variant.path_segment()
            ),
            PhotoSource::Library | PhotoSource::Album(_) => photo.url(variant),
        }
    }

    /// Whether the visitor only looks: no delete, no classify, no labels' search.
    pub fn read_only(&self) -> bool {
        matches!(self, PhotoSource::Link(_))
    }

    /// One page of the photos, from `cursor`; `tags` filter the library only.
    pub async fn list(
        &self,
        cursor: Option<String>,
        tags: Vec<String>,
    ) -> Result<PhotoPage, AppError> {
        match self {
            PhotoSource::Library => list_photos(cursor, tags).await,
            PhotoSource::Album(id) => list_album_photos(id.clone(), cursor).await,
            PhotoSource::Link(token) => list_shared_photos(token.clone(), cursor).await,
        }
    }
}

/// The address of a page of photos with a tag filter and an open photo:
/// `{path}?tag=a&tag=b&photo=ID`.
pub fn page_url_at(path: &str, tags: &[String], photo: Option<&PhotoId>) -> String {
    let mut params: Vec<String> = tags
        .iter()
        .map(|tag| format!("tag={}", percent_encode(tag)))
        .collect();
    if let Some(id) = photo {
        params.push(format!("photo={id}"));
    }
    if params.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", params.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_has_its_page_and_image_addresses() {
        let id = PhotoId::parse("abc123").unwrap();
        let album = PhotoSource::Album("alb1".into());
        assert_eq!(
            page_url_at(&album.path(), &[], Some(&id)),
            "/albums/alb1?photo=abc123"
        );
        let link = PhotoSource::Link("00ff".into());
        assert_eq!(page_url_at(&link.path(), &[], None), "/s/00ff");
        assert!(link.read_only() && !album.read_only() && !PhotoSource::Library.read_only());
    }
}
