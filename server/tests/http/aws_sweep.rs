//! The sweep on S3 and DynamoDB (the test servers): objects no catalog entry names are removed
//! once they are older than the age given, by listing the bucket and asking the table, and the
//! photos' own objects stay.

use crate::cluster::{Backends, BUCKET};
use gaillery_testkit as kit;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The keys in the bucket, as `s3s-fs` keeps them (one file per object), sorted.
fn object_keys(bucket: &Path) -> Vec<String> {
    let mut keys: Vec<String> = crate::support::files_under(bucket)
        .iter()
        .filter_map(|path| path.strip_prefix(bucket).ok())
        .map(|key| key.to_string_lossy().into_owned())
        .collect();
    keys.sort();
    keys
}

/// An object put straight into the bucket's folder, as if written `age` ago.
fn put_object(bucket: &Path, key: &str, age: Duration) {
    let path = bucket.join(key);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("object folder");
    std::fs::write(&path, b"left behind").expect("object");
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("object file");
    file.set_modified(SystemTime::now() - age)
        .expect("object time");
}

fn sweep(backends: &Backends, older_than_mins: &str) -> String {
    let output = backends
        .command(
            &["sweep", "--older-than-mins", older_than_mins],
            &backends.dir.path().join("sweep"),
        )
        .output()
        .expect("gaillery sweep runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "sweep failed: {output:?}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_old_objects_no_photo_names_from_the_bucket() {
    let backends = Backends::start().await;
    let photos = backends.dir.path().join("photos");
    std::fs::create_dir_all(&photos).expect("photo folder");
    for seed in 1..=2 {
        let photo = kit::photo_jpeg(320, 240, seed);
        std::fs::write(photos.join(format!("p-{seed}.jpg")), photo).expect("photo");
    }
    let imported = backends
        .command(&["import"], &backends.dir.path().join("import"))
        .arg(&photos)
        .args(["--model", "none"])
        .output()
        .expect("gaillery import runs");
    assert!(imported.status.success(), "import: {imported:?}");
    let bucket = backends.dir.path().join("s3").join(BUCKET);
    let catalogued = object_keys(&bucket);
    assert_eq!(
        catalogued.len(),
        8,
        "two photos of four objects: {catalogued:?}"
    );

    let hours = |n: u64| Duration::from_secs(n * 3600);
    put_object(
        &bucket,
        "photos/0190aaaaaaaa00000000000001/original",
        hours(2),
    );
    put_object(
        &bucket,
        "o/u0123abcd/photos/0190aaaaaaaa00000000000002/preview",
        hours(3),
    );
    let young = "photos/0190aaaaaaaa00000000000003/thumbnail";
    put_object(&bucket, young, Duration::ZERO);

    let report = sweep(&backends, "60");
    assert!(report.contains("11 objects seen, 2 removed"), "{report}");
    let mut expected = catalogued.clone();
    expected.push(young.to_owned());
    expected.sort();
    assert_eq!(
        object_keys(&bucket),
        expected,
        "the young one may be an upload on its way"
    );

    let report = sweep(&backends, "0");
    assert!(report.contains("1 removed"), "{report}");
    assert_eq!(object_keys(&bucket), catalogued);
}
