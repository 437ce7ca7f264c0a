//! Sign-in throttling: failed sign-ins are counted per account and per client address over a
//! sliding window, in the shared store, so every server on a catalog counts the same.
//!
//! A guesser gets [`MAX_SIGN_IN_FAILURES`] tries per account and per address in any
//! [`SIGN_IN_WINDOW_MS`]; then every try is refused, right password or not, without being
//! checked. A success clears nothing: it would let a guesser who knows one password reset the
//! count of their address.

use gaillery_storage::accounts::username_key;
use gaillery_storage::AccountStore;
use std::net::IpAddr;

use crate::ServiceError;

/// Failed sign-ins, per account and per client address, after which sign-ins are refused.
pub const MAX_SIGN_IN_FAILURES: u32 = 10;
/// How long a failed sign-in counts: 15 minutes.
pub const SIGN_IN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// The counter of the account named `username`, whether or not it exists (so counting says
/// nothing about which accounts do).
pub(crate) fn user_key(username: &str) -> String {
    format!("u#{}", username_key(username))
}

/// The counter of a client address. An IPv4 address mapped into IPv6 counts as itself; an IPv6
/// address counts as its /64, which one client usually holds whole, so it cannot step to a
/// fresh counter by changing its last bits.
pub(crate) fn address_key(client: IpAddr) -> String {
    match client.to_canonical() {
        IpAddr::V4(v4) => format!("a#{v4}"),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1_u128 << 64) - 1);
            format!("a#{}/64", std::net::Ipv6Addr::from(network))
        }
    }
}

/// Refuses when any of `keys` has [`MAX_SIGN_IN_FAILURES`] failures in the window.
pub(crate) async fn check(
    store: &dyn AccountStore,
    keys: &[String],
    now_ms: i64,
) -> Result<(), ServiceError> {
    for key in keys {
        let failures = store
            .sign_in_failures(key, now_ms, SIGN_IN_WINDOW_MS)
            .await?;
        if failures >= MAX_SIGN_IN_FAILURES {
            // The store counts without saying when the oldest failure leaves the window: the
            // whole window is the longest wait there can be.
            return Err(ServiceError::Throttled {
                retry_after_secs: (SIGN_IN_WINDOW_MS / 1000).unsigned_abs(),
            });
        }
    }
    Ok(())
}

/// Counts one failure under every one of `keys`.
pub(crate) async fn record(
    store: &dyn AccountStore,
    keys: &[String],
    now_ms: i64,
) -> Result<(), ServiceError> {
    for key in keys {
        store
            .record_sign_in_failure(key, now_ms, SIGN_IN_WINDOW_MS)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_and_group_addresses() {
        assert_eq!(user_key("Alice"), "u#alice");
        assert_eq!(user_key("ÉLODIE"), user_key("élodie"));
        assert_eq!(address_key("203.0.113.9".parse().unwrap()), "a#203.0.113.9");
        assert_eq!(
            address_key("::ffff:203.0.113.9".parse().unwrap()),
            "a#203.0.113.9"
        );
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            "a#2001:db8:1:2::/64"
        );
        assert_eq!(
            address_key("2001:db8:1:2:bbbb::7".parse().unwrap()),
            address_key("2001:db8:1:2::".parse().unwrap())
        );
        assert_ne!(
            address_key("2001:db8:1:3::1".parse().unwrap()),
            address_key("2001:db8:1:2::1".parse().unwrap())
        );
    }
}
