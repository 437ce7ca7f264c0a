//! Sessions and API tokens: an item each, found by the hash of its token, and an entry in its
//! account's partition with the same attributes, written and deleted together in one
//! transaction. The item design and its reasons are in the `table` module.

use super::accounts::{account_pk, ACCOUNT_SK};
use super::items::{expires_at, key, n, s, Fields, Item};
use super::photos::{exists, if_absent};
use super::request::{Expr, Outcome, MAX_TRANSACTION_ITEMS};
use super::table::{EXPIRES_AT, SK};
use super::DynamoCatalog;
use gaillery_core::OwnerId;
use gaillery_storage::{ApiToken, Session, StorageError};

/// The sort-key prefixes of session and token entries in an account's partition.
const SESSION_ENTRIES: &str = "S#";
const TOKEN_ENTRIES: &str = "K#";
/// The sort key of a session, and of an API token, found by hash.
const SESSION_SK: &str = "S";
const API_TOKEN_SK: &str = "K";

fn session_key(token_hash: &str) -> Item {
    key(format!("S#{token_hash}"), SESSION_SK.to_owned())
}

fn session_entry_key(owner: &OwnerId, token_hash: &str) -> Item {
    key(account_pk(owner), format!("{SESSION_ENTRIES}{token_hash}"))
}

/// `item` (the key of the session item or of its entry) with the session's attributes.
fn session_item(mut item: Item, session: &Session) -> Item {
    item.insert("token_hash".into(), s(&session.token_hash));
    item.insert("owner".into(), s(&session.owner.0));
    item.insert("created_at_ms".into(), n(session.created_at_ms));
    item.insert("expires_at_ms".into(), n(session.expires_at_ms));
    item.insert(EXPIRES_AT.into(), expires_at(session.expires_at_ms));
    item
}

fn decode_session(item: &Item) -> Result<Session, StorageError> {
    let fields = Fields(item);
    Ok(Session {
        token_hash: fields.s("token_hash")?.to_owned(),
        owner: OwnerId(fields.s("owner")?.to_owned()),
        created_at_ms: fields.num("created_at_ms")?,
        expires_at_ms: fields.num("expires_at_ms")?,
    })
}

fn token_key(token_hash: &str) -> Item {
    key(format!("K#{token_hash}"), API_TOKEN_SK.to_owned())
}

fn token_entry_key(owner: &OwnerId, id: &str) -> Item {
    key(account_pk(owner), format!("{TOKEN_ENTRIES}{id}"))
}

/// `item` (the key of the token item or of its entry) with the token's attributes.
fn token_item(mut item: Item, token: &ApiToken) -> Item {
    item.insert("id".into(), s(&token.id));
    item.insert("owner".into(), s(&token.owner.0));
    item.insert("name".into(), s(&token.name));
    item.insert("token_hash".into(), s(&token.token_hash));
    item.insert("created_at_ms".into(), n(token.created_at_ms));
    item
}

fn decode_token(item: &Item) -> Result<ApiToken, StorageError> {
    let fields = Fields(item);
    Ok(ApiToken {
        id: fields.s("id")?.to_owned(),
        owner: OwnerId(fields.s("owner")?.to_owned()),
        name: fields.s("name")?.to_owned(),
        token_hash: fields.s("token_hash")?.to_owned(),
        created_at_ms: fields.num("created_at_ms")?,
    })
}

/// The item an entry of an account's partition points to (a session or an API token by its
/// hash); `None` for the account item itself.
pub(super) fn pointed_to(entry: &Item) -> Result<Option<Item>, StorageError> {
    let fields = Fields(entry);
    let sk = fields.s(SK)?;
    let hash = || fields.s("token_hash");
    Ok(if sk.starts_with(SESSION_ENTRIES) {
        Some(session_key(hash()?))
    } else if sk.starts_with(TOKEN_ENTRIES) {
        Some(token_key(hash()?))
    } else if sk == ACCOUNT_SK {
        None
    } else {
        return Err(fields.damaged("not an item of an account's partition"));
    })
}

impl DynamoCatalog {
    pub(super) async fn put_session(&self, session: Session) -> Result<bool, StorageError> {
        let item = session_item(session_key(&session.token_hash), &session);
        let entry = session_item(
            session_entry_key(&session.owner, &session.token_hash),
            &session,
        );
        self.put_with_entry("create session", &session.owner, item, entry)
            .await
    }

    pub(super) async fn live_session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Session>, StorageError> {
        let Some(item) = self.get(session_key(token_hash)).await? else {
            return Ok(None);
        };
        let session = decode_session(&item)?;
        Ok((session.expires_at_ms > now_ms).then_some(session))
    }

    pub(super) async fn slide_session(
        &self,
        token_hash: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let Some(session) = self.live_session(token_hash, now_ms).await? else {
            return Ok(false);
        };
        let mut ops = Vec::with_capacity(2);
        for target in [
            session_key(token_hash),
            session_entry_key(&session.owner, token_hash),
        ] {
            let mut expr = Expr::new();
            let update = format!(
                "SET {} = {}, {} = {}",
                expr.name("expires_at_ms"),
                expr.value(n(expires_at_ms)),
                expr.name(EXPIRES_AT),
                expr.value(expires_at(expires_at_ms))
            );
            // Absent or expired meanwhile: the comparison fails on a missing attribute too.
            let live = format!("{} > {}", expr.name("expires_at_ms"), expr.value(n(now_ms)));
            ops.push(self.update_op(target, update, Some(live), expr)?);
        }
        Ok(matches!(
            self.transact("extend session", ops).await?,
            Outcome::Committed
        ))
    }

    pub(super) async fn remove_session(&self, token_hash: &str) -> Result<bool, StorageError> {
        let Some(item) = self.get(session_key(token_hash)).await? else {
            return Ok(false);
        };
        let session = decode_session(&item)?;
        let entry = session_entry_key(&session.owner, token_hash);
        self.delete_with_entry("delete session", session_key(token_hash), entry)
            .await
    }

    pub(super) async fn remove_sessions_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let entries = self.partition_entries(owner, Some(SESSION_ENTRIES)).await?;
        let ops = self.entry_deletion_ops(&entries)?;
        for chunk in ops.chunks(MAX_TRANSACTION_ITEMS / 2 * 2) {
            self.transact("delete sessions", chunk.to_vec()).await?;
        }
        Ok(entries.len() as u64)
    }

    pub(super) async fn live_sessions_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Session>, StorageError> {
        let entries = self.partition_entries(owner, Some(SESSION_ENTRIES)).await?;
        let mut sessions = Vec::with_capacity(entries.len());
        for entry in &entries {
            let session = decode_session(entry)?;
            if session.expires_at_ms > now_ms {
                sessions.push(session);
            }
        }
        sessions.sort_by(|a, b| {
            (b.created_at_ms, &b.token_hash).cmp(&(a.created_at_ms, &a.token_hash))
        });
        Ok(sessions)
    }

    pub(super) async fn put_api_token(&self, token: ApiToken) -> Result<bool, StorageError> {
        let item = token_item(token_key(&token.token_hash), &token);
        let entry = token_item(token_entry_key(&token.owner, &token.id), &token);
        self.put_with_entry("create API token", &token.owner, item, entry)
            .await
    }

    pub(super) async fn find_api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StorageError> {
        self.get(token_key(token_hash))
            .await?
            .map(|item| decode_token(&item))
            .transpose()
    }

    pub(super) async fn api_tokens(&self, owner: &OwnerId) -> Result<Vec<ApiToken>, StorageError> {
        let entries = self.partition_entries(owner, Some(TOKEN_ENTRIES)).await?;
        let mut tokens = entries
            .iter()
            .map(decode_token)
            .collect::<Result<Vec<_>, _>>()?;
        tokens.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        Ok(tokens)
    }

    pub(super) async fn remove_api_token(
        &self,
        owner: &OwnerId,
        id: &str,
    ) -> Result<bool, StorageError> {
        // The entry is in the owner's partition: another owner's token is not found there.
        let Some(entry) = self.get(token_entry_key(owner, id)).await? else {
            return Ok(false);
        };
        let token = decode_token(&entry)?;
        let target = token_key(&token.token_hash);
        self.delete_with_entry("delete API token", token_entry_key(owner, id), target)
            .await
    }

    /// Writes an item and its entry if neither exists, bumping the owner's account version.
    /// `false` if the owner has no account; a taken key is a `Backend` error.
    async fn put_with_entry(
        &self,
        operation: &str,
        owner: &OwnerId,
        item: Item,
        entry: Item,
    ) -> Result<bool, StorageError> {
        let (item_if, item_expr) = if_absent();
        let (entry_if, entry_expr) = if_absent();
        let ops = vec![
            self.bump_account_op(owner)?,
            self.put_op(item, item_if, item_expr)?,
            self.put_op(entry, entry_if, entry_expr)?,
        ];
        match self.transact(operation, ops).await? {
            Outcome::Committed => Ok(true),
            outcome if outcome.failed_at(0) => Ok(false),
            outcome => Err(StorageError::Backend(format!(
                "{operation} was refused, its token hash or id is taken: {outcome:?}"
            ))),
        }
    }

    /// Deletes `first` if it exists, and `second` with it. `false` if `first` was gone.
    async fn delete_with_entry(
        &self,
        operation: &str,
        first: Item,
        second: Item,
    ) -> Result<bool, StorageError> {
        let mut expr = Expr::new();
        let present = exists(&mut expr);
        let ops = vec![
            self.delete_op(first, Some(present), expr)?,
            self.delete_op(second, None, Expr::new())?,
        ];
        Ok(matches!(
            self.transact(operation, ops).await?,
            Outcome::Committed
        ))
    }
}
