//! The gallery's components, one capability each.

pub mod confirm;
pub mod gallery_page;
pub mod grid;
pub mod icons;
pub mod lightbox;
pub mod selection;
pub mod settings;
pub mod sign_in;
pub mod slideshow;
pub mod tags;
pub mod uploader;
pub mod voice;
