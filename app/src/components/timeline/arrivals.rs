//! Where new uploads went: a photo taken long ago lands in its month, far from the top, so the
//! page says where ("3 photos added to May 2019") and offers to go there.

use super::months::Timeline;
use super::scrubber::jump;
use gaillery_core::Month;
use leptos::prelude::*;

#[component]
pub fn ArrivalNotice(timeline: Timeline) -> impl IntoView {
    let notice = RwSignal::new(None::<(Month, usize)>);
    Effect::new(move |_| {
        let arrived = timeline.gallery.arrivals.get();
        if arrived.is_empty() {
            return;
        }
        // The month that got the most of them, if it is not the one at the top.
        let elsewhere = timeline.count_arrivals(&arrived);
        if let Some(most) = elsewhere.into_iter().max_by_key(|(_, count)| *count) {
            notice.set(Some(most));
        }
    });
    let text = move || {
        notice.get().map(|(month, count)| {
            let photos = if count == 1 {
                "1 photo".to_owned()
            } else {
                format!("{count} photos")
            };
            format!("{photos} added to {}", month.heading())
        })
    };
    view! {
        <Show when=move || notice.with(Option::is_some)>
            <div class="arrival-notice" role="status">
                <span>{text}</span>
                <button
                    class="button"
                    on:click=move |_| {
                        if let Some((month, _)) = notice.get_untracked() {
                            notice.set(None);
                            jump(timeline, month);
                        }
                    }
                >"Show"</button>
                <button class="button subtle" aria-label="Dismiss" on:click=move |_| notice.set(None)>"×"</button>
            </div>
        </Show>
    }
}
