//! A modal confirmation, for deletes, and the keys every modal dialog shares. The safe choice (Cancel) has the focus when it opens;
//! a stronger confirmation can require typing a word.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    /// When set, the confirm button stays disabled until this exact text is typed.
    #[prop(optional, into)]
    typed_confirmation: Option<String>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let typed = RwSignal::new(String::new());
    let expected = typed_confirmation.clone();
    let ready = move || match &expected {
        Some(word) => typed.with(|t| t.trim() == word),
        None => true,
    };
    Effect::new(move |_| {
        if let Some(button) = cancel_button.get() {
            let _ = button.focus();
        }
    });
    let on_keydown = modal_keys(dialog, on_cancel);
    let title_id = "confirm-title";
    view! {
        <div class="modal-backdrop">
            <div
                class="modal"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby=title_id
                aria-describedby="confirm-message"
                node_ref=dialog
                on:keydown=on_keydown
            >
                <h2 id=title_id>{title}</h2>
                <p id="confirm-message">{message}</p>
                {typed_confirmation.map(|word| view! {
                    <label class="confirm-typed">
                        "Type " <strong>{word.clone()}</strong> " to confirm"
                        <input
                            type="text"
                            autocomplete="off"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </label>
                })}
                <div class="modal-actions">
                    <button class="button" node_ref=cancel_button on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button
                        class="button danger"
                        disabled=move || !ready()
                        on:click=move |_| on_confirm.run(())
                    >
                        {confirm_label}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The keys of a modal dialog: Escape closes it (`on_close`), Tab and Shift+Tab stay inside,
/// and no key reaches the page behind (the lightbox's shortcuts).
pub fn modal_keys(
    dialog: NodeRef<leptos::html::Div>,
    on_close: Callback<()>,
) -> impl Fn(KeyboardEvent) + Copy {
    move |ev: KeyboardEvent| {
        ev.stop_propagation();
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                on_close.run(());
            }
            "Tab" => {
                if let Some(element) = dialog.get() {
                    crate::browser::trap_focus(&element, &ev);
                }
            }
            _ => {}
        }
    }
}
