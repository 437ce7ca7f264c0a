//! Who is visiting, signing in and out, and the first run.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// Who is looking at the page, and so what it shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visitor {
    SignedIn {
        username: String,
        admin: bool,
    },
    /// Nobody signed in, and accounts exist.
    SignIn,
    /// No account exists yet; `needs_code` when the visitor is not on the server's machine and
    /// must type the setup code from the server's log.
    FirstRun {
        needs_code: bool,
    },
}

#[server(prefix = "/_fn", endpoint = "who_is_visiting")]
pub async fn who_is_visiting() -> Result<Visitor, AppError> {
    if let gaillery_service::Identity::SignedIn(caller) = ssr::identity() {
        return Ok(Visitor::SignedIn {
            username: caller.username,
            admin: caller.admin,
        });
    }
    if ssr::accounts()?.needs_setup().await? {
        return Ok(Visitor::FirstRun {
            needs_code: !ssr::client().on_this_machine,
        });
    }
    Ok(Visitor::SignIn)
}

/// Signs in: the session cookie comes with the answer.
#[server(prefix = "/_fn", endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    let session = ssr::accounts()?
        .sign_in(&username, &password, ssr::client().ip)
        .await?;
    ssr::start_session(&session.token)
}

/// Makes the first account, an administrator, and signs it in.
#[server(prefix = "/_fn", endpoint = "set_up")]
pub async fn set_up(
    username: String,
    password: String,
    #[server(default)] code: Option<String>,
) -> Result<(), AppError> {
    let setup_code = use_context::<gaillery_service::SetupCode>()
        .ok_or_else(|| AppError::Refused(gaillery_service::INTERNAL_MESSAGE.to_owned()))?;
    let session = setup_code
        .first_run(
            &ssr::accounts()?,
            ssr::client(),
            code.as_deref(),
            &username,
            &password,
        )
        .await?;
    ssr::start_session(&session.token)
}

/// Signs out this browser.
#[server(prefix = "/_fn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let caller = ssr::caller()?;
    ssr::accounts()?.sign_out(&caller).await?;
    ssr::end_session();
    Ok(())
}
