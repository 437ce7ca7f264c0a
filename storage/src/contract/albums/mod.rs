//! Album checks: albums themselves here, the photos in them and their order in `order`,
//! deletions in `deletion`, share links in `shares`.
//!
//! The checks take an [`AlbumCatalog`], a store that is both the album store and the catalog,
//! as every adapter is: most use bare photo ids (the service, not storage, checks that photos
//! exist), and the deletion checks also catalogue photos to show that no album operation
//! deletes one. Every check uses owners of its own and tolerates neighbours.

mod deletion;
mod order;
mod shares;

pub use deletion::*;
pub use order::*;
pub use shares::*;

use super::helpers::now_ms;
use super::run::Run;
use crate::albums::{Album, AlbumPage, AlbumStore};
use crate::catalog::Catalog;
use crate::StorageError;
use gaillery_core::{OwnerId, PhotoId};

/// An album store that is also the catalog of the photos in its albums.
pub trait AlbumCatalog: AlbumStore + Catalog {}

impl<T: AlbumStore + Catalog + ?Sized> AlbumCatalog for T {}

/// Runs every album check, one after the other on `store`.
pub async fn all_checks(store: &dyn AlbumCatalog) {
    crate::__contract_checks!(albums => __contract_run_each!((store)));
}

pub async fn albums_round_trip_newest_first(store: &dyn AlbumCatalog) {
    const CHECK: &str = "albums_round_trip_newest_first";
    let run = &Run::new();
    let owner = run.owner("lister");
    let now = now_ms();
    let mut albums = Vec::new();
    for (title, at) in [
        ("Été 2026 🌞", now),
        ("Zoo", now + 2_000),
        ("a/b #c", now + 1_000),
        ("same instant", now + 1_000),
    ] {
        albums.push(created(store, &run.album(&owner, title, at)).await);
    }
    for album in &albums {
        assert_eq!(
            store.album(&owner, &album.id).await,
            Ok(Some(album.clone())),
            "{CHECK}: every field"
        );
    }
    let mut newest_first = albums.clone();
    newest_first.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
    assert_eq!(store.albums_of(&owner).await, Ok(newest_first), "{CHECK}");
    assert_eq!(store.album(&owner, &run.album_id()).await, Ok(None));
    assert_eq!(store.albums_of(&run.owner("nobody")).await, Ok(vec![]));

    let counted = Album {
        photo_count: 7,
        ..run.album(&owner, "claims photos", now)
    };
    store.create_album(counted.clone()).await.expect("create");
    assert_eq!(
        store.album(&owner, &counted.id).await,
        Ok(Some(Album {
            photo_count: 0,
            ..counted
        })),
        "{CHECK}: a new album is empty, whatever it says"
    );
}

pub async fn album_ids_are_per_owner_and_taken_ones_refused(store: &dyn AlbumCatalog) {
    const CHECK: &str = "album_ids_are_per_owner_and_taken_ones_refused";
    let run = &Run::new();
    let (ann, ben) = (run.owner("ann"), run.owner("ben"));
    let now = now_ms();
    let first = created(store, &run.album(&ann, "first", now)).await;
    let again = Album {
        title: "again".into(),
        ..first.clone()
    };
    assert!(
        matches!(
            store.create_album(again).await,
            Err(StorageError::Backend(_))
        ),
        "{CHECK}: an id taken by the same owner"
    );
    assert_eq!(store.album(&ann, &first.id).await, Ok(Some(first.clone())));

    let theirs = created(
        store,
        &Album {
            owner: ben.clone(),
            title: "ben's".into(),
            ..first.clone()
        },
    )
    .await;
    let (p, q) = (run.photo_id(), run.photo_id());
    assert_eq!(
        store
            .add_to_album(&ann, &first.id, std::slice::from_ref(&p), now)
            .await,
        Ok(Some(1))
    );
    assert_eq!(
        store
            .add_to_album(&ben, &theirs.id, std::slice::from_ref(&q), now)
            .await,
        Ok(Some(1))
    );
    assert_eq!(photos_of(store, &ann, &first.id).await, [p], "{CHECK}");
    assert_eq!(photos_of(store, &ben, &theirs.id).await, [q]);
    assert_eq!(store.delete_album(&ben, &theirs.id).await, Ok(true));
    assert_eq!(
        store
            .album(&ann, &first.id)
            .await
            .map(|a| a.map(|a| a.photo_count)),
        Ok(Some(1)),
        "{CHECK}: the same id of another owner is another album"
    );

    for refused in [
        Album {
            cover: Some(run.photo_id()),
            ..run.album(&ann, "with a cover", now)
        },
        Album {
            id: String::new(),
            ..run.album(&ann, "no id", now)
        },
    ] {
        assert!(
            matches!(
                store.create_album(refused.clone()).await,
                Err(StorageError::Backend(_))
            ),
            "{CHECK}: {refused:?}"
        );
    }
}

pub async fn odd_album_ids_and_owners_never_collide(store: &dyn AlbumCatalog) {
    const CHECK: &str = "odd_album_ids_and_owners_never_collide";
    let run = &Run::new();
    let now = now_ms();
    // Owner and id joined with `#` spell the same string in both pairs.
    let pairs = [
        (OwnerId(format!("odd-{}-x#y", run.tag)), "z".to_owned()),
        (OwnerId(format!("odd-{}-x", run.tag)), "y#z".to_owned()),
        (OwnerId(format!("odd-{}-x#", run.tag)), "#y#z".to_owned()),
        (
            OwnerId(format!("odd-{}-ünï cødé", run.tag)),
            "a/b c 🐈".to_owned(),
        ),
    ];
    let mut photos = Vec::new();
    for (owner, id) in &pairs {
        let album = Album {
            id: id.clone(),
            ..run.album(owner, id, now)
        };
        created(store, &album).await;
        let photo = run.photo_id();
        assert_eq!(
            store
                .add_to_album(owner, id, std::slice::from_ref(&photo), now)
                .await,
            Ok(Some(1))
        );
        photos.push(photo);
    }
    for ((owner, id), photo) in pairs.iter().zip(&photos) {
        assert_eq!(
            photos_of(store, owner, id).await,
            std::slice::from_ref(photo),
            "{CHECK}: {owner:?} {id:?}"
        );
        assert_eq!(
            store.albums_of_photo(owner, photo).await,
            Ok(vec![id.clone()])
        );
        assert_eq!(store.albums_of(owner).await.map(|a| a.len()), Ok(1));
    }
    let (owner, id) = &pairs[0];
    assert_eq!(store.delete_album(owner, id).await, Ok(true));
    for ((owner, id), photo) in pairs[1..].iter().zip(&photos[1..]) {
        assert_eq!(
            photos_of(store, owner, id).await,
            std::slice::from_ref(photo),
            "{CHECK}: {owner:?} {id:?} survives"
        );
    }
}

pub async fn another_owners_album_is_absent_to_every_call(store: &dyn AlbumCatalog) {
    const CHECK: &str = "another_owners_album_is_absent_to_every_call";
    let run = &Run::new();
    let (alice, mallory) = (run.owner("alice"), run.owner("mallory"));
    let now = now_ms();
    let album = created(store, &run.album(&alice, "private", now)).await;
    let id = album.id.as_str();
    let photos = [run.photo_id(), run.photo_id()];
    assert_eq!(
        store.add_to_album(&alice, id, &photos, now).await,
        Ok(Some(2))
    );
    assert_eq!(
        store
            .set_album_cover(&alice, id, Some(&photos[0]), now)
            .await,
        Ok(true)
    );
    let album_link = run.album_share(&alice, id, now);
    let photo_link = run.photo_share(&alice, &photos[0], now);
    for link in [&album_link, &photo_link] {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }
    let before = store.album(&alice, id).await.expect("album");

    let later = now + 1_000;
    assert_eq!(store.album(&mallory, id).await, Ok(None), "{CHECK}: album");
    assert_eq!(store.albums_of(&mallory).await, Ok(vec![]));
    assert_eq!(
        store.rename_album(&mallory, id, "mine", later).await,
        Ok(false)
    );
    for cover in [Some(&photos[1]), None] {
        let set = store.set_album_cover(&mallory, id, cover, later).await;
        assert_eq!(set, Ok(false), "{CHECK}: cover {cover:?}");
    }
    let added = store
        .add_to_album(&mallory, id, &[run.photo_id()], later)
        .await;
    assert_eq!(added, Ok(None), "{CHECK}: add");
    let removed = store
        .remove_from_album(&mallory, id, &photos[0], later)
        .await;
    assert_eq!(removed, Ok(false), "{CHECK}: remove");
    for before in [Some(&photos[0]), None] {
        let moved = store
            .move_in_album(&mallory, id, &photos[1], before, later)
            .await;
        assert_eq!(moved, Ok(false), "{CHECK}: move before {before:?}");
    }
    let page = store.album_photo_ids(&mallory, id, None, 10).await;
    assert_eq!(page, Ok(AlbumPage::default()), "{CHECK}: photos");
    assert_eq!(
        store.albums_of_photo(&mallory, &photos[0]).await,
        Ok(vec![])
    );
    assert_eq!(
        store.remove_photo_from_albums(&mallory, &photos[0]).await,
        Ok(())
    );
    for link in [&album_link, &photo_link] {
        assert_eq!(store.delete_share(&mallory, &link.token).await, Ok(false));
    }
    let hijack = run.album_share(&mallory, id, later);
    assert_eq!(
        store.create_share(hijack).await,
        Ok(false),
        "{CHECK}: share"
    );
    assert_eq!(store.shares_of(&mallory, later).await, Ok(vec![]));
    assert_eq!(store.delete_albums_of(&mallory).await, Ok(0));
    assert_eq!(
        store.delete_album(&mallory, id).await,
        Ok(false),
        "{CHECK}: delete"
    );

    assert_eq!(
        store.album(&alice, id).await,
        Ok(before),
        "{CHECK}: untouched"
    );
    assert_eq!(photos_of(store, &alice, id).await, photos);
    assert_eq!(
        store.albums_of_photo(&alice, &photos[0]).await,
        Ok(vec![album.id.clone()])
    );
    for link in [&album_link, &photo_link] {
        assert_eq!(store.share(&link.token, now).await, Ok(Some(link.clone())));
    }
}

pub async fn albums_are_renamed(store: &dyn AlbumCatalog) {
    const CHECK: &str = "albums_are_renamed";
    let run = &Run::new();
    let owner = run.owner("renamer");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "Untitled", now)).await;
    let title = "Noël à Paris 🎄";
    assert_eq!(
        store.rename_album(&owner, &album.id, title, now + 5).await,
        Ok(true)
    );
    assert_eq!(
        store.album(&owner, &album.id).await,
        Ok(Some(Album {
            title: title.to_owned(),
            updated_at_ms: now + 5,
            ..album
        })),
        "{CHECK}: the title and the time of the change"
    );
    let missing = store
        .rename_album(&owner, &run.album_id(), title, now)
        .await;
    assert_eq!(missing, Ok(false), "{CHECK}: no such album");
}

pub async fn covers_are_set_cleared_and_must_be_photos_of_the_album(store: &dyn AlbumCatalog) {
    const CHECK: &str = "covers_are_set_cleared_and_must_be_photos_of_the_album";
    let run = &Run::new();
    let owner = run.owner("coverer");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "covers", now)).await;
    let id = album.id.as_str();
    let photos = [run.photo_id(), run.photo_id()];
    assert_eq!(
        store.add_to_album(&owner, id, &photos, now).await,
        Ok(Some(2))
    );

    assert_eq!(
        store
            .set_album_cover(&owner, id, Some(&photos[1]), now + 1)
            .await,
        Ok(true)
    );
    let covered = stored(store, &owner, id).await;
    assert_eq!(
        (covered.cover.as_ref(), covered.updated_at_ms),
        (Some(&photos[1]), now + 1),
        "{CHECK}: set"
    );
    let outsider = run.photo_id();
    assert_eq!(
        store
            .set_album_cover(&owner, id, Some(&outsider), now + 2)
            .await,
        Ok(false),
        "{CHECK}: a photo not in the album"
    );
    assert_eq!(
        stored(store, &owner, id).await,
        covered,
        "{CHECK}: nothing changed"
    );
    assert_eq!(
        store
            .set_album_cover(&owner, id, Some(&photos[0]), now + 3)
            .await,
        Ok(true)
    );
    assert_eq!(
        stored(store, &owner, id).await.cover,
        Some(photos[0].clone())
    );
    assert_eq!(
        store.set_album_cover(&owner, id, None, now + 4).await,
        Ok(true)
    );
    let cleared = stored(store, &owner, id).await;
    assert_eq!(
        (cleared.cover, cleared.updated_at_ms),
        (None, now + 4),
        "{CHECK}: cleared"
    );
    let missing = run.album_id();
    for cover in [Some(&photos[0]), None] {
        let set = store.set_album_cover(&owner, &missing, cover, now).await;
        assert_eq!(set, Ok(false), "{CHECK}: no such album, cover {cover:?}");
    }
}

/// Creates `album` and returns it as stored.
pub(super) async fn created(store: &dyn AlbumCatalog, album: &Album) -> Album {
    store
        .create_album(album.clone())
        .await
        .unwrap_or_else(|e| panic!("create album {:?}: {e}", album.id));
    album.clone()
}

/// Every photo of the album in album order, read a page of 200 at a time.
pub(super) async fn photos_of(store: &dyn AlbumCatalog, owner: &OwnerId, id: &str) -> Vec<PhotoId> {
    let mut photos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .album_photo_ids(owner, id, cursor.as_deref(), 200)
            .await
            .unwrap_or_else(|e| panic!("photos of album {id:?}: {e}"));
        photos.extend(page.photo_ids);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return photos,
        }
    }
}

/// The album as stored now; panics if it is missing.
pub(super) async fn stored(store: &dyn AlbumCatalog, owner: &OwnerId, id: &str) -> Album {
    store
        .album(owner, id)
        .await
        .unwrap_or_else(|e| panic!("album {id:?}: {e}"))
        .unwrap_or_else(|| panic!("album {id:?} is missing"))
}
