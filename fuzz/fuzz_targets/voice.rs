//! The voice command parser on any transcript (bytes read as UTF-8, lossily), in every
//! language, without and with a vocabulary of known tags, on today's month and on the first
//! and last months a timeline holds; and the language setting's parser on the same text.
//!
//! Property: nothing panics, a tag or album name, when one is understood, is not empty, and a
//! month of the timeline is one `Month::parse` reads.

#![no_main]

use gaillery_core::voice::{parse, Intent, Language, TagVocabulary};
use gaillery_core::Month;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A few terms shaped like ImageNet's, as the parser's tests use.
fn vocabulary() -> &'static TagVocabulary {
    static VOCABULARY: OnceLock<TagVocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        TagVocabulary::new([
            "dog",
            "cat",
            "golden retriever",
            "tabby cat",
            "sports car",
            "beach",
            "school bus",
            "teddy bear",
            "red fox",
            "coffee mug",
            "album",
        ])
    })
}

fuzz_target!(|data: &[u8]| {
    let transcript = String::from_utf8_lossy(data);
    let todays = [
        Month::FIRST,
        Month::new(2025, 7).unwrap_or(Month::LAST),
        Month::LAST,
    ];
    for language in Language::ALL {
        for vocabulary in [None, Some(vocabulary())] {
            for today in todays {
                match parse(&transcript, language, vocabulary, today) {
                    Intent::ShowTag { tag } => assert!(!tag.trim().is_empty(), "{transcript:?}"),
                    Intent::ShowAlbum { album } | Intent::AddToAlbum { album } => {
                        assert!(!album.trim().is_empty(), "{transcript:?}")
                    }
                    Intent::GoToMonth { month } => {
                        assert!(Month::parse(&month).is_some(), "{transcript:?}")
                    }
                    Intent::GoToPeriod { from, to } => {
                        let (from, to) = (Month::parse(&from), Month::parse(&to));
                        assert!(from.is_some() && from <= to, "{transcript:?}")
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(language) = Language::from_code(&transcript) {
        assert_eq!(Language::from_code(language.code()), Some(language));
    }
});
