//! What the pages share around their content: the top bar of the pages other than the gallery,
//! and the live region that reads out what happens.

use crate::components::icons::IconPrevious;
use crate::components::sign_in::SignOutButton;
use crate::state::GalleryState;
use leptos::prelude::*;

/// The top bar of the settings and albums pages: their own buttons, back to the gallery, and
/// sign out. The links load their page afresh (`rel="external"`): the gallery's live event
/// stream and observers belong to a page load, so each page starts anew.
#[component]
pub fn SubpageTopBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <header class="topbar">
            <p class="brand">"GAiLLERY"</p>
            <div class="topbar-actions">
                {children.map(|children| children())}
                <a class="button subtle" href="/" rel="external">
                    <IconPrevious/>
                    <span class="visually-hidden">"Back to the "</span>
                    "Gallery"
                </a>
                <SignOutButton/>
            </div>
        </header>
    }
}

/// Reads out the gallery's announcements (`GalleryState::announce`) to screen readers.
#[component]
pub fn Announcer(state: GalleryState) -> impl IntoView {
    view! {
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" role="status">
            {move || state.announcement.get()}
        </div>
    }
}
