//! Changing one's own password. The current one proves it is the owner typing; every other
//! session of the account is signed out, this one stays.

use crate::components::forms::{clear_after_success, failure, Outcome};
use crate::server_fns::ChangePassword;
use leptos::prelude::*;

#[component]
pub fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(action.value(), form);
    let done = Signal::derive(move || {
        matches!(action.value().get(), Some(Ok(())))
            .then(|| "Password changed; other sessions were signed out".to_owned())
    });
    view! {
        <section class="settings-section" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <ActionForm action node_ref=form attr:class="settings-form" attr:aria-label="Change password">
                <label>
                    "Current password"
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                </label>
                <label>
                    "New password (at least 10 characters)"
                    <input
                        type="password"
                        name="new_password"
                        autocomplete="new-password"
                        minlength="10"
                        required
                    />
                </label>
                <Outcome failed=failure(action.value()) done=done/>
                <button class="button primary" type="submit" disabled=move || action.pending().get()>
                    "Change password"
                </button>
            </ActionForm>
        </section>
    }
}
