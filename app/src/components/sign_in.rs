//! The page of a visitor who is not signed in: the sign-in form, or on a new gallery the
//! first-run form that creates the administrator. The server sends anonymous visitors of the
//! gallery here, and signed-in ones back.

use crate::components::icons::IconSignOut;
use crate::error::AppError;
use crate::server_fns::{who_is_visiting, SetUp, SignIn, SignOut, Visitor};
use leptos::prelude::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let visitor = Resource::new(|| (), |_| who_is_visiting());
    view! {
        <main class="auth-page">
            <h1 class="brand">"GAiLLERY"</h1>
            <Suspense fallback=|| view! { <p class="status-line">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match visitor.await {
                        Ok(Visitor::FirstRun { needs_code }) => {
                            view! { <FirstRunForm needs_code/> }.into_any()
                        }
                        Ok(Visitor::SignIn) => view! { <SignInForm/> }.into_any(),
                        Ok(Visitor::SignedIn { username, .. }) => view! {
                            <p class="status-line">
                                "Signed in as " {username} ". " <a href="/">"Open the gallery"</a>
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

#[component]
fn SignInForm() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    open_after_success(action.value().into(), "/");
    view! {
        <ActionForm action attr:class="auth-form" attr:aria-labelledby="sign-in-title">
            <h2 id="sign-in-title">"Sign in"</h2>
            <label>
                "Username"
                <input name="username" autocomplete="username" required autofocus/>
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required/>
            </label>
            <FormError value=action.value().into()/>
            <button class="button primary" type="submit" disabled=move || action.pending().get()>
                "Sign in"
            </button>
        </ActionForm>
    }
}

#[component]
fn FirstRunForm(needs_code: bool) -> impl IntoView {
    let action = ServerAction::<SetUp>::new();
    open_after_success(action.value().into(), "/");
    view! {
        <ActionForm action attr:class="auth-form" attr:aria-labelledby="first-run-title">
            <h2 id="first-run-title">"Create the administrator account"</h2>
            <p class="hint">
                "This gallery has no account yet. The first one administers it: it adds the "
                "other accounts, and it keeps the photos uploaded before accounts existed."
            </p>
            <label>
                "Username"
                <input name="username" autocomplete="username" required autofocus/>
            </label>
            <label>
                "Password (at least 10 characters)"
                <input type="password" name="password" autocomplete="new-password" minlength="10" required/>
            </label>
            {needs_code.then(|| view! {
                <label>
                    "Setup code (shown in the server's log)"
                    <input name="code" autocomplete="off" required/>
                </label>
            })}
            <FormError value=action.value().into()/>
            <button class="button primary" type="submit" disabled=move || action.pending().get()>
                "Create account"
            </button>
        </ActionForm>
    }
}

/// The sign-out button of the gallery's top bar.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    open_after_success(action.value().into(), "/sign-in");
    view! {
        <ActionForm action attr:class="sign-out">
            <button class="button subtle" type="submit">
                <IconSignOut/>
                <span class="wide-only">"Sign out"</span>
            </button>
        </ActionForm>
    }
}

/// What went wrong with the last submission, read out when it appears.
#[component]
pub(crate) fn FormError(value: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {move || match value.get() {
                Some(Err(error)) => error.to_string(),
                _ => String::new(),
            }}
        </p>
    }
}

/// Once the action succeeds, loads `path` afresh: the new cookie decides what the server
/// renders there.
fn open_after_success(value: Signal<Option<Result<(), AppError>>>, path: &'static str) {
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(()))) {
            if let Err(error) = window().location().set_href(path) {
                leptos::logging::warn!("could not open {path}: {error:?}");
            }
        }
    });
}
