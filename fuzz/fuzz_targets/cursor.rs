//! The listing cursors (`?cursor=` of the photo listing and of an album's pages) on any string.
//!
//! Property: nothing panics; a cursor that decodes was written exactly as `encode` writes it,
//! and encoding it again gives a cursor that decodes to the same value.

#![no_main]

use gaillery_storage::albums::AlbumCursor;
use gaillery_storage::catalog::PageCursor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    if let Ok(cursor) = PageCursor::decode(&raw) {
        let encoded = cursor.encode();
        assert_eq!(encoded, raw, "one position, one cursor");
        assert_eq!(PageCursor::decode(&encoded).ok(), Some(cursor));
    }
    if let Ok(cursor) = AlbumCursor::decode(&raw) {
        let encoded = cursor.encode();
        assert_eq!(encoded, raw, "one place in an album, one cursor");
        assert_eq!(AlbumCursor::decode(&encoded).ok(), Some(cursor));
    }
});
