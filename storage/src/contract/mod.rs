//! The behaviour every adapter must show, written once against the traits so it runs unchanged
//! on each of them: the embedded ones in `gaillery-storage-embedded`'s tests, S3 and DynamoDB in
//! `gaillery-storage-aws`'s.
//!
//! Each check is a public async function that takes the adapter and stands alone: it uses keys
//! and owners of its own, unique to the run, and removes what it made, so checks can share a
//! bucket or a table. [`contract_tests!`](crate::contract_tests) makes one test of each check
//! for an adapter, so a failing check names itself and hides none of the others;
//! `all_checks` in each module runs a whole suite at once.
//!
//! | suite | what it checks |
//! | --- | --- |
//! | [`blob`] | a [`BlobStore`](crate::BlobStore) |
//! | [`catalog`] | storing, finding and deleting photos in a [`Catalog`](crate::Catalog) |
//! | [`listing`] | listing them a page at a time |
//! | [`labels`] | statuses, labels and the tags they make searchable |
//! | [`timeline`] | month counts by date taken, exact under concurrent writes, and a month's photos page by page |
//! | [`jobs`] | the job queue (a check wants a catalog no other job check uses meanwhile) |
//! | [`events`] | an [`EventLog`](crate::EventLog) |
//! | [`accounts`] | an [`AccountStore`](crate::AccountStore): accounts, sessions, API tokens, sign-in throttling (the first-account checks want a store with no accounts) |
//! | [`albums`] | an [`AlbumStore`](crate::AlbumStore) that is also a catalog: albums, the order of their photos, share links |

pub mod accounts;
pub mod albums;
pub mod blob;
pub mod catalog;
pub mod events;
mod helpers;
pub mod jobs;
pub mod labels;
pub mod listing;
mod macros;
mod run;
pub mod timeline;
