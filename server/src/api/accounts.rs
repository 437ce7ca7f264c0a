//! Signing in and out, the first run, and the signed-in person's own account.

use super::ApiError;
use crate::auth::{clear_session, set_session, Client, SignedIn};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::accounts::{Me, PasswordChange, SetupRequest, SignInRequest};
use gaillery_core::api::ErrorBody;
use gaillery_service::accounts::NewSession;
use gaillery_service::ClientAddress;

#[utoipa::path(
    post,
    path = "/api/setup",
    summary = "Create the first account, an administrator, and sign it in",
    description = "Only while no account exists. From another machine than the server's, `code` must be the one-time setup code the server's log shows.",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "Created and signed in (the session cookie is set)", body = Me),
        (status = 400, description = "The username or password breaks a rule", body = ErrorBody),
        (status = 403, description = "The setup code is missing or wrong", body = ErrorBody),
        (status = 409, description = "The gallery has an account already", body = ErrorBody),
    )
)]
pub(super) async fn set_up(
    State(state): State<AppState>,
    Client(client): Client,
    Json(request): Json<SetupRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .setup_code
        .first_run(
            &state.accounts,
            client,
            request.code.as_deref(),
            &request.username,
            &request.password,
        )
        .await?;
    Ok(signed_in(&state, StatusCode::CREATED, session))
}

#[utoipa::path(
    post,
    path = "/api/session",
    summary = "Sign in",
    request_body = SignInRequest,
    responses(
        (status = 204, description = "Signed in: the session cookie is set"),
        (status = 401, description = "Wrong username or password (one message for both)", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this account or address; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    Json(request): Json<SignInRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .accounts
        .sign_in(&request.username, &request.password, client.ip)
        .await?;
    Ok(signed_in(&state, StatusCode::NO_CONTENT, session))
}

/// The answer to a sign-in: the cookie, and who is signed in unless `status` has no body.
fn signed_in(state: &AppState, status: StatusCode, session: NewSession) -> Response {
    let me = Me {
        username: session.caller.username.clone(),
        admin: session.caller.admin,
    };
    let mut response = if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, Json(me)).into_response()
    };
    if let Some(cookie) = set_session(state.cookies, &session.token) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[utoipa::path(
    delete,
    path = "/api/session",
    summary = "Sign out",
    responses(
        (status = 204, description = "Signed out: the session is revoked and the cookie cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn sign_out(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Client(client): Client,
) -> Result<Response, ApiError> {
    state.accounts.sign_out(&caller).await?;
    log_client(&caller.username, client, "signed out");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_session(state.cookies));
    Ok(response)
}

fn log_client(username: &str, client: ClientAddress, what: &str) {
    let client = client.ip.map(|ip| ip.to_string()).unwrap_or_default();
    tracing::info!(username, client, "{what}");
}

#[utoipa::path(
    get,
    path = "/api/me",
    summary = "Who is signed in",
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn me(SignedIn(caller): SignedIn) -> Json<Me> {
    Json(Me {
        username: caller.username,
        admin: caller.admin,
    })
}

#[utoipa::path(
    put,
    path = "/api/me/password",
    summary = "Change one's own password",
    description = "Signs out every other session of the account; this one stays signed in.",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "The current password is wrong, or the new one breaks a rule", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub(super) async fn change_password(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    Json(change): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state
        .accounts
        .change_password(&caller, &change.current_password, &change.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
