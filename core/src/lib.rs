//! The vocabulary every part of GAiLLERY shares, compiled both for the server and for the
//! browser (WASM): what a photo is, how its processing is going, the shapes of the JSON API,
//! and the justified layout that places photos in rows.
//!
//! Nothing here does I/O, so everything here is cheap to ship to the browser.

pub mod api;
pub mod layout;
#[cfg(feature = "openapi")]
mod openapi;
pub mod percent;
pub mod photo;
pub mod placeholder;
pub mod size;
pub mod timeline;
pub mod voice;

pub use photo::{
    searchable_labels, Label, OwnerId, Photo, PhotoId, PhotoStatus, Variant, MIN_SEARCH_CONFIDENCE,
};
pub use timeline::{Month, TimelineOrder};
