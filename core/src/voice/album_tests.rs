//! Album requests: what people say to open an album or add the photo on screen to one, and
//! what must stay a tag request or a command.

use super::date_tests::today;
use super::tests::assert_every_parse;
use super::*;

fn show_album(album: &str) -> Intent {
    Intent::ShowAlbum {
        album: album.to_owned(),
    }
}

fn add_to_album(album: &str) -> Intent {
    Intent::AddToAlbum {
        album: album.to_owned(),
    }
}

fn tag(tag: &str) -> Intent {
    Intent::ShowTag {
        tag: tag.to_owned(),
    }
}

/// Utterance and intent, parsed with and without a vocabulary (album names never use it).
fn table() -> Vec<(&'static str, Intent)> {
    use Intent as I;
    vec![
        // Opening an album.
        ("show the album Holidays", show_album("holidays")),
        ("open album holidays", show_album("holidays")),
        ("go to the album summer 2024", show_album("summer 2024")),
        ("show me my album Holidays", show_album("holidays")),
        ("album Holidays", show_album("holidays")),
        ("show the Holidays album", show_album("holidays")),
        ("open my holidays album please", show_album("holidays")),
        (
            "can you take me to the album Summer Holidays?",
            show_album("summer holidays"),
        ),
        (
            "show the album called The Best of Us",
            show_album("the best of us"),
        ),
        (
            "show me the photos from my Holidays album",
            show_album("holidays"),
        ),
        ("photos in the album dogs", show_album("dogs")),
        ("hey gallery, open album Road Trip", show_album("road trip")),
        // Adding the photo on screen to an album.
        ("add this to Holidays", add_to_album("holidays")),
        (
            "add this photo to the album Holidays",
            add_to_album("holidays"),
        ),
        ("put it in Holidays", add_to_album("holidays")),
        ("add to album holidays", add_to_album("holidays")),
        ("save this to Holidays", add_to_album("holidays")),
        (
            "add this picture to my Holidays album",
            add_to_album("holidays"),
        ),
        (
            "please put this one into Summer 2024",
            add_to_album("summer 2024"),
        ),
        ("copy it to the dog photos", add_to_album("dog photos")),
        ("add it to a day out", add_to_album("day out")),
        // No name: what it was before.
        ("show album", tag("album")),
        ("show albums", tag("album")),
        ("show my albums", tag("album")),
        ("open this album", I::None),
        ("add this", I::None),
        ("add to the album", I::None),
        ("put it in there", I::None),
        ("save it", I::None),
        // Without the word for an album, tag requests and commands as before.
        ("delete the holidays album", I::None),
        ("holidays album", I::None),
        ("show me dog photos", tag("dog")),
        ("photos of cars", tag("car")),
        ("show all", I::ShowAll),
        ("show me all the photos", I::ShowAll),
        ("open the gallery", I::OpenGallery),
        ("go to the next photo", I::Next),
        ("delete this photo", I::DeleteCurrent),
    ]
}

#[test]
fn every_album_utterance_means_its_intent() {
    let vocabulary = TagVocabulary::new(["dog", "car", "beach", "album"]);
    let table = table();
    assert!(
        table.len() >= 15,
        "the table has {} utterances",
        table.len()
    );
    assert_every_parse(&table, &vocabulary);
}

#[test]
fn album_names_are_taken_as_heard_without_a_vocabulary_too() {
    let parse = |said| parse(said, Language::English, None, today());
    assert_eq!(parse("show the album Holidays"), show_album("holidays"));
    assert_eq!(parse("open the Dogs album"), show_album("dogs"));
    assert_eq!(parse("add this to Holidays"), add_to_album("holidays"));
    assert_eq!(parse("put it in the album cats"), add_to_album("cats"));
}

#[test]
fn album_intents_serialise_with_the_album_name() {
    let json = |intent: &Intent| serde_json::to_string(intent).unwrap();
    assert_eq!(
        json(&show_album("holidays")),
        r#"{"intent":"show_album","album":"holidays"}"#
    );
    assert_eq!(
        json(&add_to_album("holidays")),
        r#"{"intent":"add_to_album","album":"holidays"}"#
    );
    let back: Intent = serde_json::from_str(r#"{"intent":"show_album","album":"x"}"#).unwrap();
    assert_eq!(back, show_album("x"));
}

#[test]
fn spoken_names_find_album_titles() {
    let grammar = Language::English.grammar();
    let spoken = |transcript: &str| match grammar.parse(transcript, None, today()) {
        Intent::ShowAlbum { album } | Intent::AddToAlbum { album } => album,
        other => panic!("{transcript:?} is not about an album: {other:?}"),
    };
    assert!(grammar.names_album(&spoken("show the album Holidays"), "Holidays"));
    assert!(grammar.names_album(&spoken("add this to summer 2024"), "Summer 2024!"));
    assert!(grammar.names_album(&spoken("open the best of us album"), "The Best of Us"));
    assert!(grammar.names_album(&spoken("show the album mum's birthday"), "Mum's Birthday"));
    assert!(!grammar.names_album(&spoken("show the album Holidays"), "Holidays 2023"));
}
