//! The JSON bodies of accounts, sessions and API tokens (`/api/setup`, `/api/session`,
//! `/api/me`, `/api/users`, `/api/tokens`).

use serde::{Deserialize, Serialize};

/// `POST /api/setup`: the first account, an administrator. `code` is the one-time setup code
/// from the server's log, needed when the request does not come from the server's own machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupRequest {
    pub username: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `POST /api/session`: sign in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

/// `GET /api/me`: who is signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    pub admin: bool,
}

/// `PUT /api/me/password`: the current password proves it is the owner typing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `PUT /api/users/{username}/password`: an administrator sets a new password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordReset {
    pub new_password: String,
}

/// `POST /api/users`: an administrator adds an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub admin: bool,
}

/// `GET /api/users`: an account, with what it stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub username: String,
    pub admin: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub photos: u64,
    /// The sizes of the account's originals as uploaded.
    pub bytes: u64,
}

/// `POST /api/tokens`: names a new API token ("laptop backup").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewToken {
    pub name: String,
}

/// The answer to `POST /api/tokens`: the only time the token is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: String,
    pub token: String,
}

/// `GET /api/tokens`: a token, without its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}
