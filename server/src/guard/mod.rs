//! What every request passes before a handler, and what every answer carries: the host it
//! names (`host`), whether a request that changes something came from another site
//! (`cross_site`), and the security headers (`headers`).

mod cross_site;
mod headers;
mod host;

pub use headers::page_policy;
pub use host::{names_loopback, AllowedHosts, PublicUrl};

use axum::middleware;
use axum::Router;

/// Wraps the whole router: the host check first (a misdirected request reaches nothing), then
/// the cross-site check; every answer, refusals included, gets the security headers.
pub fn guard(router: Router, hosts: AllowedHosts) -> Router {
    let checked = router
        .layer(middleware::from_fn(cross_site::refuse_cross_site))
        .layer(middleware::from_fn_with_state(hosts, host::check_host));
    headers::with_security_headers(checked)
}
