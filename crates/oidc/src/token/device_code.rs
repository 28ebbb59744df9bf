//! The device authorization grant at the token endpoint (RFC 8628 §3.4): the device polls
//! with its `device_code` until the user has answered on the `/device` page; see
//! `crate::device` for the answers it gets meanwhile.

use super::*;

pub(super) async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    device_code: Option<&str>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let (auth, scopes) = crate::device::poll(ctx, client, device_code).await?;
    // The session the user approved from must still be signed in: a sign-out between the
    // approval and the poll ends the request too.
    if let Some(sid) = &auth.session_id {
        let live = crate::store::sessions::get(&ctx.db, sid)
            .await?
            .is_some_and(|s| {
                SessionStatus::from_stored(&s.status) == SessionStatus::Active
                    && s.expire_at > ctx.now()
            });
        if !live {
            return Err(OAuthError::invalid_grant(
                "The session that approved this device has ended.",
            ));
        }
        // Remember the client got tokens in this session, for logout.
        record_session_client(ctx, sid, client.id()).await?;
    }
    let (response, _) = issue(ctx, client, &auth, &scopes, None, None, None, dpop_jkt).await?;
    Ok(response)
}
