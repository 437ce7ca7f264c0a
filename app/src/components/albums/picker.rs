//! "Add to album": for the selected photos, or the one in the lightbox. A dialog lists one's
//! albums to pick from, and makes a new one on the spot.

use crate::components::confirm::modal_keys;
use crate::server_fns::{add_to_album, create_album, list_albums};
use crate::state::GalleryState;
use gaillery_core::api::albums::AlbumInfo;
use gaillery_core::PhotoId;
use leptos::prelude::*;

#[component]
pub fn AddToAlbumButton(state: GalleryState, photos: Signal<Vec<PhotoId>>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button class="button subtle" type="button" on:click=move |_| open.set(true)>
            "Add to album"
        </button>
        <Show when=move || open.get()>
            <AlbumPicker state photos=photos.get_untracked() on_close=Callback::new(move |()| open.set(false))/>
        </Show>
    }
}

/// Adds `photos` to the album `album` and says how it went.
pub async fn add_and_announce(state: GalleryState, album: AlbumInfo, photos: Vec<PhotoId>) {
    let raw = photos.iter().map(ToString::to_string).collect();
    match add_to_album(album.id.clone(), raw).await {
        Ok(0) => state.announce(format!("Already in {}", album.title)),
        Ok(1) => state.announce(format!("Added 1 photo to {}", album.title)),
        Ok(added) => state.announce(format!("Added {added} photos to {}", album.title)),
        Err(error) => state.announce(format!("Could not add to {}: {error}", album.title)),
    }
}

#[component]
fn AlbumPicker(state: GalleryState, photos: Vec<PhotoId>, on_close: Callback<()>) -> impl IntoView {
    let albums = Resource::new(|| (), |_| list_albums());
    let photos = StoredValue::new(photos);
    let new_title = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    let choose = move |album: AlbumInfo| {
        on_close.run(());
        leptos::task::spawn_local(add_and_announce(state, album, photos.get_value()));
    };
    let create_and_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = new_title.get_untracked().trim().to_owned();
        if title.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match create_album(title).await {
                Ok(album) => choose(album),
                Err(error) => failed.set(Some(error.to_string())),
            }
        });
    };
    let dialog = NodeRef::<leptos::html::Div>::new();
    let on_keydown = modal_keys(dialog, on_close);
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    let count = photos.with_value(Vec::len);
    view! {
        <div class="modal-backdrop">
            <div class="modal album-picker" role="dialog" aria-modal="true"
                aria-labelledby="picker-title" node_ref=dialog on:keydown=on_keydown>
                <h2 id="picker-title">
                    {if count == 1 { "Add 1 photo to an album".to_owned() } else { format!("Add {count} photos to an album") }}
                </h2>
                <Transition fallback=|| view! { <p class="hint">"Loading albums…"</p> }>
                    {move || Suspend::new(async move {
                        match albums.await {
                            Ok(list) if list.is_empty() => view! { <p class="hint">"You have no albums yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="picker-list" aria-label="Your albums">
                                    {list.into_iter().map(|album| {
                                        let label = format!("{} ({})", album.title, album.photo_count);
                                        view! {
                                            <li><button class="button subtle" type="button"
                                                on:click=move |_| choose(album.clone())>{label}</button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <form class="album-new" on:submit=create_and_add>
                    <label for="picker-new">"New album"</label>
                    <input id="picker-new" type="text" maxlength="200" autocomplete="off"
                        prop:value=move || new_title.get()
                        on:input=move |ev| new_title.set(event_target_value(&ev))/>
                    <button class="button primary" type="submit">"Create and add"</button>
                </form>
                <p class="form-error" role="alert">{move || failed.get().unwrap_or_default()}</p>
                <div class="modal-actions">
                    <button class="button" type="button" node_ref=cancel on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}
