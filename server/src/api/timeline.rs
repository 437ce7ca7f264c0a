//! The timeline: which months hold photos, and how many each.

use super::ApiError;
use crate::auth::SignedIn;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gaillery_core::api::{ErrorBody, Timeline};
use gaillery_core::{Month, TimelineOrder};
use utoipa::IntoParams;

/// `?tag=dog&tag=beach&sort=uploaded`: `tag` may repeat, so the query is read by hand.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct TimelineQuery {
    /// `taken` (default): months by date taken, or by upload for photos without one;
    /// `uploaded`: months by upload time
    #[param(value_type = Option<TimelineOrder>)]
    sort: Option<TimelineOrder>,
    /// Search words, as in `GET /api/photos`: only matching photos count
    #[param(rename = "tag", required = false, style = Form, explode)]
    tags: Vec<String>,
}

impl TimelineQuery {
    fn parse(raw: Option<&str>) -> Result<TimelineQuery, ApiError> {
        let mut query = TimelineQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "sort" => query.sort = Some(parse_sort(&value)?),
                "tag" => query.tags.push(value.into_owned()),
                _ => {}
            }
        }
        Ok(query)
    }
}

pub(super) fn parse_sort(raw: &str) -> Result<TimelineOrder, ApiError> {
    TimelineOrder::parse(raw)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "sort must be taken or uploaded"))
}

pub(super) fn parse_month(raw: &str) -> Result<Month, ApiError> {
    Month::parse(raw).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "month must be a year and month as YYYY-MM, e.g. 2025-05",
        )
    })
}

#[utoipa::path(
    get,
    path = "/api/timeline",
    summary = "The months that hold photos, newest first, with their counts",
    params(TimelineQuery),
    responses(
        (status = 200, description = "The months", body = Timeline),
        (status = 400, description = "An unknown sort, or too many search words", body = ErrorBody),
    )
)]
pub(super) async fn timeline(
    SignedIn(caller): SignedIn,
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let query = TimelineQuery::parse(uri.query())?;
    let order = query.sort.unwrap_or_default();
    let timeline = state
        .gallery
        .timeline(&caller.owner, order, &query.tags)
        .await?;
    Ok(Json(timeline).into_response())
}
