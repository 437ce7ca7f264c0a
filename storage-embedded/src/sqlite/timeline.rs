//! The timeline: month counts read from `photo_months` (kept by the schema's triggers), counts
//! of a tag search grouped by month, a month's photos a page at a time, and the backfill that
//! dates the photos catalogued before the timeline existed.

use super::error::SqlError;
use super::photos::{label_groups, list_page, Listing};
use super::tags::write_labels;
use super::SqliteCatalog;
use gaillery_core::api::PhotoPage;
use gaillery_core::timeline::timeline_key;
use gaillery_core::{Label, Month, OwnerId, PhotoId, TimelineOrder};
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{MonthCount, PageCursor, StorageError};
use rusqlite::{params, Connection};

/// The column that holds an order's key, and the SQL of a row's month in that order (the same
/// month `TimelineOrder::month_of` gives, as the triggers compute it).
fn columns(order: TimelineOrder) -> (&'static str, &'static str) {
    match order {
        TimelineOrder::Taken => ("taken_key", "strftime('%Y-%m', taken_key, 'unixepoch')"),
        TimelineOrder::Uploaded => (
            "created_at_ms",
            "strftime('%Y-%m', created_at_ms / 1000.0, 'unixepoch')",
        ),
    }
}

impl SqliteCatalog {
    pub(super) async fn months(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        let owner = owner.0.clone();
        let groups = label_groups(tags)?;
        self.read(move |conn| {
            if groups.is_empty() {
                counted_months(conn, &owner, order)
            } else {
                tagged_months(conn, &owner, order, &groups)
            }
        })
        .await
    }

    pub(super) async fn month_page(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let listing = Listing {
            owner: owner.0.clone(),
            key_column: columns(order).0,
            keys: Some(order.bounds(month)),
            groups: label_groups(tags)?,
            after: cursor.map(PageCursor::decode).transpose()?,
            limit: page_limit(limit),
        };
        self.read(move |conn| list_page(conn, &listing)).await
    }
}

/// The kept counts: one indexed range of `photo_months`, however many photos.
fn counted_months(
    conn: &Connection,
    owner: &str,
    order: TimelineOrder,
) -> Result<Vec<MonthCount>, SqlError> {
    let mut select = conn.prepare_cached(
        "SELECT month, n FROM photo_months WHERE owner = ?1 AND sort = ?2 AND n > 0
         ORDER BY month DESC",
    )?;
    let rows = select.query_map(params![owner, order.as_str()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    rows.map(|row| month_count(row?)).collect()
}

/// Counts of a tag search: the photos the label index points at, grouped by month. Costs a
/// look-up per matching photo (not per photo of the library).
fn tagged_months(
    conn: &Connection,
    owner: &str,
    order: TimelineOrder,
    groups: &[String],
) -> Result<Vec<MonthCount>, SqlError> {
    let (_, month) = columns(order);
    let mut sql = format!("SELECT {month} AS month, COUNT(*) FROM photos WHERE owner = ?1");
    for at in 0..groups.len() {
        sql.push_str(&format!(
            " AND id IN (SELECT photo_id FROM photo_labels WHERE owner = ?1
                         AND label IN (SELECT value FROM json_each(?{})))",
            at + 2
        ));
    }
    sql.push_str(" GROUP BY month ORDER BY month DESC");
    let mut values: Vec<rusqlite::types::Value> = vec![owner.to_owned().into()];
    values.extend(groups.iter().map(|group| group.clone().into()));
    let mut select = conn.prepare_cached(&sql)?;
    let rows = select.query_map(rusqlite::params_from_iter(values), |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    rows.map(|row| month_count(row?)).collect()
}

fn month_count((month, count): (String, i64)) -> Result<MonthCount, SqlError> {
    let damaged = || {
        StorageError::Backend(format!(
            "catalog holds an invalid month count: {month:?} {count}"
        ))
    };
    Ok(MonthCount {
        month: Month::parse(&month).ok_or_else(damaged)?,
        count: u64::try_from(count).map_err(|_| damaged())?,
    })
}

/// Dates the photos catalogued before the timeline and counts them, and drops from the label
/// index the labels that the search confidence now leaves out. Runs once, inside the migration
/// that adds the timeline, so a catalog is never seen half done.
pub(super) fn backfill(conn: &Connection) -> Result<(), SqlError> {
    let rows: Vec<(String, String, Option<String>, i64, String)> = {
        let mut select =
            conn.prepare("SELECT id, owner, taken_at, created_at_ms, labels FROM photos")?;
        let rows = select.query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut date = conn.prepare("UPDATE photos SET taken_key = ?2 WHERE id = ?1")?;
    for (id, owner, taken_at, created_at_ms, labels) in rows {
        date.execute(params![
            id,
            timeline_key(taken_at.as_deref(), created_at_ms)
        ])?;
        let labels: Vec<Label> = serde_json::from_str(&labels)?;
        let id = PhotoId::parse(&id)
            .ok_or_else(|| StorageError::Backend(format!("catalog holds an invalid id: {id:?}")))?;
        write_labels(conn, &owner, &id, &labels)?;
    }
    // The triggers counted only what the updates above re-dated; count everything afresh.
    conn.execute_batch(
        "DELETE FROM photo_months;
         INSERT INTO photo_months (owner, sort, month, n)
             SELECT owner, 'taken', strftime('%Y-%m', taken_key, 'unixepoch'), COUNT(*)
             FROM photos GROUP BY 1, 3;
         INSERT INTO photo_months (owner, sort, month, n)
             SELECT owner, 'uploaded', strftime('%Y-%m', created_at_ms / 1000.0, 'unixepoch'),
                    COUNT(*)
             FROM photos GROUP BY 1, 3;",
    )?;
    Ok(())
}
