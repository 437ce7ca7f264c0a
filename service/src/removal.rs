//! Removing an account with everything it owns: the JSON API, the settings page and the
//! command line all call this one function, so none of them leaves something behind.

use crate::{Accounts, Albums, Gallery, ServiceError};

/// Removes the account named `username`, then its albums and share links, then its photos
/// and their images; returns how many photos went. The account goes first, so nobody signs
/// in to it while the rest is deleted.
pub async fn remove_account_and_belongings(
    accounts: &Accounts,
    albums: &Albums,
    gallery: &Gallery,
    username: &str,
) -> Result<usize, ServiceError> {
    let owner = accounts.remove_account(username).await?;
    albums.delete_all_of(&owner).await?;
    gallery.delete_all(&owner).await
}
