//! Who sent a request, as the server's authentication layer found out. The layer puts one
//! [`Identity`] and one [`ClientAddress`] in every request's extensions; the JSON API and the
//! server functions read them there, so both decide who is asking the same way.

use crate::accounts::{Caller, SESSION_COOKIE, SESSION_LIFETIME_MS};
use crate::ServiceError;
use std::net::IpAddr;

/// The session or API token a request carried, checked.
#[derive(Clone, Debug)]
pub enum Identity {
    /// No credential, or one that is unknown, revoked or expired.
    Anonymous,
    SignedIn(Caller),
}

impl Identity {
    /// The caller, or `SignInRequired`.
    pub fn caller(&self) -> Result<&Caller, ServiceError> {
        match self {
            Identity::SignedIn(caller) => Ok(caller),
            Identity::Anonymous => Err(ServiceError::SignInRequired),
        }
    }
}

/// Where a request comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress {
    /// The connection's peer, or the address a trusted proxy reported for it; `None` for
    /// requests that came through no connection (in-process tests).
    pub ip: Option<IpAddr>,
    /// From a loopback connection that names a loopback host and was forwarded by no proxy:
    /// someone on the server's own machine.
    pub on_this_machine: bool,
}

/// The value of the cookie `name` among a request's `Cookie` header values, if any.
pub fn find_cookie<'a>(
    cookie_headers: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> Option<&'a str> {
    cookie_headers
        .into_iter()
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Whether the session cookie is `Secure`: the page is served over https.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// `Set-Cookie` for a new session: `HttpOnly` (no script reads it), `SameSite=Lax` (no
    /// other site's form or fetch carries it), `Secure` over https.
    pub fn session_cookie(&self, token: &str) -> String {
        self.cookie(SESSION_COOKIE, token, Some(SESSION_LIFETIME_MS / 1000))
    }

    /// `Set-Cookie` that removes the session cookie.
    pub fn cleared_cookie(&self) -> String {
        self.cookie(SESSION_COOKIE, "", Some(0))
    }

    /// `Set-Cookie` for any of the site's cookies, with the same attributes: for the whole
    /// site, out of scripts' reach, not sent by other sites, `Secure` over https; kept for
    /// `max_age_secs`, or the browser's session when `None`.
    pub fn cookie(&self, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
        let max_age = max_age_secs
            .map(|secs| format!("; Max-Age={secs}"))
            .unwrap_or_default();
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/{max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}
