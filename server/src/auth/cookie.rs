//! The session cookie as requests carry it (its attributes are [`CookiePolicy`]'s).

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use gaillery_service::accounts::SESSION_COOKIE;
use gaillery_service::CookiePolicy;

/// The session token a request's `Cookie` headers carry, if any.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the cookie `name` among a request's `Cookie` headers, if any.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let values = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok());
    gaillery_service::find_cookie(values, name)
}

/// `Set-Cookie` for a new session; `None` if the token cannot be a header (never, for the
/// service's hex tokens).
pub fn set_session(policy: CookiePolicy, token: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&policy.session_cookie(token)).ok()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session(policy: CookiePolicy) -> HeaderValue {
    HeaderValue::from_str(&policy.cleared_cookie())
        .unwrap_or_else(|_| HeaderValue::from_static("gaillery_session=; Path=/; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; gaillery_session=abc123; b=2"),
        );
        assert_eq!(session_token(&headers), Some("abc123"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_over_https() {
        let cookie = set_session(CookiePolicy { secure: true }, "abc").expect("header value");
        let cookie = cookie.to_str().expect("ascii");
        assert!(cookie.starts_with("gaillery_session=abc; Path=/; Max-Age=2592000"));
        assert!(cookie.contains("; HttpOnly; SameSite=Lax; Secure"));
        let plain = set_session(CookiePolicy { secure: false }, "abc").expect("header value");
        assert!(!plain.to_str().expect("ascii").contains("Secure"));
    }
}
