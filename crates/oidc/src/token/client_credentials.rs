//! The client credentials grant (RFC 6749 §4.4).

use super::*;

/// RFC 6749 §4.4: the client acting for itself; no user, no ID token, no refresh token.
pub(super) fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    scope: Option<&str>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    if client.is_public() {
        return Err(OAuthError::new(
            "unauthorized_client",
            "Public clients cannot use client_credentials.",
        ));
    }
    let scopes: Vec<String> = scope
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(s) = scopes
        .iter()
        .find(|s| !client.allows_scope(s) || ["openid", "offline_access"].contains(&s.as_str()))
    {
        return Err(OAuthError::new(
            "invalid_scope",
            format!("{s:?} cannot be granted to the client itself."),
        ));
    }
    let access = claims::access_token(ctx, client.id(), client.id(), &scopes, None, dpop_jkt)?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: token_type(dpop_jkt),
        expires_in: access.expires_in,
        scope: scopes.join(" "),
        id_token: None,
        refresh_token: None,
        issued_token_type: None,
    })
}
