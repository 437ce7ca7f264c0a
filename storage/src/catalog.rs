//! The catalog: what is known about each photo, per owner, listed newest first.
//!
//! Besides the trait, this module holds what every adapter shares so they agree to the byte:
//! the cursor format, the page size clamp and the `created_at` rendering.

use crate::jobs::{Job, JobOutcome};
use crate::StorageError;
use async_trait::async_trait;
use gaillery_core::api::{PhotoPage, TagCount, MAX_PAGE_SIZE};
use gaillery_core::{Label, Month, OwnerId, Photo, PhotoId, PhotoStatus, TimelineOrder};
use time::UtcDateTime;

/// What an owner's photos add up to: what the administrator sees of each account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhotoTotals {
    pub photos: u64,
    /// The sizes of the originals as uploaded; thumbnails and previews are not counted.
    pub bytes: u64,
}

/// A photo about to be catalogued: everything known right after upload. Labels and a status
/// reason come later, from classification.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPhoto {
    pub id: PhotoId,
    pub owner: OwnerId,
    pub filename: String,
    pub width: u32,
    pub height: u32,
    pub taken_at: Option<String>,
    pub format: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub placeholder: String,
    pub status: PhotoStatus,
    /// Upload time in milliseconds since the Unix epoch; orders the listing.
    pub created_at_ms: i64,
}

impl NewPhoto {
    /// The photo as the API shows it once catalogued.
    pub fn to_photo(&self) -> Photo {
        Photo {
            id: self.id.clone(),
            filename: self.filename.clone(),
            width: self.width,
            height: self.height,
            taken_at: self.taken_at.clone(),
            created_at: rfc3339_from_millis(self.created_at_ms),
            status: self.status,
            status_reason: None,
            labels: Vec::new(),
            placeholder: self.placeholder.clone(),
            format: self.format.clone(),
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
        }
    }
}

/// A month of the timeline and how many photos it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthCount {
    pub month: Month,
    pub count: u64,
}

/// What [`Catalog::insert_photo`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertOutcome {
    /// The photo is new and now catalogued.
    Created(Photo),
    /// The owner already has a photo with the same SHA-256: nothing was inserted, and this is the
    /// photo that was there first.
    Duplicate(Photo),
}

impl InsertOutcome {
    pub fn photo(&self) -> &Photo {
        match self {
            InsertOutcome::Created(photo) | InsertOutcome::Duplicate(photo) => photo,
        }
    }

    pub fn is_created(&self) -> bool {
        matches!(self, InsertOutcome::Created(_))
    }
}

/// The photo catalog. Every call is scoped to an owner: a photo of another owner is as good as
/// missing.
#[async_trait]
pub trait Catalog: Send + Sync + 'static {
    /// Catalogues a photo unless the owner already has one with the same `sha256`. Race-free:
    /// of concurrent inserts of the same owner and hash, exactly one is `Created`.
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError>;

    /// Catalogues each photo with its labels, as `insert_photo` and then, when it is created,
    /// `set_labels` would: for bulk loads (seeding, imports), which a catalog may write in one
    /// transaction. The outcomes come in the order given, a created photo with its labels.
    /// Not atomic as a whole: on an error, some photos may be catalogued.
    async fn insert_photos(
        &self,
        photos: Vec<(NewPhoto, Vec<Label>)>,
    ) -> Result<Vec<InsertOutcome>, StorageError> {
        let mut outcomes = Vec::with_capacity(photos.len());
        for (photo, labels) in photos {
            let (owner, id) = (photo.owner.clone(), photo.id.clone());
            let outcome = match self.insert_photo(photo).await? {
                InsertOutcome::Created(mut created) => {
                    self.set_labels(&owner, &id, labels.clone()).await?;
                    created.labels = labels;
                    InsertOutcome::Created(created)
                }
                duplicate => duplicate,
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError>;

    /// The owner's photos among `ids`, in the order asked; an id that is none of the owner's
    /// photos is left out. An album's page reads its photos this way: adapters that can read
    /// them in one round do (this default reads one at a time).
    async fn photos_by_ids(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, StorageError> {
        let mut photos = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(photo) = self.photo(owner, id).await? {
                photos.push(photo);
            }
        }
        Ok(photos)
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError>;

    /// Newest first (created_at_ms DESC, id DESC), keyset/cursor pagination (never OFFSET).
    /// `cursor` is the opaque `next_cursor` of the previous page; a malformed one is
    /// `InvalidCursor`. `limit` is clamped to `1..=MAX_PAGE_SIZE`. `next_cursor` is `None` on
    /// the last page.
    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError>;

    /// `false` if there was no such photo.
    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError>;

    /// Removes every photo of the owner and returns their ids, so the caller can remove their
    /// blobs.
    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError>;

    /// How many photos the owner has, and the bytes of their originals.
    async fn photo_totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError>;

    /// Sets the processing status and its reason (cleared when `None`). `false` if there was no
    /// such photo.
    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError>;

    /// Replaces the labels, kept in the order given. `false` if there was no such photo.
    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError>;

    /// Like [`Catalog::list_photos`], but only photos that, for every group of `tags`, carry at
    /// least one label of that group (each group is one search word, expanded to the labels it
    /// covers). No groups: every photo.
    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError>;

    /// The months that hold the owner's photos in `order`, newest first, with how many photos
    /// each holds; only photos with a label of every group of `tags` count (no groups: all).
    /// A photo's month is [`TimelineOrder::month_of`] its [`TimelineOrder::key`]. Months with no
    /// photo are left out.
    async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError>;

    /// One page of the photos of `month` in `order`, newest first (key, then id, descending),
    /// filtered by `tags` like [`Catalog::list_photos_tagged`]; cursors and limits as in
    /// [`Catalog::list_photos`].
    async fn list_month(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError>;

    /// Every label the owner's photos carry, with how many carry it; most common first.
    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError>;

    /// Puts the photo in the queue for classification with `model`: status `queued`, any old
    /// reason cleared, any job it had replaced (so a retry or a re-classification restarts
    /// cleanly). `false` if there is no such photo.
    async fn enqueue_job(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Claims up to `limit` jobs that are due and unclaimed or whose lease has expired, oldest
    /// first, for `worker` until `now_ms + lease_ms`. Atomic: a job goes to one claimer.
    async fn claim_jobs(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError>;

    /// Ends (or, for `Retry`, requeues) a job that `worker` holds, and records the outcome on
    /// the photo, in one step. `false`, with nothing changed, when the worker no longer holds
    /// the job (its lease expired and another took it, or the photo was deleted).
    async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError>;

    /// Gives back every job held by a worker of `instance` (workers are named
    /// `{instance}/{n}`) and puts their photos back to `queued`: a server starting again
    /// resumes its own interrupted jobs at once instead of waiting out their leases. Returns
    /// how many.
    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError>;

    /// Photos left `queued` or mid-way without a job (none should be; a guard for catalogs
    /// written by older versions): their ids, for re-queueing at start.
    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError>;
}

/// The page size actually used for a requested `limit`.
pub fn page_limit(limit: usize) -> usize {
    limit.clamp(1, MAX_PAGE_SIZE)
}

/// Where a listing stopped: the sort key of the last photo of a page and its id. The next page
/// starts strictly after it, so photos inserted or deleted meanwhile never shift the pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    /// `created_at_ms` in the newest-first listing; the order's key
    /// ([`TimelineOrder::key`](gaillery_core::TimelineOrder::key)) in a month's.
    pub key: i64,
    pub id: PhotoId,
}

impl PageCursor {
    pub fn after(key: i64, id: &PhotoId) -> PageCursor {
        PageCursor {
            key,
            id: id.clone(),
        }
    }

    /// `{key}.{id}`: URL-safe, because ids are `[0-9a-z]`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.key, self.id)
    }

    pub fn decode(raw: &str) -> Result<PageCursor, StorageError> {
        let (key, id) = raw.split_once('.').ok_or(StorageError::InvalidCursor)?;
        let cursor = PageCursor {
            key: key.parse().map_err(|_| StorageError::InvalidCursor)?,
            id: PhotoId::parse(id).ok_or(StorageError::InvalidCursor)?,
        };
        // Only the exact form `encode` writes: no `+5`, no `007`, so one position has one cursor.
        if cursor.encode() != raw {
            return Err(StorageError::InvalidCursor);
        }
        Ok(cursor)
    }
}

/// Milliseconds since the Unix epoch as RFC 3339 in UTC with milliseconds, e.g.
/// `2026-11-26T15:04:05.123Z`. Fixed width, so the strings sort like the instants (for years
/// 0 to 9999).
pub fn rfc3339_from_millis(millis: i64) -> String {
    let at = utc_from_millis(millis);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The instant in the proleptic Gregorian calendar. The calendar covers years -9999 to 9999;
/// instants beyond it (no photo has one, but a damaged row might) are clamped to its ends
/// rather than refused, so a listing still renders.
fn utc_from_millis(millis: i64) -> UtcDateTime {
    UtcDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).unwrap_or(
        if millis < 0 {
            UtcDateTime::MIN
        } else {
            UtcDateTime::MAX
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_renders_known_instants() {
        // Expected values computed independently (Python's datetime).
        for (millis, expected) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_705_445_123, "2026-11-26T15:04:05.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
            (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-11_676_096_000_000, "1600-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(rfc3339_from_millis(millis), expected, "millis {millis}");
        }
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        for millis in [i64::MIN, i64::MAX] {
            assert!(rfc3339_from_millis(millis).ends_with('Z'));
        }
    }

    #[test]
    fn consecutive_days_step_through_the_gregorian_calendar() {
        // An independent check of every day from 1600 to 2400: each day is the one after the
        // previous, with month lengths and leap years by the textbook rule.
        let is_leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let month_len = |y: i64, m: i64| match m {
            2 if is_leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        const MILLIS_PER_DAY: i64 = 86_400_000;
        let first = -11_676_096_000_000 / MILLIS_PER_DAY;
        let mut expected = (1600, 1, 1);
        for days in first..first + 800 * 366 {
            let date = utc_from_millis(days * MILLIS_PER_DAY).date();
            let civil = (
                i64::from(date.year()),
                i64::from(u8::from(date.month())),
                i64::from(date.day()),
            );
            assert_eq!(civil, expected, "day {days}");
            let (y, m, d) = expected;
            expected = if d < month_len(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn cursors_round_trip() {
        for millis in [0, 1_795_705_445_123, -5, i64::MAX, i64::MIN] {
            let cursor = PageCursor::after(millis, &PhotoId::parse("01hx3k9v7g").unwrap());
            assert_eq!(PageCursor::decode(&cursor.encode()), Ok(cursor));
        }
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for bad in [
            "",
            ".",
            "123",
            "123.",
            ".abc",
            "x.abc",
            "12.ABC",
            "12.a/b",
            "+12.abc",
            "012.abc",
            "-0.abc",
            "12.abc.def",
            " 12.abc",
            "99999999999999999999.abc",
        ] {
            assert_eq!(
                PageCursor::decode(bad),
                Err(StorageError::InvalidCursor),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn page_limits_are_clamped() {
        assert_eq!(page_limit(0), 1);
        assert_eq!(page_limit(60), 60);
        assert_eq!(page_limit(usize::MAX), MAX_PAGE_SIZE);
    }

    #[test]
    fn a_new_photo_starts_unlabelled() {
        let new = NewPhoto {
            id: PhotoId::parse("abc").unwrap(),
            owner: OwnerId::local(),
            filename: "IMG_0001.JPG".into(),
            width: 4032,
            height: 3024,
            taken_at: Some("2026-11-20T10:00:00".into()),
            format: "jpeg".into(),
            size_bytes: 3_000_000,
            sha256: "ab".repeat(32),
            placeholder: "YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw".into(),
            status: PhotoStatus::Queued,
            created_at_ms: 1_795_705_445_123,
        };
        let photo = new.to_photo();
        assert_eq!(photo.created_at, "2026-11-26T15:04:05.123Z");
        assert!(photo.labels.is_empty() && photo.status_reason.is_none());
        assert_eq!(
            (photo.width, photo.sha256.as_str()),
            (4032, new.sha256.as_str())
        );
    }
}
