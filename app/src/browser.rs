//! What only exists in a browser: uploads with progress (XHR), observers, focus, fullscreen.
//!
//! These compile everywhere but are only called from effects and event handlers, which run in
//! the browser; on the server every call is a no-op or never happens.

use leptos::ev::KeyboardEvent;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

pub(crate) fn in_browser() -> bool {
    cfg!(target_arch = "wasm32")
}

/// Posts one file as multipart field `file`, reporting upload progress (0..=1) and, once, the
/// response status and body (status 0: no response, e.g. offline or aborted).
pub fn post_file(
    url: &str,
    file: &web_sys::File,
    on_progress: impl Fn(f64) + 'static,
    on_finish: impl FnOnce(u16, String) + 'static,
) -> Result<web_sys::XmlHttpRequest, String> {
    if !in_browser() {
        return Err("uploads need a browser".to_owned());
    }
    let describe = |error: JsValue| format!("the upload could not start ({error:?})");
    let request = web_sys::XmlHttpRequest::new().map_err(describe)?;
    request
        .open_with_async("POST", url, true)
        .map_err(describe)?;
    request
        .set_request_header("Accept", "application/json")
        .map_err(describe)?;
    let form = web_sys::FormData::new().map_err(describe)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(describe)?;

    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            if ev.length_computable() && ev.total() > 0.0 {
                on_progress((ev.loaded() / ev.total()).clamp(0.0, 1.0));
            }
        });
    let upload = request.upload().map_err(describe)?;
    upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    // `loadend` fires exactly once, after success, error or abort; it also releases the
    // progress closure, so nothing leaks per upload.
    let finished = request.clone();
    let mut progress = Some(progress);
    let mut on_finish = Some(on_finish);
    let loadend =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |_ev: web_sys::ProgressEvent| {
            if let Ok(upload) = finished.upload() {
                upload.set_onprogress(None);
            }
            drop(progress.take());
            let status = finished.status().unwrap_or(0);
            let body = finished.response_text().ok().flatten().unwrap_or_default();
            finished.set_onloadend(None);
            if let Some(on_finish) = on_finish.take() {
                on_finish(status, body);
            }
        });
    request.set_onloadend(Some(loadend.as_ref().unchecked_ref()));
    // The request owns the only reference to `loadend` from here; it is dropped with the
    // request once `onloadend` is cleared.
    loadend.forget();
    request
        .send_with_opt_form_data(Some(&form))
        .map_err(describe)?;
    Ok(request)
}

/// Follows the server's processing events (`GET /api/events`) for as long as the page lives:
/// `on_event` gets each `photo` event, `on_resync` is called when some may have been missed: on
/// a `resync` event, after a reconnect, and on the first open if `may_have_missed` says so. The
/// browser reconnects by itself after a dropped connection.
pub fn follow_photo_events(
    on_event: impl Fn(gaillery_core::api::PhotoEvent) + 'static,
    on_resync: impl Fn() + 'static,
    may_have_missed: impl Fn() -> bool + 'static,
) {
    if !in_browser() {
        return;
    }
    let Ok(source) = web_sys::EventSource::new("/api/events") else {
        return;
    };
    let photo =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let parsed = ev
                .data()
                .as_string()
                .and_then(|data| serde_json::from_str(&data).ok());
            if let Some(event) = parsed {
                on_event(event);
            }
        });
    let on_resync = std::rc::Rc::new(on_resync);
    let resync = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
        let on_resync = on_resync.clone();
        move |_: web_sys::MessageEvent| on_resync()
    });
    // Nothing is sent for the time the stream was closed: after a reconnect (the browser
    // reopens it by itself) reload; on the first open, reload only if a photo shown may have
    // moved on between the page's listing and now.
    let mut opened_before = false;
    let opened = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        if opened_before || may_have_missed() {
            on_resync();
        }
        opened_before = true;
    });
    let listened = source
        .add_event_listener_with_callback("photo", photo.as_ref().unchecked_ref())
        .and_then(|()| {
            source.add_event_listener_with_callback("resync", resync.as_ref().unchecked_ref())
        })
        .and_then(|()| {
            source.add_event_listener_with_callback("open", opened.as_ref().unchecked_ref())
        });
    if listened.is_ok() {
        // The stream and its callbacks live as long as the page; a second call replaces the
        // stream.
        photo.forget();
        resync.forget();
        opened.forget();
        EVENT_SOURCE.with(|current| {
            if let Some(previous) = current.replace(Some(source)) {
                previous.close();
            }
        });
    }
}

thread_local! {
    /// The open event stream, one per page.
    static EVENT_SOURCE: std::cell::RefCell<Option<web_sys::EventSource>> =
        const { std::cell::RefCell::new(None) };
}

/// Calls `on_near` whenever the element comes within a screen of the viewport.
pub fn when_near_viewport(element: &web_sys::Element, on_near: impl Fn() + 'static) {
    if !in_browser() {
        return;
    }
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let visible = entries.iter().any(|entry| {
            entry
                .dyn_into::<web_sys::IntersectionObserverEntry>()
                .map(|e| e.is_intersecting())
                .unwrap_or(false)
        });
        if visible {
            on_near();
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    if let Ok(observer) =
        web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
    {
        observer.observe(element);
        // The observer lives as long as the page; so does its callback.
        callback.forget();
    }
}

/// Calls `on_width` with the element's width now and whenever it changes, until the element
/// leaves the page.
pub fn observe_width(element: &web_sys::Element, on_width: impl Fn(f64) + 'static) {
    if !in_browser() {
        return;
    }
    on_width(f64::from(element.client_width()));
    let observed = element.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::ResizeObserver)>::new(
        move |_entries: js_sys::Array, observer: web_sys::ResizeObserver| {
            // Removing the element is itself a resize (to 0); by then its component, and the
            // signals `on_width` writes, are disposed: touching them would panic.
            if !observed.is_connected() {
                observer.disconnect();
                return;
            }
            on_width(f64::from(observed.client_width()));
        },
    );
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(element);
        callback.forget();
    }
}

/// Keeps Tab and Shift+Tab cycling inside `container`.
pub fn trap_focus(container: &web_sys::Element, ev: &KeyboardEvent) {
    if !in_browser() {
        return;
    }
    let Ok(nodes) = container.query_selector_all(
        "button:not([disabled]), a[href], input:not([disabled]), [tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|element| element.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let inside = active.as_ref().is_some_and(|a| container.contains(Some(a)));
    let at = |element: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a.is_same_node(Some(element.unchecked_ref())))
    };
    if ev.shift_key() && (at(first) || !inside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (at(last) || !inside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

pub fn focus_element_by_id(id: &str) {
    if !in_browser() {
        return;
    }
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

pub fn toggle_fullscreen(element: &web_sys::Element) {
    if !in_browser() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else {
        let _ = element.request_fullscreen();
    }
}

/// Distance between the first two touches, for pinch zoom.
pub fn touch_distance(touches: &web_sys::TouchList) -> Option<f64> {
    let (a, b) = (touches.get(0)?, touches.get(1)?);
    let dx = f64::from(a.client_x() - b.client_x());
    let dy = f64::from(a.client_y() - b.client_y());
    Some((dx * dx + dy * dy).sqrt())
}

/// The `<input>` an event came from.
pub fn event_input(ev: &web_sys::Event) -> Option<web_sys::HtmlInputElement> {
    ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()
}

/// A setting kept in the browser (`localStorage`), if there is one.
pub fn stored_setting(key: &str) -> Option<String> {
    if !in_browser() {
        return None;
    }
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

/// Keeps a setting in the browser; private windows may refuse, and the setting then lasts
/// as long as the page.
pub fn store_setting(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// Whether keys typed now go into a text field (so single-letter shortcuts stay out).
pub fn typing_in_field(ev: &KeyboardEvent) -> bool {
    ev.target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.has_attribute("contenteditable")
        })
}

/// The page's origin (`https://photos.example`), to turn a path into a link to share.
pub fn page_origin() -> Option<String> {
    if !in_browser() {
        return None;
    }
    web_sys::window()?.location().origin().ok()
}

/// Puts `text` on the clipboard; browsers refuse outside a secure context or a user's gesture,
/// which leaves the text on the page to copy by hand.
pub fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window().filter(|_| in_browser()) else {
        return false;
    };
    let _ = window.navigator().clipboard().write_text(text);
    true
}

/// Loads `path` as a new page: the gallery's event stream and observers belong to a page load.
pub fn open_page(path: &str) {
    if let Some(window) = web_sys::window().filter(|_| in_browser()) {
        if let Err(error) = window.location().set_href(path) {
            leptos::logging::warn!("could not open {path}: {error:?}");
        }
    }
}
