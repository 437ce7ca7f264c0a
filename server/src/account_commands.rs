//! `gaillery user add|list|remove`, `gaillery token create` and `gaillery sweep`: accounts and
//! housekeeping from the shell, on the same storage options as `serve`, so an administrator can be made before the server is
//! ever reachable, and a forgotten password reset by whoever holds the machine.

use crate::cli::{StoreArgs, SweepArgs, TokenCommand, UserCommand};
use crate::startup::{gallery_config, open_storage, StartupError};
use gaillery_core::size::human_size;
use gaillery_core::OwnerId;
use gaillery_service::accounts::Accounts;
use gaillery_service::{remove_account_and_belongings, Albums, Gallery};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

/// Accounts and photos of the storage `store` names.
async fn open(store: &StoreArgs) -> Result<(Accounts, Gallery, Albums), StartupError> {
    open_for_commands(store, Vec::new()).await
}

/// The services a command works with, on the storage `serve` would use; photos it adds are
/// queued for `models`.
pub(crate) async fn open_for_commands(
    store: &StoreArgs,
    models: Vec<String>,
) -> Result<(Accounts, Gallery, Albums), StartupError> {
    let storage = open_storage(&store.data_dir, &store.storage).await?;
    let config = gallery_config(storage.staging_dir, Some(1), 50, 100, models);
    let gallery = Gallery::new(storage.blobs, storage.catalog, config)
        .with_albums(Arc::clone(&storage.albums));
    let accounts = Accounts::new(storage.accounts);
    let albums = Albums::new(storage.albums, gallery.clone(), accounts.clone());
    Ok((accounts, gallery, albums))
}

pub async fn user(command: UserCommand) -> Result<(), StartupError> {
    match command {
        UserCommand::Add { name, admin, store } => {
            let (accounts, _, _) = open(&store).await?;
            let password = read_password(&name)?;
            let account = accounts.add_account(&name, &password, admin).await?;
            let role = if account.admin {
                "administrator"
            } else {
                "user"
            };
            eprintln!("added {} ({role})", account.username);
        }
        UserCommand::List { store } => {
            let (accounts, gallery, _) = open(&store).await?;
            let mut out = std::io::stdout().lock();
            for account in accounts.accounts().await? {
                let role = if account.admin { "admin" } else { "user" };
                let totals = gallery.totals(&account.owner).await?;
                let size = human_size(totals.bytes);
                let photos = totals.photos;
                writeln!(out, "{}\t{role}\t{photos} photos\t{size}", account.username)
                    .map_err(crate::startup::io_context("stdout"))?;
            }
        }
        UserCommand::Remove { name, store } => {
            let (accounts, gallery, albums) = open(&store).await?;
            let deleted =
                remove_account_and_belongings(&accounts, &albums, &gallery, &name).await?;
            // Their images are removed in the background: wait for it before exiting.
            gallery.background_settled().await;
            eprintln!("removed {name} and {deleted} photos");
        }
    }
    Ok(())
}

pub async fn sweep(args: SweepArgs) -> Result<(), StartupError> {
    let (_, gallery, _) = open(&args.store).await?;
    let older_than = Duration::from_secs(args.older_than_mins.saturating_mul(60));
    let report = gallery.sweep(older_than).await?;
    writeln!(
        std::io::stdout().lock(),
        "{} objects seen, {} removed, {} not a photo's (left alone); {} staged uploads removed",
        report.objects_seen,
        report.objects_removed,
        report.objects_unknown,
        report.staged_removed
    )
    .map_err(crate::startup::io_context("stdout"))
}

pub async fn token(command: TokenCommand) -> Result<(), StartupError> {
    let TokenCommand::Create { name, user, store } = command;
    let (accounts, _, _) = open(&store).await?;
    let owner = owner_named(&accounts, user.as_deref()).await?;
    let token = accounts.create_api_token(&owner, &name).await?;
    eprintln!(
        "created token {} ({name}); it is shown this once:",
        token.id
    );
    writeln!(std::io::stdout().lock(), "{}", token.token)
        .map_err(crate::startup::io_context("stdout"))
}

/// The account `user` names; without a name, the only account, or the owner of a gallery
/// made before accounts when there is none.
pub async fn owner_named(accounts: &Accounts, user: Option<&str>) -> Result<OwnerId, StartupError> {
    if let Some(user) = user {
        return Ok(accounts.account_named(user).await?.owner);
    }
    let all = accounts.accounts().await?;
    match all.as_slice() {
        [] => Ok(OwnerId::local()),
        [only] => Ok(only.owner.clone()),
        _ => Err(StartupError::Config(
            "this gallery has several accounts: name one with --user NAME".into(),
        )),
    }
}

/// One line of standard input, without its line ending: never an argument, which other users
/// of the machine could read in the process list.
fn read_password(name: &str) -> Result<String, StartupError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password for {name} (typed text is shown): ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(crate::startup::io_context(
            "reading the password from standard input",
        ))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
