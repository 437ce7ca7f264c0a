//! Sharing an album or a single photo by a link: anyone holding it sees what it shares,
//! read-only, until it expires or is revoked. The dialog makes a link (an expiry and a
//! password are optional), shows it to copy, and lists the live links of what it shares with a
//! Revoke each.

use crate::components::confirm::modal_keys;
use crate::components::forms::failure;
use crate::components::sign_in::FormError;
use crate::error::AppError;
use crate::server_fns::{album_links, photo_links, RevokeLink, ShareAlbum, SharePhoto};
use gaillery_core::api::albums::LinkInfo;
use gaillery_core::PhotoId;
use leptos::prelude::*;

/// What a link shares, by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareTarget {
    Album(String),
    Photo(String),
}

impl ShareTarget {
    fn id(&self) -> String {
        match self {
            ShareTarget::Album(id) | ShareTarget::Photo(id) => id.clone(),
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            ShareTarget::Album(_) => "album",
            ShareTarget::Photo(_) => "photo",
        }
    }

    async fn live_links(self) -> Result<Vec<LinkInfo>, AppError> {
        match self {
            ShareTarget::Album(id) => album_links(id).await,
            ShareTarget::Photo(id) => photo_links(id).await,
        }
    }
}

/// "Share" for the photo in the lightbox: a link to that photo alone. Focus comes back to the
/// button when the dialog closes.
#[component]
pub fn SharePhotoButton(photo: Signal<Option<PhotoId>>) -> impl IntoView {
    let open = RwSignal::new(None::<String>);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = Callback::new(move |()| {
        open.set(None);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    });
    view! {
        <button class="button subtle" type="button" node_ref=button
            on:click=move |_| open.set(photo.get_untracked().map(|id| id.to_string()))>
            "Share photo"
        </button>
        {move || open.get().map(|id| view! { <ShareDialog target=ShareTarget::Photo(id) on_close=close/> })}
    }
}

/// The link as its recipient opens it: the page's origin and the link's path.
fn full_url(link: &LinkInfo) -> String {
    crate::browser::page_origin()
        .map(|origin| format!("{origin}{}", link.url))
        .unwrap_or_else(|| link.url.clone())
}

#[component]
pub fn ShareDialog(target: ShareTarget, on_close: Callback<()>) -> impl IntoView {
    // One action per kind of target (a form posts to one server function); the dialog uses one.
    let share_album = ServerAction::<ShareAlbum>::new();
    let share_photo = ServerAction::<SharePhoto>::new();
    let revoke = ServerAction::<RevokeLink>::new();
    let answer = Signal::derive(move || {
        share_album
            .value()
            .get()
            .or_else(|| share_photo.value().get())
    });
    let pending =
        Signal::derive(move || share_album.pending().get() || share_photo.pending().get());
    let links = {
        let target = target.clone();
        Resource::new(
            move || {
                (
                    share_album.version().get(),
                    share_photo.version().get(),
                    revoke.version().get(),
                )
            },
            move |_| target.clone().live_links(),
        )
    };
    let made = Memo::new(move |_| match answer.get() {
        Some(Ok(link)) => Some(full_url(&link)),
        _ => None,
    });
    let copied = RwSignal::new(false);
    // A link just made has the focus, selected, ready to copy.
    let link_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = link_field.get() {
            let _ = field.focus();
            field.select();
        }
    });
    let dialog = NodeRef::<leptos::html::Div>::new();
    let on_keydown = modal_keys(dialog, on_close);
    let first_field = NodeRef::<leptos::html::Select>::new();
    Effect::new(move |_| {
        if let Some(field) = first_field.get() {
            let _ = field.focus();
        }
    });
    let noun = target.noun();
    let fields = view! { <ShareFields id=target.id() first_field pending/> };
    let form = match target {
        ShareTarget::Album(_) => view! {
            <ActionForm action=share_album attr:class="share-form">{fields}</ActionForm>
        }
        .into_any(),
        ShareTarget::Photo(_) => view! {
            <ActionForm action=share_photo attr:class="share-form">{fields}</ActionForm>
        }
        .into_any(),
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal share-dialog" role="dialog" aria-modal="true"
                aria-labelledby="share-title" node_ref=dialog on:keydown=on_keydown>
                <h2 id="share-title">{format!("Share this {noun}")}</h2>
                <p class="hint">{format!("Anyone with the link sees this {noun}, and only this {noun}. They cannot change anything.")}</p>
                {form}
                <FormError value=failure(answer)/>
                {move || made.get().map(|url| {
                    let to_copy = url.clone();
                    view! {
                        <div class="share-made">
                            <label>
                                "Link"
                                <input type="text" readonly class="share-url" value=url.clone() node_ref=link_field
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

/// The fields of a new link: what it shares, how long it works, an optional password.
#[component]
fn ShareFields(
    id: String,
    first_field: NodeRef<leptos::html::Select>,
    pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <input type="hidden" name="id" value=id/>
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
        <button class="button primary" type="submit" disabled=move || pending.get()>"Create link"</button>
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
