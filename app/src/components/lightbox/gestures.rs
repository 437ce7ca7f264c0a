//! Zoom and pan of the open photo. Buttons and keys zoom in steps. On a touch screen a pinch or
//! a double-tap zooms, a drag pans a zoomed photo, and a sideways swipe asks for another photo.
//! With a mouse a double-click zooms and a drag pans.

use gaillery_core::PhotoId;
use leptos::ev::{PointerEvent, TouchEvent};
use leptos::prelude::*;

pub const MIN_ZOOM: f64 = 1.0;
pub const MAX_ZOOM: f64 = 5.0;
/// One press of + or −.
pub const ZOOM_STEP: f64 = 1.5;
/// How far a double-click or a double-tap zooms in.
const QUICK_ZOOM: f64 = 2.5;
/// How far a finger must travel sideways to count as a swipe, in CSS pixels.
const SWIPE_DISTANCE: f64 = 50.0;
/// A touch that travels less than this (CSS pixels) is still a tap.
const TAP_SLOP: f64 = 10.0;
/// Two taps closer than this are a double-tap.
const DOUBLE_TAP_MS: f64 = 300.0;

/// The zoom and pan of the open photo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl View {
    pub const FIT: View = View {
        scale: 1.0,
        x: 0.0,
        y: 0.0,
    };

    /// Zoomed by `factor` within the limits; back at the limit of 1×, the pan goes too, so
    /// the photo fits again.
    pub fn zoomed(self, factor: f64) -> View {
        let scale = (self.scale * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        if scale <= MIN_ZOOM {
            View::FIT
        } else {
            View { scale, ..self }
        }
    }

    pub fn is_zoomed(self) -> bool {
        self.scale > MIN_ZOOM
    }

    /// Double-click and double-tap: in when the photo fits, back to fit when it is zoomed.
    fn quick_zoomed(self) -> View {
        if self.is_zoomed() {
            View::FIT
        } else {
            self.zoomed(QUICK_ZOOM)
        }
    }

    /// The CSS transform of the image.
    pub fn transform(self) -> String {
        format!(
            "translate({:.1}px, {:.1}px) scale({:.3})",
            self.x, self.y, self.scale
        )
    }
}

/// Which way a swipe asks to move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swipe {
    ToNext,
    ToPrevious,
}

/// The swipe a finger's travel makes, if any: far enough, and clearly more sideways than up
/// or down, so scrolling the page is not taken for one.
fn swipe_of(dx: f64, dy: f64) -> Option<Swipe> {
    if dx.abs() > SWIPE_DISTANCE && dx.abs() > dy.abs() * 1.5 {
        Some(if dx < 0.0 {
            Swipe::ToNext
        } else {
            Swipe::ToPrevious
        })
    } else {
        None
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

/// The zoom of the open photo and the handlers that change it; see [`use_zoom_pan`].
#[derive(Clone, Copy)]
pub struct ZoomPan {
    /// The zoom and pan now: the image's transform and the zoom buttons read it.
    pub view: RwSignal<View>,
    gesture: StoredValue<Gesture>,
    /// Where the mouse was while it drags a zoomed photo.
    dragging: StoredValue<Option<(f64, f64)>>,
}

/// The zoom and pan of the photo `photo` names; each new photo starts unzoomed.
pub fn use_zoom_pan(photo: Memo<Option<PhotoId>>) -> ZoomPan {
    let zoom = ZoomPan {
        view: RwSignal::new(View::FIT),
        gesture: StoredValue::new(Gesture::default()),
        dragging: StoredValue::new(None),
    };
    Effect::new(move |_| {
        photo.track();
        zoom.fit();
    });
    zoom
}

impl ZoomPan {
    pub fn zoom_in(&self) {
        self.zoom_by(ZOOM_STEP);
    }

    pub fn zoom_out(&self) {
        self.zoom_by(1.0 / ZOOM_STEP);
    }

    pub fn fit(&self) {
        self.view.set(View::FIT);
    }

    fn zoom_by(&self, factor: f64) {
        self.view.update(|v| *v = v.zoomed(factor));
    }

    /// Tracked: for the image's `zoomed` class and the Zoom out button.
    pub fn is_zoomed(&self) -> bool {
        self.view.with(|v| v.is_zoomed())
    }

    /// Tracked: for the Zoom in button.
    pub fn at_max_zoom(&self) -> bool {
        self.view.with(|v| v.scale >= MAX_ZOOM)
    }

    /// Tracked: the image's CSS transform.
    pub fn transform(&self) -> String {
        self.view.with(|v| v.transform())
    }

    pub fn touch_start(&self, ev: &TouchEvent) {
        let touches = ev.touches();
        let scale = self.view.get_untracked().scale;
        self.gesture.update_value(|g| {
            if touches.length() >= 2 {
                if let Some(distance) = crate::browser::touch_distance(&touches) {
                    g.pinch = Some((distance, scale));
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
    }

    pub fn touch_move(&self, ev: &TouchEvent) {
        let touches = ev.touches();
        let pinch = self.gesture.with_value(|g| g.pinch);
        if let (Some((start_distance, start_scale)), true) = (pinch, touches.length() >= 2) {
            // The page itself must not zoom as well.
            ev.prevent_default();
            if let Some(distance) = crate::browser::touch_distance(&touches) {
                let scale =
                    (start_scale * distance / start_distance.max(1.0)).clamp(MIN_ZOOM, MAX_ZOOM);
                self.view.update(|v| v.scale = scale);
            }
            return;
        }
        let Some(touch) = touches.get(0) else { return };
        let (x, y) = (f64::from(touch.client_x()), f64::from(touch.client_y()));
        let zoomed = self.view.get_untracked().is_zoomed();
        let view = self.view;
        self.gesture.update_value(|g| {
            if zoomed {
                let (dx, dy) = (x - g.last_x, y - g.last_y);
                view.update(|v| {
                    v.x += dx;
                    v.y += dy;
                });
            }
            g.moved |= (x - g.start_x).abs() > TAP_SLOP || (y - g.start_y).abs() > TAP_SLOP;
            g.last_x = x;
            g.last_y = y;
        });
        if zoomed {
            // A zoomed photo pans instead of scrolling the page.
            ev.prevent_default();
        }
    }

    /// Ends a gesture when the last finger lifts: a pinch settles, a double-tap zooms, and a
    /// swipe of an unzoomed photo is returned for the caller to move.
    pub fn touch_end(&self, ev: &TouchEvent) -> Option<Swipe> {
        if ev.touches().length() > 0 {
            return None;
        }
        let g = self.gesture.get_value();
        if g.pinch.is_some() {
            self.gesture.update_value(|g| g.pinch = None);
            if !self.view.get_untracked().is_zoomed() {
                self.fit();
            }
            return None;
        }
        let zoomed = self.view.get_untracked().is_zoomed();
        if !zoomed {
            if let Some(swipe) = swipe_of(g.last_x - g.start_x, g.last_y - g.start_y) {
                return Some(swipe);
            }
        }
        if !g.moved {
            let now = js_sys::Date::now();
            if now - g.last_tap_ms < DOUBLE_TAP_MS {
                // Otherwise the browser takes the second tap for its own double-tap zoom.
                ev.prevent_default();
                self.view.update(|v| *v = v.quick_zoomed());
                self.gesture.update_value(|g| g.last_tap_ms = 0.0);
            } else {
                self.gesture.update_value(|g| g.last_tap_ms = now);
            }
        }
        None
    }

    /// A mouse drag pans only a zoomed photo; touch pans through the touch handlers.
    pub fn pointer_down(&self, ev: &PointerEvent) {
        if ev.pointer_type() == "mouse" && self.view.get_untracked().is_zoomed() {
            self.dragging
                .set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()))));
        }
    }

    pub fn pointer_move(&self, ev: &PointerEvent) {
        if let Some((x0, y0)) = self.dragging.get_value() {
            let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
            self.view.update(|v| {
                v.x += x - x0;
                v.y += y - y0;
            });
            self.dragging.set_value(Some((x, y)));
        }
    }

    pub fn stop_drag(&self) {
        self.dragging.set_value(None);
    }

    pub fn double_click(&self) {
        self.view.update(|v| *v = v.quick_zoomed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_stays_between_fit_and_five_times_and_fits_again_at_one() {
        let panned = View {
            scale: 2.0,
            x: 30.0,
            y: -12.0,
        };
        assert_eq!(panned.zoomed(ZOOM_STEP).scale, 3.0);
        assert_eq!(panned.zoomed(ZOOM_STEP).x, 30.0);
        assert_eq!(panned.zoomed(10.0).scale, MAX_ZOOM);
        // Back at 1× the pan is dropped, so the photo is centred.
        assert_eq!(panned.zoomed(0.1), View::FIT);
        assert_eq!(View::FIT.zoomed(1.0 / ZOOM_STEP), View::FIT);
    }

    #[test]
    fn quick_zoom_goes_in_from_fit_and_back_to_fit() {
        assert_eq!(View::FIT.quick_zoomed().scale, QUICK_ZOOM);
        let zoomed = View {
            scale: 4.0,
            x: 5.0,
            y: 5.0,
        };
        assert_eq!(zoomed.quick_zoomed(), View::FIT);
    }

    #[test]
    fn the_transform_translates_then_scales() {
        let view = View {
            scale: 2.25,
            x: -40.04,
            y: 3.0,
        };
        assert_eq!(view.transform(), "translate(-40.0px, 3.0px) scale(2.250)");
    }

    #[test]
    fn a_swipe_is_far_and_mostly_sideways() {
        assert_eq!(swipe_of(-120.0, 10.0), Some(Swipe::ToNext));
        assert_eq!(swipe_of(120.0, -10.0), Some(Swipe::ToPrevious));
        // Too short.
        assert_eq!(swipe_of(-SWIPE_DISTANCE, 0.0), None);
        // As in the browser test: 60 sideways and 200 down is a scroll, not a swipe.
        assert_eq!(swipe_of(-60.0, 200.0), None);
    }
}
