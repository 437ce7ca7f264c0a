//! What the viewer changes on the server: deleting the open photo (or, in an album, taking it
//! out of the album), and classifying it again.
//!
//! Each write is a `ServerAction`: its `pending()` disables or relabels the button that sent
//! it, and an effect on its `version()` takes in the answer. They belong to the lightbox, which
//! lives as long as the page, not to its dialog: an answer that arrives after the viewer was
//! closed still updates the gallery.

use super::navigation::PhotoNavigation;
use crate::error::AppError;
use crate::photo_source::PhotoSource;
use crate::server_fns::{delete_photos, remove_from_album, ReclassifyPhoto};
use crate::state::GalleryState;
use gaillery_core::api::PhotoEvent;
use gaillery_core::{Photo, PhotoStatus};
use leptos::prelude::*;

/// Every write the viewer makes.
#[derive(Clone, Copy)]
pub struct LightboxWrites {
    pub delete: PhotoDeletion,
    /// The Retry of a photo that could not be classified.
    pub retry: Reclassification,
    /// "Classify again" with another model.
    pub classify_again: Reclassification,
}

impl LightboxWrites {
    pub fn new(state: GalleryState, navigation: PhotoNavigation) -> LightboxWrites {
        LightboxWrites {
            delete: PhotoDeletion::new(state, navigation),
            retry: Reclassification::new(state),
            classify_again: Reclassification::new(state),
        }
    }
}

/// Deleting the open photo once confirmed; in an album, taking it out of the album instead.
#[derive(Clone, Copy)]
pub struct PhotoDeletion {
    action: Action<Vec<String>, Result<usize, AppError>>,
    // The action's signals, made once: each call of its accessors makes a new handle.
    pending: Memo<bool>,
    version: RwSignal<usize>,
    /// The photo being deleted, and the one to show once it is gone.
    deleting: StoredValue<Option<(Photo, Option<Photo>)>>,
}

impl PhotoDeletion {
    fn new(state: GalleryState, navigation: PhotoNavigation) -> PhotoDeletion {
        let source = state.source();
        let in_album = matches!(source, PhotoSource::Album(_));
        let action = Action::new(move |ids: &Vec<String>| {
            let (source, ids) = (source.clone(), ids.clone());
            async move {
                match source {
                    PhotoSource::Album(album) => remove_from_album(album, ids).await,
                    _ => delete_photos(ids).await,
                }
            }
        });
        let answer = action.value();
        let deletion = PhotoDeletion {
            action,
            pending: action.pending(),
            version: action.version(),
            deleting: StoredValue::new(None),
        };
        Effect::watch(
            move || deletion.version.get(),
            move |_, _, _| {
                let Some((photo, then_show)) = deletion.deleting.get_value() else {
                    return;
                };
                match answer.get_untracked() {
                    Some(Ok(_)) => {
                        // Leave the deleted photo before removing it: while the address still
                        // names it and it is gone from the loaded photos, the lightbox takes it
                        // for a deep link and asks the server for it (a failing `get_photo`).
                        match then_show {
                            Some(photo) => navigation.show(Some(photo)),
                            None => navigation.close(),
                        }
                        state.remove_photos(std::slice::from_ref(&photo.id));
                        state.announce(if in_album {
                            format!("Removed {} from the album", photo.filename)
                        } else {
                            format!("Deleted {}", photo.filename)
                        });
                    }
                    Some(Err(error)) => {
                        let verb = if in_album { "remove" } else { "delete" };
                        state.announce(format!("Could not {verb} {}: {error}", photo.filename));
                    }
                    None => {}
                }
            },
            false,
        );
        deletion
    }

    /// Deletes `photo`; once it is gone the viewer shows `then_show`, or closes.
    pub fn start(&self, photo: Photo, then_show: Option<Photo>) {
        let ids = vec![photo.id.to_string()];
        self.deleting.set_value(Some((photo, then_show)));
        self.action.dispatch(ids);
    }

    /// Whether the request is out.
    pub fn pending(&self) -> Memo<bool> {
        self.pending
    }

    /// Tracked: changes each time the server answers, whatever the answer.
    pub fn answers(&self) -> usize {
        self.version.get()
    }
}

/// Classifying a photo again. The photo shows as queued at once; if the server refuses, it
/// is put back as it was and the reason is announced.
#[derive(Clone, Copy)]
pub struct Reclassification {
    state: GalleryState,
    action: ServerAction<ReclassifyPhoto>,
    pending: Memo<bool>,
    /// The photo as it was when asked.
    before: StoredValue<Option<Photo>>,
}

impl Reclassification {
    fn new(state: GalleryState) -> Reclassification {
        let action = ServerAction::<ReclassifyPhoto>::new();
        let (answer, version) = (action.value(), action.version());
        let before = StoredValue::new(None::<Photo>);
        Effect::watch(
            move || version.get(),
            move |_, _, _| {
                if let (Some(Err(error)), Some(photo)) =
                    (answer.get_untracked(), before.get_value())
                {
                    refused(state, &photo, &error);
                }
            },
            false,
        );
        Reclassification {
            state,
            action,
            pending: action.pending(),
            before,
        }
    }

    /// Queues `photo` for classification with `model`, or the server's default.
    pub fn start(&self, photo: Photo, model: Option<String>) {
        // Queued before the request leaves: the events of the new run can arrive before its
        // response, and must not be overwritten by it.
        self.state.apply_event(PhotoEvent::queued(photo.id.clone()));
        let id = photo.id.to_string();
        self.before.set_value(Some(photo));
        self.action.dispatch(ReclassifyPhoto { id, model });
    }

    /// Whether a request is out, so its button is disabled.
    pub fn pending(&self) -> Memo<bool> {
        self.pending
    }
}

/// The server would not classify `photo` again: say why, and show it as it was, unless an
/// event has moved it on meanwhile.
fn refused(state: GalleryState, photo: &Photo, error: &AppError) {
    state.announce(format!(
        "Could not classify {} again: {error}",
        photo.filename
    ));
    let still_queued = state.photos.with_untracked(|photos| {
        photos
            .iter()
            .any(|p| p.id == photo.id && p.status == PhotoStatus::Queued)
    });
    if still_queued {
        state.apply_event(PhotoEvent::current(photo));
    }
}
