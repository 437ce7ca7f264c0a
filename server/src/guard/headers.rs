//! The security headers of every answer. Pages get a Content-Security-Policy with the nonce
//! Leptos puts on its own inline scripts (`page_policy`, set while the page renders); every
//! other answer gets one that lets nothing run, unless its handler set its own.

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// What an answer that is not a page may load: nothing, and it may not be framed.
const NOTHING_RUNS: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of a page: its own scripts, the inline ones Leptos marks with `nonce`, the
/// WASM compiled from its own files, its own styles. Style attributes are allowed (the viewer
/// zooms with `style="transform: ..."`); they cannot run code. `images_elsewhere` lets images
/// come from the object store the server redirects to (`--image-delivery redirect`).
pub fn page_policy(nonce: &str, images_elsewhere: bool) -> String {
    let images = if images_elsewhere {
        "'self' data: blob: https: http:"
    } else {
        "'self' data: blob:"
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src {images}; \
         media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Adds the headers every answer carries; a handler's own policy or caching is kept.
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOTHING_RUNS),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // For browsers that predate `frame-ancestors`.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_runs_only_its_own_scripts() {
        let policy = page_policy("abc123", false);
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        // Inline code runs only with the nonce: the one 'unsafe-inline' is for style attributes.
        assert_eq!(policy.matches("'unsafe-inline'").count(), 1);
        assert!(policy.contains("style-src-attr 'unsafe-inline'"));
        assert!(!policy.contains("https:"));
        assert!(page_policy("abc123", true).contains("img-src 'self' data: blob: https: http:"));
        // The policy goes into a header as it is.
        assert!(HeaderValue::from_str(&policy).is_ok());
    }
}
