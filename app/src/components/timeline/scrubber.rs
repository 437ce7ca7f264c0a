//! The scrubber: a rail along the right edge with the years marked in proportion to their
//! photos. Pressing or dragging on it jumps to the month under the pointer, shown beside it;
//! as a slider it also takes the keyboard (arrows: a month, Page Up/Down: a year, Home/End)
//! and tells screen readers the month it is at.

use super::months::{cumulative, section_id, Timeline};
use gaillery_core::Month;
use leptos::ev::{KeyboardEvent, PointerEvent};
use leptos::prelude::*;

/// Year labels closer than this (a share of the rail) to the one above are left out.
const MIN_LABEL_GAP: f64 = 0.035;

#[component]
pub fn Scrubber(timeline: Timeline) -> impl IntoView {
    let rail = NodeRef::<leptos::html::Div>::new();
    // The month under the pointer while dragging, and where on the rail (a share of it).
    let dragging = RwSignal::new(None::<(Month, f64)>);
    let starts = Memo::new(move |_| timeline.months.with(|months| cumulative(months)));
    let share_of = move |month: Month| {
        starts.with(|(starts, total)| {
            let before = starts
                .iter()
                .find(|(m, _)| *m == month)
                .map_or(0, |(_, b)| *b);
            before as f64 / (*total).max(1) as f64
        })
    };
    let month_at = move |share: f64| {
        starts.with(|(starts, total)| {
            let target = (share.clamp(0.0, 1.0) * *total as f64) as u64;
            starts
                .iter()
                .rev()
                .find(|(_, before)| *before <= target)
                .map(|(month, _)| *month)
        })
    };
    let marks = Memo::new(move |_| year_marks(&starts.get()));
    let index_of = move |month: Option<Month>| {
        starts.with(|(starts, _)| {
            month
                .and_then(|month| starts.iter().position(|(m, _)| *m == month))
                .unwrap_or(0)
        })
    };
    let current = move || {
        timeline
            .current
            .get()
            .or_else(|| starts.with(|(s, _)| s.first().map(|(m, _)| *m)))
    };

    let pointer_share = move |ev: &PointerEvent| {
        let rect = rail.get_untracked()?.get_bounding_client_rect();
        (rect.height() > 0.0).then(|| (f64::from(ev.client_y()) - rect.top()) / rect.height())
    };
    let drag_to = move |ev: &PointerEvent| {
        let Some(share) = pointer_share(ev) else {
            return;
        };
        if let Some(month) = month_at(share) {
            dragging.set(Some((month, share.clamp(0.0, 1.0))));
            jump(timeline, month);
        }
    };
    let on_down = move |ev: PointerEvent| {
        ev.prevent_default();
        if let Some(rail) = rail.get_untracked() {
            let _ = rail.set_pointer_capture(ev.pointer_id());
            let _ = rail.focus();
        }
        drag_to(&ev);
    };
    let on_move = move |ev: PointerEvent| {
        if dragging.get_untracked().is_some() {
            drag_to(&ev);
        }
    };
    let on_up = move |_: PointerEvent| dragging.set(None);
    let on_key = move |ev: KeyboardEvent| {
        let months = starts.with(|(starts, _)| starts.iter().map(|(m, _)| *m).collect::<Vec<_>>());
        if months.is_empty() {
            return;
        }
        let at = index_of(current()) as isize;
        let last = months.len() as isize - 1;
        let to = match ev.key().as_str() {
            "ArrowUp" => at - 1,
            "ArrowDown" => at + 1,
            "PageUp" => at - 12,
            "PageDown" => at + 12,
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        ev.prevent_default();
        let to = to.clamp(0, last) as usize;
        if to == 0 {
            jump_to_top(timeline, months[0]);
        } else {
            jump(timeline, months[to]);
        }
    };

    view! {
        <Show when=move || starts.with(|(starts, _)| starts.len() > 1)>
            <div
                class="scrubber"
                class:dragging=move || dragging.get().is_some()
                node_ref=rail
                role="slider"
                tabindex="0"
                aria-label="Timeline: jump to a month"
                aria-orientation="vertical"
                aria-valuemin="0"
                aria-valuemax=move || starts.with(|(s, _)| s.len().saturating_sub(1))
                aria-valuenow=move || index_of(current())
                aria-valuetext=move || current().map(Month::heading).unwrap_or_default()
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:keydown=on_key
            >
                {move || marks.get().into_iter().map(|(year, share)| view! {
                    <span class="scrubber-year" style:top=format!("{:.3}%", share * 100.0)>{year}</span>
                }).collect_view()}
                <span
                    class="scrubber-thumb"
                    style:top=move || format!("{:.3}%", current().map_or(0.0, share_of) * 100.0)
                ></span>
                <Show when=move || dragging.get().is_some()>
                    <span
                        class="scrubber-label"
                        style:top=move || format!("{:.3}%", dragging.get().map_or(0.0, |(_, s)| s) * 100.0)
                    >
                        {move || dragging.get().map(|(month, _)| month.heading()).unwrap_or_default()}
                    </span>
                </Show>
            </div>
        </Show>
    }
}

/// Shows `month`: scrolls its section to the top and loads it. Months around it that come near
/// are drawn at their full height (far ones are shorter in a large library) and months that
/// load turn out taller or shorter than estimated, which moves the month; the jump is made
/// again while they settle, at every frame at first, unless the month is at the top by then.
pub fn jump(timeline: Timeline, month: Month) {
    timeline.current.set(Some(month));
    crate::viewport::scroll_to_id(&section_id(month));
    timeline.load(month);
    let this_jump = timeline.new_jump();
    let settle = move || {
        let latest = timeline.jumps.try_get_value() == Some(this_jump);
        // Another month at the top: the months above settled to other heights. No month at
        // all: something covers the page (a photo opened meanwhile), and the page behind it
        // stays where it is.
        let at_top = crate::viewport::month_at_top().and_then(|raw| Month::parse(&raw));
        if latest && at_top.is_some_and(|top| top != month) {
            crate::viewport::scroll_to_id(&section_id(month));
        }
    };
    settle_for_frames(SETTLE_FRAMES, settle);
    for delay in SETTLE_MS {
        set_timeout(settle, std::time::Duration::from_millis(delay));
    }
}

/// Calls `settle` in each of the next `frames` animation frames.
fn settle_for_frames(frames: u32, settle: impl Fn() + Copy + 'static) {
    if frames == 0 {
        return;
    }
    request_animation_frame(move || {
        settle();
        settle_for_frames(frames - 1, settle);
    });
}

/// Shows the newest month, at the very top of the page.
pub fn jump_to_top(timeline: Timeline, newest: Month) {
    timeline.new_jump();
    timeline.current.set(Some(newest));
    crate::viewport::scroll_to_top();
}

/// How many frames a jump is checked in, one after the other (about 200 ms at 60 Hz): the
/// months around it come near and grow within the first few.
const SETTLE_FRAMES: u32 = 12;
/// When a jump is checked again after those, in milliseconds after it: months that load late.
const SETTLE_MS: [u64; 2] = [400, 900];

/// Each year's label and where it starts on the rail, thinned so labels never overlap.
fn year_marks(starts: &(Vec<(Month, u64)>, u64)) -> Vec<(i32, f64)> {
    let (starts, total) = starts;
    let mut marks: Vec<(i32, f64)> = Vec::new();
    let mut last_year = None;
    for (month, before) in starts {
        if last_year == Some(month.year()) {
            continue;
        }
        last_year = Some(month.year());
        let share = *before as f64 / (*total).max(1) as f64;
        if marks
            .last()
            .is_none_or(|(_, previous)| share - previous >= MIN_LABEL_GAP)
        {
            marks.push((month.year(), share));
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_marked_where_their_photos_start_without_overlapping() {
        let month = |raw| Month::parse(raw).unwrap();
        let starts = (
            vec![
                (month("2025-05"), 0),
                (month("2025-01"), 40),
                (month("2024-12"), 50),
                (month("2023-06"), 51),
                (month("2010-01"), 90),
            ],
            100,
        );
        assert_eq!(
            year_marks(&starts),
            vec![(2025, 0.0), (2024, 0.5), (2010, 0.9)]
        );
    }
}
