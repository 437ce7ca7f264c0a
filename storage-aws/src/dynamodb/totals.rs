//! An owner's photo totals: the count item `O#{owner}`/`N`, changed in the transactions that
//! insert and delete photos, so reading the totals costs one GetItem however many photos there
//! are.
//!
//! Its attributes: `n` photos, `b` bytes of their originals, `w` photo writes so far (only
//! grows), `bc` once `b` is known to be right, and `mc` once the month counts are (see the
//! `months` module). Items written before bytes were counted have `n` alone; later writes add
//! to `b` from nothing, so `b` is short by the bytes of the photos from before. The first read
//! of such an item sums the sizes of the owner's photos once and corrects `b` by the
//! difference, on condition that `w` is unchanged since the item was read (else a photo came or
//! went meanwhile, and it reads again).

use super::items::{key, n, Fields, Item};
use super::request::{backoff, Expr, QuerySpec};
use super::table::{check_owner, owner_pk, COUNT_SK};
use super::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use gaillery_core::OwnerId;
use gaillery_storage::{PhotoTotals, StorageError};

const PHOTOS: &str = "n";
const BYTES: &str = "b";
/// Photo writes so far: the condition of the backfills (here and in the `months` module).
pub(super) const WRITES: &str = "w";
const BYTES_COUNTED: &str = "bc";

pub(super) fn count_key(owner: &OwnerId) -> Item {
    key(owner_pk(owner), COUNT_SK.to_owned())
}

impl DynamoCatalog {
    /// Adds `photos` and `bytes` (negative to take away) to the owner's totals, and one write.
    pub(super) fn photo_count_op(
        &self,
        owner: &OwnerId,
        photos: i64,
        bytes: i64,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!(
            "ADD {} {}, {} {}, {} {}",
            expr.name(PHOTOS),
            expr.value(n(photos)),
            expr.name(BYTES),
            expr.value(n(bytes)),
            expr.name(WRITES),
            expr.value(n(1))
        );
        self.update_op(count_key(owner), update, None, expr)
    }

    pub(super) async fn totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        check_owner(owner)?;
        for attempt in 0..VERSION_TRIES {
            let Some(item) = self.get(count_key(owner)).await? else {
                return Ok(PhotoTotals::default());
            };
            let fields = Fields(&item);
            let photos = non_negative(&fields, PHOTOS)?;
            let bytes = non_negative(&fields, BYTES)?;
            if item.contains_key(BYTES_COUNTED) {
                return Ok(PhotoTotals { photos, bytes });
            }
            let writes: Option<i64> = fields.opt_num(WRITES)?;
            let summed = self.sum_of_sizes(owner).await?;
            if self.correct_bytes(owner, writes, bytes, summed).await? {
                return Ok(PhotoTotals {
                    photos,
                    bytes: summed,
                });
            }
            backoff(attempt).await;
        }
        Err(StorageError::Unavailable(format!(
            "the photo totals of {owner:?} kept changing while being counted"
        )))
    }

    /// The sizes of the owner's photos added up, from a consistent query of their items.
    async fn sum_of_sizes(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let mut spec = QuerySpec::partition(owner_pk(owner), Some("P#"));
        spec.projection = Some(spec.expr.name("size_bytes"));
        let mut sum = 0u64;
        for item in self.query_all(&spec).await? {
            let size: u64 = Fields(&item).num("size_bytes")?;
            sum = sum.saturating_add(size);
        }
        Ok(sum)
    }

    /// Moves `b` from `stored` to `summed` and marks it counted, if no photo was written since
    /// `writes` was read; `false` if one was.
    async fn correct_bytes(
        &self,
        owner: &OwnerId,
        writes: Option<i64>,
        stored: u64,
        summed: u64,
    ) -> Result<bool, StorageError> {
        let mut expr = Expr::new();
        let difference = i128::from(summed) - i128::from(stored);
        let update = format!(
            "ADD {} {} SET {} = {}",
            expr.name(BYTES),
            expr.value(n(difference)),
            expr.name(BYTES_COUNTED),
            expr.value(AttributeValue::Bool(true))
        );
        let unchanged = match writes {
            Some(writes) => format!("{} = {}", expr.name(WRITES), expr.value(n(writes))),
            None => format!("attribute_not_exists({})", expr.name(WRITES)),
        };
        let corrected = self
            .update_existing(count_key(owner), update, Some(unchanged), expr)
            .await?;
        if corrected {
            tracing::info!(owner = %owner.0, bytes = summed, "photo bytes counted once");
        }
        Ok(corrected)
    }
}

/// A counter of the count item, 0 if absent.
fn non_negative(fields: &Fields<'_>, name: &str) -> Result<u64, StorageError> {
    let value: i64 = fields.opt_num(name)?.unwrap_or(0);
    u64::try_from(value).map_err(|_| fields.damaged(&format!("negative total {name} {value}")))
}
