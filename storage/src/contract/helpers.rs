//! Small helpers several suites share.

use crate::catalog::Catalog;
use gaillery_core::{Label, OwnerId};
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) fn labels(names: &[&str]) -> Vec<Label> {
    names
        .iter()
        .map(|name| Label {
            label: (*name).to_owned(),
            probability: 0.9,
        })
        .collect()
}

pub(super) fn label(name: &str, probability: f32) -> Label {
    Label {
        label: name.to_owned(),
        probability,
    }
}

pub(super) async fn clear(catalog: &dyn Catalog, owner: &OwnerId) {
    catalog
        .delete_all_photos(owner)
        .await
        .unwrap_or_else(|e| panic!("cleanup of {owner:?}: {e}"));
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
