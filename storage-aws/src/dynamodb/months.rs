//! The items behind the timeline: an owner's month counts, and the photos of each month by date
//! taken; both written in the transactions that insert and delete photos, and built once for
//! photos from before they existed.
//!
//! - **Month counts** `O#{owner}`/`D#{order}#{YYYY-MM}` (`order` is `taken` or `uploaded`),
//!   attribute `n`: every photo adds 1 to one count of each order, that of the month of its
//!   key (`TimelineOrder::key`, `month_of`). They sort by month, so the timeline is one Query,
//!   newest first. A count that falls to 0 stays, filtered out like tag counts. (`M#` is taken
//!   by the album entries of photos.)
//! - **Month memberships** `D#{len(owner)}#{owner}#{YYYY-MM}`/`{key}#{id}`, no attributes: the
//!   photos of a month by date taken, `{key}` the timeline key in the fixed width of
//!   `created_key`, so a partition sorts like the listing (key, then id). By upload the listing
//!   needs no items of its own: its key is `created_at_ms`, so the index `by_created` holds the
//!   photos in its order. Date taken and upload time never change, so neither do a photo's
//!   month items. The partition is length-prefixed like tag partitions; a month's photos are
//!   outside the owner's item collection (and its 10 GB limit) and spread the load.
//!
//! Photos from before these items have neither. The first timeline read (or month listing by
//! date taken) of an owner whose count item (`N`, see the `totals` module) lacks `mc` builds
//! them: it reads the owner's photos (consistent Query, a page at a time), writes each one's
//! membership in transactions that also require the photo to exist (so no membership outlives
//! a photo deleted meanwhile), and sets every month count to its value (counts of months left
//! empty to 0). Those transactions, and the last, which sets `mc`, hold only while the count
//! item's `w` is the one read before the photos: else a photo came or went meanwhile and the
//! counts are built again from a fresh read (the memberships are written once per call, since
//! photos inserted since write their own). Until then, inserts and deletions add to the counts
//! as usual, from nothing: the counts set at the end replace whatever they reached.

use super::items::{key, n, Fields, Item, StoredPhoto};
use super::photos::exists;
use super::request::{backoff, Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use super::table::{created_key, owner_pk, photo_sk, SK};
use super::totals::{count_key, WRITES};
use super::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use gaillery_core::{Month, OwnerId, PhotoId, TimelineOrder};
use gaillery_storage::{MonthCount, StorageError};
use std::collections::BTreeMap;

/// The attribute of the count item that says the month items are complete.
const MONTHS_COUNTED: &str = "mc";
/// Both orders, each with its month counts.
const ORDERS: [TimelineOrder; 2] = [TimelineOrder::Taken, TimelineOrder::Uploaded];
/// Photos whose membership one backfill transaction writes: a check and a put each.
const BACKFILL_PHOTOS: usize = MAX_TRANSACTION_ITEMS / 2;

/// The start of the sort keys of an owner's month counts in `order`.
fn counts_prefix(order: TimelineOrder) -> String {
    format!("D#{}#", order.as_str())
}

/// The sort key of the count of `month` in `order`, in the owner's partition.
fn count_sk(order: TimelineOrder, month: Month) -> String {
    format!("{}{month}", counts_prefix(order))
}

/// The partition of the owner's photos taken in `month`. Not longer than the tag partitions
/// that `check_owner` allows for.
pub(super) fn month_pk(owner: &OwnerId, month: Month) -> String {
    format!("D#{}#{}#{month}", owner.0.len(), owner.0)
}

/// The membership of the photo `id` with timeline key `taken` in its month.
fn member_key(owner: &OwnerId, taken: i64, id: &PhotoId) -> Item {
    key(
        month_pk(owner, TimelineOrder::Taken.month_of(taken)),
        created_key(taken, id),
    )
}

/// A stored photo's key in `order`.
pub(super) fn order_key(order: TimelineOrder, stored: &StoredPhoto) -> i64 {
    order.key(stored.photo.taken_at.as_deref(), stored.created_at_ms)
}

/// The month counts a photo is in, as their sort keys: one of each order.
pub(super) fn photo_counts(stored: &StoredPhoto) -> [String; 2] {
    ORDERS.map(|order| count_sk(order, order.month_of(order_key(order, stored))))
}

impl DynamoCatalog {
    /// What inserting a photo adds: its membership in its month taken, 1 to each count.
    pub(super) fn month_insert_ops(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        taken_at: Option<&str>,
        created_at_ms: i64,
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let taken = TimelineOrder::Taken.key(taken_at, created_at_ms);
        let mut ops = vec![self.put_op(member_key(owner, taken, id), None, Expr::new())?];
        for order in ORDERS {
            let month = order.month_of(order.key(taken_at, created_at_ms));
            ops.push(self.add_op(key(owner_pk(owner), count_sk(order, month)), 1)?);
        }
        Ok(ops)
    }

    /// What deleting `photos` in one transaction takes away: their memberships, and from each
    /// count (once, since a transaction touches an item once) the number of them it holds.
    pub(super) fn month_deletion_ops(
        &self,
        owner: &OwnerId,
        photos: &[StoredPhoto],
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let mut ops = Vec::new();
        let mut deltas: BTreeMap<String, i64> = BTreeMap::new();
        for stored in photos {
            let taken = order_key(TimelineOrder::Taken, stored);
            ops.push(self.delete_op(
                member_key(owner, taken, &stored.photo.id),
                None,
                Expr::new(),
            )?);
            for sk in photo_counts(stored) {
                *deltas.entry(sk).or_default() -= 1;
            }
        }
        for (sk, delta) in deltas {
            ops.push(self.add_op(key(owner_pk(owner), sk), delta)?);
        }
        Ok(ops)
    }

    /// The months with photos in `order`, newest first, from their counts.
    pub(super) async fn month_counts(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
    ) -> Result<Vec<MonthCount>, StorageError> {
        self.count_months_once(owner).await?;
        let prefix = counts_prefix(order);
        let mut spec = QuerySpec::partition(owner_pk(owner), Some(&prefix));
        spec.filter = Some(format!(
            "{} > {}",
            spec.expr.name("n"),
            spec.expr.value(n(0))
        ));
        spec.forward = false;
        let mut months = Vec::new();
        for item in self.query_all(&spec).await? {
            let fields = Fields(&item);
            let month = fields
                .s(SK)?
                .strip_prefix(&prefix)
                .and_then(Month::parse)
                .ok_or_else(|| fields.damaged("a month count without a month"))?;
            months.push(MonthCount {
                month,
                count: fields.num("n")?,
            });
        }
        Ok(months)
    }

    /// Builds the month items of an owner's photos from before they existed, unless that was
    /// done (see the module's doc). Costs one GetItem once done.
    pub(super) async fn count_months_once(&self, owner: &OwnerId) -> Result<(), StorageError> {
        let mut members_written = false;
        for attempt in 0..VERSION_TRIES {
            if attempt > 0 {
                backoff(attempt - 1).await;
            }
            // No count item: the owner never had a photo.
            let Some(item) = self.get(count_key(owner)).await? else {
                return Ok(());
            };
            if item.contains_key(MONTHS_COUNTED) {
                return Ok(());
            }
            let writes: Option<i64> = Fields(&item).opt_num(WRITES)?;
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            let mut spec = QuerySpec::partition(owner_pk(owner), Some("P#"));
            let projection = ["id", "taken_at", "created_at_ms"].map(|name| spec.expr.name(name));
            spec.projection = Some(projection.join(", "));
            let mut start = None;
            loop {
                let page = self.query_page(&spec, None, start).await?;
                let mut placed = Vec::with_capacity(page.items.len());
                for item in &page.items {
                    let fields = Fields(item);
                    let taken_at = fields.opt_s("taken_at")?;
                    let created_at_ms: i64 = fields.num("created_at_ms")?;
                    for order in ORDERS {
                        let month = order.month_of(order.key(taken_at, created_at_ms));
                        *counts.entry(count_sk(order, month)).or_default() += 1;
                    }
                    let taken = TimelineOrder::Taken.key(taken_at, created_at_ms);
                    placed.push((fields.id("id")?, taken));
                }
                if !members_written {
                    self.put_members(owner, placed).await?;
                }
                match page.next {
                    Some(next) => start = Some(next),
                    None => break,
                }
            }
            members_written = true;
            if self.set_month_counts(owner, writes, counts).await? {
                tracing::info!(owner = %owner.0, "month counts of earlier photos built once");
                return Ok(());
            }
        }
        Err(StorageError::Unavailable(format!(
            "the photos of {owner:?} kept changing while their months were counted"
        )))
    }

    /// Writes the memberships of photos `(id, timeline key)`, each only if the photo still
    /// exists: photos deleted meanwhile are left out.
    async fn put_members(
        &self,
        owner: &OwnerId,
        placed: Vec<(PhotoId, i64)>,
    ) -> Result<(), StorageError> {
        for chunk in placed.chunks(BACKFILL_PHOTOS) {
            let mut chunk = chunk.to_vec();
            while !chunk.is_empty() {
                let mut ops = Vec::with_capacity(2 * chunk.len());
                for (id, taken) in &chunk {
                    let mut expr = Expr::new();
                    let present = exists(&mut expr);
                    ops.push(self.check_op(key(owner_pk(owner), photo_sk(id)), present, expr)?);
                    ops.push(self.put_op(member_key(owner, *taken, id), None, Expr::new())?);
                }
                let outcome = self.transact("write month memberships", ops).await?;
                if matches!(outcome, Outcome::Committed) {
                    break;
                }
                let before = chunk.len();
                let mut index = 0;
                chunk.retain(|_| {
                    index += 2;
                    !outcome.failed_at(index - 2)
                });
                if chunk.len() == before {
                    return Err(StorageError::Backend(format!(
                        "month memberships were refused: {outcome:?}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Sets every month count to `counts` (absent ones to 0) and marks the months counted, all
    /// on condition that the owner's photo writes are still `writes`; `false` if they are not.
    async fn set_month_counts(
        &self,
        owner: &OwnerId,
        writes: Option<i64>,
        mut counts: BTreeMap<String, u64>,
    ) -> Result<bool, StorageError> {
        let mut spec = QuerySpec::partition(owner_pk(owner), Some("D#"));
        spec.projection = Some(spec.expr.name(SK));
        for item in self.query_all(&spec).await? {
            counts.entry(Fields(&item).s(SK)?.to_owned()).or_insert(0);
        }
        let sets = counts
            .into_iter()
            .map(|(sk, count)| {
                let mut expr = Expr::new();
                let update = format!("SET {} = {}", expr.name("n"), expr.value(n(count)));
                self.update_op(key(owner_pk(owner), sk), update, None, expr)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut batches: Vec<&[TransactWriteItem]> =
            sets.chunks(MAX_TRANSACTION_ITEMS - 1).collect();
        if batches.is_empty() {
            batches.push(&[]);
        }
        let last = batches.len() - 1;
        for (index, batch) in batches.into_iter().enumerate() {
            let mut ops = batch.to_vec();
            let mut expr = Expr::new();
            let unchanged = unchanged_writes(&mut expr, writes);
            let count_item = count_key(owner);
            ops.push(if index == last {
                let update = format!(
                    "SET {} = {}",
                    expr.name(MONTHS_COUNTED),
                    expr.value(AttributeValue::Bool(true))
                );
                self.update_op(count_item, update, Some(unchanged), expr)?
            } else {
                self.check_op(count_item, unchanged, expr)?
            });
            let checked = ops.len() - 1;
            match self.transact("count months", ops).await? {
                Outcome::Committed => {}
                outcome if outcome.failed_at(checked) => return Ok(false),
                outcome => {
                    return Err(StorageError::Backend(format!(
                        "month counts were refused: {outcome:?}"
                    )))
                }
            }
        }
        Ok(true)
    }
}

/// The condition on the count item that no photo was written since `writes` was read, and the
/// months are not counted yet.
fn unchanged_writes(expr: &mut Expr, writes: Option<i64>) -> String {
    let present = exists(expr);
    let uncounted = format!("attribute_not_exists({})", expr.name(MONTHS_COUNTED));
    let unchanged = match writes {
        Some(writes) => format!("{} = {}", expr.name(WRITES), expr.value(n(writes))),
        None => format!("attribute_not_exists({})", expr.name(WRITES)),
    };
    format!("{present} AND {uncounted} AND {unchanged}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_counts_sort_by_month() {
        let months = ["0001-01", "1969-12", "2019-05", "2019-10", "9999-12"];
        for pair in months.windows(2) {
            let [a, b] = [pair[0], pair[1]].map(|m| Month::parse(m).unwrap());
            assert!(count_sk(TimelineOrder::Taken, a) < count_sk(TimelineOrder::Taken, b));
        }
        let may = Month::parse("2019-05").unwrap();
        assert_eq!(count_sk(TimelineOrder::Uploaded, may), "D#uploaded#2019-05");
        assert!(
            count_sk(TimelineOrder::Taken, may).starts_with(&counts_prefix(TimelineOrder::Taken))
        );
    }

    #[test]
    fn month_partitions_fit_what_check_owner_allows() {
        let may = Month::parse("2019-05").unwrap();
        let long = OwnerId("x".repeat(1900));
        assert!(crate::dynamodb::table::check_owner(&long).is_ok());
        assert!(month_pk(&long, may).len() <= crate::dynamodb::items::MAX_PARTITION_KEY_BYTES);
        assert_eq!(month_pk(&OwnerId("ab".into()), may), "D#2#ab#2019-05");
    }
}
