//! Acting on several photos: the selection toolbar, deleting the selection, and deleting
//! everything (with a confirmation that must be typed, as the original app's "delete all" was
//! one click from disaster).

use crate::components::albums::AddToAlbumButton;
use crate::components::confirm::ConfirmDialog;
use crate::components::icons::IconDelete;
use crate::server_fns::{delete_all_photos, delete_photos};
use crate::state::GalleryState;
use gaillery_core::PhotoId;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Asking {
    Nothing,
    DeleteSelected,
    DeleteAll,
}

#[component]
pub fn SelectionBar(state: GalleryState) -> impl IntoView {
    let asking = RwSignal::new(Asking::Nothing);
    let count = Memo::new(move |_| state.selected.with(|s| s.len()));
    let has_photos = move || state.photos.with(|p| !p.is_empty());

    let delete_selected = move || {
        let ids: Vec<PhotoId> = state
            .selected
            .with_untracked(|s| s.iter().cloned().collect());
        asking.set(Asking::Nothing);
        leptos::task::spawn_local(async move {
            let raw = ids.iter().map(ToString::to_string).collect();
            match delete_photos(raw).await {
                Ok(deleted) => {
                    state.remove_photos(&ids);
                    state.announce(format!("Deleted {deleted} {}", plural(deleted)));
                }
                Err(error) => state.announce(format!("Could not delete: {error}")),
            }
        });
    };
    let delete_everything = move || {
        asking.set(Asking::Nothing);
        leptos::task::spawn_local(async move {
            match delete_all_photos().await {
                Ok(deleted) => {
                    state.photos.set(Vec::new());
                    state.next_cursor.set(None);
                    state.removals.set(crate::state::Removal::Everything);
                    state.selected.update(|s| s.clear());
                    state.announce(format!("Deleted all {deleted} {}", plural(deleted)));
                }
                Err(error) => state.announce(format!("Could not delete: {error}")),
            }
        });
    };

    view! {
        <div class="selection-bar">
            <Show when=move || { count.get() > 0 }>
                <span class="selection-count">{move || format!("{} selected", count.get())}</span>
                <button class="button subtle" on:click=move |_| state.selected.update(|s| s.clear())>
                    "Clear selection"
                </button>
                <AddToAlbumButton state photos=Signal::derive(move || state.selected.with(|s| s.iter().cloned().collect()))/>
                <button class="button danger" on:click=move |_| asking.set(Asking::DeleteSelected)>
                    "Delete selected"
                </button>
            </Show>
            <Show when=move || { count.get() == 0 && has_photos() }>
                <button class="button subtle" on:click=move |_| asking.set(Asking::DeleteAll)>
                    <IconDelete/>
                    <span class="wide-only">"Delete all"</span>
                </button>
            </Show>
        </div>
        {move || match asking.get() {
            Asking::Nothing => ().into_any(),
            Asking::DeleteSelected => view! {
                <ConfirmDialog
                    title=format!("Delete {} {}?", count.get_untracked(), plural(count.get_untracked()))
                    message="The selected photos and their files will be deleted for good."
                    confirm_label="Delete"
                    on_confirm=Callback::new(move |()| delete_selected())
                    on_cancel=Callback::new(move |()| asking.set(Asking::Nothing))
                />
            }.into_any(),
            Asking::DeleteAll => view! {
                <ConfirmDialog
                    title="Delete every photo?"
                    message="Every photo in the gallery and all of its files will be deleted for good. This cannot be undone."
                    confirm_label="Delete everything"
                    typed_confirmation="delete all"
                    on_confirm=Callback::new(move |()| delete_everything())
                    on_cancel=Callback::new(move |()| asking.set(Asking::Nothing))
                />
            }.into_any(),
        }}
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        "photo"
    } else {
        "photos"
    }
}
