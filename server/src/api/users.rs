//! The administrator's view of the accounts: list, add, remove, reset a password.

use super::ApiError;
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gaillery_core::api::accounts::{Me, NewUser, PasswordReset, UserInfo};
use gaillery_core::api::ErrorBody;
use gaillery_storage::catalog::rfc3339_from_millis;

#[utoipa::path(
    get,
    path = "/api/users",
    summary = "Every account, with its photo count (administrators only)",
    responses(
        (status = 200, description = "The accounts, by username", body = Vec<UserInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
    )
)]
pub(super) async fn list_users(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<Vec<UserInfo>>, ApiError> {
    caller.require_admin()?;
    let mut users = Vec::new();
    for account in state.accounts.accounts().await? {
        let totals = state.gallery.totals(&account.owner).await?;
        users.push(UserInfo {
            photos: totals.photos,
            bytes: totals.bytes,
            username: account.username,
            admin: account.admin,
            created_at: rfc3339_from_millis(account.created_at_ms),
        });
    }
    Ok(Json(users))
}

#[utoipa::path(
    post,
    path = "/api/users",
    summary = "Add an account (administrators only)",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = Me),
        (status = 400, description = "The username or password breaks a rule", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
    )
)]
pub(super) async fn add_user(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Json(user): Json<NewUser>,
) -> Result<(StatusCode, Json<Me>), ApiError> {
    caller.require_admin()?;
    let account = state
        .accounts
        .add_account(&user.username, &user.password, user.admin)
        .await?;
    tracing::info!(
        by = caller.username,
        username = account.username,
        "account added"
    );
    Ok((
        StatusCode::CREATED,
        Json(Me {
            username: account.username,
            admin: account.admin,
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/users/{username}",
    summary = "Remove an account with its photos, albums, links, sessions and tokens (administrators only)",
    params(("username" = String, Path, description = "The account's username")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "The last administrator cannot be removed", body = ErrorBody),
    )
)]
pub(super) async fn remove_user(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let deleted = gaillery_service::remove_account_and_belongings(
        &state.accounts,
        &state.albums,
        &state.gallery,
        &username,
    )
    .await?;
    tracing::info!(by = caller.username, username, deleted, "account removed");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/users/{username}/password",
    summary = "Set a new password for an account (administrators only); signs it out everywhere",
    params(("username" = String, Path, description = "The account's username")),
    request_body = PasswordReset,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "The password breaks a rule", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    )
)]
pub(super) async fn reset_password(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Json(reset): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    state
        .accounts
        .reset_password(&username, &reset.new_password)
        .await?;
    tracing::info!(by = caller.username, username, "password reset");
    Ok(StatusCode::NO_CONTENT)
}
