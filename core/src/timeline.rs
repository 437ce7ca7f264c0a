//! Where a photo sits on the timeline: its month and its place within it.
//!
//! The timeline orders photos by when they were taken: the camera's wall-clock time from EXIF
//! (`taken_at`, no time zone), or the upload time in UTC for photos without one. Both are
//! turned into one number, the *timeline key*: seconds since 1970-01-01T00:00:00 of that
//! wall-clock time read as if it were UTC. The key sorts like the dates, its month is the
//! photo's section, and every storage computes it with the same function, so they agree on
//! every photo's month to the second.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which date the timeline follows. Each order gives a photo a key (see [`TimelineOrder::key`])
/// that sorts the listing and falls in exactly one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimelineOrder {
    /// By date taken (EXIF), falling back to the upload time.
    #[default]
    Taken,
    /// By upload time: what was just added comes first.
    Uploaded,
}

impl TimelineOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineOrder::Taken => "taken",
            TimelineOrder::Uploaded => "uploaded",
        }
    }

    pub fn parse(raw: &str) -> Option<TimelineOrder> {
        [TimelineOrder::Taken, TimelineOrder::Uploaded]
            .into_iter()
            .find(|order| order.as_str() == raw)
    }

    /// The photo's sort key in this order: the timeline key (seconds) for `Taken`, the upload
    /// time in milliseconds for `Uploaded`. Photos are listed by key, then id, descending.
    pub fn key(self, taken_at: Option<&str>, created_at_ms: i64) -> i64 {
        match self {
            TimelineOrder::Taken => timeline_key(taken_at, created_at_ms),
            TimelineOrder::Uploaded => created_at_ms,
        }
    }

    /// The month a key of this order falls in.
    pub fn month_of(self, key: i64) -> Month {
        match self {
            TimelineOrder::Taken => Month::of_key(key),
            TimelineOrder::Uploaded => Month::of_key(key.div_euclid(1000)),
        }
    }

    /// The keys of this order that fall in `month`.
    pub fn bounds(self, month: Month) -> std::ops::Range<i64> {
        match self {
            TimelineOrder::Taken => month.start()..month.end(),
            TimelineOrder::Uploaded => month.start() * 1000..month.end() * 1000,
        }
    }
}

/// A month of the timeline, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1 to 12.
    month: u8,
}

impl Month {
    /// Years 1 to 9999, the range EXIF dates and RFC 3339 share.
    pub fn new(year: i32, month: u8) -> Option<Month> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// Only the exact form `Display` writes: `2025-05`, not `2025-5` or `+2025-05`.
    pub fn parse(raw: &str) -> Option<Month> {
        let (year, month) = raw.split_once('-')?;
        if year.len() != 4
            || month.len() != 2
            || !(year.bytes().chain(month.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    /// The month a timeline key falls in; keys beyond years 1 to 9999 are clamped to them.
    pub fn of_key(key: i64) -> Month {
        let (first, last) = (Month::FIRST.start(), Month::LAST.end() - 1);
        let (year, month, _) = civil_from_days(key.clamp(first, last).div_euclid(SECONDS_PER_DAY));
        Month {
            year: year as i32,
            month: month as u8,
        }
    }

    pub const FIRST: Month = Month { year: 1, month: 1 };
    pub const LAST: Month = Month {
        year: 9999,
        month: 12,
    };

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// The first key of the month.
    pub fn start(self) -> i64 {
        days_from_civil(i64::from(self.year), i64::from(self.month), 1) * SECONDS_PER_DAY
    }

    /// The first key after the month.
    pub fn end(self) -> i64 {
        let (year, month) = if self.month == 12 {
            (i64::from(self.year) + 1, 1)
        } else {
            (i64::from(self.year), i64::from(self.month) + 1)
        };
        days_from_civil(year, month, 1) * SECONDS_PER_DAY
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAY_NAMES: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

impl Month {
    /// "May 2025", as the timeline's headings say it.
    pub fn heading(self) -> String {
        format!("{} {}", MONTH_NAMES[usize::from(self.month - 1)], self.year)
    }
}

/// The day of a timeline key, counted from 1970-01-01 (negative before).
pub fn day_of_key(key: i64) -> i64 {
    key.div_euclid(SECONDS_PER_DAY)
}

/// "Saturday, 17 May 2025": the heading of a day counted from 1970-01-01.
pub fn day_heading(day: i64) -> String {
    let (year, month, date) = civil_from_days(day);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAY_NAMES[day.rem_euclid(7) as usize];
    let month_name = MONTH_NAMES[(month - 1).clamp(0, 11) as usize];
    format!("{weekday}, {date} {month_name} {year}")
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// A photo's timeline key: its `taken_at` if that is a date-time this module can read, else its
/// upload time (`created_at_ms`, UTC).
pub fn timeline_key(taken_at: Option<&str>, created_at_ms: i64) -> i64 {
    taken_at
        .and_then(key_of_taken_at)
        .unwrap_or_else(|| created_at_ms.div_euclid(1000))
}

/// Milliseconds since 1970 of a `created_at` as the API writes it
/// (`2026-11-26T15:04:05.123Z`); `None` for anything else.
pub fn millis_of_created_at(raw: &str) -> Option<i64> {
    let bytes = raw.as_bytes();
    if bytes.len() != 24 || bytes[19] != b'.' || bytes[23] != b'Z' {
        return None;
    }
    let millis: i64 = raw.get(20..23)?.parse().ok()?;
    Some(key_of_taken_at(raw.get(..19)?)? * 1000 + millis)
}

/// A photo's key in `order`, from the photo as the API shows it.
pub fn key_of_photo(order: TimelineOrder, photo: &crate::Photo) -> i64 {
    let created_at_ms = millis_of_created_at(&photo.created_at).unwrap_or(0);
    order.key(photo.taken_at.as_deref(), created_at_ms)
}

/// `YYYY-MM-DDTHH:MM:SS` as the gallery stores EXIF dates. A day past the end of its month
/// (cameras write `02-31`) is moved back to the month's last day, so the photo keeps its month.
pub fn key_of_taken_at(raw: &str) -> Option<i64> {
    let bytes = raw.as_bytes();
    let shape_ok = bytes.len() == 19
        && bytes.iter().enumerate().all(|(at, b)| match at {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let number = |from: usize, to: usize| raw[from..to].parse::<i64>().ok();
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    let valid = (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    let day = day.min(days_in_month(year, month));
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01: `(year, month, day)`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_at_keys_match_known_instants() {
        // Expected values computed independently (Python's calendar.timegm).
        for (raw, expected) in [
            ("1970-01-01T00:00:00", 0),
            ("2025-05-17T14:03:59", 1_747_490_639),
            ("2000-02-29T23:59:59", 951_868_799),
            ("1969-12-31T23:59:59", -1),
            ("0001-01-01T00:00:00", -62_135_596_800),
            ("9999-12-31T23:59:59", 253_402_300_799),
        ] {
            assert_eq!(key_of_taken_at(raw), Some(expected), "{raw}");
        }
    }

    #[test]
    fn impossible_days_keep_their_month() {
        assert_eq!(
            key_of_taken_at("2023-02-31T12:00:00"),
            key_of_taken_at("2023-02-28T12:00:00")
        );
        assert_eq!(
            Month::of_key(key_of_taken_at("2024-02-30T00:00:00").unwrap()),
            Month::new(2024, 2).unwrap()
        );
    }

    #[test]
    fn unreadable_dates_fall_back_to_the_upload_time() {
        for raw in [
            "",
            "2025-05-17",
            "2025-05-17 14:03:59",
            "2025-13-01T00:00:00",
            "2025-00-10T00:00:00",
            "0000-01-01T00:00:00",
            "2025-05-17T24:00:00",
            "2025-05-17T14:03:60",
            "2025-05-17T14:03:5x",
            "+025-05-17T14:03:59",
        ] {
            assert_eq!(key_of_taken_at(raw), None, "{raw:?}");
            assert_eq!(timeline_key(Some(raw), 1_500), 1, "{raw:?}");
        }
        assert_eq!(timeline_key(None, -1), -1, "rounds down before 1970");
    }

    #[test]
    fn months_have_exact_bounds() {
        let may = Month::parse("2025-05").unwrap();
        assert_eq!(may.start(), key_of_taken_at("2025-05-01T00:00:00").unwrap());
        assert_eq!(may.end(), key_of_taken_at("2025-06-01T00:00:00").unwrap());
        let december = Month::parse("1999-12").unwrap();
        assert_eq!(
            december.end(),
            key_of_taken_at("2000-01-01T00:00:00").unwrap()
        );
        assert_eq!(Month::of_key(may.start()), may);
        assert_eq!(Month::of_key(may.end() - 1), may);
        assert_eq!(Month::of_key(may.end()).to_string(), "2025-06");
        assert_eq!(Month::of_key(i64::MIN), Month::FIRST);
        assert_eq!(Month::of_key(i64::MAX), Month::LAST);
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let first = days_from_civil(1800, 1, 1);
        let mut expected = (1800, 1, 1);
        for days in first..first + 400 * 366 {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn months_parse_only_their_canonical_form() {
        assert_eq!(
            Month::parse("2025-05").map(|m| m.to_string()).as_deref(),
            Some("2025-05")
        );
        for bad in [
            "2025-5",
            "25-05",
            "2025-13",
            "2025-00",
            "0000-01",
            "+025-05",
            "2025-05-01",
            "",
            "2025_05",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn created_at_reads_back_to_its_milliseconds() {
        assert_eq!(
            millis_of_created_at("2026-11-26T15:04:05.123Z"),
            Some(1_795_705_445_123)
        );
        assert_eq!(millis_of_created_at("1969-12-31T23:59:59.999Z"), Some(-1));
        for bad in [
            "2026-11-26T15:04:05Z",
            "2026-11-26T15:04:05.123",
            "2026-11-26T15:04:05.12xZ",
            "",
        ] {
            assert_eq!(millis_of_created_at(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn headings_name_the_day_and_the_month() {
        let key = key_of_taken_at("2025-05-17T14:03:59").unwrap();
        assert_eq!(day_heading(day_of_key(key)), "Saturday, 17 May 2025");
        assert_eq!(day_heading(day_of_key(-1)), "Wednesday, 31 December 1969");
        assert_eq!(
            day_heading(days_from_civil(2000, 2, 29)),
            "Tuesday, 29 February 2000"
        );
        assert_eq!(Month::parse("2019-05").unwrap().heading(), "May 2019");
        assert_eq!(Month::of_key(key).heading(), "May 2025");
    }

    #[test]
    fn orders_parse_and_key_photos() {
        assert_eq!(TimelineOrder::parse("taken"), Some(TimelineOrder::Taken));
        assert_eq!(
            TimelineOrder::parse("uploaded"),
            Some(TimelineOrder::Uploaded)
        );
        assert_eq!(TimelineOrder::parse("Taken"), None);
        let taken = Some("2019-05-04T10:00:00");
        assert_eq!(
            TimelineOrder::Taken.key(taken, 1_700_000_000_123),
            key_of_taken_at("2019-05-04T10:00:00").unwrap()
        );
        assert_eq!(
            TimelineOrder::Uploaded.key(taken, 1_700_000_000_123),
            1_700_000_000_123
        );
        let november = Month::parse("2023-11").unwrap();
        for order in [TimelineOrder::Taken, TimelineOrder::Uploaded] {
            let bounds = order.bounds(november);
            assert_eq!(order.month_of(bounds.start), november, "{order:?}");
            assert_eq!(order.month_of(bounds.end - 1), november, "{order:?}");
            assert_ne!(order.month_of(bounds.end), november, "{order:?}");
        }
        assert_eq!(
            TimelineOrder::Uploaded.month_of(-1).to_string(),
            "1969-12",
            "a millisecond before 1970"
        );
    }
}
