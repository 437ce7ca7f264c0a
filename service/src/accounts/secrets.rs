//! Random secrets and ids, and the SHA-256 under which tokens are stored.
//!
//! Tokens carry 256 random bits from the operating system's generator (through rand's
//! thread-local CSPRNG, seeded and reseeded from it). A plain, fast hash is enough to store them:
//! unlike passwords they cannot be guessed, so a stolen catalog gives no token back.

use gaillery_core::OwnerId;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every API token starts with, so it is recognised (by people and secret scanners) and
/// never taken for a session's.
pub const API_TOKEN_PREFIX: &str = "gly_";
/// A presented token longer than this is refused before it is hashed: real ones are 64 or 68.
pub const MAX_TOKEN_BYTES: usize = 200;

/// A session's token, the value of its cookie: 64 lower-case hex digits.
pub(crate) fn new_session_token() -> String {
    random_hex(32)
}

/// An API token: [`API_TOKEN_PREFIX`] and 64 lower-case hex digits.
pub(crate) fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_hex(32))
}

/// The id that names an API token in listings: 16 hex digits.
pub(crate) fn new_token_id() -> String {
    random_hex(8)
}

/// The id of an account after the first: `u` and 24 hex digits, never `local`.
pub(crate) fn new_account_id() -> OwnerId {
    OwnerId(format!("u{}", random_hex(12)))
}

/// Lower-case hex SHA-256 of the whole token: what storage keeps instead of the token.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a presented token is worth looking up: not empty and not absurdly long.
pub(crate) fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN_BYTES
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_hex(text: &str) -> bool {
        text.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn secrets_have_their_shapes_and_differ() {
        let session = new_session_token();
        assert_eq!(session.len(), 64);
        assert!(lower_hex(&session));
        assert_ne!(session, new_session_token());

        let token = new_api_token();
        let digits = token.strip_prefix("gly_").expect("the prefix");
        assert_eq!(digits.len(), 64);
        assert!(lower_hex(digits));

        let id = new_token_id();
        assert_eq!(id.len(), 16);
        assert!(lower_hex(&id));

        let account = new_account_id();
        assert_eq!(account.0.len(), 25);
        assert!(account.0.starts_with('u') && lower_hex(&account.0[1..]));
    }

    #[test]
    fn tokens_are_stored_as_their_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(plausible_token(&new_api_token()));
        assert!(!plausible_token(""));
        assert!(!plausible_token(&"a".repeat(MAX_TOKEN_BYTES + 1)));
    }
}
