//! API tokens: long-lived secrets for scripts and the command line, one per use, each revocable
//! on its own. They last until revoked, or until their account is removed.

use gaillery_core::OwnerId;
use gaillery_storage::ApiToken;

use super::{rules, secrets, Accounts, Caller, Credential};
use crate::ids::now_ms;
use crate::ServiceError;

/// A token just made. The token itself is known only this once; storage keeps its hash.
pub struct NewApiToken {
    /// Names the token in listings and revocations.
    pub id: String,
    pub token: String,
}

/// A token as listings show it: never the token, which is not kept.
#[derive(Clone, Debug)]
pub struct TokenSummary {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
}

impl Accounts {
    /// A new token for `owner`, called `name` ("laptop backup"). `NoSuch("user")` if the owner
    /// has no account.
    pub async fn create_api_token(
        &self,
        owner: &OwnerId,
        name: &str,
    ) -> Result<NewApiToken, ServiceError> {
        rules::check_token_name(name)?;
        let account = self
            .store
            .account(owner)
            .await?
            .ok_or(ServiceError::NoSuch("user"))?;
        let token = secrets::new_api_token();
        let stored = ApiToken {
            id: secrets::new_token_id(),
            owner: owner.clone(),
            name: name.to_owned(),
            token_hash: secrets::token_hash(&token),
            created_at_ms: now_ms(),
        };
        let id = stored.id.clone();
        if !self.store.create_api_token(stored).await? {
            return Err(ServiceError::NoSuch("user"));
        }
        tracing::info!(username = ?account.username, token = %id, name = ?name, "API token created");
        Ok(NewApiToken { id, token })
    }

    /// The owner's tokens, newest first.
    pub async fn api_tokens(&self, owner: &OwnerId) -> Result<Vec<TokenSummary>, ServiceError> {
        let tokens = self.store.api_tokens_of(owner).await?;
        Ok(tokens
            .into_iter()
            .map(|token| TokenSummary {
                id: token.id,
                name: token.name,
                created_at_ms: token.created_at_ms,
            })
            .collect())
    }

    /// Revokes the owner's token `id`. `NoSuch("token")` if the owner has none of that id,
    /// which is also the answer for another owner's token.
    pub async fn revoke_api_token(&self, owner: &OwnerId, id: &str) -> Result<(), ServiceError> {
        let account = self.store.account(owner).await?;
        let deleted = self.store.delete_api_token(owner, id).await?;
        self.recent.forget_all();
        if !deleted {
            return Err(ServiceError::NoSuch("token"));
        }
        let username = account.map(|account| account.username);
        tracing::info!(username = ?username, owner = %owner.0, token = %id, "API token revoked");
        Ok(())
    }

    /// The caller of an API token (from an `Authorization: Bearer` header), or `None` when the
    /// token is unknown, malformed or revoked.
    pub async fn api_token(&self, token: &str) -> Result<Option<Caller>, ServiceError> {
        if !secrets::plausible_token(token) || !token.starts_with(secrets::API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let token_hash = secrets::token_hash(token);
        if let Some(caller) = self.recent.get(&token_hash, false) {
            return Ok(Some(caller));
        }
        let Some(stored) = self.store.api_token_by_hash(&token_hash).await? else {
            return Ok(None);
        };
        let Some(account) = self.store.account(&stored.owner).await? else {
            return Ok(None);
        };
        let caller = Caller::of(account, Credential::ApiToken { id: stored.id });
        self.recent.remember(token_hash, caller.clone());
        Ok(Some(caller))
    }
}
