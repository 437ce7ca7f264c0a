//! The cross-site check: a request that changes something must come from this site's own
//! pages or from a program, never from another site's page. A browser sends a plain form POST
//! to any site without asking it first, with the visitor's cookies; the browser also says where
//! the request came from (`Sec-Fetch-Site`, else `Origin`), and that is what is checked here, as
//! Go's `net/http.CrossOriginProtection` does.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::ErrorBody;

/// Answers 403 to a state-changing request sent by another site's page.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if !is_cross_site_write(request.method(), request.headers()) {
        return next.run(request).await;
    }
    tracing::info!(
        method = %request.method(),
        path = request.uri().path(),
        origin = header_text(request.headers(), &header::ORIGIN).unwrap_or("(none)"),
        "cross-site request refused"
    );
    let body = ErrorBody {
        error: "cross-site request refused: this server only takes changes from its own pages"
            .to_owned(),
    };
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

/// Whether a request would change something on behalf of another site.
fn is_cross_site_write(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    // A bearer token is no ambient credential: a page on another site cannot send one
    // without the server's consent (a CORS preflight this server never grants).
    if header_text(headers, &header::AUTHORIZATION)
        .filter(|value| value.len() > "bearer ".len())
        .and_then(|value| value.get(..7))
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer "))
    {
        return false;
    }
    match header_text(headers, "sec-fetch-site") {
        // Typed into the address bar, or sent by this site's own page.
        Some("same-origin" | "none") => false,
        Some("cross-site") => true,
        // "same-site" is a sibling host (another subdomain): only its Origin can tell.
        _ => origin_differs(headers),
    }
}

/// Whether the request's `Origin` names another host than its `Host`. Requests without an
/// `Origin` come from programs (curl, scripts, the CLI) or from browsers too old to send
/// one on a POST, and pass.
fn origin_differs(headers: &HeaderMap) -> bool {
    let Some(origin) = header_text(headers, &header::ORIGIN) else {
        return false;
    };
    // Sandboxed frames, data: URLs and redirects across sites send "null".
    let origin_authority = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = header_text(headers, &header::HOST);
    match (origin_authority, host) {
        (Some(origin), Some(host)) => !origin.eq_ignore_ascii_case(host),
        _ => true,
    }
}

fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("localhost:3000"));
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn writes_from_another_site_are_refused() {
        for pairs in [
            &[("sec-fetch-site", "cross-site")][..],
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://localhost:3000"),
            ],
            &[
                ("sec-fetch-site", "same-site"),
                ("origin", "http://evil.localhost:3000"),
            ],
            &[("origin", "http://evil.example")],
            &[("origin", "http://localhost:3001")],
            &[("origin", "null")],
        ] {
            for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
                assert!(
                    is_cross_site_write(&method, &headers(pairs)),
                    "{method} {pairs:?}"
                );
            }
        }
    }

    #[test]
    fn own_pages_programs_and_reads_pass() {
        for pairs in [
            &[("sec-fetch-site", "same-origin")][..],
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://localhost:3000"),
            ],
            &[("sec-fetch-site", "none")],
            &[
                ("sec-fetch-site", "same-site"),
                ("origin", "http://localhost:3000"),
            ],
            &[("origin", "http://LOCALHOST:3000")],
            // curl, scripts and the CLI send neither header.
            &[],
            &[
                ("sec-fetch-site", "cross-site"),
                ("authorization", "Bearer abc"),
            ],
        ] {
            assert!(
                !is_cross_site_write(&Method::POST, &headers(pairs)),
                "{pairs:?}"
            );
        }
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(!is_cross_site_write(&method, &cross), "{method}");
        }
    }
}
