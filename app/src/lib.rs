//! The GAiLLERY web app: rendered on the server (feature `ssr`), then hydrated in the browser
//! (feature `hydrate`, through the `frontend` crate).
//!
//! - `server_fns`: the server functions the pages call (thin wrappers over the service layer).
//! - `state`: the gallery's client-side state, shared by the components through context.
//! - `photo_source`: where a grid's photos come from: the library, an album, a share link.
//! - `components`: the grid, the lightbox, the uploader, selection and dialogs; the sign-in and
//!   settings pages.
//! - `browser`: what only exists in a browser (XHR uploads, observers, fullscreen); it compiles
//!   everywhere but is only called from effects and event handlers, which run in the browser.
//! - `nearness`: which elements are near the viewport (one observer for all).
//! - `placeholders`: the tiles' ThumbHash placeholders, painted a few per frame.
//! - `speech`: the browser's speech recognition and synthesis, for voice commands.
//! - `viewport`: where the viewport is, for the timeline (the month at the top, jumps).

#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod photo_source;
pub mod server_fns;
pub mod state;

mod browser;
mod nearness;
mod placeholders;
mod speech;
mod viewport;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/gaillery.css"/>
        <Title text="GAiLLERY"/>
        <Meta name="description" content="Your photos, in a gallery you run yourself."/>
        <Meta name="theme-color" content="#111318"/>
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"Page not found."</p> }>
                <Route path=StaticSegment("") view=components::gallery_page::GalleryPage/>
                <Route path=StaticSegment("sign-in") view=components::sign_in::SignInPage/>
                <Route path=StaticSegment("settings") view=components::settings::SettingsPage/>
                <Route path=StaticSegment("albums") view=components::albums::AlbumsPage/>
                // Rendered whole before answering, so a missing album or a dead link is a 404.
                <Route path=(StaticSegment("albums"), ParamSegment("id")) view=components::albums::AlbumPage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("s"), ParamSegment("token")) view=components::shared_page::SharedPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
