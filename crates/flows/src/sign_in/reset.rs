//! Setting a new password after a reset code (`needs_new_password`).

use super::*;

/// What `reset_password` accepts.
pub const RESET_PASSWORD_PARAMS: &[&str] = &["password", "sign_out_of_other_sessions", "locale"];

/// `POST …/reset_password`: only after a reset-password first factor.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn reset_password(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(RESET_PASSWORD_PARAMS)?;
    let mut si = get(ctx, cc, id).await?;
    require_status(&si, SignInStatus::NeedsNewPassword)?;
    let raw = params
        .raw("password")?
        .ok_or_else(|| ApiError::missing("password"))?;
    let password = crate::breach::accept_new_password(ctx, "password", &raw).await?;
    let sign_out_others = params.bool("sign_out_of_other_sessions")?.unwrap_or(false);
    let user_id = si.user_id.clone().unwrap_or_default();
    let hash = ctx
        .passwords
        .hash(SecretString::from(password.expose().to_owned()))
        .await?;
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    users::set_password(&txn, &user_id, &hash, now).await?;
    // A reset means the old password may be known to someone else: whatever relying parties
    // hold from before it stops refreshing.
    crate::store::oauth::revoke_families_of_user(&txn, &user_id, None, now)
        .await
        .context("oauth::revoke_families_of_user")?;
    let ended = if sign_out_others {
        crate::session::end_others_in(&txn, &user_id, None, now).await?
    } else {
        Vec::new()
    };
    let actor = crate::audit::Actor {
        user_id: user_id.clone(),
        session_id: None,
        ip: cc.ip.clone(),
        user_agent: cc.user_agent.clone(),
    };
    let strategy = si
        .first_factor_verification
        .as_ref()
        .map(|v| v.strategy.clone())
        .unwrap_or_default();
    crate::audit::record(
        ctx,
        &txn,
        &actor,
        "password.reset",
        serde_json::json!({ "strategy": strategy, "signed_out_sessions": ended.len() }),
    )
    .await?;
    txn.commit().await?;
    crate::sessions_ended(ctx, ended).await;
    if let Some(user) = users::get_user(&ctx.db, &user_id).await? {
        crate::audit::notify(ctx, &user, "notice-password-reset").await;
    }
    crate::lockout::succeeded(ctx, &user_id, crate::lockout::Counter::Password).await?;
    tracing::info!(%user_id, sign_out_others, "password reset");
    // The reset code proved the first factor; on to the second factor or a session.
    first_factor_done(ctx, cc, &mut si).await?;
    Ok(si)
}
