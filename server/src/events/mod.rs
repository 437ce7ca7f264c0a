//! `GET /api/events`: processing stages as server-sent events, so the page updates the moment
//! a photo moves on instead of polling.
//!
//! Each event is named `photo` and carries a `PhotoEvent` as JSON. A subscriber that falls too
//! far behind gets one `resync` event: some changes were dropped, reload what is shown.

mod slots;

pub use slots::EventStreamSlots;

use crate::api::ApiError;
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use slots::NoSlot;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

#[utoipa::path(
    get,
    path = "/api/events",
    summary = "Processing stages as server-sent events",
    description = "Event `photo`: a `PhotoEvent` (`{id, status, status_reason, labels}`) at each stage change. Event `resync`: some events were missed; reload.",
    responses(
        (status = 200, description = "An event stream", content(("text/event-stream"))),
        (status = 429, description = "This account has 16 streams open already", body = gaillery_core::api::ErrorBody),
        (status = 503, description = "The server has as many streams open as it takes; try again later", body = gaillery_core::api::ErrorBody),
    )
)]
pub async fn stream(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let slot = state
        .event_streams
        .take(&caller.owner)
        .map_err(|refusal| match refusal {
            NoSlot::OwnerFull => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many live-update streams open for this account; close other tabs",
            ),
            NoSlot::ServerFull => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server has as many live-update streams open as it takes",
            ),
        })?;
    let receiver = state.gallery.subscribe(&caller.owner);
    let shutdown = state.shutdown.clone().cancelled_owned();
    // The stream owns its slot: whenever it ends (the page closed, shutdown), the slot is free.
    let events = stream::unfold((receiver, slot), |(mut receiver, slot)| async move {
        loop {
            let event = match receiver.recv().await {
                Ok(change) => match Event::default().event("photo").json_data(&change) {
                    Ok(event) => event,
                    Err(error) => {
                        tracing::warn!(%error, "cannot encode a photo event");
                        continue;
                    }
                },
                Err(RecvError::Lagged(missed)) => {
                    Event::default().event("resync").data(missed.to_string())
                }
                // The server is shutting down.
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok(event), (receiver, slot)));
        }
    });
    // Comments every 15 s keep proxies from closing an idle stream.
    Ok(Sse::new(events.take_until(shutdown))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
