//! Completion: a sign-up with nothing missing and nothing unverified becomes a user, its
//! identifications and an active session, in one transaction.

use super::*;

/// Turns a sign-up with nothing missing and nothing unverified into a user and a session,
/// in one transaction.
pub(super) async fn complete_if_ready(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    su: &mut SignUp,
) -> FlowResult<()> {
    if next::step(&ctx.settings().auth, su) != Step::Ready {
        return Ok(());
    }
    // Again here, where every path to a new user meets.
    check_policy(ctx, su, None, invited(su)).await?;
    // Two requests finishing the same sign-up at once: only one writes.
    let lock = keys::completing(&su.id);
    if !ctx
        .eph
        .put_if_absent(&lock, "1", Duration::from_secs(30))
        .await?
    {
        return Err(ApiError::state("This sign-up is being completed by another request.").into());
    }
    let result = write_user(ctx, su, !cc.keep_token).await;
    ctx.eph.delete(&lock).await?;
    let (user_id, session_id, token, client) = result?;
    crate::audit::emit(
        ctx,
        &crate::audit::Actor {
            user_id: user_id.clone(),
            session_id: Some(session_id.clone()),
            ip: cc.ip.clone(),
            user_agent: cc.user_agent.clone(),
        },
        "user.created",
        serde_json::json!({}),
    );
    su.created_user_id = Some(user_id);
    su.created_session_id = Some(session_id);
    su.status = next::status(su);
    su.updated_at = ctx.now();
    save(ctx, su).await?;
    cc.new_token = token;
    // The client as the new session left it (the same statement that changed it).
    cc.wrote(client);
    Ok(())
}

pub(super) async fn write_user(
    ctx: &Ctx,
    su: &SignUp,
    rotate_token: bool,
) -> FlowResult<(String, String, Option<String>, Option<clients::ClientRow>)> {
    let now = ctx.now();
    let user_id = new_id("user");
    let strategy = |v: &Option<Verification>| {
        v.as_ref()
            .map(|v| v.strategy.clone())
            .unwrap_or_else(|| "admin".into())
    };
    let new = NewUser {
        id: user_id.clone(),
        username: su.username.clone(),
        first_name: su.first_name.clone(),
        last_name: su.last_name.clone(),
        password_hash: su.password_hash.clone(),
        unsafe_metadata: su.unsafe_metadata.to_string(),
        public_metadata: su
            .public_metadata
            .as_ref()
            .map_or_else(|| "{}".into(), ToString::to_string),
        private_metadata: "{}".into(),
        external_id: None,
        locale: su.locale.clone(),
        legal_accepted_at: su.legal_accepted_at,
        signed_in: true,
        emails: su
            .email_address
            .iter()
            .map(|e| (new_id("idn"), e.clone(), strategy(&su.email_verification)))
            .collect(),
        phones: su
            .phone_number
            .iter()
            .map(|p| (new_id("idn"), p.clone(), strategy(&su.phone_verification)))
            .collect(),
        wallets: su
            .web3_wallet
            .iter()
            .map(|w| {
                (
                    new_id("idn_web3"),
                    w.clone(),
                    strategy(&su.web3_verification),
                )
            })
            .collect(),
        now,
    };
    let external = su
        .external_identity
        .as_ref()
        .zip(su.external_verification.as_ref())
        .filter(|(_, v)| v.status == Status::Verified);
    let factors = session_factor(
        external.map(|(_, v)| v.strategy.as_str()),
        su.password_hash.is_some(),
        [
            &su.email_verification,
            &su.phone_verification,
            &su.web3_verification,
        ]
        .into_iter()
        .flatten()
        .map(|v| v.strategy.as_str())
        .next(),
    );

    let txn = crate::store::begin(&ctx.db).await?;
    let inserted = match users::insert_user(&txn, new).await {
        Ok(()) => match external {
            Some((identity, _)) => {
                crate::store::external::insert(
                    &txn,
                    crate::oauth::external_row(&user_id, identity, now),
                )
                .await
            }
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    if let Err(e) = inserted {
        txn.rollback().await?;
        if is_unique_violation(&e) {
            return Err(which_identifier_exists(ctx, su).await);
        }
        return Err(e.into());
    }
    let organization_id = match external
        .as_ref()
        .and_then(|(identity, _)| crate::oauth::connection_organization(ctx, identity))
    {
        Some(org) => {
            let actor = crate::audit::Actor {
                user_id: user_id.clone(),
                ..Default::default()
            };
            match crate::organizations::join_by_connection_in(ctx, &txn, &actor, &org).await {
                Ok(v) => v,
                Err(e) => {
                    txn.rollback().await?;
                    return Err(e);
                }
            }
        }
        None => None,
    };
    let created = crate::session::create(
        ctx,
        &txn,
        crate::session::NewSession {
            client_id: &su.client_id,
            user_id: &user_id,
            factors,
            first_factor_at: now,
            second_factor_at: None,
            clear_sign_in: false,
            clear_sign_up: true,
            rotate_token,
            organization_id,
            actor: None,
            audit: None,
        },
    )
    .await;
    let (session, token, client) = match created {
        Ok(v) => v,
        Err(e) => {
            txn.rollback().await?;
            return Err(e);
        }
    };
    if let Err(e) = crate::webhooks::enqueue_user(ctx, &txn, "user.created", &user_id).await {
        txn.rollback().await?;
        return Err(e);
    }
    txn.commit().await?;
    tracing::info!(user_id = %user_id, session_id = %session.id, "sign-up complete");
    Ok((user_id, session.id, token, client))
}

/// After a unique violation: name the identifier another sign-up took first.
pub(super) async fn which_identifier_exists(ctx: &Ctx, su: &SignUp) -> FlowError {
    let checks = [
        (
            IdentifierKind::Email,
            su.email_address.as_deref(),
            "email_address",
        ),
        (
            IdentifierKind::Phone,
            su.phone_number.as_deref(),
            "phone_number",
        ),
        (IdentifierKind::Username, su.username.as_deref(), "username"),
    ];
    for (kind, value, param) in checks {
        if let Some(v) = value {
            match users::identifier_taken(&ctx.db, kind, v).await {
                Ok(true) => return identifier_exists(param).into(),
                Ok(false) => {}
                Err(e) => return e.into(),
            }
        }
    }
    identifier_exists("identifier").into()
}

/// What a new account's first session records as its authentication: one factor. Proving an
/// address at sign-up and choosing a password in the same breath is one event, not two
/// independent factors, so it must not read as `mfa` to relying parties (RFC 8176). The
/// upstream provider's sign-in counts first, then the password the user will sign in with,
/// then the verification of the address or wallet.
pub(super) fn session_factor(
    external: Option<&str>,
    password: bool,
    verified: Option<&str>,
) -> Vec<String> {
    external
        .or(password.then_some("password"))
        .or(verified)
        .map(|s| vec![s.to_owned()])
        .unwrap_or_default()
}
