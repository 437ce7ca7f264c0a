//! Names unique to one run of a check, so checks never meet in a shared backend.

use crate::accounts::{Account, ApiToken, Session};
use crate::albums::{Album, Share};
use crate::blob::BlobKey;
use crate::catalog::NewPhoto;
use gaillery_core::{OwnerId, PhotoId, PhotoStatus};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fixed instant for photos whose time only matters relative to others'.
pub(super) const T0: i64 = 1_795_705_445_123; // 2026-11-26T15:04:05.123Z

/// Names unique to one run of a check: a tag made of the time, the process and a counter.
pub(super) struct Run {
    pub(super) tag: String,
    counter: AtomicU64,
}

impl Run {
    pub(super) fn new() -> Run {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let salt =
            u128::from(std::process::id()) << 64 | u128::from(RUNS.fetch_add(1, Ordering::Relaxed));
        Run {
            tag: base36(nanos ^ salt.rotate_left(17)),
            counter: AtomicU64::new(0),
        }
    }

    pub(super) fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn key(&self, check: &str, name: &str) -> BlobKey {
        let raw = format!("contract/{}/{check}/{name}", self.tag);
        BlobKey::new(&raw).unwrap_or_else(|e| panic!("contract key {raw:?}: {e}"))
    }

    pub(super) fn owner(&self, check: &str) -> OwnerId {
        OwnerId(format!("contract-{}-{check}-{}", self.tag, self.next()))
    }

    /// Ids in creation order sort ascending, like the server's.
    pub(super) fn photo_id(&self) -> PhotoId {
        let raw = format!("c{}{:08}", self.tag, self.next());
        PhotoId::parse(&raw).unwrap_or_else(|| panic!("contract id {raw:?} must be valid"))
    }

    pub(super) fn sha256(&self) -> String {
        format!("{:0>48}{:016x}", self.tag, self.next())
    }

    pub(super) fn new_photo(&self, owner: &OwnerId, created_at_ms: i64) -> NewPhoto {
        let n = self.next();
        NewPhoto {
            id: self.photo_id(),
            owner: owner.clone(),
            filename: format!("IMG_{n:04} été 📷.jpg"),
            width: 4032,
            height: 3024,
            taken_at: n
                .is_multiple_of(2)
                .then(|| "2026-08-14T18:30:00".to_owned()),
            format: "jpeg".to_owned(),
            size_bytes: 3_000_000 + n,
            sha256: self.sha256(),
            placeholder: "1QcSHQRnh493V4dIh4eXh1h4kJUI".to_owned(),
            status: PhotoStatus::Queued,
            created_at_ms,
        }
    }
}

impl Run {
    /// `{name}-{tag}-{n}`: sorts by `name` first, whatever the tag.
    pub(super) fn username(&self, name: &str) -> String {
        format!("{name}-{}-{}", self.tag, self.next())
    }

    pub(super) fn account(&self, name: &str, admin: bool) -> Account {
        let n = self.next();
        Account {
            id: self.owner(&format!("account-{n}")),
            username: self.username(name),
            password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${n:016x}"),
            admin,
            created_at_ms: T0 + n as i64,
        }
    }

    /// A session of an hour from `created_at_ms`.
    pub(super) fn session(&self, owner: &OwnerId, created_at_ms: i64) -> Session {
        Session {
            token_hash: self.sha256(),
            owner: owner.clone(),
            created_at_ms,
            expires_at_ms: created_at_ms + 60 * 60 * 1000,
        }
    }

    pub(super) fn api_token(&self, owner: &OwnerId, name: &str, created_at_ms: i64) -> ApiToken {
        ApiToken {
            id: format!("t{}", self.next()),
            owner: owner.clone(),
            name: name.to_owned(),
            token_hash: self.sha256(),
            created_at_ms,
        }
    }
}

impl Run {
    /// Album ids sort in creation order within a run.
    pub(super) fn album_id(&self) -> String {
        format!("album-{}-{:08}", self.tag, self.next())
    }

    /// A new album of `owner`, not changed since `created_at_ms`.
    pub(super) fn album(&self, owner: &OwnerId, title: &str, created_at_ms: i64) -> Album {
        Album {
            id: self.album_id(),
            owner: owner.clone(),
            title: title.to_owned(),
            cover: None,
            photo_count: 0,
            created_at_ms,
            updated_at_ms: created_at_ms,
        }
    }

    /// A link to an album, with a password and an hour to live.
    pub(super) fn album_share(&self, owner: &OwnerId, album_id: &str, created_at_ms: i64) -> Share {
        Share {
            token: self.share_token(),
            owner: owner.clone(),
            album_id: Some(album_id.to_owned()),
            photo_id: None,
            password_hash: Some(format!(
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${}",
                self.next()
            )),
            expires_at_ms: Some(created_at_ms + 60 * 60 * 1000),
            created_at_ms,
        }
    }

    /// A link to a photo, open to anyone holding it, for ever.
    pub(super) fn photo_share(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
        created_at_ms: i64,
    ) -> Share {
        Share {
            token: self.share_token(),
            owner: owner.clone(),
            album_id: None,
            photo_id: Some(photo.clone()),
            password_hash: None,
            expires_at_ms: None,
            created_at_ms,
        }
    }

    /// As the service makes them: URL-safe, and long.
    pub(super) fn share_token(&self) -> String {
        format!("{}-{:016x}_{}", self.tag, self.next(), "x".repeat(16))
    }
}

fn base36(mut value: u128) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}
