//! Accounts over the in-memory store, at the cheap password cost: setting up, adding and
//! removing accounts, administrators' resets, API tokens. Signing in is in `sign_in`.

use crate::accounts::{AccountSummary, PasswordCost};
use crate::{Accounts, Caller, Credential, ServiceError};
use gaillery_core::OwnerId;
use gaillery_storage::AccountStore;
use gaillery_testkit::memory::MemoryCatalog;
use std::sync::Arc;

pub(super) const PASSWORD: &str = "correct horse battery";

pub(super) fn accounts() -> (Accounts, Arc<MemoryCatalog>) {
    let store = Arc::new(MemoryCatalog::new());
    let accounts = Accounts::with_cost(Arc::clone(&store) as _, PasswordCost::Cheap);
    (accounts, store)
}

/// Accounts with `alice`, the administrator who set the gallery up, and `Bob`.
pub(super) async fn alice_and_bob() -> (Accounts, Arc<MemoryCatalog>, AccountSummary, AccountSummary)
{
    let (accounts, store) = accounts();
    let alice = accounts.set_up("alice", PASSWORD).await.unwrap();
    let bob = accounts.add_account("Bob", PASSWORD, false).await.unwrap();
    (accounts, store, alice, bob)
}

pub(super) fn session_hash(caller: &Caller) -> &str {
    match &caller.credential {
        Credential::Session { token_hash } => token_hash,
        other => panic!("not a session: {other:?}"),
    }
}

pub(super) fn is_sign_in_failed<T>(result: &Result<T, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::SignInFailed))
}

#[tokio::test]
async fn the_gallery_is_set_up_once_by_the_owner_of_its_old_photos() {
    let (accounts, _) = accounts();
    assert!(accounts.needs_setup().await.unwrap());
    let alice = accounts.set_up("alice", PASSWORD).await.unwrap();
    assert_eq!(alice.owner, OwnerId::local());
    assert!(alice.admin);
    assert!(!accounts.needs_setup().await.unwrap());

    let again = accounts.set_up("mallory", PASSWORD).await;
    assert_eq!(
        again.unwrap_err().public_message(),
        "the gallery is set up already"
    );
    assert_eq!(accounts.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn later_accounts_get_fresh_ids_and_names_are_unique_in_any_case() {
    let (accounts, _, alice, bob) = alice_and_bob().await;
    assert_ne!(bob.owner, alice.owner);
    assert!(bob.owner.0.starts_with('u') && bob.owner.0.len() == 25);
    assert!(!bob.admin);

    let taken = accounts.add_account("bOB", PASSWORD, false).await;
    assert_eq!(
        taken.unwrap_err().public_message(),
        "that username is taken"
    );
    let found = accounts.account_named("BOB").await.unwrap();
    assert_eq!((found.owner, found.username), (bob.owner, "Bob".to_owned()));
    assert!(matches!(
        accounts.account_named("carol").await,
        Err(ServiceError::NoSuch("user"))
    ));
    let names: Vec<String> = accounts
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|account| account.username)
        .collect();
    assert_eq!(names, ["alice", "Bob"]);
}

#[tokio::test]
async fn the_first_account_added_from_the_command_line_takes_over_too() {
    let (accounts, _) = accounts();
    let first = accounts.add_account("alice", PASSWORD, true).await.unwrap();
    assert_eq!(first.owner, OwnerId::local());
    let second = accounts.add_account("bob", PASSWORD, true).await.unwrap();
    assert_ne!(second.owner, OwnerId::local());
}

#[tokio::test]
async fn rules_are_checked_before_anything_is_stored() {
    let (accounts, _) = accounts();
    let short = accounts.set_up("alice", "too short").await;
    assert_eq!(
        short.unwrap_err().public_message(),
        "a password has at least 10 characters"
    );
    let padded = accounts.add_account(" alice", PASSWORD, true).await;
    assert!(matches!(padded, Err(ServiceError::Invalid(_))));
    assert!(accounts.needs_setup().await.unwrap());
}

#[tokio::test]
async fn an_administrators_reset_signs_the_user_out_everywhere() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let session = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    accounts
        .reset_password("BOB", "chosen by alice")
        .await
        .unwrap();
    assert_eq!(accounts.session(&session.token).await.unwrap(), None);
    assert!(accounts
        .sign_in("bob", "chosen by alice", None)
        .await
        .is_ok());
    assert!(matches!(
        accounts.reset_password("carol", "chosen by alice").await,
        Err(ServiceError::NoSuch("user"))
    ));
}

#[tokio::test]
async fn the_last_administrator_stays_and_a_removed_account_is_signed_out() {
    let (accounts, _, alice, bob) = alice_and_bob().await;
    let refused = accounts.remove_account("alice").await;
    assert!(
        matches!(refused, Err(ServiceError::Conflict(_))),
        "{refused:?}"
    );

    let session = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    let token = accounts
        .create_api_token(&bob.owner, "backup")
        .await
        .unwrap();
    assert_eq!(accounts.remove_account("bob").await.unwrap(), bob.owner);
    assert_eq!(accounts.session(&session.token).await.unwrap(), None);
    assert_eq!(accounts.api_token(&token.token).await.unwrap(), None);
    assert!(is_sign_in_failed(
        &accounts.sign_in("bob", PASSWORD, None).await
    ));
    assert!(matches!(
        accounts.remove_account("bob").await,
        Err(ServiceError::NoSuch("user"))
    ));

    // With a second administrator, the first one can go.
    accounts.add_account("carol", PASSWORD, true).await.unwrap();
    assert_eq!(accounts.remove_account("alice").await.unwrap(), alice.owner);
}

#[tokio::test]
async fn api_tokens_are_made_listed_and_revoked_by_their_owner_only() {
    let (accounts, store, alice, bob) = alice_and_bob().await;
    let first = accounts
        .create_api_token(&bob.owner, "laptop")
        .await
        .unwrap();
    let second = accounts
        .create_api_token(&bob.owner, "phone")
        .await
        .unwrap();
    assert!(first.token.starts_with("gly_") && first.token.len() == 68);
    assert_eq!(first.id.len(), 16);

    let caller = accounts.api_token(&first.token).await.unwrap().unwrap();
    assert_eq!(caller.owner, bob.owner);
    assert_eq!(
        caller.credential,
        Credential::ApiToken {
            id: first.id.clone()
        }
    );
    assert_eq!(accounts.api_token("gly_forged").await.unwrap(), None);
    assert_eq!(accounts.session(&first.token).await.unwrap(), None);
    assert_eq!(store.api_token_by_hash(&first.token).await.unwrap(), None);

    let mut listed: Vec<String> = accounts
        .api_tokens(&bob.owner)
        .await
        .unwrap()
        .into_iter()
        .map(|token| token.name)
        .collect();
    listed.sort();
    assert_eq!(listed, ["laptop", "phone"]);
    assert!(accounts.api_tokens(&alice.owner).await.unwrap().is_empty());

    let not_hers = accounts.revoke_api_token(&alice.owner, &first.id).await;
    assert!(matches!(not_hers, Err(ServiceError::NoSuch("token"))));
    assert!(accounts.api_token(&first.token).await.unwrap().is_some());

    accounts
        .revoke_api_token(&bob.owner, &first.id)
        .await
        .unwrap();
    assert_eq!(accounts.api_token(&first.token).await.unwrap(), None);
    assert!(accounts.api_token(&second.token).await.unwrap().is_some());
    assert!(matches!(
        accounts.revoke_api_token(&bob.owner, &first.id).await,
        Err(ServiceError::NoSuch("token"))
    ));
    assert!(matches!(
        accounts.create_api_token(&bob.owner, "").await,
        Err(ServiceError::Invalid(_))
    ));
}

#[tokio::test]
async fn only_administrators_pass_require_admin() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let alice = accounts.sign_in("alice", PASSWORD, None).await.unwrap();
    let bob = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    assert!(alice.caller.require_admin().is_ok());
    let refused = bob.caller.require_admin();
    assert_eq!(
        refused.unwrap_err().public_message(),
        "only an administrator can do this"
    );
}
