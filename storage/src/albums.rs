//! Albums (an owner's photos in an order of their choosing) and share links (a secret token
//! that opens one album or one photo to whoever holds it).
//!
//! As for accounts, storage keeps what the service decides: the service makes album ids and
//! share tokens, checks that the photos it adds belong to the owner, and checks that a photo
//! it shares exists. Storage never reads the clock: calls that change an album or depend on an
//! expiry take `now_ms`.
//!
//! # Order
//!
//! Each photo of an album has an `i64` position, and the album lists its photos by position
//! (then photo id, so the order is total even if two positions were ever equal). Positions are
//! gapped: appended photos are [`POSITION_GAP`] apart, and a photo moved between two others
//! takes the midpoint of theirs, so a move writes one membership, whatever the album's size.
//! Only when a gap is used up (about 20 moves into the same spot, see [`position_between`]) is
//! the album renumbered, every photo again `POSITION_GAP` apart. Integers rather than floats:
//! their midpoints are exact, and running out of room is a plain comparison. Positions are the
//! adapters' business; callers only see the order.
//!
//! Besides the trait, this module holds what every adapter shares so they agree to the byte:
//! the position arithmetic, the listing cursor and the checks of new albums and shares.

use crate::catalog::page_limit;
use crate::StorageError;
use async_trait::async_trait;
use gaillery_core::{OwnerId, PhotoId};

/// An owner's album.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Album {
    /// Opaque, made by the service; unique per owner (another owner may have the same id, for
    /// another album).
    pub id: String,
    pub owner: OwnerId,
    pub title: String,
    /// One of the album's photos; `None` lets the service pick (the first, say).
    pub cover: Option<PhotoId>,
    /// How many photos the album holds; computed by storage (ignored when creating).
    pub photo_count: u64,
    pub created_at_ms: i64,
    /// The last change to the album itself: title, cover, photos added, removed or reordered.
    /// Deleting a photo from the gallery (see [`AlbumStore::remove_photo_from_albums`]) does
    /// not count.
    pub updated_at_ms: i64,
}

/// A share link: whoever holds the token sees one album or one photo of `owner`.
///
/// The token is stored as is, unlike session tokens, so the owner's list of links can show
/// each link again; it only ever opens what it shares, read-only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// The link's secret; the service makes it (at least 128 random bits).
    pub token: String,
    pub owner: OwnerId,
    /// Exactly one of `album_id` and `photo_id` is set (see [`check_share`]).
    pub album_id: Option<String>,
    pub photo_id: Option<PhotoId>,
    /// The service's hash of the link's password, if it has one; storage never interprets it.
    pub password_hash: Option<String>,
    /// The link is over at this instant: a read at `now_ms >= expires_at_ms` finds nothing.
    pub expires_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

impl Share {
    /// Whether the link has expired by `now_ms`.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expires_at_ms.is_some_and(|at| now_ms >= at)
    }
}

/// One page of an album's photos, in album order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlbumPage {
    pub photo_ids: Vec<PhotoId>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Albums, the order of their photos, and share links.
///
/// Every album method is scoped to an owner: another owner's album is as good as missing, and
/// is never changed. A method that changes an album sets its `updated_at_ms` to `now_ms`.
#[async_trait]
pub trait AlbumStore: Send + Sync + 'static {
    /// Stores a new, empty album (`photo_count` is ignored; a `cover` is refused, see
    /// [`check_new_album`]). An id the owner already uses is a `Backend` error: ids are the
    /// caller's to make unique.
    async fn create_album(&self, album: Album) -> Result<(), StorageError>;

    /// The album with its photo count.
    async fn album(&self, owner: &OwnerId, id: &str) -> Result<Option<Album>, StorageError>;

    /// The owner's albums, newest first (`created_at_ms`, then `id`, descending).
    async fn albums_of(&self, owner: &OwnerId) -> Result<Vec<Album>, StorageError>;

    /// `false` if the owner has no such album.
    async fn rename_album(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Sets the cover (`None` clears it). `false`, with nothing changed, if there is no such
    /// album or `cover` is not one of its photos.
    async fn set_album_cover(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Deletes the album with its memberships and its share links, never a photo. `false` if
    /// there was no such album. Once it returns `true`, nothing of the album is listed, and a
    /// share of it no longer opens; a deletion that fails half-way leaves the album with fewer
    /// photos, and deleting it again finishes the work.
    async fn delete_album(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError>;

    /// Appends `photos`, in the order given, after the album's last photo. A photo already in
    /// the album (or earlier in `photos`) is skipped, not moved. Returns how many were added;
    /// `None` if there is no such album. The caller checks that the photos are the owner's.
    /// Many photos may be added in several steps: each keeps the count and the memberships in
    /// agreement, and a failure leaves a prefix of `photos` added.
    async fn add_to_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
        now_ms: i64,
    ) -> Result<Option<u64>, StorageError>;

    /// Removes one photo from the album; if it was the cover, the album has none after. `false`
    /// if there is no such album or the photo is not in it.
    async fn remove_from_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Moves `photo` to just before `before`, or to the end when `before` is `None`; the other
    /// photos keep their order. `false`, with nothing changed, if there is no such album or
    /// either photo is not in it. Moving a photo where it already is changes nothing (and is
    /// `true`).
    async fn move_in_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// The album's photos in album order, a page at a time, as [`Catalog::list_photos`]
    /// pages: `cursor` is the `next_cursor` of the previous page (a malformed one is
    /// `InvalidCursor`), `limit` is clamped to `1..=MAX_PAGE_SIZE`. A missing album has no
    /// photos.
    ///
    /// [`Catalog::list_photos`]: crate::Catalog::list_photos
    async fn album_photo_ids(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AlbumPage, StorageError>;

    /// For a photo deleted from the gallery: removes it from every album of the owner (clearing
    /// it as cover) and deletes the links that share it alone. Leaves `updated_at_ms` alone.
    async fn remove_photo_from_albums(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<(), StorageError>;

    /// The ids of the owner's albums that hold `photo`, in id order.
    async fn albums_of_photo(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<Vec<String>, StorageError>;

    /// For a deleted account: every album of the owner, with their memberships, and every
    /// share link of the owner. Returns how many albums were deleted.
    async fn delete_albums_of(&self, owner: &OwnerId) -> Result<u64, StorageError>;

    /// Stores a new share link. `false`, with nothing stored, if it shares an album the owner
    /// does not have: so a link racing the deletion of its album cannot outlive it. A shared
    /// photo is the caller's to check. A share that names neither or both of an album and a
    /// photo, or a token already stored, is a `Backend` error.
    async fn create_share(&self, share: Share) -> Result<bool, StorageError>;

    /// The share link, unless it has expired by `now_ms`.
    async fn share(&self, token: &str, now_ms: i64) -> Result<Option<Share>, StorageError>;

    /// The owner's links that have not expired by `now_ms`, newest first (`created_at_ms`,
    /// then `token`, descending). Expired links are dropped by the adapters in their own time.
    async fn shares_of(&self, owner: &OwnerId, now_ms: i64) -> Result<Vec<Share>, StorageError>;

    /// `false` if the owner has no link with this token (another owner's link is never
    /// touched).
    async fn delete_share(&self, owner: &OwnerId, token: &str) -> Result<bool, StorageError>;
}

/// The longest album id accepted, in bytes: ids are the service's, short, and end up in
/// storage keys.
pub const MAX_ALBUM_ID_BYTES: usize = 128;

/// Refuses an album that [`AlbumStore::create_album`] must not store: an empty or overlong id,
/// or a cover (a new album has no photos).
pub fn check_new_album(album: &Album) -> Result<(), StorageError> {
    if album.id.is_empty() || album.id.len() > MAX_ALBUM_ID_BYTES {
        return Err(StorageError::Backend(format!(
            "album id of {} bytes is not 1 to {MAX_ALBUM_ID_BYTES}",
            album.id.len()
        )));
    }
    if album.cover.is_some() {
        return Err(StorageError::Backend(format!(
            "new album {:?} cannot have a cover: it has no photos",
            album.id
        )));
    }
    Ok(())
}

/// Refuses a share that names neither or both of an album and a photo.
pub fn check_share(share: &Share) -> Result<(), StorageError> {
    match (&share.album_id, &share.photo_id) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err(StorageError::Backend(
            "a share names exactly one of an album and a photo".into(),
        )),
    }
}

/// How far apart photos are put: room for 20 midpoints in one spot before a renumbering, and
/// for 2^43 photos appended one after the other.
pub const POSITION_GAP: i64 = 1 << 20;

/// A position strictly between `prev` and `next` (either may be absent: the start or the end
/// of the album; both: an empty album). `None` when there is no room, so the album must be
/// renumbered first: two neighbours less than 2 apart, or an end of the `i64` range reached.
pub fn position_between(prev: Option<i64>, next: Option<i64>) -> Option<i64> {
    match (prev, next) {
        (None, None) => Some(0),
        (Some(prev), None) => prev.checked_add(POSITION_GAP),
        (None, Some(next)) => next.checked_sub(POSITION_GAP),
        (Some(prev), Some(next)) => {
            let room = i128::from(next) - i128::from(prev);
            // In range, since prev < midpoint < next.
            (room >= 2).then(|| (i128::from(prev) + room / 2) as i64)
        }
    }
}

/// The positions of an album of `count` photos renumbered: `0, POSITION_GAP, 2 ×
/// POSITION_GAP, ...`, in album order.
pub fn renumbered(count: usize) -> impl Iterator<Item = i64> {
    (0..count).map(|i| (i as i64).saturating_mul(POSITION_GAP))
}

/// Where a page of an album stopped: the position and id of its last photo. The next page
/// starts strictly after it, so photos added or moved meanwhile never repeat a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlbumCursor {
    pub position: i64,
    pub photo: PhotoId,
}

impl AlbumCursor {
    /// `{position}.{photo}`: URL-safe, because ids are `[0-9a-z]`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.position, self.photo)
    }

    pub fn decode(raw: &str) -> Result<AlbumCursor, StorageError> {
        let (position, photo) = raw.split_once('.').ok_or(StorageError::InvalidCursor)?;
        let cursor = AlbumCursor {
            position: position.parse().map_err(|_| StorageError::InvalidCursor)?,
            photo: PhotoId::parse(photo).ok_or(StorageError::InvalidCursor)?,
        };
        // Only the exact form `encode` writes, so one place in an album has one cursor.
        if cursor.encode() != raw {
            return Err(StorageError::InvalidCursor);
        }
        Ok(cursor)
    }
}

/// A page of `limit` from `rows` (position and id, in album order), which holds up to one more
/// than `limit`: the extra one only says that a next page exists.
pub fn album_page(mut rows: Vec<(i64, PhotoId)>, limit: usize) -> AlbumPage {
    let limit = page_limit(limit);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(position, photo)| {
            AlbumCursor {
                position: *position,
                photo: photo.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    AlbumPage {
        photo_ids: rows.into_iter().map(|(_, photo)| photo).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_fall_between_their_neighbours() {
        assert_eq!(position_between(None, None), Some(0));
        assert_eq!(position_between(Some(7), None), Some(7 + POSITION_GAP));
        assert_eq!(position_between(None, Some(7)), Some(7 - POSITION_GAP));
        assert_eq!(position_between(Some(0), Some(10)), Some(5));
        assert_eq!(position_between(Some(-3), Some(0)), Some(-2));
        assert_eq!(position_between(Some(4), Some(6)), Some(5));
        assert_eq!(position_between(Some(4), Some(5)), None, "no room");
        assert_eq!(position_between(Some(4), Some(4)), None, "equal neighbours");
        assert_eq!(position_between(Some(i64::MAX - 1), None), None);
        assert_eq!(position_between(None, Some(i64::MIN + 1)), None);
        let wide = position_between(Some(i64::MIN), Some(i64::MAX)).unwrap();
        assert!(i64::MIN < wide && wide < i64::MAX);
    }

    #[test]
    fn one_gap_takes_twenty_moves_into_one_spot() {
        let (first, mut next) = (0, POSITION_GAP);
        let mut moves = 0;
        while let Some(between) = position_between(Some(first), Some(next)) {
            assert!(first < between && between < next);
            next = between;
            moves += 1;
        }
        assert_eq!(moves, 20);
    }

    #[test]
    fn renumbering_spaces_photos_one_gap_apart() {
        let positions: Vec<i64> = renumbered(3).collect();
        assert_eq!(positions, [0, POSITION_GAP, 2 * POSITION_GAP]);
    }

    #[test]
    fn album_cursors_round_trip_and_refuse_anything_else() {
        for position in [0, -5, POSITION_GAP * 3 + 1, i64::MIN, i64::MAX] {
            let cursor = AlbumCursor {
                position,
                photo: PhotoId::parse("01hx3k9v7g").unwrap(),
            };
            assert_eq!(AlbumCursor::decode(&cursor.encode()), Ok(cursor));
        }
        for bad in [
            "", ".", "12", "12.", ".abc", "+12.abc", "012.abc", "-0.abc", "1.A",
        ] {
            assert_eq!(
                AlbumCursor::decode(bad),
                Err(StorageError::InvalidCursor),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn pages_know_whether_more_follow() {
        let id = |raw: &str| PhotoId::parse(raw).unwrap();
        let rows = vec![(1, id("a")), (2, id("b")), (3, id("c"))];
        let page = album_page(rows.clone(), 2);
        assert_eq!(page.photo_ids, [id("a"), id("b")]);
        assert_eq!(page.next_cursor.as_deref(), Some("2.b"));
        let last = album_page(rows, 3);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn shares_name_one_target_and_expire_at_their_instant() {
        let share = Share {
            token: "t".into(),
            owner: OwnerId::local(),
            album_id: Some("a".into()),
            photo_id: None,
            password_hash: None,
            expires_at_ms: Some(10),
            created_at_ms: 0,
        };
        assert_eq!(check_share(&share), Ok(()));
        assert!(!share.is_expired(9) && share.is_expired(10));
        let both = Share {
            photo_id: PhotoId::parse("p"),
            ..share.clone()
        };
        assert!(check_share(&both).is_err());
        let neither = Share {
            album_id: None,
            ..share
        };
        assert!(check_share(&neither).is_err());
    }
}
