//! Deletions: an album with its memberships and links, a photo from every album, an owner's
//! albums; never a photo of the catalog, never anything of another album or owner.

use super::order::fill;
use super::{created, photos_of, stored, AlbumCatalog};
use crate::contract::helpers::{clear, now_ms};
use crate::contract::run::Run;
use crate::Share;
use gaillery_core::PhotoId;

pub async fn deleting_an_album_takes_its_photos_and_links_and_nothing_else(
    store: &dyn AlbumCatalog,
) {
    const CHECK: &str = "deleting_an_album_takes_its_photos_and_links_and_nothing_else";
    let run = &Run::new();
    let owner = run.owner("deleter");
    let now = now_ms();
    // Real photos in the catalog, to show that no album deletion touches them.
    let mut photos = Vec::new();
    for n in 0..4 {
        let new = run.new_photo(&owner, now + n);
        store.insert_photo(new.clone()).await.expect("insert photo");
        photos.push(new.id);
    }
    let [p0, p1, p2, p3] = [0, 1, 2, 3].map(|n| photos[n].clone());
    let gone = created(store, &run.album(&owner, "gone", now)).await;
    let kept = created(store, &run.album(&owner, "kept", now)).await;
    fill(
        store,
        &owner,
        &gone.id,
        &[p0.clone(), p1.clone(), p2.clone()],
        now,
    )
    .await;
    fill(store, &owner, &kept.id, &[p1.clone(), p3.clone()], now).await;
    assert_eq!(
        store
            .set_album_cover(&owner, &gone.id, Some(&p1), now)
            .await,
        Ok(true)
    );
    let gone_links = [
        run.album_share(&owner, &gone.id, now),
        run.album_share(&owner, &gone.id, now + 1),
    ];
    let kept_links = [
        run.album_share(&owner, &kept.id, now + 2),
        run.photo_share(&owner, &p0, now + 3),
    ];
    for link in gone_links.iter().chain(&kept_links) {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }
    let kept_before = stored(store, &owner, &kept.id).await;

    assert_eq!(
        store.delete_album(&owner, &gone.id).await,
        Ok(true),
        "{CHECK}"
    );
    assert_eq!(store.album(&owner, &gone.id).await, Ok(None));
    assert_eq!(
        photos_of(store, &owner, &gone.id).await,
        [],
        "{CHECK}: no photos"
    );
    assert_eq!(store.albums_of_photo(&owner, &p0).await, Ok(vec![]));
    assert_eq!(
        store.albums_of_photo(&owner, &p1).await,
        Ok(vec![kept.id.clone()])
    );
    for link in &gone_links {
        let found = store.share(&link.token, now).await;
        assert_eq!(found, Ok(None), "{CHECK}: its links are gone");
    }
    for link in &kept_links {
        let found = store.share(&link.token, now).await;
        assert_eq!(found, Ok(Some(link.clone())), "{CHECK}: other links stay");
    }
    assert_eq!(
        store.shares_of(&owner, now).await,
        Ok(newest_first(&kept_links)),
        "{CHECK}"
    );
    assert_eq!(store.album(&owner, &kept.id).await, Ok(Some(kept_before)));
    assert_eq!(
        photos_of(store, &owner, &kept.id).await,
        [p1.clone(), p3.clone()]
    );
    for photo in &photos {
        let found = store.photo(&owner, photo).await.expect("photo");
        assert!(
            found.is_some(),
            "{CHECK}: photo {photo} is still catalogued"
        );
    }
    assert_eq!(
        store.delete_album(&owner, &gone.id).await,
        Ok(false),
        "{CHECK}: again"
    );

    // The same id again is a new, empty album.
    let reborn = created(store, &gone).await;
    assert_eq!(
        stored(store, &owner, &reborn.id).await.photo_count,
        0,
        "{CHECK}"
    );
    assert_eq!(photos_of(store, &owner, &reborn.id).await, []);
    fill(store, &owner, &reborn.id, &[p2], now).await;
    clear(store, &owner).await;
}

pub async fn large_albums_are_filled_and_deleted_whole(store: &dyn AlbumCatalog) {
    const CHECK: &str = "large_albums_are_filled_and_deleted_whole";
    let run = &Run::new();
    let owner = run.owner("large");
    let now = now_ms();
    let album = created(store, &run.album(&owner, "large", now)).await;
    let id = album.id.as_str();
    // More than a DynamoDB transaction holds, with their links.
    let mut photos: Vec<PhotoId> = (0..130).map(|_| run.photo_id()).collect();
    photos.reverse();
    fill(store, &owner, id, &photos, now).await;
    let more: Vec<PhotoId> = (0..5).map(|_| run.photo_id()).collect();
    let again: Vec<PhotoId> = photos.iter().chain(&more).cloned().collect();
    assert_eq!(
        store.add_to_album(&owner, id, &again, now + 1).await,
        Ok(Some(5)),
        "{CHECK}: only the new ones"
    );
    photos.extend(more);
    assert_eq!(
        photos_of(store, &owner, id).await,
        photos,
        "{CHECK}: in order"
    );
    assert_eq!(stored(store, &owner, id).await.photo_count, 135);
    let links: Vec<Share> = (0..60)
        .map(|n| run.album_share(&owner, id, now + n))
        .collect();
    for link in &links {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }

    assert_eq!(store.delete_album(&owner, id).await, Ok(true), "{CHECK}");
    assert_eq!(
        photos_of(store, &owner, id).await,
        [],
        "{CHECK}: every photo left"
    );
    for photo in photos.iter().step_by(11) {
        assert_eq!(
            store.albums_of_photo(&owner, photo).await,
            Ok(vec![]),
            "{CHECK}"
        );
    }
    assert_eq!(
        store.shares_of(&owner, now).await,
        Ok(vec![]),
        "{CHECK}: every link"
    );
    assert_eq!(store.share(&links[0].token, now).await, Ok(None));
}

pub async fn deleted_photos_leave_every_album_and_their_links(store: &dyn AlbumCatalog) {
    const CHECK: &str = "deleted_photos_leave_every_album_and_their_links";
    let run = &Run::new();
    let owner = run.owner("photo-deleter");
    let now = now_ms();
    let [p0, p1, p2] = [(); 3].map(|()| run.photo_id());
    let a = created(store, &run.album(&owner, "a", now)).await;
    let b = created(store, &run.album(&owner, "b", now)).await;
    let c = created(store, &run.album(&owner, "c", now)).await;
    fill(
        store,
        &owner,
        &a.id,
        &[p0.clone(), p1.clone(), p2.clone()],
        now,
    )
    .await;
    fill(store, &owner, &b.id, std::slice::from_ref(&p1), now).await;
    fill(store, &owner, &c.id, std::slice::from_ref(&p0), now).await;
    for album in [&a, &b] {
        let cover = store
            .set_album_cover(&owner, &album.id, Some(&p1), now + 1)
            .await;
        assert_eq!(cover, Ok(true));
    }
    let gone_link = run.photo_share(&owner, &p1, now);
    let kept_links = [
        run.photo_share(&owner, &p0, now),
        run.album_share(&owner, &a.id, now),
    ];
    for link in kept_links.iter().chain([&gone_link]) {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }

    for _ in 0..2 {
        let removed = store.remove_photo_from_albums(&owner, &p1).await;
        assert_eq!(removed, Ok(()), "{CHECK}: once, and again");
    }
    assert_eq!(
        photos_of(store, &owner, &a.id).await,
        [p0.clone(), p2],
        "{CHECK}"
    );
    assert_eq!(photos_of(store, &owner, &b.id).await, []);
    assert_eq!(photos_of(store, &owner, &c.id).await, [p0]);
    for album in [&a, &b] {
        let after = stored(store, &owner, &album.id).await;
        assert_eq!(
            (after.cover, after.updated_at_ms),
            (None, now + 1),
            "{CHECK}: the cover is cleared, nothing else changes"
        );
    }
    assert_eq!(stored(store, &owner, &a.id).await.photo_count, 2);
    assert_eq!(stored(store, &owner, &b.id).await.photo_count, 0);
    assert_eq!(store.albums_of_photo(&owner, &p1).await, Ok(vec![]));
    assert_eq!(
        store.share(&gone_link.token, now).await,
        Ok(None),
        "{CHECK}: its link"
    );
    for link in &kept_links {
        let found = store.share(&link.token, now).await;
        assert_eq!(found, Ok(Some(link.clone())), "{CHECK}: other links stay");
    }
}

pub async fn albums_of_photo_are_the_albums_holding_it(store: &dyn AlbumCatalog) {
    const CHECK: &str = "albums_of_photo_are_the_albums_holding_it";
    let run = &Run::new();
    let (owner, other) = (run.owner("holder"), run.owner("other"));
    let now = now_ms();
    let [photo, lonely] = [(); 2].map(|()| run.photo_id());
    let mut holding = Vec::new();
    for n in 0..4 {
        let album = created(store, &run.album(&owner, "album", now - n)).await;
        if n != 1 {
            fill(store, &owner, &album.id, std::slice::from_ref(&photo), now).await;
            holding.push(album.id);
        }
    }
    let theirs = created(store, &run.album(&other, "theirs", now)).await;
    fill(store, &other, &theirs.id, std::slice::from_ref(&photo), now).await;
    holding.sort();
    let of = |photo| store.albums_of_photo(&owner, photo);
    assert_eq!(
        of(&photo).await,
        Ok(holding.clone()),
        "{CHECK}: in id order"
    );
    assert_eq!(of(&lonely).await, Ok(vec![]), "{CHECK}: in none");
    let first = holding.remove(0);
    assert_eq!(
        store.remove_from_album(&owner, &first, &photo, now).await,
        Ok(true)
    );
    assert_eq!(of(&photo).await, Ok(holding), "{CHECK}: removed from one");
    assert_eq!(
        store.albums_of_photo(&other, &photo).await,
        Ok(vec![theirs.id]),
        "{CHECK}: per owner"
    );
}

pub async fn deleting_an_owners_albums_leaves_other_owners_whole(store: &dyn AlbumCatalog) {
    const CHECK: &str = "deleting_an_owners_albums_leaves_other_owners_whole";
    let run = &Run::new();
    let (gone, kept) = (run.owner("gone"), run.owner("kept"));
    let now = now_ms();
    let mut links: Vec<Share> = Vec::new();
    let mut photos = Vec::new();
    for owner in [&gone, &kept] {
        let new = run.new_photo(owner, now);
        store.insert_photo(new.clone()).await.expect("insert photo");
        photos.push(new.id.clone());
        for title in ["one", "two"] {
            let album = created(store, &run.album(owner, title, now)).await;
            fill(
                store,
                owner,
                &album.id,
                &[new.id.clone(), run.photo_id()],
                now,
            )
            .await;
            links.push(run.album_share(owner, &album.id, now));
        }
        links.push(run.photo_share(owner, &new.id, now));
    }
    for link in &links {
        assert_eq!(store.create_share(link.clone()).await, Ok(true));
    }
    let kept_albums = store.albums_of(&kept).await.expect("albums");

    assert_eq!(store.delete_albums_of(&gone).await, Ok(2), "{CHECK}");
    assert_eq!(store.albums_of(&gone).await, Ok(vec![]));
    assert_eq!(
        store.shares_of(&gone, now).await,
        Ok(vec![]),
        "{CHECK}: every link"
    );
    assert_eq!(store.albums_of_photo(&gone, &photos[0]).await, Ok(vec![]));
    assert_eq!(
        store.albums_of(&kept).await,
        Ok(kept_albums.clone()),
        "{CHECK}: kept"
    );
    for album in &kept_albums {
        assert_eq!(photos_of(store, &kept, &album.id).await.len(), 2, "{CHECK}");
    }
    for link in &links {
        let found = store.share(&link.token, now).await.expect("share");
        assert_eq!(found.is_some(), link.owner == kept, "{CHECK}: {link:?}");
    }
    for (owner, photo) in [&gone, &kept].into_iter().zip(&photos) {
        let found = store.photo(owner, photo).await.expect("photo");
        assert!(
            found.is_some(),
            "{CHECK}: photos are the catalog's to delete"
        );
    }
    assert_eq!(store.delete_albums_of(&gone).await, Ok(0), "{CHECK}: again");
    for owner in [&gone, &kept] {
        clear(store, owner).await;
    }
}

/// Links in the order `shares_of` lists them.
pub(super) fn newest_first(links: &[Share]) -> Vec<Share> {
    let mut sorted = links.to_vec();
    sorted.sort_by(|a, b| (b.created_at_ms, &b.token).cmp(&(a.created_at_ms, &a.token)));
    sorted
}
