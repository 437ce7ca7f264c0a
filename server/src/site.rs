//! The server-rendered Leptos site and its static files.

use crate::guard::page_policy;
use crate::AppState;
use app::{shell, App};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use gaillery_service::Identity;
use leptos::nonce::use_nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes, ResponseOptions};
use std::path::PathBuf;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest body a server function takes: their arguments are ids and words.
const SERVER_FUNCTION_BODY_LIMIT: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let gallery = state.gallery.clone();
    let (accounts, albums, setup_code, cookies) = (
        state.accounts.clone(),
        state.albums.clone(),
        state.setup_code.clone(),
        state.cookies,
    );
    let site_root = PathBuf::from(options.site_root.as_ref());
    let pkg_dir = site_root.join(options.site_pkg_dir.as_ref());

    // The WASM, JS and CSS keep their names across builds, so browsers revalidate them
    // (cheap: Last-Modified) instead of caching them blindly; precompressed copies are served
    // when the build made them.
    let pkg = ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip();
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(pkg);

    let images_elsewhere = state.presigned_images.is_some();
    let context = move || {
        provide_context(gallery.clone());
        provide_context(accounts.clone());
        provide_context(albums.clone());
        provide_context(setup_code.clone());
        provide_context(cookies);
        allow_own_scripts(images_elsewhere);
    };
    Router::<AppState>::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn(send_to_the_right_page))
        .layer(RequestBodyLimitLayer::new(SERVER_FUNCTION_BODY_LIMIT))
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(move || allow_own_scripts(images_elsewhere), shell))
        .with_state(state)
}

/// The page where the sign-in form is; every other page but the shared ones is for signed-in
/// people.
const SIGN_IN_PAGE: &str = "/sign-in";
/// Where share links open: for anyone holding the link.
const SHARED_PAGES: &str = "/s/";

/// Anonymous visitors of the gallery's pages go to the sign-in page, and signed-in visitors of
/// the sign-in page to the gallery. Server functions decide for themselves (they answer 401).
async fn send_to_the_right_page(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET
        || path.starts_with("/_fn/")
        || path.starts_with(SHARED_PAGES)
    {
        return next.run(request).await;
    }
    let signed_in = matches!(
        request.extensions().get::<Identity>(),
        Some(Identity::SignedIn(_))
    );
    match (path == SIGN_IN_PAGE, signed_in) {
        (true, true) => Redirect::to("/").into_response(),
        (false, false) => Redirect::to(SIGN_IN_PAGE).into_response(),
        _ => next.run(request).await,
    }
}

/// While a page renders: its Content-Security-Policy names the nonce Leptos put on the page's
/// inline scripts. Server functions render no page and get no nonce.
fn allow_own_scripts(images_elsewhere: bool) {
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    match HeaderValue::from_str(&page_policy(&nonce.to_string(), images_elsewhere)) {
        Ok(policy) => response.insert_header(header::CONTENT_SECURITY_POLICY, policy),
        Err(error) => tracing::error!(%error, "the page policy is no header value"),
    }
}
