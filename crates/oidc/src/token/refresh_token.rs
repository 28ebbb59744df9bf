//! The refresh token grant (RFC 6749 §6): a rotated refresh token for new tokens, within the
//! family's absolute lifetime and never for a user or session that can no longer sign in.

use super::*;

/// RFC 6749 §6 with rotation: each refresh token works once; presenting a used one revokes
/// its whole family (OAuth 2.0 Security BCP §4.14.2).
pub(super) async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    token: Option<&str>,
    scope: Option<&str>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let token = token.ok_or_else(|| OAuthError::invalid_request("refresh_token is missing."))?;
    let hash = ctx.tokens.hash("refresh_token", token);
    let now = ctx.now();
    let row = repo::get_refresh(&ctx.db, &hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The refresh token is invalid."))?;
    if row.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "The refresh token was issued to another client.",
        ));
    }
    if row.revoked_at.is_some() || row.expire_at <= now {
        return Err(OAuthError::invalid_grant(
            "The refresh token is revoked or expired.",
        ));
    }
    // RFC 9449 §5: a refresh token bound to a key works only with a proof by that key.
    if let Some(bound) = &row.dpop_jkt
        && !dpop_jkt.is_some_and(|j| bool::from(j.as_bytes().ct_eq(bound.as_bytes())))
    {
        return Err(OAuthError::new(
            "invalid_dpop_proof",
            "The refresh token is bound to another DPoP key than this request's proof.",
        ));
    }
    let (mut auth, claims_request): (AuthFacts, Option<Value>) = serde_json::from_str(&row.auth)
        .map_err(|e| anyhow::anyhow!("stored refresh facts unreadable: {e}"))?;
    if now >= family_end(ctx, &auth) {
        return Err(OAuthError::invalid_grant(
            "The refresh token is past its absolute lifetime: sign in again.",
        ));
    }
    // A banned, locked or deleted user, or a session an operator or the user revoked, mints
    // nothing more (the events that do so also revoke the family; this holds regardless).
    // The session's status comes in the statement that reads the flags.
    let session_status =
        match users::flags_and_session_status(&ctx.db, &row.user_id, row.session_id.as_deref())
            .await?
        {
            Some((false, false, status)) => status.map(|s| SessionStatus::from_stored(&s)),
            Some(_) => {
                return Err(OAuthError::invalid_grant(
                    "The user may not sign in at present.",
                ));
            }
            None => return Err(OAuthError::invalid_grant("The user no longer exists.")),
        };
    if row.session_id.is_some() {
        match session_status {
            Some(SessionStatus::Revoked) => {
                return Err(OAuthError::invalid_grant(
                    "The session this refresh token belongs to was revoked.",
                ));
            }
            Some(s) if s.is_live() => {}
            // Signed out or removed from the browser: a refresh token is only issued for
            // `offline_access`, which outlives the browser session (OpenID Connect Core §11),
            // but the tokens it now gives belong to no session. Access tokens that name a
            // session end with it (`check_access_token`), so these must not name one; nor
            // does the family from here on.
            _ => auth.session_id = None,
        }
    }
    if row.used_at.is_some() || !repo::mark_refresh_used(&ctx.db, &hash, now).await? {
        repo::revoke_family(&ctx.db, &row.family_id, now).await?;
        tracing::warn!(client_id = %client.id(), family = %row.family_id, "refresh token reused; family revoked");
        return Err(OAuthError::invalid_grant(
            "The refresh token was already used.",
        ));
    }
    let granted: Vec<String> = serde_json::from_str(&row.scopes).unwrap_or_default();
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    let scopes = match scope {
        None => granted,
        Some(s) => {
            let asked: Vec<String> = s
                .split(' ')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(x) = asked.iter().find(|x| !granted.contains(x)) {
                return Err(OAuthError::new(
                    "invalid_scope",
                    format!("{x:?} was not granted."),
                ));
            }
            asked
        }
    };
    let (response, _) = issue(
        ctx,
        client,
        &auth,
        &scopes,
        None,
        claims_request.as_ref(),
        Some(row.family_id.clone()),
        dpop_jkt,
    )
    .await?;
    Ok(response)
}
