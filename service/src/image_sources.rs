//! What serving a photo's images needs from its catalog entry, remembered for a while.
//!
//! A gallery page shows up to 60 thumbnails. Looking each one's photo up in the catalog costs a
//! read per image: on DynamoDB a billed request and a round trip, 60 per page view. What an
//! image response needs (the id, the original's hash and format, its file name) is fixed when
//! the photo is stored, so it can be kept. A photo deleted since is still answered 404: its
//! images are removed right after its catalog entry, and opening them fails. Entries expire
//! after a few minutes, so revalidations (304) and redirects for a photo that another server
//! deleted stop being answered from memory soon.

use gaillery_core::{OwnerId, Photo, PhotoId, Variant};
use gaillery_imaging::SourceFormat;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry is trusted.
const TIME_TO_LIVE: Duration = Duration::from_secs(300);
/// Entries kept at most (about 200 bytes each); when full, the expired ones go, and if that is
/// not enough, all of them.
const CAPACITY: usize = 20_000;

/// The fixed facts of a photo that its image responses are made from.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSource {
    pub owner: OwnerId,
    pub id: PhotoId,
    /// SHA-256 of the original, hex: the images' ETag.
    pub sha256: String,
    /// The name the file had when uploaded, for the original's download name.
    pub filename: String,
    /// The original's format, as in [`Photo::format`].
    format: String,
}

impl ImageSource {
    pub fn of(owner: &OwnerId, photo: &Photo) -> ImageSource {
        ImageSource {
            owner: owner.clone(),
            id: photo.id.clone(),
            sha256: photo.sha256.clone(),
            filename: photo.filename.clone(),
            format: photo.format.clone(),
        }
    }

    /// The content type of one of the photo's images.
    pub fn content_type(&self, variant: Variant) -> &'static str {
        match variant {
            Variant::Original => SourceFormat::parse(&self.format)
                .map(|format| format.mime())
                .unwrap_or("application/octet-stream"),
            _ => gaillery_imaging::DERIVED_CONTENT_TYPE,
        }
    }
}

/// Image sources by owner and photo, each kept for [`TIME_TO_LIVE`].
#[derive(Default)]
pub(crate) struct ImageSources {
    entries: Mutex<HashMap<(OwnerId, PhotoId), (ImageSource, Instant)>>,
}

impl ImageSources {
    pub(crate) fn get(&self, owner: &OwnerId, id: &PhotoId) -> Option<ImageSource> {
        let entries = self.lock();
        let (source, stored_at) = entries.get(&(owner.clone(), id.clone()))?;
        (stored_at.elapsed() < TIME_TO_LIVE).then(|| source.clone())
    }

    pub(crate) fn remember(&self, owner: &OwnerId, source: ImageSource) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, stored_at)| stored_at.elapsed() < TIME_TO_LIVE);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert((owner.clone(), source.id.clone()), (source, Instant::now()));
    }

    pub(crate) fn forget(&self, owner: &OwnerId, id: &PhotoId) {
        self.lock().remove(&(owner.clone(), id.clone()));
    }

    pub(crate) fn forget_owner(&self, owner: &OwnerId) {
        self.lock()
            .retain(|(entry_owner, _), _| entry_owner != owner);
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(OwnerId, PhotoId), (ImageSource, Instant)>> {
        // Entries are inserted and removed whole: one left by a panicking thread is still valid.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str) -> ImageSource {
        ImageSource {
            owner: OwnerId::local(),
            id: PhotoId::parse(id).expect("id"),
            sha256: "ab".repeat(32),
            filename: "cat.jpg".into(),
            format: "jpeg".into(),
        }
    }

    #[test]
    fn remembers_per_owner_and_forgets() {
        let sources = ImageSources::default();
        let (alice, bob) = (OwnerId("alice".into()), OwnerId("bob".into()));
        let cat = source("01a21d4eaf126d5ff325a1af3f");
        sources.remember(&alice, cat.clone());
        assert_eq!(sources.get(&alice, &cat.id), Some(cat.clone()));
        assert_eq!(sources.get(&bob, &cat.id), None, "another owner's photo");
        sources.forget(&alice, &cat.id);
        assert_eq!(sources.get(&alice, &cat.id), None);

        sources.remember(&alice, cat.clone());
        sources.remember(&bob, cat.clone());
        sources.forget_owner(&alice);
        assert_eq!(sources.get(&alice, &cat.id), None);
        assert_eq!(sources.get(&bob, &cat.id), Some(cat));
    }

    #[test]
    fn content_types_follow_the_variant() {
        let cat = source("01a21d4eaf126d5ff325a1af3f");
        assert_eq!(cat.content_type(Variant::Original), "image/jpeg");
        assert_eq!(
            cat.content_type(Variant::Thumbnail),
            gaillery_imaging::DERIVED_CONTENT_TYPE
        );
    }
}
