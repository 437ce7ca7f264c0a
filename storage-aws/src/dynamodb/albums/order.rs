//! The order of an album's photos: moving one, and renumbering the album when a gap is used
//! up.

use super::members::Bound;
use super::{member_key, position_key, AlbumChange, StoredAlbum};
use crate::dynamodb::items::{n, s};
use crate::dynamodb::request::{Expr, Outcome, MAX_TRANSACTION_ITEMS};
use crate::dynamodb::table::{check_owner, LSK};
use crate::dynamodb::DynamoCatalog;
use aws_sdk_dynamodb::types::TransactWriteItem;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::albums::{position_between, POSITION_GAP};
use gaillery_storage::StorageError;

impl DynamoCatalog {
    /// Moves `photo` between its new neighbours. Moves do not touch the album's version: they
    /// require the positions they read (the photo's and its new neighbours') unchanged instead,
    /// so moves in different parts of an album never hold each other up. Two photos moved into
    /// one gap at once may take one position; the photo ids then order them, and the next move
    /// there renumbers.
    pub(in crate::dynamodb) async fn move_photo(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut refusals = 0;
        loop {
            // A member exists only while its album does.
            let Some(from) = self.position_in(owner, id, photo).await? else {
                return Ok(false);
            };
            let next = match before {
                Some(before) => match self.position_in(owner, id, before).await? {
                    Some(position) => Some((position, before)),
                    None => return Ok(false),
                },
                None => None,
            };
            if before == Some(photo) {
                return Ok(true);
            }
            let bound = next.map(|(position, before)| position_key(position, before));
            let bound = bound.as_deref().map_or(Bound::Whole, Bound::Before);
            let prev = self.members(owner, id, bound, false, Some(1)).await?;
            let prev = prev.first().map(|(position, p)| (*position, p));
            if prev.is_some_and(|(_, p)| p == photo) {
                return Ok(true);
            }
            let between = position_between(prev.map(|(p, _)| p), next.map(|(p, _)| p));
            let Some(position) = between else {
                let Some(stored) = self.stored_album(owner, id).await? else {
                    return Ok(false);
                };
                let outcome = self.renumber(owner, id, &stored).await?;
                self.unless_committed(&mut refusals, "renumber album", outcome)
                    .await?;
                continue;
            };
            let mut ops = vec![
                self.touch_album_op(owner, id, now_ms)?,
                self.reposition_op(owner, id, photo, from, position)?,
            ];
            for (at, neighbour) in prev.into_iter().chain(next) {
                let mut expr = Expr::new();
                let unchanged = format!("{} = {}", expr.name("pos"), expr.value(n(at)));
                let member = member_key(owner, id, neighbour);
                ops.push(self.check_op(member, unchanged, expr)?);
            }
            match self.transact("move in album", ops).await? {
                Outcome::Committed => return Ok(true),
                outcome => {
                    self.unless_committed(&mut refusals, "move in album", outcome)
                        .await?
                }
            }
        }
    }

    /// Moves a member from position `from` (required unchanged) to `to`.
    fn reposition_op(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        from: i64,
        to: i64,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}, {} = {}",
            expr.name(LSK),
            expr.value(s(position_key(to, photo))),
            expr.name("pos"),
            expr.value(n(to))
        );
        let unchanged = format!("{} = {}", expr.name("pos"), expr.value(n(from)));
        let member = member_key(owner, id, photo);
        self.update_op(member, update, Some(unchanged), expr)
    }

    /// Spaces the album's photos `POSITION_GAP` apart in fresh positions beyond the last (or,
    /// if the range has no room there, before the first), moving them from the far end
    /// inward, so that the order is right between any two transactions. Stops at the first
    /// refusal (the album changed meanwhile) and returns it: the caller reads the album again
    /// and finds room, or renumbers again.
    pub(super) async fn renumber(
        &self,
        owner: &OwnerId,
        id: &str,
        stored: &StoredAlbum,
    ) -> Result<Outcome, StorageError> {
        let members = self.members(owner, id, Bound::Whole, true, None).await?;
        if members.is_empty() {
            return Ok(Outcome::Committed);
        }
        let mut moves = renumbering(&members).ok_or_else(|| {
            StorageError::Backend(format!("album {id:?} has used up its positions"))
        })?;
        let mut version = stored.version;
        while !moves.is_empty() {
            let chunk: Vec<_> = moves
                .drain(..moves.len().min(MAX_TRANSACTION_ITEMS - 1))
                .collect();
            let mut ops =
                vec![self.album_version_op(owner, id, version, AlbumChange::default())?];
            for (to, (from, photo)) in chunk {
                ops.push(self.reposition_op(owner, id, photo, *from, to)?);
            }
            let outcome = self.transact("renumber album", ops).await?;
            if !matches!(outcome, Outcome::Committed) {
                return Ok(outcome);
            }
            version += 1;
        }
        Ok(Outcome::Committed)
    }
}

/// The moves that renumber an album whose members are `members` (in album order): each
/// member's new position, in the order to write them. The new positions are `POSITION_GAP`
/// apart beyond the last (written from the last photo back) or, without room there, before the
/// first (written from the first on): after any prefix of the moves, the album is still in
/// order. `None` if neither end of the range has room.
fn renumbering(members: &[(i64, PhotoId)]) -> Option<Vec<(i64, &(i64, PhotoId))>> {
    let (first, last) = (members.first()?.0, members.last()?.0);
    let gap = i128::from(POSITION_GAP);
    let span = gap * members.len() as i128;
    let fits = |bound: i128| i128::from(i64::MIN) <= bound && bound <= i128::from(i64::MAX);
    let numbered = members.iter().enumerate();
    if fits(i128::from(last) + span) {
        let at = |i: usize| (i128::from(last) + gap * (i as i128 + 1)) as i64;
        Some(numbered.rev().map(|(i, member)| (at(i), member)).collect())
    } else if fits(i128::from(first) - span) {
        let at = |i: usize| (i128::from(first) - span + gap * i as i128) as i64;
        Some(numbered.map(|(i, member)| (at(i), member)).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn album(positions: &[i64]) -> Vec<(i64, PhotoId)> {
        let id = |i: usize| PhotoId::parse(&format!("p{i}")).unwrap();
        positions
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, id(i)))
            .collect()
    }

    /// Applies the moves one at a time and checks the order after each.
    fn check_stays_in_order(members: &[(i64, PhotoId)], moves: &[(i64, &(i64, PhotoId))]) {
        let order: Vec<&PhotoId> = members.iter().map(|(_, p)| p).collect();
        let mut current: Vec<(i64, PhotoId)> = members.to_vec();
        for (position, (_, photo)) in moves {
            let member = current.iter_mut().find(|(_, p)| p == photo).unwrap();
            member.0 = *position;
            let mut sorted = current.clone();
            sorted.sort();
            let now: Vec<&PhotoId> = sorted.iter().map(|(_, p)| p).collect();
            assert_eq!(now, order, "after moving {photo} to {position}");
        }
        let positions: Vec<i64> = {
            let mut sorted = current.clone();
            sorted.sort();
            sorted.iter().map(|(p, _)| *p).collect()
        };
        for pair in positions.windows(2) {
            assert_eq!(pair[1] - pair[0], POSITION_GAP);
        }
    }

    #[test]
    fn renumbering_goes_beyond_the_last_photo_when_it_can() {
        let members = album(&[-40, 0, 1, 2, 3, POSITION_GAP]);
        let moves = renumbering(&members).unwrap();
        assert_eq!(moves[0].0, 2 * POSITION_GAP + 5 * POSITION_GAP);
        check_stays_in_order(&members, &moves);
    }

    #[test]
    fn renumbering_goes_before_the_first_photo_near_the_end_of_the_range() {
        let members = album(&[0, 7, 8, i64::MAX - 3]);
        let moves = renumbering(&members).unwrap();
        assert_eq!(moves[0].0, -4 * POSITION_GAP);
        check_stays_in_order(&members, &moves);
    }

    #[test]
    fn renumbering_needs_room_at_one_end() {
        assert!(renumbering(&album(&[i64::MIN + 1, i64::MAX - 1])).is_none());
        assert_eq!(renumbering(&[]), None);
    }
}
