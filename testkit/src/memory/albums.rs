//! Albums and share links of the in-memory catalog. One mutex holds them all, so every call
//! is atomic, as a transaction is in the real adapters; positions follow the same arithmetic
//! (`gaillery_storage::albums`), renumbering included.

use super::*;
use gaillery_storage::albums::{
    album_page, check_new_album, check_share, position_between, renumbered, AlbumCursor,
};
use gaillery_storage::{Album, AlbumPage, AlbumStore, Share};

#[derive(Default)]
pub(super) struct AlbumsState {
    /// By owner and id.
    albums: HashMap<(OwnerId, String), StoredAlbum>,
    /// By token.
    shares: HashMap<String, Share>,
}

struct StoredAlbum {
    /// As created, then renamed and covered; its `photo_count` is `photos.len()`.
    album: Album,
    /// Each photo's position.
    photos: HashMap<PhotoId, i64>,
}

impl StoredAlbum {
    fn album(&self) -> Album {
        Album {
            photo_count: self.photos.len() as u64,
            ..self.album.clone()
        }
    }

    /// Positions and ids in album order.
    fn ordered(&self) -> Vec<(i64, PhotoId)> {
        let mut rows: Vec<(i64, PhotoId)> = self
            .photos
            .iter()
            .map(|(photo, position)| (*position, photo.clone()))
            .collect();
        rows.sort();
        rows
    }

    fn renumber(&mut self) {
        for ((_, photo), position) in self
            .ordered()
            .into_iter()
            .zip(renumbered(self.photos.len()))
        {
            self.photos.insert(photo, position);
        }
    }

    /// The position just after the last photo, renumbering first if the end of the range is
    /// reached.
    fn next_position(&mut self) -> i64 {
        loop {
            let last = self.photos.values().max().copied();
            match position_between(last, None) {
                Some(position) => return position,
                None => self.renumber(),
            }
        }
    }

    /// Moves `photo` before `before` (at the end if `None`); both are members. `false` when
    /// it already was there.
    fn place(&mut self, photo: &PhotoId, before: Option<&PhotoId>) -> bool {
        for _ in 0..2 {
            let order = self.ordered();
            let at = before.map_or(order.len(), |before| {
                order.iter().position(|(_, p)| p == before).unwrap_or(0)
            });
            let prev = at.checked_sub(1).map(|i| &order[i]);
            if prev.is_some_and(|(_, p)| p == photo) || before == Some(photo) {
                return false;
            }
            let next = order.get(at).map(|(position, _)| *position);
            if let Some(position) = position_between(prev.map(|(position, _)| *position), next) {
                self.photos.insert(photo.clone(), position);
                return true;
            }
            self.renumber();
        }
        unreachable!("a renumbered album has room between every two photos")
    }
}

impl MemoryCatalog {
    fn albums(&self) -> MutexGuard<'_, AlbumsState> {
        // As `lock`: every change is made after all its checks.
        self.albums.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AlbumsState {
    fn get_mut(&mut self, owner: &OwnerId, id: &str) -> Option<&mut StoredAlbum> {
        self.albums.get_mut(&(owner.clone(), id.to_owned()))
    }
}

#[async_trait]
impl AlbumStore for MemoryCatalog {
    async fn create_album(&self, album: Album) -> Result<(), StorageError> {
        check_new_album(&album)?;
        let mut state = self.albums();
        let key = (album.owner.clone(), album.id.clone());
        if state.albums.contains_key(&key) {
            return Err(StorageError::Backend(format!(
                "album id {:?} is taken",
                album.id
            )));
        }
        let album = Album {
            photo_count: 0,
            ..album
        };
        let photos = HashMap::new();
        state.albums.insert(key, StoredAlbum { album, photos });
        Ok(())
    }

    async fn album(&self, owner: &OwnerId, id: &str) -> Result<Option<Album>, StorageError> {
        let state = self.albums();
        let key = (owner.clone(), id.to_owned());
        Ok(state.albums.get(&key).map(StoredAlbum::album))
    }

    async fn albums_of(&self, owner: &OwnerId) -> Result<Vec<Album>, StorageError> {
        let mut albums: Vec<Album> = self
            .albums()
            .albums
            .values()
            .filter(|stored| &stored.album.owner == owner)
            .map(StoredAlbum::album)
            .collect();
        albums.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        Ok(albums)
    }

    async fn rename_album(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.albums();
        let Some(stored) = state.get_mut(owner, id) else {
            return Ok(false);
        };
        stored.album.title = title.to_owned();
        stored.album.updated_at_ms = now_ms;
        Ok(true)
    }

    async fn set_album_cover(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.albums();
        let Some(stored) = state.get_mut(owner, id) else {
            return Ok(false);
        };
        if cover.is_some_and(|cover| !stored.photos.contains_key(cover)) {
            return Ok(false);
        }
        stored.album.cover = cover.cloned();
        stored.album.updated_at_ms = now_ms;
        Ok(true)
    }

    async fn delete_album(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        let mut state = self.albums();
        if state
            .albums
            .remove(&(owner.clone(), id.to_owned()))
            .is_none()
        {
            return Ok(false);
        }
        state
            .shares
            .retain(|_, share| !(&share.owner == owner && share.album_id.as_deref() == Some(id)));
        Ok(true)
    }

    async fn add_to_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
        now_ms: i64,
    ) -> Result<Option<u64>, StorageError> {
        let mut state = self.albums();
        let Some(stored) = state.get_mut(owner, id) else {
            return Ok(None);
        };
        let mut added = 0;
        for photo in photos {
            if !stored.photos.contains_key(photo) {
                let position = stored.next_position();
                stored.photos.insert(photo.clone(), position);
                added += 1;
            }
        }
        if added > 0 {
            stored.album.updated_at_ms = now_ms;
        }
        Ok(Some(added))
    }

    async fn remove_from_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.albums();
        let Some(stored) = state.get_mut(owner, id) else {
            return Ok(false);
        };
        if stored.photos.remove(photo).is_none() {
            return Ok(false);
        }
        if stored.album.cover.as_ref() == Some(photo) {
            stored.album.cover = None;
        }
        stored.album.updated_at_ms = now_ms;
        Ok(true)
    }

    async fn move_in_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.albums();
        let Some(stored) = state.get_mut(owner, id) else {
            return Ok(false);
        };
        let members = |p: &PhotoId| stored.photos.contains_key(p);
        if !members(photo) || before.is_some_and(|before| !members(before)) {
            return Ok(false);
        }
        if stored.place(photo, before) {
            stored.album.updated_at_ms = now_ms;
        }
        Ok(true)
    }

    async fn album_photo_ids(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AlbumPage, StorageError> {
        let after = cursor.map(AlbumCursor::decode).transpose()?;
        let limit = page_limit(limit);
        let state = self.albums();
        let Some(stored) = state.albums.get(&(owner.clone(), id.to_owned())) else {
            return Ok(AlbumPage::default());
        };
        let rows = stored
            .ordered()
            .into_iter()
            .filter(|(position, photo)| {
                after
                    .as_ref()
                    .is_none_or(|after| (*position, photo) > (after.position, &after.photo))
            })
            .take(limit + 1)
            .collect();
        Ok(album_page(rows, limit))
    }

    async fn remove_photo_from_albums(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<(), StorageError> {
        let mut state = self.albums();
        for stored in state.albums.values_mut() {
            if &stored.album.owner == owner {
                stored.photos.remove(photo);
                if stored.album.cover.as_ref() == Some(photo) {
                    stored.album.cover = None;
                }
            }
        }
        state
            .shares
            .retain(|_, share| !(&share.owner == owner && share.photo_id.as_ref() == Some(photo)));
        Ok(())
    }

    async fn albums_of_photo(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<Vec<String>, StorageError> {
        let mut ids: Vec<String> = self
            .albums()
            .albums
            .values()
            .filter(|stored| &stored.album.owner == owner && stored.photos.contains_key(photo))
            .map(|stored| stored.album.id.clone())
            .collect();
        ids.sort();
        Ok(ids)
    }

    async fn delete_albums_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let mut state = self.albums();
        let before = state.albums.len();
        state.albums.retain(|(of, _), _| of != owner);
        state.shares.retain(|_, share| &share.owner != owner);
        Ok((before - state.albums.len()) as u64)
    }

    async fn create_share(&self, share: Share) -> Result<bool, StorageError> {
        check_share(&share)?;
        let mut state = self.albums();
        if let Some(album_id) = &share.album_id {
            if !state
                .albums
                .contains_key(&(share.owner.clone(), album_id.clone()))
            {
                return Ok(false);
            }
        }
        // As SQLite: each new share sweeps out the expired ones.
        let now_ms = share.created_at_ms;
        state.shares.retain(|_, stored| !stored.is_expired(now_ms));
        if state.shares.contains_key(&share.token) {
            return Err(StorageError::Backend("share token is taken".into()));
        }
        state.shares.insert(share.token.clone(), share);
        Ok(true)
    }

    async fn share(&self, token: &str, now_ms: i64) -> Result<Option<Share>, StorageError> {
        Ok(self
            .albums()
            .shares
            .get(token)
            .filter(|share| !share.is_expired(now_ms))
            .cloned())
    }

    async fn shares_of(&self, owner: &OwnerId, now_ms: i64) -> Result<Vec<Share>, StorageError> {
        let mut shares: Vec<Share> = self
            .albums()
            .shares
            .values()
            .filter(|share| &share.owner == owner && !share.is_expired(now_ms))
            .cloned()
            .collect();
        shares.sort_by(|a, b| (b.created_at_ms, &b.token).cmp(&(a.created_at_ms, &a.token)));
        Ok(shares)
    }

    async fn delete_share(&self, owner: &OwnerId, token: &str) -> Result<bool, StorageError> {
        let mut state = self.albums();
        if state
            .shares
            .get(token)
            .is_none_or(|share| &share.owner != owner)
        {
            return Ok(false);
        }
        state.shares.remove(token);
        Ok(true)
    }
}
