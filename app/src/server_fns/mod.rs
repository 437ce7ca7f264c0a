//! Server functions: what the pages ask the server for. Each is a thin call into the service
//! layer, the same one the JSON API uses, and each decides who is asking first, from the
//! identity the server's authentication layer put on the request.
//!
//! - `photos`: list, search, count, delete, classify again.
//! - `accounts`: who is visiting, signing in and out, the first run.
//! - `settings`: one's password and API tokens, and the administrator's accounts.
//! - `albums`: albums and their share links, for their owner.
//! - `shared`: what a share link's visitor sees, without an account.
//! - `timeline`: the months of the library and a month's photos.

pub mod accounts;
pub mod albums;
pub mod links;
pub mod photos;
pub mod settings;
pub mod shared;
pub mod timeline;

pub use accounts::*;
pub use albums::*;
pub use links::*;
pub use photos::*;
pub use settings::*;
pub use shared::*;
pub use timeline::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use gaillery_core::{OwnerId, PhotoId};
    use gaillery_service::accounts::{Accounts, Caller};
    use gaillery_service::{ClientAddress, Gallery, Identity, ServiceError};
    use http::request::Parts;
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    fn configured<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, AppError> {
        use_context::<T>().ok_or_else(|| {
            tracing::error!("{what} is not in the server functions' context");
            AppError::Refused(gaillery_service::INTERNAL_MESSAGE.to_owned())
        })
    }

    pub fn accounts() -> Result<Accounts, AppError> {
        configured("the accounts service")
    }

    pub fn albums() -> Result<gaillery_service::Albums, AppError> {
        configured("the albums service")
    }

    /// Who sent the request. Without the server's authentication layer there is no identity,
    /// and nobody is signed in.
    pub fn identity() -> Identity {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Identity>().cloned())
            .unwrap_or(Identity::Anonymous)
    }

    pub fn client() -> ClientAddress {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<ClientAddress>().copied())
            .unwrap_or(ClientAddress {
                ip: None,
                on_this_machine: false,
            })
    }

    /// The signed-in caller, or an error answered with 401.
    pub fn caller() -> Result<Caller, AppError> {
        match identity() {
            Identity::SignedIn(caller) => Ok(caller),
            Identity::Anonymous => {
                if let Some(response) = use_context::<ResponseOptions>() {
                    response.set_status(http::StatusCode::UNAUTHORIZED);
                }
                Err(ServiceError::SignInRequired.into())
            }
        }
    }

    pub fn gallery() -> Result<Gallery, AppError> {
        configured("the gallery service")
    }

    /// The gallery and the caller's id in it: what every photo function starts with.
    pub fn gallery_of_caller() -> Result<(Gallery, OwnerId), AppError> {
        let caller = caller()?;
        Ok((gallery()?, caller.owner))
    }

    fn cookie_policy() -> gaillery_service::CookiePolicy {
        use_context::<gaillery_service::CookiePolicy>()
            .unwrap_or(gaillery_service::CookiePolicy { secure: true })
    }

    /// The value of one of the request's cookies.
    pub fn cookie(name: &str) -> Option<String> {
        let parts = use_context::<Parts>()?;
        let values = parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok());
        gaillery_service::find_cookie(values, name).map(str::to_owned)
    }

    /// Sets one of the site's cookies on the answer, with the session cookie's attributes.
    pub fn set_site_cookie(
        name: &str,
        value: &str,
        max_age_secs: Option<i64>,
    ) -> Result<(), AppError> {
        set_cookie(cookie_policy().cookie(name, value, max_age_secs))
    }

    fn set_cookie(value: String) -> Result<(), AppError> {
        let response = configured::<ResponseOptions>("the response")?;
        let value = http::HeaderValue::from_str(&value).map_err(|_| {
            tracing::error!("a session cookie is no header value");
            AppError::Refused(gaillery_service::INTERNAL_MESSAGE.to_owned())
        })?;
        response.append_header(http::header::SET_COOKIE, value);
        Ok(())
    }

    /// Sets the cookie of a new session on the answer.
    pub fn start_session(token: &str) -> Result<(), AppError> {
        set_cookie(cookie_policy().session_cookie(token))
    }

    /// Clears the session cookie.
    pub fn end_session() {
        if let Err(error) = set_cookie(cookie_policy().cleared_cookie()) {
            tracing::warn!(?error, "could not clear the session cookie");
        }
    }

    /// The audit log's line for photos deleted from the page.
    pub fn audit_deletion(deleted: usize) {
        if let Identity::SignedIn(caller) = identity() {
            tracing::info!(
                username = caller.username,
                client = ?client().ip,
                deleted,
                "photos deleted"
            );
        }
    }

    /// The audit log's line for a share link made or revoked from the page.
    pub fn audit_link(what: &'static str) {
        if let Identity::SignedIn(caller) = identity() {
            tracing::info!(username = caller.username, client = ?client().ip, "{what}");
        }
    }

    pub fn parse_id(raw: &str) -> Result<PhotoId, AppError> {
        PhotoId::parse(raw).ok_or_else(|| AppError::Refused("no such photo".to_owned()))
    }

    pub fn parse_ids(raw: &[String]) -> Result<Vec<PhotoId>, AppError> {
        raw.iter().map(|id| parse_id(id)).collect()
    }
}
