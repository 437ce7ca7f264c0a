//! The server-rendered Leptos site and its static files.

use crate::AppState;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::path::PathBuf;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let gallery = state.gallery.clone();
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

    Router::<AppState>::new()
        .leptos_routes_with_context(&state, routes, move || provide_context(gallery.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}
