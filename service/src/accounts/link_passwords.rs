//! Passwords of share links: hashed like account passwords, and guessed no faster than they
//! are (the same throttling, counted per link and per address).

use super::{secrets, throttle, Accounts};
use crate::ServiceError;
use std::net::IpAddr;

/// The shortest password a share link takes: it guards a view of some photos, and is read out
/// to friends, so shorter than an account's.
pub const MIN_LINK_PASSWORD_CHARS: usize = 6;

impl Accounts {
    /// The hash a share link keeps of its password.
    pub(crate) async fn hash_link_password(&self, password: &str) -> Result<String, ServiceError> {
        if password.chars().count() < MIN_LINK_PASSWORD_CHARS {
            return Err(ServiceError::Invalid(format!(
                "a link's password needs at least {MIN_LINK_PASSWORD_CHARS} characters"
            )));
        }
        if password.len() > super::MAX_PASSWORD_BYTES {
            return Err(ServiceError::Invalid(format!(
                "a password can have at most {} bytes",
                super::MAX_PASSWORD_BYTES
            )));
        }
        self.passwords.hash(password).await
    }

    /// Checks a visitor's password for the link `token` whose hash is `hash`: throttled per
    /// link and per address like sign-ins; a wrong one is `PasswordRequired`.
    pub(crate) async fn check_link_password(
        &self,
        token: &str,
        hash: &str,
        given: &str,
        client: Option<IpAddr>,
    ) -> Result<(), ServiceError> {
        let mut keys = vec![format!("l#{}", secrets::token_hash(token))];
        keys.extend(client.map(throttle::address_key));
        let now = crate::ids::now_ms();
        throttle::check(&*self.store, &keys, now).await?;
        let right =
            given.len() <= super::MAX_PASSWORD_BYTES && self.passwords.verify(given, hash).await?;
        if !right {
            throttle::record(&*self.store, &keys, now).await?;
            tracing::info!(client = ?client, "wrong password for a share link");
            return Err(ServiceError::PasswordRequired);
        }
        Ok(())
    }
}
