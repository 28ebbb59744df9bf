//! Who may sign up, as operators decide it: invitations, the allowlist and blocklist, and the
//! waitlist.

use super::*;

/// An invitation as the admin API shows it.
pub struct Invitation {
    pub row: crate::store::tickets::TicketRow,
    /// Only right after creation.
    pub url: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invite(
    ctx: &Ctx,
    admin: &Admin,
    email: &str,
    expires_in_days: i64,
) -> FlowResult<Invitation> {
    invite_notifying(ctx, admin, email, expires_in_days, None, false).await
}

/// An invitation, emailed to the address when `notify` (the Backend API's default), giving
/// the user it signs up `public_metadata`. The invitation stands even if the email cannot be
/// sent now; the operator still gets its link.
pub async fn invite_notifying(
    ctx: &Ctx,
    admin: &Admin,
    email: &str,
    expires_in_days: i64,
    public_metadata: Option<Value>,
    notify: bool,
) -> FlowResult<Invitation> {
    let one = NewInvite {
        email_address: email.to_owned(),
        expires_in_days,
        public_metadata,
        notify,
    };
    invite_all(ctx, admin, vec![one])
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("one invitation asked, none made").into())
}

/// One invitation of a batch.
#[derive(Debug)]
pub struct NewInvite {
    pub email_address: String,
    pub expires_in_days: i64,
    pub public_metadata: Option<Value>,
    pub notify: bool,
}

/// The most invitations one request makes.
pub const MAX_INVITES: usize = 100;

/// Invitations made together: every one is checked first, then all are written in one
/// transaction (so a bad address in the batch leaves none behind), then emailed.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invite_all(
    ctx: &Ctx,
    admin: &Admin,
    batch: Vec<NewInvite>,
) -> FlowResult<Vec<Invitation>> {
    if batch.is_empty() || batch.len() > MAX_INVITES {
        return Err(invalid("invitations", "1 to 100 invitations at once.").into());
    }
    let now = ctx.now();
    let mut checked = Vec::with_capacity(batch.len());
    for item in batch {
        let public_metadata = metadata("public_metadata", item.public_metadata)?;
        let email = EmailAddress::parse(&item.email_address)
            .map_err(|e| ApiError::from_parse("email_address", &e))?;
        if !(1..=365).contains(&item.expires_in_days) {
            return Err(invalid("expires_in_days", "Between 1 and 365 days.").into());
        }
        let (mut row, token) = crate::tickets::new_ticket(
            &ctx.tokens,
            crate::tickets::INVITATION,
            item.expires_in_days * 86_400,
            now,
        );
        row.email_address = Some(email.as_ref().to_owned());
        row.detail = public_metadata.map(|m| format!("{{\"public_metadata\":{m}}}"));
        checked.push((row, token, item.expires_in_days, item.notify));
    }
    let txn = crate::store::begin(&ctx.db).await?;
    for (row, _, _, _) in &checked {
        crate::store::tickets::insert(&txn, row.clone())
            .await
            .context("tickets::insert")?;
        record(
            ctx,
            &txn,
            admin,
            None,
            "admin.invitation.created",
            json!({ "invitation_id": row.id, "email_address": row.email_address }),
        )
        .await?;
    }
    txn.commit().await?;
    let mut out = Vec::with_capacity(checked.len());
    for (row, token, days, notify) in checked {
        let url = format!("{}/sign-up?__clerk_ticket={token}", ctx.settings().issuer());
        if notify
            && let Err(e) = ctx
                .delivery
                // The invitee's language is not known yet: the instance's default.
                .send_invitation(
                    row.email_address.as_deref().unwrap_or_default(),
                    crate::i18n::Locale::EN,
                    &url,
                    days,
                )
                .await
        {
            tracing::warn!(error = %e, invitation_id = %row.id, "the invitation email was not sent");
        }
        out.push(Invitation {
            row,
            url: Some(url),
        });
    }
    Ok(out)
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn revoke_invitation(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<Invitation> {
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let Some(row) = crate::store::tickets::revoke(&txn, id, crate::tickets::INVITATION, now)
        .await
        .context("tickets::revoke")?
    else {
        txn.rollback().await?;
        return Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            "Invitation not found",
            "No pending invitation with this id.",
        )
        .into());
    };
    record(
        ctx,
        &txn,
        admin,
        None,
        "admin.invitation.revoked",
        json!({ "invitation_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(Invitation { row, url: None })
}

#[tracing::instrument(level = "debug", skip_all, fields(list = %list), err(level = "debug"))]
pub async fn add_rule(
    ctx: &Ctx,
    admin: &Admin,
    list: &str,
    identifier: &str,
) -> FlowResult<repo::SignUpRuleRow> {
    let pattern = crate::policy::normalise_pattern(identifier).ok_or_else(|| {
        invalid(
            "identifier",
            "An email address, phone number, username, wallet, `*@domain` or `*@*.domain`.",
        )
    })?;
    if let Some(existing) = repo::find_sign_up_rule(&ctx.db, list, &pattern).await? {
        return Ok(existing);
    }
    let row = repo::SignUpRuleRow {
        id: new_id(if list == repo::ALLOW { "alid" } else { "blid" }),
        list: list.to_owned(),
        pattern,
        created_at: ctx.now(),
    };
    let txn = crate::store::begin(&ctx.db).await?;
    repo::insert_sign_up_rule(&txn, row.clone()).await?;
    record(
        ctx,
        &txn,
        admin,
        None,
        &format!("admin.{list}list.added"),
        json!({ "identifier": row.pattern }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[tracing::instrument(level = "debug", skip_all, fields(list = %list, id = %id), err(level = "debug"))]
pub async fn remove_rule(ctx: &Ctx, admin: &Admin, list: &str, id: &str) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await?;
    if !repo::delete_sign_up_rule(&txn, list, id).await? {
        txn.rollback().await?;
        return Err(not_found("identifier").into());
    }
    record(
        ctx,
        &txn,
        admin,
        None,
        &format!("admin.{list}list.removed"),
        json!({ "id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `POST /v1/waitlist`: joins (or is already on) the waitlist. Only in waitlist mode.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn join_waitlist(ctx: &Ctx, email: &str) -> FlowResult<repo::WaitlistRow> {
    if ctx.settings().auth.sign_up_mode != crate::config::SignUpMode::Waitlist {
        return Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            "There is no waitlist",
            "This instance does not collect a waitlist.",
        )
        .into());
    }
    let email =
        EmailAddress::parse(email).map_err(|e| ApiError::from_parse("email_address", &e))?;
    crate::policy::check_sign_up(
        ctx,
        &crate::policy::Identifiers {
            email_address: Some(email.as_ref()),
            phone_number: None,
            username: None,
            web3_wallet: None,
        },
        true,
    )
    .await?;
    if let Some(existing) = repo::waitlist_by_email(&ctx.db, email.as_ref()).await? {
        return Ok(existing);
    }
    let now = ctx.now();
    let row = repo::WaitlistRow {
        id: new_id("wle"),
        email_address: email.as_ref().to_owned(),
        status: "pending".into(),
        invitation_id: None,
        created_at: now,
        updated_at: now,
    };
    match repo::insert_waitlist(&ctx.db, row.clone()).await {
        Ok(()) => Ok(row),
        // Two joins at once: the other one's entry stands.
        Err(e) if crate::store::is_unique_violation(&e) => {
            repo::waitlist_by_email(&ctx.db, email.as_ref())
                .await?
                .ok_or_else(|| e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Invites a waitlist entry: an invitation to its address, the entry marked invited.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn invite_from_waitlist(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    expires_in_days: i64,
) -> FlowResult<(repo::WaitlistRow, Invitation)> {
    let entry = repo::waitlist_entry(&ctx.db, id)
        .await?
        .ok_or_else(|| not_found("waitlist entry"))?;
    if entry.status != "pending" {
        return Err(ApiError::state("This waitlist entry was already invited.").into());
    }
    let invitation = invite(ctx, admin, &entry.email_address, expires_in_days).await?;
    if !repo::waitlist_invited(&ctx.db, id, &invitation.row.id, ctx.now()).await? {
        return Err(ApiError::state("This waitlist entry was already invited.").into());
    }
    let entry = repo::waitlist_entry(&ctx.db, id)
        .await?
        .ok_or_else(|| not_found("waitlist entry"))?;
    Ok((entry, invitation))
}
