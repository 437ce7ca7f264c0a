#![recursion_limit = "256"]
//! The browser half of GAiLLERY: takes over the page the server rendered.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(say_the_page_stopped));
    leptos::mount::hydrate_body(app::App);
}

/// A panic leaves the app broken (the WASM aborts the call that panicked, midway). Rather than
/// leave a page that looks alive and answers wrongly or not at all, a banner says so, with a
/// reload that is a plain link. The panic itself goes to the console, as before.
fn say_the_page_stopped(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Some(document), Ok(here)) = (window.document(), window.location().href()) else {
        return;
    };
    let (Some(body), Ok(banner), Ok(reload)) = (
        document.body(),
        document.create_element("div"),
        document.create_element("a"),
    ) else {
        return;
    };
    // Text nodes and attributes only, never markup: the address is the visitor's.
    banner.set_class_name("page-stopped");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some("This page stopped working. "));
    let _ = reload.set_attribute("href", &here);
    // A load from the server, not the router's navigation (the router may still run).
    let _ = reload.set_attribute("rel", "external");
    reload.set_text_content(Some("Reload"));
    let _ = banner.append_with_node_1(&reload);
    let _ = body.prepend_with_node_1(&banner);
}
