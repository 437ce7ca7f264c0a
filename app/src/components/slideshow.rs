//! The lightbox's slideshow: it moves on by itself every few seconds, started and stopped by
//! its button or by voice; the interval is a setting kept in the browser.

use crate::components::icons::{IconPause, IconPlay};
use leptos::prelude::*;
use std::time::Duration;

/// The intervals offered, in seconds.
pub const INTERVALS: [u32; 3] = [3, 5, 10];
const DEFAULT_INTERVAL: u32 = 5;
const INTERVAL_SETTING: &str = "gaillery.slideshow.seconds";

#[derive(Clone, Copy)]
pub struct Slideshow {
    pub running: RwSignal<bool>,
    pub seconds: RwSignal<u32>,
}

impl Slideshow {
    pub fn new() -> Slideshow {
        let slideshow = Slideshow {
            running: RwSignal::new(false),
            seconds: RwSignal::new(DEFAULT_INTERVAL),
        };
        Effect::new(move |_| {
            let stored = crate::browser::stored_setting(INTERVAL_SETTING)
                .and_then(|raw| raw.parse::<u32>().ok())
                .filter(|seconds| INTERVALS.contains(seconds));
            if let Some(seconds) = stored {
                slideshow.seconds.set(seconds);
            }
        });
        slideshow
    }

    /// Calls `advance` every interval while the slideshow runs, until the component that
    /// calls this is gone.
    pub fn drive(&self, advance: impl Fn() + Clone + 'static) {
        let timer: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
        let (running, seconds) = (self.running, self.seconds);
        Effect::new(move |_| {
            let (running, seconds) = (running.get(), seconds.get());
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
            timer.set_value(None);
            if running {
                let started = set_interval_with_handle(
                    advance.clone(),
                    Duration::from_secs(u64::from(seconds)),
                );
                timer.set_value(started.ok());
            }
        });
        on_cleanup(move || {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
        });
    }
}

impl Default for Slideshow {
    fn default() -> Self {
        Slideshow::new()
    }
}

/// Play/stop and the interval, for the lightbox's toolbar.
#[component]
pub fn SlideshowControls(slideshow: Slideshow) -> impl IntoView {
    let running = slideshow.running;
    view! {
        <button
            class="icon-button slideshow-toggle"
            aria-label=move || if running.get() { "Stop slideshow" } else { "Start slideshow" }
            title=move || if running.get() { "Stop slideshow" } else { "Start slideshow" }
            aria-pressed=move || if running.get() { "true" } else { "false" }
            on:click=move |_| running.update(|r| *r = !*r)
        >
            {move || if running.get() { view! { <IconPause/> }.into_any() } else { view! { <IconPlay/> }.into_any() }}
        </button>
        <select
            class="slideshow-interval"
            aria-label="Slideshow interval"
            title="Slideshow interval"
            prop:value=move || slideshow.seconds.get().to_string()
            on:change=move |ev| {
                if let Ok(seconds) = event_target_value(&ev).parse::<u32>() {
                    slideshow.seconds.set(seconds);
                    crate::browser::store_setting(INTERVAL_SETTING, &seconds.to_string());
                }
            }
        >
            {INTERVALS.iter().map(|seconds| view! {
                <option value=seconds.to_string()>{format!("{seconds} s")}</option>
            }).collect_view()}
        </select>
    }
}
