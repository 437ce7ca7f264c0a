//! Items: building and reading attributes, the photo item, and DynamoDB's size limits, checked
//! here before anything is sent (test servers such as moto do not enforce them all, and a
//! refusal by the service would come too late to say which limit was hit).

use super::table::{created_key, owner_pk, photo_sk, LSK, PK, QPK, QSK, SK};
use aws_sdk_dynamodb::types::AttributeValue;
use gaillery_core::{Label, Photo, PhotoId, PhotoStatus};
use gaillery_storage::catalog::rfc3339_from_millis;
use gaillery_storage::{NewPhoto, StorageError};
use std::collections::HashMap;
use std::str::FromStr;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// DynamoDB's limit on one item, names and values of its attributes included (400 KB; the
/// smaller reading of "KB" to be safe).
pub(super) const MAX_ITEM_BYTES: usize = 400_000;
/// DynamoDB's limit on a partition key value (of the table or an index).
pub(super) const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// DynamoDB's limit on a sort key value (of the table or an index).
pub(super) const MAX_SORT_KEY_BYTES: usize = 1024;
/// How much longer than needed an item is kept by TTL: TTL deletes late, never early, but the
/// writing server's clock may be behind.
const EXPIRY_SLACK_MS: i64 = 5 * 60 * 1000;

/// The value of the TTL attribute ([`super::table::EXPIRES_AT`], in seconds) for an item that must stay
/// readable until `until_ms`.
pub(super) fn expires_at(until_ms: i64) -> AttributeValue {
    AttributeValue::N(
        until_ms
            .saturating_add(EXPIRY_SLACK_MS)
            .div_euclid(1000)
            .to_string(),
    )
}

/// Status reasons are for people: longer ones are clipped to this.
pub(super) const MAX_REASON_BYTES: usize = 4096;
/// The most JSON a photo's labels may take.
pub(super) const MAX_LABELS_JSON_BYTES: usize = 32 * 1024;
/// Room kept free in a photo item at insert, so that labels, a reason and a larger version
/// number always fit later.
pub(super) const PHOTO_GROWTH_BYTES: usize = MAX_REASON_BYTES + MAX_LABELS_JSON_BYTES + 256;

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The primary key of an item.
pub(super) fn key(pk: String, sk: String) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

/// Reads the attributes of a stored item. Anything missing or of the wrong type means the item
/// was damaged or not written by this adapter: a `Backend` error naming the item and the
/// attribute.
pub(super) struct Fields<'a>(pub &'a Item);

impl<'a> Fields<'a> {
    pub fn damaged(&self, detail: &str) -> StorageError {
        let part = |name: &str| match self.0.get(name) {
            Some(AttributeValue::S(value)) => value.as_str(),
            _ => "?",
        };
        StorageError::Backend(format!(
            "DynamoDB item {}/{} is malformed: {detail}",
            part(PK),
            part(SK)
        ))
    }

    pub fn opt_s(&self, name: &str) -> Result<Option<&'a str>, StorageError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(true)) => Ok(None),
            Some(AttributeValue::S(value)) => Ok(Some(value)),
            Some(other) => Err(self.damaged(&format!("{name} is not a string: {other:?}"))),
        }
    }

    pub fn s(&self, name: &str) -> Result<&'a str, StorageError> {
        self.opt_s(name)?
            .ok_or_else(|| self.damaged(&format!("{name} is missing")))
    }

    pub fn opt_num<T: FromStr>(&self, name: &str) -> Result<Option<T>, StorageError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(true)) => Ok(None),
            Some(AttributeValue::N(raw)) => raw
                .parse()
                .map(Some)
                .map_err(|_| self.damaged(&format!("{name} = {raw} is out of range"))),
            Some(other) => Err(self.damaged(&format!("{name} is not a number: {other:?}"))),
        }
    }

    pub fn num<T: FromStr>(&self, name: &str) -> Result<T, StorageError> {
        self.opt_num(name)?
            .ok_or_else(|| self.damaged(&format!("{name} is missing")))
    }

    pub fn bool(&self, name: &str) -> Result<bool, StorageError> {
        match self.0.get(name) {
            Some(AttributeValue::Bool(value)) => Ok(*value),
            None => Err(self.damaged(&format!("{name} is missing"))),
            Some(other) => Err(self.damaged(&format!("{name} is not a boolean: {other:?}"))),
        }
    }

    pub fn id(&self, name: &str) -> Result<PhotoId, StorageError> {
        let raw = self.s(name)?;
        PhotoId::parse(raw).ok_or_else(|| self.damaged(&format!("{name} {raw:?} is not an id")))
    }
}

/// A photo as read from its item, with what the API does not show.
#[derive(Clone, Debug)]
pub(super) struct StoredPhoto {
    pub photo: Photo,
    pub created_at_ms: i64,
    /// Incremented on every label change: the condition of read-modify-write updates.
    pub version: u64,
    /// The item as read, for size checks of updates.
    pub item: Item,
}

/// The item of a photo about to be inserted.
pub(super) fn new_photo_item(new: &NewPhoto) -> Item {
    let mut item = key(owner_pk(&new.owner), photo_sk(&new.id));
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_owned(), value);
    };
    put(LSK, s(created_key(new.created_at_ms, &new.id)));
    put("id", s(new.id.as_str()));
    put("filename", s(&new.filename));
    put("width", n(new.width));
    put("height", n(new.height));
    if let Some(taken_at) = &new.taken_at {
        put("taken_at", s(taken_at));
    }
    put("format", s(&new.format));
    put("size_bytes", n(new.size_bytes));
    put("sha256", s(&new.sha256));
    put("placeholder", s(&new.placeholder));
    put("status", s(new.status.as_str()));
    put("labels", s("[]"));
    put("created_at_ms", n(new.created_at_ms));
    put("version", n(0));
    item
}

/// Reads a photo item.
pub(super) fn decode_photo(item: Item) -> Result<StoredPhoto, StorageError> {
    let fields = Fields(&item);
    let created_at_ms: i64 = fields.num("created_at_ms")?;
    let status = fields.s("status")?;
    let labels: Vec<Label> = serde_json::from_str(fields.s("labels")?)
        .map_err(|e| fields.damaged(&format!("labels are not valid JSON: {e}")))?;
    let photo = Photo {
        id: fields.id("id")?,
        filename: fields.s("filename")?.to_owned(),
        width: fields.num("width")?,
        height: fields.num("height")?,
        taken_at: fields.opt_s("taken_at")?.map(str::to_owned),
        created_at: rfc3339_from_millis(created_at_ms),
        status: PhotoStatus::parse(status)
            .ok_or_else(|| fields.damaged(&format!("status {status:?} is unknown")))?,
        status_reason: fields.opt_s("status_reason")?.map(str::to_owned),
        labels,
        placeholder: fields.s("placeholder")?.to_owned(),
        format: fields.s("format")?.to_owned(),
        size_bytes: fields.num("size_bytes")?,
        sha256: fields.s("sha256")?.to_owned(),
    };
    let version = fields.num("version")?;
    Ok(StoredPhoto {
        photo,
        created_at_ms,
        version,
        item,
    })
}

/// A reason clipped to [`MAX_REASON_BYTES`] at a character boundary, marked with an ellipsis.
pub(super) fn clip_reason(reason: String) -> String {
    if reason.len() <= MAX_REASON_BYTES {
        return reason;
    }
    let mut end = MAX_REASON_BYTES - '…'.len_utf8();
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &reason[..end])
}

/// The size DynamoDB counts for a value: strings and binaries by their bytes, numbers
/// generously (DynamoDB stores about one byte per two significant digits, plus one), lists and
/// maps with their overhead of 3 bytes plus 1 per element.
pub(super) fn value_size(value: &AttributeValue) -> usize {
    let number = |raw: &str| raw.len().div_ceil(2) + 1;
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(raw) => number(raw),
        AttributeValue::B(blob) => blob.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(texts) => texts.iter().map(String::len).sum(),
        AttributeValue::Ns(raws) => raws.iter().map(|raw| number(raw)).sum(),
        AttributeValue::Bs(blobs) => blobs.iter().map(|blob| blob.as_ref().len()).sum(),
        AttributeValue::L(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(entries) => {
            3 + entries
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        // Variants added to the SDK later; this adapter never writes them.
        _ => 0,
    }
}

/// The size of an item by DynamoDB's rules: every attribute's name and value.
pub(super) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// Refuses key attributes (of the table or an index) that DynamoDB would refuse.
pub(super) fn check_keys(item: &Item) -> Result<(), StorageError> {
    for (name, limit, kind) in [
        (PK, MAX_PARTITION_KEY_BYTES, "partition"),
        (QPK, MAX_PARTITION_KEY_BYTES, "partition"),
        (SK, MAX_SORT_KEY_BYTES, "sort"),
        (LSK, MAX_SORT_KEY_BYTES, "sort"),
        (QSK, MAX_SORT_KEY_BYTES, "sort"),
    ] {
        let size = item.get(name).map_or(0, value_size);
        if size > limit {
            return Err(StorageError::Backend(format!(
                "DynamoDB {kind} key {name} of {size} bytes exceeds the limit of {limit} bytes"
            )));
        }
    }
    Ok(())
}

/// Refuses an item that DynamoDB would refuse, keeping `reserve` bytes free for later updates.
pub(super) fn check_item(item: &Item, reserve: usize) -> Result<(), StorageError> {
    check_keys(item)?;
    let size = item_size(item);
    if size + reserve > MAX_ITEM_BYTES {
        let detail = if reserve > 0 {
            format!(" (with {reserve} bytes kept free for later updates)")
        } else {
            String::new()
        };
        return Err(StorageError::Backend(format!(
            "DynamoDB item of {size} bytes{detail} exceeds the item size limit of 400 KB \
             ({MAX_ITEM_BYTES} bytes)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaillery_core::OwnerId;

    fn new_photo() -> NewPhoto {
        NewPhoto {
            id: PhotoId::parse("0193a1b2c3d4e5f6a7b8c9d0e1").unwrap(),
            owner: OwnerId::local(),
            filename: "IMG_0001 été.jpg".into(),
            width: 4032,
            height: 3024,
            taken_at: Some("2026-08-14T18:30:00".into()),
            format: "jpeg".into(),
            size_bytes: 3_000_000,
            sha256: "ab".repeat(32),
            placeholder: "1QcSHQRnh493V4dIh4eXh1h4kJUI".into(),
            status: PhotoStatus::Queued,
            created_at_ms: -1_795_705_445_123,
        }
    }

    #[test]
    fn sizes_follow_dynamodb_rules() {
        assert_eq!(value_size(&s("été")), 5, "UTF-8 bytes");
        assert_eq!(
            value_size(&n(12345)),
            4,
            "one byte per two digits, plus one"
        );
        assert!(value_size(&n(-1.5)) >= 2);
        assert_eq!(value_size(&AttributeValue::Bool(true)), 1);
        assert_eq!(
            value_size(&AttributeValue::L(vec![s("ab"), s("c")])),
            3 + (1 + 2) + (1 + 1)
        );
        let map = AttributeValue::M(HashMap::from([("k".to_owned(), s("vv"))]));
        assert_eq!(value_size(&map), 3 + 1 + 1 + 2);
        let item = HashMap::from([("name".to_owned(), s("value"))]);
        assert_eq!(item_size(&item), 9, "names count too");
    }

    #[test]
    fn photos_round_trip_through_their_items() {
        let new = new_photo();
        let stored = decode_photo(new_photo_item(&new)).expect("decodes");
        assert_eq!(stored.photo, new.to_photo());
        assert_eq!(
            (stored.created_at_ms, stored.version),
            (new.created_at_ms, 0)
        );
        let without_date = NewPhoto {
            taken_at: None,
            ..new
        };
        let stored = decode_photo(new_photo_item(&without_date)).expect("decodes");
        assert_eq!(stored.photo.taken_at, None);
    }

    #[test]
    fn malformed_items_are_backend_errors_naming_the_attribute() {
        let mut item = new_photo_item(&new_photo());
        item.insert("status".into(), s("exploded"));
        let error = decode_photo(item.clone()).unwrap_err();
        assert!(
            matches!(&error, StorageError::Backend(m) if m.contains("exploded") && m.contains("O#local")),
            "{error:?}"
        );
        item.insert("status".into(), s("done"));
        item.insert("width".into(), s("wide"));
        let error = decode_photo(item.clone()).unwrap_err();
        assert!(
            matches!(&error, StorageError::Backend(m) if m.contains("width")),
            "{error:?}"
        );
        item.insert("width".into(), n(-3));
        assert!(decode_photo(item.clone()).is_err(), "negative width");
        item.insert("width".into(), n(3));
        item.remove("sha256");
        let error = decode_photo(item).unwrap_err();
        assert!(
            matches!(&error, StorageError::Backend(m) if m.contains("sha256")),
            "{error:?}"
        );
    }

    #[test]
    fn an_ordinary_photo_fits_with_room_to_grow() {
        let item = new_photo_item(&new_photo());
        assert!(item_size(&item) < 1_000, "{}", item_size(&item));
        assert_eq!(check_item(&item, PHOTO_GROWTH_BYTES), Ok(()));
    }

    #[test]
    fn oversize_items_are_refused_naming_the_limit() {
        let huge = NewPhoto {
            filename: "x".repeat(MAX_ITEM_BYTES),
            ..new_photo()
        };
        let refused = check_item(&new_photo_item(&huge), 0);
        assert!(
            matches!(&refused, Err(StorageError::Backend(m)) if m.contains("400 KB")),
            "{refused:?}"
        );
        // Fits alone, but not with the room later updates need.
        let large = NewPhoto {
            filename: "x".repeat(MAX_ITEM_BYTES - 10_000),
            ..new_photo()
        };
        let item = new_photo_item(&large);
        assert_eq!(check_item(&item, 0), Ok(()));
        assert!(check_item(&item, PHOTO_GROWTH_BYTES).is_err());
    }

    #[test]
    fn overlong_keys_are_refused_naming_the_limit() {
        let long_pk = key("p".repeat(MAX_PARTITION_KEY_BYTES + 1), "s".into());
        let refused = check_item(&long_pk, 0);
        assert!(
            matches!(&refused, Err(StorageError::Backend(m)) if m.contains("partition key") && m.contains("2048")),
            "{refused:?}"
        );
        let long_sk = key("p".into(), "s".repeat(MAX_SORT_KEY_BYTES + 1));
        let refused = check_keys(&long_sk);
        assert!(
            matches!(&refused, Err(StorageError::Backend(m)) if m.contains("sort key") && m.contains("1024")),
            "{refused:?}"
        );
        let mut index_key = key("p".into(), "s".into());
        index_key.insert(QSK.into(), s("q".repeat(MAX_SORT_KEY_BYTES + 1)));
        assert!(check_keys(&index_key).is_err(), "index keys count too");
        let at_limits = key(
            "p".repeat(MAX_PARTITION_KEY_BYTES),
            "s".repeat(MAX_SORT_KEY_BYTES),
        );
        assert_eq!(check_item(&at_limits, 0), Ok(()));
    }

    #[test]
    fn reasons_are_clipped_at_a_character_boundary() {
        assert_eq!(clip_reason("short".into()), "short");
        let long = "é".repeat(MAX_REASON_BYTES);
        let clipped = clip_reason(long);
        assert!(clipped.len() <= MAX_REASON_BYTES);
        assert!(clipped.ends_with('…'));
    }
}
