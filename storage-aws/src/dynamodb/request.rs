//! Requests: expressions with placeholders, queries over every page, consistent batch reads,
//! and transactions with their cancellation reasons and the retries of conflicts.

use super::items::{check_item, check_keys, Item};
use super::table::{built, PK, SK};
use super::DynamoCatalog;
use crate::error::from_sdk;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use gaillery_storage::StorageError;
use std::collections::HashMap;
use std::time::Duration;

/// DynamoDB's limit on the items of one transaction.
pub(super) const MAX_TRANSACTION_ITEMS: usize = 100;
/// Tries of a transaction that conflicts with another one on the same items (a hot counter,
/// two writers on one photo), before the caller gets `Unavailable`.
const CONFLICT_TRIES: u32 = 6;
/// Tries of a batch read that the service answers only in part (throttling).
const BATCH_TRIES: u32 = 6;
/// The most keys one BatchGetItem takes.
const BATCH_GET_KEYS: usize = 100;

/// Placeholders of attribute names, and the names.
pub(super) type Names = HashMap<String, String>;
/// Placeholders of values, and the values.
pub(super) type Values = HashMap<String, AttributeValue>;

/// The names and values of an expression, as placeholders: every attribute name goes through
/// `#name` (so none collides with DynamoDB's reserved words), every value through `:vN`.
#[derive(Clone, Debug, Default)]
pub(super) struct Expr {
    names: Names,
    values: Values,
}

impl Expr {
    pub fn new() -> Expr {
        Expr::default()
    }

    /// The placeholder of an attribute name (letters, digits and `_` only).
    pub fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// The placeholder of a value.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// The maps for a request; `None` when empty, since DynamoDB refuses empty maps.
    pub fn into_parts(self) -> (Option<Names>, Option<Values>) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }
}

/// A Query, run page after page.
#[derive(Clone, Debug)]
pub(super) struct QuerySpec {
    pub index: Option<&'static str>,
    pub key_condition: String,
    pub filter: Option<String>,
    pub projection: Option<String>,
    pub expr: Expr,
    pub forward: bool,
    /// Strongly consistent: the table and its local indexes only.
    pub consistent: bool,
}

impl QuerySpec {
    pub fn new(key_condition: String, expr: Expr) -> QuerySpec {
        QuerySpec {
            index: None,
            key_condition,
            filter: None,
            projection: None,
            expr,
            forward: true,
            consistent: true,
        }
    }
}

impl QuerySpec {
    /// The items of partition `pk`, only those whose sort key starts with `prefix` if given.
    pub fn partition(pk: String, prefix: Option<&str>) -> QuerySpec {
        let mut expr = Expr::new();
        let mut condition = format!("{} = {}", expr.name(PK), expr.value(AttributeValue::S(pk)));
        if let Some(prefix) = prefix {
            condition += &format!(
                " AND begins_with({}, {})",
                expr.name(SK),
                expr.value(AttributeValue::S(prefix.to_owned()))
            );
        }
        QuerySpec::new(condition, expr)
    }
}

/// One page of a query: its items and where the next starts, if there is one.
pub(super) struct QueryPage {
    pub items: Vec<Item>,
    pub next: Option<Item>,
}

/// How a transaction ended, short of an error.
#[derive(Debug)]
pub(super) enum Outcome {
    Committed,
    /// A condition failed: the cancellation code of each item, in request order (`None` for
    /// those that did not fail).
    Refused(Vec<Option<String>>),
}

impl Outcome {
    /// Whether the condition of item `index` failed.
    pub fn failed_at(&self, index: usize) -> bool {
        match self {
            Outcome::Committed => false,
            Outcome::Refused(codes) => {
                codes.get(index).and_then(Option::as_deref) == Some(CONDITION_FAILED)
            }
        }
    }
}

const CONDITION_FAILED: &str = "ConditionalCheckFailed";
const CONFLICT: &str = "TransactionConflict";
const THROTTLED: &[&str] = &["ThrottlingError", "ProvisionedThroughputExceeded"];

impl DynamoCatalog {
    /// The SDK's error, normalised, with the operation and table named for the logs.
    pub(super) fn sdk_error<E>(
        &self,
        operation: &str,
        error: SdkError<E, HttpResponse>,
    ) -> StorageError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        from_sdk(&format!("DynamoDB {operation} on {}", self.table), error)
    }

    /// A Put for a transaction. The item is checked against DynamoDB's limits.
    pub(super) fn put_op(
        &self,
        item: Item,
        condition: Option<String>,
        expr: Expr,
    ) -> Result<TransactWriteItem, StorageError> {
        check_item(&item, 0)?;
        let (names, values) = expr.into_parts();
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// An Update for a transaction.
    pub(super) fn update_op(
        &self,
        key: Item,
        update: String,
        condition: Option<String>,
        expr: Expr,
    ) -> Result<TransactWriteItem, StorageError> {
        check_keys(&key)?;
        let (names, values) = expr.into_parts();
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// A Delete for a transaction.
    pub(super) fn delete_op(
        &self,
        key: Item,
        condition: Option<String>,
        expr: Expr,
    ) -> Result<TransactWriteItem, StorageError> {
        check_keys(&key)?;
        let (names, values) = expr.into_parts();
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// A ConditionCheck for a transaction: writes nothing, but the transaction only commits if
    /// `condition` holds on the item.
    pub(super) fn check_op(
        &self,
        key: Item,
        condition: String,
        expr: Expr,
    ) -> Result<TransactWriteItem, StorageError> {
        check_keys(&key)?;
        let (names, values) = expr.into_parts();
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Runs a transaction. A failed condition is an answer (`Refused`), not an error;
    /// conflicts with concurrent transactions are retried with backoff, then `Unavailable`.
    pub(super) async fn transact(
        &self,
        operation: &str,
        items: Vec<TransactWriteItem>,
    ) -> Result<Outcome, StorageError> {
        if items.len() > MAX_TRANSACTION_ITEMS {
            return Err(StorageError::Backend(format!(
                "DynamoDB transaction of {} items exceeds the limit of {MAX_TRANSACTION_ITEMS}",
                items.len()
            )));
        }
        for attempt in 0..CONFLICT_TRIES {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let error = match sent {
                Ok(_) => return Ok(Outcome::Committed),
                Err(error) => error,
            };
            let codes: Vec<Option<String>> = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| reason.code().filter(|c| *c != "None").map(str::to_owned))
                    .collect(),
                _ => return Err(self.sdk_error(operation, error)),
            };
            let any = |wanted: &[&str]| {
                codes
                    .iter()
                    .flatten()
                    .any(|code| wanted.contains(&code.as_str()))
            };
            if any(&[CONDITION_FAILED]) {
                return Ok(Outcome::Refused(codes));
            }
            if any(THROTTLED) {
                return Err(StorageError::Unavailable(format!(
                    "DynamoDB {operation} on {} was throttled: {codes:?}",
                    self.table
                )));
            }
            if !any(&[CONFLICT]) {
                return Err(StorageError::Backend(format!(
                    "DynamoDB {operation} on {} was cancelled: {codes:?}",
                    self.table
                )));
            }
            tracing::debug!(operation, attempt, "transaction conflict; retrying");
            backoff(attempt).await;
        }
        Err(StorageError::Unavailable(format!(
            "DynamoDB {operation} on {} kept conflicting with concurrent writes",
            self.table
        )))
    }

    /// An UpdateItem of an item that must exist (`attribute_exists(pk)`, and `condition` if
    /// given). `false` if it does not, or the condition fails: then nothing is written.
    pub(super) async fn update_existing(
        &self,
        key: Item,
        update: String,
        condition: Option<String>,
        mut expr: Expr,
    ) -> Result<bool, StorageError> {
        check_keys(&key)?;
        let exists = format!("attribute_exists({})", expr.name(PK));
        let condition = match condition {
            Some(condition) => format!("{exists} AND ({condition})"),
            None => exists,
        };
        let (names, values) = expr.into_parts();
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(UpdateItemError::is_conditional_check_failed_exception) =>
            {
                Ok(false)
            }
            Err(error) => Err(self.sdk_error("UpdateItem", error)),
        }
    }

    /// One page of a query, at most `limit` items.
    pub(super) async fn query_page(
        &self,
        spec: &QuerySpec,
        limit: Option<usize>,
        start: Option<Item>,
    ) -> Result<QueryPage, StorageError> {
        let (names, values) = spec.expr.clone().into_parts();
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(spec.index.map(str::to_owned))
            .key_condition_expression(&spec.key_condition)
            .set_filter_expression(spec.filter.clone())
            .set_projection_expression(spec.projection.clone())
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .scan_index_forward(spec.forward)
            .consistent_read(spec.consistent)
            .set_limit(limit.map(|l| i32::try_from(l.max(1)).unwrap_or(i32::MAX)))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| self.sdk_error("Query", e))?;
        Ok(QueryPage {
            items: output.items.unwrap_or_default(),
            next: output.last_evaluated_key.filter(|key| !key.is_empty()),
        })
    }

    /// Every item a query matches, over all its pages.
    pub(super) async fn query_all(&self, spec: &QuerySpec) -> Result<Vec<Item>, StorageError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self.query_page(spec, None, start).await?;
            items.extend(page.items);
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// A consistent read of one item.
    pub(super) async fn get(&self, key: Item) -> Result<Option<Item>, StorageError> {
        check_keys(&key)?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.sdk_error("GetItem", e))?;
        Ok(output.item)
    }

    /// Consistent reads of many items, in any order; missing ones are left out.
    pub(super) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StorageError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET_KEYS) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == BATCH_TRIES {
                    return Err(StorageError::Unavailable(format!(
                        "DynamoDB BatchGetItem on {} kept leaving keys unprocessed",
                        self.table
                    )));
                }
                if attempt > 0 {
                    backoff(attempt - 1).await;
                }
                attempt += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(true)
                    .build()
                    .map_err(built)?;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| self.sdk_error("BatchGetItem", e))?;
                if let Some(mut responses) = output.responses {
                    found.extend(responses.remove(&self.table).unwrap_or_default());
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                    .map(|keys| keys.keys)
                    .unwrap_or_default();
            }
        }
        Ok(found)
    }
}

/// Waits before try `attempt + 2`: exponential from 10 ms, with full jitter, at most ~0.6 s.
pub(super) async fn backoff(attempt: u32) {
    let ceiling_ms = 10u64 << attempt.min(6);
    let wait = Duration::from_millis(ceiling_ms / 2 + random_u64() % (ceiling_ms / 2 + 1));
    tokio::time::sleep(wait).await;
}

/// A random number, for jitter and salts (no cryptographic use): std's hasher keys are
/// random per process and differ per `RandomState`.
pub(super) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_use_placeholders_and_omit_empty_maps() {
        let mut expr = Expr::new();
        assert_eq!(expr.name("status"), "#status");
        assert_eq!(expr.value(AttributeValue::N("1".into())), ":v0");
        assert_eq!(expr.value(AttributeValue::N("2".into())), ":v1");
        let (names, values) = expr.into_parts();
        assert_eq!(names.map(|n| n.len()), Some(1));
        assert_eq!(values.map(|v| v.len()), Some(2));
        let (names, values) = Expr::new().into_parts();
        assert!(names.is_none() && values.is_none());
    }

    #[test]
    fn refusals_name_the_failed_items() {
        let outcome = Outcome::Refused(vec![None, Some(CONDITION_FAILED.to_owned())]);
        assert!(!outcome.failed_at(0));
        assert!(outcome.failed_at(1));
        assert!(!outcome.failed_at(7));
        assert!(!Outcome::Committed.failed_at(0));
    }
}
