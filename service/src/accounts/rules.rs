//! What a username, a password and a token's name may be. Each refusal says what to change.

use crate::ServiceError;

/// The fewest characters (Unicode scalar values) of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most bytes of a password: more adds nothing to its strength, only to hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The most characters of a username.
pub const MAX_USERNAME_CHARS: usize = 64;
/// The most characters of an API token's name.
pub const MAX_TOKEN_NAME_CHARS: usize = 64;

/// A username is 1 to [`MAX_USERNAME_CHARS`] printable characters, with no space at either end
/// (it is compared as typed, so `alice ` would be another user than `alice`).
pub(crate) fn check_username(username: &str) -> Result<(), ServiceError> {
    if username.is_empty() {
        return Err(invalid("a username cannot be empty"));
    }
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(invalid(format!(
            "a username has at most {MAX_USERNAME_CHARS} characters"
        )));
    }
    if username.chars().any(unprintable) {
        return Err(invalid(
            "a username cannot contain control or text-direction characters",
        ));
    }
    if username.starts_with(char::is_whitespace) || username.ends_with(char::is_whitespace) {
        return Err(invalid("a username cannot start or end with a space"));
    }
    Ok(())
}

/// A password is at least [`MIN_PASSWORD_CHARS`] characters and at most
/// [`MAX_PASSWORD_BYTES`] bytes; anything else goes.
pub(crate) fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid(format!(
            "a password has at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// A token's name is 1 to [`MAX_TOKEN_NAME_CHARS`] characters with no control characters.
pub(crate) fn check_token_name(name: &str) -> Result<(), ServiceError> {
    if name.trim().is_empty() {
        return Err(invalid("a token needs a name"));
    }
    if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(invalid(format!(
            "a token's name has at most {MAX_TOKEN_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(unprintable) {
        return Err(invalid(
            "a token's name cannot contain control or text-direction characters",
        ));
    }
    Ok(())
}

/// Control characters, and the invisible ones that reorder text, which would let a name
/// display as another in a listing.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_printable_and_unpadded() {
        for good in [
            "alice",
            "Élodie Dupont",
            "李小龙",
            "a",
            "bob@example.org",
            "x/y#z?%",
        ] {
            assert!(check_username(good).is_ok(), "{good:?}");
        }
        let longest = "é".repeat(MAX_USERNAME_CHARS);
        assert!(check_username(&longest).is_ok());
        for bad in [
            String::new(),
            format!("{longest}e"),
            " alice".into(),
            "alice\t".into(),
            "al\nice".into(),
            "al\u{0}ice".into(),
            "admin\u{202e}nimda".into(),
        ] {
            assert!(
                matches!(check_username(&bad), Err(ServiceError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_count_characters_and_bytes() {
        assert!(check_password("ten chars!").is_ok());
        assert!(check_password("ééééééééé").is_err(), "nine characters");
        assert!(check_password(&"é".repeat(MIN_PASSWORD_CHARS)).is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        let refused = check_password(&"é".repeat(MAX_PASSWORD_BYTES / 2 + 1));
        assert_eq!(
            refused.unwrap_err().public_message(),
            "a password has at most 1024 bytes"
        );
        assert_eq!(
            check_password("short").unwrap_err().public_message(),
            "a password has at least 10 characters"
        );
    }

    #[test]
    fn token_names_are_short_printable_text() {
        assert!(check_token_name("laptop backup").is_ok());
        assert!(check_token_name("").is_err());
        assert!(check_token_name("   ").is_err());
        assert!(check_token_name("a\nb").is_err());
        assert!(check_token_name(&"n".repeat(MAX_TOKEN_NAME_CHARS + 1)).is_err());
    }
}
