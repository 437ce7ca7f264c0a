//! The photos of an album: added in order without duplicates, removed, moved, and listed a
//! page at a time.

use super::{created, photos_of, stored, AlbumCatalog};
use crate::contract::helpers::now_ms;
use crate::contract::run::Run;
use crate::StorageError;
use gaillery_core::{OwnerId, PhotoId};

pub async fn adding_skips_photos_already_there_and_keeps_the_order(store: &dyn AlbumCatalog) {
    const CHECK: &str = "adding_skips_photos_already_there_and_keeps_the_order";
    let run = &Run::new();
    let owner = run.owner("adder");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "trip", now)).await;
    let id = album.id.as_str();
    let [a, b, c, d, e, f] = [(); 6].map(|()| run.photo_id());
    let first = [d.clone(), a.clone(), c.clone()];
    assert_eq!(
        store.add_to_album(&owner, id, &first, now + 1).await,
        Ok(Some(3))
    );
    assert_eq!(
        photos_of(store, &owner, id).await,
        first,
        "{CHECK}: the order given"
    );
    let second = [
        a.clone(),
        f.clone(),
        b.clone(),
        f.clone(),
        d.clone(),
        e.clone(),
    ];
    assert_eq!(
        store.add_to_album(&owner, id, &second, now + 2).await,
        Ok(Some(3)),
        "{CHECK}: photos already there, or twice in one call, count once"
    );
    let all = [d, a, c.clone(), f, b, e];
    assert_eq!(
        photos_of(store, &owner, id).await,
        all,
        "{CHECK}: appended after the last, none moved"
    );
    let after = stored(store, &owner, id).await;
    assert_eq!(
        (after.photo_count, after.updated_at_ms),
        (6, now + 2),
        "{CHECK}"
    );
    for nothing_new in [&[][..], &[c][..]] {
        let added = store.add_to_album(&owner, id, nothing_new, now + 9).await;
        assert_eq!(added, Ok(Some(0)), "{CHECK}: {nothing_new:?}");
    }
    assert_eq!(
        stored(store, &owner, id).await,
        after,
        "{CHECK}: adding nothing new changes nothing"
    );
}

pub async fn adding_to_a_missing_album_is_none(store: &dyn AlbumCatalog) {
    const CHECK: &str = "adding_to_a_missing_album_is_none";
    let run = &Run::new();
    let owner = run.owner("lost");
    let now = now_ms();
    let photo = run.photo_id();
    let missing = run.album_id();
    let added = store
        .add_to_album(&owner, &missing, std::slice::from_ref(&photo), now)
        .await;
    assert_eq!(added, Ok(None), "{CHECK}");
    let gone = created(store, &run.album(&owner, "gone", now)).await;
    assert_eq!(store.delete_album(&owner, &gone.id).await, Ok(true));
    let added = store
        .add_to_album(&owner, &gone.id, std::slice::from_ref(&photo), now)
        .await;
    assert_eq!(added, Ok(None), "{CHECK}: a deleted album");
    assert_eq!(store.albums_of_photo(&owner, &photo).await, Ok(vec![]));
    assert_eq!(
        store.album(&owner, &missing).await,
        Ok(None),
        "{CHECK}: none made"
    );
}

pub async fn removing_takes_one_photo_and_its_cover(store: &dyn AlbumCatalog) {
    const CHECK: &str = "removing_takes_one_photo_and_its_cover";
    let run = &Run::new();
    let owner = run.owner("remover");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "remove", now)).await;
    let id = album.id.as_str();
    let [a, b, c] = [(); 3].map(|()| run.photo_id());
    let all = [a.clone(), b.clone(), c.clone()];
    assert_eq!(store.add_to_album(&owner, id, &all, now).await, Ok(Some(3)));
    assert_eq!(
        store.set_album_cover(&owner, id, Some(&b), now).await,
        Ok(true)
    );

    assert_eq!(
        store.remove_from_album(&owner, id, &b, now + 1).await,
        Ok(true)
    );
    assert_eq!(
        photos_of(store, &owner, id).await,
        [a.clone(), c.clone()],
        "{CHECK}"
    );
    let after = stored(store, &owner, id).await;
    assert_eq!(
        (after.photo_count, after.cover.as_ref(), after.updated_at_ms),
        (2, None, now + 1),
        "{CHECK}: the count, and the cover that was the removed photo"
    );
    assert_eq!(
        store.remove_from_album(&owner, id, &b, now + 2).await,
        Ok(false)
    );
    let outsider = run.photo_id();
    assert_eq!(
        store
            .remove_from_album(&owner, id, &outsider, now + 2)
            .await,
        Ok(false)
    );
    assert_eq!(stored(store, &owner, id).await, after, "{CHECK}: no change");

    assert_eq!(
        store.set_album_cover(&owner, id, Some(&c), now + 3).await,
        Ok(true)
    );
    assert_eq!(
        store.remove_from_album(&owner, id, &a, now + 4).await,
        Ok(true)
    );
    assert_eq!(
        stored(store, &owner, id).await.cover,
        Some(c.clone()),
        "{CHECK}: another photo's removal keeps the cover"
    );
    let missing = run.album_id();
    assert_eq!(
        store.remove_from_album(&owner, &missing, &c, now).await,
        Ok(false)
    );
}

pub async fn moves_put_a_photo_before_another_or_at_the_end(store: &dyn AlbumCatalog) {
    const CHECK: &str = "moves_put_a_photo_before_another_or_at_the_end";
    let run = &Run::new();
    let owner = run.owner("mover");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "order", now)).await;
    let id = album.id.as_str();
    let [a, b, c, d, e] = [(); 5].map(|()| run.photo_id());
    let all = [a.clone(), b.clone(), c.clone(), d.clone(), e.clone()];
    assert_eq!(store.add_to_album(&owner, id, &all, now).await, Ok(Some(5)));
    let order = || photos_of(store, &owner, id);

    assert_eq!(
        store.move_in_album(&owner, id, &e, Some(&a), now + 1).await,
        Ok(true)
    );
    assert_eq!(
        order().await,
        [&e, &a, &b, &c, &d].map(Clone::clone),
        "{CHECK}: to the front"
    );
    assert_eq!(stored(store, &owner, id).await.updated_at_ms, now + 1);
    assert_eq!(
        store.move_in_album(&owner, id, &a, None, now + 2).await,
        Ok(true)
    );
    assert_eq!(
        order().await,
        [&e, &b, &c, &d, &a].map(Clone::clone),
        "{CHECK}: to the end"
    );
    assert_eq!(
        store.move_in_album(&owner, id, &c, Some(&b), now + 3).await,
        Ok(true)
    );
    let settled = [&e, &c, &b, &d, &a].map(Clone::clone);
    assert_eq!(order().await, settled, "{CHECK}: between two");

    let before = stored(store, &owner, id).await;
    for (photo, target) in [(&b, Some(&b)), (&d, Some(&a)), (&a, None), (&e, Some(&c))] {
        let moved = store
            .move_in_album(&owner, id, photo, target, now + 9)
            .await;
        assert_eq!(
            moved,
            Ok(true),
            "{CHECK}: {photo} already before {target:?}"
        );
    }
    assert_eq!(order().await, settled, "{CHECK}: moves to where photos are");
    assert_eq!(
        stored(store, &owner, id).await,
        before,
        "{CHECK}: change nothing"
    );

    let outsider = run.photo_id();
    for (photo, target) in [
        (&outsider, Some(&a)),
        (&a, Some(&outsider)),
        (&outsider, None),
    ] {
        let moved = store
            .move_in_album(&owner, id, photo, target, now + 9)
            .await;
        assert_eq!(moved, Ok(false), "{CHECK}: {photo} before {target:?}");
    }
    let missing = run.album_id();
    let moved = store
        .move_in_album(&owner, &missing, &a, Some(&b), now)
        .await;
    assert_eq!(moved, Ok(false), "{CHECK}: no such album");
    assert_eq!(order().await, settled);
    assert_eq!(stored(store, &owner, id).await.photo_count, 5);
}

pub async fn repeated_moves_into_one_spot_keep_a_total_order(store: &dyn AlbumCatalog) {
    const CHECK: &str = "repeated_moves_into_one_spot_keep_a_total_order";
    let run = &Run::new();
    let owner = run.owner("shuffler");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "shuffle", now)).await;
    let id = album.id.as_str();
    let mut expected: Vec<PhotoId> = (0..8).map(|_| run.photo_id()).collect();
    assert_eq!(
        store.add_to_album(&owner, id, &expected, now).await,
        Ok(Some(8))
    );
    // Mostly into the spot after the first photo: each move there halves the room, so the
    // album runs out of room twice (an adapter renumbers its photos then).
    for round in 0..50 {
        let (photo, target) = match round % 25 {
            // Twice to the front and to the end as well.
            23 => (expected[4].clone(), Some(expected[0].clone())),
            24 => (expected[2].clone(), None),
            _ => (expected[7].clone(), Some(expected[1].clone())),
        };
        let moved = store
            .move_in_album(&owner, id, &photo, target.as_ref(), now + round)
            .await;
        assert_eq!(moved, Ok(true), "{CHECK}: round {round}");
        expected.retain(|p| p != &photo);
        let at = target.map_or(expected.len(), |t| {
            expected.iter().position(|p| p == &t).expect("target")
        });
        expected.insert(at, photo);
        assert_eq!(
            photos_of(store, &owner, id).await,
            expected,
            "{CHECK}: round {round}"
        );
    }
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .album_photo_ids(&owner, id, cursor.as_deref(), 3)
            .await
            .expect("page");
        paged.extend(page.photo_ids);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, expected, "{CHECK}: pages of the final order");
    assert_eq!(stored(store, &owner, id).await.photo_count, 8);
}

pub async fn paging_visits_every_photo_once_in_album_order(store: &dyn AlbumCatalog) {
    const CHECK: &str = "paging_visits_every_photo_once_in_album_order";
    let run = &Run::new();
    let owner = run.owner("pager");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "pages", now)).await;
    let id = album.id.as_str();
    // Added against the order of their ids, in three calls.
    let mut photos: Vec<PhotoId> = (0..25).map(|_| run.photo_id()).collect();
    photos.reverse();
    for chunk in photos.chunks(9) {
        let added = store.add_to_album(&owner, id, chunk, now).await;
        assert_eq!(added, Ok(Some(chunk.len() as u64)));
    }
    let owner = &owner;
    let page = |cursor: Option<String>, limit| async move {
        store
            .album_photo_ids(owner, id, cursor.as_deref(), limit)
            .await
            .expect("page")
    };
    let first = page(None, 10).await;
    assert_eq!(first.photo_ids, photos[..10], "{CHECK}: page 1");
    // A photo appended between two page loads shows at the end, nothing repeats or is skipped.
    let late = run.photo_id();
    assert_eq!(
        store
            .add_to_album(owner, id, std::slice::from_ref(&late), now)
            .await,
        Ok(Some(1))
    );
    photos.push(late);
    let second = page(first.next_cursor.clone(), 10).await;
    assert_eq!(second.photo_ids, photos[10..20], "{CHECK}: page 2");
    let third = page(second.next_cursor.clone(), 10).await;
    assert_eq!(third.photo_ids, photos[20..], "{CHECK}: page 3");
    assert_eq!(third.next_cursor, None, "{CHECK}: the last page says so");

    let one = page(None, 0).await;
    assert_eq!(
        one.photo_ids,
        photos[..1],
        "{CHECK}: limit 0 gives one photo"
    );
    assert!(one.next_cursor.is_some(), "{CHECK}: and still pages");
    let huge = page(None, usize::MAX).await;
    assert_eq!(huge.photo_ids, photos, "{CHECK}: a huge limit is clamped");
    assert_eq!(huge.next_cursor, None);
}

pub async fn malformed_album_cursors_are_invalid(store: &dyn AlbumCatalog) {
    const CHECK: &str = "malformed_album_cursors_are_invalid";
    let run = &Run::new();
    let owner = run.owner("cursor");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "cursors", now)).await;
    let photo = run.photo_id();
    assert_eq!(
        store.add_to_album(&owner, &album.id, &[photo], now).await,
        Ok(Some(1))
    );
    let missing = run.album_id();
    for bad in [
        "",
        " ",
        "not a cursor",
        "!!!",
        "\0",
        "../../etc/passwd",
        "%ZZ",
        "12.ABC",
        "1.2.3",
        "+5.abc",
    ] {
        for id in [album.id.as_str(), missing.as_str()] {
            let listed = store.album_photo_ids(&owner, id, Some(bad), 10).await;
            assert_eq!(
                listed,
                Err(StorageError::InvalidCursor),
                "{CHECK}: cursor {bad:?} on {id:?}"
            );
        }
    }
}

/// Photos of the album, for checks of other modules.
pub(super) async fn fill(
    store: &dyn AlbumCatalog,
    owner: &OwnerId,
    id: &str,
    photos: &[PhotoId],
    now: i64,
) {
    let added = store.add_to_album(owner, id, photos, now).await;
    assert_eq!(added, Ok(Some(photos.len() as u64)), "fill album {id:?}");
}
