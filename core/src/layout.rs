//! The justified layout: photos in rows of equal height that fill the width, in order, like
//! Flickr's justified-layout. The same function runs on the server (for the first render) and
//! in the browser (on resize and when more photos arrive).

/// What the layout must fit into.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutConfig {
    /// Width of the gallery in CSS pixels.
    pub container_width: f64,
    /// The height rows should have; actual rows come out a little taller or shorter.
    pub target_row_height: f64,
    /// Space between neighbouring photos, in CSS pixels.
    pub spacing: f64,
    /// A row is never taller than `target_row_height * max_row_height_ratio`, so one narrow
    /// photo alone on a row (or a few portraits on a wide screen) does not become huge.
    pub max_row_height_ratio: f64,
}

impl LayoutConfig {
    /// Sensible settings for a gallery of the given width: shorter rows on phones.
    pub fn for_width(container_width: f64) -> LayoutConfig {
        LayoutConfig {
            container_width: container_width.max(1.0),
            target_row_height: target_row_height_for(container_width),
            spacing: 4.0,
            max_row_height_ratio: 1.5,
        }
    }
}

/// Row height for a screen of this width: about three photos per row on a phone, and rows that
/// grow slowly with the width on larger screens.
pub fn target_row_height_for(container_width: f64) -> f64 {
    if container_width < 480.0 {
        120.0
    } else if container_width < 900.0 {
        170.0
    } else {
        220.0
    }
}

/// One photo placed in a row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tile {
    /// Index of the photo in the input.
    pub index: usize,
    pub width: f64,
    pub height: f64,
}

/// A row of photos of equal height.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub tiles: Vec<Tile>,
    pub height: f64,
    /// True when the row was stretched to fill the width; the last row usually is not.
    pub fills_width: bool,
}

impl Row {
    /// Width of the row's photos and the spaces between them.
    pub fn width(&self, spacing: f64) -> f64 {
        let photos: f64 = self.tiles.iter().map(|t| t.width).sum();
        photos + spacing * self.tiles.len().saturating_sub(1) as f64
    }
}

/// Rows are never squashed below this share of the target height to fit one more photo.
const MIN_ROW_HEIGHT_RATIO: f64 = 0.5;

/// Places photos, given by their aspect ratios (width / height), into justified rows.
///
/// Rows are filled greedily: a row takes photos while its height, when scaled to fill the width,
/// stays above the target; the photo that would push it below goes in only if that lands
/// closer to the target than leaving it for the next row. The last row keeps the target
/// height instead of being stretched.
pub fn justify(aspect_ratios: &[f64], config: &LayoutConfig) -> Vec<Row> {
    let width = config.container_width.max(1.0);
    let target = config.target_row_height.max(1.0);
    let max_height = target * config.max_row_height_ratio.max(1.0);
    let mut rows = Vec::new();
    let mut start = 0;

    while start < aspect_ratios.len() {
        let mut ratio_sum = 0.0;
        let mut end = start;
        let mut fills_width = false;
        while end < aspect_ratios.len() {
            let ratio = sanitize_ratio(aspect_ratios[end]);
            let height_with =
                fill_height(width, config.spacing, ratio_sum + ratio, end - start + 1);
            if height_with >= target {
                ratio_sum += ratio;
                end += 1;
                continue;
            }
            // Adding this photo makes the row shorter than the target: keep whichever choice
            // lands closer to it, but never squash a row below half the target (a panorama
            // then starts a row of its own). A row always takes at least one photo.
            let height_without = fill_height(width, config.spacing, ratio_sum, end - start);
            let closer = (target - height_with) < (height_without - target);
            if end == start || (closer && height_with >= target * MIN_ROW_HEIGHT_RATIO) {
                ratio_sum += ratio;
                end += 1;
            }
            fills_width = true;
            break;
        }

        let count = end - start;
        let height = if fills_width {
            fill_height(width, config.spacing, ratio_sum, count).min(max_height)
        } else {
            target.min(fill_height(width, config.spacing, ratio_sum, count))
        };
        let tiles = (start..end)
            .map(|index| {
                let ratio = sanitize_ratio(aspect_ratios[index]);
                Tile {
                    index,
                    width: ratio * height,
                    height,
                }
            })
            .collect();
        rows.push(Row {
            tiles,
            height,
            fills_width: fills_width && height < max_height,
        });
        start = end;
    }
    rows
}

/// The height at which `count` photos with these summed aspect ratios exactly fill the width.
fn fill_height(width: f64, spacing: f64, ratio_sum: f64, count: usize) -> f64 {
    if count == 0 || ratio_sum <= 0.0 {
        return f64::INFINITY;
    }
    let gaps = spacing * (count - 1) as f64;
    ((width - gaps).max(1.0)) / ratio_sum
}

/// Broken metadata must not break the page: unknown or absurd ratios are treated as square or
/// clamped to a panorama of 10:1.
fn sanitize_ratio(ratio: f64) -> f64 {
    if ratio.is_finite() && ratio > 0.0 {
        ratio.clamp(0.1, 10.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPSILON: f64 = 1e-6;

    fn config(width: f64) -> LayoutConfig {
        LayoutConfig {
            container_width: width,
            target_row_height: 200.0,
            spacing: 4.0,
            max_row_height_ratio: 1.5,
        }
    }

    /// A fixed but irregular mix of landscapes, portraits, squares and panoramas.
    fn mixed_ratios(count: usize) -> Vec<f64> {
        let shapes = [1.5, 0.667, 1.0, 1.333, 0.75, 3.2, 1.777, 0.5625, 2.0];
        (0..count)
            .map(|i| shapes[(i * 7 + i / 3) % shapes.len()])
            .collect()
    }

    #[test]
    fn every_photo_appears_once_in_order() {
        let ratios = mixed_ratios(97);
        let rows = justify(&ratios, &config(1200.0));
        let indices: Vec<usize> = rows
            .iter()
            .flat_map(|r| r.tiles.iter().map(|t| t.index))
            .collect();
        assert_eq!(indices, (0..97).collect::<Vec<_>>());
    }

    #[test]
    fn full_rows_fill_the_width_exactly() {
        for width in [320.0, 390.0, 768.0, 1200.0, 2560.0] {
            let rows = justify(&mixed_ratios(200), &config(width));
            for row in rows.iter().filter(|r| r.fills_width) {
                assert!(
                    (row.width(4.0) - width).abs() < EPSILON,
                    "width {width}: row of {}",
                    row.width(4.0)
                );
            }
        }
    }

    #[test]
    fn no_row_is_wider_than_the_container() {
        for width in [200.0, 320.0, 1200.0] {
            for row in justify(&mixed_ratios(200), &config(width)) {
                assert!(row.width(4.0) <= width + EPSILON);
            }
        }
    }

    #[test]
    fn photos_keep_their_aspect_ratio_and_rows_their_height() {
        let ratios = mixed_ratios(50);
        for row in justify(&ratios, &config(1000.0)) {
            for tile in &row.tiles {
                assert_eq!(tile.height, row.height);
                assert!((tile.width / tile.height - ratios[tile.index]).abs() < EPSILON);
            }
        }
    }

    #[test]
    fn row_heights_stay_near_the_target() {
        let rows = justify(&mixed_ratios(300), &config(1200.0));
        let (last, full) = rows.split_last().unwrap();
        for row in full {
            assert!(
                row.height > 200.0 * 0.5 && row.height <= 200.0 * 1.5,
                "height {}",
                row.height
            );
        }
        assert!(last.height <= 200.0 + EPSILON);
    }

    #[test]
    fn the_last_row_is_not_stretched() {
        // Two squares in a wide gallery: they keep the target height, left-aligned.
        let rows = justify(&[1.0, 1.0], &config(1200.0));
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].fills_width);
        assert_eq!(rows[0].height, 200.0);
        assert!(rows[0].width(4.0) < 1200.0);
    }

    #[test]
    fn a_lone_narrow_photo_is_capped_in_height() {
        let rows = justify(&[0.2], &config(1200.0));
        assert!(rows[0].height <= 200.0 * 1.5 + EPSILON);
    }

    #[test]
    fn a_panorama_wider_than_the_screen_gets_a_row_of_its_own() {
        let rows = justify(&[1.0, 10.0, 1.0], &config(390.0));
        let sizes: Vec<usize> = rows.iter().map(|r| r.tiles.len()).collect();
        assert!(rows.iter().all(|r| r.width(4.0) <= 390.0 + EPSILON));
        assert_eq!(sizes.iter().sum::<usize>(), 3);
        assert!(rows
            .iter()
            .any(|r| r.tiles.len() == 1 && r.tiles[0].index == 1));
    }

    #[test]
    fn broken_ratios_do_not_break_the_layout() {
        let rows = justify(&[f64::NAN, 0.0, -3.0, f64::INFINITY, 1.5], &config(800.0));
        let count: usize = rows.iter().map(|r| r.tiles.len()).sum();
        assert_eq!(count, 5);
        assert!(rows.iter().all(|r| r.height.is_finite() && r.height > 0.0));
    }

    #[test]
    fn empty_input_gives_no_rows() {
        assert!(justify(&[], &config(800.0)).is_empty());
    }

    #[test]
    fn phones_get_shorter_rows_than_desktops() {
        assert!(target_row_height_for(390.0) < target_row_height_for(1440.0));
    }
}
