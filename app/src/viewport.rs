//! Where the viewport is, for the timeline: which month is at its top, and jumps to a month.
//! Like `browser`, this compiles everywhere and does nothing on the server.

use crate::browser::in_browser;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

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
