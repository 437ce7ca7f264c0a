//! Albums by voice: "show the album Holidays" opens it, "add this to Holidays" adds the photo
//! on screen (or the selection). The spoken name is matched against the speaker's album
//! titles as the grammar cleans them, so "mum's birthday" finds "Mum's Birthday".

use super::picker::add_and_announce;
use crate::components::voice::VoiceCommands;
use crate::error::AppError;
use crate::server_fns::list_albums;
use crate::state::GalleryState;
use gaillery_core::api::albums::AlbumInfo;
use gaillery_core::percent::percent_encode;
use gaillery_core::voice::Language;
use gaillery_core::PhotoId;
use leptos::prelude::GetUntracked;

/// The speaker's album a spoken name means, if any.
async fn album_named(spoken: &str, language: Language) -> Result<Option<AlbumInfo>, AppError> {
    let grammar = language.grammar();
    Ok(list_albums()
        .await?
        .into_iter()
        .find(|album| grammar.names_album(spoken, &album.title)))
}

/// Opens the album named `spoken`, or says there is none.
pub fn show_album_by_voice(voice: VoiceCommands, spoken: String) {
    leptos::task::spawn_local(async move {
        match album_named(&spoken, voice.language()).await {
            Ok(Some(album)) => {
                voice.reply(format!("Opening the album {}", album.title));
                crate::browser::open_page(&format!("/albums/{}", percent_encode(&album.id)));
            }
            Ok(None) => voice.reply(format!("You have no album called “{spoken}”")),
            Err(error) => voice.reply(format!("Could not look for the album: {error}")),
        }
    });
}

/// Adds `photos` to the album named `spoken`, and says how it went.
pub fn add_to_album_by_voice(
    voice: VoiceCommands,
    state: GalleryState,
    spoken: String,
    photos: Vec<PhotoId>,
) {
    leptos::task::spawn_local(async move {
        match album_named(&spoken, voice.language()).await {
            Ok(Some(album)) => {
                add_and_announce(state, album, photos).await;
                voice.reply(state.announcement.get_untracked());
            }
            Ok(None) => voice.reply(format!("You have no album called “{spoken}”")),
            Err(error) => voice.reply(format!("Could not look for the album: {error}")),
        }
    });
}
