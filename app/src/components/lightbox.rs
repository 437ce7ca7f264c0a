//! The lightbox: one photo at a time, over the grid.
//!
//! The open photo lives in the URL (`/?photo=ID`), so a link to it opens it, Back closes it, and
//! moving between photos changes it. Keys: ← → move, Escape closes, + and − zoom, F toggles
//! fullscreen, Delete asks to delete. Touch: swipe to move, pinch or double-tap to zoom, drag to
//! pan a zoomed photo. Focus stays inside while it is open and returns to the photo's tile when
//! it closes.

use crate::components::confirm::ConfirmDialog;
use crate::components::icons::{
    IconClose, IconDelete, IconDownload, IconFullscreen, IconNext, IconPrevious, IconZoomIn,
    IconZoomOut,
};
use crate::components::slideshow::{Slideshow, SlideshowControls};
use crate::components::voice::VoiceCommands;
use crate::server_fns::{classification_models, delete_photos, get_photo, reclassify_photo};
use crate::state::{page_url, GalleryState};
use gaillery_core::api::PhotoEvent;
use gaillery_core::voice::Intent;
use gaillery_core::{Photo, PhotoId, PhotoStatus, Variant};
use leptos::ev::{KeyboardEvent, MouseEvent, PointerEvent, TouchEvent};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

const MIN_ZOOM: f64 = 1.0;
const MAX_ZOOM: f64 = 5.0;
const ZOOM_STEP: f64 = 1.5;
/// How far a finger must travel sideways to count as a swipe, in CSS pixels.
const SWIPE_DISTANCE: f64 = 50.0;
/// Two taps closer than this are a double-tap.
const DOUBLE_TAP_MS: f64 = 300.0;

/// The zoom and pan of the open photo.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    scale: f64,
    x: f64,
    y: f64,
}

impl View {
    const FIT: View = View {
        scale: 1.0,
        x: 0.0,
        y: 0.0,
    };

    fn zoomed(self, factor: f64) -> View {
        let scale = (self.scale * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        if scale <= MIN_ZOOM {
            View::FIT
        } else {
            View { scale, ..self }
        }
    }

    fn transform(self) -> String {
        format!(
            "translate({:.1}px, {:.1}px) scale({:.3})",
            self.x, self.y, self.scale
        )
    }
}

/// An ongoing touch gesture on the photo.
#[derive(Clone, Copy, Debug, Default)]
struct Gesture {
    start_x: f64,
    start_y: f64,
    last_x: f64,
    last_y: f64,
    /// Distance between two fingers when a pinch started, and the scale then.
    pinch: Option<(f64, f64)>,
    /// When the last single tap ended (ms), for double-tap.
    last_tap_ms: f64,
    moved: bool,
}

#[component]
pub fn Lightbox(state: GalleryState) -> impl IntoView {
    let query = use_query_map();
    let open_id = Memo::new(move |_| {
        query
            .read()
            .get("photo")
            .and_then(|raw| PhotoId::parse(&raw))
    });

    // A deep link can name a photo that is not among the loaded ones: fetch it alone.
    // The source reads the photo list untracked: tracked, it woke this resource whenever the
    // list changed, even after a server render had disposed `open_id`. It stays `None` while
    // moving between loaded photos, so the viewer is not rebuilt on every step.
    let fetched = Resource::new(
        move || open_id.get().filter(|id| !state.is_shown(id)),
        |missing| async move {
            match missing {
                Some(id) => get_photo(id.to_string()).await.ok(),
                None => None,
            }
        },
    );

    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let fetched_photo = fetched.await;
                let current = Memo::new(move |_| {
                    let id = open_id.get()?;
                    state
                        .photos
                        .with(|photos| photos.iter().find(|p| p.id == id).cloned())
                        .or_else(|| fetched_photo.clone().filter(|p| p.id == id))
                });
                view! {
                    <Show when=move || current.with(Option::is_some)>
                        <LightboxDialog state current/>
                    </Show>
                }
            })}
        </Transition>
    }
}

#[component]
fn LightboxDialog(state: GalleryState, current: Memo<Option<Photo>>) -> impl IntoView {
    let navigate = use_navigate();
    let dialog = NodeRef::<leptos::html::Div>::new();
    let close_button = NodeRef::<leptos::html::Button>::new();
    let view_state = RwSignal::new(View::FIT);
    let gesture = StoredValue::new(Gesture::default());
    let confirming_delete = RwSignal::new(false);
    let deleting = RwSignal::new(false);

    let current_id = Memo::new(move |_| current.with(|p| p.as_ref().map(|p| p.id.clone())));
    let position = Memo::new(move |_| current_id.get().and_then(|id| state.position_of(&id)));
    let neighbour = move |offset: isize| -> Option<Photo> {
        let index = position.get()?.checked_add_signed(offset)?;
        state.photos.with(|photos| photos.get(index).cloned())
    };
    let previous = Memo::new(move |_| neighbour(-1));
    let next = Memo::new(move |_| neighbour(1));

    // A new photo starts unzoomed.
    Effect::new(move |_| {
        current_id.track();
        view_state.set(View::FIT);
    });
    // Near the end of what is loaded, load more so Next keeps working.
    Effect::new(move |_| {
        if let Some(index) = position.get() {
            if index + 3 >= state.photos.with(Vec::len) {
                state.load_more();
            }
        }
    });
    // Focus moves into the dialog when it opens, and back to the photo's tile when it closes.
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

    let go_to = {
        let navigate = navigate.clone();
        move |photo: Option<Photo>| {
            if let Some(photo) = photo {
                let options = NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                };
                navigate(
                    &page_url(&state.tags.get_untracked(), Some(&photo.id)),
                    options,
                );
            }
        }
    };
    let close = {
        let navigate = navigate.clone();
        move || {
            let options = NavigateOptions {
                scroll: false,
                ..Default::default()
            };
            navigate(&page_url(&state.tags.get_untracked(), None), options);
        }
    };
    let show_previous = {
        let go_to = go_to.clone();
        move || go_to(previous.get_untracked())
    };
    let show_next = {
        let go_to = go_to.clone();
        move || go_to(next.get_untracked())
    };
    let zoom = move |factor: f64| view_state.update(|v| *v = v.zoomed(factor));
    let toggle_fullscreen = move || {
        if let Some(element) = dialog.get_untracked() {
            crate::browser::toggle_fullscreen(&element);
        }
    };

    // Keyboard, while open and no confirmation is asking.
    let handle = window_event_listener(leptos::ev::keydown, {
        let show_previous = show_previous.clone();
        let show_next = show_next.clone();
        let close = close.clone();
        move |ev: KeyboardEvent| {
            if confirming_delete.get_untracked() || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
                return;
            }
            match ev.key().as_str() {
                "ArrowRight" => show_next(),
                "ArrowLeft" => show_previous(),
                "Escape" => close(),
                "+" | "=" => zoom(ZOOM_STEP),
                "-" | "_" => zoom(1.0 / ZOOM_STEP),
                "0" => view_state.set(View::FIT),
                "f" | "F" => toggle_fullscreen(),
                "Delete" => confirming_delete.set(true),
                "Tab" => {
                    if let Some(element) = dialog.get_untracked() {
                        crate::browser::trap_focus(&element, &ev);
                    }
                    return;
                }
                _ => return,
            }
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());

    // Touch: swipe, pinch, double-tap, pan.
    let on_touchstart = move |ev: TouchEvent| {
        let touches = ev.touches();
        gesture.update_value(|g| {
            if touches.length() >= 2 {
                if let Some(distance) = crate::browser::touch_distance(&touches) {
                    g.pinch = Some((distance, view_state.get_untracked().scale));
                }
            } else if let Some(touch) = touches.get(0) {
                let (x, y) = (f64::from(touch.client_x()), f64::from(touch.client_y()));
                *g = Gesture {
                    start_x: x,
                    start_y: y,
                    last_x: x,
                    last_y: y,
                    pinch: None,
                    last_tap_ms: g.last_tap_ms,
                    moved: false,
                };
            }
        });
    };
    let on_touchmove = move |ev: TouchEvent| {
        let touches = ev.touches();
        let pinch = gesture.with_value(|g| g.pinch);
        if let (Some((start_distance, start_scale)), true) = (pinch, touches.length() >= 2) {
            ev.prevent_default();
            if let Some(distance) = crate::browser::touch_distance(&touches) {
                let scale =
                    (start_scale * distance / start_distance.max(1.0)).clamp(MIN_ZOOM, MAX_ZOOM);
                view_state.update(|v| v.scale = scale);
            }
            return;
        }
        let Some(touch) = touches.get(0) else { return };
        let (x, y) = (f64::from(touch.client_x()), f64::from(touch.client_y()));
        let zoomed = view_state.get_untracked().scale > MIN_ZOOM;
        gesture.update_value(|g| {
            if zoomed {
                let (dx, dy) = (x - g.last_x, y - g.last_y);
                view_state.update(|v| {
                    v.x += dx;
                    v.y += dy;
                });
            }
            g.moved |= (x - g.start_x).abs() > 10.0 || (y - g.start_y).abs() > 10.0;
            g.last_x = x;
            g.last_y = y;
        });
        if zoomed {
            ev.prevent_default();
        }
    };
    let on_touchend = {
        let show_previous = show_previous.clone();
        let show_next = show_next.clone();
        move |ev: TouchEvent| {
            if ev.touches().length() > 0 {
                return;
            }
            let g = gesture.get_value();
            if g.pinch.is_some() {
                gesture.update_value(|g| g.pinch = None);
                if view_state.get_untracked().scale <= MIN_ZOOM {
                    view_state.set(View::FIT);
                }
                return;
            }
            let (dx, dy) = (g.last_x - g.start_x, g.last_y - g.start_y);
            let zoomed = view_state.get_untracked().scale > MIN_ZOOM;
            if !zoomed && dx.abs() > SWIPE_DISTANCE && dx.abs() > dy.abs() * 1.5 {
                if dx < 0.0 {
                    show_next();
                } else {
                    show_previous();
                }
                return;
            }
            if !g.moved {
                let now = js_sys::Date::now();
                if now - g.last_tap_ms < DOUBLE_TAP_MS {
                    ev.prevent_default();
                    view_state.update(|v| *v = if zoomed { View::FIT } else { v.zoomed(2.5) });
                    gesture.update_value(|g| g.last_tap_ms = 0.0);
                } else {
                    gesture.update_value(|g| g.last_tap_ms = now);
                }
            }
        }
    };
    // Mouse: double-click zooms, drag pans a zoomed photo.
    let dragging = StoredValue::new(None::<(f64, f64)>);
    let on_pointerdown = move |ev: PointerEvent| {
        if ev.pointer_type() == "mouse" && view_state.get_untracked().scale > MIN_ZOOM {
            dragging.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()))));
        }
    };
    let on_pointermove = move |ev: PointerEvent| {
        if let Some((x0, y0)) = dragging.get_value() {
            let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
            view_state.update(|v| {
                v.x += x - x0;
                v.y += y - y0;
            });
            dragging.set_value(Some((x, y)));
        }
    };
    let stop_drag = move |_: PointerEvent| dragging.set_value(None);
    let on_dblclick = move |_: MouseEvent| {
        view_state.update(|v| {
            *v = if v.scale > MIN_ZOOM {
                View::FIT
            } else {
                v.zoomed(2.5)
            }
        });
    };

    let delete_current = {
        let go_to = go_to.clone();
        let close = close.clone();
        move || {
            let Some(photo) = current.get_untracked() else {
                return;
            };
            let after = next.get_untracked().or_else(|| previous.get_untracked());
            deleting.set(true);
            let go_to = go_to.clone();
            let close = close.clone();
            leptos::task::spawn_local(async move {
                match delete_photos(vec![photo.id.to_string()]).await {
                    Ok(_) => {
                        // Leave the deleted photo before removing it: while the address still
                        // names it and it is gone from the loaded photos, the lightbox takes it
                        // for a deep link and asks the server for it (a failing `get_photo`).
                        match after {
                            Some(_) => go_to(after),
                            None => close(),
                        }
                        state.remove_photos(std::slice::from_ref(&photo.id));
                        state.announce(format!("Deleted {}", photo.filename));
                        confirming_delete.set(false);
                    }
                    Err(error) => {
                        state.announce(format!("Could not delete {}: {error}", photo.filename));
                        confirming_delete.set(false);
                    }
                }
                deleting.set(false);
            });
        }
    };

    // The slideshow moves on by itself, and starts over after the last loaded photo.
    let slideshow = Slideshow::new();
    slideshow.drive({
        let show_next = show_next.clone();
        let go_to = go_to.clone();
        move || {
            if next.with_untracked(Option::is_some) {
                show_next();
            } else {
                go_to(
                    state
                        .photos
                        .with_untracked(|photos| photos.first().cloned()),
                );
            }
        }
    });

    // Spoken commands about the open photo.
    if let Some(voice) = use_context::<VoiceCommands>() {
        let (show_next, show_previous, go_to, close, delete_current) = (
            show_next.clone(),
            show_previous.clone(),
            go_to.clone(),
            close.clone(),
            delete_current.clone(),
        );
        Effect::new(move |_| {
            let Some(intent) = voice.take_command() else {
                return;
            };
            let Some(photo) = current.get_untracked() else {
                return;
            };
            let reply = |text: String| voice.reply(text);
            let loaded = |pick: fn(&[Photo]) -> Option<&Photo>| {
                state.photos.with_untracked(|photos| pick(photos).cloned())
            };
            match intent {
                Intent::Next => match next.get_untracked() {
                    Some(next) => {
                        reply(format!("Showing {}", next.filename));
                        show_next();
                    }
                    None => reply("This is the last photo".into()),
                },
                Intent::Previous => match previous.get_untracked() {
                    Some(previous) => {
                        reply(format!("Showing {}", previous.filename));
                        show_previous();
                    }
                    None => reply("This is the first photo".into()),
                },
                Intent::First | Intent::Last => {
                    let target = if intent == Intent::First {
                        loaded(|photos| photos.first())
                    } else {
                        loaded(|photos| photos.last())
                    };
                    if let Some(target) = &target {
                        reply(format!("Showing {}", target.filename));
                    }
                    go_to(target);
                }
                Intent::Close => {
                    slideshow.running.set(false);
                    close();
                    reply("Closed the viewer".into());
                }
                Intent::OpenGallery => reply(format!("Showing {}", photo.filename)),
                Intent::ZoomIn => {
                    zoom(ZOOM_STEP);
                    reply("Zoomed in".into());
                }
                Intent::ZoomOut => {
                    zoom(1.0 / ZOOM_STEP);
                    reply("Zoomed out".into());
                }
                Intent::SlideshowStart => {
                    slideshow.running.set(true);
                    reply(format!(
                        "Slideshow started: a photo every {} seconds",
                        slideshow.seconds.get_untracked()
                    ));
                }
                Intent::SlideshowStop => {
                    slideshow.running.set(false);
                    reply("Slideshow stopped".into());
                }
                Intent::DeleteCurrent => {
                    slideshow.running.set(false);
                    confirming_delete.set(true);
                    reply(format!(
                        "Delete {}? Say “yes” to delete it or “no” to keep it.",
                        photo.filename
                    ));
                }
                Intent::Confirm if confirming_delete.get_untracked() => {
                    reply(format!("Deleting {}", photo.filename));
                    delete_current();
                }
                Intent::Cancel if confirming_delete.get_untracked() => {
                    confirming_delete.set(false);
                    reply(format!("Kept {}", photo.filename));
                }
                Intent::Confirm | Intent::Cancel => reply("There is nothing to confirm".into()),
                Intent::Describe => voice.read_out(describe(&photo)),
                // Gallery-wide intents are the voice control's own.
                Intent::ShowTag { .. } | Intent::ShowAll | Intent::Help | Intent::None => {}
            }
        });
    }

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
                on:touchstart=on_touchstart
                on:touchmove=on_touchmove
                on:touchend=on_touchend
                on:pointerdown=on_pointerdown
                on:pointermove=on_pointermove
                on:pointerup=stop_drag
                on:pointerleave=stop_drag
                on:dblclick=on_dblclick
            >
                {move || photo().map(|p| {
                    let background = gaillery_core::placeholder::average_color(&p.placeholder);
                    view! {
                    <img
                        class="lightbox-image"
                        class:zoomed=move || { view_state.get().scale > MIN_ZOOM }
                        src=p.url(Variant::Preview)
                        alt=p.alt_text()
                        width=p.width
                        height=p.height
                        draggable="false"
                        style:transform=move || view_state.get().transform()
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
                <PhotoLabels state photo=Signal::derive(photo)/>
                <ReclassifyControl state photo=Signal::derive(photo)/>
                <span class="lightbox-position">
                    {move || position.get().map(|i| format!("{} of {}{}", i + 1, state.photos.with(Vec::len), if state.has_more() { "+" } else { "" }))}
                </span>
            </div>
            <div class="lightbox-toolbar">
                <button class="icon-button" aria-label="Zoom out" title="Zoom out (−)"
                    disabled=move || { view_state.get().scale <= MIN_ZOOM }
                    on:click=move |_| zoom(1.0 / ZOOM_STEP)><IconZoomOut/></button>
                <button class="icon-button" aria-label="Zoom in" title="Zoom in (+)"
                    disabled=move || { view_state.get().scale >= MAX_ZOOM }
                    on:click=move |_| zoom(ZOOM_STEP)><IconZoomIn/></button>
                <SlideshowControls slideshow/>
                <button class="icon-button" aria-label="Fullscreen" title="Fullscreen (F)"
                    on:click=move |_| toggle_fullscreen()><IconFullscreen/></button>
                <a class="icon-button" aria-label="Download original" title="Download original"
                    href=move || photo().map(|p| p.url(Variant::Original)) download=filename><IconDownload/></a>
                <button class="icon-button" aria-label="Delete photo" title="Delete (Del)"
                    on:click=move |_| confirming_delete.set(true)><IconDelete/></button>
                <button class="icon-button" aria-label="Close" title="Close (Esc)" node_ref=close_button
                    on:click={ let close = close.clone(); move |_| close() }><IconClose/></button>
            </div>
            <button class="lightbox-nav previous" aria-label="Previous photo" title="Previous (←)"
                disabled=move || previous.with(Option::is_none)
                on:click={ let show_previous = show_previous.clone(); move |_| show_previous() }><IconPrevious/></button>
            <button class="lightbox-nav next" aria-label="Next photo" title="Next (→)"
                disabled=move || next.with(Option::is_none)
                on:click={ let show_next = show_next.clone(); move |_| show_next() }><IconNext/></button>
            // Neighbours load in the background so moving is instant.
            <div class="preload" aria-hidden="true">
                {move || previous.get().map(|p| view! { <img src=p.url(Variant::Preview) alt="" loading="eager"/> })}
                {move || next.get().map(|p| view! { <img src=p.url(Variant::Preview) alt="" loading="eager"/> })}
            </div>
            <Show when=move || confirming_delete.get()>
                <ConfirmDialog
                    title="Delete this photo?"
                    message=format!("{} will be deleted for good.", filename())
                    confirm_label=if deleting.get_untracked() { "Deleting…" } else { "Delete" }
                    on_confirm=Callback::new({ let delete_current = delete_current.clone(); move |()| delete_current() })
                    on_cancel=Callback::new(move |()| confirming_delete.set(false))
                />
            </Show>
        </div>
    }
}

/// Queues `photo` for classification again, with `model` or the server's default, showing it
/// queued at once; `busy` is set while the request is out.
fn classify_again(state: GalleryState, photo: Photo, model: Option<String>, busy: RwSignal<bool>) {
    busy.set(true);
    // Queued before the request leaves: the events of the new run can arrive before its
    // response, and must not be overwritten by it.
    state.apply_event(PhotoEvent::queued(photo.id.clone()));
    leptos::task::spawn_local(async move {
        if let Err(error) = reclassify_photo(photo.id.to_string(), model).await {
            state.announce(format!(
                "Could not classify {} again: {error}",
                photo.filename
            ));
            let still_queued = state.photos.with_untracked(|photos| {
                photos
                    .iter()
                    .any(|p| p.id == photo.id && p.status == PhotoStatus::Queued)
            });
            if still_queued {
                state.apply_event(PhotoEvent::current(&photo));
            }
        }
        busy.set(false);
    });
}

/// What the classifier saw, with confidences; while it works, the stage; after a failure, the
/// reason and a retry.
#[component]
fn PhotoLabels(state: GalleryState, photo: Signal<Option<Photo>>) -> impl IntoView {
    let retrying = RwSignal::new(false);
    let retry = move |_| {
        if let Some(photo) = photo.get_untracked() {
            classify_again(state, photo, None, retrying);
        }
    };
    move || {
        let photo = photo.get()?;
        Some(match photo.status {
            PhotoStatus::Done if photo.labels.is_empty() => ().into_any(),
            PhotoStatus::Done => view! {
                <ul class="lightbox-labels" aria-label="Labels">
                    {photo.labels.iter().map(|l| {
                        // A click filters the gallery by the label, on top of any filter.
                        let mut tags = state.tags.get();
                        if !tags.contains(&l.label) {
                            tags.push(l.label.clone());
                        }
                        view! {
                            <li>
                                <a class="label-link" href=page_url(&tags, None)
                                    title=format!("Show photos of {}", l.label)>{l.label.clone()}</a>
                                " "
                                <span class="percent">{crate::components::grid::percent(l.probability)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
            PhotoStatus::Failed => view! {
                <span class="lightbox-failure" role="status">
                    "Could not classify: " {photo.status_reason.clone().unwrap_or_default()} " "
                    <button class="button" disabled=move || retrying.get() on:click=retry>"Retry"</button>
                </span>
            }.into_any(),
            stage => view! {
                <span class="lightbox-stage-name" role="status">"Classifying: " {stage.as_str()}</span>
            }.into_any(),
        })
    }
}

/// Classifying the open photo again with another of the server's models, offered when the
/// server has loaded more than one and the photo is not being classified right now.
#[component]
fn ReclassifyControl(state: GalleryState, photo: Signal<Option<Photo>>) -> impl IntoView {
    let models = RwSignal::new(Vec::<String>::new());
    // In the browser only: the server renders the dialog without the control, and so does
    // hydration, until the list arrives.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(loaded) = classification_models().await {
                models.set(loaded);
            }
        });
    });
    let chosen = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let run = move |_| {
        let model = chosen
            .get_untracked()
            .or_else(|| models.with_untracked(|m| m.first().cloned()));
        if let Some(photo) = photo.get_untracked() {
            classify_again(state, photo, model, busy);
        }
    };
    move || {
        let photo = photo.get()?;
        let models = models.get();
        let settled = matches!(photo.status, PhotoStatus::Done | PhotoStatus::Failed);
        (models.len() > 1 && settled).then(|| {
            let selected = chosen.get().or_else(|| models.first().cloned());
            view! {
                <span class="lightbox-reclassify">
                    <select aria-label="Model"
                        on:change=move |event| chosen.set(Some(event_target_value(&event)))>
                        {models.into_iter().map(|model| {
                            let is_selected = selected.as_deref() == Some(model.as_str());
                            view! { <option value=model.clone() selected=is_selected>{model.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <button class="button" disabled=move || busy.get() on:click=run>"Classify again"</button>
                </span>
            }
        })
    }
}

/// What the classifier saw in a photo, as a sentence to show or say.
fn describe(photo: &Photo) -> String {
    match photo.status {
        PhotoStatus::Done if !photo.labels.is_empty() => {
            let guesses: Vec<String> = photo
                .labels
                .iter()
                .map(|l| {
                    format!(
                        "{} ({})",
                        l.label,
                        crate::components::grid::percent(l.probability)
                    )
                })
                .collect();
            format!("This looks like {}", guesses.join(", or "))
        }
        PhotoStatus::Done => format!("{} has no labels", photo.filename),
        PhotoStatus::Failed => format!("{} could not be classified", photo.filename),
        stage => format!(
            "{} is still being classified ({})",
            photo.filename,
            stage.as_str()
        ),
    }
}
