//! What a share link's visitor sees, without an account: the album (or photo) the link shows,
//! read-only. A link that does not exist, expired or was revoked is "no such link"; one with a
//! password is `Locked` until the visitor gives it (a cookie of that link then proves it).

use crate::error::AppError;
use gaillery_core::api::albums::SharedInfo;
use gaillery_core::api::PhotoPage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// What opening a link finds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SharedView {
    /// The link has a password the visitor has not given yet.
    Locked,
    Open {
        info: SharedInfo,
        first_page: PhotoPage,
    },
}

#[cfg(feature = "ssr")]
async fn open(
    token: &str,
) -> Result<gaillery_service::albums::OpenedLink, gaillery_service::ServiceError> {
    let proof = ssr::cookie(&gaillery_service::albums::proof_cookie_name(token));
    ssr::albums()
        .map_err(|_| gaillery_service::ServiceError::internal("no albums service"))?
        .open_link(token, proof.as_deref())
        .await
}

#[server(prefix = "/_fn", endpoint = "open_shared")]
pub async fn open_shared(token: String) -> Result<SharedView, AppError> {
    let link = match open(&token).await {
        Ok(link) => link,
        Err(gaillery_service::ServiceError::PasswordRequired) => return Ok(SharedView::Locked),
        Err(error) => return Err(error.into()),
    };
    let info = gaillery_service::albums::shared_info(&link);
    let first_page = ssr::albums()?.link_photos(&link, None, None).await?;
    Ok(SharedView::Open { info, first_page })
}

/// The next page of what the link shows.
#[server(prefix = "/_fn", endpoint = "list_shared_photos")]
pub async fn list_shared_photos(
    token: String,
    cursor: Option<String>,
) -> Result<PhotoPage, AppError> {
    let link = open(&token).await?;
    Ok(ssr::albums()?
        .link_photos(&link, cursor.as_deref(), None)
        .await?)
}

/// Gives the link's password; throttled like sign-ins. The proof comes back as a cookie.
#[server(prefix = "/_fn", endpoint = "unlock_shared")]
pub async fn unlock_shared(token: String, password: String) -> Result<(), AppError> {
    let proof = ssr::albums()?
        .unlock_link(&token, &password, ssr::client().ip)
        .await?;
    if !proof.is_empty() {
        let name = gaillery_service::albums::proof_cookie_name(&token);
        ssr::set_site_cookie(&name, &proof, None)?;
    }
    Ok(())
}
