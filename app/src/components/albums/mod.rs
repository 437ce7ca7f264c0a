//! Albums: the list of one's albums (`/albums`), an album's page (`/albums/{id}`) with the same
//! grid and lightbox as the library, adding photos to an album from the selection or the
//! lightbox, and sharing an album or a photo by a link.
//!
//! - `list_page`: the albums, with their covers, and making a new one.
//! - `album_page`: one album: rename, share, delete; its grid and lightbox.
//! - `album_selection`: selected photos taken out of the album, moved, or made the cover.
//! - `picker`: "Add to album", for the selection and the lightbox.
//! - `by_voice`: "show the album Holidays", "add this to Holidays".
//! - `share`: the share dialog, for an album or (from the lightbox) a photo: a new link with an
//!   expiry and a password, the live links, revoking one.

mod album_page;
mod album_selection;
mod by_voice;
mod list_page;
mod picker;
mod share;

pub use album_page::AlbumPage;
pub use by_voice::{add_to_album_by_voice, show_album_by_voice};
pub use list_page::AlbumsPage;
pub use picker::AddToAlbumButton;
pub use share::SharePhotoButton;

/// "1 photo", "12 photos".
pub(crate) fn count_text(count: u64) -> String {
    match count {
        1 => "1 photo".to_owned(),
        n => format!("{n} photos"),
    }
}
