//! The one-time setup code. Until the first account exists, whoever reaches the server first
//! could make it and own the gallery; so a first-run request from anywhere but the server's
//! own machine must carry this code, which only the server's log shows.

use crate::accounts::NewSession;
use crate::{Accounts, ClientAddress, ServiceError};
use rand::Rng;
use std::sync::Arc;

/// Letters and digits that cannot be misread for one another.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 16 characters of 32 symbols: 80 bits.
const LENGTH: usize = 16;

#[derive(Clone, Debug)]
pub struct SetupCode(Arc<str>);

impl SetupCode {
    pub fn generate() -> SetupCode {
        let mut rng = rand::rng();
        let code: String = (0..LENGTH)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-");
        SetupCode(code.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lets a first-run request through when it comes from this machine or carries the code.
    pub fn check(&self, client: ClientAddress, given: Option<&str>) -> Result<(), ServiceError> {
        if client.on_this_machine || given.is_some_and(|given| self.matches(given)) {
            return Ok(());
        }
        Err(ServiceError::Forbidden(
            "setting up from another machine needs the setup code from the server's log".into(),
        ))
    }

    /// The first run, for the API and the page alike: the code checked, the administrator
    /// made, and signed in.
    pub async fn first_run(
        &self,
        accounts: &Accounts,
        client: ClientAddress,
        given: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<NewSession, ServiceError> {
        self.check(client, given)?;
        accounts.set_up(username, password).await?;
        accounts.sign_in(username, password, client.ip).await
    }

    /// Whether `given` is the code, ignoring case, dashes and spaces; in constant time for
    /// codes of the right length.
    pub fn matches(&self, given: &str) -> bool {
        let normalise = |code: &str| -> Vec<u8> {
            code.bytes()
                .filter(|byte| !matches!(byte, b'-' | b' '))
                .map(|byte| byte.to_ascii_uppercase())
                .collect()
        };
        let (expected, given) = (normalise(&self.0), normalise(given));
        if expected.len() != given.len() {
            return false;
        }
        expected
            .iter()
            .zip(&given)
            .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
            == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_forgiving_to_type() {
        let code = SetupCode::generate();
        assert_eq!(code.as_str().len(), 19);
        assert_ne!(code.as_str(), SetupCode::generate().as_str());
        assert!(code.matches(code.as_str()));
        assert!(code.matches(&code.as_str().to_lowercase().replace('-', " ")));
        assert!(!code.matches(&code.as_str()[1..]));
        assert!(!code.matches(""));
    }
}
