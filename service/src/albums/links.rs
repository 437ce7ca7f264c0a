//! Share links: an album (or one photo) shown to anyone holding the link, read-only, until it
//! expires or is revoked. A link may have a password; a visitor who gave it holds a proof of it
//! (a hash of the link and its password's hash) that opens the link from then on, and changes
//! if the link does.

use super::Albums;
use crate::{ids, ImageSource, ServiceError};
use gaillery_core::api::PhotoPage;
use gaillery_core::{OwnerId, Photo, PhotoId};
use gaillery_storage::{Album, Share};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The longest a link can be made to last, in days; without an expiry it lasts until revoked.
pub const MAX_LINK_DAYS: u32 = 3650;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The cookie that proves a visitor gave a link's password: one per link.
pub fn proof_cookie_name(token: &str) -> String {
    format!("gaillery_link_{token}")
}

/// What a link shows.
#[derive(Clone, Debug)]
pub enum LinkTarget {
    Album(Album),
    Photo(Photo),
}

/// A live link a visitor may look through.
#[derive(Clone, Debug)]
pub struct OpenedLink {
    pub token: String,
    owner: OwnerId,
    pub target: LinkTarget,
}

impl Albums {
    /// A new link to one of the owner's albums.
    pub async fn share_album(
        &self,
        owner: &OwnerId,
        album: &str,
        expires_in_days: Option<u32>,
        password: Option<&str>,
    ) -> Result<Share, ServiceError> {
        self.get(owner, album).await?;
        let share = self
            .new_link(
                owner,
                Some(album.to_owned()),
                None,
                expires_in_days,
                password,
            )
            .await?;
        if !self.store.create_share(share.clone()).await? {
            return Err(ServiceError::NoSuch("album"));
        }
        tracing::info!(owner = %owner.0, album, "album shared by a link");
        Ok(share)
    }

    /// A new link to one of the owner's photos.
    pub async fn share_photo(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
        expires_in_days: Option<u32>,
        password: Option<&str>,
    ) -> Result<Share, ServiceError> {
        self.gallery.photo(owner, photo).await?;
        let share = self
            .new_link(owner, None, Some(photo.clone()), expires_in_days, password)
            .await?;
        self.store.create_share(share.clone()).await?;
        tracing::info!(owner = %owner.0, photo = %photo, "photo shared by a link");
        Ok(share)
    }

    async fn new_link(
        &self,
        owner: &OwnerId,
        album_id: Option<String>,
        photo_id: Option<PhotoId>,
        expires_in_days: Option<u32>,
        password: Option<&str>,
    ) -> Result<Share, ServiceError> {
        if let Some(days) = expires_in_days {
            if !(1..=MAX_LINK_DAYS).contains(&days) {
                return Err(ServiceError::Invalid(format!(
                    "a link expires in 1 to {MAX_LINK_DAYS} days, or never"
                )));
            }
        }
        let password_hash = match password.filter(|password| !password.is_empty()) {
            Some(password) => Some(self.accounts.hash_link_password(password).await?),
            None => None,
        };
        let now = ids::now_ms();
        Ok(Share {
            // 256 random bits: nobody finds a link by trying.
            token: crate::accounts::random_secret(),
            owner: owner.clone(),
            album_id,
            photo_id,
            password_hash,
            expires_at_ms: expires_in_days.map(|days| now + i64::from(days) * DAY_MS),
            created_at_ms: now,
        })
    }

    /// The owner's live links, newest first.
    pub async fn links(&self, owner: &OwnerId) -> Result<Vec<Share>, ServiceError> {
        Ok(self.store.shares_of(owner, ids::now_ms()).await?)
    }

    /// Ends one of the owner's links at once.
    pub async fn revoke_link(&self, owner: &OwnerId, token: &str) -> Result<(), ServiceError> {
        if !self.store.delete_share(owner, token).await? {
            return Err(ServiceError::NoSuch("link"));
        }
        tracing::info!(owner = %owner.0, "share link revoked");
        Ok(())
    }

    /// What a visitor holding `token` may see: `NoSuch("link")` for a link that does not exist,
    /// expired or was revoked (or whose album is gone); `PasswordRequired` unless `proof`
    /// (from [`Albums::unlock_link`]) opens a link with a password.
    pub async fn open_link(
        &self,
        token: &str,
        proof: Option<&str>,
    ) -> Result<OpenedLink, ServiceError> {
        let plausible =
            (32..=128).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !plausible {
            return Err(ServiceError::NoSuch("link"));
        }
        let share = self
            .store
            .share(token, ids::now_ms())
            .await?
            .ok_or(ServiceError::NoSuch("link"))?;
        if let Some(hash) = &share.password_hash {
            if proof != Some(unlock_proof(token, hash).as_str()) {
                return Err(ServiceError::PasswordRequired);
            }
        }
        let target = match (&share.album_id, &share.photo_id) {
            (Some(album), _) => LinkTarget::Album(
                self.store
                    .album(&share.owner, album)
                    .await?
                    .ok_or(ServiceError::NoSuch("link"))?,
            ),
            (None, Some(photo)) => match self.gallery.photo(&share.owner, photo).await {
                Ok(photo) => LinkTarget::Photo(photo),
                Err(ServiceError::NotFound) => return Err(ServiceError::NoSuch("link")),
                Err(other) => return Err(other),
            },
            (None, None) => return Err(ServiceError::NoSuch("link")),
        };
        Ok(OpenedLink {
            token: token.to_owned(),
            owner: share.owner,
            target,
        })
    }

    /// Checks a link's password (throttled like sign-ins) and returns the proof that opens
    /// the link from then on.
    pub async fn unlock_link(
        &self,
        token: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<String, ServiceError> {
        let share = self
            .store
            .share(token, ids::now_ms())
            .await?
            .ok_or(ServiceError::NoSuch("link"))?;
        let Some(hash) = share.password_hash else {
            return Ok(String::new());
        };
        self.accounts
            .check_link_password(token, &hash, password, client)
            .await?;
        Ok(unlock_proof(token, &hash))
    }

    /// A page of what the link shows: the album's photos in order, or the one photo.
    pub async fn link_photos(
        &self,
        link: &OpenedLink,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        match &link.target {
            LinkTarget::Album(album) => self.page_of(&link.owner, &album.id, cursor, limit).await,
            LinkTarget::Photo(photo) => Ok(PhotoPage {
                photos: vec![photo.clone()],
                next_cursor: None,
            }),
        }
    }

    /// What serving one of the link's photos needs; `NotFound` for any photo it does not show.
    pub async fn link_image_source(
        &self,
        link: &OpenedLink,
        photo: &PhotoId,
    ) -> Result<ImageSource, ServiceError> {
        let shown = match &link.target {
            LinkTarget::Album(album) => self
                .store
                .albums_of_photo(&link.owner, photo)
                .await?
                .contains(&album.id),
            LinkTarget::Photo(shared) => &shared.id == photo,
        };
        if !shown {
            return Err(ServiceError::NotFound);
        }
        self.gallery.image_source(&link.owner, photo).await
    }
}

/// What a visitor who gave a link's password holds: it cannot be made without the password's
/// hash, which never leaves the server, and it changes with the link's password.
fn unlock_proof(token: &str, password_hash: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"gaillery share link unlocked\0");
    digest.update(token.as_bytes());
    digest.update(b"\0");
    digest.update(password_hash.as_bytes());
    hex::encode(digest.finalize())
}
