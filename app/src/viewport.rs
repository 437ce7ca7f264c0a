//! Where the viewport is, for the timeline: which blocks are near it, which month is at its
//! top, and jumps to a month. Like `browser`, this compiles everywhere and does nothing on the
//! server.

use crate::browser::in_browser;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type NearnessCallback = Closure<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>;

thread_local! {
    // The observers watching elements' nearness, by watch number, until their component goes.
    // A removed element that was far never gets another callback, so without this its
    // observer and closure would live as long as the page.
    static WATCHES: RefCell<HashMap<u64, (web_sys::IntersectionObserver, NearnessCallback)>> =
        RefCell::new(HashMap::new());
}

static NEXT_WATCH: AtomicU64 = AtomicU64::new(0);

/// Calls `on_change(true)` when the element comes within `margin` (CSS, e.g. `"200% 0px"`) of
/// the viewport and `on_change(false)` when it leaves, starting with where it is now, until
/// the reactive owner it is called under (a component or effect) is cleaned up.
pub fn observe_nearness(
    element: &web_sys::Element,
    margin: &str,
    on_change: impl Fn(bool) + 'static,
) {
    if !in_browser() {
        return;
    }
    let callback = NearnessCallback::new(
        move |entries: js_sys::Array, _: web_sys::IntersectionObserver| {
            let last = entries
                .iter()
                .filter_map(|entry| entry.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                .next_back();
            if let Some(entry) = last {
                on_change(entry.is_intersecting());
            }
        },
    );
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin(margin);
    let Ok(observer) = web_sys::IntersectionObserver::new_with_options(
        callback.as_ref().unchecked_ref(),
        &options,
    ) else {
        return;
    };
    observer.observe(element);
    let watch = NEXT_WATCH.fetch_add(1, Ordering::Relaxed);
    WATCHES.with_borrow_mut(|watches| watches.insert(watch, (observer, callback)));
    // Only the watch's number crosses into the cleanup, which must be `Send`.
    leptos::prelude::on_cleanup(move || {
        let stopped = WATCHES.with_borrow_mut(|watches| watches.remove(&watch));
        if let Some((observer, _callback)) = stopped {
            observer.disconnect();
        }
    });
}

/// Calls `on_scroll` at most once per frame while the page scrolls, and once now.
pub fn on_scroll_frame(on_scroll: impl Fn() + 'static) {
    if !in_browser() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_scroll = std::rc::Rc::new(on_scroll);
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    let frame = {
        let (on_scroll, pending) = (on_scroll.clone(), pending.clone());
        Closure::<dyn FnMut()>::new(move || {
            pending.set(false);
            on_scroll();
        })
    };
    let listener = {
        let window = window.clone();
        Closure::<dyn FnMut()>::new(move || {
            if !pending.replace(true) {
                let _ = window.request_animation_frame(frame.as_ref().unchecked_ref());
            }
        })
    };
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(true);
    let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
        "scroll",
        listener.as_ref().unchecked_ref(),
        &options,
    );
    listener.forget();
    on_scroll();
}

/// Calls `on_scroll` when the person scrolls by wheel or touch, before the page handles it.
pub fn on_scroll_by_hand(on_scroll: impl Fn() + 'static) {
    if !in_browser() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn FnMut()>::new(on_scroll);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(true);
    options.set_capture(true);
    for event in ["wheel", "touchmove"] {
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
            event,
            listener.as_ref().unchecked_ref(),
            &options,
        );
    }
    listener.forget();
}

/// The bottom of the sticky header in the viewport: what is above it is hidden.
fn header_bottom(document: &web_sys::Document) -> f64 {
    document
        .query_selector(".topbar")
        .ok()
        .flatten()
        .map(|header| header.get_bounding_client_rect().bottom())
        .unwrap_or(0.0)
}

/// The `data-month` of the timeline section under the top of the viewport, just below the
/// sticky header.
pub fn month_at_top() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let top = header_bottom(&document);
    let width = f64::from(document.document_element()?.client_width());
    let element = document.element_from_point((width / 2.0) as f32, (top + 8.0) as f32)?;
    let section = element.closest("[data-month]").ok().flatten()?;
    section.get_attribute("data-month")
}

/// Scrolls so that the element with `id` starts just below the sticky header (whose height
/// differs between a desktop and a phone, where its buttons wrap).
pub fn scroll_to_id(id: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    if let Some(element) = document.get_element_by_id(id) {
        let scrolled = window.scroll_y().unwrap_or(0.0);
        let top = element.get_bounding_client_rect().top() + scrolled - header_bottom(&document);
        window.scroll_to_with_x_and_y(0.0, top.max(0.0));
    }
}

/// Scrolls to the very top of the page.
pub fn scroll_to_top() {
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}
