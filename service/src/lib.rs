//! The gallery's service layer: what GAiLLERY does, independent of HTTP.
//!
//! The JSON API and the Leptos server functions both call this layer, so they behave the same.
//! It owns the storage handles (`BlobStore`, `Catalog`) and runs image work off the async
//! runtime, with at most one upload's decode per core at a time, and every decode within one
//! memory budget.
//!
//! Where each part of [`Gallery`] lives:
//!
//! | module | what it does |
//! | --- | --- |
//! | `gallery` | the service itself, its configuration and its live stage changes |
//! | `staging` | receiving an upload's bytes into a temporary file |
//! | `ingest` | turning a received file into a catalogued photo |
//! | `decoding` | the memory budget every decode runs under |
//! | `settle` | finding out, after an insert failed, whether it landed after all |
//! | `queueing` | putting photos in the classification queue, now or once storage is back |
//! | `retry` | the background retry loop both of those use |
//! | `images` | a photo's images in the blob store: storing, serving, removing |
//! | `listing` | reading photos, pages, tags and counts |
//! | `vocabulary` | the words a search or a spoken request can name |
//! | `deletion` | deleting one, several or all photos |
//! | `sweep` | removing images and staged uploads that no photo names |
//! | [`pipeline`] | the workers that classify queued photos |
//! | `watching` | stage changes by owner, and who watches them |
//! | `relay` | stage changes shared with other servers on the same catalog |
//! | `identity`, `setup_code` | who sent a request; the first run's one-time code |
//! | `error` | [`ServiceError`] and the one policy of who is at fault |
//!
//! Beside it, [`accounts`] holds [`Accounts`]: who may use the gallery, signing in, sessions and
//! API tokens, and the [`Caller`] each request is made by.

pub mod accounts;
pub mod albums;
mod decoding;
mod deletion;
mod error;
mod gallery;
mod http_status;
mod identity;
mod ids;
mod image_sources;
mod images;
mod ingest;
mod listing;
pub mod pipeline;
mod queueing;
mod reasons;
mod relay;
mod removal;
mod retry;
mod seeding;
mod settle;
mod setup_code;
mod staging;
mod sweep;
mod timeline;
mod vocabulary;
mod watching;

#[cfg(test)]
mod tests;

pub use accounts::{Accounts, Caller, Credential};
pub use albums::Albums;
pub use error::{
    ErrorChain, ErrorKind, ServiceError, FULL_MESSAGE, INTERNAL_MESSAGE, UNAVAILABLE_MESSAGE,
};
/// Times as the API shows them (RFC 3339, UTC), for the pages' server functions.
pub use gaillery_storage::catalog::rfc3339_from_millis;
/// The cause of storage errors, as [`ServiceError`]'s variants carry it.
pub use gaillery_storage::StorageError;
pub use gallery::{Gallery, GalleryConfig};
pub use identity::{find_cookie, ClientAddress, CookiePolicy, Identity};
pub use image_sources::ImageSource;
pub use ingest::IngestOutcome;
pub use relay::{Relay, RelayTasks};
pub use removal::remove_account_and_belongings;
pub use setup_code::SetupCode;
pub use staging::StagedUpload;
pub use sweep::{keep_swept, SweepReport, SWEEP_MIN_AGE};
pub use vocabulary::imagenet_vocabulary;
pub use watching::EventSubscription;
