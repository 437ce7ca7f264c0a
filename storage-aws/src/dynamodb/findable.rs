//! Which labels make a photo findable, and which of its labels have tag items.
//!
//! A photo is found (tag search, tag counts, the tagged timeline) only by its searchable labels
//! (`gaillery_core::searchable_labels`: the first, and the others of probability at least
//! `MIN_SEARCH_CONFIDENCE`); the photo item keeps every label. Tag memberships and counts are
//! written for the searchable labels alone, and every read decides by the photo's searchable
//! labels, never by a membership alone.
//!
//! Photos labelled by an older version have memberships and counts for every label, unsure
//! ones included. The photo item tells which: every label write since sets
//! [`SEARCHABLE_ONLY`], so an item with it has the memberships of its searchable labels, an
//! item without them for all its labels. Label writes and deletions remove exactly the
//! memberships that exist and take 1 off exactly their counts (the photo's `version` condition
//! keeps both as read), so no count goes negative and no membership outlives its photo. A
//! legacy membership of an unsure label finds nothing, since the photo decides; its count
//! shows in `tag_counts` until the photo is relabelled or deleted.

use super::items::StoredPhoto;
use gaillery_core::{searchable_labels, Label, Photo};
use std::collections::BTreeSet;

/// The attribute of a photo item whose tag memberships are those of its searchable labels.
pub(super) const SEARCHABLE_ONLY: &str = "ls";

/// The distinct names of the labels a photo is found by.
pub(super) fn searchable_names(labels: &[Label]) -> BTreeSet<&str> {
    searchable_labels(labels)
        .map(|l| l.label.as_str())
        .collect()
}

/// The labels of a stored photo that have a tag membership and count.
pub(super) fn indexed_names(stored: &StoredPhoto) -> BTreeSet<&str> {
    if stored.item.contains_key(SEARCHABLE_ONLY) {
        searchable_names(&stored.photo.labels)
    } else {
        stored
            .photo
            .labels
            .iter()
            .map(|l| l.label.as_str())
            .collect()
    }
}

/// Whether the photo is findable by a label of every group.
pub(super) fn matches_groups(photo: &Photo, groups: &[Vec<String>]) -> bool {
    groups
        .iter()
        .all(|group| searchable_labels(&photo.labels).any(|label| group.contains(&label.label)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::items::{decode_photo, new_photo_item};
    use aws_sdk_dynamodb::types::AttributeValue;
    use gaillery_core::{OwnerId, PhotoId, PhotoStatus};
    use gaillery_storage::NewPhoto;

    fn label(name: &str, probability: f32) -> Label {
        Label {
            label: name.into(),
            probability,
        }
    }

    fn stored(labels: Vec<Label>) -> StoredPhoto {
        let new = NewPhoto {
            id: PhotoId::parse("p").unwrap(),
            owner: OwnerId::local(),
            filename: "a.jpg".into(),
            width: 1,
            height: 1,
            taken_at: None,
            format: "jpeg".into(),
            size_bytes: 1,
            sha256: "0".repeat(64),
            placeholder: String::new(),
            status: PhotoStatus::Done,
            created_at_ms: 0,
        };
        let mut stored = decode_photo(new_photo_item(&new)).unwrap();
        stored.photo.labels = labels;
        stored
    }

    fn groups(g: &[&[&str]]) -> Vec<Vec<String>> {
        g.iter()
            .map(|group| group.iter().map(|l| (*l).to_owned()).collect())
            .collect()
    }

    #[test]
    fn groups_are_and_of_or() {
        let photo = stored(vec![label("tabby", 0.5), label("sand", 0.2)]).photo;
        assert!(matches_groups(&photo, &groups(&[&["tabby", "lynx"]])));
        assert!(matches_groups(
            &photo,
            &groups(&[&["tabby"], &["sand", "sea"]])
        ));
        assert!(!matches_groups(&photo, &groups(&[&["tabby"], &["sea"]])));
        assert!(!matches_groups(&photo, &groups(&[&[]])));
    }

    #[test]
    fn unsure_labels_match_nothing() {
        let photo = stored(vec![
            label("fox squirrel", 0.04),
            label("titi monkey", 0.05),
        ])
        .photo;
        assert!(matches_groups(&photo, &groups(&[&["fox squirrel"]])));
        assert!(!matches_groups(&photo, &groups(&[&["titi monkey"]])));
    }

    #[test]
    fn legacy_photos_have_memberships_for_every_label() {
        let labels = vec![
            label("tabby", 0.5),
            label("lynx", 0.01),
            label("tabby", 0.3),
        ];
        let mut photo = stored(labels);
        assert_eq!(
            indexed_names(&photo),
            BTreeSet::from(["tabby", "lynx"]),
            "written by an older version"
        );
        photo
            .item
            .insert(SEARCHABLE_ONLY.into(), AttributeValue::Bool(true));
        assert_eq!(indexed_names(&photo), BTreeSet::from(["tabby"]));
    }
}
