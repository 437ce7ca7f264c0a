//! Uploading: the "Upload photos" picker, dropping files anywhere on the page, and a panel with
//! one progress bar per file. Files upload a few at a time, each in its own request, so every
//! file has its own progress, can be cancelled, and succeeds or fails alone.

use crate::components::icons::{IconClose, IconUpload};
use crate::state::GalleryState;
use gaillery_core::api::{ErrorBody, UploadResponse};
use leptos::ev::DragEvent;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many files upload at the same time.
const PARALLEL_UPLOADS: usize = 3;

#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    Waiting,
    Uploading,
    Stored,
    AlreadyInGallery,
    Failed(String),
    Cancelled,
}

impl UploadState {
    fn is_finished(&self) -> bool {
        !matches!(self, UploadState::Waiting | UploadState::Uploading)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UploadItem {
    pub key: u64,
    pub filename: String,
    /// Fraction sent, `0.0..=1.0`.
    pub progress: f64,
    pub state: UploadState,
}

/// Upload keys, unique in the page.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // The browser objects of running uploads, by key. They live outside the reactive owner:
    // `Uploads` is created during server rendering too, and a `LocalStorage` value that the
    // owner drops on another thread of the server's runtime panics ("Dropped SendWrapper<T>
    // variable from a thread different to the one it has been created with"). Only the browser
    // ever touches these.
    static FILES: RefCell<HashMap<u64, web_sys::File>> = RefCell::new(HashMap::new());
    static REQUESTS: RefCell<HashMap<u64, web_sys::XmlHttpRequest>> = RefCell::new(HashMap::new());
}

/// The upload queue: the serialisable items the view renders; the files and requests behind
/// them are in `FILES` and `REQUESTS`.
#[derive(Clone, Copy)]
pub struct Uploads {
    items: RwSignal<Vec<UploadItem>>,
    gallery: GalleryState,
}

impl Uploads {
    pub fn new(gallery: GalleryState) -> Uploads {
        Uploads {
            items: RwSignal::new(Vec::new()),
            gallery,
        }
    }

    /// Queues every file of a picker or a drop.
    pub fn add_files(&self, list: &web_sys::FileList) {
        let mut added = 0;
        for index in 0..list.length() {
            let Some(file) = list.get(index) else {
                continue;
            };
            let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
            self.items.update(|items| {
                items.push(UploadItem {
                    key,
                    filename: file.name(),
                    progress: 0.0,
                    state: UploadState::Waiting,
                })
            });
            FILES.with_borrow_mut(|files| files.insert(key, file));
            added += 1;
        }
        if added > 0 {
            self.gallery.announce(format!(
                "Uploading {added} {}",
                if added == 1 { "photo" } else { "photos" }
            ));
        }
        self.start_waiting();
    }

    /// Starts waiting uploads while fewer than `PARALLEL_UPLOADS` are running.
    fn start_waiting(&self) {
        loop {
            let (running, waiting) = self.items.with_untracked(|items| {
                let running = items
                    .iter()
                    .filter(|i| i.state == UploadState::Uploading)
                    .count();
                let waiting = items
                    .iter()
                    .find(|i| i.state == UploadState::Waiting)
                    .map(|i| i.key);
                (running, waiting)
            });
            match waiting {
                Some(key) if running < PARALLEL_UPLOADS => self.start(key),
                _ => return,
            }
        }
    }

    fn start(&self, key: u64) {
        let Some(file) = FILES.with_borrow(|files| files.get(&key).cloned()) else {
            self.finish(
                key,
                UploadState::Failed("the file is no longer available".into()),
            );
            return;
        };
        self.set_state(key, UploadState::Uploading);
        let uploads = *self;
        let request = crate::browser::post_file(
            "/api/photos",
            &file,
            move |fraction| {
                uploads.items.update(|items| {
                    if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                        item.progress = fraction;
                    }
                })
            },
            move |status, body| uploads.on_response(key, status, &body),
        );
        match request {
            Ok(request) => {
                REQUESTS.with_borrow_mut(|requests| requests.insert(key, request));
            }
            Err(message) => self.finish(key, UploadState::Failed(message)),
        }
    }

    fn on_response(&self, key: u64, status: u16, body: &str) {
        let cancelled = self.items.with_untracked(|items| {
            items
                .iter()
                .any(|i| i.key == key && i.state == UploadState::Cancelled)
        });
        if cancelled {
            return;
        }
        let outcome = match serde_json::from_str::<UploadResponse>(body) {
            Ok(response) => {
                if let Some(error) = response.errors.first() {
                    UploadState::Failed(error.error.clone())
                } else if !response.photos.is_empty() {
                    let state = if status == 201 {
                        UploadState::Stored
                    } else {
                        UploadState::AlreadyInGallery
                    };
                    self.gallery.add_photos(response.photos, status == 201);
                    state
                } else {
                    UploadState::Failed(format!("the server answered {status} without a photo"))
                }
            }
            Err(_) if status == 0 => UploadState::Failed("the server could not be reached".into()),
            Err(_) => match serde_json::from_str::<ErrorBody>(body) {
                Ok(error) => UploadState::Failed(error.error),
                Err(_) => UploadState::Failed(format!("the server answered {status}")),
            },
        };
        self.finish(key, outcome);
    }

    fn finish(&self, key: u64, outcome: UploadState) {
        let filename = self
            .items
            .with_untracked(|items| {
                items
                    .iter()
                    .find(|i| i.key == key)
                    .map(|i| i.filename.clone())
            })
            .unwrap_or_default();
        let message = match &outcome {
            UploadState::Stored => format!("Uploaded {filename}"),
            UploadState::AlreadyInGallery => format!("{filename} is already in the gallery"),
            UploadState::Failed(reason) => format!("{filename} failed: {reason}"),
            UploadState::Cancelled => format!("Cancelled {filename}"),
            UploadState::Waiting | UploadState::Uploading => String::new(),
        };
        self.items.update(|items| {
            if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                if outcome == UploadState::Stored || outcome == UploadState::AlreadyInGallery {
                    item.progress = 1.0;
                }
                item.state = outcome;
            }
        });
        FILES.with_borrow_mut(|files| files.remove(&key));
        REQUESTS.with_borrow_mut(|requests| requests.remove(&key));
        if !message.is_empty() {
            self.gallery.announce(message);
        }
        self.start_waiting();
    }

    fn set_state(&self, key: u64, state: UploadState) {
        self.items.update(|items| {
            if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                item.state = state;
            }
        });
    }

    pub fn cancel(&self, key: u64) {
        let request = REQUESTS.with_borrow(|requests| requests.get(&key).cloned());
        self.finish(key, UploadState::Cancelled);
        if let Some(request) = request {
            let _ = request.abort();
        }
    }

    pub fn clear_finished(&self) {
        self.items
            .update(|items| items.retain(|i| !i.state.is_finished()));
    }
}

/// The picker. On phones, `accept="image/*"` offers the camera as well as the library.
#[component]
pub fn UploadButton(uploads: Uploads) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = crate::browser::event_input(&ev) else {
            return;
        };
        if let Some(files) = input.files() {
            uploads.add_files(&files);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    view! {
        <label class="button primary upload-button" for="file-input">
            <IconUpload/>
            <span class="wide-only">"Upload photos"</span>
        </label>
        <input
            id="file-input"
            class="visually-hidden"
            type="file"
            multiple
            accept="image/*"
            aria-label="Upload photos"
            on:change=on_change
        />
    }
}

/// One row per file: name, progress, outcome, and Cancel while it runs.
#[component]
pub fn UploadPanel(uploads: Uploads) -> impl IntoView {
    let items = uploads.items;
    let any_finished = move || items.with(|items| items.iter().any(|i| i.state.is_finished()));
    view! {
        <Show when=move || items.with(|items| !items.is_empty())>
            <section class="uploads" aria-label="Uploads">
                <ul class="upload-list">
                    <For each=move || items.get() key=|item| (item.key, format!("{:?}", item.state), (item.progress * 100.0) as u32) let:item>
                        <UploadRow uploads item/>
                    </For>
                </ul>
                <Show when=any_finished>
                    <button class="button subtle" on:click=move |_| uploads.clear_finished()>"Clear finished"</button>
                </Show>
            </section>
        </Show>
    }
}

#[component]
fn UploadRow(uploads: Uploads, item: UploadItem) -> impl IntoView {
    let UploadItem {
        key,
        filename,
        progress,
        state,
    } = item;
    let (class, text) = match &state {
        UploadState::Waiting => ("waiting", "Waiting".to_owned()),
        UploadState::Uploading => ("uploading", format!("{}%", (progress * 100.0).round())),
        UploadState::Stored => ("stored", "Uploaded".to_owned()),
        UploadState::AlreadyInGallery => ("stored", "Already in the gallery".to_owned()),
        UploadState::Failed(reason) => ("failed", reason.clone()),
        UploadState::Cancelled => ("cancelled", "Cancelled".to_owned()),
    };
    let running = !state.is_finished();
    view! {
        <li class=format!("upload-item {class}") data-state=class>
            <span class="upload-name" title=filename.clone()>{filename.clone()}</span>
            <progress
                max="1"
                value=progress
                aria-label=format!("Upload of {filename}")
            ></progress>
            <span class="upload-outcome">{text}</span>
            {running.then(|| view! {
                <button
                    class="icon-button small"
                    aria-label=format!("Cancel upload of {filename}")
                    on:click=move |_| uploads.cancel(key)
                ><IconClose/></button>
            })}
        </li>
    }
}

/// Files dragged over the page show a full-page drop target; dropping them uploads them.
#[component]
pub fn DropOverlay(uploads: Uploads) -> impl IntoView {
    let dragging = RwSignal::new(false);
    // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
    let depth = StoredValue::new(0i32);
    let carries_files = |ev: &DragEvent| {
        ev.data_transfer()
            .map(|dt| {
                dt.types()
                    .iter()
                    .any(|t| t.as_string().as_deref() == Some("Files"))
            })
            .unwrap_or(false)
    };
    let enter = window_event_listener(leptos::ev::dragenter, move |ev: DragEvent| {
        if carries_files(&ev) {
            ev.prevent_default();
            depth.update_value(|d| *d += 1);
            dragging.set(true);
        }
    });
    let over = window_event_listener(leptos::ev::dragover, move |ev: DragEvent| {
        if carries_files(&ev) {
            ev.prevent_default();
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |_ev: DragEvent| {
        depth.update_value(|d| *d = (*d - 1).max(0));
        if depth.get_value() == 0 {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |ev: DragEvent| {
        depth.set_value(0);
        dragging.set(false);
        if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
            if files.length() > 0 {
                ev.prevent_default();
                uploads.add_files(&files);
            }
        }
    });
    on_cleanup(move || {
        enter.remove();
        over.remove();
        leave.remove();
        drop.remove();
    });
    view! {
        <div class="drop-overlay" class:visible=move || dragging.get() aria-hidden="true">
            <div class="drop-message">"Drop photos to upload them"</div>
        </div>
    }
}
