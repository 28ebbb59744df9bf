//! Sign-ins proven elsewhere: an email link opened, an upstream provider's answer, a ticket,
//! or a sign-up transferred because its identifier already has an account.

use super::*;

/// Emails a sign-in link to the chosen (or first) email address of the account.
pub(super) async fn prepare_link(
    ctx: &Ctx,
    si: &mut SignIn,
    target: Option<String>,
    redirect_url: String,
    asked: Option<crate::i18n::Locale>,
) -> FlowResult<()> {
    let factor = si
        .supported_first_factors
        .iter()
        .filter(|f| f.strategy == "email_link")
        .find(|f| target.is_none() || f.email_address_id == target)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::StrategyForUserInvalid,
                "is invalid",
                "The strategy \"email_link\" is not available for this account.",
            )
            .param("strategy")
        })?;
    let target_id = factor.email_address_id.clone().unwrap_or_default();
    if si.phantom {
        let destination = si.identifier.clone().unwrap_or_default();
        let v =
            verification::decoy(ctx, &si.id, "email_link", &destination, Some(target_id)).await?;
        si.first_factor_verification = Some(v);
        return save(ctx, si).await;
    }
    let user = users::get_user(&ctx.db, &si.user_id.clone().unwrap_or_default())
        .await?
        .ok_or_else(|| ApiError::state("The account of this sign-in no longer exists."))?;
    let email = user
        .emails
        .iter()
        .find(|e| e.id == target_id && e.verified)
        .map(|e| e.email_address.clone())
        .ok_or_else(|| ApiError::state("That address no longer belongs to the account."))?;
    let v = crate::email_link::send(
        ctx,
        crate::email_link::LinkOwner::SignIn(si.id.clone()),
        &si.client_id,
        &email,
        Some(target_id),
        redirect_url,
        Wording {
            purpose: Purpose::SignIn,
            locale: crate::verification::recipient_locale(user.user.locale.as_deref(), asked),
        },
    )
    .await?;
    si.first_factor_verification = Some(v);
    save(ctx, si).await
}

/// The email link of sign-in `id` (of client `client_id`) was opened; in the browser that
/// asked for it (`here`) the sign-in goes on at once. True when it did.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id, id = %id), err(level = "debug"))]
pub(crate) async fn link_opened(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    client_id: &str,
    id: &str,
    here: bool,
) -> FlowResult<bool> {
    let mut si = load(ctx, id)
        .await?
        .filter(|s| s.client_id == client_id && !s.phantom)
        .ok_or_else(|| ApiError::state("This sign-in is no longer waiting for the link."))?;
    let Some(v) = si
        .first_factor_verification
        .as_mut()
        .filter(|v| v.strategy == "email_link" && v.status == Status::Unverified)
    else {
        return Err(ApiError::state("This sign-in is no longer waiting for the link.").into());
    };
    v.status = Status::Verified;
    v.error = None;
    if here {
        first_factor_done(ctx, cc, &mut si).await?;
        Ok(true)
    } else {
        save(ctx, &mut si).await?;
        Ok(false)
    }
}

/// Sends the sign-in to an upstream provider: the verification carries the URL.
pub(super) async fn start_external(
    ctx: &Ctx,
    si: &mut SignIn,
    strategy: &str,
    back: crate::oauth::Back,
) -> FlowResult<()> {
    let provider = if strategy == "enterprise_sso" {
        si.identifier
            .as_deref()
            .and_then(|i| ctx.federation.for_email(i))
    } else {
        crate::oauth::provider_for(ctx, strategy)
    }
    .ok_or_else(|| strategy_not_enabled(strategy))?;
    let v = crate::oauth::start(
        ctx,
        &provider,
        &si.client_id,
        crate::oauth::Owner::SignIn(si.id.clone()),
        back,
    )
    .await?;
    si.first_factor_verification = Some(v);
    save(ctx, si).await
}

/// The provider's answer for a sign-in: the linked user signs in (or goes on to a second
/// factor); a user that does not exist yet leaves the sign-in `transferable` to a sign-up.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub(crate) async fn oauth_result(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    provider: &crate::federation::Provider,
    outcome: Result<crate::federation::Identity, ApiError>,
) -> FlowResult<SignIn> {
    let mut si = get(ctx, cc, id).await?;
    let strategy = provider.strategy.clone();
    let mut v = si
        .first_factor_verification
        .take()
        .filter(|v| v.strategy == strategy)
        .unwrap_or_else(|| Verification {
            status: Status::Unverified,
            ..Verification::verified(&strategy, ctx.now())
        });
    v.external_url = None;
    v.attempts += 1;
    let identity = match outcome {
        Ok(identity) => identity,
        Err(e) => {
            crate::oauth::fail(&mut v, e);
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
            return Ok(si);
        }
    };
    match crate::oauth::account_for(ctx, &identity, true).await? {
        Some(user) if si.user_id.as_ref().is_some_and(|u| u != &user.user.id) => {
            crate::oauth::fail(&mut v, crate::oauth::mismatch());
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        Some(user) => {
            let identifier = si
                .identifier
                .clone()
                .or(identity.email.clone())
                .unwrap_or_else(|| identity.subject.clone());
            set_identified(ctx, &mut si, &identifier, &user);
            si.first_factor_verification = Some(crate::oauth::verified(ctx, &strategy));
            si.upstream_mfa = identity.mfa && strategy == "enterprise_sso";
            si.connection_organization_id = crate::oauth::connection_organization(ctx, &identity);
            first_factor_done(ctx, cc, &mut si).await?;
        }
        None if si.user_id.is_some() => {
            crate::oauth::fail(&mut v, crate::oauth::not_found());
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        None => {
            v.status = Status::Transferable;
            v.error = Some(crate::oauth::not_found());
            si.first_factor_verification = Some(v);
            si.external_identity = Some(identity);
            save(ctx, &mut si).await?;
        }
    }
    Ok(si)
}

/// `POST /v1/client/sign_ins {strategy: "ticket", ticket}`: a sign-in token made by an
/// operator signs its user in (or on to their second factor).
pub(super) async fn sign_in_with_ticket(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    ticket: &str,
) -> FlowResult<SignIn> {
    crate::limits::sign_in(ctx, cc.ip.as_deref(), None).await?;
    let t = crate::tickets::spend_any(
        ctx,
        ticket,
        &[crate::tickets::SIGN_IN, crate::tickets::ACTOR],
    )
    .await?;
    let actor = if t.kind == crate::tickets::ACTOR {
        Some(crate::actor_tokens::impersonation(&t)?)
    } else {
        None
    };
    let user = users::get_user(&ctx.db, &t.user_id.unwrap_or_default())
        .await?
        .ok_or_else(|| {
            ApiError::invalid_value("ticket", "The user of this ticket no longer exists.")
        })?;
    let identifier = user
        .emails
        .first()
        .map(|e| e.email_address.clone())
        .or(user.user.username.clone())
        .unwrap_or_else(|| user.user.id.clone());
    sign_in_as(ctx, cc, &user, &identifier, "ticket", None, actor).await
}

/// `POST /v1/client/sign_ins {transfer: true}`: the client's sign-up found an upstream
/// account that already belongs to a user; sign that user in.
pub(super) async fn transfer_from_sign_up(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<SignIn> {
    use crate::sign_up::SignUp;
    let (identity, strategy) = attempt::transferable::<SignUp>(ctx, cc).await?;
    let user = crate::oauth::account_for(ctx, &identity, true)
        .await?
        .ok_or_else(attempt::transfer_invalid::<SignUp>)?;
    let identifier = identity
        .email
        .clone()
        .unwrap_or_else(|| identity.subject.clone());
    let org = crate::oauth::connection_organization(ctx, &identity);
    sign_in_as(ctx, cc, &user, &identifier, &strategy, org, None).await
}

/// An identity provider's unsolicited answer (IdP-initiated SAML, where the connection
/// allows it): a new sign-in on this browser's client for the address the IdP asserted,
/// finished with that answer as if the browser had started it here.
pub(crate) async fn unsolicited(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    provider: &crate::federation::Provider,
    outcome: Result<crate::federation::Identity, ApiError>,
) -> FlowResult<SignIn> {
    let client_id = client::ensure_for_new_attempt(ctx, cc).await?;
    let mut si = new_sign_in(ctx, &client_id);
    if let Ok(email) = outcome
        .as_ref()
        .map(|i| i.email.clone().unwrap_or_default())
    {
        match identify(ctx, &email).await? {
            Some(user) => set_identified(ctx, &mut si, &email, &user),
            None => si.identifier = Some(email),
        }
    }
    si.first_factor_verification = Some(Verification {
        status: Status::Unverified,
        ..Verification::verified(&provider.strategy, ctx.now())
    });
    save(ctx, &mut si).await?;
    point_client_at(ctx, cc, &si.id).await?;
    let id = si.id.clone();
    oauth_result(ctx, cc, &id, provider, outcome).await
}
