//! Accounts, their sessions and API tokens, and the sign-in failures that throttle guessing.
//!
//! Storage only keeps what the service decides: it makes account ids, hashes passwords and
//! turns tokens into their SHA-256 before anything reaches this trait, so a stolen catalog holds
//! neither passwords nor tokens that work. Storage never reads the clock either: every call
//! that depends on the time takes `now_ms`, so servers agree on one clock (the caller's) and
//! tests control it.
//!
//! Besides the trait, this module holds what every adapter shares so they agree to the byte:
//! the case-folding of usernames.

use crate::StorageError;
use async_trait::async_trait;
use gaillery_core::OwnerId;

/// A person who signs in. The id is the owner of their photos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: OwnerId,
    /// As the person typed it; unique regardless of case (see [`username_key`]).
    pub username: String,
    /// The service's password hash (a PHC string); storage never interprets it.
    pub password_hash: String,
    pub admin: bool,
    pub created_at_ms: i64,
}

/// What [`AccountStore::create_account`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountCreated {
    Created,
    /// Another account has the same username, in any case.
    NameTaken,
    /// `only_if_first` was asked and an account already exists.
    NotFirst,
}

/// Whether [`AccountStore::delete_account`] may delete the last administrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastAdministrator {
    /// An administrator goes only while another remains, checked in the deletion's own
    /// transaction: of two administrators removing each other at once, one stays.
    Keep,
    /// Every account may go (tests emptying a store).
    MayGo,
}

/// What [`AccountStore::delete_account`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountDeleted {
    Deleted,
    NoSuchAccount,
    /// Nothing was deleted: the account is the last administrator and the rule was `Keep`.
    LastAdministrator,
}

/// A signed-in browser, known only by the SHA-256 of its cookie's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
    pub owner: OwnerId,
    pub created_at_ms: i64,
    /// The session is over at this instant: a read at `now_ms >= expires_at_ms` finds nothing.
    pub expires_at_ms: i64,
}

/// A token for scripts and the command line, known only by its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    /// Names the token in listings and deletions; unique per owner.
    pub id: String,
    pub owner: OwnerId,
    /// What the person called it ("laptop backup").
    pub name: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_hash: String,
    pub created_at_ms: i64,
}

/// Accounts, sessions, API tokens and sign-in throttling, shared by every server on a catalog.
///
/// Expired sessions and old sign-in failures are dropped by the adapters in their own time
/// (SQLite when new ones are written, DynamoDB through its TTL); until then they are invisible
/// to every read that takes `now_ms`.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Creates the account unless its username is taken (in any case), or, with
    /// `only_if_first`, unless any account exists: of concurrent first-run requests exactly one
    /// is `Created`. `NotFirst` wins over `NameTaken`. An id that is already used is a `Backend`
    /// error: ids are the caller's to make unique.
    async fn create_account(
        &self,
        account: Account,
        only_if_first: bool,
    ) -> Result<AccountCreated, StorageError>;

    async fn account(&self, id: &OwnerId) -> Result<Option<Account>, StorageError>;

    /// The account whose username equals `username` in any case.
    async fn account_by_name(&self, username: &str) -> Result<Option<Account>, StorageError>;

    /// Every account, ordered by [`username_key`].
    async fn list_accounts(&self) -> Result<Vec<Account>, StorageError>;

    async fn count_accounts(&self) -> Result<u64, StorageError>;

    /// `false` if there is no such account.
    async fn set_password_hash(
        &self,
        id: &OwnerId,
        password_hash: &str,
    ) -> Result<bool, StorageError>;

    /// Deletes the account with its sessions and API tokens, and frees its username. The
    /// owner's photos are the caller's to delete (through the `Catalog`).
    async fn delete_account(
        &self,
        id: &OwnerId,
        last_administrator: LastAdministrator,
    ) -> Result<AccountDeleted, StorageError>;

    /// Stores a new session. `false`, with nothing stored, if its owner has no account: so a
    /// sign-in racing the deletion of its account cannot leave a session behind. A token hash
    /// already stored is a `Backend` error.
    async fn create_session(&self, session: Session) -> Result<bool, StorageError>;

    /// The session, unless it has expired by `now_ms`.
    async fn session(&self, token_hash: &str, now_ms: i64)
        -> Result<Option<Session>, StorageError>;

    /// The session with its account, unless it has expired by `now_ms` (or its account is
    /// gone): what checking a request's cookie reads. Adapters that can read both in one round
    /// do; this default reads one after the other.
    async fn session_with_account(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(Session, Account)>, StorageError> {
        let Some(session) = self.session(token_hash, now_ms).await? else {
            return Ok(None);
        };
        Ok(self
            .account(&session.owner)
            .await?
            .map(|account| (session, account)))
    }

    /// Moves the expiry of a session that has not expired by `now_ms` (sliding expiry). `false`
    /// if there is no such session, or it has expired: an expired session is never revived.
    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Signs one browser out. `false` if there was no such session (an expired one may already
    /// have been dropped).
    async fn delete_session(&self, token_hash: &str) -> Result<bool, StorageError>;

    /// Signs the owner out everywhere; how many sessions were removed.
    async fn delete_sessions_of(&self, owner: &OwnerId) -> Result<u64, StorageError>;

    /// The owner's sessions that have not expired by `now_ms`, newest first.
    async fn sessions_of(&self, owner: &OwnerId, now_ms: i64)
        -> Result<Vec<Session>, StorageError>;

    /// Stores a new API token. `false`, with nothing stored, if its owner has no account. A
    /// token hash, or an id of the same owner, already stored is a `Backend` error.
    async fn create_api_token(&self, token: ApiToken) -> Result<bool, StorageError>;

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StorageError>;

    /// The owner's API tokens, newest first (`created_at_ms`, then `id`, descending).
    async fn api_tokens_of(&self, owner: &OwnerId) -> Result<Vec<ApiToken>, StorageError>;

    /// `false` if the owner has no token with this id (another owner's token is never touched).
    async fn delete_api_token(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError>;

    /// Records a failed sign-in under `key` (an opaque string such as `u#alice` or
    /// `a#203.0.113.9`) at `now_ms`, and returns how many failures `key` has in the window
    /// `(now_ms - window_ms, now_ms]`, this one included. Correct under concurrent recording
    /// from several servers: no failure is lost. A failure is kept at least until `now_ms +
    /// window_ms`, and may be dropped after it.
    async fn record_sign_in_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError>;

    /// How many failures `key` has in `(now_ms - window_ms, now_ms]`, recording nothing.
    async fn sign_in_failures(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError>;
}

/// The form of a username that uniqueness and look-ups compare: Unicode lower case, so `Élodie`
/// and `éLODIE` are one name. Every adapter stores and compares this, never its own database's
/// idea of case (SQLite's `lower()` only knows ASCII).
pub fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// A count of rows or items as the `u32` of the throttling calls, saturating.
pub fn failure_count(count: impl TryInto<u32>) -> u32 {
    count.try_into().unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_to_unicode_lower_case() {
        assert_eq!(username_key("Alice"), "alice");
        assert_eq!(username_key("ÉLODIE"), username_key("éLodie"));
        assert_eq!(username_key("ΟΔΥΣΣΕΥΣ"), username_key("οδυσσευς"));
        assert_ne!(username_key("alice"), username_key("alice "));
    }

    #[test]
    fn failure_counts_saturate() {
        assert_eq!(failure_count(7_i64), 7);
        assert_eq!(failure_count(u64::MAX), u32::MAX);
    }
}
