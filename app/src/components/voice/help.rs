//! The help dialog: what can be said, by what it does.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// What can be said, by what it does.
#[component]
pub(super) fn VoiceHelp(on_close: Callback<()>) -> impl IntoView {
    let close_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let groups: [(&str, &[&str]); 7] = [
        (
            "Filter",
            &[
                "show me dog photos",
                "find pictures of cars",
                "filter by beach",
                "show all",
            ],
        ),
        (
            "Timeline",
            &[
                "go to May 2019",
                "show photos from last summer",
                "photos from summer 2021",
                "last month",
                "go to the top",
            ],
        ),
        (
            "Viewer",
            &[
                "open the gallery",
                "next",
                "previous",
                "first",
                "last",
                "close",
            ],
        ),
        ("Zoom", &["zoom in", "zoom out"]),
        ("Slideshow", &["start the slideshow", "stop"]),
        (
            "The photo",
            &["what is this", "delete this photo", "yes", "no"],
        ),
        ("Help", &["help", "what can I say"]),
    ];
    view! {
        <div class="modal-backdrop">
            <div
                class="modal voice-help"
                role="dialog"
                aria-modal="true"
                aria-labelledby="voice-help-title"
                on:keydown=move |ev: KeyboardEvent| {
                    ev.stop_propagation();
                    if ev.key() == "Escape" {
                        on_close.run(());
                    }
                }
            >
                <h2 id="voice-help-title">"Voice commands"</h2>
                <p>"Turn the microphone on, then say, for example:"</p>
                <dl>
                    {groups.into_iter().map(|(what, phrases)| view! {
                        <dt>{what}</dt>
                        <dd>
                            {phrases.iter().map(|phrase| view! { <q>{*phrase}</q>" " }).collect_view()}
                        </dd>
                    }).collect_view()}
                </dl>
                <p class="hint">"Filler words, “please” and plurals are fine. Press V to turn voice on or off."</p>
                <div class="modal-actions">
                    <button class="button" node_ref=close_button on:click=move |_| on_close.run(())>"Close"</button>
                </div>
            </div>
        </div>
    }
}
