//! Spoken commands about the open photo. The voice control in the header hears them and
//! hands them over through [`VoiceCommands`]; gallery-wide ones (tags, help) stay its own.

use super::dialog::Viewer;
use crate::components::albums::add_to_album_by_voice;
use crate::components::grid::percent;
use crate::components::voice::VoiceCommands;
use gaillery_core::voice::Intent;
use gaillery_core::{Photo, PhotoStatus};
use leptos::prelude::*;

/// Carries out each command for the open photo while the viewer is open, and replies.
pub fn use_viewer_voice(viewer: Viewer) {
    let Some(voice) = use_context::<VoiceCommands>() else {
        return;
    };
    Effect::new(move |_| {
        let Some(intent) = voice.take_command() else {
            return;
        };
        let Some(photo) = viewer.current.get_untracked() else {
            return;
        };
        carry_out(viewer, voice, intent, &photo);
    });
}

fn carry_out(viewer: Viewer, voice: VoiceCommands, intent: Intent, photo: &Photo) {
    let reply = |text: String| voice.reply(text);
    let loaded = |pick: fn(&[Photo]) -> Option<&Photo>| {
        viewer
            .state
            .photos
            .with_untracked(|photos| pick(photos).cloned())
    };
    let (neighbours, slideshow) = (viewer.neighbours, viewer.slideshow);
    match intent {
        Intent::Next => match neighbours.next.get_untracked() {
            Some(next) => {
                reply(format!("Showing {}", next.filename));
                neighbours.show_next();
            }
            None => reply("This is the last photo".into()),
        },
        Intent::Previous => match neighbours.previous.get_untracked() {
            Some(previous) => {
                reply(format!("Showing {}", previous.filename));
                neighbours.show_previous();
            }
            None => reply("This is the first photo".into()),
        },
        Intent::First | Intent::Last => {
            let target = if intent == Intent::First {
                loaded(|photos| photos.first())
            } else {
                loaded(|photos| photos.last())
            };
            if let Some(target) = &target {
                reply(format!("Showing {}", target.filename));
            }
            viewer.navigation.show(target);
        }
        Intent::Close => {
            slideshow.running.set(false);
            viewer.navigation.close();
            reply("Closed the viewer".into());
        }
        Intent::OpenGallery => reply(format!("Showing {}", photo.filename)),
        Intent::ZoomIn => {
            viewer.zoom.zoom_in();
            reply("Zoomed in".into());
        }
        Intent::ZoomOut => {
            viewer.zoom.zoom_out();
            reply("Zoomed out".into());
        }
        Intent::SlideshowStart => {
            slideshow.running.set(true);
            reply(format!(
                "Slideshow started: a photo every {} seconds",
                slideshow.seconds.get_untracked()
            ));
        }
        Intent::SlideshowStop => {
            slideshow.running.set(false);
            reply("Slideshow stopped".into());
        }
        Intent::DeleteCurrent if viewer.state.read_only() => {
            reply("Shared photos cannot be deleted".into())
        }
        Intent::DeleteCurrent => {
            slideshow.running.set(false);
            viewer.confirming_delete.set(true);
            reply(format!(
                "Delete {}? Say “yes” to delete it or “no” to keep it.",
                photo.filename
            ));
        }
        Intent::Confirm if viewer.confirming_delete.get_untracked() => {
            reply(format!("Deleting {}", photo.filename));
            viewer.delete_current();
        }
        Intent::Cancel if viewer.confirming_delete.get_untracked() => {
            viewer.confirming_delete.set(false);
            reply(format!("Kept {}", photo.filename));
        }
        Intent::Confirm | Intent::Cancel => reply("There is nothing to confirm".into()),
        Intent::Describe => voice.read_out(describe(photo)),
        Intent::AddToAlbum { .. } if viewer.state.read_only() => {
            reply("Shared photos cannot be added to an album".into())
        }
        Intent::AddToAlbum { album } => {
            add_to_album_by_voice(voice, viewer.state, album, vec![photo.id.clone()])
        }
        // Gallery-wide intents are the voice control's own.
        Intent::ShowTag { .. }
        | Intent::ShowAll
        | Intent::ShowAlbum { .. }
        | Intent::GoToMonth { .. }
        | Intent::GoToTop
        | Intent::GoToPeriod { .. }
        | Intent::Help
        | Intent::None => {}
    }
}

/// What the classifier saw in a photo, as a sentence to show or say.
fn describe(photo: &Photo) -> String {
    match photo.status {
        PhotoStatus::Done if !photo.labels.is_empty() => {
            let guesses: Vec<String> = photo
                .labels
                .iter()
                .map(|l| format!("{} ({})", l.label, percent(l.probability)))
                .collect();
            format!("This looks like {}", guesses.join(", or "))
        }
        PhotoStatus::Done => format!("{} has no labels", photo.filename),
        PhotoStatus::Failed => format!("{} could not be classified", photo.filename),
        stage => format!(
            "{} is still being classified ({})",
            photo.filename,
            stage.as_str()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaillery_core::{Label, PhotoId};

    fn photo(status: PhotoStatus, labels: &[(&str, f32)]) -> Photo {
        Photo {
            id: PhotoId::parse("abc123").expect("a valid id"),
            filename: "cat.jpg".into(),
            width: 4,
            height: 3,
            taken_at: None,
            created_at: "2026-11-27T00:00:00.000Z".into(),
            status,
            status_reason: None,
            labels: labels
                .iter()
                .map(|(label, probability)| Label {
                    label: (*label).into(),
                    probability: *probability,
                })
                .collect(),
            placeholder: String::new(),
            format: "jpeg".into(),
            size_bytes: 1,
            sha256: String::new(),
        }
    }

    #[test]
    fn a_classified_photo_is_described_by_its_guesses() {
        let cat = photo(PhotoStatus::Done, &[("tabby", 0.8), ("tiger cat", 0.1)]);
        assert_eq!(
            describe(&cat),
            format!(
                "This looks like tabby ({}), or tiger cat ({})",
                percent(0.8),
                percent(0.1)
            )
        );
    }

    #[test]
    fn a_photo_without_guesses_says_why() {
        assert_eq!(
            describe(&photo(PhotoStatus::Done, &[])),
            "cat.jpg has no labels"
        );
        assert_eq!(
            describe(&photo(PhotoStatus::Failed, &[])),
            "cat.jpg could not be classified"
        );
        assert_eq!(
            describe(&photo(PhotoStatus::Queued, &[])),
            format!(
                "cat.jpg is still being classified ({})",
                PhotoStatus::Queued.as_str()
            )
        );
    }
}
