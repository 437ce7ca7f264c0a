//! The justified grid: rows of equal height that fill the width, laid out by
//! `gaillery_core::layout::justify` on the server and again in the browser whenever the width
//! or the photos change.
//!
//! Tile widths are fractions of the row (`calc`), so the server's first render, made for a
//! guessed width, already fills whatever width the browser has; once hydrated, the grid measures
//! itself and lays out again with the real width (shorter rows on phones).

use crate::state::GalleryState;
use gaillery_core::layout::{justify, LayoutConfig, Row};
use gaillery_core::placeholder::average_color;
use gaillery_core::{Photo, PhotoStatus, Variant};
use leptos::prelude::*;

/// The width the server lays out for, before the browser measures the real one.
pub(crate) const SERVER_GUESS_WIDTH: f64 = 1200.0;

#[component]
pub fn JustifiedGrid(state: GalleryState) -> impl IntoView {
    let width = RwSignal::new(SERVER_GUESS_WIDTH);
    let container = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(element) = container.get() {
            crate::browser::observe_width(&element, move |measured| {
                if (measured - width.get_untracked()).abs() >= 1.0 {
                    width.set(measured);
                }
            });
        }
    });

    let rows = Memo::new(move |_| {
        let config = LayoutConfig::for_width(width.get());
        let ratios: Vec<f64> = state
            .photos
            .with(|photos| photos.iter().map(Photo::aspect_ratio).collect());
        let rows = justify(&ratios, &config);
        state.photos.with(|photos| {
            rows.into_iter()
                .map(|row| RenderedRow::new(&row, photos, &config))
                .collect::<Vec<_>>()
        })
    });

    view! {
        <section class="gallery" aria-label="Gallery" node_ref=container>
            <For each=move || rows.get() key=|row| row.key.clone() let:row>
                <GridRow state row/>
            </For>
        </section>
    }
}

/// A row ready to render, keyed by its photos and layout so unchanged rows are kept as they are.
#[derive(Clone, PartialEq)]
pub struct RenderedRow {
    pub key: String,
    pub fills_width: bool,
    /// Laid out for the width, in CSS pixels (the gaps not included).
    pub height: f64,
    pub tiles: Vec<RenderedTile>,
}

#[derive(Clone, PartialEq)]
pub struct RenderedTile {
    photo: Photo,
    /// `width` CSS of the tile, a share of the row after the gaps.
    width_css: String,
}

impl RenderedRow {
    pub fn new(row: &Row, photos: &[Photo], config: &LayoutConfig) -> RenderedRow {
        let gaps = config.spacing * row.tiles.len().saturating_sub(1) as f64;
        let available = (config.container_width - gaps).max(1.0);
        let tiles: Vec<RenderedTile> = row
            .tiles
            .iter()
            .filter_map(|tile| {
                let photo = photos.get(tile.index)?.clone();
                let share = tile.width / available;
                Some(RenderedTile {
                    photo,
                    width_css: format!("calc((100% - {gaps}px) * {share:.6})"),
                })
            })
            .collect();
        // The width is part of the key: tile widths are shares of the width laid out for, so a
        // row whose height is the same at another width (a last row at the target height)
        // must still be rendered again, or it keeps the old shares and the wrong height.
        let mut key = format!("{:.0}:{:.1}:", config.container_width, row.height);
        for tile in &tiles {
            key.push_str(tile.photo.id.as_str());
            key.push_str(tile.photo.status.as_str());
            key.push_str(&tile.photo.labels.len().to_string());
            key.push(',');
        }
        RenderedRow {
            key,
            fills_width: row.fills_width,
            height: row.height,
            tiles,
        }
    }

    /// The id of its first photo: names the row while its layout changes.
    pub fn first_id(&self) -> &str {
        self.tiles.first().map_or("", |tile| tile.photo.id.as_str())
    }
}

/// One row of tiles.
#[component]
pub fn GridRow(state: GalleryState, row: RenderedRow) -> impl IntoView {
    view! {
        <div class="row" class:row-partial=!row.fills_width>
            {row.tiles.into_iter().map(|tile| view! { <GridTile state tile/> }).collect_view()}
        </div>
    }
}

#[component]
fn GridTile(state: GalleryState, tile: RenderedTile) -> impl IntoView {
    let RenderedTile { photo, width_css } = tile;
    let id = photo.id.clone();
    let id_for_check = id.clone();
    let selected = Memo::new(move |_| state.selected.with(|s| s.contains(&id_for_check)));
    let toggle = {
        let id = id.clone();
        move |_| {
            state.selected.update(|s| {
                if !s.remove(&id) {
                    s.insert(id.clone());
                }
            })
        }
    };
    let background = average_color(&photo.placeholder).unwrap_or_else(|| "#2a2d35".to_owned());
    let style = format!(
        "width: {width_css}; aspect-ratio: {} / {}; background-color: {background}",
        photo.width.max(1),
        photo.height.max(1)
    );
    let srcset = format!(
        "{} 1x, {} 2x",
        state.image_url(&photo, Variant::Thumbnail),
        state.image_url(&photo, Variant::Thumbnail2x)
    );
    let status = photo.status;
    // The ThumbHash is drawn once the page is in the browser (it needs a canvas), a few tiles
    // per frame; until then, and on the server, the tile shows the hash's average colour.
    let painted = RwSignal::new(None::<String>);
    let image = NodeRef::<leptos::html::Img>::new();
    let hash = photo.placeholder.clone();
    Effect::new(move |_| crate::placeholders::paint_later(hash.clone(), painted, image));
    view! {
        <div class="tile" class:selected=move || selected.get() style=style>
            <a
                class="tile-link"
                id=format!("tile-{id}")
                href=state.page_url(Some(&id))
                // Opening a photo leaves the page where it was (the router scrolls to the top
                // otherwise), so closing it comes back to the same place.
                data-noscroll="true"
                style:background-image=move || painted.get().map(|url| format!("url({url})"))
            >
                <img
                    node_ref=image
                    src=state.image_url(&photo, Variant::Thumbnail)
                    srcset=srcset
                    alt=photo.alt_text()
                    width=photo.width
                    height=photo.height
                    loading="lazy"
                    decoding="async"
                    draggable="false"
                />
            </a>
            // A share link's visitor has nothing to do with a selection.
            {(!state.read_only()).then(|| view! {
                <label class="tile-select" title="Select">
                    <input
                        type="checkbox"
                        aria-label=format!("Select {}", photo.filename)
                        prop:checked=move || selected.get()
                        on:change=toggle
                    />
                </label>
            })}
            {(!status.is_final() || status == PhotoStatus::Failed).then(|| view! {
                <span class="tile-status" class:failed=status == PhotoStatus::Failed
                    title=photo.status_reason.clone().unwrap_or_default()>
                    {status.as_str()}
                </span>
            })}
            // Shown on hover and keyboard focus (CSS).
            {(!photo.labels.is_empty()).then(|| view! {
                <ul class="tile-labels" aria-label="Labels">
                    {photo.labels.iter().map(|l| view! {
                        <li>{l.label.clone()} " " <span class="percent">{percent(l.probability)}</span></li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// A probability as people read it: "87%", "<1%".
pub fn percent(probability: f32) -> String {
    let value = (probability * 100.0).round();
    if value < 1.0 {
        "<1%".to_owned()
    } else {
        format!("{value:.0}%")
    }
}
