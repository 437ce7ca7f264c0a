//! The shared event log: one partition per owner, sorted by time, expired by DynamoDB's TTL.

use super::items::{check_item, expires_at, key, n, s, Fields};
use super::photos::if_absent;
use super::request::{Expr, QuerySpec};
use super::table::{check_owner, events_pk, time_key, EXPIRES_AT, PK, SK};
use super::DynamoCatalog;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use gaillery_core::api::PhotoEvent;
use gaillery_core::OwnerId;
use gaillery_storage::events::EVENT_RETENTION_MS;
use gaillery_storage::{LoggedEvent, StorageError};
use std::sync::atomic::Ordering;

/// Tries to find a free key; a collision needs two processes with one origin name and one
/// random sequence, so one retry is already more than enough.
const APPEND_TRIES: usize = 3;

impl DynamoCatalog {
    pub(super) async fn append(
        &self,
        owner: &OwnerId,
        origin: &str,
        event: &PhotoEvent,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        check_owner(owner)?;
        let json = serde_json::to_string(event)?;
        let expires_at = expires_at(now_ms.saturating_add(EVENT_RETENTION_MS));
        for _ in 0..APPEND_TRIES {
            // Increasing within this process, so one server's entries of one millisecond keep
            // the order they were appended in.
            let seq = self.event_seq.fetch_add(1, Ordering::Relaxed);
            let mut item = key(
                events_pk(owner),
                format!("{}#{origin}#{seq:016x}", time_key(now_ms)),
            );
            item.insert("origin".into(), s(origin));
            item.insert("at_ms".into(), n(now_ms));
            item.insert("event".into(), s(&json));
            item.insert(EXPIRES_AT.into(), expires_at.clone());
            check_item(&item, 0)?;
            let (condition, expr) = if_absent();
            let (names, values) = expr.into_parts();
            let sent = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .send()
                .await;
            match sent {
                Ok(_) => return Ok(()),
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(PutItemError::is_conditional_check_failed_exception) =>
                {
                    continue
                }
                Err(error) => return Err(self.sdk_error("PutItem", error)),
            }
        }
        Err(StorageError::Backend(
            "could not find a free key for an event".into(),
        ))
    }

    pub(super) async fn read_events(
        &self,
        owner: &OwnerId,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let condition = format!(
            "{} = {} AND {} >= {}",
            expr.name(PK),
            expr.value(s(events_pk(owner))),
            expr.name(SK),
            expr.value(s(time_key(since_ms)))
        );
        let spec = QuerySpec::new(condition, expr);
        let mut events = Vec::new();
        let mut start = None;
        while events.len() < limit {
            let page = self
                .query_page(&spec, Some(limit - events.len()), start)
                .await?;
            for item in &page.items {
                let fields = Fields(item);
                let event = serde_json::from_str(fields.s("event")?)
                    .map_err(|e| fields.damaged(&format!("event is not valid JSON: {e}")))?;
                events.push(LoggedEvent {
                    key: fields.s(SK)?.to_owned(),
                    origin: fields.s("origin")?.to_owned(),
                    at_ms: fields.num("at_ms")?,
                    event,
                });
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        events.truncate(limit);
        Ok(events)
    }
}
