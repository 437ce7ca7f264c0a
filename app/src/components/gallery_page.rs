//! The one page: header with the upload button and selection tools, the justified grid with
//! infinite scroll, the lightbox, and the live region that announces what happens.

use crate::components::grid::JustifiedGrid;
use crate::components::icons::IconPhotos;
use crate::components::lightbox::Lightbox;
use crate::components::selection::SelectionBar;
use crate::components::uploader::{DropOverlay, UploadButton, UploadPanel, Uploads};
use crate::server_fns::list_photos;
use crate::state::GalleryState;
use leptos::prelude::*;

#[component]
pub fn GalleryPage() -> impl IntoView {
    let first_page = Resource::new(|| (), |_| list_photos(None));
    view! {
        <Suspense fallback=|| view! { <p class="status-line">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match first_page.await {
                    Ok(page) => view! { <LoadedGallery state=GalleryState::new(page)/> }.into_any(),
                    Err(error) => view! {
                        <main class="page">
                            <p class="status-line" role="alert">
                                "The gallery could not be loaded: " {error.to_string()}
                            </p>
                            <a class="button" href="/">"Try again"</a>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoadedGallery(state: GalleryState) -> impl IntoView {
    let uploads = Uploads::new(state);
    view! {
        <header class="topbar">
            <h1 class="brand">"GAiLLERY"</h1>
            <div class="topbar-actions">
                <SelectionBar state/>
                <UploadButton uploads/>
            </div>
        </header>
        <main class="page">
            <UploadPanel uploads/>
            <Show
                when=move || state.photos.with(|p| !p.is_empty()) || state.has_more()
                fallback=move || view! { <EmptyState/> }
            >
                <JustifiedGrid state/>
            </Show>
            <LoadMore state/>
        </main>
        <Lightbox state/>
        <DropOverlay uploads/>
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" role="status">
            {move || state.announcement.get()}
        </div>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <section class="empty-state" aria-label="Gallery">
            <div class="empty-art"><IconPhotos/></div>
            <h2>"No photos yet"</h2>
            <p>"Drop photos anywhere on this page, or pick them with "<strong>"Upload photos"</strong>"."</p>
            <label class="button primary" for="file-input">"Choose photos"</label>
        </section>
    }
}

/// Loads the next page when it scrolls into view, or on click.
#[component]
fn LoadMore(state: GalleryState) -> impl IntoView {
    let sentinel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(element) = sentinel.get() {
            crate::browser::when_near_viewport(&element, move || state.load_more());
        }
    });
    view! {
        <div class="load-more" node_ref=sentinel>
            <Show when=move || state.load_error.with(Option::is_some)>
                <p class="status-line" role="alert">
                    "More photos could not be loaded: " {move || state.load_error.get().unwrap_or_default()}
                </p>
            </Show>
            <Show when=move || state.has_more()>
                <button
                    class="button"
                    disabled=move || state.loading_more.get()
                    on:click=move |_| state.load_more()
                >
                    {move || if state.loading_more.get() { "Loading…" } else { "Load more photos" }}
                </button>
            </Show>
        </div>
    }
}
