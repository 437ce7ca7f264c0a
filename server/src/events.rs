//! `GET /api/events`: processing stages as server-sent events, so the page updates the moment
//! a photo moves on instead of polling.
//!
//! Each event is named `photo` and carries a `PhotoEvent` as JSON. A subscriber that falls too
//! far behind gets one `resync` event: some changes were dropped, reload what is shown.

use crate::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

#[utoipa::path(
    get,
    path = "/api/events",
    summary = "Processing stages as server-sent events",
    description = "Event `photo`: a `PhotoEvent` (`{id, status, status_reason, labels}`) at each stage change. Event `resync`: some events were missed; reload.",
    responses((status = 200, description = "An event stream", content(("text/event-stream"))))
)]
pub async fn stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.gallery.subscribe();
    let shutdown = state.shutdown.clone().cancelled_owned();
    let events = stream::unfold(receiver, |mut receiver| async move {
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
            return Some((Ok(event), receiver));
        }
    });
    // Comments every 15 s keep proxies from closing an idle stream.
    Sse::new(events.take_until(shutdown))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
