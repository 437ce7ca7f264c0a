//! Moving between photos and closing the viewer. The open photo lives in the address
//! (`/?photo=ID`), so both are navigations.

use crate::state::GalleryState;
use gaillery_core::{Photo, PhotoId};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// Changes the address to show a photo or none; cheap to copy into every handler.
#[derive(Clone, Copy)]
pub struct PhotoNavigation {
    state: GalleryState,
    navigate: Callback<(String, NavigateOptions)>,
}

impl PhotoNavigation {
    /// Must be called inside the router.
    pub fn new(state: GalleryState) -> PhotoNavigation {
        let navigate = use_navigate();
        PhotoNavigation {
            state,
            navigate: Callback::new(move |(url, options): (String, NavigateOptions)| {
                navigate(&url, options)
            }),
        }
    }

    /// Shows `photo` (nothing when `None`). Moving replaces the address, so one step Back
    /// leaves the viewer instead of walking through every photo seen.
    pub fn show(&self, photo: Option<Photo>) {
        if let Some(photo) = photo {
            let options = NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            let url = self.state.page_url(Some(&photo.id));
            self.navigate.run((url, options));
        }
    }

    /// Closes the viewer, keeping the tag filter and the scroll position.
    pub fn close(&self) {
        let options = NavigateOptions {
            scroll: false,
            ..Default::default()
        };
        let url = self.state.page_url(None);
        self.navigate.run((url, options));
    }
}

/// The open photo among the loaded ones: where it is, and its neighbours.
#[derive(Clone, Copy)]
pub struct Neighbours {
    /// Its index among the loaded photos; `None` for a photo opened by a link that is not
    /// loaded.
    pub position: Memo<Option<usize>>,
    pub previous: Memo<Option<Photo>>,
    pub next: Memo<Option<Photo>>,
    navigation: PhotoNavigation,
}

impl Neighbours {
    pub fn new(
        state: GalleryState,
        current_id: Memo<Option<PhotoId>>,
        navigation: PhotoNavigation,
    ) -> Self {
        let position = Memo::new(move |_| current_id.get().and_then(|id| state.position_of(&id)));
        let neighbour = move |offset: isize| -> Option<Photo> {
            let index = position.get()?.checked_add_signed(offset)?;
            state.photos.with(|photos| photos.get(index).cloned())
        };
        Neighbours {
            position,
            previous: Memo::new(move |_| neighbour(-1)),
            next: Memo::new(move |_| neighbour(1)),
            navigation,
        }
    }

    pub fn show_previous(&self) {
        self.navigation.show(self.previous.get_untracked());
    }

    pub fn show_next(&self) {
        self.navigation.show(self.next.get_untracked());
    }
}
