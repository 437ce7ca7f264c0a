//! Understanding spoken commands: a transcript from the browser's speech recognition (or the
//! command line) becomes an [`Intent`].
//!
//! It is not a list of exact phrases. A transcript is cleaned first (case, punctuation,
//! contractions, filler such as "um" and "okay", politeness such as "can you" and "please",
//! articles), then matched against each command's phrases after the same cleaning, then read as
//! a tag request ("show me dog photos", "photos of cars", "filter by beach"). Tag words are
//! put in the singular and, when a vocabulary of known tags is given, matched to its nearest
//! term, so a recogniser's "golden retreiver" still finds the golden retrievers.
//!
//! Albums are named rather than tagged ("show the album holidays", "add this to holidays"):
//! their names are taken as heard, for the app to match against the speaker's album titles.
//!
//! Dates move the timeline ("go to May 2019", "photos from last summer"); relative ones are
//! read against the month the caller says is today, so parsing reads no clock.
//!
//! Each language brings a [`Grammar`] of its own words; the steps above are the same for all.

mod albums;
mod dates;
mod english;
mod tags;

#[cfg(test)]
mod album_tests;
#[cfg(test)]
mod date_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use dates::{nearest_month, newest_between, DateWords};
pub use tags::TagVocabulary;

use crate::Month;

/// What the speaker wants done. Serialised as `{"intent": "show_tag", "tag": "dog"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    /// Filter the gallery by a tag, in its singular form.
    ShowTag {
        tag: String,
    },
    ShowAll,
    /// Open the photo viewer (on the first photo).
    OpenGallery,
    Next,
    Previous,
    First,
    Last,
    Close,
    ZoomIn,
    ZoomOut,
    SlideshowStart,
    SlideshowStop,
    /// Delete the photo on screen, after a confirmation.
    DeleteCurrent,
    Confirm,
    Cancel,
    /// Show what can be said.
    Help,
    /// Read out the labels of the photo on screen.
    Describe,
    /// Open the album of this name, as heard (lower case, not put in the singular).
    ShowAlbum {
        album: String,
    },
    /// Add the photo on screen to the album of this name, as heard.
    AddToAlbum {
        album: String,
    },
    /// Scroll the timeline to this month (`2019-05`), or to the nearest one with photos.
    GoToMonth {
        month: String,
    },
    /// Back to the newest photos, at the top of the timeline.
    GoToTop,
    /// Scroll the timeline to the newest month with photos from `from` to `to` (months written
    /// `2021-06`, both included): "last summer", "2019".
    GoToPeriod {
        from: String,
        to: String,
    },
    /// Nothing understood.
    None,
}

/// The languages commands can be spoken in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[default]
    English,
}

impl Language {
    pub const ALL: [Language; 1] = [Language::English];

    /// The BCP 47 tag given to the speech recogniser.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en-US",
        }
    }

    /// The name shown in the language setting, in that language.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
        }
    }

    /// The language of a BCP 47 tag ("en", "en-GB"), if commands can be spoken in it.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::English),
            _ => None,
        }
    }

    /// Like [`Language::from_code`], with an error that says which languages are understood.
    pub fn for_code(code: &str) -> Result<Language, UnsupportedLanguage> {
        Language::from_code(code).ok_or_else(|| UnsupportedLanguage(code.to_owned()))
    }

    pub fn grammar(self) -> &'static Grammar {
        match self {
            Language::English => english::grammar(),
        }
    }
}

/// The words of one language. Lists of phrases are written naturally; they go through the
/// same cleaning as transcripts when the grammar is built.
pub struct Words {
    /// Written forms expanded before anything else ("what's" to "what is").
    pub contractions: &'static [(&'static str, &'static str)],
    /// Spellings joined or split the way the command lists write them ("slide show").
    pub spellings: &'static [(&'static str, &'static str)],
    /// Single words that carry nothing, dropped anywhere ("um", "okay", "please").
    pub fillers: &'static [&'static str],
    /// Politeness and preambles, dropped at the start ("can you", "i want to").
    pub preambles: &'static [&'static str],
    /// Dropped at the end ("for me", "thank you", "now").
    pub endings: &'static [&'static str],
    /// Names of the app a speaker may address first ("gallery, next").
    pub wake_words: &'static [&'static str],
    /// Articles and determiners, dropped anywhere.
    pub articles: &'static [&'static str],
    /// Words for photos, dropped where they only say what kind of thing is meant.
    pub media_nouns: &'static [&'static str],
    /// Words that point at the photo on screen ("this", "it"), dropped from commands.
    pub pointers: &'static [&'static str],
    /// Verbs (with their particles) that start a tag request: "show me", "filter by".
    pub show_verbs: &'static [&'static str],
    /// Words between the photos and the tag: "photos *of* cars", "*with* dogs *in them*".
    pub tag_connectors: &'static [&'static str],
    /// Words that widen a request without naming a tag ("all", "any").
    pub quantifiers: &'static [&'static str],
    /// Every command's phrases.
    pub commands: &'static [(Intent, &'static [&'static str])],
    /// Words a recogniser hears for "yes" that are also filler ("okay"): alone, they confirm.
    pub lone_confirmations: &'static [&'static str],
    /// Words for an album: next to a name, they make a request about an album, not a tag.
    pub album_nouns: &'static [&'static str],
    /// Words between the word for an album and its name ("the album *called* holidays").
    pub album_namings: &'static [&'static str],
    /// Words between photos and their album ("photos *from* the holidays album").
    pub album_connectors: &'static [&'static str],
    /// Verbs (with their particles) that open an album: "show me", "go to".
    pub show_album_verbs: &'static [&'static str],
    /// Phrases that add the photo on screen to an album, the name following the last word:
    /// "add to", "put in". Pointers and words for photos may come before that last word
    /// ("add *this photo* to").
    pub add_to_album_phrases: &'static [&'static str],
    /// Months, seasons and the words around them.
    pub dates: &'static DateWords,
}

/// A language commands cannot be spoken in yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsupportedLanguage(pub String);

impl std::fmt::Display for UnsupportedLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "commands in {:?} are not understood yet; English (en) is",
            self.0
        )
    }
}

impl std::error::Error for UnsupportedLanguage {}

/// One language's words, prepared for parsing.
pub struct Grammar {
    words: &'static Words,
    fillers: Vec<String>,
    preambles: Vec<Vec<String>>,
    endings: Vec<Vec<String>>,
    show_verbs: Vec<Vec<String>>,
    /// A command's cleaned phrase (pointers and media nouns dropped) to the command.
    commands: HashMap<String, Intent>,
    /// First words of command phrases: a tag request never starts with one ("delete dog
    /// photos" is not a request for the tag "delete dog").
    command_words: Vec<String>,
    albums: albums::AlbumPhrases,
    dates: dates::DatePhrases,
}

impl Grammar {
    pub fn new(words: &'static Words) -> Grammar {
        let split = |phrase: &str| -> Vec<String> {
            phrase.split_whitespace().map(str::to_owned).collect()
        };
        let mut grammar = Grammar {
            words,
            fillers: words.fillers.iter().map(|w| w.to_string()).collect(),
            preambles: sorted_longest_first(words.preambles.iter().map(|p| split(p))),
            endings: sorted_longest_first(words.endings.iter().map(|p| split(p))),
            show_verbs: sorted_longest_first(words.show_verbs.iter().map(|p| split(p))),
            commands: HashMap::new(),
            command_words: Vec::new(),
            albums: albums::AlbumPhrases::new(words),
            dates: dates::DatePhrases::new(words.dates),
        };
        for (intent, phrases) in words.commands {
            for phrase in *phrases {
                let key = grammar.command_key(&grammar.clean(phrase));
                if let Some(first) = key.split(' ').next().filter(|w| !w.is_empty()) {
                    if !grammar.command_words.iter().any(|w| w == first) {
                        grammar.command_words.push(first.to_owned());
                    }
                }
                grammar
                    .commands
                    .entry(key)
                    .or_insert_with(|| intent.clone());
            }
        }
        grammar
    }

    /// The intent of one transcript. `vocabulary` holds the tags that exist, for correcting
    /// misheard tag words; without it, tags are taken as heard (in the singular). `today` is
    /// the month relative dates ("last summer") are read against.
    pub fn parse(
        &self,
        transcript: &str,
        vocabulary: Option<&TagVocabulary>,
        today: Month,
    ) -> Intent {
        let with_articles = self.clean_keeping_articles(transcript);
        let tokens = self.drop_articles(with_articles.clone());
        if tokens.is_empty() {
            let lone = normalize(transcript, self.words);
            return if !lone.is_empty()
                && lone
                    .iter()
                    .all(|w| self.words.lone_confirmations.contains(&w.as_str()))
            {
                Intent::Confirm
            } else {
                Intent::None
            };
        }
        if let Some(intent) = self.commands.get(&self.command_key(&tokens)) {
            return intent.clone();
        }
        // "Show me the next one", "show everything": a command behind a show verb.
        let (verb_len, after_verb) = self.strip_show_verb(&tokens);
        if verb_len > 0 {
            if let Some(intent) = self.commands.get(&self.command_key(after_verb)) {
                return intent.clone();
            }
        }
        // After the commands, so that no command changes; before tags, as "show the album
        // holidays" would otherwise be a request for the tag "album holiday".
        if let Some(intent) = self.albums.parse(&with_articles, self.words) {
            return intent;
        }
        // Before tags: "photos from May 2019" is not the tag "may 2019".
        if let Some(intent) = self.dates.parse(&tokens, self.words, vocabulary, today) {
            return intent;
        }
        self.tag_request(&tokens, verb_len, vocabulary)
    }

    /// A transcript as words: lower case, contractions expanded, punctuation gone, filler,
    /// preambles, endings and articles dropped.
    fn clean(&self, transcript: &str) -> Vec<String> {
        self.drop_articles(self.clean_keeping_articles(transcript))
    }

    fn drop_articles(&self, mut tokens: Vec<String>) -> Vec<String> {
        tokens.retain(|t| !self.words.articles.contains(&t.as_str()));
        tokens
    }

    /// Like [`Grammar::clean`], with the articles kept: an album's name may hold one ("a day
    /// out").
    fn clean_keeping_articles(&self, transcript: &str) -> Vec<String> {
        let mut tokens = normalize(transcript, self.words);
        tokens.retain(|t| !self.fillers.contains(t));
        if tokens.len() > 1 && self.words.wake_words.contains(&tokens[0].as_str()) {
            tokens.remove(0);
        }
        'preamble: loop {
            for preamble in &self.preambles {
                if tokens.len() > preamble.len() && tokens.starts_with(preamble) {
                    tokens.drain(..preamble.len());
                    continue 'preamble;
                }
            }
            break;
        }
        'ending: loop {
            for ending in &self.endings {
                if tokens.len() > ending.len() && tokens.ends_with(ending) {
                    tokens.truncate(tokens.len() - ending.len());
                    continue 'ending;
                }
            }
            break;
        }
        tokens
    }

    /// How command phrases are compared: without words that point at the photo or name the
    /// kind of thing ("delete this photo" and "delete" are one command).
    fn command_key(&self, tokens: &[String]) -> String {
        tokens
            .iter()
            .filter(|t| {
                !self.words.pointers.contains(&t.as_str())
                    && !self.words.media_nouns.contains(&t.as_str())
            })
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The longest show verb the words start with: its length and the words after it.
    fn strip_show_verb<'a>(&self, tokens: &'a [String]) -> (usize, &'a [String]) {
        for verb in &self.show_verbs {
            if tokens.starts_with(verb) {
                return (verb.len(), &tokens[verb.len()..]);
            }
        }
        (0, tokens)
    }

    /// "show me dog photos", "pictures of cars", "filter by beach", or a known tag alone.
    fn tag_request(
        &self,
        tokens: &[String],
        verb_len: usize,
        vocabulary: Option<&TagVocabulary>,
    ) -> Intent {
        let words = self.words;
        let mut saw_media = false;
        let mut saw_quantifier = false;
        let tag_words: Vec<&str> = tokens[verb_len..]
            .iter()
            .map(String::as_str)
            .filter(|t| {
                if words.media_nouns.contains(t) {
                    saw_media = true;
                    false
                } else if words.quantifiers.contains(t) {
                    saw_quantifier = true;
                    false
                } else {
                    !words.tag_connectors.contains(t) && !words.pointers.contains(t)
                }
            })
            .collect();
        let asked = verb_len > 0 || saw_media;
        if tag_words.is_empty() {
            return if asked && (saw_media || saw_quantifier) {
                Intent::ShowAll
            } else {
                Intent::None
            };
        }
        if verb_len == 0 && self.command_words.iter().any(|w| w == tag_words[0]) {
            return Intent::None;
        }
        let heard = tag_words.join(" ");
        match vocabulary {
            // Without a show verb or a word for photos, only a tag that exists is a request.
            Some(vocabulary) if !asked => match vocabulary.exact(&heard) {
                Some(tag) => Intent::ShowTag { tag },
                None => Intent::None,
            },
            Some(vocabulary) => Intent::ShowTag {
                tag: vocabulary.resolve(&heard),
            },
            None if asked => Intent::ShowTag {
                tag: tags::singular_guess(&heard),
            },
            None => Intent::None,
        }
    }
}

/// Lower case, contractions expanded, punctuation as spaces, spellings unified.
fn normalize(transcript: &str, words: &Words) -> Vec<String> {
    let text: String = transcript
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '’' | '‘' | '\'' => '\'',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (short, long) in words.contractions {
        text = replace_word(&text, short, long);
    }
    // A possessive or a stray quote: "dog's photos" is about dogs.
    let mut text = text.replace('\'', "");
    for (variant, canonical) in words.spellings {
        text = replace_word(&text, variant, canonical);
    }
    text.split_whitespace().map(str::to_owned).collect()
}

/// Replaces whole-word (or whole-phrase) occurrences of `from`.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let padded = format!(" {text} ");
    let replaced = padded.replace(&format!(" {from} "), &format!(" {to} "));
    // A second pass catches overlapping occurrences ("no no").
    let replaced = replaced.replace(&format!(" {from} "), &format!(" {to} "));
    replaced.trim().to_owned()
}

fn sorted_longest_first(phrases: impl Iterator<Item = Vec<String>>) -> Vec<Vec<String>> {
    let mut phrases: Vec<Vec<String>> = phrases.collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    phrases
}

/// The intent of `transcript` in `language`: shorthand for `language.grammar().parse(..)`.
pub fn parse(
    transcript: &str,
    language: Language,
    vocabulary: Option<&TagVocabulary>,
    today: Month,
) -> Intent {
    language.grammar().parse(transcript, vocabulary, today)
}
