//! Accounts: who may use the gallery, how they sign in, and what they are allowed.
//!
//! Each account owns its photos under its [`OwnerId`]. The first account is an administrator
//! with the id `local`, so it takes over a gallery made before accounts, whose photos are owned
//! by `local`, with no migration. Storage ([`AccountStore`]) only keeps what this module
//! decides: Argon2id hashes of passwords and SHA-256 of tokens, never the secrets themselves.
//!
//! | module | what it does |
//! | --- | --- |
//! | this one | [`Accounts`], the callers it authenticates, and managing accounts |
//! | `sessions` | signing in and out, browser sessions, changing one's password |
//! | `tokens` | API tokens for scripts and the command line |
//! | `passwords` | Argon2id hashes and their cost |
//! | `rules` | what usernames, passwords and token names may be |
//! | `secrets` | random tokens and ids, and the hashes tokens are stored as |
//! | `link_passwords` | the passwords of share links |
//! | `throttle` | counting failed sign-ins per account and per address |
//! | `recent` | credentials checked a moment ago, so a page's requests cost no catalog read each |

mod link_passwords;
mod passwords;
mod recent;
mod rules;
mod secrets;
mod sessions;
mod throttle;
mod tokens;

use gaillery_core::OwnerId;
use gaillery_storage::{Account, AccountCreated, AccountDeleted, AccountStore, LastAdministrator};
use std::sync::Arc;

use crate::ids::now_ms;
use crate::ServiceError;
use passwords::Passwords;

pub use link_passwords::MIN_LINK_PASSWORD_CHARS;

/// A new opaque id for something an owner makes (an album): 64 random bits in hex.
pub(crate) fn random_id() -> String {
    secrets::new_token_id()
}

/// A new secret for a link: 256 random bits in hex.
pub(crate) fn random_secret() -> String {
    secrets::random_hex(32)
}
pub use passwords::{PasswordCost, ARGON2_M_COST_KIB, ARGON2_P_COST, ARGON2_T_COST};
pub use recent::RECENT_FOR;
pub use rules::{MAX_PASSWORD_BYTES, MAX_TOKEN_NAME_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS};
pub use secrets::{API_TOKEN_PREFIX, MAX_TOKEN_BYTES};
pub use sessions::{NewSession, SESSION_COOKIE, SESSION_LIFETIME_MS, SESSION_RENEWAL_MS};
pub use throttle::{MAX_SIGN_IN_FAILURES, SIGN_IN_WINDOW_MS};
pub use tokens::{NewApiToken, TokenSummary};

/// Who is asking: the result of authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The account, and the owner of its photos.
    pub owner: OwnerId,
    pub username: String,
    pub admin: bool,
    /// What the caller authenticated with.
    pub credential: Credential,
}

/// What a [`Caller`] authenticated with. Neither holds a secret: a session is named by its
/// token's hash, an API token by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Session { token_hash: String },
    ApiToken { id: String },
}

impl Caller {
    /// Refuses (`Forbidden`) a caller who is not an administrator.
    pub fn require_admin(&self) -> Result<(), ServiceError> {
        if self.admin {
            return Ok(());
        }
        Err(ServiceError::Forbidden(
            "only an administrator can do this".to_owned(),
        ))
    }

    fn of(account: Account, credential: Credential) -> Caller {
        Caller {
            owner: account.id,
            username: account.username,
            admin: account.admin,
            credential,
        }
    }
}

/// An account as listings show it: everything but its password hash.
#[derive(Clone, Debug)]
pub struct AccountSummary {
    pub owner: OwnerId,
    pub username: String,
    pub admin: bool,
    pub created_at_ms: i64,
}

impl From<Account> for AccountSummary {
    fn from(account: Account) -> AccountSummary {
        AccountSummary {
            owner: account.id,
            username: account.username,
            admin: account.admin,
            created_at_ms: account.created_at_ms,
        }
    }
}

/// The accounts service. Cheap to clone: clones share the store and the hashing parameters.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    passwords: Arc<Passwords>,
    recent: Arc<recent::RecentCallers>,
}

impl Accounts {
    /// Accounts on `store`, hashing new passwords at the production cost.
    pub fn new(store: Arc<dyn AccountStore>) -> Accounts {
        Accounts::with_cost(store, PasswordCost::Production)
    }

    /// Accounts on `store`, hashing new passwords at `cost`.
    pub fn with_cost(store: Arc<dyn AccountStore>, cost: PasswordCost) -> Accounts {
        Accounts {
            store,
            passwords: Arc::new(Passwords::new(cost)),
            recent: Arc::default(),
        }
    }

    /// Whether the gallery has no account yet, so its first run is still to be done.
    pub async fn needs_setup(&self) -> Result<bool, ServiceError> {
        Ok(self.store.count_accounts().await? == 0)
    }

    /// First run: the first account, an administrator, with the id [`OwnerId::local`], so it
    /// owns the photos of a gallery made before accounts. `Conflict` once any account exists,
    /// also for the loser of concurrent first runs.
    pub async fn set_up(
        &self,
        username: &str,
        password: &str,
    ) -> Result<AccountSummary, ServiceError> {
        let account = self
            .new_account(OwnerId::local(), username, password, true)
            .await?;
        match self.store.create_account(account.clone(), true).await? {
            AccountCreated::Created => Ok(self.created(account)),
            AccountCreated::NotFirst | AccountCreated::NameTaken => Err(ServiceError::Conflict(
                "the gallery is set up already".to_owned(),
            )),
        }
    }

    /// Any later account, with a fresh random id. On a gallery with no account yet it takes
    /// [`OwnerId::local`] instead, as [`Accounts::set_up`] does, so an old gallery is taken over
    /// from the command line too.
    pub async fn add_account(
        &self,
        username: &str,
        password: &str,
        admin: bool,
    ) -> Result<AccountSummary, ServiceError> {
        let first = self.needs_setup().await?;
        let id = if first {
            OwnerId::local()
        } else {
            secrets::new_account_id()
        };
        let mut account = self.new_account(id, username, password, admin).await?;
        let mut created = self.store.create_account(account.clone(), first).await?;
        if created == AccountCreated::NotFirst {
            // Another account came first meanwhile: this one is a later one after all.
            account.id = secrets::new_account_id();
            created = self.store.create_account(account.clone(), false).await?;
        }
        match created {
            AccountCreated::Created => Ok(self.created(account)),
            AccountCreated::NameTaken | AccountCreated::NotFirst => Err(name_taken()),
        }
    }

    /// Every account, ordered by username regardless of case.
    pub async fn accounts(&self) -> Result<Vec<AccountSummary>, ServiceError> {
        let accounts = self.store.list_accounts().await?;
        Ok(accounts.into_iter().map(AccountSummary::from).collect())
    }

    /// The account named `username`, in any case; `NoSuch("user")` if there is none.
    pub async fn account_named(&self, username: &str) -> Result<AccountSummary, ServiceError> {
        self.find(username).await.map(AccountSummary::from)
    }

    /// Deletes the account with its sessions and API tokens, and returns its id: its photos are
    /// the caller's to delete. Refuses (`Conflict`) to remove the last administrator, in the
    /// store's transaction, so two administrators removing each other at once leave one.
    pub async fn remove_account(&self, username: &str) -> Result<OwnerId, ServiceError> {
        let account = self.find(username).await?;
        let deleted = self
            .store
            .delete_account(&account.id, LastAdministrator::Keep)
            .await?;
        self.recent.forget_all();
        match deleted {
            AccountDeleted::Deleted => {}
            AccountDeleted::NoSuchAccount => return Err(ServiceError::NoSuch("user")),
            AccountDeleted::LastAdministrator => {
                return Err(ServiceError::Conflict(
                    "the last administrator cannot be removed; make another one first".to_owned(),
                ))
            }
        }
        tracing::info!(username = ?account.username, owner = %account.id.0, "account removed");
        Ok(account.id)
    }

    /// An administrator's reset of `username`'s password: a new hash, and every session of
    /// that user signed out. Its API tokens stay.
    pub async fn reset_password(&self, username: &str, new: &str) -> Result<(), ServiceError> {
        rules::check_password(new)?;
        let account = self.find(username).await?;
        let hash = self.passwords.hash(new).await?;
        if !self.store.set_password_hash(&account.id, &hash).await? {
            return Err(ServiceError::NoSuch("user"));
        }
        let signed_out = self.store.delete_sessions_of(&account.id).await?;
        self.recent.forget_all();
        tracing::info!(username = ?account.username, signed_out, "password reset");
        Ok(())
    }

    async fn find(&self, username: &str) -> Result<Account, ServiceError> {
        self.store
            .account_by_name(username)
            .await?
            .ok_or(ServiceError::NoSuch("user"))
    }

    /// A new account, checked against the rules, with its password hashed.
    async fn new_account(
        &self,
        id: OwnerId,
        username: &str,
        password: &str,
        admin: bool,
    ) -> Result<Account, ServiceError> {
        rules::check_username(username)?;
        rules::check_password(password)?;
        Ok(Account {
            id,
            username: username.to_owned(),
            password_hash: self.passwords.hash(password).await?,
            admin,
            created_at_ms: now_ms(),
        })
    }

    fn created(&self, account: Account) -> AccountSummary {
        tracing::info!(
            username = ?account.username,
            owner = %account.id.0,
            admin = account.admin,
            "account created"
        );
        AccountSummary::from(account)
    }
}

fn name_taken() -> ServiceError {
    ServiceError::Conflict("that username is taken".to_owned())
}
