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

/// Whether the session cookie is `Secure`: the page is served over https.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// `Set-Cookie` for a new session: `HttpOnly` (no script reads it), `SameSite=Lax` (no
    /// other site's form or fetch carries it), `Secure` over https.
    pub fn session_cookie(&self, token: &str) -> String {
        let max_age = SESSION_LIFETIME_MS / 1000;
        format!(
            "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
            self.secure_attribute()
        )
    }

    /// `Set-Cookie` that removes the session cookie.
    pub fn cleared_cookie(&self) -> String {
        format!(
            "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
            self.secure_attribute()
        )
    }

    fn secure_attribute(&self) -> &'static str {
        if self.secure {
            "; Secure"
        } else {
            ""
        }
    }
}
