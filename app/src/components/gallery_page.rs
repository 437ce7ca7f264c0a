//! The one page: header with the upload button and selection tools, the justified grid with
//! infinite scroll, the lightbox, and the live region that announces what happens.

use crate::components::grid::JustifiedGrid;
use crate::components::icons::{IconAlbum, IconPhotos, IconSettings};
use crate::components::layout::Announcer;
use crate::components::lightbox::{Lightbox, LightboxData};
use crate::components::selection::SelectionBar;
use crate::components::sign_in::SignOutButton;
use crate::components::tags::{TagSearch, TagSuggestions};
use crate::components::uploader::{DropOverlay, UploadButton, UploadPanel, Uploads};
use crate::components::voice::{VoiceCommands, VoiceControl};
use crate::photo_source::PhotoSource;
use crate::server_fns::list_photos;
use crate::state::GalleryState;
use leptos::prelude::*;

#[component]
pub fn GalleryPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let tags = Memo::new(move |_| query.with(|q| q.get_all("tag").unwrap_or_default()));
    // The first page is listed once, with the filter of the address the page was opened at;
    // later filter changes reload the photos in place (below), so the grid, its observers and
    // the uploads stay mounted.
    let first_page = Resource::new(|| (), move |_| list_photos(None, tags.get_untracked()));
    // One state for the page's lifetime, filled from whichever listing the filter asks for:
    // observers, uploads and the event stream keep working across filter changes.
    let state = GalleryState::new(PhotoSource::Library);
    let uploads = Uploads::new(state);
    // Made here, outside the `Suspense` (`LightboxData` says why).
    let suggestions = TagSuggestions::load();
    let lightbox = LightboxData::new(state);
    // Stages and labels arrive live; after missed events, reload from the start.
    Effect::new(move |_| {
        crate::browser::follow_photo_events(
            move |event| state.apply_event(event),
            move || state.reload(),
            move || state.has_unfinished(),
        );
    });
    Effect::new(move |previous: Option<Vec<String>>| {
        let current = tags.get();
        if previous.is_some_and(|previous| previous != current) {
            state.refilter(current.clone());
        }
        current
    });
    view! {
        <Suspense fallback=|| view! { <p class="status-line">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match first_page.await {
                    Ok(page) => {
                        state.show(page, tags.get_untracked());
                        view! { <LoadedGallery state uploads suggestions lightbox/> }.into_any()
                    }
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
fn LoadedGallery(
    state: GalleryState,
    uploads: Uploads,
    suggestions: TagSuggestions,
    lightbox: LightboxData,
) -> impl IntoView {
    // Voice commands about the open photo reach the lightbox through context.
    let voice = VoiceCommands::new();
    provide_context(voice);
    view! {
        <header class="topbar">
            <h1 class="brand">"GAiLLERY"</h1>
            <TagSearch state suggestions/>
            <div class="topbar-actions">
                <SelectionBar state/>
                <VoiceControl state voice/>
                <UploadButton uploads/>
                // A page load of its own (`rel="external"`): the event stream and observers
                // here live as long as the page.
                <a class="button subtle" href="/albums" rel="external">
                    <IconAlbum/>
                    <span class="wide-only">"Albums"</span>
                </a>
                <a class="button subtle" href="/settings" rel="external">
                    <IconSettings/>
                    <span class="wide-only">"Settings"</span>
                </a>
                <SignOutButton/>
            </div>
        </header>
        <main class="page">
            <UploadPanel uploads/>
            <Show
                when=move || state.photos.with(|p| !p.is_empty()) || state.has_more()
                fallback=move || view! { <EmptyState filtered=!state.tags.with(Vec::is_empty)/> }
            >
                <JustifiedGrid state/>
            </Show>
            <LoadMore state/>
        </main>
        <Lightbox state data=lightbox/>
        <DropOverlay uploads/>
        <Announcer state/>
    }
}

#[component]
fn EmptyState(filtered: bool) -> impl IntoView {
    if filtered {
        return view! {
            <section class="empty-state" aria-label="Gallery">
                <h2>"No photos match"</h2>
                <p><a href="/">"Show all photos"</a></p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="empty-state" aria-label="Gallery">
            <div class="empty-art"><IconPhotos/></div>
            <h2>"No photos yet"</h2>
            <p>"Drop photos anywhere on this page, or pick them with "<strong>"Upload photos"</strong>"."</p>
            <label class="button primary" for="file-input">"Choose photos"</label>
        </section>
    }
    .into_any()
}

/// Loads the next page when it scrolls into view, or on click.
#[component]
pub fn LoadMore(state: GalleryState) -> impl IntoView {
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
