//! A month laid out: its photos by day, each day a heading and justified rows, cut into blocks
//! of about a screen that the page shows or replaces by a spacer of the same height, so that
//! only what is near the viewport is in the DOM.
//!
//! Heights come from the layout itself (the rows' heights and fixed heading heights, as the
//! CSS sets them), not from measuring the page, so a spacer is as tall as what it stands for.

use crate::components::grid::RenderedRow;
use gaillery_core::layout::{justify, LayoutConfig};
use gaillery_core::timeline::{day_heading, day_of_key, key_of_photo};
use gaillery_core::{Photo, TimelineOrder};

/// The month heading's height with its margins, as `.month-heading` in the CSS.
pub const MONTH_HEADING_PX: f64 = 56.0;
/// A day heading's height with its margins, as `.day-heading` in the CSS.
pub const DAY_HEADING_PX: f64 = 36.0;
/// About the height of a block: one blocks' worth is what a spacer replaces at once.
const BLOCK_PX: f64 = 1200.0;
/// The aspect ratio assumed for photos not loaded yet (most cameras: 4:3, some 3:2).
const TYPICAL_RATIO: f64 = 1.4;
/// How many photos a day holds, on average, for the estimate of day headings (each day also
/// ends in a row that is not full, counted as half a row).
const TYPICAL_DAY: f64 = 10.0;

/// One line of a month: a day's heading or a row of photos.
#[derive(Clone, PartialEq)]
pub enum Line {
    Day { day: i64, heading: String },
    Row(RenderedRow),
}

impl Line {
    fn height(&self, spacing: f64) -> f64 {
        match self {
            Line::Day { .. } => DAY_HEADING_PX,
            Line::Row(row) => row.height + spacing,
        }
    }
}

/// Consecutive lines of a month, shown or spaced out together.
#[derive(Clone, PartialEq)]
pub struct Block {
    /// Unique in the month, stable while its first line is.
    pub key: String,
    pub height: f64,
    pub lines: Vec<Line>,
}

/// The month's photos (newest first) laid out for `config`, cut into blocks.
pub fn month_blocks(photos: &[Photo], order: TimelineOrder, config: &LayoutConfig) -> Vec<Block> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < photos.len() {
        let day = day_of(&photos[start], order);
        let end = start
            + photos[start..]
                .iter()
                .take_while(|photo| day_of(photo, order) == day)
                .count();
        let day_photos = &photos[start..end];
        lines.push(Line::Day {
            day,
            heading: day_heading(day),
        });
        let ratios: Vec<f64> = day_photos.iter().map(Photo::aspect_ratio).collect();
        for row in justify(&ratios, config) {
            lines.push(Line::Row(RenderedRow::new(&row, day_photos, config)));
        }
        start = end;
    }
    cut_into_blocks(lines, config.spacing)
}

fn day_of(photo: &Photo, order: TimelineOrder) -> i64 {
    let key = key_of_photo(order, photo);
    match order {
        TimelineOrder::Taken => day_of_key(key),
        TimelineOrder::Uploaded => day_of_key(key.div_euclid(1000)),
    }
}

fn cut_into_blocks(lines: Vec<Line>, spacing: f64) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    for line in lines {
        let height = line.height(spacing);
        let block = current.get_or_insert_with(|| Block {
            key: match &line {
                Line::Day { day, .. } => format!("d{day}"),
                Line::Row(row) => format!("r{}", row.first_id()),
            },
            height: 0.0,
            lines: Vec::new(),
        });
        block.height += height;
        block.lines.push(line);
        if block.height >= BLOCK_PX {
            blocks.extend(current.take());
        }
    }
    blocks.extend(current);
    blocks
}

/// The height of a month of `count` photos not laid out yet, heading included.
pub fn estimated_height(count: u64, config: &LayoutConfig) -> f64 {
    let count = count as f64;
    let per_row = (config.container_width / (config.target_row_height * TYPICAL_RATIO)).max(1.0);
    let days = (count / TYPICAL_DAY).ceil();
    let rows = (count / per_row).ceil() + days / 2.0;
    MONTH_HEADING_PX + rows * (config.target_row_height + config.spacing) + days * DAY_HEADING_PX
}

/// The tallest the timeline is drawn: about 60,000 photos at full height. Browsers stop laying
/// out at about 33.5 million pixels (Chrome, Safari) or 17.9 million (Firefox), which half a
/// million photos reach; the months near the viewport add to this at their full height.
pub const MAX_TIMELINE_PX: f64 = 4_000_000.0;

/// The share of their height that months far from the viewport are drawn at, so that the
/// timeline of months with these counts stays under [`MAX_TIMELINE_PX`]: 1 for all but the
/// largest libraries.
pub fn far_month_scale(counts: impl IntoIterator<Item = u64>, config: &LayoutConfig) -> f64 {
    let total: f64 = counts
        .into_iter()
        .map(|count| estimated_height(count, config))
        .sum();
    if total <= MAX_TIMELINE_PX {
        1.0
    } else {
        MAX_TIMELINE_PX / total
    }
}

/// The height of a laid-out month, heading included.
pub fn laid_out_height(blocks: &[Block]) -> f64 {
    MONTH_HEADING_PX + blocks.iter().map(|block| block.height).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty years of months holding `total` photos between them.
    fn months(total: u64) -> Vec<u64> {
        vec![total / 240; 240]
    }

    #[test]
    fn a_family_library_is_drawn_at_full_height() {
        for width in [390.0, 1440.0] {
            let config = LayoutConfig::for_width(width);
            assert_eq!(far_month_scale(months(30_000), &config), 1.0, "{width}");
        }
    }

    #[test]
    fn a_million_photos_stay_under_the_browsers_limit() {
        for width in [390.0, 1440.0, 2560.0] {
            let config = LayoutConfig::for_width(width);
            let counts = months(1_000_000);
            let full: f64 = counts.iter().map(|&c| estimated_height(c, &config)).sum();
            assert!(
                full > 33_554_428.0,
                "{width}: {full} px would not need scaling"
            );
            let scale = far_month_scale(counts.iter().copied(), &config);
            assert!(scale < 1.0 && scale > 0.0, "{width}: {scale}");
            // Every month far, but the three nearest at full height.
            let nearest = 3.0 * estimated_height(counts[0], &config);
            let drawn = full * scale + nearest;
            assert!(drawn < 8_000_000.0, "{width}: {drawn} px");
        }
    }
}
