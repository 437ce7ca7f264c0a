//! The memory budget every decode runs under, uploads and classification alike. A decode
//! reserves what its header says it will take (`gaillery_imaging::peak_memory`) and waits
//! until that much of the budget is free, first come first served.
//!
//! The reservation belongs to the blocking work, not to the request that asked for it: a
//! client that hangs up drops its request, but a decode already running goes on until it
//! returns, and its memory stays reserved until then. Otherwise every hang-up would let one
//! more decode start beside the ones still running, without bound.

use crate::ServiceError;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget is counted in whole mebibytes: a semaphore's permits are counted in `u32`.
const UNIT: u64 = 1 << 20;

/// A shared memory budget for decoding. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DecodeBudget {
    units: Arc<Semaphore>,
    total_units: u32,
}

/// Memory reserved for one decode; released when dropped.
#[derive(Debug)]
pub struct DecodeReservation {
    _units: OwnedSemaphorePermit,
}

impl DecodeBudget {
    /// A budget of `bytes` (at least one mebibyte).
    pub fn new(bytes: u64) -> DecodeBudget {
        let total_units = u32::try_from(bytes / UNIT).unwrap_or(u32::MAX).max(1);
        DecodeBudget {
            units: Arc::new(Semaphore::new(total_units as usize)),
            total_units,
        }
    }

    /// Waits until `bytes` of the budget are free and reserves them. A decode larger than the
    /// whole budget waits for all of it, and so runs alone.
    pub async fn reserve(&self, bytes: u64) -> Result<DecodeReservation, ServiceError> {
        let wanted = u32::try_from(bytes.div_ceil(UNIT))
            .unwrap_or(u32::MAX)
            .clamp(1, self.total_units);
        let units = Arc::clone(&self.units)
            .acquire_many_owned(wanted)
            .await
            .map_err(|closed| ServiceError::internal_because("the decode budget closed", closed))?;
        Ok(DecodeReservation { _units: units })
    }

    /// How much of the budget is free now, in bytes.
    #[cfg(test)]
    fn free_bytes(&self) -> u64 {
        self.units.available_permits() as u64 * UNIT
    }
}

/// Runs `work` on a blocking thread that owns `held` (reservations, slots) until `work`
/// returns, whether or not anyone still waits for the result.
pub(crate) async fn run_holding<H, T>(
    held: H,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError>
where
    H: Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(held);
        result
    })
    .await
    .map_err(|join| ServiceError::internal_because("an image task failed", join))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn reservations_wait_for_room_and_oversized_ones_take_everything() {
        let budget = DecodeBudget::new(100 * UNIT);
        let first = budget.reserve(60 * UNIT).await.unwrap();
        assert_eq!(budget.free_bytes(), 40 * UNIT);
        // 50 MiB do not fit beside 60 until those are released.
        let waiting = tokio::time::timeout(Duration::from_millis(50), budget.reserve(50 * UNIT));
        assert!(waiting.await.is_err());
        drop(first);
        let second = budget.reserve(50 * UNIT).await.unwrap();
        drop(second);
        // Larger than the whole budget: it gets all of it, rather than waiting forever.
        let huge = budget.reserve(10_000 * UNIT).await.unwrap();
        assert_eq!(budget.free_bytes(), 0);
        drop(huge);
        // A few bytes still take a whole unit.
        let small = budget.reserve(1).await.unwrap();
        assert_eq!(budget.free_bytes(), 99 * UNIT);
        drop(small);
    }

    #[tokio::test]
    async fn the_work_keeps_its_reservation_after_the_caller_gives_up() {
        let budget = DecodeBudget::new(10 * UNIT);
        let reservation = budget.reserve(10 * UNIT).await.unwrap();
        let (started_tx, started) = std::sync::mpsc::channel();
        let (finish, finish_rx) = std::sync::mpsc::channel::<()>();
        let caller = tokio::spawn(run_holding(reservation, move || {
            let _ = started_tx.send(());
            let _ = finish_rx.recv();
        }));
        tokio::task::spawn_blocking(move || started.recv())
            .await
            .unwrap()
            .unwrap();
        // The client hangs up: its request (here, the caller task) is dropped.
        caller.abort();
        let _ = caller.await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(budget.free_bytes(), 0, "the running work still holds it");
        finish.send(()).unwrap();
        let again = tokio::time::timeout(Duration::from_secs(5), budget.reserve(10 * UNIT));
        assert!(again.await.is_ok(), "released when the work returned");
    }
}
