//! Signing in and out, sessions and throttling, over the in-memory store at the cheap password
//! cost, on tokio's paused clock where days of sessions or minutes of throttling pass.

use super::accounts::{alice_and_bob, is_sign_in_failed, session_hash, PASSWORD};
use crate::accounts::{MAX_SIGN_IN_FAILURES, SESSION_LIFETIME_MS, SIGN_IN_WINDOW_MS};
use crate::ServiceError;
use gaillery_storage::AccountStore;
use std::net::IpAddr;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn address(raw: &str) -> Option<IpAddr> {
    Some(raw.parse().unwrap())
}

fn is_throttled<T>(result: &Result<T, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::Throttled { .. }))
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_fail_alike() {
    let (accounts, _, alice, _) = alice_and_bob().await;
    let signed_in = accounts.sign_in("ALICE", PASSWORD, None).await.unwrap();
    assert_eq!(signed_in.caller.owner, alice.owner);
    assert_eq!(signed_in.caller.username, "alice");

    let wrong = accounts.sign_in("alice", "not the password", None).await;
    let unknown = accounts.sign_in("nobody", PASSWORD, None).await;
    let nonsense = accounts.sign_in(&"x\n".repeat(500), PASSWORD, None).await;
    for failed in [&wrong, &unknown, &nonsense] {
        assert!(is_sign_in_failed(failed));
        assert_eq!(
            failed.as_ref().err().unwrap().public_message(),
            "wrong username or password"
        );
    }
}

#[tokio::test]
async fn a_session_token_authenticates_its_owner_and_a_forged_one_nobody() {
    let (accounts, store, _, bob) = alice_and_bob().await;
    let signed_in = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    assert_eq!(signed_in.token.len(), 64);
    let caller = accounts.session(&signed_in.token).await.unwrap().unwrap();
    assert_eq!(caller, signed_in.caller);
    assert_eq!((caller.owner, caller.admin), (bob.owner, false));

    let forged = "0".repeat(64);
    assert_eq!(accounts.session(&forged).await.unwrap(), None);
    assert_eq!(accounts.session("").await.unwrap(), None);
    assert_eq!(accounts.session(&"a".repeat(10_000)).await.unwrap(), None);
    assert_eq!(accounts.api_token(&signed_in.token).await.unwrap(), None);

    // Storage holds the token's hash, never the token.
    let now = crate::ids::now_ms();
    assert_eq!(store.session(&signed_in.token, now).await.unwrap(), None);
    let hash = session_hash(&signed_in.caller);
    assert_ne!(hash, signed_in.token);
    assert!(store.session(hash, now).await.unwrap().is_some());
}

#[tokio::test(start_paused = true)]
async fn a_session_in_use_lives_on_and_one_unused_expires() {
    let (accounts, store, _, _) = alice_and_bob().await;
    let signed_in = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    let hash = session_hash(&signed_in.caller).to_owned();
    let stored_expiry = || async {
        let now = crate::ids::now_ms();
        store
            .session(&hash, now)
            .await
            .unwrap()
            .unwrap()
            .expires_at_ms
    };
    assert_eq!(stored_expiry().await, signed_in.expires_at_ms);

    // Used within its first day, it is not written again.
    tokio::time::advance(Duration::from_secs(60 * 60)).await;
    assert!(accounts.session(&signed_in.token).await.unwrap().is_some());
    assert_eq!(stored_expiry().await, signed_in.expires_at_ms);

    // Used later, it lasts 30 days from then.
    tokio::time::advance(2 * DAY).await;
    assert!(accounts.session(&signed_in.token).await.unwrap().is_some());
    let extended = stored_expiry().await;
    assert_eq!(extended, crate::ids::now_ms() + SESSION_LIFETIME_MS);
    assert!(extended > signed_in.expires_at_ms);

    // Past its first expiry, it still works.
    tokio::time::advance(29 * DAY).await;
    assert!(accounts.session(&signed_in.token).await.unwrap().is_some());

    // Unused for 30 days, it is over.
    tokio::time::advance(30 * DAY).await;
    assert_eq!(accounts.session(&signed_in.token).await.unwrap(), None);
}

#[tokio::test(start_paused = true)]
async fn ten_failures_throttle_an_account_even_with_its_password() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let attacker = address("203.0.113.9");
    for _ in 0..MAX_SIGN_IN_FAILURES {
        let guess = accounts.sign_in("alice", "a wrong guess", attacker).await;
        assert!(is_sign_in_failed(&guess));
    }
    let throttled = accounts.sign_in("alice", PASSWORD, attacker).await;
    assert!(is_throttled(&throttled));
    assert_eq!(
        throttled.err().unwrap().public_message(),
        "too many failed sign-ins; try again in 15 minutes"
    );
    // The account is throttled from anywhere.
    let elsewhere = accounts
        .sign_in("ALICE", PASSWORD, address("198.51.100.1"))
        .await;
    assert!(is_throttled(&elsewhere));
    // Another user from another address is not.
    assert!(accounts
        .sign_in("bob", PASSWORD, address("198.51.100.2"))
        .await
        .is_ok());

    // Once the failures are out of the window, the right password works again.
    let window = Duration::from_millis(SIGN_IN_WINDOW_MS.unsigned_abs());
    tokio::time::advance(window).await;
    assert!(accounts.sign_in("alice", PASSWORD, attacker).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn ten_failures_throttle_an_address_across_usernames() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let attacker = address("2001:db8:7:7::1");
    for i in 0..MAX_SIGN_IN_FAILURES {
        let guess = accounts
            .sign_in(&format!("user{i}"), PASSWORD, attacker)
            .await;
        assert!(is_sign_in_failed(&guess));
    }
    // Bob's own password is refused from that address, and from its neighbours in the /64.
    assert!(is_throttled(
        &accounts.sign_in("bob", PASSWORD, attacker).await
    ));
    let neighbour = address("2001:db8:7:7::2");
    assert!(is_throttled(
        &accounts.sign_in("bob", PASSWORD, neighbour).await
    ));
    // Bob himself, elsewhere, signs in: his account has no failures.
    assert!(accounts
        .sign_in("bob", PASSWORD, address("198.51.100.2"))
        .await
        .is_ok());
}

#[tokio::test]
async fn a_success_clears_no_failures() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let client = address("203.0.113.9");
    for _ in 0..MAX_SIGN_IN_FAILURES - 1 {
        let _ = accounts.sign_in("alice", "a wrong guess", client).await;
    }
    assert!(accounts.sign_in("alice", PASSWORD, client).await.is_ok());
    let _ = accounts.sign_in("alice", "a wrong guess", client).await;
    assert!(is_throttled(
        &accounts.sign_in("alice", PASSWORD, None).await
    ));
}

#[tokio::test]
async fn changing_ones_password_signs_out_every_other_session() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let here = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    let there = accounts.sign_in("bob", PASSWORD, None).await.unwrap();

    let wrong = accounts
        .change_password(&here.caller, "not the password", "a new password!")
        .await;
    assert_eq!(
        wrong.unwrap_err().public_message(),
        "the current password is wrong"
    );
    let short = accounts
        .change_password(&here.caller, PASSWORD, "short")
        .await;
    assert!(matches!(short, Err(ServiceError::Invalid(_))));
    assert!(accounts.session(&there.token).await.unwrap().is_some());

    accounts
        .change_password(&here.caller, PASSWORD, "a new password!")
        .await
        .unwrap();
    assert!(accounts.session(&here.token).await.unwrap().is_some());
    assert_eq!(accounts.session(&there.token).await.unwrap(), None);
    assert!(is_sign_in_failed(
        &accounts.sign_in("bob", PASSWORD, None).await
    ));
    assert!(accounts
        .sign_in("bob", "a new password!", None)
        .await
        .is_ok());
}

#[tokio::test]
async fn signing_out_ends_the_session_only() {
    let (accounts, _, _, _) = alice_and_bob().await;
    let here = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    let there = accounts.sign_in("bob", PASSWORD, None).await.unwrap();
    accounts.sign_out(&here.caller).await.unwrap();
    assert_eq!(accounts.session(&here.token).await.unwrap(), None);
    assert!(accounts.session(&there.token).await.unwrap().is_some());
}

#[tokio::test(start_paused = true)]
async fn another_servers_sign_out_takes_effect_here_within_the_recent_window() {
    let (accounts, store, _, _) = alice_and_bob().await;
    let session = accounts.sign_in("alice", PASSWORD, None).await.unwrap();
    assert!(accounts.session(&session.token).await.unwrap().is_some());
    // Another server signs the session out: the catalog no longer has it.
    assert!(store
        .delete_session(session_hash(&session.caller))
        .await
        .unwrap());
    assert!(
        accounts.session(&session.token).await.unwrap().is_some(),
        "checked a moment ago, trusted for a moment"
    );
    tokio::time::advance(crate::accounts::RECENT_FOR + Duration::from_secs(1)).await;
    assert_eq!(accounts.session(&session.token).await.unwrap(), None);
}
