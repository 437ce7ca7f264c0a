//! ThumbHash placeholders, painted a few at a time.
//!
//! Decoding a hash and encoding it as a small image costs a fraction of a millisecond, but a
//! jump or a fast scroll creates a hundred tiles at once, and painting all of them in the task
//! that creates them blocked the page for tens of milliseconds. So tiles queue their hash; each
//! animation frame paints from the queue for a few milliseconds. Meanwhile a tile shows the
//! hash's average colour; a tile that has left the page, or whose thumbnail already arrived, is
//! skipped.

use leptos::html::Img;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use wasm_bindgen::JsCast;

/// Painting time per frame, in milliseconds: what a frame can spare at 60 Hz.
const BUDGET_MS: f64 = 4.0;

struct Pending {
    hash: String,
    painted: RwSignal<Option<String>>,
    image: NodeRef<Img>,
}

impl Pending {
    /// Whether the tile still shows, and still waits for its thumbnail.
    fn wanted(&self) -> bool {
        if self.painted.is_disposed() {
            return false;
        }
        match self.image.try_get_untracked().flatten() {
            Some(image) => !(image.complete() && image.natural_width() > 0),
            None => true,
        }
    }
}

thread_local! {
    static QUEUE: RefCell<VecDeque<Pending>> = const { RefCell::new(VecDeque::new()) };
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    /// One canvas serves every placeholder.
    static CANVAS: RefCell<Option<Canvas>> = const { RefCell::new(None) };
}

/// Sets `painted` to the ThumbHash `hash` as a data URL, in a coming frame, unless the tile is
/// gone or `image` has loaded by then. Does nothing outside the browser.
pub fn paint_later(hash: String, painted: RwSignal<Option<String>>, image: NodeRef<Img>) {
    if !crate::browser::in_browser() || hash.is_empty() {
        return;
    }
    QUEUE.with_borrow_mut(|queue| {
        queue.push_back(Pending {
            hash,
            painted,
            image,
        })
    });
    if !SCHEDULED.replace(true) {
        request_animation_frame(paint_some);
    }
}

fn paint_some() {
    let started = now_ms();
    loop {
        let Some(next) = QUEUE.with_borrow_mut(VecDeque::pop_front) else {
            SCHEDULED.set(false);
            return;
        };
        if next.wanted() {
            if let Some(url) = data_url(&next.hash) {
                next.painted.try_set(Some(url));
            }
        }
        if now_ms() - started > BUDGET_MS {
            break;
        }
    }
    // More wait: the next frame goes on with them.
    request_animation_frame(paint_some);
}

/// Whole milliseconds are fine for a budget of a few.
fn now_ms() -> f64 {
    js_sys::Date::now()
}

struct Canvas {
    element: web_sys::HtmlCanvasElement,
    context: web_sys::CanvasRenderingContext2d,
}

impl Canvas {
    fn new() -> Option<Canvas> {
        let document = web_sys::window()?.document()?;
        let element = document
            .create_element("canvas")
            .ok()?
            .dyn_into::<web_sys::HtmlCanvasElement>()
            .ok()?;
        let context = element
            .get_context("2d")
            .ok()??
            .dyn_into::<web_sys::CanvasRenderingContext2d>()
            .ok()?;
        Some(Canvas { element, context })
    }
}

/// A ThumbHash (base64) as a small blurred image, as a data URL.
fn data_url(hash_base64: &str) -> Option<String> {
    let bytes = gaillery_core::placeholder::decode_base64(hash_base64)?;
    let (width, height, rgba) = thumbhash::thumb_hash_to_rgba(&bytes).ok()?;
    let (width, height) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
    CANVAS.with_borrow_mut(|canvas| {
        if canvas.is_none() {
            *canvas = Canvas::new();
        }
        let Canvas { element, context } = canvas.as_ref()?;
        // Setting the size also clears the canvas.
        element.set_width(width);
        element.set_height(height);
        let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(&rgba),
            width,
            height,
        )
        .ok()?;
        context.put_image_data(&image, 0.0, 0.0).ok()?;
        element.to_data_url().ok()
    })
}
