//! Account checks: accounts and their usernames here, sessions and API tokens in `sessions`,
//! sign-in throttling in `throttle`.
//!
//! Accounts are counted and listed across the whole store, so the first-account checks
//! (`only_the_first_account_is_created_when_asked`,
//! `concurrent_first_accounts_create_exactly_one`) and the last-administrator check
//! (`the_last_administrator_stays_when_asked`) want a store with no accounts; the others
//! use names, owners and keys of their own and tolerate neighbours.

mod sessions;
mod throttle;

pub use sessions::*;
pub use throttle::*;

use super::helpers::now_ms;
use super::run::Run;
use crate::accounts::{
    Account, AccountCreated, AccountDeleted, AccountStore, ApiToken, LastAdministrator, Session,
};
use gaillery_core::OwnerId;

/// Runs every account check, one after the other on `store`.
pub async fn all_checks(store: &dyn AccountStore) {
    crate::__contract_checks!(accounts => __contract_run_each!((store)));
}

pub async fn accounts_round_trip_by_id_and_by_name_in_any_case(store: &dyn AccountStore) {
    const CHECK: &str = "accounts_round_trip_by_id_and_by_name_in_any_case";
    let run = &Run::new();
    let alice = run.account("Élodie", true);
    assert_eq!(create(store, &alice, false).await, AccountCreated::Created);
    assert_eq!(
        store.account(&alice.id).await.expect("account"),
        Some(alice.clone()),
        "{CHECK}: by id, every field"
    );
    for spelling in [
        alice.username.clone(),
        alice.username.to_uppercase(),
        alice.username.to_lowercase(),
    ] {
        assert_eq!(
            store.account_by_name(&spelling).await.expect("by name"),
            Some(alice.clone()),
            "{CHECK}: by name as {spelling:?}"
        );
    }
    assert_eq!(
        store.account(&run.owner("nobody")).await.expect("account"),
        None
    );
    let unknown = format!("{} ", alice.username);
    assert_eq!(
        store.account_by_name(&unknown).await.expect("by name"),
        None,
        "{CHECK}: only the whole name matches"
    );
}

pub async fn taken_names_in_any_case_are_refused(store: &dyn AccountStore) {
    const CHECK: &str = "taken_names_in_any_case_are_refused";
    let run = &Run::new();
    let first = run.account("Bob", false);
    assert_eq!(create(store, &first, false).await, AccountCreated::Created);
    for spelling in [first.username.clone(), first.username.to_uppercase()] {
        let again = Account {
            id: run.owner("bob-again"),
            username: spelling.clone(),
            ..first.clone()
        };
        assert_eq!(
            create(store, &again, false).await,
            AccountCreated::NameTaken,
            "{CHECK}: {spelling:?}"
        );
        assert_eq!(store.account(&again.id).await.expect("account"), None);
    }
    assert_eq!(
        store.account_by_name(&first.username).await.expect("name"),
        Some(first),
        "{CHECK}: the first keeps the name"
    );
}

pub async fn only_the_first_account_is_created_when_asked(store: &dyn AccountStore) {
    const CHECK: &str = "only_the_first_account_is_created_when_asked";
    let run = &Run::new();
    assert_eq!(store.count_accounts().await, Ok(0), "{CHECK}: empty store");
    let admin = run.account("admin", true);
    assert_eq!(create(store, &admin, true).await, AccountCreated::Created);
    let second = run.account("second", true);
    assert_eq!(
        create(store, &second, true).await,
        AccountCreated::NotFirst,
        "{CHECK}: an account exists"
    );
    let taken_and_late = Account {
        id: run.owner("late"),
        ..admin.clone()
    };
    assert_eq!(
        create(store, &taken_and_late, true).await,
        AccountCreated::NotFirst,
        "{CHECK}: NotFirst wins over NameTaken"
    );
    assert_eq!(create(store, &second, false).await, AccountCreated::Created);
    assert_eq!(store.count_accounts().await, Ok(2));
    for account in [&admin, &second] {
        assert_eq!(
            store
                .delete_account(&account.id, LastAdministrator::MayGo)
                .await,
            Ok(AccountDeleted::Deleted)
        );
    }
    assert_eq!(store.count_accounts().await, Ok(0));
    assert_eq!(
        create(store, &run.account("again", true), true).await,
        AccountCreated::Created,
        "{CHECK}: with every account gone, the next is a first again"
    );
}

pub async fn concurrent_first_accounts_create_exactly_one(store: &dyn AccountStore) {
    const CHECK: &str = "concurrent_first_accounts_create_exactly_one";
    let run = &Run::new();
    let accounts: Vec<Account> = (0..8).map(|_| run.account("first", true)).collect();
    let outcomes = futures::future::join_all(
        accounts
            .iter()
            .map(|account| store.create_account(account.clone(), true)),
    )
    .await;
    let created: Vec<&Account> = outcomes
        .iter()
        .zip(&accounts)
        .filter(|(outcome, _)| matches!(outcome, Ok(AccountCreated::Created)))
        .map(|(_, account)| account)
        .collect();
    assert_eq!(created.len(), 1, "{CHECK}: {outcomes:?}");
    assert!(
        outcomes.iter().all(|outcome| matches!(
            outcome,
            Ok(AccountCreated::Created | AccountCreated::NotFirst)
        )),
        "{CHECK}: {outcomes:?}"
    );
    assert_eq!(store.list_accounts().await, Ok(vec![created[0].clone()]));
}

pub async fn the_last_administrator_stays_when_asked(store: &dyn AccountStore) {
    const CHECK: &str = "the_last_administrator_stays_when_asked";
    let run = &Run::new();
    let (ada, bea) = (run.account("ada", true), run.account("bea", true));
    let member = run.account("carl", false);
    for account in [&ada, &bea, &member] {
        assert_eq!(create(store, account, false).await, AccountCreated::Created);
    }
    // Two administrators removing each other at once: one goes, the other is the last.
    let (first, second) = futures::join!(
        store.delete_account(&ada.id, LastAdministrator::Keep),
        store.delete_account(&bea.id, LastAdministrator::Keep),
    );
    let mut outcomes = [first.clone(), second.clone()];
    outcomes.sort_by_key(|outcome| format!("{outcome:?}"));
    assert_eq!(
        outcomes,
        [
            Ok(AccountDeleted::Deleted),
            Ok(AccountDeleted::LastAdministrator)
        ],
        "{CHECK}: {first:?} {second:?}"
    );
    let remaining = store.list_accounts().await.expect("list");
    let admins: Vec<&Account> = remaining.iter().filter(|account| account.admin).collect();
    assert_eq!(admins.len(), 1, "{CHECK}: {remaining:?}");
    let last = admins[0].clone();
    assert_eq!(
        store
            .delete_account(&last.id, LastAdministrator::Keep)
            .await,
        Ok(AccountDeleted::LastAdministrator),
        "{CHECK}: alone"
    );
    assert_eq!(store.account(&last.id).await, Ok(Some(last.clone())));
    assert_eq!(
        store
            .delete_account(&member.id, LastAdministrator::Keep)
            .await,
        Ok(AccountDeleted::Deleted),
        "{CHECK}: not an administrator"
    );
    assert_eq!(
        store
            .delete_account(&last.id, LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::Deleted)
    );
    assert_eq!(store.count_accounts().await, Ok(0));
}

pub async fn accounts_are_listed_by_username(store: &dyn AccountStore) {
    const CHECK: &str = "accounts_are_listed_by_username";
    let run = &Run::new();
    let mut accounts = Vec::new();
    for name in ["mallory", "Carol", "alice", "Dave", "zoë", "bob"] {
        let account = run.account(name, false);
        assert_eq!(
            create(store, &account, false).await,
            AccountCreated::Created
        );
        accounts.push(account);
    }
    let mine: Vec<Account> = store
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .filter(|account| accounts.contains(account))
        .collect();
    let names: Vec<&str> = mine
        .iter()
        .map(|account| account.username.split('-').next().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["alice", "bob", "Carol", "Dave", "mallory", "zoë"],
        "{CHECK}: by username, whatever its case"
    );
    assert!(store.count_accounts().await.expect("count") >= 6);
}

pub async fn passwords_change_and_missing_accounts_say_so(store: &dyn AccountStore) {
    const CHECK: &str = "passwords_change_and_missing_accounts_say_so";
    let run = &Run::new();
    let account = run.account("carol", false);
    assert_eq!(
        create(store, &account, false).await,
        AccountCreated::Created
    );
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$c2FsdA";
    assert_eq!(
        store.set_password_hash(&account.id, new_hash).await,
        Ok(true)
    );
    let changed = store.account(&account.id).await.expect("account");
    assert_eq!(
        changed,
        Some(Account {
            password_hash: new_hash.to_owned(),
            ..account.clone()
        }),
        "{CHECK}: only the hash changed"
    );
    assert_eq!(
        store.set_password_hash(&run.owner("ghost"), new_hash).await,
        Ok(false)
    );
    assert_eq!(
        store
            .delete_account(&run.owner("ghost"), LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::NoSuchAccount)
    );
}

pub async fn deleting_an_account_takes_its_sessions_and_tokens_and_frees_its_name(
    store: &dyn AccountStore,
) {
    const CHECK: &str = "deleting_an_account_takes_its_sessions_and_tokens_and_frees_its_name";
    let run = &Run::new();
    let now = now_ms();
    let (gone, kept) = (run.account("Dora", false), run.account("erin", false));
    let mut sessions = Vec::new();
    let mut tokens = Vec::new();
    for account in [&gone, &kept] {
        assert_eq!(create(store, account, false).await, AccountCreated::Created);
        for n in 0..3 {
            let session = run.session(&account.id, now + n);
            assert_eq!(store.create_session(session.clone()).await, Ok(true));
            sessions.push(session);
            let token = run.api_token(&account.id, "backup", now + n);
            assert_eq!(store.create_api_token(token.clone()).await, Ok(true));
            tokens.push(token);
        }
    }
    assert_eq!(
        store
            .delete_account(&gone.id, LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::Deleted)
    );
    assert_eq!(store.account(&gone.id).await, Ok(None));
    assert_eq!(store.account_by_name(&gone.username).await, Ok(None));
    assert_eq!(
        store
            .delete_account(&gone.id, LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::NoSuchAccount)
    );
    for (session, token) in sessions.iter().zip(&tokens) {
        let expected = session.owner == kept.id;
        let found = store.session(&session.token_hash, now).await.expect("read");
        assert_eq!(found.is_some(), expected, "{CHECK}: {session:?}");
        let found = store.api_token_by_hash(&token.token_hash).await;
        assert_eq!(
            found.expect("read").is_some(),
            expected,
            "{CHECK}: {token:?}"
        );
    }
    assert_eq!(store.sessions_of(&gone.id, now).await, Ok(vec![]));
    assert_eq!(store.api_tokens_of(&gone.id).await, Ok(vec![]));
    assert_eq!(
        store.sessions_of(&kept.id, now).await.map(|s| s.len()),
        Ok(3)
    );
    assert_eq!(store.api_tokens_of(&kept.id).await.map(|t| t.len()), Ok(3));
    assert_eq!(store.account(&kept.id).await, Ok(Some(kept.clone())));

    let reuse = Account {
        id: run.owner("dora-again"),
        username: gone.username.to_uppercase(),
        ..gone.clone()
    };
    assert_eq!(
        create(store, &reuse, false).await,
        AccountCreated::Created,
        "{CHECK}: the name is free again"
    );
    assert_eq!(store.account_by_name(&gone.username).await, Ok(Some(reuse)));
}

pub async fn odd_names_round_trip_without_colliding(store: &dyn AccountStore) {
    const CHECK: &str = "odd_names_round_trip_without_colliding";
    let run = &Run::new();
    let now = now_ms();
    let mut accounts = Vec::new();
    for name in ["a#b", "a", "a/b c", "ünï cødé 🐈", "S#x", "U", "N#a", "K#"] {
        let account = Account {
            id: run.owner(&format!("id {name}")),
            username: format!("{name}{}", run.tag),
            ..run.account("x", false)
        };
        assert_eq!(
            create(store, &account, false).await,
            AccountCreated::Created
        );
        accounts.push(account);
    }
    for account in &accounts {
        assert_eq!(
            store.account_by_name(&account.username).await,
            Ok(Some(account.clone())),
            "{CHECK}"
        );
        assert_eq!(store.account(&account.id).await, Ok(Some(account.clone())));
        let session = Session {
            token_hash: format!("{}#{}", account.username, run.sha256()),
            ..run.session(&account.id, now)
        };
        assert_eq!(store.create_session(session.clone()).await, Ok(true));
        assert_eq!(store.sessions_of(&account.id, now).await, Ok(vec![session]));
        let token = ApiToken {
            id: format!("{}/{}", account.username, run.next()),
            ..run.api_token(&account.id, "t", now)
        };
        assert_eq!(store.create_api_token(token.clone()).await, Ok(true));
        assert_eq!(store.api_tokens_of(&account.id).await, Ok(vec![token]));
    }
    let first = &accounts[0];
    assert_eq!(
        store
            .delete_account(&first.id, LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::Deleted)
    );
    for account in &accounts[1..] {
        assert_eq!(
            store.account(&account.id).await,
            Ok(Some(account.clone())),
            "{CHECK}: {:?} survives the deletion of {:?}",
            account.username,
            first.username
        );
        assert_eq!(
            store.sessions_of(&account.id, now).await.map(|s| s.len()),
            Ok(1)
        );
        assert_eq!(
            store.api_tokens_of(&account.id).await.map(|t| t.len()),
            Ok(1)
        );
    }
}

pub(super) async fn create(
    store: &dyn AccountStore,
    account: &Account,
    only_if_first: bool,
) -> AccountCreated {
    store
        .create_account(account.clone(), only_if_first)
        .await
        .unwrap_or_else(|e| panic!("create {:?}: {e}", account.username))
}

/// A new account's id.
pub(super) async fn created_account(store: &dyn AccountStore, run: &Run, name: &str) -> OwnerId {
    let account = run.account(name, false);
    assert_eq!(
        create(store, &account, false).await,
        AccountCreated::Created
    );
    account.id
}
