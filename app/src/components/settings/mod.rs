//! The settings page, `/settings`: one's password and API tokens for everyone, and the
//! accounts for administrators (the section is not rendered for others, and its server
//! functions refuse them). Each section is its own module; the server sends anonymous visitors
//! to the sign-in page before any of it renders.
//!
//! Writes are `ServerAction`s sent by `ActionForm`s; lists are `Resource`s keyed on the
//! versions of the actions that change them, so they reload after each write. Both are made
//! here, before the `Suspense` (`LightboxData` says why).

mod accounts;
mod password;
mod tokens;

use crate::components::layout::SubpageTopBar;
use crate::server_fns::{who_is_visiting, Visitor};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let visitor = Resource::new(|| (), |_| who_is_visiting());
    // Made here, outside the `Suspense` (`LightboxData` says why).
    let tokens = tokens::TokensData::load();
    let accounts = accounts::AccountsData::new(visitor);
    view! {
        <Title text="Settings · GAiLLERY"/>
        <SubpageTopBar/>
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
                            <tokens::TokensSection data=tokens/>
                            {admin.then(|| view! { <accounts::AccountsSection data=accounts/> })}
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
