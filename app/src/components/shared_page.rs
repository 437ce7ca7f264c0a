//! `/s/{token}`: what a share link shows, to anyone holding it, without an account. The
//! album's photos in the library's grid and lightbox, read-only: no upload, no selection tools,
//! no delete, no classifying, no search across the owner's library. A link with a password
//! asks for it first; a link that does not exist, expired or was revoked says so and nothing
//! more.

use crate::components::gallery_page::LoadMore;
use crate::components::grid::JustifiedGrid;
use crate::components::layout::Announcer;
use crate::components::lightbox::{Lightbox, LightboxData};
use crate::components::voice::VoiceCommands;
use crate::photo_source::PhotoSource;
use crate::server_fns::{open_shared, SharedView, UnlockShared};
use crate::state::GalleryState;
use gaillery_core::api::albums::SharedInfo;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn SharedPage() -> impl IntoView {
    let token = use_params_map().with_untracked(|params| params.get("token").unwrap_or_default());
    let state = GalleryState::new(PhotoSource::Link(token.clone()));
    // Made here, outside the `Suspense` (`LightboxData` says why).
    let lightbox = LightboxData::new(state);
    let view_of_link = {
        let token = token.clone();
        Resource::new(|| (), move |_| open_shared(token.clone()))
    };
    view! {
        // The link's token is in the address: it must not leave in a Referer.
        <Meta name="referrer" content="no-referrer"/>
        <header class="topbar">
            <p class="brand">"GAiLLERY"</p>
        </header>
        <Suspense fallback=|| view! { <p class="status-line">"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match view_of_link.await {
                        Ok(SharedView::Open { info, first_page }) => {
                            state.show(first_page, Vec::new());
                            view! { <SharedAlbum state info lightbox/> }.into_any()
                        }
                        Ok(SharedView::Locked) => view! { <UnlockForm token/> }.into_any(),
                        Err(_) => view! {
                            <Title text="Link not found · GAiLLERY"/>
                            <main class="empty-state">
                                <h1>"This link does not work"</h1>
                                <p>"It may have expired or been revoked. Ask whoever shared it for a new one."</p>
                            </main>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SharedAlbum(state: GalleryState, info: SharedInfo, lightbox: LightboxData) -> impl IntoView {
    // The lightbox listens for voice commands through context; a visitor has no voice control.
    provide_context(VoiceCommands::new());
    let count = crate::components::albums::count_text(info.photo_count);
    view! {
        <Title text=format!("{} · GAiLLERY", info.title)/>
        <main class="page shared-page">
            <div class="album-header">
                <h1>{info.title.clone()}</h1>
                <span class="album-count">{count}</span>
                <span class="hint">"Shared with you"</span>
            </div>
            <JustifiedGrid state/>
            <LoadMore state/>
        </main>
        <Lightbox state data=lightbox/>
        <Announcer state/>
    }
}

/// A link with a password: the visitor gives it, and the page opens afresh with the proof.
#[component]
fn UnlockForm(token: String) -> impl IntoView {
    let unlock = ServerAction::<UnlockShared>::new();
    let path = format!("/s/{token}");
    Effect::new(move |_| {
        if matches!(unlock.value().get(), Some(Ok(()))) {
            crate::browser::open_page(&path);
        }
    });
    view! {
        <Title text="Shared album · GAiLLERY"/>
        <main class="auth-page">
            <h1>"This album has a password"</h1>
            <ActionForm action=unlock attr:class="auth-form">
                <input type="hidden" name="token" value=token/>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                <button class="button primary" type="submit">"Open the album"</button>
            </ActionForm>
            <crate::components::sign_in::FormError value=crate::components::forms::failure(unlock.value())/>
        </main>
    }
}
