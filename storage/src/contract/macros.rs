//! The lists of checks, and the macro that turns them into one test each for an adapter.
//!
//! `__contract_checks!` holds the one list per suite; it hands the list to another macro, so
//! the tests of `contract_tests!` and each module's `all_checks` are made from the same names
//! and cannot drift apart.

/// One `#[tokio::test]` per check of the named suites, for the adapter that `body` sets up.
///
/// `body` runs once per check, with `check` bound to that check's function: it builds the
/// adapter (and whatever must outlive it: a temporary directory, a bucket) and awaits
/// `check(&adapter)` (blob checks also take a scratch directory for `put_file` sources). The
/// tests go in a module per suite, so `cargo test` names them `catalog::insert_then_get`,
/// `jobs::expired_leases_are_claimed_again`, and so on. The body sees the items of the module
/// that invokes the macro. Suites: `blob`, `catalog`, `listing`, `labels`, `timeline`, `jobs`, `events`,
/// `accounts`, `albums`.
///
/// ```text
/// gaillery_storage::contract_tests!(catalog, listing, labels, jobs => |check| {
///     let dir = tempfile::tempdir().expect("temp dir");
///     let catalog = SqliteCatalog::open(&dir.path().join("catalog.sqlite")).expect("catalog");
///     check(&catalog).await;
/// });
/// ```
///
/// The invoking crate needs `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! contract_tests {
    ($($suite:ident),+ => |$check:ident| $body:block) => {
        $(
            $crate::__contract_checks!($suite => __contract_test_module!(|$check| $body));
        )+
    };
}

/// Every check of a suite, in the order `all_checks` runs them, handed to `$then` as
/// `$then!(suite [check, ...] args...)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_checks {
    (blob => $then:ident!($($args:tt)*)) => {
        $crate::$then!(blob [
            put_then_read_round_trips,
            empty_objects_round_trip,
            put_overwrites,
            put_many_stores_each_object,
            missing_keys_are_not_found,
            delete_is_idempotent,
            neighbouring_keys_are_independent,
            invalid_keys_are_rejected,
            put_file_consumes_its_source,
            put_file_of_a_missing_source_is_not_found,
            large_objects_stream_whole,
            list_names_each_object_once_with_its_time
        ] $($args)*);
    };
    (catalog => $then:ident!($($args:tt)*)) => {
        $crate::$then!(catalog [
            insert_then_get,
            created_at_is_rfc3339_utc_with_millis,
            missing_photos_are_none,
            duplicate_hash_returns_the_first_photo,
            same_hash_for_another_owner_is_allowed,
            owners_are_isolated,
            delete_removes_one_photo,
            delete_all_returns_the_removed_ids,
            totals_follow_inserts_and_deletes,
            concurrent_duplicate_inserts_create_exactly_one
        ] $($args)*);
    };
    (listing => $then:ident!($($args:tt)*)) => {
        $crate::$then!(listing [
            empty_listing_has_no_next_page,
            listing_is_newest_first_with_ties_broken_by_id,
            pagination_visits_every_photo_exactly_once,
            pages_stay_stable_when_newer_photos_arrive,
            limit_is_clamped,
            malformed_cursors_are_invalid,
            photos_by_ids_come_in_the_order_asked_and_only_the_owners
        ] $($args)*);
    };
    (labels => $then:ident!($($args:tt)*)) => {
        $crate::$then!(labels [
            status_round_trips,
            labels_round_trip_in_the_order_given,
            insert_photos_catalogues_each_with_its_labels,
            non_finite_probabilities_are_refused,
            tags_filter_and_count,
            unsure_labels_do_not_make_a_photo_findable
        ] $($args)*);
    };
    (timeline => $then:ident!($($args:tt)*)) => {
        $crate::$then!(timeline [
            months_follow_the_date_taken_or_else_the_upload,
            a_months_photos_come_newest_first_a_page_at_a_time,
            month_counts_follow_deletes,
            month_counts_stay_exact_under_concurrent_writes,
            tags_filter_the_timeline_and_its_months
        ] $($args)*);
    };
    (jobs => $then:ident!($($args:tt)*)) => {
        $crate::$then!(jobs [
            jobs_go_to_one_claimer_and_only_the_holder_finishes,
            expired_leases_are_claimed_again,
            retries_wait_for_their_time_and_failures_end_the_job,
            a_restarted_instance_gets_its_jobs_back_at_once
        ] $($args)*);
    };
    (events => $then:ident!($($args:tt)*)) => {
        $crate::$then!(events [
            events_read_back_oldest_first,
            events_since_excludes_older_ones,
            events_limit_keeps_the_oldest,
            events_of_one_millisecond_all_get_through,
            events_are_per_owner,
            events_are_kept_for_the_retention_time
        ] $($args)*);
    };
    (accounts => $then:ident!($($args:tt)*)) => {
        $crate::$then!(accounts [
            accounts_round_trip_by_id_and_by_name_in_any_case,
            taken_names_in_any_case_are_refused,
            only_the_first_account_is_created_when_asked,
            concurrent_first_accounts_create_exactly_one,
            the_last_administrator_stays_when_asked,
            accounts_are_listed_by_username,
            passwords_change_and_missing_accounts_say_so,
            deleting_an_account_takes_its_sessions_and_tokens_and_frees_its_name,
            sessions_round_trip_and_end_at_their_expiry,
            a_session_is_read_with_its_account,
            sessions_slide_and_are_deleted,
            signing_out_everywhere_touches_one_owner,
            sessions_and_tokens_need_an_account,
            api_tokens_round_trip_newest_first,
            api_tokens_are_deleted_only_by_their_owner,
            sign_in_failures_count_within_the_window,
            sign_in_failure_keys_are_independent,
            concurrent_sign_in_failures_all_count,
            odd_names_round_trip_without_colliding
        ] $($args)*);
    };
    (albums => $then:ident!($($args:tt)*)) => {
        $crate::$then!(albums [
            albums_round_trip_newest_first,
            album_ids_are_per_owner_and_taken_ones_refused,
            odd_album_ids_and_owners_never_collide,
            another_owners_album_is_absent_to_every_call,
            albums_are_renamed,
            covers_are_set_cleared_and_must_be_photos_of_the_album,
            adding_skips_photos_already_there_and_keeps_the_order,
            adding_to_a_missing_album_is_none,
            removing_takes_one_photo_and_its_cover,
            moves_put_a_photo_before_another_or_at_the_end,
            repeated_moves_into_one_spot_keep_a_total_order,
            paging_visits_every_photo_once_in_album_order,
            malformed_album_cursors_are_invalid,
            deleting_an_album_takes_its_photos_and_links_and_nothing_else,
            large_albums_are_filled_and_deleted_whole,
            deleted_photos_leave_every_album_and_their_links,
            albums_of_photo_are_the_albums_holding_it,
            deleting_an_owners_albums_leaves_other_owners_whole,
            shares_round_trip_and_end_at_their_expiry,
            shares_are_listed_newest_first_without_expired_ones,
            shares_are_deleted_only_by_their_owner,
            shares_need_one_target_an_album_and_a_new_token
        ] $($args)*);
    };
}

/// A module named after the suite with one test per check (see `contract_tests!`).
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_test_module {
    ($suite:ident [$($name:ident),+] |$check:ident| $body:block) => {
        mod $suite {
            #[allow(unused_imports)]
            use super::*;

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $check = $crate::contract::$suite::$name;
                    $body
                }
            )+
        }
    };
}

/// Awaits every check of the suite in turn with the same arguments (see `all_checks`).
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_run_each {
    ($suite:ident [$($name:ident),+] $args:tt) => {
        $( $name $args.await; )+
    };
}
