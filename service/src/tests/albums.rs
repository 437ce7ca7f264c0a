//! Albums and share links over the in-memory store: an owner's albums hold only their photos,
//! a deleted photo leaves its albums, and a link shows what it shares and nothing else, until
//! it expires or is revoked, and only with its password when it has one.

use crate::accounts::PasswordCost;
use crate::albums::LinkTarget;
use crate::{Accounts, Albums, Gallery, GalleryConfig, ServiceError};
use gaillery_core::{OwnerId, PhotoId};
use gaillery_testkit::memory::{MemoryBlobStore, MemoryCatalog};
use std::sync::Arc;
use std::time::Duration;

struct Setup {
    gallery: Gallery,
    albums: Albums,
    _staging: tempfile::TempDir,
}

fn setup() -> Setup {
    let store = Arc::new(MemoryCatalog::new());
    let staging = tempfile::tempdir().expect("staging directory");
    let config = GalleryConfig {
        max_upload_bytes: 10_000_000,
        image_limits: Default::default(),
        staging_dir: staging.path().to_path_buf(),
        processing_slots: 1,
        decode_memory_bytes: 1 << 30,
        models: Vec::new(),
    };
    let gallery = Gallery::new(
        Arc::new(MemoryBlobStore::new()),
        Arc::clone(&store) as _,
        config,
    )
    .with_albums(Arc::clone(&store) as _);
    let accounts = Accounts::with_cost(Arc::clone(&store) as _, PasswordCost::Cheap);
    let albums = Albums::new(store, gallery.clone(), accounts);
    Setup {
        gallery,
        albums,
        _staging: staging,
    }
}

async fn photo_of(gallery: &Gallery, owner: &OwnerId, seed: u32) -> PhotoId {
    let mut upload = gallery.begin_upload("photo.jpg").await.unwrap();
    upload
        .write(&gaillery_testkit::photo_jpeg(64, 48, seed))
        .await
        .unwrap();
    gallery.ingest(owner, upload).await.unwrap().into_photo().id
}

fn alice() -> OwnerId {
    OwnerId("alice".into())
}

fn bob() -> OwnerId {
    OwnerId("bob".into())
}

#[tokio::test]
async fn an_album_holds_its_owners_photos_in_order_and_never_anyone_elses() {
    let Setup {
        gallery, albums, ..
    } = setup();
    let (first, second) = (
        photo_of(&gallery, &alice(), 1).await,
        photo_of(&gallery, &alice(), 2).await,
    );
    let bobs = photo_of(&gallery, &bob(), 3).await;
    let album = albums.create(&alice(), "  Holidays ").await.unwrap();
    assert_eq!(album.title, "Holidays");
    assert!(matches!(
        albums.create(&alice(), " ").await,
        Err(ServiceError::Invalid(_))
    ));

    assert_eq!(
        albums
            .add(&alice(), &album.id, &[second.clone(), first.clone()])
            .await
            .unwrap(),
        2
    );
    let refused = albums
        .add(&alice(), &album.id, std::slice::from_ref(&bobs))
        .await;
    assert!(
        matches!(refused, Err(ServiceError::NotFound)),
        "{refused:?}"
    );
    let page = albums
        .photos(&alice(), &album.id, None, None)
        .await
        .unwrap();
    let order: Vec<PhotoId> = page.photos.iter().map(|p| p.id.clone()).collect();
    assert_eq!(order, [second.clone(), first.clone()]);

    albums
        .reorder(&alice(), &album.id, &first, Some(&second))
        .await
        .unwrap();
    let page = albums
        .photos(&alice(), &album.id, None, None)
        .await
        .unwrap();
    assert_eq!(page.photos[0].id, first);

    // Bob cannot see, fill or delete it: it is no album of his.
    assert!(matches!(
        albums.get(&bob(), &album.id).await,
        Err(ServiceError::NoSuch("album"))
    ));
    assert!(matches!(
        albums.photos(&bob(), &album.id, None, None).await,
        Err(ServiceError::NoSuch(_))
    ));
    assert!(matches!(
        albums.delete(&bob(), &album.id).await,
        Err(ServiceError::NoSuch(_))
    ));

    // A deleted photo leaves the album; deleting the album deletes no photo.
    gallery.delete(&alice(), &second).await.unwrap();
    assert_eq!(
        albums.get(&alice(), &album.id).await.unwrap().photo_count,
        1
    );
    albums.delete(&alice(), &album.id).await.unwrap();
    assert!(gallery.photo(&alice(), &first).await.is_ok());
}

#[tokio::test]
async fn a_link_shows_its_album_and_nothing_else_until_revoked() {
    let Setup {
        gallery, albums, ..
    } = setup();
    let shown = photo_of(&gallery, &alice(), 1).await;
    let hidden = photo_of(&gallery, &alice(), 2).await;
    let album = albums.create(&alice(), "Shared").await.unwrap();
    albums
        .add(&alice(), &album.id, std::slice::from_ref(&shown))
        .await
        .unwrap();
    let link = albums
        .share_album(&alice(), &album.id, None, None)
        .await
        .unwrap();
    assert_eq!(link.token.len(), 64, "256 random bits");

    let opened = albums.open_link(&link.token, None).await.unwrap();
    assert!(matches!(&opened.target, LinkTarget::Album(a) if a.id == album.id));
    let page = albums.link_photos(&opened, None, None).await.unwrap();
    assert_eq!(page.photos.len(), 1);
    assert!(albums.link_image_source(&opened, &shown).await.is_ok());
    assert!(matches!(
        albums.link_image_source(&opened, &hidden).await,
        Err(ServiceError::NotFound)
    ));
    // Nobody else's link can be revoked, nor made for their album.
    assert!(matches!(
        albums.revoke_link(&bob(), &link.token).await,
        Err(ServiceError::NoSuch(_))
    ));
    assert!(matches!(
        albums.share_album(&bob(), &album.id, None, None).await,
        Err(ServiceError::NoSuch(_))
    ));

    albums.revoke_link(&alice(), &link.token).await.unwrap();
    assert!(matches!(
        albums.open_link(&link.token, None).await,
        Err(ServiceError::NoSuch("link"))
    ));
    assert!(matches!(
        albums.open_link("not a token", None).await,
        Err(ServiceError::NoSuch("link"))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_link_with_an_expiry_or_a_password_keeps_to_them() {
    let Setup {
        gallery, albums, ..
    } = setup();
    let photo = photo_of(&gallery, &alice(), 1).await;
    let expiring = albums
        .share_photo(&alice(), &photo, Some(1), None)
        .await
        .unwrap();
    assert!(albums.open_link(&expiring.token, None).await.is_ok());
    tokio::time::advance(Duration::from_secs(2 * 24 * 60 * 60)).await;
    assert!(matches!(
        albums.open_link(&expiring.token, None).await,
        Err(ServiceError::NoSuch(_))
    ));
    assert!(matches!(
        albums.share_photo(&alice(), &photo, Some(0), None).await,
        Err(ServiceError::Invalid(_))
    ));

    let locked = albums
        .share_photo(&alice(), &photo, None, Some("open sesame"))
        .await
        .unwrap();
    assert!(matches!(
        albums.open_link(&locked.token, None).await,
        Err(ServiceError::PasswordRequired)
    ));
    assert!(matches!(
        albums.unlock_link(&locked.token, "wrong guess", None).await,
        Err(ServiceError::PasswordRequired)
    ));
    let proof = albums
        .unlock_link(&locked.token, "open sesame", None)
        .await
        .unwrap();
    assert!(albums.open_link(&locked.token, Some(&proof)).await.is_ok());
    assert!(matches!(
        albums.open_link(&locked.token, Some("0000")).await,
        Err(ServiceError::PasswordRequired)
    ));
}
