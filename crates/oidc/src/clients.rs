//! Relying-party clients at the token, revocation and introspection endpoints: found in config
//! or in the database, and authenticated. The rules for their settings and the redirect URI
//! matcher are `portcullis_core::clients`, re-exported here.

use base64::Engine;

pub use portcullis_core::clients::*;

use super::error::{OAuthError, OAuthResult};
use crate::config::ClientSettings;
use crate::flows::Ctx;
use crate::store::oauth as repo;

/// The client with this id: from config, from this instance's memory of stored clients, or
/// from the database (and then remembered until any stored client changes).
pub async fn find(ctx: &Ctx, id: &str) -> OAuthResult<Option<OAuthClient>> {
    if let Some(c) = ctx.clients.get(id) {
        return Ok(Some(c.clone()));
    }
    if let Some(c) = ctx.clients.stored.get(id) {
        return Ok(Some((*c).clone()));
    }
    let epoch = ctx.clients.stored.epoch();
    let Some(row) = repo::get_client(&ctx.db, id).await? else {
        return Ok(None);
    };
    let settings: ClientSettings = serde_json::from_str(&row.settings)
        .map_err(|e| anyhow::anyhow!("stored client {id} unreadable: {e}"))?;
    let client = OAuthClient {
        settings,
        secret_hash: row.secret_hash,
    };
    ctx.clients
        .stored
        .keep(epoch, std::sync::Arc::new(client.clone()));
    Ok(Some(client))
}

/// How a client presented itself at the token, revocation or introspection endpoint.
#[derive(Debug)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<String>,
    /// A `private_key_jwt` assertion.
    pub assertion: Option<String>,
}

/// Reads client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: both parts are
/// form-urlencoded before base64) or from `client_id` / `client_secret` in the body. Using
/// both at once is refused.
pub fn credentials(
    authorization: Option<&str>,
    body_id: Option<&str>,
    body_secret: Option<&str>,
) -> OAuthResult<Credentials> {
    if let Some(h) = authorization {
        let Some(b64) = h
            .strip_prefix("Basic ")
            .or_else(|| h.strip_prefix("basic "))
        else {
            return Err(OAuthError::invalid_client());
        };
        if body_secret.is_some() {
            return Err(OAuthError::invalid_request(
                "Use one client authentication method, not two.",
            ));
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| OAuthError::invalid_client())?;
        let raw = String::from_utf8(raw).map_err(|_| OAuthError::invalid_client())?;
        let (id, secret) = raw.split_once(':').ok_or_else(OAuthError::invalid_client)?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let id = decode(id);
        if body_id.is_some_and(|b| b != id) {
            return Err(OAuthError::invalid_request(
                "client_id does not match the credentials.",
            ));
        }
        return Ok(Credentials {
            client_id: id,
            secret: Some(decode(secret)),
            assertion: None,
        });
    }
    let id = body_id.ok_or_else(|| OAuthError::invalid_request("client_id is missing."))?;
    Ok(Credentials {
        client_id: id.to_owned(),
        secret: body_secret.map(str::to_owned),
        assertion: None,
    })
}

/// Checks the credentials; public clients identify themselves without a secret. `endpoint`
/// is the URL the request was sent to (the audience of a client assertion).
pub async fn authenticate(
    ctx: &Ctx,
    creds: &Credentials,
    endpoint: &str,
) -> OAuthResult<OAuthClient> {
    let Some(client) = find(ctx, &creds.client_id).await? else {
        return Err(OAuthError::invalid_client());
    };
    if client.has_keys() {
        let assertion = creds
            .assertion
            .as_deref()
            .ok_or_else(OAuthError::invalid_client)?;
        super::assertion::verify(ctx, &client, assertion, endpoint).await?;
        return Ok(client);
    }
    if creds.assertion.is_some() {
        return Err(OAuthError::invalid_client());
    }
    match (&client.secret_hash, &creds.secret) {
        (None, None) => Ok(client),
        (Some(stored), Some(given)) if ctx.tokens.verify("client_secret", given, stored) => {
            Ok(client)
        }
        _ => Err(OAuthError::invalid_client()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("my%20app:s%3Acret");
        let c = credentials(Some(&format!("Basic {b64}")), None, None).unwrap();
        assert_eq!(c.client_id, "my app");
        assert_eq!(c.secret.as_deref(), Some("s:cret"));
        assert!(credentials(Some(&format!("Basic {b64}")), None, Some("x")).is_err());
        assert!(credentials(Some("Bearer x"), None, None).is_err());
        assert!(credentials(None, None, None).is_err());
    }
}
