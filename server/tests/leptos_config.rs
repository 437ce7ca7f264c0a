//! cargo-leptos builds the site from `[[workspace.metadata.leptos]]` in the root Cargo.toml, and
//! the server finds it at run time through Leptos.toml: the settings both name must agree, or the
//! server looks for the WASM and CSS where the build did not put them.

use std::path::Path;

fn read_toml(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    text.parse()
        .unwrap_or_else(|error| panic!("{path:?}: {error}"))
}

#[test]
fn leptos_toml_agrees_with_the_build_settings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = read_toml(&root.join("Cargo.toml"));
    let leptos = read_toml(&root.join("Leptos.toml"));

    let build = &cargo["workspace"]["metadata"]["leptos"]
        .as_array()
        .expect("[[workspace.metadata.leptos]] in Cargo.toml")[0];
    let runtime = &leptos["package"]["metadata"]["leptos"];
    for key in ["output-name", "site-root", "site-pkg-dir"] {
        assert_eq!(
            runtime.get(key),
            build.get(key),
            "Leptos.toml and Cargo.toml disagree on `{key}`"
        );
    }
}

/// `.cargo/config.toml` names the output for servers built without cargo-leptos.
#[test]
fn plain_cargo_builds_name_the_same_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = read_toml(&root.join("Cargo.toml"));
    let config = read_toml(&root.join(".cargo/config.toml"));

    let build = &cargo["workspace"]["metadata"]["leptos"]
        .as_array()
        .expect("[[workspace.metadata.leptos]] in Cargo.toml")[0];
    assert_eq!(
        config["env"].get("LEPTOS_OUTPUT_NAME"),
        build.get("output-name"),
        ".cargo/config.toml and Cargo.toml disagree on the output name"
    );
}
