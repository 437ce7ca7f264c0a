//! Filtering by tag: a search box with suggestions from the labels photos carry, and the
//! active filters as removable chips. The filter lives in the address (`/?tag=dog&tag=beach`),
//! so it survives a reload and can be shared.

use crate::error::AppError;
use crate::server_fns::list_tags;
use crate::state::{page_url, GalleryState};
use gaillery_core::api::TagCount;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The labels the owner's photos carry, with their counts, for the search box's suggestions.
/// Made by the page before its `Suspense`, like the lightbox's data (`LightboxData` says why).
#[derive(Clone, Copy)]
pub struct TagSuggestions(Resource<Result<Vec<TagCount>, AppError>>);

impl TagSuggestions {
    pub fn load() -> TagSuggestions {
        TagSuggestions(Resource::new(|| (), |_| list_tags()))
    }
}

#[component]
pub fn TagSearch(state: GalleryState, suggestions: TagSuggestions) -> impl IntoView {
    let TagSuggestions(suggestions) = suggestions;
    let typed = RwSignal::new(String::new());
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let word = typed.get_untracked().trim().to_owned();
        if word.is_empty() {
            return;
        }
        let mut tags = state.tags.get_untracked();
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(&word)) {
            tags.push(word);
        }
        typed.set(String::new());
        navigate(&page_url(&tags, None), Default::default());
    };
    view! {
        <form class="tag-search" role="search" on:submit=on_submit>
            <input
                type="search"
                name="tag"
                list="tag-suggestions"
                aria-label="Search tags"
                placeholder="Search: cat, dog, fruit…"
                autocomplete="off"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
                // Photos classified since the page loaded bring new labels: fetched again
                // each time the box is focused (from the event, never from a reactive source,
                // which the server's render would have disposed).
                on:focus=move |_| suggestions.refetch()
            />
            <datalist id="tag-suggestions">
                // A transition keeps the last suggestions while new ones load.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        suggestions.await.ok().map(|tags| {
                            tags.into_iter()
                                .map(|t| view! { <option value=t.tag.clone()>{format!("{} ({})", t.tag, t.count)}</option> })
                                .collect_view()
                        })
                    })}
                </Transition>
            </datalist>
            {move || {
                let active = state.tags.get();
                (!active.is_empty()).then(|| view! {
                <ul class="active-tags" aria-label="Active filters">
                    {active.iter().map(|tag| {
                        let others: Vec<String> = active.iter().filter(|t| *t != tag).cloned().collect();
                        view! {
                            <li>
                                <a class="tag-chip" href=page_url(&others, None)
                                    aria-label=format!("Remove filter {tag}")>{tag.clone()} " ×"</a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                })
            }}
        </form>
    }
}
