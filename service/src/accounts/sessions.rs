//! Signing in and out, the browser sessions that signing in makes, and changing one's password.

use gaillery_storage::{Account, Session};
use std::net::IpAddr;

use super::{rules, secrets, throttle, Accounts, Caller, Credential};
use crate::ids::now_ms;
use crate::ServiceError;

/// The name of the cookie that holds a session's token.
pub const SESSION_COOKIE: &str = "gaillery_session";
/// How long a session lasts unused: 30 days.
pub const SESSION_LIFETIME_MS: i64 = 30 * DAY_MS;
/// How often, at most, a used session's expiry is moved: once a day.
pub const SESSION_RENEWAL_MS: i64 = DAY_MS;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A session just made by signing in. The token is the cookie's value; only this once is it
/// known, storage keeps its hash.
pub struct NewSession {
    pub token: String,
    pub expires_at_ms: i64,
    pub caller: Caller,
}

impl Accounts {
    /// Signs in with a password, from `client` where known.
    ///
    /// Throttling is checked first: after [`super::MAX_SIGN_IN_FAILURES`] failures in the
    /// window for the account or for the address, every try is `Throttled`, unchecked. An
    /// unknown user and a wrong password both answer `SignInFailed`, after the same work (a
    /// verification against a decoy hash), and count a failure for the name and the address.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<NewSession, ServiceError> {
        let shown = shown(username);
        let client_field = client.map(tracing::field::display);
        // A name that breaks the rules has no account to protect, nor a counter of its own.
        let well_formed = rules::check_username(username).is_ok();
        let keys: Vec<String> = well_formed
            .then(|| throttle::user_key(username))
            .into_iter()
            .chain(client.map(throttle::address_key))
            .collect();
        if let Err(error) = throttle::check(&*self.store, &keys, now_ms()).await {
            if matches!(error, ServiceError::Throttled { .. }) {
                tracing::info!(username = ?shown, client = client_field, "sign-in throttled");
            }
            return Err(error);
        }

        let account = if well_formed {
            self.store.account_by_name(username).await?
        } else {
            None
        };
        let verified = match &account {
            Some(account) if password.len() <= rules::MAX_PASSWORD_BYTES => {
                self.passwords
                    .verify(password, &account.password_hash)
                    .await?
            }
            _ => {
                // The cost of Argon2 hardly depends on the password's length: an overlong one
                // need not be copied to be wrong.
                let within = password.len() <= rules::MAX_PASSWORD_BYTES;
                self.passwords
                    .verify_decoy(if within { password } else { "" })
                    .await?;
                false
            }
        };
        let signed_in = match account.filter(|_| verified) {
            Some(account) => self.open_session(account).await?,
            None => None,
        };
        let Some(session) = signed_in else {
            throttle::record(&*self.store, &keys, now_ms()).await?;
            tracing::info!(username = ?shown, client = client_field, "sign-in failed");
            return Err(ServiceError::SignInFailed);
        };
        tracing::info!(username = ?session.caller.username, client = client_field, "signed in");
        Ok(session)
    }

    /// The caller of a session's token (a cookie's value), or `None` when the token is
    /// unknown, malformed or expired. A session in use lives on: once a day at most, its expiry
    /// moves to [`SESSION_LIFETIME_MS`] from now.
    pub async fn session(&self, token: &str) -> Result<Option<Caller>, ServiceError> {
        if !secrets::plausible_token(token) {
            return Ok(None);
        }
        let token_hash = secrets::token_hash(token);
        if let Some(caller) = self.recent.get(&token_hash, true) {
            return Ok(Some(caller));
        }
        let now = now_ms();
        let Some((session, account)) = self.store.session_with_account(&token_hash, now).await?
        else {
            return Ok(None);
        };
        if session.expires_at_ms - now < SESSION_LIFETIME_MS - SESSION_RENEWAL_MS {
            let expires_at_ms = now + SESSION_LIFETIME_MS;
            match self
                .store
                .extend_session(&token_hash, expires_at_ms, now)
                .await
            {
                Ok(true) => {}
                // Signed out, or expired, since it was read.
                Ok(false) => return Ok(None),
                // The session is good until its current expiry: answer, and extend next time.
                Err(error) => ServiceError::from(error).log_unless_client("extending a session"),
            }
        }
        let caller = Caller::of(
            account,
            Credential::Session {
                token_hash: token_hash.clone(),
            },
        );
        self.recent.remember(token_hash, caller.clone());
        Ok(Some(caller))
    }

    /// Signs a browser out: deletes the caller's session, if that is what they came with.
    pub async fn sign_out(&self, caller: &Caller) -> Result<(), ServiceError> {
        if let Credential::Session { token_hash } = &caller.credential {
            self.store.delete_session(token_hash).await?;
            self.recent.forget_all();
            tracing::info!(username = ?caller.username, "signed out");
        }
        Ok(())
    }

    /// Changes the caller's own password, given the current one (`Invalid` if it is wrong;
    /// wrong ones count as failed sign-ins of the account). Every other session of the caller
    /// is signed out; the caller's own stays.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<(), ServiceError> {
        rules::check_password(new)?;
        let account = self
            .store
            .account(&caller.owner)
            .await?
            .ok_or(ServiceError::SignInRequired)?;
        let keys = [throttle::user_key(&account.username)];
        throttle::check(&*self.store, &keys, now_ms()).await?;
        let right = current.len() <= rules::MAX_PASSWORD_BYTES
            && self
                .passwords
                .verify(current, &account.password_hash)
                .await?;
        if !right {
            throttle::record(&*self.store, &keys, now_ms()).await?;
            tracing::info!(username = ?account.username, "password change refused");
            return Err(ServiceError::Invalid(
                "the current password is wrong".to_owned(),
            ));
        }
        let hash = self.passwords.hash(new).await?;
        if !self.store.set_password_hash(&account.id, &hash).await? {
            return Err(ServiceError::SignInRequired);
        }
        let signed_out = match &caller.credential {
            Credential::Session { token_hash } => self.sign_out_others(caller, token_hash).await?,
            Credential::ApiToken { .. } => self.store.delete_sessions_of(&account.id).await?,
        };
        self.recent.forget_all();
        tracing::info!(username = ?account.username, signed_out, "password changed");
        Ok(())
    }

    /// Makes a session for `account`, whose password was just verified. `None` if the account
    /// was removed, or its password changed, meanwhile: a sign-in with the old password that
    /// raced the change must not leave a session the change did not see.
    async fn open_session(&self, account: Account) -> Result<Option<NewSession>, ServiceError> {
        let token = secrets::new_session_token();
        let token_hash = secrets::token_hash(&token);
        let now = now_ms();
        let session = Session {
            token_hash: token_hash.clone(),
            owner: account.id.clone(),
            created_at_ms: now,
            expires_at_ms: now + SESSION_LIFETIME_MS,
        };
        let expires_at_ms = session.expires_at_ms;
        if !self.store.create_session(session).await? {
            return Ok(None);
        }
        let current = self.store.account(&account.id).await?;
        if current.as_ref().map(|a| &a.password_hash) != Some(&account.password_hash) {
            self.store.delete_session(&token_hash).await?;
            return Ok(None);
        }
        let caller = Caller::of(account, Credential::Session { token_hash });
        Ok(Some(NewSession {
            token,
            expires_at_ms,
            caller,
        }))
    }

    /// Deletes every session of the caller but `keep`; how many.
    async fn sign_out_others(&self, caller: &Caller, keep: &str) -> Result<u64, ServiceError> {
        let mut signed_out = 0;
        for session in self.store.sessions_of(&caller.owner, now_ms()).await? {
            if session.token_hash != keep && self.store.delete_session(&session.token_hash).await? {
                signed_out += 1;
            }
        }
        Ok(signed_out)
    }
}

/// A username as the log shows it: at most its first 64 characters, so a huge one that was
/// never valid does not flood the log (it is logged with `?`, which escapes control characters).
fn shown(username: &str) -> &str {
    match username.char_indices().nth(rules::MAX_USERNAME_CHARS) {
        Some((end, _)) => &username[..end],
        None => username,
    }
}
