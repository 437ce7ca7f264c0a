//! The open viewer: the photo on its stage, what is known about it, the toolbar, Previous and
//! Next, and the delete confirmation. Focus moves into it when it opens, stays inside while it
//! is open, and returns to the photo's tile when it closes.

use super::gestures::{use_zoom_pan, Swipe, ZoomPan};
use super::keys::use_viewer_keys;
use super::labels::{PhotoLabels, ReclassifyControl, ServerModels};
use super::navigation::{Neighbours, PhotoNavigation};
use super::voice::use_viewer_voice;
use super::writes::{LightboxWrites, PhotoDeletion};
use crate::components::albums::{AddToAlbumButton, SharePhotoButton};
use crate::components::confirm::ConfirmDialog;
use crate::components::icons::{
    IconClose, IconDelete, IconDownload, IconFullscreen, IconNext, IconPrevious, IconRemove,
    IconZoomIn, IconZoomOut,
};
use crate::components::slideshow::{Slideshow, SlideshowControls};
use crate::photo_source::PhotoSource;
use crate::state::GalleryState;
use gaillery_core::{Photo, Variant};
use leptos::ev::{KeyboardEvent, TouchEvent};
use leptos::html::Div;
use leptos::prelude::*;

/// What the keys, the voice and the buttons act on: the open photo and the viewer's parts.
#[derive(Clone, Copy)]
pub struct Viewer {
    pub state: GalleryState,
    pub current: Memo<Option<Photo>>,
    pub neighbours: Neighbours,
    pub navigation: PhotoNavigation,
    pub zoom: ZoomPan,
    pub slideshow: Slideshow,
    /// The delete confirmation is showing.
    pub confirming_delete: RwSignal<bool>,
    delete: PhotoDeletion,
    dialog: NodeRef<Div>,
}

impl Viewer {
    /// Deletes the open photo (already confirmed). The next photo takes its place, else the
    /// previous one; without either the viewer closes.
    pub fn delete_current(&self) {
        let Some(photo) = self.current.get_untracked() else {
            return;
        };
        let then_show = self
            .neighbours
            .next
            .get_untracked()
            .or_else(|| self.neighbours.previous.get_untracked());
        self.delete.start(photo, then_show);
    }

    pub fn toggle_fullscreen(&self) {
        if let Some(element) = self.dialog.get_untracked() {
            crate::browser::toggle_fullscreen(&element);
        }
    }

    /// Whether a key is the viewer's: not while a dialog is open over it (the delete
    /// confirmation, sharing the photo, adding it to an album), whose keys are its own. The viewer listens on the window, where
    /// that dialog's handler cannot stop the event in time, and the focus may be on the page's
    /// body, outside both.
    pub fn owns_key(&self) -> bool {
        self.dialog
            .get_untracked()
            .is_none_or(|viewer| matches!(viewer.query_selector("[aria-modal='true']"), Ok(None)))
    }

    /// Keeps Tab and Shift+Tab inside the dialog.
    pub fn trap_focus(&self, ev: &KeyboardEvent) {
        if let Some(element) = self.dialog.get_untracked() {
            crate::browser::trap_focus(&element, ev);
        }
    }
}

#[component]
pub fn LightboxDialog(
    state: GalleryState,
    current: Memo<Option<Photo>>,
    navigation: PhotoNavigation,
    writes: LightboxWrites,
    models: ServerModels,
) -> impl IntoView {
    let dialog = NodeRef::<Div>::new();
    let close_button = NodeRef::<leptos::html::Button>::new();
    let current_id = Memo::new(move |_| current.with(|p| p.as_ref().map(|p| p.id.clone())));
    let neighbours = Neighbours::new(state, current_id, navigation);
    let viewer = Viewer {
        state,
        current,
        neighbours,
        navigation,
        zoom: use_zoom_pan(current_id),
        slideshow: Slideshow::new(),
        confirming_delete: RwSignal::new(false),
        delete: writes.delete,
        dialog,
    };
    let (zoom, confirming_delete) = (viewer.zoom, viewer.confirming_delete);
    let deleting = writes.delete.pending();
    // The confirmation stays up while the request is out, and goes with the answer.
    Effect::watch(
        move || writes.delete.answers(),
        move |_, _, _| confirming_delete.set(false),
        false,
    );

    // Near the end of what is loaded, load more so Next keeps working.
    Effect::new(move |_| {
        if let Some(index) = neighbours.position.get() {
            if index + 3 >= state.photos.with(Vec::len) {
                state.load_more();
            }
        }
    });
    // Focus moves into the dialog when it opens, and back to the tile of the photo last
    // shown when it closes.
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let last_open = StoredValue::new(current_id.get_untracked());
    Effect::new(move |_| {
        if let Some(id) = current_id.get() {
            last_open.set_value(Some(id));
        }
    });
    on_cleanup(move || {
        if let Some(id) = last_open.get_value() {
            crate::browser::focus_element_by_id(&format!("tile-{id}"));
        }
    });

    // The slideshow moves on by itself, and starts over after the last loaded photo.
    viewer.slideshow.drive(move || {
        if neighbours.next.with_untracked(Option::is_some) {
            neighbours.show_next();
        } else {
            navigation.show(
                state
                    .photos
                    .with_untracked(|photos| photos.first().cloned()),
            );
        }
    });
    use_viewer_keys(viewer);
    use_viewer_voice(viewer);

    let on_touchend = move |ev: TouchEvent| match zoom.touch_end(&ev) {
        Some(Swipe::ToNext) => neighbours.show_next(),
        Some(Swipe::ToPrevious) => neighbours.show_previous(),
        None => {}
    };
    let in_album = matches!(state.source(), PhotoSource::Album(_));
    let photo = move || current.get();
    let filename = move || photo().map(|p| p.filename).unwrap_or_default();
    view! {
        <div
            class="lightbox"
            role="dialog"
            aria-modal="true"
            aria-label=move || format!("Photo viewer: {}", filename())
            node_ref=dialog
        >
            <div
                class="lightbox-stage"
                on:touchstart=move |ev| zoom.touch_start(&ev)
                on:touchmove=move |ev| zoom.touch_move(&ev)
                on:touchend=on_touchend
                on:pointerdown=move |ev| zoom.pointer_down(&ev)
                on:pointermove=move |ev| zoom.pointer_move(&ev)
                on:pointerup=move |_| zoom.stop_drag()
                on:pointerleave=move |_| zoom.stop_drag()
                on:dblclick=move |_| zoom.double_click()
            >
                {move || photo().map(|p| {
                    let background = gaillery_core::placeholder::average_color(&p.placeholder);
                    view! {
                    <img
                        class="lightbox-image"
                        class:zoomed=move || zoom.is_zoomed()
                        src=state.image_url(&p, Variant::Preview)
                        alt=p.alt_text()
                        width=p.width
                        height=p.height
                        draggable="false"
                        style:transform=move || zoom.transform()
                        style:background-color=background
                    />
                }})}
            </div>
            <div class="lightbox-info">
                <strong class="lightbox-filename">{filename}</strong>
                <span>{move || photo().map(|p| format!("{} × {}", p.width, p.height))}</span>
                {move || photo().and_then(|p| p.taken_at).map(|taken| view! {
                    <span>"Taken " <time datetime=taken.clone()>{taken.replacen('T', " ", 1)}</time></span>
                })}
                <PhotoLabels state photo=Signal::derive(photo) retry=writes.retry/>
                {(!state.read_only()).then(|| view! {
                    <ReclassifyControl photo=Signal::derive(photo) models classify_again=writes.classify_again/>
                    <AddToAlbumButton state photos=Signal::derive(move || photo().map(|p| vec![p.id]).unwrap_or_default())/>
                    <SharePhotoButton photo=Signal::derive(move || photo().map(|p| p.id))/>
                }.into_any())}
                <span class="lightbox-position">
                    {move || neighbours.position.get().map(|i| format!("{} of {}{}", i + 1, state.photos.with(Vec::len), if state.has_more() { "+" } else { "" }))}
                </span>
            </div>
            <div class="lightbox-toolbar">
                <button class="icon-button" aria-label="Zoom out" title="Zoom out (−)"
                    disabled=move || !zoom.is_zoomed()
                    on:click=move |_| zoom.zoom_out()><IconZoomOut/></button>
                <button class="icon-button" aria-label="Zoom in" title="Zoom in (+)"
                    disabled=move || zoom.at_max_zoom()
                    on:click=move |_| zoom.zoom_in()><IconZoomIn/></button>
                <SlideshowControls slideshow=viewer.slideshow/>
                <button class="icon-button" aria-label="Fullscreen" title="Fullscreen (F)"
                    on:click=move |_| viewer.toggle_fullscreen()><IconFullscreen/></button>
                <a class="icon-button" aria-label="Download original" title="Download original"
                    href=move || photo().map(|p| state.image_url(&p, Variant::Original)) download=filename><IconDownload/></a>
                {match state.source() {
                    PhotoSource::Link(_) => None,
                    PhotoSource::Album(_) => Some(view! {
                        <button class="icon-button" aria-label="Remove from album" title="Remove from album (Del)"
                            on:click=move |_| confirming_delete.set(true)><IconRemove/></button>
                    }.into_any()),
                    PhotoSource::Library => Some(view! {
                        <button class="icon-button" aria-label="Delete photo" title="Delete (Del)"
                            on:click=move |_| confirming_delete.set(true)><IconDelete/></button>
                    }.into_any()),
                }}
                <button class="icon-button" aria-label="Close" title="Close (Esc)" node_ref=close_button
                    on:click=move |_| navigation.close()><IconClose/></button>
            </div>
            <button class="lightbox-nav previous" aria-label="Previous photo" title="Previous (←)"
                disabled=move || neighbours.previous.with(Option::is_none)
                on:click=move |_| neighbours.show_previous()><IconPrevious/></button>
            <button class="lightbox-nav next" aria-label="Next photo" title="Next (→)"
                disabled=move || neighbours.next.with(Option::is_none)
                on:click=move |_| neighbours.show_next()><IconNext/></button>
            // Neighbours load in the background so moving is instant.
            <div class="preload" aria-hidden="true">
                {move || neighbours.previous.get().map(|p| view! { <img src=state.image_url(&p, Variant::Preview) alt="" loading="eager"/> })}
                {move || neighbours.next.get().map(|p| view! { <img src=state.image_url(&p, Variant::Preview) alt="" loading="eager"/> })}
            </div>
            <Show when=move || confirming_delete.get()>
                <ConfirmDialog
                    title=if in_album { "Remove this photo from the album?" } else { "Delete this photo?" }
                    message=if in_album {
                        format!("{} stays in your library.", filename())
                    } else {
                        format!("{} will be deleted for good.", filename())
                    }
                    confirm_label=match (in_album, deleting.get_untracked()) {
                        (true, true) => "Removing…",
                        (true, false) => "Remove",
                        (false, true) => "Deleting…",
                        (false, false) => "Delete",
                    }
                    on_confirm=Callback::new(move |()| viewer.delete_current())
                    on_cancel=Callback::new(move |()| confirming_delete.set(false))
                />
            </Show>
        </div>
    }
}
