//! The authorization code grant (RFC 6749 §4.1.3): a code from the authorization endpoint,
//! redeemed once, by the client it was issued to, with the redirect URI and PKCE verifier of
//! its request.

use super::*;

pub(super) async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let code = code.ok_or_else(|| OAuthError::invalid_request("code is missing."))?;
    // Single use: of any number of concurrent redemptions exactly one takes the code.
    let Some(raw) = ctx.eph.take(&code_key(ctx, code)).await? else {
        if let Some(used) = ctx.eph.get(&redeemed_key(ctx, code)).await? {
            // A replayed code: revoke what its first use issued (RFC 6749 §4.1.2).
            if let Ok(r) = serde_json::from_str::<Redeemed>(&used) {
                if let Some(family) = &r.family_id {
                    repo::revoke_family(&ctx.db, family, ctx.now()).await?;
                }
                deny_access_token(ctx, &r.access_jti, r.access_exp).await?;
            }
            tracing::warn!(client_id = %client.id(), "authorization code replayed; its tokens are revoked");
        }
        return Err(OAuthError::invalid_grant(
            "The code is invalid, expired or already used.",
        ));
    };
    let grant: CodeGrant =
        serde_json::from_str(&raw).map_err(|e| anyhow::anyhow!("stored code unreadable: {e}"))?;
    if grant.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "The code was issued to another client.",
        ));
    }
    if grant.expire_at <= ctx.now() {
        return Err(OAuthError::invalid_grant("The code has expired."));
    }
    // RFC 6749 §4.1.3: the same redirect_uri as the authorization request.
    if redirect_uri != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    // RFC 7636 §4.6.
    match (&grant.code_challenge, verifier) {
        (Some(challenge), Some(v)) => {
            let valid = (43..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let computed = crate::crypto::pkce_s256(v);
            if !valid || !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge.",
                ));
            }
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is missing.")),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "No code_challenge was sent with the authorization request.",
            ));
        }
        (None, None) if client.is_public() || client.settings.require_pkce => {
            return Err(OAuthError::invalid_grant("This client must use PKCE."));
        }
        (None, None) => {}
    }
    // RFC 9449 §10: a code asked for with `dpop_jkt` is redeemed only with a proof by that key.
    if let Some(bound) = &grant.dpop_jkt
        && !dpop_jkt.is_some_and(|j| bool::from(j.as_bytes().ct_eq(bound.as_bytes())))
    {
        return Err(OAuthError::new(
            "invalid_dpop_proof",
            "The code is bound to another DPoP key than this request's proof.",
        ));
    }
    // Remember the client got tokens in this session, for back-channel logout.
    if let Some(sid) = &grant.auth.session_id {
        record_session_client(ctx, sid, client.id()).await?;
    }
    let response = issue(
        ctx,
        client,
        &grant.auth,
        &grant.scopes,
        grant.nonce.as_deref(),
        grant.claims.as_ref(),
        None,
        dpop_jkt,
    )
    .await?;
    let (family_id, access_jti, access_exp) = response.1;
    let redeemed = Redeemed {
        family_id,
        access_jti,
        access_exp,
    };
    let ttl = Duration::from_secs(
        ctx.settings()
            .oidc
            .access_token_lifetime_secs
            .unsigned_abs()
            .max(600),
    );
    ctx.eph
        .put(
            &redeemed_key(ctx, code),
            &serde_json::to_string(&redeemed).map_err(anyhow::Error::new)?,
            ttl,
        )
        .await?;
    Ok(response.0)
}
