//! The library's page: header with the upload button and selection tools, the timeline with
//! its scrubber, the lightbox, and the live region that announces what happens.

use crate::components::icons::{IconAlbum, IconPhotos, IconSettings};
use crate::components::layout::Announcer;
use crate::components::lightbox::{Lightbox, LightboxData};
use crate::components::selection::SelectionBar;
use crate::components::sign_in::SignOutButton;
use crate::components::tags::{TagSearch, TagSuggestions};
use crate::components::timeline::{ArrivalNotice, Scrubber, Timeline, TimelineView};
use crate::components::uploader::{DropOverlay, UploadButton, UploadPanel, Uploads};
use crate::components::voice::{VoiceCommands, VoiceControl};
use crate::error::AppError;
use crate::photo_source::PhotoSource;
use crate::server_fns::{list_month, timeline_months};
use crate::state::GalleryState;
use gaillery_core::api::{PhotoPage, Timeline as MonthCounts, DEFAULT_PAGE_SIZE};
use gaillery_core::TimelineOrder;
use leptos::prelude::*;

/// The months, and the first page of the newest one: what the server renders.
async fn first_screen(
    tags: Vec<String>,
    order: TimelineOrder,
) -> Result<(MonthCounts, Option<PhotoPage>), AppError> {
    let counts = timeline_months(tags.clone(), order).await?;
    let first = match counts.sections.first() {
        Some(newest) => {
            let limit = Some(DEFAULT_PAGE_SIZE);
            Some(list_month(newest.month.clone(), None, tags, order, limit).await?)
        }
        None => None,
    };
    Ok((counts, first))
}

#[component]
pub fn GalleryPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let tags = Memo::new(move |_| query.with(|q| q.get_all("tag").unwrap_or_default()));
    let order = Memo::new(move |_| {
        query.with(|q| {
            q.get("sort")
                .and_then(|raw| TimelineOrder::parse(&raw))
                .unwrap_or_default()
        })
    });
    // The first screen is listed once, with the filter of the address the page was opened at;
    // later filter changes list the months again in place (below), so the timeline, its
    // observers and the uploads stay mounted.
    let first = Resource::new(
        || (),
        move |_| first_screen(tags.get_untracked(), order.get_untracked()),
    );
    // One state for the page's lifetime, filled from whichever listing the filter asks for:
    // observers, uploads and the event stream keep working across filter changes.
    let state = GalleryState::new(PhotoSource::Library);
    state.order.set(order.get_untracked());
    let timeline = Timeline::new(state);
    let uploads = Uploads::new(state);
    // Made here, outside the `Suspense` (`LightboxData` says why).
    let suggestions = TagSuggestions::load();
    let lightbox = LightboxData::new(state);
    // Stages and labels arrive live; after missed events, reload from the start.
    Effect::new(move |_| {
        crate::browser::follow_photo_events(
            move |event| state.apply_event(event),
            move || timeline.resync(),
            move || state.has_unfinished(),
        );
    });
    Effect::new(move |previous: Option<(Vec<String>, TimelineOrder)>| {
        let current = (tags.get(), order.get());
        if previous.is_some_and(|previous| previous != current) {
            state.order.set(current.1);
            timeline.relist(current.0.clone());
        }
        current
    });
    view! {
        <Suspense fallback=|| view! { <p class="status-line">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok((counts, page)) => {
                        timeline.show(counts, page, tags.get_untracked());
                        view! { <LoadedGallery timeline uploads suggestions lightbox/> }.into_any()
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
    timeline: Timeline,
    uploads: Uploads,
    suggestions: TagSuggestions,
    lightbox: LightboxData,
) -> impl IntoView {
    let state = timeline.gallery;
    // Voice commands about the open photo reach the lightbox through context; those about the
    // timeline reach it the same way.
    let voice = VoiceCommands::new();
    provide_context(voice);
    provide_context(timeline);
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
            <ArrivalNotice timeline/>
            <Show when=move || state.load_error.with(Option::is_some)>
                <p class="status-line" role="alert">
                    "The timeline could not be loaded: " {move || state.load_error.get().unwrap_or_default()}
                </p>
            </Show>
            <Show
                when=move || timeline.months.with(|months| !months.is_empty())
                fallback=move || view! { <EmptyState filtered=!state.tags.with(Vec::is_empty)/> }
            >
                <TimelineView timeline/>
                <Scrubber timeline/>
            </Show>
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
