//! Organization domains: an organization claims `acme.com` and proves it with a code sent to an
//! address there (or because the admin adding it already has a verified address there). Users
//! with a verified address at a verified domain then get, as the domain's enrollment mode says,
//! nothing (`manual_invitation`), an invitation (`automatic_invitation`) or a suggestion to ask
//! to join (`automatic_suggestion`), which the organization's admins accept or reject.
//!
//! Domains of free mail providers cannot be claimed: an organization owning `gmail.com` would
//! reach every user with a Gmail address.

use serde_json::{Value, json};

use super::render::{self, Audience};
use super::{Acting, By, Page, Permission, acting, finish, require_enabled};
use crate::Context as _;
use crate::account::Me;
use crate::domain::{EmailAddress, new_id};
use crate::store::organizations::{
    self as repo, ACCEPTED, DomainRow, InvitationRow, OrganizationRow, PENDING, REJECTED,
    RequestRow, SuggestionRow,
};
use crate::store::users::{self, UserRecord};
use crate::verification::{self, Channel, Purpose, Verification, Wording};
use crate::{ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params, load_state, save_state};

pub const MODES: &[&str] = &[
    "manual_invitation",
    "automatic_invitation",
    "automatic_suggestion",
];

pub const CREATE_PARAMS: &[&str] = &["name", "enrollment_mode"];
pub const MODE_PARAMS: &[&str] = &["enrollment_mode", "delete_pending"];
pub const PREPARE_PARAMS: &[&str] = &["affiliation_email_address"];
pub const ATTEMPT_PARAMS: &[&str] = &["code"];
pub const DOMAINS_QUERY: &[&str] = &[
    "limit",
    "offset",
    "paginated",
    "verified",
    "enrollment_mode",
];
pub const REQUESTS_QUERY: &[&str] = &["limit", "offset", "paginated", "status"];
pub const SUGGESTIONS_QUERY: &[&str] = &["limit", "offset", "paginated", "status"];

/// Mail providers whose domains no organization may claim.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.ru",
    "yandex.com",
    "zoho.com",
    "qq.com",
    "163.com",
    "126.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "mail.ru",
    "example.com",
];

fn key(domain_id: &str) -> String {
    format!("org_domain_verification:{domain_id}")
}

/// A domain name as users type it: lower-cased, at least two labels of letters, digits and
/// inner dashes, a letter-only top level.
pub fn parse_domain(raw: &str) -> FlowResult<String> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_lowercase()));
    if !ok {
        return Err(ApiError::new(
            ErrorCode::FormParamFormatInvalid,
            "is invalid",
            "Enter a domain name such as acme.com.",
        )
        .param("name")
        .into());
    }
    if FREE_MAIL.contains(&name.as_str()) {
        return Err(ApiError::invalid_value(
            "name",
            "Domains of public email providers cannot belong to an organization.",
        )
        .into());
    }
    Ok(name)
}

fn mode_param(params: &Params) -> FlowResult<Option<String>> {
    match params.text("enrollment_mode")? {
        None => Ok(None),
        Some(m) if MODES.contains(&m.as_str()) => Ok(Some(m)),
        Some(m) => Err(ApiError::invalid_value(
            "enrollment_mode",
            format!(
                "{m:?} is not manual_invitation, automatic_invitation or automatic_suggestion."
            ),
        )
        .into()),
    }
}

/// The domain of a verified address of the user's, lower-cased.
fn verified_domains_of(user: &UserRecord) -> Vec<String> {
    let mut out: Vec<String> = user
        .emails
        .iter()
        .filter(|e| e.verified)
        .filter_map(|e| {
            e.email_address
                .rsplit_once('@')
                .map(|(_, d)| d.to_lowercase())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub(super) fn render_domain(d: &DomainRow, pending: Option<&Verification>) -> Value {
    let verification = match (d.verified_at, pending) {
        (Some(at), _) => json!({
            "status": "verified", "strategy": "email_code", "attempts": null,
            "expire_at": null, "verified_at": at,
        }),
        (None, Some(v)) => json!({
            "status": v.status.as_str(), "strategy": "email_code", "attempts": v.attempts,
            "expire_at": v.expire_at, "verified_at": null,
        }),
        (None, None) => Value::Null,
    };
    json!({
        "object": "organization_domain",
        "id": d.id,
        "organization_id": d.organization_id,
        "name": d.name,
        "enrollment_mode": d.enrollment_mode,
        "affiliation_email_address": d.affiliation_email_address,
        "affiliation_verification": verification,
        "verification": verification,
        "ownership_verification": null,
        "total_pending_invitations": 0,
        "total_pending_suggestions": 0,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    })
}

async fn domain_of(ctx: &Ctx, a: &Acting, domain_id: &str) -> FlowResult<DomainRow> {
    repo::domain(&ctx.db, &a.org.id, domain_id)
        .await
        .context("organizations::domain")?
        .ok_or_else(|| ApiError::not_found("domain").into())
}

/// `POST /v1/organizations/{id}/domains`. A domain where the caller has a verified address is
/// verified at once.
pub async fn create(ctx: &Ctx, me: &Me, id: &str, params: &Params) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsManage, "add domains")?;
    params.only(CREATE_PARAMS)?;
    let name = parse_domain(&params.required("name")?)?;
    let mode = mode_param(params)?.unwrap_or_else(|| "manual_invitation".into());
    let now = ctx.now();
    let affiliated = verified_domains_of(me.user()).contains(&name);
    let row = DomainRow {
        id: new_id("orgdmn"),
        organization_id: a.org.id.clone(),
        name: name.clone(),
        enrollment_mode: mode,
        affiliation_email_address: affiliated
            .then(|| {
                me.user()
                    .emails
                    .iter()
                    .find(|e| e.verified && e.email_address.ends_with(&format!("@{name}")))
                    .map(|e| e.email_address.clone())
            })
            .flatten(),
        verified_at: affiliated.then_some(now),
        created_at: now,
        updated_at: now,
    };
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        repo::insert_domain(&tx, row.clone()).await.map_err(taken)?;
        super::record(
            ctx,
            &tx,
            By::Member(me),
            "organizationDomain.created",
            json!({ "organization_id": a.org.id, "domain": name, "verified": affiliated }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    Ok(render_domain(&row, None))
}

/// `GET /v1/organizations/{id}/domains`.
pub async fn list(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(DOMAINS_QUERY)?;
    let page = Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsRead, "see its domains")?;
    let mode = q.text("enrollment_mode")?;
    let (rows, total) = repo::domains(
        &ctx.db,
        &a.org.id,
        q.bool("verified")?,
        mode.as_deref(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::domains")?;
    let mut data = Vec::with_capacity(rows.len());
    for d in &rows {
        let pending: Option<Verification> = load_state(ctx, &key(&d.id)).await?;
        data.push(render_domain(d, pending.as_ref()));
    }
    Ok(json!({ "data": data, "total_count": total }))
}

/// `GET /v1/organizations/{id}/domains/{domain_id}`.
pub async fn get(ctx: &Ctx, me: &Me, id: &str, domain_id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsRead, "see its domains")?;
    let d = domain_of(ctx, &a, domain_id).await?;
    let pending: Option<Verification> = load_state(ctx, &key(&d.id)).await?;
    Ok(render_domain(&d, pending.as_ref()))
}

/// `DELETE /v1/organizations/{id}/domains/{domain_id}`.
pub async fn delete(ctx: &Ctx, me: &Me, id: &str, domain_id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsManage, "remove domains")?;
    let d = domain_of(ctx, &a, domain_id).await?;
    remove_in(ctx, By::Member(me), &d).await
}

/// A domain that another organization holds: the name is taken.
pub(super) fn taken(e: sea_orm::DbErr) -> FlowError {
    if crate::store::is_unique_violation(&e) {
        ApiError::new(
            ErrorCode::FormIdentifierExists,
            "That domain is taken",
            "This domain already belongs to an organization.",
        )
        .param("name")
        .into()
    } else {
        FlowError::from(e)
    }
}

/// Removes a domain, with its audit event, in one transaction.
pub(super) async fn remove_in(ctx: &Ctx, by: By<'_>, d: &DomainRow) -> FlowResult<Value> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        repo::delete_domain(&tx, &d.id)
            .await
            .context("organizations::delete_domain")?;
        super::record(
            ctx,
            &tx,
            by,
            "organizationDomain.deleted",
            json!({ "organization_id": d.organization_id, "domain": d.name }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    Ok(crate::wire::deleted("organization_domain", &d.id))
}

/// `POST …/domains/{domain_id}/update_enrollment_mode`.
pub async fn set_mode(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    domain_id: &str,
    params: &Params,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsManage, "change how domains enroll users")?;
    params.only(MODE_PARAMS)?;
    params.bool("delete_pending")?;
    let mode = mode_param(params)?.ok_or_else(|| ApiError::missing("enrollment_mode"))?;
    let mut d = domain_of(ctx, &a, domain_id).await?;
    d.enrollment_mode = mode;
    d.updated_at = ctx.now();
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        repo::update_domain(&tx, &d)
            .await
            .context("organizations::update_domain")?;
        super::record(
            ctx,
            &tx,
            By::Member(me),
            "organizationDomain.updated",
            json!({ "organization_id": a.org.id, "domain": d.name, "enrollment_mode": d.enrollment_mode }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    Ok(render_domain(&d, None))
}

/// `POST …/prepare_affiliation_verification`: a code to an address at the domain.
pub async fn prepare(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    domain_id: &str,
    params: &Params,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsManage, "verify domains")?;
    params.only(PREPARE_PARAMS)?;
    let mut d = domain_of(ctx, &a, domain_id).await?;
    if d.verified_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already verified",
            "This domain is already verified.",
        )
        .into());
    }
    let address = EmailAddress::parse(&params.required("affiliation_email_address")?)
        .map_err(|e| ApiError::from_parse("affiliation_email_address", &e))?
        .as_ref()
        .to_owned();
    if !address.ends_with(&format!("@{}", d.name)) {
        return Err(ApiError::invalid_value(
            "affiliation_email_address",
            format!("The address must be at {}.", d.name),
        )
        .into());
    }
    let v = verification::send_code(
        ctx,
        &d.id,
        "email_code",
        Channel::Email,
        &address,
        Some(d.id.clone()),
        Wording {
            purpose: Purpose::AddToAccount,
            locale: me.locale(),
        },
    )
    .await?;
    let until = v.expire_at.unwrap_or_else(|| ctx.now()) + 60_000;
    save_state(ctx, &key(&d.id), &v, until).await?;
    d.affiliation_email_address = Some(address);
    d.updated_at = ctx.now();
    repo::update_domain(&ctx.db, &d)
        .await
        .context("organizations::update_domain")?;
    Ok(render_domain(&d, Some(&v)))
}

/// `POST …/attempt_affiliation_verification`: the code verifies the domain.
pub async fn attempt(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    domain_id: &str,
    params: &Params,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::DomainsManage, "verify domains")?;
    params.only(ATTEMPT_PARAMS)?;
    let code = params.required("code")?;
    let mut d = domain_of(ctx, &a, domain_id).await?;
    let Some(mut v) = load_state::<Verification>(ctx, &key(&d.id)).await? else {
        return Err(verification::not_sent().into());
    };
    let checked = verification::check_code(ctx, &mut v, &code).await;
    let until = v.expire_at.unwrap_or_else(|| ctx.now()) + 60_000;
    save_state(ctx, &key(&d.id), &v, until).await?;
    checked?;
    let now = ctx.now();
    d.verified_at = Some(now);
    d.updated_at = now;
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        repo::update_domain(&tx, &d)
            .await
            .context("organizations::update_domain")?;
        super::record(
            ctx,
            &tx,
            By::Member(me),
            "organizationDomain.verified",
            json!({ "organization_id": a.org.id, "domain": d.name }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    ctx.eph.delete(&key(&d.id)).await?;
    Ok(render_domain(&d, None))
}

/// Whether an enterprise connection may belong to `org_id`: organizations are on, the
/// organization exists, and it has verified every domain the connection serves, so a
/// connection cannot pull another company's users into an organization.
pub async fn check_connection(ctx: &Ctx, org_id: &str, names: &[String]) -> FlowResult<()> {
    let refuse = |m: String| -> FlowError { ApiError::invalid_value("organization_id", m).into() };
    require_enabled(ctx)?;
    repo::get(&ctx.db, org_id)
        .await
        .context("organizations::get")?
        .ok_or_else(|| refuse(format!("No organization has the id {org_id:?}.")))?;
    let names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let verified = repo::verified_domains_named(&ctx.db, &names)
        .await
        .context("organizations::verified_domains_named")?;
    for name in &names {
        if !verified
            .iter()
            .any(|d| &d.name == name && d.organization_id == org_id)
        {
            return Err(refuse(format!(
                "The organization has not verified the domain {name}."
            )));
        }
    }
    Ok(())
}

// ---- what verified domains offer users ----

/// Brings the user's enrollment up to date: for each verified domain where they have a
/// verified address and are not a member, a pending invitation (`automatic_invitation`, when
/// a seat is free) or a suggestion (`automatic_suggestion`). Called when the user looks at
/// their invitations or suggestions.
pub async fn enroll(ctx: &Ctx, user: &UserRecord) -> FlowResult<()> {
    if !ctx.settings().organizations.enabled {
        return Ok(());
    }
    let names = verified_domains_of(user);
    let domains = repo::verified_domains_named(&ctx.db, &names)
        .await
        .context("organizations::verified_domains_named")?;
    for d in domains {
        if d.enrollment_mode == "manual_invitation"
            || user
                .memberships
                .iter()
                .any(|m| m.organization.id == d.organization_id)
        {
            continue;
        }
        let now = ctx.now();
        let Some(email) = user
            .emails
            .iter()
            .find(|e| {
                e.verified
                    && e.email_address
                        .to_lowercase()
                        .ends_with(&format!("@{}", d.name))
            })
            .map(|e| e.email_address.to_lowercase())
        else {
            continue;
        };
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            if d.enrollment_mode == "automatic_suggestion" {
                repo::suggest(
                    &tx,
                    SuggestionRow {
                        id: new_id("orgsug"),
                        organization_id: d.organization_id.clone(),
                        user_id: user.user.id.clone(),
                        status: PENDING.into(),
                        created_at: now,
                        updated_at: now,
                    },
                )
                .await
                .context("organizations::suggest")?;
                return Ok(());
            }
            let Ok((org, taken)) = super::seats_taken(&tx, &d.organization_id, now).await else {
                return Ok(());
            };
            let has_pending = repo::pending_for(&tx, &org.id, &email, now)
                .await
                .context("organizations::pending_for")?
                .is_some();
            // Someone invited before, and since accepted, revoked or expired, is not invited
            // again and again: only a first automatic invitation is made.
            let (earlier, _) = repo::invitations(
                &tx,
                Some(&org.id),
                Some(std::slice::from_ref(&email)),
                &[],
                now,
                1,
                0,
            )
            .await
            .context("organizations::invitations")?;
            if has_pending || !earlier.is_empty() || super::check_quota(&org, taken).is_err() {
                return Ok(());
            }
            let lifetime = ctx.settings().organizations.invitation_lifetime_secs;
            let inv = InvitationRow {
                id: new_id("orginv"),
                organization_id: org.id.clone(),
                email_address: email.clone(),
                role: ctx.settings().organizations.default_role.clone(),
                status: PENDING.into(),
                token_hash: None,
                public_metadata: "{}".into(),
                private_metadata: "{}".into(),
                inviter_user_id: None,
                expires_at: now + lifetime * 1000,
                created_at: now,
                updated_at: now,
            };
            repo::insert_invitation(&tx, inv.clone())
                .await
                .context("organizations::insert_invitation")?;
            crate::webhooks::enqueue(
                ctx,
                &tx,
                "organizationInvitation.created",
                render::invitation(ctx, &inv, &org, Audience::Operator),
            )
            .await
        }
        .await;
        finish(tx, result).await?;
    }
    Ok(())
}

fn render_suggestion(s: &SuggestionRow, org: &OrganizationRow) -> Value {
    json!({
        "object": "organization_suggestion",
        "id": s.id,
        "public_organization_data": {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "image_url": org.image_url.clone().unwrap_or_default(),
            "has_image": org.image_url.is_some(),
        },
        "status": s.status,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    })
}

fn statuses(q: &Params, allowed: &[&'static str]) -> FlowResult<Vec<&'static str>> {
    let Some(raw) = q.text("status")? else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|s| {
            allowed
                .iter()
                .find(|a| **a == s.trim())
                .copied()
                .ok_or_else(|| {
                    ApiError::invalid_value(
                        "status",
                        format!("{:?} is not a status here.", s.trim()),
                    )
                    .into()
                })
        })
        .collect()
}

/// `GET /v1/me/organization_suggestions`.
pub async fn my_suggestions(ctx: &Ctx, me: &Me, q: &Params) -> FlowResult<Value> {
    q.only(SUGGESTIONS_QUERY)?;
    let page = Page::from_query(q)?;
    require_enabled(ctx)?;
    let user = crate::account::reload(ctx, me).await?;
    enroll(ctx, &user).await?;
    let statuses = statuses(q, &[PENDING, ACCEPTED])?;
    let (rows, total) =
        repo::suggestions_of(&ctx.db, &user.user.id, &statuses, page.limit, page.offset)
            .await
            .context("organizations::suggestions_of")?;
    let mut data = Vec::with_capacity(rows.len());
    for s in &rows {
        if let Some(org) = repo::get(&ctx.db, &s.organization_id)
            .await
            .context("organizations::get")?
        {
            data.push(render_suggestion(s, &org));
        }
    }
    Ok(json!({ "data": data, "total_count": total }))
}

/// `POST /v1/me/organization_suggestions/{id}/accept`: asks to join; the organization's admins
/// accept or reject the request.
pub async fn accept_suggestion(ctx: &Ctx, me: &Me, suggestion_id: &str) -> FlowResult<Value> {
    require_enabled(ctx)?;
    let user_id = me.user().user.id.clone();
    // Another user's suggestion is as unknown as a missing one.
    let s = repo::suggestion(&ctx.db, suggestion_id)
        .await
        .context("organizations::suggestion")?
        .filter(|s| s.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("suggestion"))?;
    let org = repo::get(&ctx.db, &s.organization_id)
        .await
        .context("organizations::get")?
        .ok_or_else(|| ApiError::not_found("suggestion"))?;
    let now = ctx.now();
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        if !repo::settle_suggestion(&tx, &s.id, ACCEPTED, now)
            .await
            .context("organizations::settle_suggestion")?
        {
            return Err(ApiError::state("This suggestion was already accepted.").into());
        }
        let r = repo::request_to_join(&tx, &new_id("orgmbreq"), &org.id, &user_id, now)
            .await
            .context("organizations::request_to_join")?;
        crate::audit::record(
            ctx,
            &tx,
            &me.actor,
            "organizationMembershipRequest.created",
            json!({ "organization_id": org.id, "request_id": r.id }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    let s = SuggestionRow {
        status: ACCEPTED.into(),
        updated_at: now,
        ..s
    };
    Ok(render_suggestion(&s, &org))
}

async fn render_request(ctx: &Ctx, r: &RequestRow) -> FlowResult<Value> {
    let user = users::get_user(&ctx.db, &r.user_id)
        .await
        .context("users::get_user")?;
    Ok(json!({
        "object": "organization_membership_request",
        "id": r.id,
        "organization_id": r.organization_id,
        "status": r.status,
        "public_user_data": user.as_ref().map(render::public_user_data),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }))
}

/// `GET /v1/organizations/{id}/membership_requests`.
pub async fn requests(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(REQUESTS_QUERY)?;
    let page = Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "see membership requests")?;
    let status = statuses(q, &[PENDING, ACCEPTED, REJECTED])?;
    let (rows, total) = repo::requests(
        &ctx.db,
        &a.org.id,
        status.first().copied(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::requests")?;
    let mut data = Vec::with_capacity(rows.len());
    for r in &rows {
        data.push(render_request(ctx, r).await?);
    }
    Ok(json!({ "data": data, "total_count": total }))
}

/// `POST …/membership_requests/{request_id}/accept` or `/reject`.
pub async fn answer_request(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    request_id: &str,
    accept: bool,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "answer membership requests")?;
    let now = ctx.now();
    let r = repo::request(&ctx.db, &a.org.id, request_id)
        .await
        .context("organizations::request")?
        .ok_or_else(|| ApiError::not_found("membership request"))?;
    let user = users::get_user(&ctx.db, &r.user_id)
        .await
        .context("users::get_user")?
        .ok_or_else(|| ApiError::not_found("membership request"))?;
    let status = if accept { ACCEPTED } else { REJECTED };
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        if !repo::settle_request(&tx, &r.id, status, now)
            .await
            .context("organizations::settle_request")?
        {
            return Err(ApiError::state("This request was already answered.").into());
        }
        if accept {
            let (org, taken) = super::seats_taken(&tx, &a.org.id, now).await?;
            let role = ctx.settings().organizations.default_role.clone();
            super::add_in(ctx, &tx, By::Member(me), &org, &user, &role, Some(taken)).await?;
        }
        crate::audit::record(
            ctx,
            &tx,
            &me.actor,
            if accept {
                "organizationMembershipRequest.accepted"
            } else {
                "organizationMembershipRequest.rejected"
            },
            json!({ "organization_id": a.org.id, "request_id": r.id, "user_id": r.user_id }),
        )
        .await
    }
    .await;
    finish(tx, result).await?;
    let r = RequestRow {
        status: status.into(),
        updated_at: now,
        ..r
    };
    render_request(ctx, &r).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_names_and_not_free_mail() {
        assert_eq!(parse_domain(" Acme.COM. ").ok(), Some("acme.com".into()));
        assert!(parse_domain("sub.acme.co.uk").is_ok());
        for bad in [
            "acme",
            "-acme.com",
            "acme-.com",
            "ac me.com",
            "acme.c0m",
            "a..com",
            "gmail.com",
            "",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
        assert!(parse_domain(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(parse_domain(&format!("{}.com", "a".repeat(63))).is_ok());
    }
}
