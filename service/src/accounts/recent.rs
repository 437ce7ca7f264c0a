//! Credentials checked a moment ago. Every request of a page (its images, its server
//! functions) carries the same cookie; looking it up in the catalog each time would cost two
//! reads a request (a DynamoDB round trip each, on shared storage), and would turn away even
//! signed-in people while the catalog is unreachable. So a checked credential is trusted for
//! [`RECENT_FOR`]; whatever this server does that ends a credential (signing out, revoking a
//! token, changing a password, removing an account) forgets them all at once, and another
//! server's such change takes effect here within `RECENT_FOR`.

use super::{Caller, Credential};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use tokio::time::{Duration, Instant};

/// How long a checked credential is trusted without asking the catalog again.
pub const RECENT_FOR: Duration = Duration::from_secs(30);
/// Most credentials remembered; past this, the expired ones go, then all if need be.
const MOST_REMEMBERED: usize = 10_000;

#[derive(Default)]
pub(super) struct RecentCallers {
    // Keyed by the token's hash, so the secret is not kept longer than the request.
    callers: Mutex<HashMap<String, (Caller, Instant)>>,
}

impl RecentCallers {
    /// The caller of a session token (`of_session`) or of an API token, checked recently: an
    /// API token is never taken for a session's token, nor the other way round.
    pub fn get(&self, token_hash: &str, of_session: bool) -> Option<Caller> {
        let callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        callers
            .get(token_hash)
            .filter(|(_, checked)| checked.elapsed() < RECENT_FOR)
            .filter(|(caller, _)| {
                matches!(caller.credential, Credential::Session { .. }) == of_session
            })
            .map(|(caller, _)| caller.clone())
    }

    pub fn remember(&self, token_hash: String, caller: Caller) {
        let mut callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        if callers.len() >= MOST_REMEMBERED {
            callers.retain(|_, (_, checked)| checked.elapsed() < RECENT_FOR);
            if callers.len() >= MOST_REMEMBERED {
                callers.clear();
            }
        }
        callers.insert(token_hash, (caller, Instant::now()));
    }

    /// After a change that may end some credential: every one is checked again.
    pub fn forget_all(&self) {
        self.callers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
