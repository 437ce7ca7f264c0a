//! The table of utterances: what people say (and what recognisers make of it) to what they
//! mean. Tags are checked against a small vocabulary shaped like ImageNet's terms.

use super::date_tests::today;
use super::tags::{edit_distance, singular_guess};
use super::*;

/// Fails with every utterance of `table` that does not mean its intent on [`today`].
pub(super) fn assert_every_parse(table: &[(&str, Intent)], vocabulary: &TagVocabulary) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(said, meant)| {
            let parsed = parse(said, Language::English, Some(vocabulary), today());
            (parsed != *meant).then(|| format!("{said:?}: {parsed:?}, meant {meant:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        table.len(),
        wrong.join("\n")
    );
}

fn vocabulary() -> TagVocabulary {
    TagVocabulary::new([
        "dog",
        "cat",
        "golden retriever",
        "tabby",
        "tabby cat",
        "car",
        "sports car",
        "beach",
        "seashore",
        "mountain",
        "bus",
        "school bus",
        "mouse",
        "puppy",
        "espresso",
        "pizza",
        "bird",
        "boat",
        "daisy",
        "tree",
        "horse",
        "fox",
        "red fox",
        "goose",
        "wolf",
        "glass",
        "coffee mug",
        "jellyfish",
        "butterfly",
        "dalmatian",
        "shoe",
        "lakeside",
        "vehicle",
        "food",
        "flower",
        "cheeseburger",
        "box",
        "church",
        "volcano",
        "tomato",
        "knife",
        "teddy bear",
    ])
}

fn tag(tag: &str) -> Intent {
    Intent::ShowTag {
        tag: tag.to_owned(),
    }
}

/// Utterance and intent, parsed with the vocabulary.
fn table() -> Vec<(&'static str, Intent)> {
    use Intent as I;
    vec![
        // Every phrase of the original app (the report's `handleVoiceCommand`), and the filter
        // phrases it meant to support but cut by fixed offsets.
        ("show dog photos", tag("dog")),
        ("show me dog photos", tag("dog")),
        ("display dog images", tag("dog")),
        ("filter by dog pictures", tag("dog")),
        ("show me cat pictures", tag("cat")),
        ("display golden retriever photos", tag("golden retriever")),
        ("open gallery", I::OpenGallery),
        ("open the gallery", I::OpenGallery),
        ("next", I::Next),
        ("forward", I::Next),
        ("go forward", I::Next),
        ("next photo", I::Next),
        ("next image", I::Next),
        ("next picture", I::Next),
        ("previous", I::Previous),
        ("back", I::Previous),
        ("go back", I::Previous),
        ("previous photo", I::Previous),
        ("previous image", I::Previous),
        ("previous picture", I::Previous),
        ("close gallery", I::Close),
        ("close the gallery", I::Close),
        ("exit gallery", I::Close),
        ("exit the gallery", I::Close),
        ("close", I::Close),
        ("exit", I::Close),
        // The examples of the issue.
        ("show me the dogs", tag("dog")),
        ("display cat images", tag("cat")),
        ("filter by beach", tag("beach")),
        ("find pictures of cars", tag("car")),
        // Tag requests in other shapes.
        ("show dogs", tag("dog")),
        ("show me pictures of dogs", tag("dog")),
        ("photos of dogs", tag("dog")),
        ("dog photos", tag("dog")),
        ("dogs", tag("dog")),
        ("Dogs!", tag("dog")),
        ("cats please", tag("cat")),
        ("pictures with dogs in them", tag("dog")),
        ("show photos that have cats", tag("cat")),
        ("show only cats", tag("cat")),
        ("only show me the horses", tag("horse")),
        ("search for pizza", tag("pizza")),
        ("look for boats", tag("boat")),
        ("find me some butterflies", tag("butterfly")),
        ("give me puppies", tag("puppy")),
        ("bring up the jellyfish", tag("jellyfish")),
        ("pull up photos of the seashore", tag("seashore")),
        ("I want to see the mountains", tag("mountain")),
        ("I'd like to see some flowers", tag("flower")),
        ("let's see the foxes", tag("fox")),
        ("show me red foxes", tag("red fox")),
        ("show me golden retrievers", tag("golden retriever")),
        ("show me all dog photos", tag("dog")),
        ("show all the cats", tag("cat")),
        ("show me pictures tagged beach", tag("beach")),
        ("filter on vehicles", tag("vehicle")),
        ("filter photos by food", tag("food")),
        ("view sports cars", tag("sports car")),
        ("browse school buses", tag("school bus")),
        ("show me buses", tag("bus")),
        ("show mice", tag("mouse")),
        ("show me the geese", tag("goose")),
        ("show wolves", tag("wolf")),
        ("find knives", tag("knife")),
        ("show me the boxes", tag("box")),
        ("show the churches", tag("church")),
        ("show tomatoes", tag("tomato")),
        ("show me glasses", tag("glass")),
        ("show me dog's photos", tag("dog")),
        ("show me teddy bears", tag("teddy bear")),
        ("show me coffee mugs", tag("coffee mug")),
        ("show me a volcano", tag("volcano")),
        ("can you show me the beach please", tag("beach")),
        (
            "could you please display the espresso photos",
            tag("espresso"),
        ),
        ("hey gallery show me dalmatians", tag("dalmatian")),
        ("um show me uh birds", tag("bird")),
        ("okay, show me horses.", tag("horse")),
        ("SHOW ME CAT PHOTOS", tag("cat")),
        ("Show me cat photos?", tag("cat")),
        ("show me the lakeside, thanks", tag("lakeside")),
        ("images of trees", tag("tree")),
        ("pics of cheeseburgers", tag("cheeseburger")),
        ("show me cheeseburger pics", tag("cheeseburger")),
        ("dog pictures please", tag("dog")),
        ("gallery, show dogs", tag("dog")),
        // Misheard tag words: the nearest known tag.
        ("show me golden retreiver photos", tag("golden retriever")),
        ("show me golden retreivers", tag("golden retriever")),
        ("show me dalmation photos", tag("dalmatian")),
        ("show me the butterflys", tag("butterfly")),
        ("show me jelly fish", tag("jellyfish")),
        ("show me expresso", tag("espresso")),
        ("show me volcanos", tag("volcano")),
        ("show me cheese burgers", tag("cheeseburger")),
        ("show me the seashores", tag("seashore")),
        // Unknown tags stay as heard (in the singular): the page says none are known.
        ("show me unicorns", tag("unicorn")),
        ("show me photos of spaceships", tag("spaceship")),
        // Show all.
        ("show all", I::ShowAll),
        ("show all photos", I::ShowAll),
        ("show me all the photos", I::ShowAll),
        ("show everything", I::ShowAll),
        ("show me everything", I::ShowAll),
        ("all photos", I::ShowAll),
        ("show me photos", I::ShowAll),
        ("show all pictures please", I::ShowAll),
        ("clear the filter", I::ShowAll),
        ("remove the filters", I::ShowAll),
        ("reset", I::ShowAll),
        ("everything", I::ShowAll),
        // Open the viewer.
        ("open", I::OpenGallery),
        ("open the photos", I::OpenGallery),
        ("please open the gallery", I::OpenGallery),
        ("can you open the gallery", I::OpenGallery),
        ("Open the gallery.", I::OpenGallery),
        ("show the gallery", I::OpenGallery),
        ("open the lightbox", I::OpenGallery),
        ("full screen", I::OpenGallery),
        // Moving.
        ("next one", I::Next),
        ("the next one please", I::Next),
        ("show me the next one", I::Next),
        ("go to the next photo", I::Next),
        ("next, please", I::Next),
        ("um next", I::Next),
        ("Next.", I::Next),
        ("NEXT", I::Next),
        ("skip this one", I::Next),
        ("move on", I::Next),
        ("okay next", I::Next),
        ("nest", I::Next),
        ("previous one", I::Previous),
        ("go back please", I::Previous),
        ("back, please", I::Previous),
        ("the previous picture", I::Previous),
        ("show me the previous one", I::Previous),
        ("go backwards", I::Previous),
        ("prev", I::Previous),
        ("first", I::First),
        ("the first photo", I::First),
        ("go to the first one", I::First),
        ("go to the beginning", I::First),
        ("last", I::Last),
        ("the last one", I::Last),
        ("go to the last photo", I::Last),
        ("go to the end", I::Last),
        // Closing.
        ("close it", I::Close),
        ("close this", I::Close),
        ("close the photo", I::Close),
        ("please close", I::Close),
        ("back to the gallery", I::Close),
        ("quit", I::Close),
        ("clothes", I::Close),
        ("exit, thank you", I::Close),
        // Zoom.
        ("zoom in", I::ZoomIn),
        ("zoom", I::ZoomIn),
        ("zoom in please", I::ZoomIn),
        ("Zoom-in!", I::ZoomIn),
        ("make it bigger", I::ZoomIn),
        ("enlarge", I::ZoomIn),
        ("zoom out", I::ZoomOut),
        ("zoom it out", I::ZoomOut),
        ("make it smaller", I::ZoomOut),
        ("reset the zoom", I::ZoomOut),
        ("fit to screen", I::ZoomOut),
        // Slideshow.
        ("start the slideshow", I::SlideshowStart),
        ("start a slide show", I::SlideshowStart),
        ("slideshow", I::SlideshowStart),
        ("play", I::SlideshowStart),
        ("play the slideshow please", I::SlideshowStart),
        ("resume", I::SlideshowStart),
        ("stop the slideshow", I::SlideshowStop),
        ("stop", I::SlideshowStop),
        ("pause", I::SlideshowStop),
        ("pause the slide show", I::SlideshowStop),
        ("end the slideshow", I::SlideshowStop),
        // Deleting, confirming, cancelling.
        ("delete this photo", I::DeleteCurrent),
        ("delete this", I::DeleteCurrent),
        ("delete it", I::DeleteCurrent),
        ("delete", I::DeleteCurrent),
        ("remove this photo", I::DeleteCurrent),
        ("please delete this picture", I::DeleteCurrent),
        ("throw it away", I::DeleteCurrent),
        ("trash this", I::DeleteCurrent),
        ("yes", I::Confirm),
        ("yes please", I::Confirm),
        ("Yes, delete it.", I::Confirm),
        ("yeah", I::Confirm),
        ("confirm", I::Confirm),
        ("okay", I::Confirm),
        ("OK", I::Confirm),
        ("sure", I::Confirm),
        ("do it", I::Confirm),
        ("go ahead", I::Confirm),
        ("no", I::Cancel),
        ("no, don't delete it", I::Cancel),
        ("cancel", I::Cancel),
        ("never mind", I::Cancel),
        ("nevermind", I::Cancel),
        ("keep it", I::Cancel),
        ("nope", I::Cancel),
        // Help and describing.
        ("help", I::Help),
        ("help me", I::Help),
        ("what can I say?", I::Help),
        ("what can you do", I::Help),
        ("show me the commands", I::Help),
        ("um, help", I::Help),
        ("what's this", I::Describe),
        ("what is this", I::Describe),
        ("What's that?", I::Describe),
        ("what is in this photo", I::Describe),
        ("describe this photo", I::Describe),
        ("describe it", I::Describe),
        ("what am I looking at", I::Describe),
        ("what do you see", I::Describe),
        ("read the labels", I::Describe),
        // Nothing understood.
        ("", I::None),
        ("   ", I::None),
        ("um", I::None),
        ("uh hmm", I::None),
        ("what's the weather like", I::None),
        ("delete all dog photos", I::None),
        ("open dog photos", I::None),
        ("banana bread recipe", I::None),
        ("the", I::None),
        ("show me", I::None),
    ]
}

#[test]
fn every_utterance_of_the_table_means_its_intent() {
    let vocabulary = vocabulary();
    let table = table();
    assert!(
        table.len() >= 150,
        "the table has {} utterances",
        table.len()
    );
    assert_every_parse(&table, &vocabulary);
}

#[test]
fn without_a_vocabulary_tags_are_taken_as_heard_in_the_singular() {
    let parse = |said| parse(said, Language::English, None, today());
    assert_eq!(parse("show me the dogs"), tag("dog"));
    assert_eq!(
        parse("photos of golden retrievers"),
        tag("golden retriever")
    );
    assert_eq!(parse("show me foxes"), tag("fox"));
    assert_eq!(parse("show me the beaches"), tag("beach"));
    assert_eq!(parse("show me puppies"), tag("puppy"));
    // A bare word is a tag only when the vocabulary knows it.
    assert_eq!(parse("dogs"), Intent::None);
    assert_eq!(parse("next"), Intent::Next);
}

#[test]
fn no_phrase_means_two_things() {
    let grammar = Language::English.grammar();
    for (intent, phrases) in english::WORDS.commands {
        for phrase in *phrases {
            let key = grammar.command_key(&grammar.clean(phrase));
            assert_eq!(
                grammar.commands.get(&key),
                Some(intent),
                "{phrase:?} (as {key:?}) is taken by another command"
            );
        }
    }
}

#[test]
fn intents_serialise_as_one_json_object_with_the_intent_name() {
    let json = |intent: &Intent| serde_json::to_string(intent).unwrap();
    assert_eq!(json(&tag("dog")), r#"{"intent":"show_tag","tag":"dog"}"#);
    assert_eq!(
        json(&Intent::SlideshowStart),
        r#"{"intent":"slideshow_start"}"#
    );
    assert_eq!(json(&Intent::None), r#"{"intent":"none"}"#);
    let back: Intent = serde_json::from_str(r#"{"intent":"delete_current"}"#).unwrap();
    assert_eq!(back, Intent::DeleteCurrent);
}

#[test]
fn edit_distance_counts_transpositions_as_one() {
    assert_eq!(edit_distance("retriever", "retreiver"), 1);
    assert_eq!(edit_distance("cat", "cat"), 0);
    assert_eq!(edit_distance("cat", "dog"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("dalmation", "dalmatian"), 1);
}

#[test]
fn short_words_are_not_corrected_into_other_words() {
    let vocabulary = vocabulary();
    // "bat" is one letter from "cat", and a word of its own.
    assert_eq!(vocabulary.resolve("bat"), "bat");
    assert_eq!(vocabulary.resolve("bats"), "bat");
    // Two letters apart in a seven-letter word is another word, not a slip.
    assert_eq!(vocabulary.resolve("unicorns"), "unicorn");
}

#[test]
fn singular_guesses_follow_english_rules() {
    for (plural, single) in [
        ("dogs", "dog"),
        ("puppies", "puppy"),
        ("beaches", "beach"),
        ("boxes", "box"),
        ("horses", "horse"),
        ("glasses", "glass"),
        ("bus", "bus"),
        ("children", "child"),
        ("red foxes", "red fox"),
        ("cactus", "cactus"),
    ] {
        assert_eq!(singular_guess(plural), single, "{plural}");
    }
}

#[test]
fn languages_come_from_browser_codes() {
    assert_eq!(Language::from_code("en-GB"), Some(Language::English));
    assert_eq!(Language::from_code("EN"), Some(Language::English));
    assert_eq!(Language::from_code("fr-FR"), None);
    assert_eq!(Language::English.code(), "en-US");
}
