//! Which elements are near the viewport, for the timeline's months and blocks.
//!
//! One `IntersectionObserver` per margin watches every element: the browser computes all
//! intersections in one pass per frame, and a block costs a map entry rather than an observer
//! of its own. Like `browser`, this compiles everywhere and does nothing on the server.

use crate::browser::in_browser;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type ObserverCallback = Closure<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>;
/// What to call when a watched element comes near (`true`) or goes far (`false`).
type Listener = Rc<dyn Fn(bool)>;

/// The attribute that names an element's watch, so the shared callback finds its listener.
const WATCH_ATTRIBUTE: &str = "data-watch";

struct Watcher {
    observer: web_sys::IntersectionObserver,
    _callback: ObserverCallback,
    /// By watch number: the element and what to call when its nearness changes.
    watched: HashMap<u64, (web_sys::Element, Listener)>,
}

thread_local! {
    // By root margin. A watch ends with its component: a removed element that was far never
    // gets another callback, so without that its listener would live as long as the page.
    static WATCHERS: RefCell<HashMap<String, Watcher>> = RefCell::new(HashMap::new());
    static NEXT_WATCH: Cell<u64> = const { Cell::new(0) };
}

/// Calls `on_change(true)` when the element comes within `margin` (CSS, e.g. `"200% 0px"`) of
/// the viewport and `on_change(false)` when it leaves, starting with where it is now, until
/// the reactive owner it is called under (a component or effect) is cleaned up. An element has
/// one watch at a time (the attribute names it).
pub fn observe_nearness(
    element: &web_sys::Element,
    margin: &str,
    on_change: impl Fn(bool) + 'static,
) {
    if !in_browser() {
        return;
    }
    let watch = NEXT_WATCH.replace(NEXT_WATCH.get() + 1);
    if element
        .set_attribute(WATCH_ATTRIBUTE, &watch.to_string())
        .is_err()
    {
        return;
    }
    let started = WATCHERS.with_borrow_mut(|watchers| {
        if !watchers.contains_key(margin) {
            watchers.insert(margin.to_owned(), Watcher::new(margin)?);
        }
        let watcher = watchers.get_mut(margin)?;
        watcher
            .watched
            .insert(watch, (element.clone(), Rc::new(on_change)));
        watcher.observer.observe(element);
        Some(())
    });
    if started.is_none() {
        return;
    }
    // Only the numbers cross into the cleanup, which must be `Send`.
    let margin = margin.to_owned();
    leptos::prelude::on_cleanup(move || {
        WATCHERS.with_borrow_mut(|watchers| {
            if let Some(watcher) = watchers.get_mut(&margin) {
                if let Some((element, _)) = watcher.watched.remove(&watch) {
                    watcher.observer.unobserve(&element);
                }
            }
        })
    });
}

impl Watcher {
    fn new(margin: &str) -> Option<Watcher> {
        let own_margin = margin.to_owned();
        let callback = ObserverCallback::new(
            move |entries: js_sys::Array, _: web_sys::IntersectionObserver| {
                notify(&own_margin, entries)
            },
        );
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin(margin);
        let observer = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
        Some(Watcher {
            observer,
            _callback: callback,
            watched: HashMap::new(),
        })
    }
}

/// Tells each watched element's listener whether it is near, in the order of the entries (the
/// last entry of an element is its latest state).
fn notify(margin: &str, entries: js_sys::Array) {
    // Listeners are called once the map is released: they change signals, which can create or
    // remove components that start or end watches.
    let calls: Vec<(Listener, bool)> = WATCHERS.with_borrow(|watchers| {
        let Some(watcher) = watchers.get(margin) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|entry| entry.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            .filter_map(|entry| {
                let watch: u64 = entry
                    .target()
                    .get_attribute(WATCH_ATTRIBUTE)?
                    .parse()
                    .ok()?;
                let (_, on_change) = watcher.watched.get(&watch)?;
                Some((Rc::clone(on_change), entry.is_intersecting()))
            })
            .collect()
    });
    for (on_change, near) in calls {
        on_change(near);
    }
}
