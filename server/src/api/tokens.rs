//! API tokens, for scripts and the command line: each signed-in person makes and revokes
//! their own.

use super::ApiError;
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gaillery_core::api::accounts::{CreatedToken, NewToken, TokenInfo};
use gaillery_core::api::ErrorBody;
use gaillery_storage::catalog::rfc3339_from_millis;

#[utoipa::path(
    post,
    path = "/api/tokens",
    summary = "Create an API token; the answer is the only time it is shown",
    request_body = NewToken,
    responses(
        (status = 201, description = "Created; send it as `Authorization: Bearer TOKEN`", body = CreatedToken),
        (status = 400, description = "The name breaks a rule", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn create_token(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Json(request): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = state
        .accounts
        .create_api_token(&caller.owner, &request.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: created.id,
            token: created.token,
        }),
    ))
}

#[utoipa::path(
    get,
    path = "/api/tokens",
    summary = "One's API tokens, newest first, without their secrets",
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn list_tokens(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let tokens = state.accounts.api_tokens(&caller.owner).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|token| TokenInfo {
                id: token.id,
                name: token.name,
                created_at: rfc3339_from_millis(token.created_at_ms),
            })
            .collect(),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/tokens/{id}",
    summary = "Revoke an API token",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
    )
)]
pub(super) async fn revoke_token(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.accounts.revoke_api_token(&caller.owner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
