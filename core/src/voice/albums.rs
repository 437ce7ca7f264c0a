//! Albums by name: "show the album holidays", "add this to holidays". The name is whatever
//! follows the command words, taken as heard: not put in the singular and not matched to the
//! tag vocabulary, since the app matches it against the titles of the speaker's albums.

use super::{Intent, Words};

/// One language's album phrases, prepared for parsing.
pub(super) struct AlbumPhrases {
    /// Verbs that open an album, longest first.
    show_verbs: Vec<Vec<String>>,
    /// Add phrases as their verb and the word before the name ("add" and "to"), longest
    /// verb first.
    add_phrases: Vec<(Vec<String>, String)>,
}

impl AlbumPhrases {
    pub(super) fn new(words: &Words) -> AlbumPhrases {
        let split = |phrase: &str| -> Vec<String> {
            phrase.split_whitespace().map(str::to_owned).collect()
        };
        let mut show_verbs: Vec<Vec<String>> =
            words.show_album_verbs.iter().map(|v| split(v)).collect();
        show_verbs.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut add_phrases: Vec<(Vec<String>, String)> = words
            .add_to_album_phrases
            .iter()
            .filter_map(|phrase| {
                let mut verb = split(phrase);
                let connector = verb.pop()?;
                (!verb.is_empty()).then_some((verb, connector))
            })
            .collect();
        add_phrases.sort_by_key(|(verb, _)| std::cmp::Reverse(verb.len()));
        AlbumPhrases {
            show_verbs,
            add_phrases,
        }
    }

    /// The album intent of cleaned words (articles kept, as they may belong to the name), if
    /// they name an album.
    pub(super) fn parse(&self, tokens: &[String], words: &Words) -> Option<Intent> {
        // First: "add this to the holidays album" ends with the word for an album too.
        if let Some(album) = self.add_to(tokens, words) {
            return Some(Intent::AddToAlbum { album });
        }
        self.show(tokens, words)
            .map(|album| Intent::ShowAlbum { album })
    }

    /// "add this photo to holidays", "put it in the album holidays".
    fn add_to(&self, tokens: &[String], words: &Words) -> Option<String> {
        self.add_phrases.iter().find_map(|(verb, connector)| {
            let rest = tokens.strip_prefix(verb.as_slice())?;
            // What is added sits between the verb and the connector: "add *this photo* to".
            let rest = skip(rest, |t| {
                words.pointers.contains(&t)
                    || words.media_nouns.contains(&t)
                    || words.articles.contains(&t)
            });
            match rest.split_first() {
                Some((first, name)) if first == connector => album_name(name, words),
                _ => None,
            }
        })
    }

    /// "show the album holidays", "open my holidays album", "album holidays", "show me the
    /// photos from the holidays album". Without the word for an album, it is a tag request.
    fn show(&self, tokens: &[String], words: &Words) -> Option<String> {
        let verb_len = self
            .show_verbs
            .iter()
            .find(|verb| tokens.starts_with(verb))
            .map_or(0, Vec::len);
        let mut rest = &tokens[verb_len..];
        let mut asked = verb_len > 0;
        // "photos from", "all the pictures in": what is shown is the album's photos.
        let before_connector = skip(rest, |t| {
            words.media_nouns.contains(&t)
                || words.articles.contains(&t)
                || words.quantifiers.contains(&t)
        });
        if let Some((first, after)) = before_connector.split_first() {
            let skipped = &rest[..rest.len() - before_connector.len()];
            if words.album_connectors.contains(&first.as_str())
                && skipped
                    .iter()
                    .any(|t| words.media_nouns.contains(&t.as_str()))
            {
                rest = after;
                asked = true;
            }
        }
        let starts_with_album = skip(rest, |t| words.articles.contains(&t))
            .first()
            .is_some_and(|t| words.album_nouns.contains(&t.as_str()));
        // "holidays album" alone could be anything ("delete the holidays album"); after a verb
        // it is the album.
        let ends_with_album = asked
            && rest
                .last()
                .is_some_and(|t| words.album_nouns.contains(&t.as_str()));
        if starts_with_album || ends_with_album {
            album_name(rest, words)
        } else {
            None
        }
    }
}

/// The name in "the album called holidays" or "my holidays album": without a leading article,
/// the word for an album, or a naming word after it. None when nothing names one album ("this
/// album", "all the albums").
fn album_name(tokens: &[String], words: &Words) -> Option<String> {
    let articles = |t: &str| words.articles.contains(&t);
    let mut name = skip(tokens, articles);
    if let Some((first, rest)) = name.split_first() {
        if words.album_nouns.contains(&first.as_str()) {
            // Articles after the word for an album are the name's own ("the album called
            // the best of us").
            name = skip(rest, |t| words.album_namings.contains(&t));
        } else if let Some((last, rest)) = name.split_last() {
            if words.album_nouns.contains(&last.as_str()) {
                name = rest;
            }
        }
    }
    let names_something = name.iter().any(|t| {
        let t = t.as_str();
        !words.pointers.contains(&t)
            && !words.media_nouns.contains(&t)
            && !words.quantifiers.contains(&t)
            && !articles(t)
    });
    names_something.then(|| name.join(" "))
}

/// The words after the leading ones `drop` matches.
fn skip(tokens: &[String], drop: impl Fn(&str) -> bool) -> &[String] {
    let kept = tokens.iter().position(|t| !drop(t)).unwrap_or(tokens.len());
    &tokens[kept..]
}

impl super::Grammar {
    /// Whether a spoken album name (from [`Intent::ShowAlbum`] or [`Intent::AddToAlbum`])
    /// names the album titled `title`: the title is cleaned as a transcript would be, and may
    /// have lost a leading article or its word for an album when spoken.
    pub fn names_album(&self, spoken: &str, title: &str) -> bool {
        let tokens = self.clean_keeping_articles(title);
        let mut candidates = vec![tokens.as_slice()];
        if let Some((first, rest)) = tokens.split_first() {
            if self.words.articles.contains(&first.as_str()) {
                candidates.push(rest);
            }
        }
        let found = candidates
            .into_iter()
            .flat_map(|name| {
                let without_noun = match name.split_last() {
                    Some((last, rest)) if self.words.album_nouns.contains(&last.as_str()) => rest,
                    _ => name,
                };
                [name, without_noun]
            })
            .any(|name| !name.is_empty() && name.join(" ") == spoken);
        found
    }
}
