//! Session and API token checks: found by hash, expiring, sliding, signed out one or all at
//! once, listed newest first, and only ever their owner's.

use super::created_account;
use crate::accounts::{AccountStore, Session};
use crate::contract::helpers::now_ms;
use crate::contract::run::Run;
use gaillery_core::OwnerId;

const HOUR_MS: i64 = 60 * 60 * 1000;

pub async fn sessions_round_trip_and_end_at_their_expiry(store: &dyn AccountStore) {
    const CHECK: &str = "sessions_round_trip_and_end_at_their_expiry";
    let run = &Run::new();
    let now = now_ms();
    let session = signed_in(store, run, "frank", now).await;
    let at = |now_ms| store.session(&session.token_hash, now_ms);
    assert_eq!(at(now).await, Ok(Some(session.clone())), "{CHECK}");
    assert_eq!(
        at(session.expires_at_ms - 1).await,
        Ok(Some(session.clone()))
    );
    assert_eq!(
        at(session.expires_at_ms).await,
        Ok(None),
        "{CHECK}: at expiry"
    );
    assert_eq!(at(session.expires_at_ms + HOUR_MS).await, Ok(None));
    assert_eq!(store.session(&run.sha256(), now).await, Ok(None));
}

pub async fn a_session_is_read_with_its_account(store: &dyn AccountStore) {
    const CHECK: &str = "a_session_is_read_with_its_account";
    let run = &Run::new();
    let now = now_ms();
    let session = signed_in(store, run, "heidi", now).await;
    let account = store
        .account(&session.owner)
        .await
        .expect("account")
        .expect("the session's account");
    let read = |now_ms| store.session_with_account(&session.token_hash, now_ms);
    assert_eq!(
        read(now).await,
        Ok(Some((session.clone(), account))),
        "{CHECK}"
    );
    assert_eq!(
        read(session.expires_at_ms).await,
        Ok(None),
        "{CHECK}: at expiry"
    );
    assert_eq!(
        store.session_with_account(&run.sha256(), now).await,
        Ok(None),
        "{CHECK}: unknown"
    );
}

pub async fn sessions_slide_and_are_deleted(store: &dyn AccountStore) {
    const CHECK: &str = "sessions_slide_and_are_deleted";
    let run = &Run::new();
    let now = now_ms();
    let session = signed_in(store, run, "grace", now).await;
    let owner = &session.owner;
    let later = session.expires_at_ms + 5 * HOUR_MS;
    let hash = &session.token_hash;
    assert_eq!(store.extend_session(hash, later, now + 10).await, Ok(true));
    let extended = Session {
        expires_at_ms: later,
        ..session.clone()
    };
    assert_eq!(
        store.session(hash, session.expires_at_ms).await,
        Ok(Some(extended.clone())),
        "{CHECK}: alive past its first expiry"
    );
    assert_eq!(
        store.sessions_of(owner, now).await,
        Ok(vec![extended]),
        "{CHECK}: the listing sees the new expiry"
    );
    assert_eq!(
        store.extend_session(hash, later + HOUR_MS, later).await,
        Ok(false),
        "{CHECK}: an expired session is never revived"
    );
    assert_eq!(store.session(hash, later).await, Ok(None));
    assert_eq!(
        store.extend_session(&run.sha256(), later, now).await,
        Ok(false)
    );

    let other = run.session(owner, now + 1);
    assert_eq!(store.create_session(other.clone()).await, Ok(true));
    assert_eq!(store.delete_session(&other.token_hash).await, Ok(true));
    assert_eq!(store.session(&other.token_hash, now).await, Ok(None));
    assert_eq!(store.delete_session(&other.token_hash).await, Ok(false));
    assert_eq!(store.sessions_of(owner, now).await.map(|s| s.len()), Ok(1));
}

pub async fn signing_out_everywhere_touches_one_owner(store: &dyn AccountStore) {
    const CHECK: &str = "signing_out_everywhere_touches_one_owner";
    let run = &Run::new();
    let now = now_ms();
    let (heidi, ivan) = (
        created_account(store, run, "heidi").await,
        created_account(store, run, "ivan").await,
    );
    let mut theirs = Vec::new();
    for (owner, n) in [
        (&heidi, 0),
        (&ivan, 1),
        (&heidi, 2),
        (&ivan, 3),
        (&heidi, 4),
    ] {
        let session = run.session(owner, now + n);
        assert_eq!(store.create_session(session.clone()).await, Ok(true));
        theirs.push(session);
    }
    let newest_first = |owner: &OwnerId| -> Vec<Session> {
        let mut sessions: Vec<Session> = theirs
            .iter()
            .filter(|s| &s.owner == owner)
            .cloned()
            .collect();
        sessions.reverse();
        sessions
    };
    assert_eq!(
        store.sessions_of(&heidi, now).await,
        Ok(newest_first(&heidi)),
        "{CHECK}: newest first"
    );
    assert_eq!(store.delete_sessions_of(&heidi).await, Ok(3));
    assert_eq!(store.sessions_of(&heidi, now).await, Ok(vec![]));
    assert_eq!(
        store.sessions_of(&ivan, now).await,
        Ok(newest_first(&ivan)),
        "{CHECK}: the other owner is untouched"
    );
    assert_eq!(store.delete_sessions_of(&heidi).await, Ok(0));
    assert_eq!(store.account(&heidi).await.map(|a| a.is_some()), Ok(true));
}

pub async fn sessions_and_tokens_need_an_account(store: &dyn AccountStore) {
    const CHECK: &str = "sessions_and_tokens_need_an_account";
    let run = &Run::new();
    let now = now_ms();
    let ghost = run.owner("ghost");
    let session = run.session(&ghost, now);
    assert_eq!(
        store.create_session(session.clone()).await,
        Ok(false),
        "{CHECK}"
    );
    assert_eq!(store.session(&session.token_hash, now).await, Ok(None));
    let token = run.api_token(&ghost, "orphan", now);
    assert_eq!(
        store.create_api_token(token.clone()).await,
        Ok(false),
        "{CHECK}"
    );
    assert_eq!(store.api_token_by_hash(&token.token_hash).await, Ok(None));
}

pub async fn api_tokens_round_trip_newest_first(store: &dyn AccountStore) {
    const CHECK: &str = "api_tokens_round_trip_newest_first";
    let run = &Run::new();
    let now = now_ms();
    let owner = created_account(store, run, "judy").await;
    let mut tokens = Vec::new();
    for (name, at) in [
        ("laptop", now),
        ("phone 📱", now + 2_000),
        ("nas/backup #1", now + 1_000),
    ] {
        let token = run.api_token(&owner, name, at);
        assert_eq!(store.create_api_token(token.clone()).await, Ok(true));
        tokens.push(token);
    }
    for token in &tokens {
        assert_eq!(
            store.api_token_by_hash(&token.token_hash).await,
            Ok(Some(token.clone())),
            "{CHECK}: every field"
        );
    }
    tokens.sort_by_key(|token| std::cmp::Reverse(token.created_at_ms));
    assert_eq!(store.api_tokens_of(&owner).await, Ok(tokens), "{CHECK}");
    assert_eq!(store.api_token_by_hash(&run.sha256()).await, Ok(None));
}

pub async fn api_tokens_are_deleted_only_by_their_owner(store: &dyn AccountStore) {
    const CHECK: &str = "api_tokens_are_deleted_only_by_their_owner";
    let run = &Run::new();
    let now = now_ms();
    let (kim, leo) = (
        created_account(store, run, "kim").await,
        created_account(store, run, "leo").await,
    );
    let token = run.api_token(&kim, "sync", now);
    assert_eq!(store.create_api_token(token.clone()).await, Ok(true));
    assert_eq!(
        store.delete_api_token(&leo, &token.id).await,
        Ok(false),
        "{CHECK}: another owner"
    );
    assert_eq!(
        store.api_token_by_hash(&token.token_hash).await,
        Ok(Some(token.clone()))
    );
    assert_eq!(store.delete_api_token(&kim, &token.id).await, Ok(true));
    assert_eq!(store.api_token_by_hash(&token.token_hash).await, Ok(None));
    assert_eq!(store.api_tokens_of(&kim).await, Ok(vec![]));
    assert_eq!(store.delete_api_token(&kim, &token.id).await, Ok(false));
}

/// A new account with a new session of an hour from `now`.
async fn signed_in(store: &dyn AccountStore, run: &Run, name: &str, now: i64) -> Session {
    let owner = created_account(store, run, name).await;
    let session = run.session(&owner, now);
    assert_eq!(store.create_session(session.clone()).await, Ok(true));
    session
}
