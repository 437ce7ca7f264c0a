//! Dates on the timeline: what people say to move it, read against a fixed today, and what
//! must stay a tag request or a command.

use super::tests::assert_every_parse;
use super::*;

/// The today the tables are read against: July 2025, in the middle of a summer.
pub(super) fn today() -> Month {
    month("2025-07")
}

fn month(raw: &str) -> Month {
    Month::parse(raw).expect("a month written YYYY-MM")
}

fn go_to(month: &str) -> Intent {
    Intent::GoToMonth {
        month: month.to_owned(),
    }
}

fn period(from: &str, to: &str) -> Intent {
    Intent::GoToPeriod {
        from: from.to_owned(),
        to: to.to_owned(),
    }
}

fn tag(tag: &str) -> Intent {
    Intent::ShowTag {
        tag: tag.to_owned(),
    }
}

/// Utterance and intent on [`today`], parsed with a small vocabulary.
fn table() -> Vec<(&'static str, Intent)> {
    use Intent as I;
    vec![
        // A month and its year.
        ("go to May 2019", go_to("2019-05")),
        ("Go to May 2019.", go_to("2019-05")),
        ("jump to may 2019", go_to("2019-05")),
        ("show photos from May 2019", go_to("2019-05")),
        ("show me the photos from May 2019 please", go_to("2019-05")),
        ("show May 2019", go_to("2019-05")),
        ("May 2019", go_to("2019-05")),
        ("photos from May 2019", go_to("2019-05")),
        ("pictures taken in May 2019", go_to("2019-05")),
        ("May 2019 photos", go_to("2019-05")),
        ("show me May of 2019", go_to("2019-05")),
        ("go to May 5th 2019", go_to("2019-05")),
        ("go to the 5th of May 2019", go_to("2019-05")),
        ("take me to September 2001", go_to("2001-09")),
        ("go back to sept 2001", go_to("2001-09")),
        ("um, can you go to December 1999 for me", go_to("1999-12")),
        ("scroll to January 2024", go_to("2024-01")),
        // A month without its year: the latest that has begun.
        ("go to May", go_to("2025-05")),
        ("show photos from July", go_to("2025-07")),
        ("show me August", go_to("2024-08")),
        ("last May", go_to("2025-05")),
        ("photos from last July", go_to("2024-07")),
        ("this August", go_to("2025-08")),
        // Months and years about today.
        ("last month", go_to("2025-06")),
        ("show me photos from last month", go_to("2025-06")),
        ("go to the previous month", go_to("2025-06")),
        ("this month", go_to("2025-07")),
        ("photos from this month", go_to("2025-07")),
        ("last year", period("2024-01", "2024-12")),
        ("show photos from this year", period("2025-01", "2025-12")),
        ("show photos from 2019", period("2019-01", "2019-12")),
        ("go to 2019", period("2019-01", "2019-12")),
        ("the year 2019", period("2019-01", "2019-12")),
        // Seasons: in July 2025, last summer is 2024's.
        ("show photos from last summer", period("2024-06", "2024-08")),
        ("go to last summer", period("2024-06", "2024-08")),
        ("last summer", period("2024-06", "2024-08")),
        ("photos from summer 2021", period("2021-06", "2021-08")),
        ("show me the summer of 2021", period("2021-06", "2021-08")),
        ("this summer", period("2025-06", "2025-08")),
        ("show summer", period("2025-06", "2025-08")),
        ("pictures from last spring", period("2025-03", "2025-05")),
        ("photos from spring", period("2025-03", "2025-05")),
        ("go to spring", period("2025-03", "2025-05")),
        ("spring 2024 photos", period("2024-03", "2024-05")),
        ("last autumn", period("2024-09", "2024-11")),
        ("photos from fall 2020", period("2020-09", "2020-11")),
        ("last winter", period("2024-12", "2025-02")),
        ("winter 2021", period("2021-12", "2022-02")),
        // The top of the timeline.
        ("go to the top", I::GoToTop),
        ("back to the top", I::GoToTop),
        ("scroll to the top", I::GoToTop),
        ("scroll all the way up", I::GoToTop),
        ("newest photos", I::GoToTop),
        ("show me the newest photos", I::GoToTop),
        ("the latest pictures", I::GoToTop),
        ("most recent", I::GoToTop),
        ("top", I::GoToTop),
        ("go back to the top please", I::GoToTop),
        // Not dates: tags, commands and albums as before.
        ("show me dog photos", tag("dog")),
        ("show me the beach", tag("beach")),
        // A tag of a season's name: shown as a tag unless a date is clearly meant (above).
        ("show me spring", tag("spring")),
        ("spring photos", tag("spring")),
        ("photos of cars", tag("car")),
        ("last", I::Last),
        ("the last photo", I::Last),
        ("go to the last one", I::Last),
        ("first", I::First),
        ("go to the beginning", I::First),
        ("go back", I::Previous),
        ("show all photos", I::ShowAll),
        ("show me photos", I::ShowAll),
        (
            "go to the album summer 2024",
            Intent::ShowAlbum {
                album: "summer 2024".to_owned(),
            },
        ),
        (
            "show the photos from my summer 2021 album",
            Intent::ShowAlbum {
                album: "summer 2021".to_owned(),
            },
        ),
        // A lone month or year is not asked for; nor is a date that does not exist.
        ("may", I::None),
        ("2019", I::None),
        ("summer", I::None),
        ("go to May 19", go_to("2025-05")),
        ("show me May 19th", go_to("2025-05")),
        ("go to Mayday 2019", tag("mayday 2019")),
        (
            "show photos from May 2019 and June",
            tag("from may 2019 and june"),
        ),
        ("last Tuesday", I::None),
    ]
}

#[test]
fn every_date_utterance_means_its_intent() {
    let vocabulary = TagVocabulary::new(["dog", "car", "beach", "spring"]);
    let table = table();
    assert_every_parse(&table, &vocabulary);
}

#[test]
fn last_summer_is_the_latest_summer_that_has_ended() {
    let last_summer = |today: &str| parse("last summer", Language::English, None, month(today));
    // During a summer, the one before.
    assert_eq!(last_summer("2025-06"), period("2024-06", "2024-08"));
    assert_eq!(last_summer("2025-08"), period("2024-06", "2024-08"));
    // After it, this year's.
    assert_eq!(last_summer("2025-09"), period("2025-06", "2025-08"));
    assert_eq!(last_summer("2025-12"), period("2025-06", "2025-08"));
    // Before it, last year's.
    assert_eq!(last_summer("2025-01"), period("2024-06", "2024-08"));
    assert_eq!(last_summer("2025-05"), period("2024-06", "2024-08"));
}

#[test]
fn winters_cross_the_new_year() {
    let said = |text: &str, today: &str| parse(text, Language::English, None, month(today));
    // In January, this winter began last December; last winter the December before.
    assert_eq!(said("this winter", "2025-01"), period("2024-12", "2025-02"));
    assert_eq!(said("last winter", "2025-01"), period("2023-12", "2024-02"));
    assert_eq!(said("last winter", "2025-03"), period("2024-12", "2025-02"));
    assert_eq!(said("last month", "2025-01"), go_to("2024-12"));
    assert_eq!(said("last year", "2025-01"), period("2024-01", "2024-12"));
}

#[test]
fn relative_dates_before_the_first_year_mean_nothing() {
    let first = Month::FIRST;
    assert_eq!(
        parse("last month", Language::English, None, first),
        Intent::None
    );
    assert_eq!(
        parse("last year", Language::English, None, first),
        Intent::None
    );
    // Year 0 is no month of the timeline: what is left is a tag request as heard.
    assert_eq!(
        parse("go to May 0000", Language::English, None, first),
        tag("may 0000")
    );
}

#[test]
fn timeline_intents_serialise_with_their_months() {
    let json = |intent: &Intent| serde_json::to_string(intent).expect("JSON");
    assert_eq!(
        json(&go_to("2019-05")),
        r#"{"intent":"go_to_month","month":"2019-05"}"#
    );
    assert_eq!(json(&Intent::GoToTop), r#"{"intent":"go_to_top"}"#);
    assert_eq!(
        json(&period("2021-06", "2021-08")),
        r#"{"intent":"go_to_period","from":"2021-06","to":"2021-08"}"#
    );
    let back: Intent =
        serde_json::from_str(r#"{"intent":"go_to_period","from":"2019-01","to":"2019-12"}"#)
            .expect("an intent");
    assert_eq!(back, period("2019-01", "2019-12"));
}

#[test]
fn a_missing_month_goes_to_the_nearest_the_older_on_a_tie() {
    let months = [
        month("2025-07"),
        month("2019-06"),
        month("2019-04"),
        month("2010-01"),
    ];
    assert_eq!(
        nearest_month(&months, month("2019-06")),
        Some(month("2019-06"))
    );
    assert_eq!(
        nearest_month(&months, month("2019-05")),
        Some(month("2019-04"))
    );
    assert_eq!(
        nearest_month(&months, month("2030-01")),
        Some(month("2025-07"))
    );
    assert_eq!(
        nearest_month(&months, month("1999-01")),
        Some(month("2010-01"))
    );
    assert_eq!(nearest_month(&[], month("2019-05")), None);
}

#[test]
fn a_period_goes_to_its_newest_month_with_photos() {
    let months = [month("2025-07"), month("2021-07"), month("2021-06")];
    assert_eq!(
        newest_between(&months, month("2021-06"), month("2021-08")),
        Some(month("2021-07"))
    );
    assert_eq!(
        newest_between(&months, month("2024-06"), month("2024-08")),
        None
    );
}
