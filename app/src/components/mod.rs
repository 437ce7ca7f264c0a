//! The gallery's components, one capability each.

pub mod albums;
pub mod confirm;
pub mod forms;
pub mod gallery_page;
pub mod grid;
pub mod icons;
pub mod layout;
pub mod lightbox;
pub mod selection;
pub mod settings;
pub mod shared_page;
pub mod sign_in;
pub mod slideshow;
pub mod tags;
pub mod timeline;
pub mod uploader;
pub mod voice;
