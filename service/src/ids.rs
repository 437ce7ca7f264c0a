//! Photo ids and where each photo's images are stored.

use gaillery_core::{OwnerId, PhotoId, Variant};
use gaillery_storage::BlobKey;
use rand::Rng;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ServiceError;

/// Milliseconds since the Unix epoch: the times of uploads, jobs and shared events.
#[cfg(not(test))]
pub(crate) fn now_ms() -> i64 {
    system_now_ms()
}

/// In unit tests, the wall clock as tokio's clock moves it: tests pause that clock and let it
/// jump, so job backoffs and leases of seconds pass at once, as sleeps do.
#[cfg(test)]
pub(crate) fn now_ms() -> i64 {
    use std::sync::OnceLock;
    static START: OnceLock<(i64, std::time::Instant)> = OnceLock::new();
    let (start_ms, start) = *START.get_or_init(|| (system_now_ms(), std::time::Instant::now()));
    let elapsed = tokio::time::Instant::now()
        .into_std()
        .saturating_duration_since(start);
    start_ms + i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX / 2)
}

fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new id: the creation time in milliseconds (12 hex digits, so ids sort by age) and 56 random
/// bits, so ids from concurrent uploads and several servers do not collide.
pub(crate) fn new_photo_id() -> PhotoId {
    photo_id_at(now_ms())
}

/// An id as a photo created at `created_at_ms` would have had (a seeded library's photos).
pub(crate) fn photo_id_at(created_at_ms: i64) -> PhotoId {
    let random: u64 = rand::rng().random::<u64>() >> 8;
    let raw = format!("{:012x}{:014x}", created_at_ms, random);
    PhotoId::parse(&raw).unwrap_or_else(|| unreachable!("hex digits always form a valid id"))
}

/// The blob keys of one photo: `o/{owner}/photos/{id}/{variant}`, so each account's images
/// are under a prefix of their own (an IAM policy or a lifecycle rule can address one
/// account). The owner `local`, whom the first account took over from the gallery before
/// accounts, keeps `photos/{id}/{variant}`, where its images already were: an upgrade moves
/// nothing.
pub(crate) struct PhotoKeys {
    original: BlobKey,
    thumbnail: BlobKey,
    thumbnail_2x: BlobKey,
    preview: BlobKey,
}

pub(crate) fn keys_for(owner: &OwnerId, id: &PhotoId) -> Result<PhotoKeys, ServiceError> {
    let prefix = if *owner == OwnerId::local() {
        String::new()
    } else {
        format!("o/{}/", owner.0)
    };
    let key = |variant: Variant| {
        BlobKey::new(&format!("{prefix}photos/{id}/{}", variant.path_segment()))
            .map_err(|e| ServiceError::internal_because(format!("blob key for {id}"), e))
    };
    Ok(PhotoKeys {
        original: key(Variant::Original)?,
        thumbnail: key(Variant::Thumbnail)?,
        thumbnail_2x: key(Variant::Thumbnail2x)?,
        preview: key(Variant::Preview)?,
    })
}

/// The photo whose image `key` is, when the key has the shape [`keys_for`] gives: the
/// inverse, for the sweep.
pub(crate) fn photo_of_key(key: &BlobKey) -> Option<(OwnerId, PhotoId)> {
    let segments: Vec<&str> = key.segments().collect();
    let (owner, id, variant) = match segments.as_slice() {
        ["photos", id, variant] => (OwnerId::local(), *id, *variant),
        ["o", owner, "photos", id, variant] if *owner != OwnerId::local().0 => {
            (OwnerId((*owner).to_owned()), *id, *variant)
        }
        _ => return None,
    };
    Variant::parse(variant)?;
    Some((owner, PhotoId::parse(id)?))
}

impl PhotoKeys {
    pub(crate) fn get(&self, variant: Variant) -> &BlobKey {
        match variant {
            Variant::Original => &self.original,
            Variant::Thumbnail => &self.thumbnail,
            Variant::Thumbnail2x => &self.thumbnail_2x,
            Variant::Preview => &self.preview,
        }
    }

    pub(crate) fn all(&self) -> [&BlobKey; 4] {
        [
            &self.original,
            &self.thumbnail,
            &self.thumbnail_2x,
            &self.preview,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_unique_and_sort_by_time() {
        let first = new_photo_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_photo_id();
        assert_eq!(first.as_str().len(), 26);
        assert_ne!(first, second);
        assert!(first < second);
    }

    #[test]
    fn every_image_key_leads_back_to_its_photo_and_nothing_else_does() {
        let id = new_photo_id();
        for owner in [OwnerId("u0123abcd".into()), OwnerId::local()] {
            for key in keys_for(&owner, &id).unwrap().all() {
                assert_eq!(
                    photo_of_key(key),
                    Some((owner.clone(), id.clone())),
                    "{key}"
                );
            }
        }
        for raw in [
            "photos/abc",
            "photos/abc/original/more",
            "photos/abc/unknown-variant",
            "o/u1/photos/abc",
            "o/u1/albums/abc/original",
            "contract/x/y",
        ] {
            let key = BlobKey::new(raw).unwrap();
            assert_eq!(photo_of_key(&key), None, "{raw}");
        }
    }

    #[test]
    fn each_owner_has_a_prefix_and_the_owner_from_before_accounts_keeps_its_own() {
        let id = new_photo_id();
        let theirs = keys_for(&OwnerId("u0123abcd".into()), &id).unwrap();
        assert_eq!(
            theirs.get(Variant::Thumbnail).as_str(),
            format!("o/u0123abcd/photos/{id}/thumbnail")
        );
        let legacy = keys_for(&OwnerId::local(), &id).unwrap();
        assert_eq!(
            legacy.get(Variant::Original).as_str(),
            format!("photos/{id}/original")
        );
    }

    #[test]
    fn every_variant_has_its_own_key() {
        let keys = keys_for(&OwnerId::local(), &new_photo_id()).unwrap();
        let all = keys.all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.as_str(), b.as_str());
            }
        }
    }
}
