//! Icons as inline SVG, so they render without any icon or emoji font. Each is decorative
//! (`aria-hidden`): the button or link around it carries the accessible name.

use leptos::prelude::*;

/// One 24×24 stroke icon.
#[component]
fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="22"
            height="22"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d=path/>
        </svg>
    }
}

#[component]
pub fn IconUpload() -> impl IntoView {
    view! { <Icon path="M12 16V4M6 10l6-6 6 6M4 20h16"/> }
}

#[component]
pub fn IconDownload() -> impl IntoView {
    view! { <Icon path="M12 4v12M6 10l6 6 6-6M4 20h16"/> }
}

#[component]
pub fn IconDelete() -> impl IntoView {
    view! { <Icon path="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6"/> }
}

#[component]
pub fn IconSignOut() -> impl IntoView {
    view! { <Icon path="M10 4H5v16h5M14 8l4 4-4 4M18 12H9"/> }
}

#[component]
pub fn IconFullscreen() -> impl IntoView {
    view! { <Icon path="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/> }
}

#[component]
pub fn IconClose() -> impl IntoView {
    view! { <Icon path="M6 6l12 12M18 6L6 18"/> }
}

#[component]
pub fn IconZoomIn() -> impl IntoView {
    view! { <Icon path="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4M11 8v6M8 11h6"/> }
}

#[component]
pub fn IconZoomOut() -> impl IntoView {
    view! { <Icon path="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4M8 11h6"/> }
}

#[component]
pub fn IconPrevious() -> impl IntoView {
    view! { <Icon path="M15 5l-7 7 7 7"/> }
}

#[component]
pub fn IconNext() -> impl IntoView {
    view! { <Icon path="M9 5l7 7-7 7"/> }
}

#[component]
pub fn IconPhotos() -> impl IntoView {
    view! { <Icon path="M4 5h16v14H4zM4 15l5-5 4 4 3-3 4 4M15 9h.01"/> }
}

#[component]
pub fn IconMicrophone() -> impl IntoView {
    view! { <Icon path="M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3"/> }
}

#[component]
pub fn IconPlay() -> impl IntoView {
    view! { <Icon path="M8 5v14l11-7z"/> }
}

#[component]
pub fn IconPause() -> impl IntoView {
    view! { <Icon path="M7 5v14M17 5v14"/> }
}

#[component]
pub fn IconSettings() -> impl IntoView {
    view! { <Icon path="M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6"/> }
}

#[component]
pub fn IconRemove() -> impl IntoView {
    view! { <Icon path="M5 12h14M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z"/> }
}

#[component]
pub fn IconAlbum() -> impl IntoView {
    view! { <Icon path="M4 6h16v13H4zM7 3h10M8 15l3-3 2 2 3-3 2 2"/> }
}

#[component]
pub fn IconShare() -> impl IntoView {
    view! { <Icon path="M12 15V3M7 8l5-5 5 5M5 12v8h14v-8"/> }
}
