//! What only the SQLite catalog promises: migrations, index use, lock and damage handling.

use super::schema::MIGRATIONS;
use super::*;
use rusqlite::params;

fn catalog() -> (tempfile::TempDir, PathBuf, SqliteCatalog) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let catalog = SqliteCatalog::open(&path).expect("open");
    (dir, path, catalog)
}

fn new_photo(id: &str, created_at_ms: i64) -> NewPhoto {
    NewPhoto {
        id: PhotoId::parse(id).expect("id"),
        owner: OwnerId::local(),
        filename: format!("{id}.jpg"),
        width: 10,
        height: 10,
        taken_at: None,
        format: "jpeg".into(),
        size_bytes: 1,
        sha256: format!("sha-{id}"),
        placeholder: String::new(),
        status: PhotoStatus::Queued,
        created_at_ms,
    }
}

/// A photo row as releases before the timeline wrote it (no `taken_key`), with its labels in
/// the JSON column and, every one of them, in the label index.
fn insert_old_row(
    conn: &Connection,
    id: &str,
    created_at_ms: i64,
    taken_at: Option<&str>,
    labels: &[(&str, f32)],
) {
    let json: Vec<serde_json::Value> = labels
        .iter()
        .map(|(label, p)| serde_json::json!({"label": label, "probability": p}))
        .collect();
    conn.execute(
        "INSERT INTO photos (id, owner, filename, width, height, taken_at, format, size_bytes,
                             sha256, placeholder, status, labels, created_at_ms)
         VALUES (?1, 'local', ?1, 10, 10, ?2, 'jpeg', 1, ?1, '', 'done', ?3, ?4)",
        params![
            id,
            taken_at,
            serde_json::Value::Array(json).to_string(),
            created_at_ms
        ],
    )
    .unwrap();
    for (label, _) in labels {
        // Step 2's label index; absent before it.
        let _ = conn.execute(
            "INSERT INTO photo_labels (photo_id, owner, label) VALUES (?1, 'local', ?2)",
            params![id, label],
        );
    }
}

/// A catalog file at the schema of the first `steps` migrations.
fn catalog_at_step(path: &Path, steps: usize) -> Connection {
    let conn = Connection::open(path).unwrap();
    for (step, sql) in MIGRATIONS[..steps].iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.pragma_update(None, "user_version", step as i64 + 1)
            .unwrap();
    }
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_from_before_the_timeline_gains_dates_counts_and_sure_labels() {
    use gaillery_core::TimelineOrder;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    {
        let conn = catalog_at_step(&path, 4);
        // 2026-11-26 upload; taken in May 2019, in an unreadable date, and not at all.
        let uploaded = 1_795_705_445_123;
        insert_old_row(
            &conn,
            "a",
            uploaded,
            Some("2019-05-04T10:00:00"),
            &[("fox squirrel", 0.6), ("titi monkey", 0.005)],
        );
        insert_old_row(
            &conn,
            "b",
            uploaded + 1,
            Some("2019-05-20T10:00:00"),
            &[("titi monkey", 0.04)],
        );
        insert_old_row(&conn, "c", uploaded + 2, Some("garbage"), &[]);
        insert_old_row(&conn, "d", uploaded + 3, None, &[]);
    }
    let catalog = SqliteCatalog::open(&path).expect("open");
    let owner = OwnerId::local();
    let months = |order| {
        let (catalog, owner) = (&catalog, &owner);
        async move {
            let months = catalog.timeline(owner, order, &[]).await.expect("timeline");
            months
                .into_iter()
                .map(|m| (m.month.to_string(), m.count))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        months(TimelineOrder::Taken).await,
        [("2026-11".to_owned(), 2), ("2019-05".to_owned(), 2)]
    );
    assert_eq!(
        months(TimelineOrder::Uploaded).await,
        [("2026-11".to_owned(), 4)]
    );
    let may = Month::parse("2019-05").unwrap();
    let page = catalog
        .list_month(&owner, TimelineOrder::Taken, may, &[], None, 10)
        .await
        .expect("May");
    let ids: Vec<&str> = page.photos.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
    // "a"'s monkey at 0.5 % left the index; "b"'s monkey is its first label and stays.
    let monkeys = catalog
        .list_photos_tagged(&owner, &[vec!["titi monkey".to_owned()]], None, 10)
        .await
        .expect("search");
    let ids: Vec<&str> = monkeys.photos.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["b"]);
    // New photos and deletes go on from the backfilled counts.
    catalog
        .delete_photo(&owner, &PhotoId::parse("a").unwrap())
        .await
        .expect("delete");
    assert_eq!(
        months(TimelineOrder::Taken).await,
        [("2026-11".to_owned(), 2), ("2019-05".to_owned(), 1)]
    );
}

#[test]
fn migrations_run_once_and_record_the_version() {
    let (_dir, path, catalog) = catalog();
    drop(catalog);
    // Reopening must not rerun step 1 (it would fail: the table exists).
    drop(SqliteCatalog::open(&path).expect("reopen"));
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_from_before_accounts_opens_with_its_photos_and_gains_accounts() {
    use gaillery_storage::{Account, AccountCreated, AccountStore};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    {
        // The schema of the release before accounts: the first two steps, and a photo.
        let conn = catalog_at_step(&path, 2);
        insert_old_row(&conn, "old", 1, None, &[]);
    }
    let catalog = SqliteCatalog::open(&path).expect("open");
    assert_eq!(
        catalog
            .totals(&OwnerId::local())
            .await
            .map(|totals| totals.photos),
        Ok(1)
    );
    let account = Account {
        id: OwnerId::local(),
        username: "Admin".into(),
        password_hash: "hash".into(),
        admin: true,
        created_at_ms: 2,
    };
    assert_eq!(
        catalog.create_account(account.clone(), true).await,
        Ok(AccountCreated::Created)
    );
    assert_eq!(catalog.account_by_name("admin").await, Ok(Some(account)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_from_before_albums_opens_with_its_accounts_and_gains_albums() {
    use gaillery_storage::{Account, AccountStore, Album, AlbumStore};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    {
        // The schema of the release before albums: the first three steps, a photo, an account.
        let conn = catalog_at_step(&path, 3);
        insert_old_row(&conn, "old", 1, None, &[]);
        conn.execute(
            "INSERT INTO accounts (id, username, name_key, password_hash, admin, created_at_ms)
             VALUES ('local', 'Admin', 'admin', 'hash', 1, 1)",
            [],
        )
        .unwrap();
    }
    let catalog = SqliteCatalog::open(&path).expect("open");
    let owner = OwnerId::local();
    assert_eq!(
        catalog.totals(&owner).await.map(|totals| totals.photos),
        Ok(1)
    );
    let account = catalog.account(&owner).await.expect("account");
    assert_eq!(account.map(|a: Account| a.username), Some("Admin".into()));
    let album = Album {
        id: "a1".into(),
        owner: owner.clone(),
        title: "Holidays".into(),
        cover: None,
        photo_count: 0,
        created_at_ms: 2,
        updated_at_ms: 2,
    };
    catalog.create_album(album.clone()).await.expect("create");
    let old = PhotoId::parse("old").unwrap();
    assert_eq!(
        catalog
            .add_to_album(&owner, "a1", std::slice::from_ref(&old), 3)
            .await,
        Ok(Some(1))
    );
    assert_eq!(
        catalog.albums_of_photo(&owner, &old).await,
        Ok(vec!["a1".into()])
    );
}

#[test]
fn album_pages_seek_in_the_index_instead_of_scanning() {
    let (_dir, path, _catalog) = catalog();
    let conn = Connection::open(&path).unwrap();
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT position, photo_id FROM album_photos
             WHERE owner = ?1 AND album_id = ?2 AND (position, photo_id) > (?3, ?4)
             ORDER BY position, photo_id LIMIT ?5",
        )
        .unwrap()
        .query_map(params!["local", "a1", 5, "abc", 61], |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("album_photos_in_order"), "{plan}");
    assert!(
        plan.contains("(owner=? AND album_id=? AND (position,photo_id)>(?,?))"),
        "the cursor must bound the index range: {plan}"
    );
    assert!(
        !plan.contains("TEMP B-TREE"),
        "the index must give the order: {plan}"
    );
}

#[test]
fn a_schema_from_a_newer_build_is_refused() {
    let (_dir, path, catalog) = catalog();
    drop(catalog);
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    match SqliteCatalog::open(&path) {
        Err(StorageError::Backend(message)) => assert!(message.contains("99"), "{message}"),
        Err(other) => panic!("expected Backend, got {other:?}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

#[test]
fn deep_pages_seek_in_the_index_instead_of_scanning() {
    let (_dir, path, _catalog) = catalog();
    let conn = Connection::open(&path).unwrap();
    let plan: Vec<String> = conn
        .prepare(concat!(
            "EXPLAIN QUERY PLAN SELECT ",
            photo_columns!(),
            " FROM photos WHERE owner = ?1 AND (created_at_ms, id) < (?2, ?3)
              ORDER BY created_at_ms DESC, id DESC LIMIT ?4"
        ))
        .unwrap()
        .query_map(params!["local", 5, "abc", 61], |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("photos_by_owner_newest"), "{plan}");
    assert!(
        plan.contains("(owner=? AND (created_at_ms,id)<(?,?))"),
        "the cursor must bound the index range: {plan}"
    );
    assert!(
        !plan.contains("TEMP B-TREE"),
        "the index must give the order: {plan}"
    );
}

fn query_plan(conn: &Connection, sql: &str, values: &[rusqlite::types::Value]) -> String {
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params_from_iter(values), |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    plan.join("\n")
}

#[test]
fn month_pages_and_month_counts_read_an_index_range() {
    let (_dir, path, _catalog) = catalog();
    let conn = Connection::open(&path).unwrap();
    // The statement `list_page` builds for a month by date taken, after a cursor.
    let plan = query_plan(
        &conn,
        concat!(
            "SELECT ",
            photo_columns!(),
            ", taken_key FROM photos WHERE owner = ?1 AND taken_key >= ?2 AND taken_key < ?3
              AND (taken_key, id) < (?4, ?5) ORDER BY taken_key DESC, id DESC LIMIT 61"
        ),
        &[
            "local".to_owned().into(),
            0.into(),
            100.into(),
            50.into(),
            "abc".to_owned().into(),
        ],
    );
    assert!(plan.contains("photos_by_taken"), "{plan}");
    assert!(
        !plan.contains("TEMP B-TREE"),
        "the index must give the order: {plan}"
    );
    let plan = query_plan(
        &conn,
        "SELECT month, n FROM photo_months WHERE owner = ?1 AND sort = ?2 AND n > 0
         ORDER BY month DESC",
        &["local".to_owned().into(), "taken".to_owned().into()],
    );
    assert!(plan.contains("PRIMARY KEY (owner=? AND sort=?)"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_is_unavailable_not_a_backend_error() {
    let (_dir, path, _catalog) = catalog();
    let catalog =
        SqliteCatalog::open_with_busy_timeout(&path, Duration::from_millis(50)).expect("open");
    // Another process holds the write lock for longer than the busy timeout.
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let insert = catalog.insert_photo(new_photo("p1", 1)).await;
    assert!(
        matches!(insert, Err(StorageError::Unavailable(_))),
        "{insert:?}"
    );
    other.execute_batch("ROLLBACK").unwrap();
    assert!(catalog
        .insert_photo(new_photo("p1", 1))
        .await
        .expect("insert")
        .is_created());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_row_is_a_backend_error_not_a_panic() {
    let (_dir, path, catalog) = catalog();
    catalog
        .insert_photo(new_photo("p1", 1))
        .await
        .expect("insert");
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE photos SET status = 'exploded'", [])
        .unwrap();
    let listed = catalog.list_photos(&OwnerId::local(), None, 10).await;
    assert!(
        matches!(listed, Err(StorageError::Backend(ref m)) if m.contains("exploded")),
        "{listed:?}"
    );
    conn.execute("UPDATE photos SET status = 'done', labels = 'not json'", [])
        .unwrap();
    let fetched = catalog
        .photo(&OwnerId::local(), &PhotoId::parse("p1").unwrap())
        .await;
    assert!(
        matches!(fetched, Err(StorageError::Backend(_))),
        "{fetched:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_many_loads_in_bulk_and_skips_duplicates() {
    let (_dir, _path, catalog) = catalog();
    let mut photos: Vec<NewPhoto> = (0..500).map(|i| new_photo(&format!("p{i}"), i)).collect();
    // Same bytes as p0 under another id: skipped, like insert_photo would.
    photos.push(NewPhoto {
        sha256: "sha-p0".into(),
        ..new_photo("copy", 999)
    });
    assert_eq!(catalog.insert_many(photos).await, Ok(500));
    assert_eq!(
        catalog
            .photo_totals(&OwnerId::local())
            .await
            .map(|totals| totals.photos),
        Ok(500)
    );
    let first = catalog
        .list_photos(&OwnerId::local(), None, 3)
        .await
        .expect("list");
    let ids: Vec<&str> = first.photos.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p499", "p498", "p497"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_taken_by_another_owner_is_refused() {
    let (_dir, _path, catalog) = catalog();
    catalog
        .insert_photo(new_photo("p1", 1))
        .await
        .expect("insert");
    let other = NewPhoto {
        owner: OwnerId("someone-else".into()),
        sha256: "different".into(),
        ..new_photo("p1", 2)
    };
    let insert = catalog.insert_photo(other).await;
    assert!(
        matches!(insert, Err(StorageError::Backend(_))),
        "{insert:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_a_non_finite_label_writes_nothing() {
    let (_dir, _path, catalog) = catalog();
    let label = |probability| Label {
        label: "tabby".into(),
        probability,
    };
    let batch = vec![
        (new_photo("p1", 1), vec![label(0.9)]),
        (new_photo("p2", 2), vec![label(f32::NAN)]),
    ];
    let inserted = catalog.insert_photos(batch).await;
    assert!(
        matches!(inserted, Err(StorageError::Backend(_))),
        "{inserted:?}"
    );
    let totals = catalog.photo_totals(&OwnerId::local()).await;
    assert_eq!(totals.map(|totals| totals.photos), Ok(0));
}
