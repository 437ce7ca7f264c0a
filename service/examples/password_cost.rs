//! How long one password verification takes at the production cost, on one core of this
//! machine. Sign-ins should cost 50–100 ms each: enough to slow guessing, little enough for
//! people. Run it in release, on the machine that serves:
//!
//! ```text
//! cargo run --release -p gaillery-service --example password_cost
//! ```
//!
//! On a busy machine the wall-clock time includes waiting for a core; on Linux the time spent
//! on a core is printed too (from `/proc/thread-self/schedstat`), which is the cost itself.

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use gaillery_service::accounts::{PasswordCost, ARGON2_M_COST_KIB, ARGON2_P_COST, ARGON2_T_COST};
use std::time::Instant;

const VERIFICATIONS: usize = 20;

fn main() {
    let argon2 = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        PasswordCost::Production.params(),
    );
    let salt = SaltString::encode_b64(b"sixteen byte slt").expect("a valid salt");
    let password = b"correct horse battery staple";
    let phc = argon2
        .hash_password(password, &salt)
        .expect("hashing works")
        .to_string();
    let hash = PasswordHash::new(&phc).expect("its own hash parses");

    let mut wall = Vec::with_capacity(VERIFICATIONS);
    let mut on_core = Vec::with_capacity(VERIFICATIONS);
    for _ in 0..VERIFICATIONS {
        let (start, start_on_core) = (Instant::now(), on_core_ms());
        argon2
            .verify_password(password, &hash)
            .expect("the password verifies");
        wall.push(start.elapsed().as_secs_f64() * 1000.0);
        if let (Some(start), Some(end)) = (start_on_core, on_core_ms()) {
            on_core.push(end - start);
        }
    }
    println!(
        "Argon2id m_cost={ARGON2_M_COST_KIB} KiB t_cost={ARGON2_T_COST} p_cost={ARGON2_P_COST}, \
         {VERIFICATIONS} verifications"
    );
    println!("wall clock: {}", summary(&mut wall));
    if on_core.len() == VERIFICATIONS {
        println!("on a core:  {}", summary(&mut on_core));
    }
}

/// Milliseconds this thread has run on a core, where Linux says.
fn on_core_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e6)
}

fn summary(millis: &mut [f64]) -> String {
    millis.sort_by(f64::total_cmp);
    let n = millis.len();
    let median = (millis[n / 2 - 1] + millis[n / 2]) / 2.0;
    format!(
        "median {median:.1} ms (fastest {:.1}, slowest {:.1})",
        millis[0],
        millis[n - 1]
    )
}
