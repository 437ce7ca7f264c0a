//! The gallery's state in the page: where its photos come from, the photos loaded so far, the
//! selection, and what is announced to screen readers. Components reach it through context.

use crate::photo_source::{page_url_at, PhotoSource};
use gaillery_core::api::{PhotoEvent, PhotoPage};
use gaillery_core::timeline::key_of_photo;
use gaillery_core::{Photo, PhotoId, PhotoStatus, TimelineOrder, Variant};
use leptos::prelude::*;
use std::collections::{BTreeSet, VecDeque};

/// How many events for photos the page does not show yet are kept (see `unseen_events`).
const UNSEEN_EVENTS_KEPT: usize = 64;

#[derive(Clone, Copy)]
pub struct GalleryState {
    /// The library, an album or a share link.
    source: StoredValue<PhotoSource>,
    /// Loaded photos, newest first.
    pub photos: RwSignal<Vec<Photo>>,
    /// Where the next page starts; `None` once everything is loaded.
    pub next_cursor: RwSignal<Option<String>>,
    pub loading_more: RwSignal<bool>,
    /// Why the last load failed, shown with a retry.
    pub load_error: RwSignal<Option<String>>,
    /// Photos that were just uploaded and are new to the library, latest upload's only.
    pub arrivals: RwSignal<Vec<Photo>>,
    /// What was just deleted, for views that count photos (the timeline's months).
    pub removals: RwSignal<Removal>,
    /// Photos ticked in the grid.
    pub selected: RwSignal<BTreeSet<PhotoId>>,
    /// The latest message for the `aria-live` region.
    pub announcement: RwSignal<String>,
    /// The tag filter the photos were listed with (from the address).
    pub tags: RwSignal<Vec<String>>,
    /// The library's timeline order (from the address's `sort`); photos are kept in it.
    pub order: RwSignal<TimelineOrder>,
    /// The latest events for photos not shown yet, newest last. An upload's response can
    /// arrive after the events of its classification (they travel on another connection); the
    /// photo then starts from its latest event instead of staying "queued".
    unseen_events: StoredValue<VecDeque<PhotoEvent>>,
}

/// What was just deleted.
#[derive(Clone, Debug, PartialEq)]
pub enum Removal {
    These(Vec<Photo>),
    Everything,
}

/// The library's address for a tag filter and an open photo: `/?tag=a&tag=b&photo=ID`.
pub fn page_url(tags: &[String], photo: Option<&PhotoId>) -> String {
    page_url_at("/", tags, photo)
}

/// A photo's status, reason and labels after `event`. Labels stay while a retry runs.
fn apply_to(photo: &mut Photo, event: PhotoEvent) {
    photo.status = event.status;
    photo.status_reason = event.status_reason;
    if event.status == PhotoStatus::Done || !event.labels.is_empty() {
        photo.labels = event.labels;
    }
}

impl GalleryState {
    /// An empty state for the photos of `source`; `show` fills it.
    pub fn new(source: PhotoSource) -> GalleryState {
        GalleryState {
            source: StoredValue::new(source),
            tags: RwSignal::new(Vec::new()),
            order: RwSignal::new(TimelineOrder::Taken),
            photos: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading_more: RwSignal::new(false),
            load_error: RwSignal::new(None),
            selected: RwSignal::new(BTreeSet::new()),
            arrivals: RwSignal::new(Vec::new()),
            removals: RwSignal::new(Removal::These(Vec::new())),
            announcement: RwSignal::new(String::new()),
            unseen_events: StoredValue::new(VecDeque::new()),
        }
    }

    pub fn source(&self) -> PhotoSource {
        self.source.get_value()
    }

    /// Whether the visitor only looks (a share link).
    pub fn read_only(&self) -> bool {
        self.source.with_value(PhotoSource::read_only)
    }

    /// This page's address with its tag filter, its order and `photo` open.
    pub fn page_url(&self, photo: Option<&PhotoId>) -> String {
        let path = self.source.with_value(PhotoSource::path);
        let url = page_url_at(&path, &self.tags.get_untracked(), photo);
        let by_upload = self.order.get_untracked() == TimelineOrder::Uploaded
            && self
                .source
                .with_value(|source| *source == PhotoSource::Library);
        match (by_upload, url.contains('?')) {
            (false, _) => url,
            (true, true) => format!("{url}&sort=uploaded"),
            (true, false) => format!("{url}?sort=uploaded"),
        }
    }

    /// The address of one of `photo`'s images, as this page's visitor may fetch it.
    pub fn image_url(&self, photo: &Photo, variant: Variant) -> String {
        self.source
            .with_value(|source| source.image_url(photo, variant))
    }

    pub fn announce(&self, message: impl Into<String>) {
        self.announcement.set(message.into());
    }

    /// Adds photos that just arrived (uploads) in their place by age; photos already shown
    /// (duplicates of earlier uploads) stay where they are. `new` says the library did not
    /// have them before: they are then announced as arrivals.
    pub fn add_photos(&self, arrived: Vec<Photo>, new: bool) {
        if new {
            self.arrivals.set(arrived.clone());
        }
        let early_events = self.unseen_events.with_value(|events| events.clone());
        let library = self
            .source
            .with_value(|source| *source == PhotoSource::Library);
        let order = self.order.get_untracked();
        self.photos.update(|photos| {
            for mut photo in arrived {
                if photos.iter().any(|p| p.id == photo.id) {
                    continue;
                }
                // An event received before the photo's response is newer than the response,
                // unless the response already says the photo is finished.
                if !photo.status.is_final() {
                    if let Some(event) = early_events.iter().rev().find(|e| e.id == photo.id) {
                        apply_to(&mut photo, event.clone());
                    }
                }
                photos.push(photo);
            }
            // Newest first, in the server's listing order. The library: by the timeline's key,
            // then id. Otherwise by the time the photo was catalogued (fixed-width RFC 3339, so
            // strings compare like instants), then by id. Not by id alone: an id is minted
            // before the files are stored, so of two parallel uploads the one with the earlier
            // id can be catalogued later.
            if library {
                sort_by_timeline(photos, order);
            } else {
                photos.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
            }
        });
    }

    /// A photo moved through classification: its status, reason and labels change in place.
    pub fn apply_event(&self, event: PhotoEvent) {
        let known = self
            .photos
            .with_untracked(|photos| photos.iter().any(|p| p.id == event.id));
        if !known {
            self.unseen_events.update_value(|events| {
                if events.len() == UNSEEN_EVENTS_KEPT {
                    events.pop_front();
                }
                events.push_back(event);
            });
            return;
        }
        self.photos.update(|photos| {
            if let Some(photo) = photos.iter_mut().find(|p| p.id == event.id) {
                apply_to(photo, event);
            }
        });
    }

    /// Whether a shown photo is still being processed, so a live event about it may come.
    pub fn has_unfinished(&self) -> bool {
        self.photos
            .with_untracked(|photos| photos.iter().any(|p| !p.status.is_final()))
    }

    pub fn remove_photos(&self, ids: &[PhotoId]) {
        let mut removed = Vec::new();
        self.photos.update(|photos| {
            photos.retain(|p| {
                let keep = !ids.contains(&p.id);
                if !keep {
                    removed.push(p.clone());
                }
                keep
            })
        });
        self.removals.set(Removal::These(removed));
        self.selected.update(|selected| {
            for id in ids {
                selected.remove(id);
            }
        });
    }

    /// Puts a shown photo just before `before`, or last (an album reordered).
    pub fn move_photo(&self, id: &PhotoId, before: Option<&PhotoId>) {
        self.photos.update(|photos| {
            let Some(from) = photos.iter().position(|p| &p.id == id) else {
                return;
            };
            let photo = photos.remove(from);
            let to = before
                .and_then(|before| photos.iter().position(|p| &p.id == before))
                .unwrap_or(photos.len());
            photos.insert(to, photo);
        });
    }

    pub fn position_of(&self, id: &PhotoId) -> Option<usize> {
        self.photos
            .with(|photos| photos.iter().position(|p| &p.id == id))
    }

    pub fn is_shown(&self, id: &PhotoId) -> bool {
        self.photos
            .with_untracked(|photos| photos.iter().any(|p| &p.id == id))
    }

    pub fn has_more(&self) -> bool {
        self.next_cursor.with(Option::is_some)
    }

    /// Loads the next page unless one is loading or none is left.
    pub fn load_more(&self) {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        if self.loading_more.get_untracked() {
            return;
        }
        self.loading_more.set(true);
        let state = *self;
        leptos::task::spawn_local(async move {
            let source = state.source();
            match source.list(Some(cursor), state.tags.get_untracked()).await {
                Ok(page) => {
                    state.photos.update(|photos| {
                        for photo in page.photos {
                            if !photos.iter().any(|p| p.id == photo.id) {
                                photos.push(photo);
                            }
                        }
                    });
                    state.next_cursor.set(page.next_cursor);
                    state.load_error.set(None);
                }
                Err(error) => state.load_error.set(Some(error.to_string())),
            }
            state.loading_more.set(false);
        });
    }

    /// Shows a first page listed with the filter `tags`, replacing what was shown.
    pub fn show(&self, first_page: PhotoPage, tags: Vec<String>) {
        self.tags.set(tags);
        self.photos.set(first_page.photos);
        self.next_cursor.set(first_page.next_cursor);
        self.selected.set(BTreeSet::new());
        self.load_error.set(None);
    }
}

/// Newest first by the order's key, then by id, as the server lists the timeline.
pub fn sort_by_timeline(photos: &mut [Photo], order: TimelineOrder) {
    photos.sort_by_cached_key(|photo| {
        std::cmp::Reverse((key_of_photo(order, photo), photo.id.clone()))
    });
}

/// A 4:3 photo for unit tests, taken at `taken_at` (EXIF form) and uploaded at `created_at`.
#[cfg(test)]
pub(crate) fn test_photo(
    id: &str,
    taken_at: Option<&str>,
    created_at: &str,
    status: PhotoStatus,
) -> Photo {
    Photo {
        id: PhotoId::parse(id).expect("a valid photo id"),
        filename: format!("{id}.jpg"),
        width: 4,
        height: 3,
        taken_at: taken_at.map(str::to_owned),
        created_at: created_at.into(),
        status,
        status_reason: None,
        labels: Vec::new(),
        placeholder: String::new(),
        format: "jpeg".into(),
        size_bytes: 1,
        sha256: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued_photo(id: &str) -> Photo {
        test_photo(id, None, "2026-11-27T00:00:00.000Z", PhotoStatus::Queued)
    }

    #[test]
    fn events_that_arrive_before_an_upload_response_are_not_lost() {
        let owner = Owner::new_root(None);
        owner.set();
        let state = GalleryState::new(PhotoSource::Library);
        let done = PhotoEvent {
            id: PhotoId::parse("abc123").unwrap(),
            status: PhotoStatus::Done,
            status_reason: None,
            labels: vec![gaillery_core::Label {
                label: "tabby".into(),
                probability: 0.8,
            }],
        };
        // The photo's classification finished before its upload's response came back.
        state.apply_event(done);
        state.add_photos(vec![queued_photo("abc123"), queued_photo("def456")], true);
        state.photos.with_untracked(|photos| {
            let done = photos.iter().find(|p| p.id.as_str() == "abc123").unwrap();
            assert_eq!(done.status, PhotoStatus::Done);
            assert_eq!(done.labels.len(), 1);
            let other = photos.iter().find(|p| p.id.as_str() == "def456").unwrap();
            assert_eq!(other.status, PhotoStatus::Queued);
        });
        assert!(state.has_unfinished());
    }

    #[test]
    fn page_urls_keep_the_filter_and_the_open_photo() {
        let id = PhotoId::parse("abc123").unwrap();
        assert_eq!(page_url(&[], None), "/");
        assert_eq!(page_url(&[], Some(&id)), "/?photo=abc123");
        let tags = vec!["golden retriever".to_owned(), "a&b=c".to_owned()];
        assert_eq!(
            page_url(&tags, Some(&id)),
            "/?tag=golden%20retriever&tag=a%26b%3Dc&photo=abc123"
        );
    }

    #[test]
    fn a_moved_photo_goes_just_before_another_or_last() {
        let owner = Owner::new_root(None);
        owner.set();
        let state = GalleryState::new(PhotoSource::Album("alb1".into()));
        state
            .photos
            .set(["a1", "b2", "c3", "d4"].map(queued_photo).to_vec());
        let id = |raw| PhotoId::parse(raw).unwrap();
        let order = || {
            state
                .photos
                .with_untracked(|p| p.iter().map(|p| p.id.to_string()).collect::<Vec<_>>())
        };
        state.move_photo(&id("c3"), Some(&id("b2")));
        assert_eq!(order(), ["a1", "c3", "b2", "d4"]);
        state.move_photo(&id("a1"), None);
        assert_eq!(order(), ["c3", "b2", "d4", "a1"]);
        state.move_photo(&id("d4"), Some(&id("c3")));
        assert_eq!(order(), ["d4", "c3", "b2", "a1"]);
    }

    #[test]
    fn a_share_links_images_are_reached_through_the_link() {
        let owner = Owner::new_root(None);
        owner.set();
        let photo = queued_photo("abc123");
        let library = GalleryState::new(PhotoSource::Library);
        assert_eq!(
            library.image_url(&photo, Variant::Preview),
            "/api/photos/abc123/preview"
        );
        let link = GalleryState::new(PhotoSource::Link("00ff".into()));
        assert_eq!(
            link.image_url(&photo, Variant::Thumbnail2x),
            "/api/shared/00ff/photos/abc123/thumbnail-2x"
        );
        assert_eq!(link.page_url(Some(&photo.id)), "/s/00ff?photo=abc123");
    }
}
