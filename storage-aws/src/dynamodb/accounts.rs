//! Accounts: their items, username claims and count, and their deletion with everything in
//! their partition. The items are listed in the `table` module; why they are shaped so:
//!
//! - **Accounts have a partition each** (`A#{id}`) holding the account and an entry per session
//!   and API token, so `delete_account` finds everything to delete in one consistent query,
//!   and `sessions_of` needs no index. Every session or token written bumps the account's `v`
//!   in the same transaction, which also requires the account to exist: the transaction that
//!   deletes the account requires `v` unchanged, so no session or token created meanwhile
//!   outlives it, and none is created for a deleted account.
//! - **Usernames are claimed** by items `N#{username_key}` in one partition `U`, written in the
//!   transaction that writes the account, with `attribute_not_exists`: two servers cannot give
//!   one name (in any case) to two accounts. The account count beside them is the condition
//!   of `only_if_first` (absent or 0), so of concurrent first-run requests one wins; it also
//!   makes every account creation a write of one item, a rate no sign-up page comes near.
//! - **Sessions and API tokens are found by their hash**: an item `S#{hash}` or `K#{hash}` of
//!   its own, so a request costs one GetItem. Sessions and their entries carry the TTL attribute
//!   (the expiry, rounded up, plus slack), so abandoned sessions vanish; reads filter on
//!   `expires_at_ms`, since TTL deletes late.
//! - **Sign-in failures are an item each**, in a partition per key, with the TTL attribute at
//!   the end of their window. Recording is a PutItem (a random suffix keeps failures of one
//!   millisecond apart) and a keys-only Query of the window: nothing is read, modified and
//!   written back, so failures recorded at once by several servers are all counted, and a key
//!   keeps only the failures of its window (TTL drops the rest).
//!
//! | operation | requests |
//! |---|---|
//! | `create_account` | TransactWriteItems: ADD 1 to the account count (with `only_if_first`, if it is absent or 0), Put the username claim if absent, Put the account if absent |
//! | `account`, `account_by_name` | GetItem of the account; of the claim, then the account |
//! | `list_accounts`, `count_accounts` | Query `pk = U AND begins_with(sk, "N#")`, BatchGetItem the accounts; GetItem of the count |
//! | `delete_account` | Query `pk = A#{id}`; TransactWriteItems: Delete the account (if its `v` is unchanged), its claim, its session and token entries and what they point to, ADD −1 to the count and 1 to its deletions (more than fit one transaction: the entries first, in transactions of their own); an administrator kept by `LastAdministrator::Keep` first GetItem of the count, Query and BatchGetItem of the accounts, and its transaction requires the deletions unchanged |
//! | `create_session`, `create_api_token` | TransactWriteItems: ADD 1 to the account's `v` if it exists, Put the item and its entry if absent |
//! | `session`, `api_token_by_hash` | GetItem |
//! | `extend_session`, `delete_session` | GetItem of the session, then TransactWriteItems on the session (unexpired, or present) and its entry |
//! | `sessions_of`, `api_tokens_of`, `delete_sessions_of` | Query `pk = A#{id} AND begins_with(sk, "S#")` (or `K#`); deletions in transactions of 50 pairs |
//! | `record_sign_in_failure`, `sign_in_failures` | PutItem, then Query `pk = F#{key} AND sk BETWEEN {since + 1} AND {now}$` (keys only) and count |

use super::items::{key, n, s, Fields, Item};
use super::photos::if_absent;
use super::request::{backoff, Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use super::sessions::pointed_to;
use super::table::{PK, SK};
use super::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use gaillery_core::OwnerId;
use gaillery_storage::accounts::username_key;
use gaillery_storage::{Account, AccountCreated, AccountDeleted, LastAdministrator, StorageError};

/// The attribute bumped by every session and token written for an account: the condition that
/// keeps a deletion from missing one.
pub(super) const VERSION: &str = "v";

/// The attribute of the count item that counts deletions: see `account_deletions`.
const DELETIONS: &str = "d";

/// Items that the transaction deleting an account writes besides the entries of its
/// partition: the account, its claim and the count.
const ACCOUNT_DELETION_ITEMS: usize = 3;

/// The partition of an account, its session entries and its API token entries.
pub(super) fn account_pk(id: &OwnerId) -> String {
    format!("A#{}", id.0)
}

/// The account item's sort key in its partition.
pub(super) const ACCOUNT_SK: &str = "A";

/// The partition of the username claims and the account count.
const USERS_PK: &str = "U";

/// The account count in [`USERS_PK`].
const ACCOUNT_COUNT_SK: &str = "N";

/// The claim of a username, by its `username_key`.
fn username_sk(name_key: &str) -> String {
    format!("N#{name_key}")
}

/// An account as read, with its version.
struct StoredAccount {
    account: Account,
    version: u64,
}

fn new_account_item(account: &Account) -> Item {
    let mut item = key(account_pk(&account.id), ACCOUNT_SK.to_owned());
    item.insert("id".into(), s(&account.id.0));
    item.insert("username".into(), s(&account.username));
    item.insert("password_hash".into(), s(&account.password_hash));
    item.insert("admin".into(), AttributeValue::Bool(account.admin));
    item.insert("created_at_ms".into(), n(account.created_at_ms));
    item.insert(VERSION.into(), n(0));
    item
}

fn decode_account(item: &Item) -> Result<StoredAccount, StorageError> {
    let fields = Fields(item);
    Ok(StoredAccount {
        account: Account {
            id: OwnerId(fields.s("id")?.to_owned()),
            username: fields.s("username")?.to_owned(),
            password_hash: fields.s("password_hash")?.to_owned(),
            admin: fields.bool("admin")?,
            created_at_ms: fields.num("created_at_ms")?,
        },
        version: fields.num(VERSION)?,
    })
}

fn claim_key(username: &str) -> Item {
    key(USERS_PK.to_owned(), username_sk(&username_key(username)))
}

fn count_key() -> Item {
    key(USERS_PK.to_owned(), ACCOUNT_COUNT_SK.to_owned())
}

impl DynamoCatalog {
    pub(super) async fn create_account_item(
        &self,
        account: Account,
        only_if_first: bool,
    ) -> Result<AccountCreated, StorageError> {
        let mut claim = claim_key(&account.username);
        claim.insert("id".into(), s(&account.id.0));
        let mut expr = Expr::new();
        let update = format!("ADD {} {}", expr.name("n"), expr.value(n(1)));
        let first = only_if_first.then(|| {
            let count = expr.name("n");
            format!(
                "attribute_not_exists({count}) OR {count} = {}",
                expr.value(n(0))
            )
        });
        let (claim_if, claim_expr) = if_absent();
        let (account_if, account_expr) = if_absent();
        // The count first: should DynamoDB report only the first failed condition, NotFirst
        // still wins over NameTaken.
        let ops = vec![
            self.update_op(count_key(), update, first, expr)?,
            self.put_op(claim, claim_if, claim_expr)?,
            self.put_op(new_account_item(&account), account_if, account_expr)?,
        ];
        let outcome = self.transact("create account", ops).await?;
        if matches!(outcome, Outcome::Committed) {
            return Ok(AccountCreated::Created);
        }
        if !outcome.failed_at(0) && !outcome.failed_at(1) {
            return Err(StorageError::Backend(format!(
                "account {:?} was refused: {outcome:?}",
                account.id
            )));
        }
        // Our own earlier attempt, applied but its answer lost and sent again by the SDK?
        let ours = self
            .account_by_id(&account.id)
            .await?
            .is_some_and(|stored| {
                username_key(&stored.account.username) == username_key(&account.username)
            });
        Ok(if ours {
            AccountCreated::Created
        } else if outcome.failed_at(0) {
            AccountCreated::NotFirst
        } else {
            AccountCreated::NameTaken
        })
    }

    async fn account_by_id(&self, id: &OwnerId) -> Result<Option<StoredAccount>, StorageError> {
        self.get(key(account_pk(id), ACCOUNT_SK.to_owned()))
            .await?
            .map(|item| decode_account(&item))
            .transpose()
    }

    pub(super) async fn find_account(&self, id: &OwnerId) -> Result<Option<Account>, StorageError> {
        Ok(self.account_by_id(id).await?.map(|stored| stored.account))
    }

    pub(super) async fn find_account_named(
        &self,
        username: &str,
    ) -> Result<Option<Account>, StorageError> {
        let Some(claim) = self.get(claim_key(username)).await? else {
            return Ok(None);
        };
        let id = OwnerId(Fields(&claim).s("id")?.to_owned());
        self.find_account(&id).await
    }

    pub(super) async fn all_accounts(&self) -> Result<Vec<Account>, StorageError> {
        let spec = QuerySpec::partition(USERS_PK.to_owned(), Some(&username_sk("")));
        let claims = self.query_all(&spec).await?;
        let keys = claims
            .iter()
            .map(|claim| {
                let id = OwnerId(Fields(claim).s("id")?.to_owned());
                Ok(key(account_pk(&id), ACCOUNT_SK.to_owned()))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let mut accounts = self
            .batch_get(keys)
            .await?
            .iter()
            .map(|item| Ok(decode_account(item)?.account))
            .collect::<Result<Vec<_>, StorageError>>()?;
        accounts.sort_by_cached_key(|account| username_key(&account.username));
        Ok(accounts)
    }

    pub(super) async fn account_count(&self) -> Result<u64, StorageError> {
        let Some(item) = self.get(count_key()).await? else {
            return Ok(0);
        };
        let fields = Fields(&item);
        let count: i64 = fields.num("n")?;
        u64::try_from(count).map_err(|_| fields.damaged(&format!("negative account count {count}")))
    }

    pub(super) async fn set_account_password(
        &self,
        id: &OwnerId,
        password_hash: &str,
    ) -> Result<bool, StorageError> {
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}",
            expr.name("password_hash"),
            expr.value(s(password_hash))
        );
        let account = key(account_pk(id), ACCOUNT_SK.to_owned());
        self.update_existing(account, update, None, expr).await
    }

    /// Deletes the entries of the account's partition a transaction at a time, then the account
    /// with the last of them, if no session or token was added meanwhile (else looks again).
    /// An administrator kept by `last_administrator` goes only if no account was deleted since
    /// another administrator was seen (else looks again).
    pub(super) async fn delete_account_items(
        &self,
        id: &OwnerId,
        last_administrator: LastAdministrator,
    ) -> Result<AccountDeleted, StorageError> {
        let mut refusals = 0;
        loop {
            let Some(stored) = self.account_by_id(id).await? else {
                return Ok(AccountDeleted::NoSuchAccount);
            };
            let keep_an_admin =
                stored.account.admin && last_administrator == LastAdministrator::Keep;
            // Read before the accounts are listed, so a deletion after the listing shows.
            let deletions = if keep_an_admin {
                let deletions = self.account_deletions().await?;
                let accounts = self.all_accounts().await?;
                if !accounts.iter().any(|other| other.admin && other.id != *id) {
                    return Ok(AccountDeleted::LastAdministrator);
                }
                Some(deletions)
            } else {
                None
            };
            let entries = self.partition_entries(id, None).await?;
            let mut ops = self.entry_deletion_ops(&entries)?;
            if ops.len() + ACCOUNT_DELETION_ITEMS > MAX_TRANSACTION_ITEMS {
                ops.truncate(MAX_TRANSACTION_ITEMS / 2 * 2);
                self.transact("delete account entries", ops).await?;
                continue;
            }
            let mut expr = Expr::new();
            let unchanged = format!("{} = {}", expr.name(VERSION), expr.value(n(stored.version)));
            let account = key(account_pk(id), ACCOUNT_SK.to_owned());
            let mut all = vec![
                self.delete_op(account, Some(unchanged), expr)?,
                self.delete_op(claim_key(&stored.account.username), None, Expr::new())?,
                self.count_deletion_op(deletions)?,
            ];
            all.extend(ops);
            match self.transact("delete account", all).await? {
                Outcome::Committed => return Ok(AccountDeleted::Deleted),
                outcome
                    if (outcome.failed_at(0) || outcome.failed_at(2))
                        && refusals + 1 < VERSION_TRIES =>
                {
                    // A session or token was added, the account deleted, or another account
                    // deleted while this one is the last administrator but one: look again.
                    refusals += 1;
                    backoff(refusals - 1).await;
                }
                outcome => {
                    return Err(StorageError::Unavailable(format!(
                        "account {id:?} kept changing while being deleted: {outcome:?}"
                    )))
                }
            }
        }
    }

    /// How many accounts were ever deleted: a number that only grows (unlike the count, which
    /// a deletion and a creation leave as it was), the condition of an administrator's deletion.
    async fn account_deletions(&self) -> Result<Option<i64>, StorageError> {
        let Some(item) = self.get(count_key()).await? else {
            return Ok(None);
        };
        Fields(&item).opt_num(DELETIONS)
    }

    /// One account fewer on the count item, and one deletion more; only if the deletions are
    /// still `unless_changed_from`, when given.
    fn count_deletion_op(
        &self,
        unless_changed_from: Option<Option<i64>>,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!(
            "ADD {} {}, {} {}",
            expr.name("n"),
            expr.value(n(-1)),
            expr.name(DELETIONS),
            expr.value(n(1))
        );
        let condition = unless_changed_from.map(|deletions| match deletions {
            Some(deletions) => format!("{} = {}", expr.name(DELETIONS), expr.value(n(deletions))),
            None => format!("attribute_not_exists({})", expr.name(DELETIONS)),
        });
        self.update_op(count_key(), update, condition, expr)
    }

    /// The items of an account's partition, read consistently; only those whose sort key starts
    /// with `prefix`, if given.
    pub(super) async fn partition_entries(
        &self,
        id: &OwnerId,
        prefix: Option<&str>,
    ) -> Result<Vec<Item>, StorageError> {
        self.query_all(&QuerySpec::partition(account_pk(id), prefix))
            .await
    }

    /// Deletes of session and token entries with the items they point to, pair after pair, so
    /// that transactions cut at an even length leave no entry without its item or the reverse.
    /// The account item, if among `entries`, is skipped.
    pub(super) fn entry_deletion_ops(
        &self,
        entries: &[Item],
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let mut ops = Vec::with_capacity(entries.len() * 2);
        for entry in entries {
            let Some(target) = pointed_to(entry)? else {
                continue;
            };
            let fields = Fields(entry);
            let entry_key = key(fields.s(PK)?.to_owned(), fields.s(SK)?.to_owned());
            ops.push(self.delete_op(entry_key, None, Expr::new())?);
            ops.push(self.delete_op(target, None, Expr::new())?);
        }
        Ok(ops)
    }

    /// `ADD v 1` on the account, if it exists: the first item of a transaction that writes a
    /// session or an API token for it.
    pub(super) fn bump_account_op(&self, id: &OwnerId) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!("ADD {} {}", expr.name(VERSION), expr.value(n(1)));
        let condition = format!("attribute_exists({})", expr.name(PK));
        let account = key(account_pk(id), ACCOUNT_SK.to_owned());
        self.update_op(account, update, Some(condition), expr)
    }
}
