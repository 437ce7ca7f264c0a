//! The administrator's accounts: the table with each account's photos and storage, adding one,
//! removing one with its photos (after a confirmation) and resetting a password.

use crate::components::confirm::ConfirmDialog;
use crate::components::forms::{clear_after_success, failure, Outcome};
use crate::error::AppError;
use crate::server_fns::{
    list_accounts, AccountListing, AddAccount, RemoveAccount, ResetPassword, Visitor,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The account whose removal is being confirmed, with its photo count, and the id of the
/// button that asked.
#[derive(Clone, Debug, PartialEq)]
struct Removing {
    username: String,
    photos: u64,
    button: String,
}

/// The account table and the actions that change it, made by the page before its `Suspense`
/// (`LightboxData` says why). The accounts are listed only for an administrator.
#[derive(Clone, Copy)]
pub struct AccountsData {
    add: ServerAction<AddAccount>,
    remove: ServerAction<RemoveAccount>,
    accounts: Resource<Result<Vec<AccountListing>, AppError>>,
}

impl AccountsData {
    pub fn new(visitor: Resource<Result<Visitor, AppError>>) -> AccountsData {
        let add = ServerAction::<AddAccount>::new();
        let remove = ServerAction::<RemoveAccount>::new();
        let accounts = Resource::new(
            move || (add.version().get(), remove.version().get()),
            move |_| async move {
                match visitor.await {
                    Ok(Visitor::SignedIn { admin: true, .. }) => list_accounts().await,
                    _ => Ok(Vec::new()),
                }
            },
        );
        AccountsData {
            add,
            remove,
            accounts,
        }
    }
}

#[component]
pub fn AccountsSection(data: AccountsData) -> impl IntoView {
    let AccountsData {
        add,
        remove,
        accounts,
    } = data;
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(add.value(), form);
    let asking = RwSignal::new(None::<Removing>);
    // The button that opened the confirmation gets the focus back on Cancel; after a removal
    // its row is gone, and the section's heading gets it.
    let heading = NodeRef::<leptos::html::H2>::new();
    let close = move |removed: bool, button: &str| {
        asking.set(None);
        let focused = if removed {
            heading.get_untracked().map(|heading| heading.focus())
        } else {
            document()
                .get_element_by_id(button)
                .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok())
                .map(|button| button.focus())
        };
        if let Some(Err(error)) = focused {
            leptos::logging::warn!("could not move the focus: {error:?}");
        }
    };
    let removed = Signal::derive(move || match remove.value().get() {
        Some(Ok(gone)) => Some(format!(
            "Removed {} and {} {}",
            gone.username,
            gone.photos,
            if gone.photos == 1 { "photo" } else { "photos" }
        )),
        _ => None,
    });
    let added = Signal::derive(move || {
        matches!(add.value().get(), Some(Ok(()))).then(|| "Account added".to_owned())
    });
    let on_ask = Callback::new(move |removing: Removing| asking.set(Some(removing)));
    view! {
        <section class="settings-section" aria-labelledby="accounts-title">
            <h2 id="accounts-title" tabindex="-1" node_ref=heading>"Accounts"</h2>
            <Transition fallback=|| view! { <p class="hint">"Loading accounts…"</p> }>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(list) => view! {
                            <table class="settings-table" aria-labelledby="accounts-title">
                                <thead>
                                    <tr>
                                        <th scope="col">"Username"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Photos"</th>
                                        <th scope="col">"Storage"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .enumerate()
                                        .map(|(row, account)| view! { <AccountRow account row on_ask/> })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <p class="form-error" role="alert">
                                "The accounts could not be listed: " {error.to_string()}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <Outcome failed=failure(remove.value()) done=removed/>
            <ActionForm
                action=add
                node_ref=form
                attr:class="settings-form"
                attr:aria-labelledby="add-account-title"
            >
                <h3 id="add-account-title">"Add an account"</h3>
                <label>
                    "Username"
                    <input name="username" autocomplete="off" maxlength="64" required/>
                </label>
                <label>
                    "Password (at least 10 characters)"
                    <input type="password" name="password" autocomplete="new-password" minlength="10" required/>
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="admin" value="true"/>
                    "Administrator (manages the accounts)"
                </label>
                <Outcome failed=failure(add.value()) done=added/>
                <button class="button primary" type="submit" disabled=move || add.pending().get()>
                    "Add account"
                </button>
            </ActionForm>
            {move || asking.get().map(|Removing { username, photos, button }| view! {
                <ConfirmDialog
                    title=format!("Remove {username}?")
                    message=format!(
                        "The account {username}, its {photos} {} and its API tokens will be deleted for good. This cannot be undone.",
                        if photos == 1 { "photo" } else { "photos" },
                    )
                    confirm_label="Remove account"
                    on_confirm=Callback::new(move |()| {
                        remove.dispatch(RemoveAccount { username: username.clone() });
                        close(true, "");
                    })
                    on_cancel=Callback::new(move |()| close(false, &button))
                />
            })}
        </section>
    }
}

#[component]
fn AccountRow(account: AccountListing, row: usize, on_ask: Callback<Removing>) -> impl IntoView {
    let AccountListing {
        username,
        admin,
        photos,
        storage,
        created_on,
        you,
    } = account;
    let role = if admin { "Administrator" } else { "Member" };
    let actions = if you {
        view! { <span class="hint">"This is you"</span> }.into_any()
    } else {
        let button = format!("remove-account-{row}");
        let removing = Removing {
            username: username.clone(),
            photos,
            button: button.clone(),
        };
        view! {
            <button
                class="button subtle"
                type="button"
                id=button
                on:click=move |_| on_ask.run(removing.clone())
            >
                "Remove" <span class="visually-hidden">{format!(" {username}")}</span>
            </button>
            <ResetPasswordForm username=username.clone()/>
        }
        .into_any()
    };
    view! {
        <tr>
            <th scope="row">
                <span class="item-name">{username.clone()}</span>
                <span class="hint">"since " <time datetime=created_on.clone()>{created_on.clone()}</time></span>
            </th>
            <td data-label="Role">{role}</td>
            <td data-label="Photos">{photos}</td>
            <td data-label="Storage">{storage}</td>
            <td><div class="item-actions">{actions}</div></td>
        </tr>
    }
}

/// A new password for another account, behind a disclosure so the table stays short.
#[component]
fn ResetPasswordForm(username: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    clear_after_success(action.value(), form);
    let done = Signal::derive({
        let username = username.clone();
        move || {
            matches!(action.value().get(), Some(Ok(())))
                .then(|| format!("Password set; {username} was signed out everywhere"))
        }
    });
    let form_name = format!("Reset the password of {username}");
    let whose = format!(" of {username}");
    view! {
        <details class="reset-password">
            <summary class="button subtle">
                "Reset password" <span class="visually-hidden">{whose}</span>
            </summary>
            <ActionForm
                action
                node_ref=form
                attr:class="settings-form compact"
                attr:aria-label=form_name
            >
                <input type="hidden" name="username" value=username/>
                <label>
                    "New password (at least 10 characters)"
                    <input type="password" name="new_password" autocomplete="new-password" minlength="10" required/>
                </label>
                <Outcome failed=failure(action.value()) done=done/>
                <button class="button primary" type="submit" disabled=move || action.pending().get()>
                    "Set password"
                </button>
            </ActionForm>
        </details>
    }
}
