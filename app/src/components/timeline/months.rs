//! The timeline's months in the page: which exist and how many photos each holds (from
//! `/api/timeline`), which are loaded, and loading them as they come near the viewport. The
//! photos themselves live in [`GalleryState::photos`], newest first by the order's key, so the
//! lightbox, the selection and live events work on them as on any grid.

use crate::server_fns::{list_month, timeline_months};
use crate::state::{sort_by_timeline, GalleryState, Removal};
use gaillery_core::api::{PhotoPage, Timeline as MonthCounts};
use gaillery_core::timeline::key_of_photo;
use gaillery_core::{Month, Photo, PhotoId, TimelineOrder};
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// One month of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthEntry {
    pub month: Month,
    /// Photos in the month, from the server's counts (and uploads since).
    pub count: u64,
}

/// How far a month's photos are loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum MonthLoad {
    Loading,
    /// Every photo of the month is in the gallery's photos.
    Complete,
    Failed(String),
}

/// The timeline of the library page.
#[derive(Clone, Copy)]
pub struct Timeline {
    pub gallery: GalleryState,
    pub months: RwSignal<Vec<MonthEntry>>,
    pub loads: RwSignal<HashMap<Month, MonthLoad>>,
    /// Counts up at every reload, so month sections are made anew (and observe anew).
    pub generation: RwSignal<u64>,
    /// The month at the top of the viewport, for the scrubber.
    pub current: RwSignal<Option<Month>>,
    /// Counts the jumps, so a jump settling knows whether another one came after it.
    pub jumps: StoredValue<u64>,
}

impl Timeline {
    pub fn new(gallery: GalleryState) -> Timeline {
        Timeline {
            gallery,
            months: RwSignal::new(Vec::new()),
            loads: RwSignal::new(HashMap::new()),
            generation: RwSignal::new(0),
            current: RwSignal::new(None),
            jumps: StoredValue::new(0),
        }
    }

    pub fn order(&self) -> TimelineOrder {
        self.gallery.order.get_untracked()
    }

    /// Shows the months and the first month's first page, as the server listed them.
    pub fn show(&self, counts: MonthCounts, first: Option<PhotoPage>, tags: Vec<String>) {
        let months: Vec<MonthEntry> = counts
            .sections
            .into_iter()
            .filter_map(|section| {
                Some(MonthEntry {
                    month: Month::parse(&section.month)?,
                    count: section.count,
                })
            })
            .collect();
        let mut loads = HashMap::new();
        let mut photos = Vec::new();
        if let (Some(first_month), Some(page)) = (months.first(), first) {
            // A month with more photos than a page goes on loading when it is seen.
            if page.next_cursor.is_none() {
                loads.insert(first_month.month, MonthLoad::Complete);
            }
            photos = page.photos;
        }
        self.gallery.show(
            PhotoPage {
                photos,
                next_cursor: None,
            },
            tags,
        );
        self.loads.set(loads);
        self.months.set(months);
        self.generation.update(|g| *g += 1);
    }

    /// Lists the months again for another filter or order, dropping what was loaded and what
    /// was selected; sections load again as they are seen.
    pub fn relist(&self, tags: Vec<String>) {
        self.list_again(tags, false);
    }

    /// Lists the months again after live events may have been missed. The selection stays: the
    /// person did not ask for anything else.
    pub fn resync(&self) {
        self.list_again(self.gallery.tags.get_untracked(), true);
    }

    fn list_again(&self, tags: Vec<String>, keep_selection: bool) {
        let timeline = *self;
        leptos::task::spawn_local(async move {
            match timeline_months(tags.clone(), timeline.order()).await {
                Ok(counts) => {
                    let selected = timeline.gallery.selected.get_untracked();
                    timeline.show(counts, None, tags);
                    if keep_selection {
                        timeline.gallery.selected.set(selected);
                    }
                }
                Err(error) => timeline.gallery.load_error.set(Some(error.to_string())),
            }
        });
    }

    /// Loads every photo of `month`, a page at a time, unless it is loaded or loading.
    pub fn load(&self, month: Month) {
        let busy = self.loads.with_untracked(|loads| {
            matches!(
                loads.get(&month),
                Some(MonthLoad::Loading | MonthLoad::Complete)
            )
        });
        if busy {
            return;
        }
        self.loads.update(|loads| {
            loads.insert(month, MonthLoad::Loading);
        });
        let timeline = *self;
        let generation = self.generation.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = timeline.fetch_month(month, generation).await;
            if timeline.generation.get_untracked() != generation {
                return;
            }
            timeline.loads.update(|loads| {
                loads.insert(
                    month,
                    match outcome {
                        Ok(()) => MonthLoad::Complete,
                        Err(error) => MonthLoad::Failed(error),
                    },
                );
            });
        });
    }

    async fn fetch_month(&self, month: Month, generation: u64) -> Result<(), String> {
        let tags = self.gallery.tags.get_untracked();
        let mut cursor = None;
        loop {
            let page = list_month(month.to_string(), cursor, tags.clone(), self.order(), None)
                .await
                .map_err(|error| error.to_string())?;
            if self.generation.get_untracked() != generation {
                return Ok(());
            }
            self.merge(page.photos);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Puts listed photos in their places among the loaded ones; photos already there stay.
    pub fn merge(&self, listed: Vec<Photo>) {
        let order = self.order();
        self.gallery
            .photos
            .update(|photos| merge_sorted(photos, listed, order));
    }

    /// Counts photos that just arrived (uploads) into their months; returns the months that
    /// were not at the top of the timeline, for the announcement.
    pub fn count_arrivals(&self, arrived: &[Photo]) -> Vec<(Month, usize)> {
        let order = self.order();
        let mut added: Vec<(Month, usize)> = Vec::new();
        self.months.update(|months| {
            for photo in arrived {
                let month = order.month_of(key_of_photo(order, photo));
                match months.iter_mut().find(|entry| entry.month == month) {
                    Some(entry) => entry.count += 1,
                    None => {
                        months.push(MonthEntry { month, count: 1 });
                        months.sort_by_key(|entry| std::cmp::Reverse(entry.month));
                    }
                }
                match added.iter_mut().find(|(m, _)| *m == month) {
                    Some((_, n)) => *n += 1,
                    None => added.push((month, 1)),
                }
            }
        });
        let top = self
            .months
            .with_untracked(|months| months.first().map(|m| m.month));
        added.retain(|(month, _)| Some(*month) != top);
        added
    }

    /// Takes deleted photos out of their months' counts; a month left empty goes.
    pub fn count_removals(&self, removal: &Removal) {
        let order = self.order();
        self.months.update(|months| match removal {
            Removal::Everything => months.clear(),
            Removal::These(photos) => {
                for photo in photos {
                    let month = order.month_of(key_of_photo(order, photo));
                    if let Some(entry) = months.iter_mut().find(|entry| entry.month == month) {
                        entry.count = entry.count.saturating_sub(1);
                    }
                }
                months.retain(|entry| entry.count > 0);
            }
        });
    }

    /// Starts a jump (or ends the last one's settling, when the person scrolls themselves);
    /// returns its number.
    pub fn new_jump(&self) -> u64 {
        self.jumps.update_value(|jumps| *jumps += 1);
        self.jumps.get_value()
    }

    pub fn is_complete(&self, month: Month) -> bool {
        self.loads
            .with(|loads| matches!(loads.get(&month), Some(MonthLoad::Complete)))
    }

    pub fn failure(&self, month: Month) -> Option<String> {
        self.loads.with(|loads| match loads.get(&month) {
            Some(MonthLoad::Failed(error)) => Some(error.clone()),
            _ => None,
        })
    }
}

/// The id of a month's section in the page, for jumps: `month-2025-05`.
pub fn section_id(month: Month) -> String {
    format!("month-{month}")
}

/// The photos of `month` among `photos`, which are sorted as [`sort_by_timeline`] sorts them.
pub fn month_run(photos: &[Photo], order: TimelineOrder, month: Month) -> &[Photo] {
    let keys = order.bounds(month);
    let key = |photo: &Photo| key_of_photo(order, photo);
    let first = photos.partition_point(|photo| key(photo) >= keys.end);
    let after = photos.partition_point(|photo| key(photo) >= keys.start);
    photos.get(first..after).unwrap_or_default()
}

/// Puts `listed` among `photos` (sorted as [`sort_by_timeline`] sorts them) where they belong,
/// leaving out those already there. Only the stretch of `photos` that the listed keys span is
/// looked at and sorted again: a page of one month costs that month, not the whole library.
fn merge_sorted(photos: &mut Vec<Photo>, mut listed: Vec<Photo>, order: TimelineOrder) {
    sort_by_timeline(&mut listed, order);
    let key = |photo: &Photo| key_of_photo(order, photo);
    let (Some(newest), Some(oldest)) = (listed.first().map(key), listed.last().map(key)) else {
        return;
    };
    let start = photos.partition_point(|photo| key(photo) > newest);
    let end = photos.partition_point(|photo| key(photo) >= oldest);
    let known: HashSet<&PhotoId> = photos[start..end].iter().map(|photo| &photo.id).collect();
    listed.retain(|photo| !known.contains(&photo.id));
    if listed.is_empty() {
        return;
    }
    let mut stretch: Vec<Photo> = photos[start..end].to_vec();
    stretch.append(&mut listed);
    sort_by_timeline(&mut stretch, order);
    photos.splice(start..end, stretch);
}

/// Keys of the months in the page, and where each starts among all photos, for the scrubber:
/// `(month, photos before it)`.
pub fn cumulative(months: &[MonthEntry]) -> (Vec<(Month, u64)>, u64) {
    let mut before = 0;
    let starts = months
        .iter()
        .map(|entry| {
            let start = (entry.month, before);
            before += entry.count;
            start
        })
        .collect();
    (starts, before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaillery_core::PhotoStatus;

    fn photo(id: &str, taken_at: Option<&str>, created_at: &str) -> Photo {
        crate::state::test_photo(id, taken_at, created_at, PhotoStatus::Done)
    }

    fn ids(photos: &[Photo]) -> Vec<&str> {
        photos.iter().map(|photo| photo.id.as_str()).collect()
    }

    #[test]
    fn a_months_run_is_its_photos_and_no_neighbours() {
        let uploaded = "2026-11-27T00:00:00.000Z";
        let mut photos = vec![
            photo("june01", Some("2025-06-01T00:00:00"), uploaded),
            photo("may31", Some("2025-05-31T23:59:59"), uploaded),
            photo("may17", Some("2025-05-17T10:00:00"), uploaded),
            photo("may01", Some("2025-05-01T00:00:00"), uploaded),
            photo("apr30", Some("2025-04-30T23:59:59"), uploaded),
            photo("noexif", None, "2025-05-09T08:00:00.000Z"),
        ];
        sort_by_timeline(&mut photos, TimelineOrder::Taken);
        let may = Month::parse("2025-05").expect("a month");
        let run = month_run(&photos, TimelineOrder::Taken, may);
        assert_eq!(ids(run), ["may31", "may17", "noexif", "may01"]);
        let march = Month::parse("2025-03").expect("a month");
        assert!(month_run(&photos, TimelineOrder::Taken, march).is_empty());
        // By upload, every photo is in November 2026.
        sort_by_timeline(&mut photos, TimelineOrder::Uploaded);
        let november = Month::parse("2026-11").expect("a month");
        assert_eq!(
            month_run(&photos, TimelineOrder::Uploaded, november).len(),
            5
        );
    }

    #[test]
    fn merged_pages_land_in_order_once() {
        let uploaded = "2026-11-27T00:00:00.000Z";
        let taken = |day: u32| format!("2025-05-{day:02}T12:00:00");
        let at = |id: &str, day: u32| photo(id, Some(&taken(day)), uploaded);
        let mut photos = vec![at("d30", 30), at("d20", 20), at("d10", 10), at("d01", 1)];
        // A page overlapping what is loaded, unsorted, with one photo already there.
        let page = vec![at("d05", 5), at("d25", 25), at("d20", 20), at("d15", 15)];
        merge_sorted(&mut photos, page, TimelineOrder::Taken);
        assert_eq!(
            ids(&photos),
            ["d30", "d25", "d20", "d15", "d10", "d05", "d01"]
        );
        // A page beyond both ends.
        let april = photo("apr30", Some("2025-04-30T12:00:00"), uploaded);
        merge_sorted(
            &mut photos,
            vec![at("d31", 31), april],
            TimelineOrder::Taken,
        );
        assert_eq!(photos.first().map(|p| p.id.as_str()), Some("d31"));
        assert_eq!(photos.last().map(|p| p.id.as_str()), Some("apr30"));
        assert_eq!(photos.len(), 9);
        let mut sorted = photos.clone();
        sort_by_timeline(&mut sorted, TimelineOrder::Taken);
        assert_eq!(ids(&photos), ids(&sorted));
        merge_sorted(&mut photos, Vec::new(), TimelineOrder::Taken);
        assert_eq!(photos.len(), 9);
    }
}
