//! The viewer's keys: ← and → move, Escape closes, + and − zoom, 0 fits, F toggles
//! fullscreen, Delete asks to delete, and Tab keeps the focus inside.

use super::dialog::Viewer;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyCommand {
    Next,
    Previous,
    Close,
    ZoomIn,
    ZoomOut,
    Fit,
    Fullscreen,
    AskToDelete,
    /// Tab and Shift+Tab, kept inside the dialog.
    MoveFocus,
}

/// What a key (its `KeyboardEvent.key`) does in the viewer, if anything. `=` and `_` are
/// + and − without Shift.
fn command_for(key: &str) -> Option<KeyCommand> {
    Some(match key {
        "ArrowRight" => KeyCommand::Next,
        "ArrowLeft" => KeyCommand::Previous,
        "Escape" => KeyCommand::Close,
        "+" | "=" => KeyCommand::ZoomIn,
        "-" | "_" => KeyCommand::ZoomOut,
        "0" => KeyCommand::Fit,
        "f" | "F" => KeyCommand::Fullscreen,
        "Delete" => KeyCommand::AskToDelete,
        "Tab" => KeyCommand::MoveFocus,
        _ => return None,
    })
}

/// Listens to the keys while the viewer is open. The listener is on the window, so the keys
/// work wherever the focus is; it stops while a dialog is open over the viewer (the delete
/// confirmation, sharing, adding to an album: their keys are their own), and for shortcuts
/// with Alt, Ctrl or Meta, which belong to the browser.
pub fn use_viewer_keys(viewer: Viewer) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if !viewer.owns_key()
            // A dialog over the viewer handled it first (Escape closes only that dialog).
            || ev.default_prevented()
            || ev.alt_key()
            || ev.ctrl_key()
            || ev.meta_key()
        {
            return;
        }
        let Some(command) = command_for(&ev.key()) else {
            return;
        };
        match command {
            KeyCommand::Next => viewer.neighbours.show_next(),
            KeyCommand::Previous => viewer.neighbours.show_previous(),
            KeyCommand::Close => viewer.navigation.close(),
            KeyCommand::ZoomIn => viewer.zoom.zoom_in(),
            KeyCommand::ZoomOut => viewer.zoom.zoom_out(),
            KeyCommand::Fit => viewer.zoom.fit(),
            KeyCommand::Fullscreen => viewer.toggle_fullscreen(),
            KeyCommand::AskToDelete if !viewer.state.read_only() => {
                viewer.confirming_delete.set(true)
            }
            KeyCommand::AskToDelete => {}
            KeyCommand::MoveFocus => {
                // Tab moves the focus as usual unless it would leave the dialog.
                viewer.trap_focus(&ev);
                return;
            }
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_and_without_shift_do_the_same() {
        assert_eq!(command_for("+"), Some(KeyCommand::ZoomIn));
        assert_eq!(command_for("="), Some(KeyCommand::ZoomIn));
        assert_eq!(command_for("-"), Some(KeyCommand::ZoomOut));
        assert_eq!(command_for("_"), Some(KeyCommand::ZoomOut));
        assert_eq!(command_for("f"), Some(KeyCommand::Fullscreen));
        assert_eq!(command_for("F"), Some(KeyCommand::Fullscreen));
    }

    #[test]
    fn other_keys_are_left_alone() {
        assert_eq!(command_for("Delete"), Some(KeyCommand::AskToDelete));
        assert_eq!(command_for("Backspace"), None);
        assert_eq!(command_for("Enter"), None);
        assert_eq!(command_for(" "), None);
        assert_eq!(command_for("ArrowUp"), None);
    }
}
