//! What the album's owner does with selected photos: take them out of the album (they stay in
//! the library), move the one selected earlier or later in the album, or make it the cover.

use super::count_text;
use crate::server_fns::{move_in_album, remove_from_album, set_album_cover};
use crate::state::GalleryState;
use gaillery_core::api::albums::AlbumInfo;
use gaillery_core::PhotoId;
use leptos::prelude::*;

/// With photos selected: take them out of the album, or make the one selected its cover.
#[component]
pub(super) fn AlbumSelectionBar(
    state: GalleryState,
    album_id: String,
    info: RwSignal<AlbumInfo>,
) -> impl IntoView {
    let count = Memo::new(move |_| state.selected.with(|s| s.len()));
    let selected = move || -> Vec<PhotoId> {
        state
            .selected
            .with_untracked(|s| s.iter().cloned().collect())
    };
    let album_id = StoredValue::new(album_id);
    let remove = {
        move |_| {
            let (album_id, ids) = (album_id.get_value(), selected());
            leptos::task::spawn_local(async move {
                let raw = ids.iter().map(ToString::to_string).collect();
                match remove_from_album(album_id, raw).await {
                    Ok(removed) => {
                        state.remove_photos(&ids);
                        info.update(|a| {
                            a.photo_count = a.photo_count.saturating_sub(removed as u64)
                        });
                        state.announce(format!(
                            "Removed {} from the album",
                            count_text(removed as u64)
                        ));
                    }
                    Err(error) => state.announce(format!("Could not remove: {error}")),
                }
            });
        }
    };
    let make_cover = move |_| {
        let album_id = album_id.get_value();
        let Some(id) = selected().into_iter().next() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match set_album_cover(album_id, id.to_string()).await {
                Ok(()) => {
                    info.update(|a| a.cover = Some(id.to_string()));
                    state.selected.update(|s| s.clear());
                    state.announce("The album's cover is set");
                }
                Err(error) => state.announce(format!("Could not set the cover: {error}")),
            }
        });
    };
    // Where the one selected photo can go: just before another loaded photo, or last once
    // the whole album is loaded. `None` where it cannot move.
    let target = move |later: bool| -> Option<Option<PhotoId>> {
        let [id] = selected().try_into().ok()?;
        let index = state.position_of(&id)?;
        state.photos.with(|photos| {
            if !later {
                return photos
                    .get(index.checked_sub(1)?)
                    .map(|p| Some(p.id.clone()));
            }
            match photos.get(index + 2) {
                Some(after_next) => Some(Some(after_next.id.clone())),
                None if index + 1 < photos.len() && !state.has_more() => Some(None),
                None => None,
            }
        })
    };
    let move_selected = move |later: bool| {
        let (Some(before), Ok([id])) = (target(later), <[PhotoId; 1]>::try_from(selected())) else {
            return;
        };
        let album_id = album_id.get_value();
        leptos::task::spawn_local(async move {
            let asked = before.as_ref().map(ToString::to_string);
            match move_in_album(album_id, id.to_string(), asked).await {
                Ok(()) => {
                    state.move_photo(&id, before.as_ref());
                    state.announce(if later {
                        "Moved later"
                    } else {
                        "Moved earlier"
                    });
                }
                Err(error) => state.announce(format!("Could not move: {error}")),
            }
        });
    };
    view! {
        <Show when=move || { count.get() > 0 }>
            <div class="selection-bar album-selection">
                <span class="selection-count">{move || format!("{} selected", count.get())}</span>
                <button class="button subtle" on:click=move |_| state.selected.update(|s| s.clear())>"Clear selection"</button>
                <Show when=move || count.get() == 1>
                    <button class="button" disabled=move || target(false).is_none()
                        on:click=move |_| move_selected(false)>"Move earlier"</button>
                    <button class="button" disabled=move || target(true).is_none()
                        on:click=move |_| move_selected(true)>"Move later"</button>
                    <button class="button" on:click=make_cover>"Use as cover"</button>
                </Show>
                <button class="button danger" on:click=remove>"Remove from album"</button>
            </div>
        </Show>
    }
}
