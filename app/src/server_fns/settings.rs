//! The settings page: one's password and API tokens, and, for administrators, the accounts.
//! The same rules as the JSON API's `/api/me/password`, `/api/tokens` and `/api/users`: each
//! function decides who is asking first, and the accounts' functions refuse (403) anyone who
//! is not an administrator.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// One of the caller's API tokens, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenListing {
    pub id: String,
    pub name: String,
    /// The day it was made, `YYYY-MM-DD` in UTC.
    pub created_on: String,
}

/// A token just made: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub name: String,
    pub token: String,
}

/// An account as the administrator's table shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListing {
    pub username: String,
    pub admin: bool,
    pub photos: u64,
    /// The sizes of its originals, as people read them ("1.5 GiB").
    pub storage: String,
    /// The day it was made, `YYYY-MM-DD` in UTC.
    pub created_on: String,
    /// The account of the administrator looking.
    pub you: bool,
}

/// What removing an account took with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedAccount {
    pub username: String,
    pub photos: usize,
}

/// Changes the caller's own password; every other session of the account is signed out.
#[server(prefix = "/_fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    ssr::accounts()?
        .change_password(&caller, &current_password, &new_password)
        .await?;
    Ok(())
}

/// The caller's API tokens, newest first.
#[server(prefix = "/_fn", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenListing>, AppError> {
    let caller = ssr::caller()?;
    let tokens = ssr::accounts()?.api_tokens(&caller.owner).await?;
    Ok(tokens
        .into_iter()
        .map(|token| TokenListing {
            id: token.id,
            name: token.name,
            created_on: day_of(token.created_at_ms),
        })
        .collect())
}

/// A new API token for the caller, named `name`.
#[server(prefix = "/_fn", endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<IssuedToken, AppError> {
    let caller = ssr::caller()?;
    let created = ssr::accounts()?
        .create_api_token(&caller.owner, &name)
        .await?;
    Ok(IssuedToken {
        name,
        token: created.token,
    })
}

/// Revokes one of the caller's API tokens.
#[server(prefix = "/_fn", endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    ssr::accounts()?
        .revoke_api_token(&caller.owner, &id)
        .await?;
    Ok(())
}

/// Every account with its photo count and storage, by username (administrators only).
#[server(prefix = "/_fn", endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<AccountListing>, AppError> {
    let caller = ssr::caller()?;
    caller.require_admin()?;
    let gallery = ssr::gallery()?;
    let mut listed = Vec::new();
    for account in ssr::accounts()?.accounts().await? {
        let totals = gallery.totals(&account.owner).await?;
        listed.push(AccountListing {
            photos: totals.photos,
            storage: gaillery_core::size::human_size(totals.bytes),
            you: account.owner == caller.owner,
            created_on: day_of(account.created_at_ms),
            username: account.username,
            admin: account.admin,
        });
    }
    Ok(listed)
}

/// Adds an account (administrators only). A form leaves an unticked `admin` box out.
#[server(prefix = "/_fn", endpoint = "add_account")]
pub async fn add_account(
    username: String,
    password: String,
    #[server(default)] admin: bool,
) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    caller.require_admin()?;
    let account = ssr::accounts()?
        .add_account(&username, &password, admin)
        .await?;
    tracing::info!(
        by = caller.username,
        username = account.username,
        "account added"
    );
    Ok(())
}

/// Removes an account with its photos, sessions and tokens (administrators only).
#[server(prefix = "/_fn", endpoint = "remove_account")]
pub async fn remove_account(username: String) -> Result<RemovedAccount, AppError> {
    let caller = ssr::caller()?;
    caller.require_admin()?;
    let photos = gaillery_service::remove_account_and_belongings(
        &ssr::accounts()?,
        &ssr::albums()?,
        &ssr::gallery()?,
        &username,
    )
    .await?;
    tracing::info!(
        by = caller.username,
        username,
        deleted = photos,
        "account removed"
    );
    Ok(RemovedAccount { username, photos })
}

/// Sets a new password for an account, which is signed out everywhere (administrators only).
#[server(prefix = "/_fn", endpoint = "reset_password")]
pub async fn reset_password(username: String, new_password: String) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    caller.require_admin()?;
    ssr::accounts()?
        .reset_password(&username, &new_password)
        .await?;
    tracing::info!(by = caller.username, username, "password reset");
    Ok(())
}

/// The UTC day of an instant, as `YYYY-MM-DD`.
#[cfg(feature = "ssr")]
fn day_of(millis: i64) -> String {
    let mut instant = gaillery_service::rfc3339_from_millis(millis);
    instant.truncate(instant.find('T').unwrap_or(instant.len()));
    instant
}
