//! Accounts, sessions, API tokens and sign-in failures.
//!
//! Uniqueness is the schema's: `name_key` (the username folded in Rust) is `UNIQUE`, so two
//! servers on one file cannot both take a name, and the first-account check and its insert
//! share one immediate transaction, which holds SQLite's write lock. Sessions and tokens
//! reference their account with `ON DELETE CASCADE`, and are only inserted while it exists.

use super::error::SqlError;
use super::SqliteCatalog;
use async_trait::async_trait;
use gaillery_core::OwnerId;
use gaillery_storage::accounts::{failure_count, username_key};
use gaillery_storage::{
    Account, AccountCreated, AccountDeleted, AccountStore, ApiToken, LastAdministrator, Session,
    StorageError,
};
use rusqlite::{params, Connection, OptionalExtension, Params, Row, TransactionBehavior};

const ACCOUNT_COLUMNS: &str = "id, username, password_hash, admin, created_at_ms";
const SESSION_COLUMNS: &str = "token_hash, owner, created_at_ms, expires_at_ms";
const TOKEN_COLUMNS: &str = "id, owner, name, token_hash, created_at_ms";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: OwnerId(row.get(0)?),
        username: row.get(1)?,
        password_hash: row.get(2)?,
        admin: row.get(3)?,
        created_at_ms: row.get(4)?,
    })
}

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        token_hash: row.get(0)?,
        owner: OwnerId(row.get(1)?),
        created_at_ms: row.get(2)?,
        expires_at_ms: row.get(3)?,
    })
}

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: row.get(0)?,
        owner: OwnerId(row.get(1)?),
        name: row.get(2)?,
        token_hash: row.get(3)?,
        created_at_ms: row.get(4)?,
    })
}

/// Every row a statement selects, read by `from_row`.
pub(super) fn rows<T>(
    conn: &Connection,
    sql: &str,
    values: impl Params,
    from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, SqlError> {
    let mut select = conn.prepare_cached(sql)?;
    let found = select.query_map(values, from_row)?;
    Ok(found.collect::<Result<Vec<_>, _>>()?)
}

/// The one row a statement selects, if any.
pub(super) fn row<T>(
    conn: &Connection,
    sql: &str,
    values: impl Params,
    from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>, SqlError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(values, from_row)
        .optional()?)
}

/// A `COUNT(*)`, which SQLite returns as a signed integer.
pub(super) fn count(conn: &Connection, sql: &str, values: impl Params) -> Result<u64, SqlError> {
    let count: i64 = conn
        .prepare_cached(sql)?
        .query_row(values, |row| row.get(0))?;
    Ok(u64::try_from(count)
        .map_err(|_| StorageError::Backend(format!("negative count {count}")))?)
}

impl SqliteCatalog {
    /// Runs one statement on the writer and returns how many rows it changed.
    pub(super) async fn execute<P>(
        &self,
        sql: &'static str,
        values: P,
    ) -> Result<usize, StorageError>
    where
        P: Params + Send + 'static,
    {
        self.write(move |conn| Ok(conn.prepare_cached(sql)?.execute(values)?))
            .await
    }
}

#[async_trait]
impl AccountStore for SqliteCatalog {
    async fn create_account(
        &self,
        account: Account,
        only_if_first: bool,
    ) -> Result<AccountCreated, StorageError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if only_if_first && count(&tx, "SELECT COUNT(*) FROM accounts", [])? > 0 {
                return Ok(AccountCreated::NotFirst);
            }
            // A taken name is an answer; a taken id (the caller's bug) stays an error.
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO accounts (id, username, name_key, password_hash, admin,
                                           created_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (name_key) DO NOTHING",
                )?
                .execute(params![
                    account.id.0,
                    account.username,
                    username_key(&account.username),
                    account.password_hash,
                    account.admin,
                    account.created_at_ms,
                ])?;
            tx.commit()?;
            Ok(if inserted == 1 {
                AccountCreated::Created
            } else {
                AccountCreated::NameTaken
            })
        })
        .await
    }

    async fn account(&self, id: &OwnerId) -> Result<Option<Account>, StorageError> {
        let id = id.0.clone();
        self.read(move |conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
            row(conn, &sql, params![id], account_from_row)
        })
        .await
    }

    async fn account_by_name(&self, username: &str) -> Result<Option<Account>, StorageError> {
        let name_key = username_key(username);
        self.read(move |conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE name_key = ?1");
            row(conn, &sql, params![name_key], account_from_row)
        })
        .await
    }

    async fn list_accounts(&self) -> Result<Vec<Account>, StorageError> {
        self.read(move |conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY name_key");
            rows(conn, &sql, [], account_from_row)
        })
        .await
    }

    async fn count_accounts(&self) -> Result<u64, StorageError> {
        self.read(move |conn| count(conn, "SELECT COUNT(*) FROM accounts", []))
            .await
    }

    async fn set_password_hash(
        &self,
        id: &OwnerId,
        password_hash: &str,
    ) -> Result<bool, StorageError> {
        let values = (id.0.clone(), password_hash.to_owned());
        let sql = "UPDATE accounts SET password_hash = ?2 WHERE id = ?1";
        Ok(self.execute(sql, values).await? > 0)
    }

    async fn delete_account(
        &self,
        id: &OwnerId,
        last_administrator: LastAdministrator,
    ) -> Result<AccountDeleted, StorageError> {
        let id = id.0.clone();
        self.write(move |conn| {
            // The check and the deletion share the write lock, so two servers removing two
            // administrators at once cannot both see the other one remain.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let admin: Option<bool> = row(
                &tx,
                "SELECT admin FROM accounts WHERE id = ?1",
                (&id,),
                |row| row.get(0),
            )?;
            let Some(admin) = admin else {
                return Ok(AccountDeleted::NoSuchAccount);
            };
            if admin && last_administrator == LastAdministrator::Keep {
                let others = "SELECT COUNT(*) FROM accounts WHERE admin AND id <> ?1";
                if count(&tx, others, (&id,))? == 0 {
                    return Ok(AccountDeleted::LastAdministrator);
                }
            }
            // Its sessions and tokens go with it (ON DELETE CASCADE), in the same statement.
            tx.prepare_cached("DELETE FROM accounts WHERE id = ?1")?
                .execute((&id,))?;
            tx.commit()?;
            Ok(AccountDeleted::Deleted)
        })
        .await
    }

    async fn create_session(&self, session: Session) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Each new session sweeps out the expired ones, so the table stays as small as the
            // number of signed-in browsers.
            tx.prepare_cached("DELETE FROM sessions WHERE expires_at_ms <= ?1")?
                .execute(params![session.created_at_ms])?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO sessions (token_hash, owner, created_at_ms, expires_at_ms)
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2)",
                )?
                .execute(params![
                    session.token_hash,
                    session.owner.0,
                    session.created_at_ms,
                    session.expires_at_ms,
                ])?;
            tx.commit()?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Session>, StorageError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions
                 WHERE token_hash = ?1 AND expires_at_ms > ?2"
            );
            row(conn, &sql, params![token_hash, now_ms], session_from_row)
        })
        .await
    }

    async fn session_with_account(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(Session, Account)>, StorageError> {
        let token_hash = token_hash.to_owned();
        // Both reads on one connection, in one hop to the blocking pool: most of a read's
        // cost is the hop.
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions
                 WHERE token_hash = ?1 AND expires_at_ms > ?2"
            );
            let Some(session) = row(conn, &sql, params![token_hash, now_ms], session_from_row)?
            else {
                return Ok(None);
            };
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
            let account = row(conn, &sql, params![session.owner.0], account_from_row)?;
            Ok(account.map(|account| (session, account)))
        })
        .await
    }

    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let values = (token_hash.to_owned(), expires_at_ms, now_ms);
        let sql = "UPDATE sessions SET expires_at_ms = ?2
                   WHERE token_hash = ?1 AND expires_at_ms > ?3";
        Ok(self.execute(sql, values).await? > 0)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<bool, StorageError> {
        let sql = "DELETE FROM sessions WHERE token_hash = ?1";
        Ok(self.execute(sql, (token_hash.to_owned(),)).await? > 0)
    }

    async fn delete_sessions_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let sql = "DELETE FROM sessions WHERE owner = ?1";
        Ok(self.execute(sql, (owner.0.clone(),)).await? as u64)
    }

    async fn sessions_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Session>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE owner = ?1 AND expires_at_ms > ?2
                 ORDER BY created_at_ms DESC, token_hash DESC"
            );
            rows(conn, &sql, params![owner, now_ms], session_from_row)
        })
        .await
    }

    async fn create_api_token(&self, token: ApiToken) -> Result<bool, StorageError> {
        let values = (
            token.token_hash,
            token.id,
            token.owner.0,
            token.name,
            token.created_at_ms,
        );
        let sql = "INSERT INTO api_tokens (token_hash, id, owner, name, created_at_ms)
                   SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?3)";
        Ok(self.execute(sql, values).await? == 1)
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StorageError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?1");
            row(conn, &sql, params![token_hash], token_from_row)
        })
        .await
    }

    async fn api_tokens_of(&self, owner: &OwnerId) -> Result<Vec<ApiToken>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE owner = ?1
                 ORDER BY created_at_ms DESC, id DESC"
            );
            rows(conn, &sql, params![owner], token_from_row)
        })
        .await
    }

    async fn delete_api_token(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        let sql = "DELETE FROM api_tokens WHERE owner = ?1 AND id = ?2";
        Ok(self.execute(sql, (owner.0.clone(), id.to_owned())).await? > 0)
    }

    async fn record_sign_in_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        let key = key.to_owned();
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Every key's failures past their own window, not only this key's: keys that are
            // never tried again (an address that gave up) must not stay forever.
            tx.prepare_cached("DELETE FROM sign_in_failures WHERE expires_at_ms <= ?1")?
                .execute(params![now_ms])?;
            tx.prepare_cached(
                "INSERT INTO sign_in_failures (key, at_ms, expires_at_ms) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, now_ms, now_ms.saturating_add(window_ms)])?;
            let failures = failures_in_window(&tx, &key, now_ms, window_ms)?;
            tx.commit()?;
            Ok(failures)
        })
        .await
    }

    async fn sign_in_failures(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        let key = key.to_owned();
        self.read(move |conn| failures_in_window(conn, &key, now_ms, window_ms))
            .await
    }
}

/// Failures of `key` in `(now_ms - window_ms, now_ms]`.
fn failures_in_window(
    conn: &Connection,
    key: &str,
    now_ms: i64,
    window_ms: i64,
) -> Result<u32, SqlError> {
    let sql = "SELECT COUNT(*) FROM sign_in_failures WHERE key = ?1 AND at_ms > ?2 AND at_ms <= ?3";
    let since = now_ms.saturating_sub(window_ms);
    Ok(failure_count(count(
        conn,
        sql,
        params![key, since, now_ms],
    )?))
}
