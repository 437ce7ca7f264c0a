//! What the classifier made of the open photo: its labels with confidences, the stage while it
//! works, the reason and a retry after a failure, and classifying it again with another of the
//! server's models.

use super::writes::Reclassification;
use crate::components::grid::percent;
use crate::error::AppError;
use crate::server_fns::classification_models;
use crate::state::{page_url, GalleryState};
use gaillery_core::{Photo, PhotoStatus};
use leptos::prelude::*;

/// The labels, the stage, or the failure with its Retry.
#[component]
pub fn PhotoLabels(
    state: GalleryState,
    photo: Signal<Option<Photo>>,
    retry: Reclassification,
) -> impl IntoView {
    let retrying = retry.pending();
    let on_retry = move |_| {
        if let Some(photo) = photo.get_untracked() {
            retry.start(photo, None);
        }
    };
    move || {
        let photo = photo.get()?;
        Some(match photo.status {
            PhotoStatus::Done if photo.labels.is_empty() => ().into_any(),
            PhotoStatus::Done => view! {
                <ul class="lightbox-labels" aria-label="Labels">
                    {photo.labels.iter().map(|l| {
                        // A click filters the gallery by the label, on top of any filter.
                        let mut tags = state.tags.get();
                        if !tags.contains(&l.label) {
                            tags.push(l.label.clone());
                        }
                        // A share link's visitor sees the labels, not the owner's library.
                        let name = if state.read_only() {
                            view! { <span>{l.label.clone()}</span> }.into_any()
                        } else {
                            view! {
                                <a class="label-link" href=page_url(&tags, None)
                                    title=format!("Show photos of {}", l.label)>{l.label.clone()}</a>
                            }.into_any()
                        };
                        view! {
                            <li>
                                {name}
                                " "
                                <span class="percent">{percent(l.probability)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
            PhotoStatus::Failed => view! {
                <span class="lightbox-failure" role="status">
                    "Could not classify: " {photo.status_reason.clone().unwrap_or_default()} " "
                    {(!state.read_only()).then(|| view! {
                        <button class="button" disabled=move || retrying.get() on:click=on_retry>"Retry"</button>
                    })}
                </span>
            }.into_any(),
            stage => view! {
                <span class="lightbox-stage-name" role="status">"Classifying: " {stage.as_str()}</span>
            }.into_any(),
        })
    }
}

/// The models the server has loaded. A resource, so the server renders the control for a
/// photo opened by a link and hydration finds the same list; it belongs to the lightbox, not to
/// its dialog, so it is asked for once per page.
#[derive(Clone, Copy)]
pub struct ServerModels(Resource<Result<Vec<String>, AppError>>);

impl ServerModels {
    /// The server's models, asked for only when `wanted`: a share link's visitor classifies
    /// nothing, and may not ask.
    pub fn new(wanted: bool) -> ServerModels {
        ServerModels(Resource::new(
            || (),
            move |()| async move {
                if wanted {
                    classification_models().await
                } else {
                    Ok(Vec::new())
                }
            },
        ))
    }

    /// Tracked: the loaded models, empty until the list arrives (or if it cannot).
    fn list(&self) -> Vec<String> {
        self.0.get().and_then(Result::ok).unwrap_or_default()
    }

    fn first(&self) -> Option<String> {
        self.0
            .with_untracked(|models| models.as_ref()?.as_ref().ok()?.first().cloned())
    }
}

/// Classifying the open photo again with another of the server's models, offered when the
/// server has loaded more than one and the photo is not being classified right now.
#[component]
pub fn ReclassifyControl(
    photo: Signal<Option<Photo>>,
    models: ServerModels,
    classify_again: Reclassification,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<String>);
    let busy = classify_again.pending();
    let run = move |_| {
        let model = chosen.get_untracked().or_else(|| models.first());
        if let Some(photo) = photo.get_untracked() {
            classify_again.start(photo, model);
        }
    };
    move || {
        let photo = photo.get()?;
        let models = models.list();
        let settled = matches!(photo.status, PhotoStatus::Done | PhotoStatus::Failed);
        (models.len() > 1 && settled).then(|| {
            let selected = chosen.get().or_else(|| models.first().cloned());
            view! {
                <span class="lightbox-reclassify">
                    <select aria-label="Model"
                        on:change=move |event| chosen.set(Some(event_target_value(&event)))>
                        {models.into_iter().map(|model| {
                            let is_selected = selected.as_deref() == Some(model.as_str());
                            view! { <option value=model.clone() selected=is_selected>{model.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <button class="button" disabled=move || busy.get() on:click=run>"Classify again"</button>
                </span>
            }
        })
    }
}
