//! `gaillery seed-library`: a large made-up library in minutes, for benchmarks and tests of
//! galleries the size people's are (see `Gallery::seed_library`).

use crate::account_commands::{open_for_commands, owner_named};
use crate::cli::SeedLibraryArgs;
use crate::startup::StartupError;
use std::io::Write;
use std::time::Instant;

pub async fn seed_library(args: SeedLibraryArgs) -> Result<(), StartupError> {
    let (accounts, gallery, _) = open_for_commands(&args.store, Vec::new()).await?;
    let owner = owner_named(&accounts, args.user.as_deref()).await?;
    let started = Instant::now();
    let count = args.count;
    // A line at each tenth (progress comes every hundred photos): a million photos take long
    // enough to want to know.
    let tenth = count.div_ceil(1_000).max(1) * 100;
    let report = |done: u64| {
        if done.is_multiple_of(tenth) || done == count {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
            eprintln!("seeded {done} of {count} photos ({rate:.0} a second)");
        }
    };
    let added = gallery.seed_library(&owner, count, report).await?;
    writeln!(
        std::io::stdout().lock(),
        "added {added} photos in {:.1} s",
        started.elapsed().as_secs_f64()
    )
    .map_err(crate::startup::io_context("stdout"))
}
