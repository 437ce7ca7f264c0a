//! The timeline by voice: "go to May 2019", "back to the top", "photos from last summer". The
//! parser names months; here they become jumps among the months that have photos (under the
//! current filter), with a reply that says where the page went when it could not go where
//! asked.

use super::VoiceCommands;
use crate::components::timeline::{jump, jump_to_top, Timeline};
use gaillery_core::voice::{nearest_month, newest_between, Intent};
use gaillery_core::Month;
use leptos::prelude::*;

/// The month it is, in UTC, for relative dates ("last month"). Read in the browser only: the
/// parse that needs it runs on what the recogniser heard.
pub(super) fn this_month() -> Month {
    Month::of_key((js_sys::Date::now() / 1000.0) as i64)
}

/// Whether `intent` moves the timeline.
pub(super) fn is_timeline_intent(intent: &Intent) -> bool {
    matches!(
        intent,
        Intent::GoToMonth { .. } | Intent::GoToTop | Intent::GoToPeriod { .. }
    )
}

/// Carries out a timeline intent on the library's timeline, or, on a page without one, says
/// so (the top of the page is still the top).
pub(super) fn move_timeline(voice: VoiceCommands, timeline: Option<Timeline>, intent: Intent) {
    let Some(timeline) = timeline else {
        if intent == Intent::GoToTop {
            crate::viewport::scroll_to_top();
            voice.reply("Back at the top");
        } else {
            voice.reply("Only the library has a timeline: say “go home” first");
        }
        return;
    };
    let months: Vec<Month> = timeline
        .months
        .with_untracked(|months| months.iter().map(|entry| entry.month).collect());
    let Some(&newest) = months.first() else {
        voice.reply("There are no photos yet");
        return;
    };
    let what = timeline.gallery.tags.with_untracked(|tags| {
        if tags.is_empty() {
            "photos".to_owned()
        } else {
            format!("{} photos", tags.join(", "))
        }
    });
    let go = |month: Month| {
        if month == newest {
            jump_to_top(timeline, month);
        } else {
            jump(timeline, month);
        }
    };
    match intent {
        Intent::GoToTop => {
            jump_to_top(timeline, newest);
            voice.reply(format!(
                "Showing the newest {what}, from {}",
                newest.heading()
            ));
        }
        Intent::GoToMonth { month } => {
            let Some(wanted) = Month::parse(&month) else {
                voice.reply("Sorry, I didn't understand that month");
                return;
            };
            // `months` is not empty, so there is a nearest one.
            let Some(found) = nearest_month(&months, wanted) else {
                return;
            };
            go(found);
            if found == wanted {
                voice.reply(format!("Showing {}", found.heading()));
            } else {
                voice.reply(format!(
                    "No {what} from {}; showing {}",
                    wanted.heading(),
                    found.heading()
                ));
            }
        }
        Intent::GoToPeriod { from, to } => {
            let (Some(from), Some(to)) = (Month::parse(&from), Month::parse(&to)) else {
                voice.reply("Sorry, I didn't understand those dates");
                return;
            };
            match newest_between(&months, from, to) {
                Some(found) => {
                    go(found);
                    voice.reply(format!("Showing {}", found.heading()));
                }
                None => voice.reply(format!("No {what} from {}", period_name(from, to))),
            }
        }
        _ => {}
    }
}

/// "June to August 2021", "2019", "December 2024 to February 2025".
fn period_name(from: Month, to: Month) -> String {
    let name = |month: Month| {
        let heading = month.heading();
        heading
            .rsplit_once(' ')
            .map_or(heading.clone(), |(name, _)| name.to_owned())
    };
    if from.year() != to.year() {
        format!("{} to {}", from.heading(), to.heading())
    } else if from.month() == 1 && to.month() == 12 {
        from.year().to_string()
    } else if from == to {
        from.heading()
    } else {
        format!("{} to {} {}", name(from), name(to), to.year())
    }
}
