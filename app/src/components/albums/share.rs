//! Sharing an album by a link: anyone holding it sees the album read-only, until it expires or
//! is revoked. The dialog makes a link (an expiry and a password are optional), shows it to
//! copy, and lists the album's live links with a Revoke each.

use crate::components::confirm::modal_keys;
use crate::components::forms::failure;
use crate::components::sign_in::FormError;
use crate::server_fns::{album_links, RevokeLink, ShareAlbum};
use gaillery_core::api::albums::LinkInfo;
use leptos::prelude::*;

/// The link as its recipient opens it: the page's origin and the link's path.
fn full_url(link: &LinkInfo) -> String {
    crate::browser::page_origin()
        .map(|origin| format!("{origin}{}", link.url))
        .unwrap_or_else(|| link.url.clone())
}

#[component]
pub fn ShareDialog(album_id: String, on_close: Callback<()>) -> impl IntoView {
    let share = ServerAction::<ShareAlbum>::new();
    let revoke = ServerAction::<RevokeLink>::new();
    let links = {
        let album_id = album_id.clone();
        Resource::new(
            move || (share.version().get(), revoke.version().get()),
            move |_| album_links(album_id.clone()),
        )
    };
    let made = Memo::new(move |_| match share.value().get() {
        Some(Ok(link)) => Some(full_url(&link)),
        _ => None,
    });
    let copied = RwSignal::new(false);
    let dialog = NodeRef::<leptos::html::Div>::new();
    let on_keydown = modal_keys(dialog, on_close);
    let first_field = NodeRef::<leptos::html::Select>::new();
    Effect::new(move |_| {
        if let Some(field) = first_field.get() {
            let _ = field.focus();
        }
    });
    view! {
        <div class="modal-backdrop">
            <div class="modal share-dialog" role="dialog" aria-modal="true"
                aria-labelledby="share-title" node_ref=dialog on:keydown=on_keydown>
                <h2 id="share-title">"Share this album"</h2>
                <p class="hint">"Anyone with the link sees this album, and only this album. They cannot change anything."</p>
                <ActionForm action=share attr:class="share-form">
                    <input type="hidden" name="id" value=album_id.clone()/>
                    <label>
                        "Link works for"
                        <select name="expires_in_days" node_ref=first_field>
                            <option value="0">"Until revoked"</option>
                            <option value="1">"1 day"</option>
                            <option value="7">"7 days"</option>
                            <option value="30">"30 days"</option>
                            <option value="365">"1 year"</option>
                        </select>
                    </label>
                    <label>
                        "Password (optional, at least 6 characters)"
                        <input type="password" name="password" autocomplete="new-password" minlength="6"/>
                    </label>
                    <button class="button primary" type="submit"
                        disabled=move || share.pending().get()>"Create link"</button>
                </ActionForm>
                <FormError value=failure(share.value())/>
                {move || made.get().map(|url| {
                    let to_copy = url.clone();
                    view! {
                        <div class="share-made">
                            <label>
                                "Link"
                                <input type="text" readonly class="share-url" value=url.clone()
                                    on:focus=move |ev| if let Some(input) = crate::browser::event_input(&ev) { input.select() }/>
                            </label>
                            <button class="button" type="button" on:click=move |_| copied.set(crate::browser::copy_text(&to_copy))>
                                {move || if copied.get() { "Copied" } else { "Copy link" }}
                            </button>
                        </div>
                    }
                })}
                <h3>"Live links"</h3>
                <Transition fallback=|| view! { <p class="hint">"Loading links…"</p> }>
                    {move || Suspend::new(async move {
                        match links.await {
                            Ok(list) if list.is_empty() => view! { <p class="hint">"No live links."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="settings-list" aria-label="Live links">
                                    {list.into_iter().map(|link| view! { <LinkItem link revoke/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <FormError value=failure(revoke.value())/>
                <div class="modal-actions">
                    <button class="button" type="button" on:click=move |_| on_close.run(())>"Done"</button>
                </div>
            </div>
        </div>
    }
}

#[component]
fn LinkItem(link: LinkInfo, revoke: ServerAction<RevokeLink>) -> impl IntoView {
    let expiry = match &link.expires_at {
        Some(at) => format!("until {}", at.get(..10).unwrap_or(at)),
        None => "until revoked".to_owned(),
    };
    let lock = if link.has_password {
        ", with a password"
    } else {
        ""
    };
    let token = link.token.clone();
    view! {
        <li class="settings-item">
            <span class="link-url">{link.url.clone()}</span>
            <span class="hint">{format!("Works {expiry}{lock}")}</span>
            <button class="button subtle" type="button"
                aria-label=format!("Revoke the link {}", link.url)
                on:click=move |_| { revoke.dispatch(RevokeLink { token: token.clone() }); }>
                "Revoke"
            </button>
        </li>
    }
}
