//! The host check: a request must name this server. A page on another site can make a
//! browser send requests to this server under that site's name (DNS rebinding) and read the
//! answers as its own; refusing every name but the configured one and loopback stops that.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::ErrorBody;
use std::net::IpAddr;
use std::str::FromStr;

/// Where people reach this server (`--public-url`): the name the host check accepts, and
/// whether the page is served over https (for secure cookies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    pub https: bool,
    /// The host name, lower case, without the port.
    pub host: String,
}

impl FromStr for PublicUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<PublicUrl, String> {
        let uri: Uri = raw
            .parse()
            .map_err(|_| format!("{raw:?} is not a URL such as https://photos.example.com"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("{raw:?} must start with https:// or http://")),
        };
        let host = uri
            .host()
            .map(|host| host.trim_matches(['[', ']']).to_ascii_lowercase())
            .filter(|host| !host.is_empty())
            .ok_or_else(|| format!("{raw:?} names no host"))?;
        Ok(PublicUrl { https, host })
    }
}

/// The host names this server answers to.
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts {
    public: Option<String>,
}

impl AllowedHosts {
    pub fn new(public_url: Option<&PublicUrl>) -> AllowedHosts {
        AllowedHosts {
            public: public_url.map(|url| url.host.clone()),
        }
    }

    /// Whether `authority` (a `Host` header: a name or address, maybe with a port) is one
    /// of ours: the public host, or a loopback name.
    pub fn allows(&self, authority: &str) -> bool {
        let host = host_of(authority).to_ascii_lowercase();
        is_loopback(&host) || self.public.as_deref() == Some(host.as_str())
    }
}

/// The host of an authority: `[::1]:3000` is `::1`, `example.com:443` is `example.com`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Whether `authority` (a `Host` header) names this machine's loopback.
pub fn names_loopback(authority: &str) -> bool {
    is_loopback(&host_of(authority).to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Answers 421 to a request for a host name that is not this server's.
pub async fn check_host(
    State(hosts): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    match authority {
        // Rebinding needs a browser, and browsers always name the host: a request without
        // one comes from a program, and is answered.
        None => next.run(request).await,
        Some(authority) if hosts.allows(authority) => next.run(request).await,
        Some(authority) => {
            tracing::info!(
                host = authority,
                path = request.uri().path(),
                "request for a host name this server does not answer to refused"
            );
            let body = ErrorBody {
                error: "this server does not answer to that host name; its administrator can \
                        add it with --public-url"
                    .to_owned(),
            };
            (StatusCode::MISDIRECTED_REQUEST, Json(body)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_are_always_answered() {
        let hosts = AllowedHosts::default();
        for host in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:3000",
            "photos.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:3917",
            "127.1.2.3:80",
            "[::1]:3000",
            "[::1]",
        ] {
            assert!(hosts.allows(host), "{host}");
        }
    }

    #[test]
    fn other_names_need_the_public_url() {
        let public: PublicUrl = "https://Photos.Example.com".parse().expect("URL");
        let hosts = AllowedHosts::new(Some(&public));
        assert!(hosts.allows("photos.example.com"));
        assert!(hosts.allows("photos.example.com:443"));
        for host in [
            "evil.example",
            "evil.example:3000",
            "photos.example.com.evil.example",
            "192.168.1.5:3000",
            "0.0.0.0:3000",
            "localhost.evil.example",
            "",
        ] {
            assert!(!hosts.allows(host), "{host}");
            assert!(!AllowedHosts::default().allows(host), "{host}");
        }
    }

    #[test]
    fn public_urls_are_checked_when_the_server_starts() {
        let url: PublicUrl = "http://192.168.1.5:3000/".parse().expect("URL");
        assert_eq!(
            url,
            PublicUrl {
                https: false,
                host: "192.168.1.5".into()
            }
        );
        assert!("https://photos.example.com"
            .parse::<PublicUrl>()
            .is_ok_and(|u| u.https));
        for bad in [
            "photos.example.com",
            "ftp://photos.example.com",
            "https://",
            "not a url",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
    }
}
