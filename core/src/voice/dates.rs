//! Dates on the timeline: "go to May 2019", "show photos from last summer", "this month".
//!
//! A date names one month ("May 2019", "last month", "May": the latest May that has begun) or
//! a run of months ("2019", "last year", "summer 2021", "last summer"). Relative dates are read
//! against `today`, a month the caller passes in (the browser's clock, the server's), so that
//! parsing reads no clock and stays testable.
//!
//! Seasons are the meteorological ones of the northern hemisphere, three months each: spring
//! March to May, summer June to August, autumn September to November, winter December to
//! February. A season "of" a year is the one that starts in it: "winter 2021" is December 2021
//! to February 2022. "Last summer" is the latest summer that has ended: in July 2025 it is
//! summer 2024, in October 2025 summer 2025. "This summer" is the one under way, else the one
//! of this year.

use super::{Intent, TagVocabulary, Words};
use crate::Month;

/// One language's words for dates. Written as the parser sees transcripts: lower case, without
/// articles or filler.
pub struct DateWords {
    /// The months, January first, each with the spellings a recogniser writes ("sept").
    pub months: [&'static [&'static str]; 12],
    /// Seasons and the month each starts in: `("summer", 6)`.
    pub seasons: &'static [(&'static str, u8)],
    /// "*last* summer", "*previous* month": the latest one that has ended.
    pub last: &'static [&'static str],
    /// "*this* summer", "*current* month": the one under way.
    pub this: &'static [&'static str],
    /// The word for a month, after `last` or `this`.
    pub month_words: &'static [&'static str],
    /// The word for a year, after `last` or `this`, or before a year ("the year 2019").
    pub year_words: &'static [&'static str],
    /// Between a month or season and its year: "summer *of* 2021".
    pub year_connectors: &'static [&'static str],
    /// Between a day and its month: "5th *of* May 2019".
    pub day_connectors: &'static [&'static str],
    /// Suffixes of ordinal days written as digits: "5*th*".
    pub ordinal_suffixes: &'static [&'static str],
    /// Verbs (with their particles) that move to a date: "go to", "jump to".
    pub go_verbs: &'static [&'static str],
    /// Verbs that show a date, or a tag of the same name: "show me", "find".
    pub show_verbs: &'static [&'static str],
    /// Between the photos and their date: "photos *from* May 2019", "*taken in*".
    pub connectors: &'static [&'static str],
}

/// One language's date phrases, prepared for parsing.
pub(super) struct DatePhrases {
    /// Verbs that move to a date or show one, each longest first.
    go_verbs: Vec<Vec<String>>,
    show_verbs: Vec<Vec<String>>,
    /// Longest first.
    connectors: Vec<Vec<String>>,
}

/// A date as heard, and whether it could only be one (a year, "last", "this"). A lone month or
/// season name is a date only when asked for: "go to May", "photos from spring", or "show me
/// August" unless a tag has that name ("show me spring" may mean the geysers).
struct Heard {
    intent: Intent,
    certain: bool,
}

impl DatePhrases {
    pub(super) fn new(words: &DateWords) -> DatePhrases {
        let prepare =
            |phrases: &[&str]| super::sorted_longest_first(phrases.iter().map(|p| split(p)));
        DatePhrases {
            go_verbs: prepare(words.go_verbs),
            show_verbs: prepare(words.show_verbs),
            connectors: prepare(words.connectors),
        }
    }

    /// The timeline intent of cleaned words (articles dropped), if they ask for a date:
    /// `[verb] [photos] [connector] date [photos]`.
    pub(super) fn parse(
        &self,
        tokens: &[String],
        words: &Words,
        vocabulary: Option<&TagVocabulary>,
        today: Month,
    ) -> Option<Intent> {
        let is_media = |t: &str| words.media_nouns.contains(&t) || words.quantifiers.contains(&t);
        let mut rest = tokens;
        // Moving or "from": a date whatever it names; only shown: perhaps a tag.
        let (mut moved, mut asked) = (false, false);
        if let Some(verb) = self.go_verbs.iter().find(|v| rest.starts_with(v)) {
            rest = &rest[verb.len()..];
            moved = true;
        } else if let Some(verb) = self.show_verbs.iter().find(|v| rest.starts_with(v)) {
            rest = &rest[verb.len()..];
            asked = true;
        }
        while let Some((first, after)) = rest.split_first() {
            if !is_media(first) {
                break;
            }
            rest = after;
            asked = true;
        }
        if let Some(connector) = self.connectors.iter().find(|c| rest.starts_with(c)) {
            rest = &rest[connector.len()..];
            moved = true;
        }
        // "May 2019 photos".
        while let Some((last, before)) = rest.split_last() {
            if !is_media(last) {
                break;
            }
            rest = before;
            asked = true;
        }
        let heard = date(rest, words.dates, today)?;
        let a_tag = || vocabulary.is_some_and(|v| v.contains(&rest.join(" ")));
        (heard.certain || moved || (asked && !a_tag())).then_some(heard.intent)
    }
}

/// A whole date expression, or nothing.
fn date(tokens: &[String], words: &DateWords, today: Month) -> Option<Heard> {
    let is = |list: &[&str], t: &String| list.contains(&t.as_str());
    match tokens {
        [] => None,
        // "last month", "this year", "last summer", "last May".
        [which, what] if is(words.last, which) || is(words.this, which) => {
            let last = is(words.last, which);
            let intent = if is(words.month_words, what) {
                span_intent(index(today) - i64::from(last), 1)?
            } else if is(words.year_words, what) {
                let year = today.year() - i32::from(last);
                span_intent(index(Month::new(year, 1)?), 12)?
            } else {
                let (start, len) = recurring(what, words)?;
                let span = if last {
                    latest_ended(start, len, today)
                } else {
                    under_way(start, len, today).unwrap_or(in_year(start, today.year()))
                };
                span_intent(span, len)?
            };
            Some(Heard {
                intent,
                certain: true,
            })
        }
        // "May", "summer", "2019".
        [one] => match recurring(one, words) {
            Some((start, len)) => Some(Heard {
                intent: span_intent(latest_begun(start, len, today), len)?,
                certain: false,
            }),
            None => whole_year(one, false),
        },
        [word, year] if is(words.year_words, word) => whole_year(year, true),
        // "5th of May 2019": the day is more than the timeline needs.
        [day, rest @ ..] if is_day(day, words) => {
            let rest = match rest.split_first() {
                Some((connector, after)) if is(words.day_connectors, connector) => after,
                _ => rest,
            };
            named_with_year(rest, words, today)
                .filter(|_| rest.first().is_some_and(|t| month_of(t, words).is_some()))
        }
        _ => named_with_year(tokens, words, today),
    }
}

/// "May 2019", "May 5 2019", "summer of 2021"; "May 19" is a day of the latest May.
fn named_with_year(tokens: &[String], words: &DateWords, today: Month) -> Option<Heard> {
    let (name, rest) = tokens.split_first()?;
    let (start, len) = recurring(name, words)?;
    let rest = match rest {
        [day] if len == 1 && is_day(day, words) => {
            return Some(Heard {
                intent: span_intent(latest_begun(start, len, today), len)?,
                certain: true,
            });
        }
        [day, after @ ..] if len == 1 && is_day(day, words) => after,
        _ => rest,
    };
    let rest = match rest {
        [connector, after @ ..] if words.year_connectors.contains(&connector.as_str()) => after,
        _ => rest,
    };
    let [year] = rest else {
        return None;
    };
    let span = index(Month::new(year_number(year)?, start)?);
    Some(Heard {
        intent: span_intent(span, len)?,
        certain: true,
    })
}

fn whole_year(year: &str, certain: bool) -> Option<Heard> {
    let first = Month::new(year_number(year)?, 1)?;
    Some(Heard {
        intent: span_intent(index(first), 12)?,
        certain,
    })
}

/// A year as recognisers write it: four digits.
fn year_number(word: &str) -> Option<i32> {
    if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok()
    } else {
        None
    }
}

/// A day of the month: "5", "5th", "21st".
fn is_day(word: &str, words: &DateWords) -> bool {
    let digits = words
        .ordinal_suffixes
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    !digits.is_empty()
        && digits.len() <= 2
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits
            .parse::<u8>()
            .is_ok_and(|day| (1..=31).contains(&day))
}

/// A month (1 to 12) by its name.
fn month_of(word: &str, words: &DateWords) -> Option<u8> {
    let at = words
        .months
        .iter()
        .position(|names| names.contains(&word))?;
    u8::try_from(at + 1).ok()
}

/// A month or a season by name, as the month it starts in and its length in months.
fn recurring(word: &str, words: &DateWords) -> Option<(u8, i64)> {
    if let Some(month) = month_of(word, words) {
        return Some((month, 1));
    }
    let (_, start) = words.seasons.iter().find(|(name, _)| *name == word)?;
    Some((*start, 3))
}

/// Months counted from year 0, so that spans can be compared and moved by months.
fn index(month: Month) -> i64 {
    i64::from(month.year()) * 12 + i64::from(month.month()) - 1
}

fn from_index(index: i64) -> Option<Month> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    Month::new(year, u8::try_from(index.rem_euclid(12) + 1).ok()?)
}

/// The first month (as an index) of the span starting in month `start` of `year`.
fn in_year(start: u8, year: i32) -> i64 {
    i64::from(year) * 12 + i64::from(start) - 1
}

/// The span starting in month `start`, `len` months long, that holds today.
fn under_way(start: u8, len: i64, today: Month) -> Option<i64> {
    let now = index(today);
    [today.year(), today.year() - 1]
        .into_iter()
        .map(|year| in_year(start, year))
        .find(|first| (*first..first + len).contains(&now))
}

/// The latest span starting in month `start`, `len` months long, that ended before today.
fn latest_ended(start: u8, len: i64, today: Month) -> i64 {
    let mut first = in_year(start, today.year());
    while first + len > index(today) {
        first -= 12;
    }
    first
}

/// The span under way, else the latest that has ended: "May", "summer".
fn latest_begun(start: u8, len: i64, today: Month) -> i64 {
    under_way(start, len, today).unwrap_or_else(|| latest_ended(start, len, today))
}

/// One month, or a run of them, as an intent.
fn span_intent(first: i64, len: i64) -> Option<Intent> {
    let from = from_index(first)?;
    if len == 1 {
        return Some(Intent::GoToMonth {
            month: from.to_string(),
        });
    }
    Some(Intent::GoToPeriod {
        from: from.to_string(),
        to: from_index(first + len - 1)?.to_string(),
    })
}

fn split(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(str::to_owned).collect()
}

/// The month of `months` (any order) closest to `wanted`, the older one on a tie: where a
/// timeline goes for a month it has no photos of.
pub fn nearest_month(months: &[Month], wanted: Month) -> Option<Month> {
    months
        .iter()
        .copied()
        .min_by_key(|month| ((index(*month) - index(wanted)).abs(), *month > wanted))
}

/// The newest of `months` from `from` to `to`, both included.
pub fn newest_between(months: &[Month], from: Month, to: Month) -> Option<Month> {
    months
        .iter()
        .copied()
        .filter(|month| (from..=to).contains(month))
        .max()
}
