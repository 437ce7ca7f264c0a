//! The lightbox: one photo at a time, over the grid.
//!
//! The open photo lives in the URL (`/?photo=ID`), so a link to it opens it, Back closes it, and
//! moving between photos changes it. Keys: ← → move, Escape closes, + and − zoom, F toggles
//! fullscreen, Delete asks to delete. Touch: swipe to move, pinch or double-tap to zoom, drag to
//! pan a zoomed photo. Focus stays inside while it is open and returns to the photo's tile when
//! it closes.
//!
//! - `dialog`: the open viewer's view, and the `Viewer` its parts act on.
//! - `navigation`: moving between photos and closing, through the address.
//! - `gestures`: zoom and pan, by buttons, touch and mouse.
//! - `keys` and `voice`: keyboard shortcuts and spoken commands.
//! - `labels`: what the classifier saw, the retry, and classifying again.
//! - `writes`: deleting and classifying again, as server actions.

mod dialog;
mod gestures;
mod keys;
mod labels;
mod navigation;
mod voice;
mod writes;

use crate::server_fns::get_photo;
use crate::state::GalleryState;
use dialog::LightboxDialog;
use gaillery_core::{Photo, PhotoId};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use navigation::PhotoNavigation;
use writes::LightboxWrites;

/// What the lightbox asks the server for. A page makes it before its `Suspense`, never inside
/// the `Suspense`'s body: the server walks that body more than once (once to find its
/// resources, again to render it), so a resource made there is made and fetched once per walk.
/// The browser hydrates with the first walk's data the HTML of the last, and when the library
/// changed in between (a photo classified), hydration met other markup and panicked.
#[derive(Clone, Copy)]
pub struct LightboxData {
    open_id: Memo<Option<PhotoId>>,
    fetched: Resource<Option<Photo>>,
    models: labels::ServerModels,
}

impl LightboxData {
    pub fn new(state: GalleryState) -> LightboxData {
        let query = use_query_map();
        let open_id = Memo::new(move |_| {
            query
                .read()
                .get("photo")
                .and_then(|raw| PhotoId::parse(&raw))
        });
        // A deep link can name a photo that is not among the loaded ones: fetch it alone. The
        // page has loaded nothing yet when this is made, so a deep link is always fetched once.
        // The key is the last photo opened that was not loaded, kept while moving between
        // loaded photos: a key that changed on every step rebuilt the viewer on every step.
        // It reads the photo list untracked: tracked, it woke whenever the list changed, even
        // after a server render had disposed `open_id`. A share link's visitor reaches only the
        // link's pages, never one photo alone.
        let missing = Memo::new(move |last: Option<&Option<PhotoId>>| match open_id.get() {
            Some(id) if !state.read_only() && !state.is_shown(&id) => Some(id),
            _ => last.cloned().flatten(),
        });
        let fetched = Resource::new(
            move || missing.get(),
            |missing| async move {
                match missing {
                    Some(id) => get_photo(id.to_string()).await.ok(),
                    None => None,
                }
            },
        );
        LightboxData {
            open_id,
            fetched,
            models: labels::ServerModels::new(!state.read_only()),
        }
    }
}

#[component]
pub fn Lightbox(state: GalleryState, data: LightboxData) -> impl IntoView {
    let LightboxData {
        open_id,
        fetched,
        models,
    } = data;
    let navigation = PhotoNavigation::new(state);
    // Made here rather than in the dialog, which closes while a request may be out.
    let writes = LightboxWrites::new(state, navigation);

    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let fetched_photo = fetched.await;
                let current = Memo::new(move |_| {
                    let id = open_id.get()?;
                    state
                        .photos
                        .with(|photos| photos.iter().find(|p| p.id == id).cloned())
                        .or_else(|| fetched_photo.clone().filter(|p| p.id == id))
                });
                view! {
                    <Show when=move || current.with(Option::is_some)>
                        <LightboxDialog state current navigation writes models/>
                    </Show>
                }
            })}
        </Transition>
    }
}
