//! API tokens, for scripts and the command line: the list, revoking one, and making one, whose
//! secret is shown once, right after it is made.

use crate::components::forms::{clear_after_success, failure, Outcome};
use crate::error::AppError;
use crate::server_fns::{list_tokens, CreateToken, IssuedToken, RevokeToken, TokenListing};
use leptos::prelude::*;

/// The token list and the actions that change it, made by the page before its `Suspense`
/// (`LightboxData` says why).
#[derive(Clone, Copy)]
pub struct TokensData {
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
    tokens: Resource<Result<Vec<TokenListing>, AppError>>,
}

impl TokensData {
    pub fn load() -> TokensData {
        let create = ServerAction::<CreateToken>::new();
        let revoke = ServerAction::<RevokeToken>::new();
        let tokens = Resource::new(
            move || (create.version().get(), revoke.version().get()),
            |_| list_tokens(),
        );
        TokensData {
            create,
            revoke,
            tokens,
        }
    }
}

#[component]
pub fn TokensSection(data: TokensData) -> impl IntoView {
    let TokensData {
        create,
        revoke,
        tokens,
    } = data;
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(create.value(), form);
    // The new token, until the next one or until its owner says it is copied.
    let issued = RwSignal::new(None::<IssuedToken>);
    Effect::new(move |_| {
        if let Some(Ok(token)) = create.value().get() {
            issued.set(Some(token));
        }
    });
    let revoked = Signal::derive(move || {
        matches!(revoke.value().get(), Some(Ok(()))).then(|| "Token revoked".to_owned())
    });
    view! {
        <section class="settings-section" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="hint">
                "Scripts and the command line use a token instead of your password. "
                "Each works until it is revoked; make one per use, so you can revoke it alone."
            </p>
            <Transition fallback=|| view! { <p class="hint">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="hint">"You have no tokens."</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <ul class="settings-list" aria-label="Your tokens">
                                {list
                                    .into_iter()
                                    .map(|token| view! { <TokenItem token revoke/> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <p class="form-error" role="alert">
                                "The tokens could not be listed: " {error.to_string()}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <Outcome failed=failure(revoke.value()) done=revoked/>
            <ActionForm
                action=create
                node_ref=form
                attr:class="settings-form"
                attr:aria-labelledby="new-token-title"
            >
                <h3 id="new-token-title">"Create a token"</h3>
                <label>
                    "Name"
                    <input
                        name="name"
                        autocomplete="off"
                        maxlength="64"
                        required
                        aria-describedby="new-token-hint"
                    />
                </label>
                <p class="hint" id="new-token-hint">"What it is for, like “laptop backup”."</p>
                <Outcome failed=failure(create.value())/>
                <button class="button primary" type="submit" disabled=move || create.pending().get()>
                    "Create token"
                </button>
            </ActionForm>
            {move || issued.get().map(|token| view! { <NewToken token issued/> })}
        </section>
    }
}

#[component]
fn TokenItem(token: TokenListing, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let TokenListing {
        id,
        name,
        created_on,
    } = token;
    let which = format!(" token {name}");
    view! {
        <li class="settings-item">
            <span class="item-name">{name}</span>
            <span class="hint">"made " <time datetime=created_on.clone()>{created_on.clone()}</time></span>
            <ActionForm action=revoke attr:class="item-actions">
                <input type="hidden" name="id" value=id/>
                <button class="button subtle" type="submit">
                    "Revoke" <span class="visually-hidden">{which}</span>
                </button>
            </ActionForm>
        </li>
    }
}

/// The token just made, in a read-only field that gets the focus with its text selected, ready
/// to copy; with how to send it.
#[component]
fn NewToken(token: IssuedToken, issued: RwSignal<Option<IssuedToken>>) -> impl IntoView {
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let origin = window().location().origin().unwrap_or_default();
    let example = format!(
        "curl -H \"Authorization: Bearer {}\" {origin}/api/photos",
        token.token
    );
    view! {
        <div class="new-token" role="group" aria-labelledby="issued-token-title">
            <h3 id="issued-token-title">{format!("Your new token “{}”", token.name)}</h3>
            <label>
                "Token"
                <input
                    node_ref=field
                    class="token-field"
                    readonly
                    value=token.token
                    aria-describedby="issued-token-note"
                    on:focus=move |_| {
                        if let Some(input) = field.get() {
                            input.select();
                        }
                    }
                />
            </label>
            <p class="new-token-note" id="issued-token-note">
                <strong>"Copy it now: it will not be shown again."</strong>
                " Send it in an " <code>"Authorization: Bearer …"</code> " header, for example:"
            </p>
            <pre class="new-token-example"><code>{example}</code></pre>
            <button class="button" type="button" on:click=move |_| issued.set(None)>
                "Done, I copied it"
            </button>
        </div>
    }
}
