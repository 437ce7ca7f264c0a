//! Share link checks: found by token until they expire, listed newest first, deleted only by
//! their owner, and only ever stored for an album that exists.

use super::deletion::newest_first;
use super::{created, AlbumCatalog};
use crate::contract::helpers::now_ms;
use crate::contract::run::Run;
use crate::{Share, StorageError};

const HOUR_MS: i64 = 60 * 60 * 1000;

pub async fn shares_round_trip_and_end_at_their_expiry(store: &dyn AlbumCatalog) {
    const CHECK: &str = "shares_round_trip_and_end_at_their_expiry";
    let run = &Run::new();
    let owner = run.owner("sharer");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "shared", now)).await;
    let to_album = run.album_share(&owner, &album.id, now);
    let to_photo = run.photo_share(&owner, &run.photo_id(), now);
    for link in [&to_album, &to_photo] {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
        assert_eq!(
            store.share(&link.token, now).await,
            Ok(Some(link.clone())),
            "{CHECK}: every field"
        );
    }
    let expires = to_album.expires_at_ms.expect("an expiry");
    let at = |now_ms| store.share(&to_album.token, now_ms);
    assert_eq!(at(expires - 1).await, Ok(Some(to_album.clone())));
    assert_eq!(at(expires).await, Ok(None), "{CHECK}: at expiry");
    assert_eq!(at(expires + HOUR_MS).await, Ok(None));
    let much_later = now + 100 * 365 * 24 * HOUR_MS;
    assert_eq!(
        store.share(&to_photo.token, much_later).await,
        Ok(Some(to_photo)),
        "{CHECK}: no expiry, no end"
    );
    assert_eq!(store.share(&run.share_token(), now).await, Ok(None));
}

pub async fn shares_are_listed_newest_first_without_expired_ones(store: &dyn AlbumCatalog) {
    const CHECK: &str = "shares_are_listed_newest_first_without_expired_ones";
    let run = &Run::new();
    let (owner, other) = (run.owner("lister"), run.owner("other"));
    let now = now_ms();
    let album = created(store, &run.album(&owner, "shared", now)).await;
    let short = Share {
        expires_at_ms: Some(now + 10),
        ..run.photo_share(&owner, &run.photo_id(), now)
    };
    let mut live = Vec::new();
    for (n, at) in [now + 2_000, now + 1_000, now + 1_000, now + 3]
        .into_iter()
        .enumerate()
    {
        live.push(if n % 2 == 0 {
            run.album_share(&owner, &album.id, at)
        } else {
            run.photo_share(&owner, &run.photo_id(), at)
        });
    }
    let theirs = run.photo_share(&other, &run.photo_id(), now);
    for link in [&short, &theirs].into_iter().chain(&live) {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }
    assert_eq!(
        store.shares_of(&owner, now + 500).await,
        Ok(newest_first(&live)),
        "{CHECK}: created_at DESC, then token DESC, the expired one left out"
    );
    assert_eq!(store.shares_of(&other, now).await, Ok(vec![theirs]));
    assert_eq!(store.shares_of(&run.owner("nobody"), now).await, Ok(vec![]));
}

pub async fn shares_are_deleted_only_by_their_owner(store: &dyn AlbumCatalog) {
    const CHECK: &str = "shares_are_deleted_only_by_their_owner";
    let run = &Run::new();
    let (alice, mallory) = (run.owner("alice"), run.owner("mallory"));
    let now = now_ms();
    let album = created(store, &run.album(&alice, "shared", now)).await;
    let links = [
        run.album_share(&alice, &album.id, now),
        run.photo_share(&alice, &run.photo_id(), now + 1),
    ];
    for link in &links {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
        assert_eq!(
            store.delete_share(&mallory, &link.token).await,
            Ok(false),
            "{CHECK}: another owner"
        );
        assert_eq!(store.share(&link.token, now).await, Ok(Some(link.clone())));
    }
    let [first, second] = &links;
    assert_eq!(
        store.delete_share(&alice, &first.token).await,
        Ok(true),
        "{CHECK}"
    );
    assert_eq!(store.share(&first.token, now).await, Ok(None));
    assert_eq!(
        store.delete_share(&alice, &first.token).await,
        Ok(false),
        "{CHECK}: again"
    );
    assert_eq!(store.shares_of(&alice, now).await, Ok(vec![second.clone()]));
    assert_eq!(
        store.album(&alice, &album.id).await.map(|a| a.is_some()),
        Ok(true),
        "{CHECK}: the album stays"
    );
}

pub async fn shares_need_one_target_an_album_and_a_new_token(store: &dyn AlbumCatalog) {
    const CHECK: &str = "shares_need_one_target_an_album_and_a_new_token";
    let run = &Run::new();
    let (owner, other) = (run.owner("owner"), run.owner("other"));
    let now = now_ms();
    let album = created(store, &run.album(&owner, "shared", now)).await;
    let photo = run.photo_id();
    let both = Share {
        photo_id: Some(photo.clone()),
        ..run.album_share(&owner, &album.id, now)
    };
    let neither = Share {
        album_id: None,
        ..run.album_share(&owner, &album.id, now)
    };
    for refused in [&both, &neither] {
        assert!(
            matches!(
                store.create_share(refused.clone()).await,
                Err(StorageError::Backend(_))
            ),
            "{CHECK}: {refused:?}"
        );
        assert_eq!(store.share(&refused.token, now).await, Ok(None));
    }
    for orphan in [
        run.album_share(&owner, &run.album_id(), now),
        run.album_share(&other, &album.id, now),
    ] {
        assert_eq!(
            store.create_share(orphan.clone()).await,
            Ok(false),
            "{CHECK}: no such album of {:?}",
            orphan.owner
        );
        assert_eq!(store.share(&orphan.token, now).await, Ok(None));
    }

    let first = run.photo_share(&owner, &photo, now);
    assert_eq!(store.create_share(first.clone()).await, Ok(true));
    let same_token = Share {
        token: first.token.clone(),
        ..run.album_share(&owner, &album.id, now + 1)
    };
    assert!(
        matches!(
            store.create_share(same_token).await,
            Err(StorageError::Backend(_))
        ),
        "{CHECK}: a token already stored"
    );
    assert_eq!(
        store.share(&first.token, now).await,
        Ok(Some(first.clone())),
        "{CHECK}: the first keeps it"
    );
    assert_eq!(store.shares_of(&owner, now).await, Ok(vec![first]));
}
