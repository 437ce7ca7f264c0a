//! `/albums/{id}`: one album, in the library's grid and lightbox, in album order. Its owner
//! renames, shares and deletes it here; selected photos are taken out of it (never deleted) or
//! one is made its cover. Another owner's album, or none, reads "No such album".

use super::album_selection::AlbumSelectionBar;
use super::count_text;
use super::share::{ShareDialog, ShareTarget};
use crate::components::confirm::ConfirmDialog;
use crate::components::gallery_page::LoadMore;
use crate::components::grid::JustifiedGrid;
use crate::components::icons::{IconAlbum, IconShare};
use crate::components::layout::Announcer;
use crate::components::layout::SubpageTopBar;
use crate::components::lightbox::{Lightbox, LightboxData};
use crate::components::voice::{VoiceCommands, VoiceControl};
use crate::error::AppError;
use crate::photo_source::PhotoSource;
use crate::server_fns::{delete_album, get_album, list_album_photos, rename_album};
use crate::state::GalleryState;
use gaillery_core::api::albums::AlbumInfo;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AlbumPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|params| params.get("id").unwrap_or_default());
    let state = GalleryState::new(PhotoSource::Album(id.clone()));
    // Made here, outside the `Suspense` (`LightboxData` says why).
    let lightbox = LightboxData::new(state);
    let loaded = Resource::new(
        || (),
        move |_| {
            let id = id.clone();
            async move {
                let album = get_album(id.clone()).await?;
                let first_page = list_album_photos(id, None).await?;
                Ok::<_, AppError>((album, first_page))
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="status-line">"Loading the album…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((album, first_page)) => {
                        state.show(first_page, Vec::new());
                        view! { <LoadedAlbum state album lightbox/> }.into_any()
                    }
                    Err(error) => view! {
                        <Title text="Album · GAiLLERY"/>
                        <SubpageTopBar><a class="button subtle" href="/albums" rel="external">"Albums"</a></SubpageTopBar>
                        <main class="page">
                            <p class="status-line" role="alert">{error.to_string()}</p>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Asking {
    Nothing,
    Rename,
    Share,
    Delete,
}

#[component]
fn LoadedAlbum(state: GalleryState, album: AlbumInfo, lightbox: LightboxData) -> impl IntoView {
    let voice = VoiceCommands::new();
    provide_context(voice);
    let info = RwSignal::new(album);
    let asking = RwSignal::new(Asking::Nothing);
    let album_id = info.with_untracked(|a| a.id.clone());
    let title = move || info.with(|a| a.title.clone());
    let rename = {
        let album_id = album_id.clone();
        move |new_title: String| {
            let album_id = album_id.clone();
            asking.set(Asking::Nothing);
            leptos::task::spawn_local(async move {
                match rename_album(album_id, new_title).await {
                    Ok(album) => {
                        state.announce(format!("Renamed to {}", album.title));
                        info.set(album);
                    }
                    Err(error) => state.announce(format!("Could not rename: {error}")),
                }
            });
        }
    };
    let delete = {
        let album_id = album_id.clone();
        move || {
            let album_id = album_id.clone();
            asking.set(Asking::Nothing);
            leptos::task::spawn_local(async move {
                match delete_album(album_id).await {
                    Ok(()) => crate::browser::open_page("/albums"),
                    Err(error) => state.announce(format!("Could not delete the album: {error}")),
                }
            });
        }
    };
    view! {
        <Title text=move || format!("{} · GAiLLERY", title())/>
        <SubpageTopBar>
            <VoiceControl state voice/>
            <a class="button subtle" href="/albums" rel="external"><IconAlbum/>" Albums"</a>
        </SubpageTopBar>
        <main class="page">
            <div class="album-header">
                <h1>{title}</h1>
                <span class="album-count">{move || count_text(info.with(|a| a.photo_count))}</span>
                <div class="album-actions">
                    <button class="button" on:click=move |_| asking.set(Asking::Rename)>"Rename"</button>
                    <button class="button" on:click=move |_| asking.set(Asking::Share)><IconShare/>" Share"</button>
                    <button class="button danger" on:click=move |_| asking.set(Asking::Delete)>"Delete album"</button>
                </div>
            </div>
            <AlbumSelectionBar state album_id=album_id.clone() info/>
            <Show
                when=move || state.photos.with(|p| !p.is_empty()) || state.has_more()
                fallback=|| view! {
                    <section class="empty-state" aria-label="Album">
                        <div class="empty-art"><IconAlbum/></div>
                        <h2>"This album is empty"</h2>
                        <p>"Select photos in the " <a href="/" rel="external">"gallery"</a>
                            " and choose " <strong>"Add to album"</strong> "."</p>
                    </section>
                }
            >
                <JustifiedGrid state/>
            </Show>
            <LoadMore state/>
        </main>
        <Lightbox state data=lightbox/>
        <Announcer state/>
        {move || match asking.get() {
            Asking::Nothing => ().into_any(),
            Asking::Rename => view! { <RenameDialog current=title() on_rename=rename.clone() on_cancel=move || asking.set(Asking::Nothing)/> }.into_any(),
            Asking::Share => view! { <ShareDialog target=ShareTarget::Album(album_id.clone()) on_close=Callback::new(move |()| asking.set(Asking::Nothing))/> }.into_any(),
            Asking::Delete => {
                let delete = delete.clone();
                view! {
                    <ConfirmDialog
                        title=format!("Delete the album {}?", title())
                        message="Its share links stop working. Its photos stay in your library."
                        confirm_label="Delete album"
                        on_confirm=Callback::new(move |()| delete())
                        on_cancel=Callback::new(move |()| asking.set(Asking::Nothing))
                    />
                }.into_any()
            }
        }}
    }
}

/// Asks for the album's new title.
#[component]
fn RenameDialog(
    current: String,
    on_rename: impl Fn(String) + Clone + Send + Sync + 'static,
    on_cancel: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let typed = RwSignal::new(current);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let submit = {
        let on_rename = on_rename.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let title = typed.get_untracked().trim().to_owned();
            if !title.is_empty() {
                on_rename(title);
            }
        }
    };
    let cancel = on_cancel.clone();
    view! {
        <div class="modal-backdrop">
            <form class="modal" role="dialog" aria-modal="true" aria-labelledby="rename-title"
                on:submit=submit
                on:keydown=move |ev| if ev.key() == "Escape" { ev.stop_propagation(); on_cancel() }>
                <h2 id="rename-title">"Rename the album"</h2>
                <label>
                    "Title"
                    <input type="text" required maxlength="200" node_ref=input
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <div class="modal-actions">
                    <button class="button" type="button" on:click=move |_| cancel()>"Cancel"</button>
                    <button class="button primary" type="submit">"Rename"</button>
                </div>
            </form>
        </div>
    }
}
