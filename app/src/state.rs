//! The gallery's state in the page: the photos loaded so far, the selection, and what is
//! announced to screen readers. Components reach it through context.

use crate::server_fns::list_photos;
use gaillery_core::api::PhotoPage;
use gaillery_core::{Photo, PhotoId};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[derive(Clone, Copy)]
pub struct GalleryState {
    /// Loaded photos, newest first.
    pub photos: RwSignal<Vec<Photo>>,
    /// Where the next page starts; `None` once everything is loaded.
    pub next_cursor: RwSignal<Option<String>>,
    pub loading_more: RwSignal<bool>,
    /// Why the last load failed, shown with a retry.
    pub load_error: RwSignal<Option<String>>,
    /// Photos ticked in the grid.
    pub selected: RwSignal<BTreeSet<PhotoId>>,
    /// The latest message for the `aria-live` region.
    pub announcement: RwSignal<String>,
}

impl GalleryState {
    pub fn new(first_page: PhotoPage) -> GalleryState {
        GalleryState {
            photos: RwSignal::new(first_page.photos),
            next_cursor: RwSignal::new(first_page.next_cursor),
            loading_more: RwSignal::new(false),
            load_error: RwSignal::new(None),
            selected: RwSignal::new(BTreeSet::new()),
            announcement: RwSignal::new(String::new()),
        }
    }

    pub fn announce(&self, message: impl Into<String>) {
        self.announcement.set(message.into());
    }

    /// Adds photos that just arrived (uploads) in their place by age; photos already shown
    /// (duplicates of earlier uploads) stay where they are.
    pub fn add_photos(&self, arrived: Vec<Photo>) {
        self.photos.update(|photos| {
            for photo in arrived {
                if !photos.iter().any(|p| p.id == photo.id) {
                    photos.push(photo);
                }
            }
            // Newest first, in the server's listing order: by the time the photo was catalogued
            // (fixed-width RFC 3339, so strings compare like instants), then by id. Not by id
            // alone: an id is minted before the files are stored, so of two parallel uploads the
            // one with the earlier id can be catalogued later.
            photos.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
        });
    }

    pub fn remove_photos(&self, ids: &[PhotoId]) {
        self.photos
            .update(|photos| photos.retain(|p| !ids.contains(&p.id)));
        self.selected.update(|selected| {
            for id in ids {
                selected.remove(id);
            }
        });
    }

    pub fn position_of(&self, id: &PhotoId) -> Option<usize> {
        self.photos
            .with(|photos| photos.iter().position(|p| &p.id == id))
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
            match list_photos(Some(cursor)).await {
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
}
