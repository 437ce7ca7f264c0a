//! The library as a timeline: months newest first, each with its heading and its days, loaded
//! as they come near the viewport, with a scrubber along the right edge to jump anywhere.
//!
//! - `months`: the months, their counts and loading.
//! - `layout`: a month laid out in blocks, and the heights of months not loaded.
//! - `scrubber`: the rail on the right.
//! - `arrivals`: where new uploads went, when not to the top.
//!
//! Only blocks within two screens of the viewport are in the DOM; the others, and months not
//! loaded, are spacers of their height, so the scroll height stays about right. In libraries
//! too tall for a browser to lay out, months far from the viewport are drawn shorter, in
//! proportion (`layout::far_month_scale`), so the page stays under the limit however large. Chrome's scroll anchoring keeps what is under the viewport in place when a
//! spacer above it turns into photos of another height.

mod arrivals;
mod layout;
mod months;
mod scrubber;

pub use arrivals::ArrivalNotice;
pub use months::{section_id, Timeline};

use months::month_run;
pub use scrubber::{jump, jump_to_top, Scrubber};

use crate::components::grid::{GridRow, SERVER_GUESS_WIDTH};
use gaillery_core::layout::LayoutConfig;
use gaillery_core::{Month, Photo};
use layout::{estimated_height, far_month_scale, laid_out_height, month_blocks, Block, Line};
use leptos::prelude::*;

/// How far from the viewport blocks and months are still shown, or loaded.
const NEAR: &str = "200% 0px";

#[component]
pub fn TimelineView(timeline: Timeline) -> impl IntoView {
    let width = RwSignal::new(SERVER_GUESS_WIDTH);
    let container = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(element) = container.get() {
            crate::browser::observe_width(&element, move |measured| {
                if (measured - width.get_untracked()).abs() >= 1.0 {
                    width.set(measured);
                }
            });
        }
    });
    Effect::new(move |_| {
        crate::viewport::on_scroll_frame(move || {
            let month = crate::viewport::month_at_top().and_then(|raw| Month::parse(&raw));
            if month.is_some() && timeline.current.try_get_untracked().flatten() != month {
                let _ = timeline.current.try_set(month);
            }
        });
    });
    // Scrolling by hand ends a jump's settling, which would otherwise pull the page back.
    Effect::new(move |_| {
        crate::viewport::on_scroll_by_hand(move || {
            let _ = timeline.jumps.try_update_value(|jumps| *jumps += 1);
        });
    });
    Effect::new(move |_| {
        let removal = timeline.gallery.removals.get();
        timeline.count_removals(&removal);
    });
    let far_scale = Memo::new(move |_| {
        let config = LayoutConfig::for_width(width.get());
        timeline
            .months
            .with(|months| far_month_scale(months.iter().map(|entry| entry.count), &config))
    });
    let sections = move || {
        let generation = timeline.generation.get();
        timeline
            .months
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, entry)| (generation, index, entry))
            .collect::<Vec<_>>()
    };
    view! {
        // Room for the scrubber, which shows once there is more than one month.
        <section
            class="timeline"
            class:with-scrubber=move || timeline.months.with(|months| months.len() > 1)
            aria-label="Gallery"
            node_ref=container
        >
            <For
                each=sections
                key=|(generation, _, entry)| (*generation, entry.month)
                let:section
            >
                <MonthSection
                    timeline
                    month=section.2.month
                    first=section.1 == 0
                    width
                    far_scale
                />
            </For>
        </section>
    }
}

/// One month: its heading, then its blocks, or a spacer while it is not loaded.
#[component]
fn MonthSection(
    timeline: Timeline,
    month: Month,
    /// The first month is shown at once (the server renders it); others when near.
    first: bool,
    width: RwSignal<f64>,
    /// The share of its height the month is drawn at while far from the viewport.
    far_scale: Memo<f64>,
) -> impl IntoView {
    let element = NodeRef::<leptos::html::Section>::new();
    let near = RwSignal::new(first);
    Effect::new(move |_| {
        if let Some(element) = element.get() {
            crate::nearness::observe_nearness(&element, NEAR, move |is_near| {
                let _ = near.try_set(is_near);
                if is_near {
                    timeline.load(month);
                }
            });
        }
    });
    let count = move || {
        timeline.months.with(|months| {
            months
                .iter()
                .find(|entry| entry.month == month)
                .map_or(0, |entry| entry.count)
        })
    };
    // The month's run of the loaded photos (they are sorted), copied only for this month.
    // A change elsewhere in the library costs this month a comparison, not a copy.
    let photos = Memo::new_owning(move |previous: Option<Vec<Photo>>| {
        let order = timeline.gallery.order.get();
        timeline.gallery.photos.with(|photos| {
            let run = month_run(photos, order, month);
            match previous {
                Some(previous) if previous.as_slice() == run => (previous, false),
                _ => (run.to_vec(), true),
            }
        })
    });
    let blocks = Memo::new(move |_| {
        let config = LayoutConfig::for_width(width.get());
        photos.with(|photos| month_blocks(photos, timeline.gallery.order.get(), &config))
    });
    let complete = move || timeline.is_complete(month);
    // Until every photo is loaded, the month keeps at least its estimated height.
    let full_height = move || {
        let laid_out = blocks.with(|blocks| laid_out_height(blocks));
        if complete() {
            return laid_out;
        }
        let config = LayoutConfig::for_width(width.get());
        estimated_height(count(), &config).max(laid_out)
    };
    // In the largest libraries, far months are drawn shorter, and hold nothing.
    let compressed = move || !near.get() && far_scale.get() < 1.0;
    let min_height = move || {
        let height = if compressed() {
            full_height() * far_scale.get()
        } else if complete() {
            return None;
        } else {
            full_height()
        };
        Some(format!("{}px", height.round()))
    };
    let empty = move || complete() && photos.with(Vec::is_empty);
    view! {
        <section
            class="month"
            id=section_id(month)
            data-month=month.to_string()
            aria-label=month.heading()
            node_ref=element
            style:min-height=min_height
            class:month-empty=empty
            class:month-pending=move || !complete()
        >
            <h2 class="month-heading">
                {month.heading()}
                <span class="month-count">{move || photo_count(count())}</span>
            </h2>
            <Show when=move || timeline.failure(month).is_some()>
                <p class="status-line" role="alert">
                    "This month could not be loaded: " {move || timeline.failure(month).unwrap_or_default()}
                    " " <button class="button" on:click=move |_| retry(timeline, month)>"Try again"</button>
                </p>
            </Show>
            <Show when=move || !compressed()>
                <For
                    each=move || blocks.with(|blocks| blocks.iter().enumerate().map(|(index, block)| (index, block.key.clone())).collect::<Vec<_>>())
                    key=|numbered| numbered.clone()
                    let:numbered
                >
                    <MonthBlock timeline blocks index=numbered.0 shown_at_first=first && numbered.0 < 2/>
                </For>
            </Show>
        </section>
    }
}

fn retry(timeline: Timeline, month: Month) {
    timeline.loads.update(|loads| {
        loads.remove(&month);
    });
    timeline.load(month);
}

fn photo_count(count: u64) -> String {
    match count {
        1 => "1 photo".to_owned(),
        n => format!("{n} photos"),
    }
}

/// A block of lines, or a spacer of its height while it is far from the viewport.
#[component]
fn MonthBlock(
    timeline: Timeline,
    blocks: Memo<Vec<Block>>,
    index: usize,
    shown_at_first: bool,
) -> impl IntoView {
    let element = NodeRef::<leptos::html::Div>::new();
    let near = RwSignal::new(shown_at_first);
    Effect::new(move |_| {
        if let Some(element) = element.get() {
            crate::nearness::observe_nearness(&element, NEAR, move |is_near| {
                let _ = near.try_set(is_near);
            });
        }
    });
    let height = move || {
        blocks.with(|blocks| {
            blocks
                .get(index)
                .map(|block| format!("{}px", block.height.round()))
        })
    };
    // Keyed by what each line shows, so a photo whose stage or labels change is drawn anew
    // while the rest of the block stays.
    let lines = move || {
        blocks.with(|blocks| {
            blocks.get(index).map_or_else(Vec::new, |block| {
                block
                    .lines
                    .iter()
                    .map(|line| (line_key(line), line.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let state = timeline.gallery;
    view! {
        <div class="block" node_ref=element style:min-height=height>
            <Show when=move || near.get()>
                <For each=lines key=|(key, _)| key.clone() let:keyed>
                    {match keyed.1 {
                        Line::Day { heading, .. } => view! { <h3 class="day-heading">{heading}</h3> }.into_any(),
                        Line::Row(row) => view! { <GridRow state row/> }.into_any(),
                    }}
                </For>
            </Show>
        </div>
    }
}

fn line_key(line: &Line) -> String {
    match line {
        Line::Day { day, .. } => format!("d{day}"),
        Line::Row(row) => row.key.clone(),
    }
}
