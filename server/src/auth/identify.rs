//! The one place that decides who is asking. The layer reads the request's credential (an
//! `Authorization: Bearer` API token, else the session cookie) and puts an [`Identity`] and a
//! [`ClientAddress`] in its extensions; [`SignedIn`] takes the caller from there or answers
//! 401. A handler that takes `SignedIn` therefore cannot run for an anonymous request, nor for
//! any request at all when the layer is missing.

use super::cookie;
use super::proxies::TrustedProxies;
use crate::api::ApiError;
use crate::guard::names_loopback;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gaillery_service::accounts::{Accounts, Caller};
use gaillery_service::{ClientAddress, Identity, ServiceError};
use std::net::{IpAddr, SocketAddr};

/// What the layer needs.
#[derive(Clone)]
pub struct Authenticator {
    pub accounts: Accounts,
    pub proxies: TrustedProxies,
}

/// The request's credential, unchecked.
enum Credential<'a> {
    ApiToken(&'a str),
    Session(&'a str),
}

fn credential(headers: &HeaderMap) -> Option<Credential<'_>> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        // A request that names a token is judged by it alone, never by a cookie it may also
        // carry: the cross-site check exempts bearer requests.
        return Some(Credential::ApiToken(token));
    }
    cookie::session_token(headers).map(Credential::Session)
}

/// The middleware: identifies every request before any handler or page reads anything.
pub async fn identify(
    State(authenticator): State<Authenticator>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let client = client_address(&authenticator.proxies, peer, request.headers());
    let accounts = &authenticator.accounts;
    let caller = match credential(request.headers()) {
        Some(Credential::ApiToken(token)) => accounts.api_token(token).await,
        Some(Credential::Session(token)) => accounts.session(token).await,
        None => Ok(None),
    };
    let identity = match caller {
        Ok(Some(caller)) => Identity::SignedIn(caller),
        Ok(None) => Identity::Anonymous,
        Err(error) => return ApiError::from(error).into_response(),
    };
    request.extensions_mut().insert(identity);
    request.extensions_mut().insert(client);
    next.run(request).await
}

/// Where the request comes from; see [`ClientAddress`].
fn client_address(
    proxies: &TrustedProxies,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> ClientAddress {
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    let local_host = headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(names_loopback);
    ClientAddress {
        ip: peer.map(|peer| proxies.client_address(peer, headers)),
        on_this_machine: peer.is_some_and(|peer| peer.is_loopback()) && local_host && !forwarded,
    }
}

/// A handler argument: the signed-in caller, or a 401 answer before the handler runs.
pub struct SignedIn(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<SignedIn, ApiError> {
        match parts.extensions.get::<Identity>() {
            Some(Identity::SignedIn(caller)) => Ok(SignedIn(caller.clone())),
            Some(Identity::Anonymous) => Err(ServiceError::SignInRequired.into()),
            None => {
                tracing::error!("a route that needs a caller is served without the auth layer");
                Err(ApiError::new(StatusCode::UNAUTHORIZED, "sign in first"))
            }
        }
    }
}

/// A handler argument: the client's address (see [`TrustedProxies`]).
pub struct Client(pub ClientAddress);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Client, std::convert::Infallible> {
        Ok(Client(
            parts
                .extensions
                .get::<ClientAddress>()
                .copied()
                .unwrap_or(ClientAddress {
                    ip: None,
                    on_this_machine: false,
                }),
        ))
    }
}
