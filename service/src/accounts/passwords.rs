//! Password hashes: Argon2id, stored as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
//!
//! A hash names the parameters it was made with, and verification reads them from it, so hashes
//! made before the parameters change keep verifying. Hashing and verifying are deliberately
//! slow CPU work, run on tokio's blocking pool, never inside a request's future, and at most one
//! per core at a time: each takes [`ARGON2_M_COST_KIB`] of memory, so a flood of sign-ins
//! queues instead of taking the server's memory.

use argon2::password_hash::{Output, ParamsString, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use rand::RngCore;
use std::num::NonZeroUsize;
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::ServiceError;

/// Memory of one production hash, in KiB: 36 MiB.
///
/// With [`ARGON2_T_COST`], measured with `nice -n 10 cargo run --release -p gaillery-service
/// --example password_cost` on 2026-12-03, on the 2-core development machine (an Intel Xeon,
/// shared with other builds at a load average of 4 to 5): over seven runs of 20 verifications,
/// the median time on a core was 57–80 ms (about 70), the median wall-clock time 59–127 ms.
/// 32 MiB gave 64–83 ms on a core, 42 MiB 82–89 ms, 64 MiB at one pass 72–76 ms. Measure again
/// on the machine that serves; change these if one verification leaves 50–100 ms. Hashes made
/// with other parameters keep verifying.
pub const ARGON2_M_COST_KIB: u32 = 36 * 1024;
/// Passes over the memory of a production hash.
pub const ARGON2_T_COST: u32 = 2;
/// Lanes of a production hash: one, so a sign-in occupies one core.
pub const ARGON2_P_COST: u32 = 1;

/// How expensive new password hashes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCost {
    /// [`ARGON2_M_COST_KIB`], [`ARGON2_T_COST`], [`ARGON2_P_COST`]: tens of milliseconds a
    /// guess.
    Production,
    /// Argon2's minimum memory and time, for tests; never for real passwords.
    Cheap,
}

impl PasswordCost {
    /// The Argon2 parameters of new hashes at this cost.
    pub fn params(self) -> Params {
        let (m_cost, t_cost, p_cost) = match self {
            PasswordCost::Production => (ARGON2_M_COST_KIB, ARGON2_T_COST, ARGON2_P_COST),
            PasswordCost::Cheap => (Params::MIN_M_COST, Params::MIN_T_COST, 1),
        };
        Params::new(m_cost, t_cost, p_cost, None)
            .unwrap_or_else(|e| unreachable!("the constant parameters are valid: {e}"))
    }
}

/// Makes and checks password hashes, at one cost for new hashes.
pub(crate) struct Passwords {
    argon2: Argon2<'static>,
    /// A well-formed hash of no password, at the cost of new hashes: a sign-in of an unknown
    /// user is checked against it, so it takes as long as one of a known user.
    decoy: String,
    /// One permit per core: hashes being computed.
    slots: Arc<Semaphore>,
}

impl Passwords {
    pub(crate) fn new(cost: PasswordCost) -> Passwords {
        let params = cost.params();
        let decoy = decoy_hash(&params);
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Passwords {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            decoy,
            slots: Arc::new(Semaphore::new(cores)),
        }
    }

    /// A new PHC string of `password` with a fresh random salt.
    pub(crate) async fn hash(self: &Arc<Self>, password: &str) -> Result<String, ServiceError> {
        let this = Arc::clone(self);
        let password = password.to_owned();
        self.run(move || {
            let salt = SaltString::encode_b64(&random_bytes::<16>())
                .map_err(|e| ServiceError::internal_because("making a password salt", e))?;
            let hash = this
                .argon2
                .hash_password(password.as_bytes(), &salt)
                .map_err(|e| ServiceError::internal_because("hashing a password", e))?;
            Ok(hash.to_string())
        })
        .await
    }

    /// Whether `password` is the one `phc` was made from, at the parameters written in `phc`.
    pub(crate) async fn verify(
        self: &Arc<Self>,
        password: &str,
        phc: &str,
    ) -> Result<bool, ServiceError> {
        let this = Arc::clone(self);
        let password = password.to_owned();
        let phc = phc.to_owned();
        self.run(move || this.verify_now(&password, &phc)).await
    }

    /// Spends the time of one verification and answers nothing: for a sign-in that cannot
    /// succeed, so it is not told apart from one with a wrong password by how long it takes.
    pub(crate) async fn verify_decoy(self: &Arc<Self>, password: &str) -> Result<(), ServiceError> {
        let this = Arc::clone(self);
        let password = password.to_owned();
        self.run(move || this.verify_now(&password, &this.decoy).map(|_| ()))
            .await
    }

    /// Runs hashing work on the blocking pool once a core is free for it. The permit goes with
    /// the work, so a request given up on still holds its core until the work ends.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::internal_because("waiting to hash a password", e))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| ServiceError::internal_because("a password hashing task", e))?
    }

    fn verify_now(&self, password: &str, phc: &str) -> Result<bool, ServiceError> {
        let hash = PasswordHash::new(phc)
            .map_err(|e| ServiceError::internal_because("reading a stored password hash", e))?;
        match self.argon2.verify_password(password.as_bytes(), &hash) {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::Password) => Ok(false),
            Err(e) => Err(ServiceError::internal_because("verifying a password", e)),
        }
    }
}

/// A PHC string with `params`, a random salt and a random output: verifying any password
/// against it costs what verifying against a real hash does, and never succeeds (that would
/// take finding a preimage of 256 random bits).
fn decoy_hash(params: &Params) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>())
        .unwrap_or_else(|e| unreachable!("16 bytes are a valid salt: {e}"));
    let output = Output::new(&random_bytes::<{ Params::DEFAULT_OUTPUT_LEN }>())
        .unwrap_or_else(|e| unreachable!("32 bytes are a valid output: {e}"));
    let params = ParamsString::try_from(params)
        .unwrap_or_else(|e| unreachable!("valid parameters have a PHC form: {e}"));
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = Arc::new(Passwords::new(PasswordCost::Cheap));
        let hash = passwords.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{hash}");
        assert!(passwords.verify("correct horse", &hash).await.unwrap());
        assert!(!passwords.verify("correct horsf", &hash).await.unwrap());
        let again = passwords.hash("correct horse").await.unwrap();
        assert_ne!(hash, again, "every hash has its own salt");
    }

    #[tokio::test]
    async fn hashes_of_other_parameters_still_verify() {
        let old = Arc::new(Passwords::new(PasswordCost::Cheap));
        let hash = old.hash("an older password").await.unwrap();
        let current = Arc::new(Passwords {
            argon2: Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(16, 2, 1, None).unwrap(),
            ),
            decoy: old.decoy.clone(),
            slots: Arc::new(Semaphore::new(1)),
        });
        assert!(current.verify("an older password", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn the_decoy_has_the_cost_of_new_hashes_and_matches_nothing() {
        let passwords = Arc::new(Passwords::new(PasswordCost::Cheap));
        let hash = passwords.hash("whatever it is").await.unwrap();
        let prefix = |phc: &str| phc.rsplitn(3, '$').last().unwrap().to_owned();
        assert_eq!(prefix(&passwords.decoy), prefix(&hash));
        assert!(!passwords.verify("", &passwords.decoy).await.unwrap());
        passwords.verify_decoy("whatever it is").await.unwrap();
    }

    #[test]
    fn production_parameters_are_argon2s() {
        let params = PasswordCost::Production.params();
        assert_eq!(params.m_cost(), ARGON2_M_COST_KIB);
        assert_eq!(params.t_cost(), ARGON2_T_COST);
        assert_eq!(params.p_cost(), 1);
    }
}
