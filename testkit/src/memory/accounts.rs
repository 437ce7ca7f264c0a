//! Accounts, sessions, API tokens and sign-in failures of the in-memory catalog. One mutex
//! holds them all, so every call is atomic, as a transaction is in the real adapters.

use super::*;
use gaillery_storage::accounts::{failure_count, username_key};
use gaillery_storage::{
    Account, AccountCreated, AccountDeleted, AccountStore, ApiToken, LastAdministrator, Session,
};

#[derive(Default)]
pub(super) struct AccountsState {
    /// By [`username_key`], which orders the listing.
    accounts: BTreeMap<String, Account>,
    /// By token hash.
    sessions: HashMap<String, Session>,
    /// By token hash.
    tokens: HashMap<String, ApiToken>,
    /// Per key: when each failure happened and until when it is kept.
    failures: HashMap<String, Vec<(i64, i64)>>,
}

impl AccountsState {
    fn by_id(&self, id: &OwnerId) -> Option<&Account> {
        self.accounts.values().find(|account| &account.id == id)
    }

    fn failures_in_window(&self, key: &str, now_ms: i64, window_ms: i64) -> u32 {
        let since = now_ms.saturating_sub(window_ms);
        let within = self.failures.get(key).map_or(0, |failures| {
            failures
                .iter()
                .filter(|(at_ms, _)| *at_ms > since && *at_ms <= now_ms)
                .count()
        });
        failure_count(within)
    }
}

impl MemoryCatalog {
    fn accounts(&self) -> MutexGuard<'_, AccountsState> {
        // As `lock`: every change is made after all its checks.
        self.accounts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl AccountStore for MemoryCatalog {
    async fn create_account(
        &self,
        account: Account,
        only_if_first: bool,
    ) -> Result<AccountCreated, StorageError> {
        let mut state = self.accounts();
        if only_if_first && !state.accounts.is_empty() {
            return Ok(AccountCreated::NotFirst);
        }
        let name_key = username_key(&account.username);
        if state.accounts.contains_key(&name_key) {
            return Ok(AccountCreated::NameTaken);
        }
        if state.by_id(&account.id).is_some() {
            return Err(StorageError::Backend(format!(
                "account id {:?} is taken",
                account.id
            )));
        }
        state.accounts.insert(name_key, account);
        Ok(AccountCreated::Created)
    }

    async fn account(&self, id: &OwnerId) -> Result<Option<Account>, StorageError> {
        Ok(self.accounts().by_id(id).cloned())
    }

    async fn account_by_name(&self, username: &str) -> Result<Option<Account>, StorageError> {
        Ok(self
            .accounts()
            .accounts
            .get(&username_key(username))
            .cloned())
    }

    async fn list_accounts(&self) -> Result<Vec<Account>, StorageError> {
        Ok(self.accounts().accounts.values().cloned().collect())
    }

    async fn count_accounts(&self) -> Result<u64, StorageError> {
        Ok(self.accounts().accounts.len() as u64)
    }

    async fn set_password_hash(
        &self,
        id: &OwnerId,
        password_hash: &str,
    ) -> Result<bool, StorageError> {
        let mut state = self.accounts();
        let account = state
            .accounts
            .values_mut()
            .find(|account| &account.id == id);
        Ok(account
            .map(|account| account.password_hash = password_hash.to_owned())
            .is_some())
    }

    async fn delete_account(
        &self,
        id: &OwnerId,
        last_administrator: LastAdministrator,
    ) -> Result<AccountDeleted, StorageError> {
        let mut state = self.accounts();
        let Some(account) = state.by_id(id) else {
            return Ok(AccountDeleted::NoSuchAccount);
        };
        let other_admins = state
            .accounts
            .values()
            .filter(|other| other.admin && &other.id != id);
        if account.admin
            && last_administrator == LastAdministrator::Keep
            && other_admins.count() == 0
        {
            return Ok(AccountDeleted::LastAdministrator);
        }
        state.accounts.retain(|_, account| &account.id != id);
        state.sessions.retain(|_, session| &session.owner != id);
        state.tokens.retain(|_, token| &token.owner != id);
        Ok(AccountDeleted::Deleted)
    }

    async fn create_session(&self, session: Session) -> Result<bool, StorageError> {
        let mut state = self.accounts();
        if state.by_id(&session.owner).is_none() {
            return Ok(false);
        }
        if state.sessions.contains_key(&session.token_hash) {
            return Err(StorageError::Backend("session token hash is taken".into()));
        }
        // As SQLite: each new session sweeps out the expired ones.
        let now_ms = session.created_at_ms;
        state
            .sessions
            .retain(|_, stored| stored.expires_at_ms > now_ms);
        state.sessions.insert(session.token_hash.clone(), session);
        Ok(true)
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Session>, StorageError> {
        Ok(self
            .accounts()
            .sessions
            .get(token_hash)
            .filter(|session| session.expires_at_ms > now_ms)
            .cloned())
    }

    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.accounts();
        let live = state
            .sessions
            .get_mut(token_hash)
            .filter(|session| session.expires_at_ms > now_ms);
        Ok(live
            .map(|session| session.expires_at_ms = expires_at_ms)
            .is_some())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<bool, StorageError> {
        Ok(self.accounts().sessions.remove(token_hash).is_some())
    }

    async fn delete_sessions_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let mut state = self.accounts();
        let before = state.sessions.len();
        state.sessions.retain(|_, session| &session.owner != owner);
        Ok((before - state.sessions.len()) as u64)
    }

    async fn sessions_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Session>, StorageError> {
        let mut sessions: Vec<Session> = self
            .accounts()
            .sessions
            .values()
            .filter(|session| &session.owner == owner && session.expires_at_ms > now_ms)
            .cloned()
            .collect();
        sessions.sort_by(|a, b| {
            (b.created_at_ms, &b.token_hash).cmp(&(a.created_at_ms, &a.token_hash))
        });
        Ok(sessions)
    }

    async fn create_api_token(&self, token: ApiToken) -> Result<bool, StorageError> {
        let mut state = self.accounts();
        if state.by_id(&token.owner).is_none() {
            return Ok(false);
        }
        let taken = state.tokens.values().any(|stored| {
            stored.token_hash == token.token_hash
                || (stored.owner == token.owner && stored.id == token.id)
        });
        if taken {
            return Err(StorageError::Backend(format!(
                "API token {:?} is taken",
                token.id
            )));
        }
        state.tokens.insert(token.token_hash.clone(), token);
        Ok(true)
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StorageError> {
        Ok(self.accounts().tokens.get(token_hash).cloned())
    }

    async fn api_tokens_of(&self, owner: &OwnerId) -> Result<Vec<ApiToken>, StorageError> {
        let mut tokens: Vec<ApiToken> = self
            .accounts()
            .tokens
            .values()
            .filter(|token| &token.owner == owner)
            .cloned()
            .collect();
        tokens.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        Ok(tokens)
    }

    async fn delete_api_token(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        let mut state = self.accounts();
        let before = state.tokens.len();
        state
            .tokens
            .retain(|_, token| !(&token.owner == owner && token.id == id));
        Ok(state.tokens.len() < before)
    }

    async fn record_sign_in_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        let mut state = self.accounts();
        // As SQLite: every key's failures past their own window go.
        for failures in state.failures.values_mut() {
            failures.retain(|(_, kept_until)| *kept_until > now_ms);
        }
        state.failures.retain(|_, failures| !failures.is_empty());
        state
            .failures
            .entry(key.to_owned())
            .or_default()
            .push((now_ms, now_ms.saturating_add(window_ms)));
        Ok(state.failures_in_window(key, now_ms, window_ms))
    }

    async fn sign_in_failures(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        Ok(self.accounts().failures_in_window(key, now_ms, window_ms))
    }
}
