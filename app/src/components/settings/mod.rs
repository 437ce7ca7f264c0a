//! The settings page, `/settings`: one's password and API tokens for everyone, and the
//! accounts for administrators (the section is not rendered for others, and its server
//! functions refuse them). Each section is its own module; the server sends anonymous visitors
//! to the sign-in page before any of it renders.
//!
//! Writes are `ServerAction`s sent by `ActionForm`s; lists are `Resource`s keyed on the
//! versions of the actions that change them, so they reload after each write.

mod accounts;
mod password;
mod tokens;

use crate::components::icons::IconPrevious;
use crate::components::sign_in::{FormError, SignOutButton};
use crate::error::AppError;
use crate::server_fns::{who_is_visiting, Visitor};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let visitor = Resource::new(|| (), |_| who_is_visiting());
    // The links leave the app's router (`rel="external"`): the gallery's live event stream
    // and observers belong to a page load, so each page starts afresh.
    view! {
        <Title text="Settings · GAiLLERY"/>
        <header class="topbar">
            <p class="brand">"GAiLLERY"</p>
            <div class="topbar-actions">
                <a class="button subtle" href="/" rel="external">
                    <IconPrevious/>
                    <span class="visually-hidden">"Back to the "</span>
                    "Gallery"
                </a>
                <SignOutButton/>
            </div>
        </header>
        <main class="settings-page">
            <h1>"Settings"</h1>
            <Suspense fallback=|| view! { <p class="status-line">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match visitor.await {
                        Ok(Visitor::SignedIn { username, admin }) => view! {
                            <p class="settings-intro">
                                "Signed in as " <strong>{username}</strong>
                                {if admin { ", an administrator." } else { "." }}
                            </p>
                            <password::PasswordSection/>
                            <tokens::TokensSection/>
                            {admin.then(|| view! { <accounts::AccountsSection/> })}
                        }.into_any(),
                        Ok(_) => view! {
                            <p class="status-line">
                                "You are not signed in. " <a href="/sign-in" rel="external">"Sign in"</a>
                            </p>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="status-line" role="alert">{error.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The failure of an action's last submission, for `Outcome`, whatever it answers on success.
fn failure<T: Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
) -> Signal<Option<Result<(), AppError>>> {
    let value = value.into();
    Signal::derive(move || {
        value.with(|last| match last {
            Some(Err(error)) => Some(Err(error.clone())),
            Some(Ok(_)) => Some(Ok(())),
            None => None,
        })
    })
}

/// Empties `form` each time its action succeeds, so a password or name typed is not left
/// behind for the next submission.
fn clear_after_success<T: Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
    form: NodeRef<leptos::html::Form>,
) {
    let value = value.into();
    Effect::new(move |_| {
        if value.with(|last| matches!(last, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
}

/// What came of an action's last submission: why it failed (an alert), or on success `done`
/// (a status). Both are read out when they appear, and empty until then.
#[component]
fn Outcome(
    failed: Signal<Option<Result<(), AppError>>>,
    #[prop(optional, into)] done: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form-outcome">
            <FormError value=failed/>
            <p class="form-status" role="status">
                {move || done.get().unwrap_or_default()}
            </p>
        </div>
    }
}
