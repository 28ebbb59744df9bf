//! The JSON shapes of Clerk's model (sign-ins, sign-ups, users, sessions, clients), as the
//! Frontend API answers them and webhooks send them. Pure rendering of what the flows return;
//! the private parts of a state (code hashes, nonces) are simply never read here.

use serde_json::{Value, json};

use crate::account::Identification;
use crate::client::ClientSnapshot;
use crate::mfa::TotpView;
use crate::session::{self, LiveSession};
use crate::sign_in::{Factor, SignIn};
use crate::sign_up::{self, SignUp};
use crate::store::users::{IdentifierKind, UserRecord};
use crate::verification::{Status, Verification};
use crate::{ApiError, Ctx, FlowResult};

pub fn error_json(e: &ApiError) -> Value {
    let mut meta = serde_json::Map::new();
    if let Some(p) = &e.param {
        meta.insert("param_name".into(), p.clone().into());
    }
    json!({
        "code": e.code.as_str(),
        "message": e.message,
        "long_message": e.long_message,
        "meta": meta,
    })
}

/// A stored metadata document (a JSON object; `{}` if it cannot be read).
pub fn metadata(raw: &str) -> Value {
    serde_json::from_str::<Value>(raw).unwrap_or_else(|_| json!({}))
}

pub fn verification(v: &Verification) -> Value {
    json!({
        "status": v.status.as_str(),
        "strategy": v.strategy,
        "attempts": v.attempts,
        "expire_at": v.expire_at,
        "error": v.error.as_ref().map(error_json),
        "external_verification_redirect_url": v.external_url,
        "verified_at_client": null,
        "nonce": v.public_nonce,
        "message": v.message,
    })
}

fn factor(f: &Factor) -> Value {
    let mut obj = json!({
        "strategy": f.strategy,
        "primary": f.primary,
        "default": f.default,
    });
    if let Some(map) = obj.as_object_mut() {
        if let Some(s) = &f.safe_identifier {
            map.insert("safe_identifier".into(), s.clone().into());
        }
        if let Some(id) = &f.email_address_id {
            map.insert("email_address_id".into(), id.clone().into());
        }
        if let Some(id) = &f.phone_number_id {
            map.insert("phone_number_id".into(), id.clone().into());
        }
        if let Some(id) = &f.web3_wallet_id {
            map.insert("web3_wallet_id".into(), id.clone().into());
        }
    }
    obj
}

pub fn sign_in(ctx: &Ctx, si: &SignIn) -> Value {
    let auth = &ctx.settings().auth;
    let mut identifiers = Vec::new();
    if auth.email_address.enabled() {
        identifiers.push("email_address");
    }
    if auth.phone_number.enabled() {
        identifiers.push("phone_number");
    }
    if auth.username.enabled() {
        identifiers.push("username");
    }
    json!({
        "object": "sign_in_attempt",
        "id": si.id,
        "status": si.status.as_str(),
        "supported_identifiers": identifiers,
        "identifier": si.identifier,
        "user_data": si.user_data.as_ref().map(|u| json!({
            "first_name": u.first_name,
            "last_name": u.last_name,
            "image_url": "",
            "has_image": false,
        })),
        "supported_first_factors": si.supported_first_factors.iter().map(factor).collect::<Vec<_>>(),
        "supported_second_factors": si.supported_second_factors.iter().map(factor).collect::<Vec<_>>(),
        "first_factor_verification": si.first_factor_verification.as_ref().map(verification),
        "second_factor_verification": si.second_factor_verification.as_ref().map(verification),
        "created_session_id": si.created_session_id,
        "abandon_at": si.abandon_at,
    })
}

fn email_strategies(ctx: &Ctx) -> &'static [&'static str] {
    if ctx
        .settings()
        .auth
        .first_factors
        .iter()
        .any(|f| f == "email_link")
    {
        &["email_code", "email_link"]
    } else {
        &["email_code"]
    }
}

/// A sign-up verification with the `next_action` hint: prepare, attempt, or nothing left.
fn sign_up_verification(v: Option<&Verification>, strategies: &[&str]) -> Value {
    let (mut obj, next) = match v {
        None => (
            json!({
                "status": "unverified",
                "strategy": null,
                "attempts": null,
                "expire_at": null,
                "error": null,
            }),
            "needs_prepare",
        ),
        Some(v) => {
            let next = match v.status {
                Status::Verified => "",
                Status::Unverified => "needs_attempt",
                _ => "needs_prepare",
            };
            (verification(v), next)
        }
    };
    if let Some(map) = obj.as_object_mut() {
        map.insert("next_action".into(), next.into());
        map.insert("supported_strategies".into(), json!(strategies));
    }
    obj
}

pub fn sign_up(ctx: &Ctx, su: &SignUp) -> Value {
    let req = sign_up::requirements(&ctx.settings().auth, su);
    json!({
        "object": "sign_up_attempt",
        "id": su.id,
        "status": su.status.as_str(),
        "required_fields": req.required,
        "optional_fields": req.optional,
        "missing_fields": req.missing,
        "unverified_fields": req.unverified,
        "verifications": {
            "email_address": su.email_address.as_ref()
                .map(|_| sign_up_verification(su.email_verification.as_ref(), email_strategies(ctx))),
            "phone_number": su.phone_number.as_ref()
                .map(|_| sign_up_verification(su.phone_verification.as_ref(), &["phone_code"])),
            "web3_wallet": su.web3_wallet.as_ref()
                .map(|_| sign_up_verification(su.web3_verification.as_ref(), &crate::web3::STRATEGIES)),
            "external_account": su.external_verification.as_ref().map(verification),
        },
        "username": su.username,
        "email_address": su.email_address,
        "phone_number": su.phone_number,
        "web3_wallet": su.web3_wallet,
        "password_enabled": su.password_hash.is_some(),
        "first_name": su.first_name,
        "last_name": su.last_name,
        "locale": su.locale,
        "unsafe_metadata": su.unsafe_metadata,
        "public_metadata": su.public_metadata.clone().unwrap_or_else(|| json!({})),
        "custom_action": false,
        "external_id": null,
        "created_session_id": su.created_session_id,
        "created_user_id": su.created_user_id,
        "abandon_at": su.abandon_at,
        "legal_accepted_at": su.legal_accepted_at,
    })
}

fn identification_verification(strategy: &Option<String>, verified: bool) -> Value {
    json!({
        "status": if verified { "verified" } else { "unverified" },
        "strategy": strategy,
        "attempts": null,
        "expire_at": null,
    })
}

/// A user as the Frontend API and webhooks show one. Accounts at enterprise connections go in
/// `enterprise_accounts`, the others in `external_accounts`, as Clerk's SDKs read them.
pub fn user(ctx: &Ctx, u: &UserRecord) -> Value {
    let m = &u.user;
    let (enterprise, external): (Vec<_>, Vec<_>) = u
        .external
        .iter()
        .partition(|x| x.provider.starts_with("enterprise_"));
    json!({
        "object": "user",
        "id": m.id,
        "username": m.username,
        "locale": m.locale,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "image_url": "",
        "has_image": false,
        "primary_email_address_id": m.primary_email_address_id,
        "primary_phone_number_id": m.primary_phone_number_id,
        "primary_web3_wallet_id": u.wallets.first().map(|w| w.id.clone()),
        "password_enabled": m.password_hash.is_some(),
        "two_factor_enabled": u.two_factor_enabled(),
        "totp_enabled": u.totp,
        "backup_code_enabled": u.backup_codes > 0,
        "email_addresses": u.emails.iter().map(|e| json!({
            "object": "email_address",
            "id": e.id,
            "email_address": e.email_address,
            "reserved": false,
            "verification": identification_verification(&e.verification_strategy, e.verified),
            "linked_to": [],
            "created_at": e.created_at,
            "updated_at": e.updated_at,
        })).collect::<Vec<_>>(),
        "phone_numbers": u.phones.iter().map(|p| json!({
            "object": "phone_number",
            "id": p.id,
            "phone_number": p.phone_number,
            "reserved_for_second_factor": p.reserved_for_second_factor,
            "default_second_factor": p.default_second_factor,
            "reserved": false,
            "verification": identification_verification(&p.verification_strategy, p.verified),
            "linked_to": [],
            "backup_codes": null,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        })).collect::<Vec<_>>(),
        "web3_wallets": u.wallets.iter().map(|w| json!({
            "object": "web3_wallet",
            "id": w.id,
            "web3_wallet": w.web3_wallet,
            "verification": identification_verification(&w.verification_strategy, w.verified),
            "created_at": w.created_at,
            "updated_at": w.updated_at,
        })).collect::<Vec<_>>(),
        "passkeys": u.passkeys.iter().map(passkey).collect::<Vec<_>>(),
        "external_accounts": external.into_iter().map(external_account).collect::<Vec<_>>(),
        "enterprise_accounts": enterprise.into_iter().map(|x| enterprise_account(ctx, x)).collect::<Vec<_>>(),
        "organization_memberships": crate::organizations::user_memberships(ctx, u),
        "public_metadata": metadata(&m.public_metadata),
        "unsafe_metadata": metadata(&m.unsafe_metadata),
        "legal_accepted_at": m.legal_accepted_at,
        "last_sign_in_at": m.last_sign_in_at,
        "delete_self_enabled": true,
        "create_organization_enabled": crate::organizations::may_create(ctx, u),
        "create_organizations_limit": match ctx.settings().organizations.max_created_per_user {
            0 => Value::Null,
            n => json!(n),
        },
        "created_at": m.created_at,
        "updated_at": m.updated_at,
    })
}

fn public_user_data(u: &UserRecord) -> Value {
    let identifier = u
        .emails
        .iter()
        .find(|e| Some(&e.id) == u.user.primary_email_address_id.as_ref())
        .map(|e| e.email_address.clone())
        .or_else(|| u.phones.first().map(|p| p.phone_number.clone()))
        .or_else(|| u.user.username.clone());
    json!({
        "first_name": u.user.first_name,
        "last_name": u.user.last_name,
        "image_url": "",
        "has_image": false,
        "identifier": identifier,
    })
}

pub fn session(ctx: &Ctx, s: &LiveSession, origin: Option<&str>) -> FlowResult<Value> {
    let now = ctx.now();
    let age = |t: i64| (now - t).max(0) / 60_000;
    let jwt = if s.is_active() {
        Some(session::token(ctx, s, origin)?)
    } else {
        None
    };
    Ok(json!({
        "object": "session",
        "id": s.row.id,
        "status": s.status,
        "expire_at": s.expire_at,
        "abandon_at": s.row.abandon_at,
        "last_active_at": s.row.last_active_at,
        "last_active_token": jwt.map(|jwt| json!({ "object": "token", "jwt": jwt })),
        "last_active_organization_id": crate::organizations::active_membership(ctx, s)
            .map(|(m, _)| m.organization.id),
        "actor": s.row.actor.as_deref().map(metadata),
        "user": user(ctx, &s.user),
        "public_user_data": public_user_data(&s.user),
        "factor_verification_age": [age(s.row.first_factor_at), s.row.second_factor_at.map_or(-1, age)],
        "tasks": s.tasks().iter().map(|k| json!({ "key": k })).collect::<Vec<_>>(),
        "created_at": s.row.created_at,
        "updated_at": s.row.updated_at,
    }))
}

pub fn client(ctx: &Ctx, c: &ClientSnapshot, origin: Option<&str>) -> FlowResult<Value> {
    let sessions = c
        .sessions
        .iter()
        .map(|s| session(ctx, s, origin))
        .collect::<FlowResult<Vec<_>>>()?;
    Ok(json!({
        "object": "client",
        "id": c.row.id,
        "sessions": sessions,
        "sign_in": c.sign_in.as_ref().map(|s| sign_in(ctx, s)),
        "sign_up": c.sign_up.as_ref().map(|s| sign_up(ctx, s)),
        "last_active_session_id": c.row.last_active_session_id,
        "cookie_expires_at": null,
        "created_at": c.row.created_at,
        "updated_at": c.row.updated_at,
    }))
}

/// An email address or phone number as the account API returns it.
pub fn identification(i: &Identification) -> Value {
    let verification = match (&i.verification, i.verified) {
        (_, true) => identification_verification(&i.strategy, true),
        (Some(v), false) => verification(v),
        (None, false) => identification_verification(&None, false),
    };
    match i.kind {
        IdentifierKind::Email => json!({
            "object": "email_address",
            "id": i.id,
            "email_address": i.value,
            "reserved": false,
            "verification": verification,
            "linked_to": [],
            "created_at": i.created_at,
            "updated_at": i.updated_at,
        }),
        _ => json!({
            "object": "phone_number",
            "id": i.id,
            "phone_number": i.value,
            "reserved_for_second_factor": i.reserved_for_second_factor,
            "default_second_factor": i.default_second_factor,
            "reserved": false,
            "verification": verification,
            "linked_to": [],
            "backup_codes": null,
            "created_at": i.created_at,
            "updated_at": i.updated_at,
        }),
    }
}

/// A session's reverification (`object: session_reverification`), with the session as it is
/// now (its `factor_verification_age` moves once the reverification completes).
pub fn reverification(rv: &crate::reverification::Reverification, session: Value) -> Value {
    json!({
        "object": "session_reverification",
        "level": rv.level.as_str(),
        "status": rv.status.as_str(),
        "supported_first_factors": rv.supported_first_factors.iter().map(factor).collect::<Vec<_>>(),
        "supported_second_factors": rv.supported_second_factors.iter().map(factor).collect::<Vec<_>>(),
        "first_factor_verification": rv.first_factor_verification.as_ref().map(verification),
        "second_factor_verification": rv.second_factor_verification.as_ref().map(verification),
        "session": session,
    })
}

pub fn deleted(object: &str, id: &str) -> Value {
    json!({ "object": object, "id": id, "deleted": true })
}

pub fn totp(t: &TotpView) -> Value {
    json!({
        "object": "totp",
        "id": t.id,
        "secret": t.secret,
        "uri": t.uri,
        "verified": t.verified,
        "backup_codes": t.backup_codes,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

pub fn backup_codes(codes: &[String], now: i64) -> Value {
    json!({
        "object": "backup_code",
        "id": crate::domain::new_id("bcs"),
        "codes": codes,
        "created_at": now,
        "updated_at": now,
    })
}

/// A session of the user's on any device, for the account page's list: no token.
pub fn session_summary(s: &LiveSession, current: &str) -> Value {
    json!({
        "object": "session",
        "id": s.row.id,
        "status": s.status,
        "expire_at": s.expire_at,
        "abandon_at": s.row.abandon_at,
        "last_active_at": s.row.last_active_at,
        "current": s.row.id == current,
        "latest_activity": null,
        // An operator signed in as the user: the user sees who.
        "actor": s.row.actor.as_deref().map(metadata),
        "created_at": s.row.created_at,
        "updated_at": s.row.updated_at,
    })
}

/// An upstream account connected to the user.
pub fn external_account(x: &crate::store::external::ExternalAccountRow) -> Value {
    json!({
        "object": "external_account",
        "id": x.id,
        "provider": format!("oauth_{}", x.provider),
        "identification_id": x.id,
        "provider_user_id": x.provider_user_id,
        "approved_scopes": "",
        "email_address": x.email_address.clone().unwrap_or_default(),
        "first_name": x.first_name.clone().unwrap_or_default(),
        "last_name": x.last_name.clone().unwrap_or_default(),
        "image_url": x.image_url.clone().unwrap_or_default(),
        "username": x.username,
        "public_metadata": {},
        "label": null,
        "verification": { "status": "verified", "strategy": format!("oauth_{}", x.provider), "attempts": null, "expire_at": null },
        "created_at": x.created_at,
        "updated_at": x.updated_at,
    })
}

/// An account at an enterprise connection (SAML or OpenID Connect). The connection is
/// described while it exists; a deleted one leaves the account without it.
pub fn enterprise_account(ctx: &Ctx, x: &crate::store::external::ExternalAccountRow) -> Value {
    let connection = ctx.federation.by_key(&x.provider);
    let id = x.provider.trim_start_matches("enterprise_");
    let (protocol, provider) = match connection.as_ref().map(|p| p.saml.is_some()) {
        Some(true) => ("saml", "saml_custom"),
        _ => ("oauth", "oidc_custom"),
    };
    json!({
        "object": "enterprise_account",
        "id": x.id,
        "provider": provider,
        "protocol": protocol,
        "provider_user_id": x.provider_user_id,
        "active": connection.is_some(),
        "email_address": x.email_address.clone().unwrap_or_default(),
        "first_name": x.first_name,
        "last_name": x.last_name,
        "public_metadata": {},
        "verification": { "object": "verification", "status": "verified", "strategy": "enterprise_sso", "attempts": null, "expire_at": null },
        "enterprise_connection_id": id,
        "enterprise_connection": connection.as_ref().map(|p| json!({
            "object": "enterprise_account_connection",
            "id": id,
            "enterprise_connection_id": id,
            "name": p.name,
            "domain": p.domains.first(),
            "active": true,
            "protocol": protocol,
            "provider": provider,
            "logo_public_url": "",
            "sync_user_attributes": true,
            "allow_subdomains": false,
            "allow_idp_initiated": p.saml.as_ref().is_some_and(|c| c.allow_idp_initiated),
            "disable_additional_identifications": false,
            "allow_organization_account_linking": false,
            "created_at": x.created_at,
            "updated_at": x.updated_at,
        })),
        "last_authenticated_at": x.updated_at,
        "created_at": x.created_at,
        "updated_at": x.updated_at,
    })
}

/// A connection being made: the provider URL to send the browser to.
pub fn external_account_pending(v: &Verification) -> Value {
    json!({
        "object": "external_account",
        "id": null,
        "provider": v.strategy,
        "verification": verification(v),
    })
}

/// A registered passkey.
pub fn passkey(p: &crate::store::passkeys::PasskeyRow) -> Value {
    json!({
        "object": "passkey",
        "id": p.id,
        "name": p.name,
        "last_used_at": p.last_used_at,
        "verification": { "object": "verification_passkey", "status": "verified", "strategy": "passkey", "attempts": null, "expire_at": null, "nonce": null },
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    })
}

/// A passkey being registered: `verification.nonce` holds the creation options (JSON).
pub fn passkey_pending(p: &crate::passkeys::PendingPasskey) -> Value {
    json!({
        "object": "passkey",
        "id": p.id,
        "name": null,
        "last_used_at": null,
        "verification": {
            "object": "verification_passkey",
            "status": "unverified",
            "strategy": "passkey",
            "nonce": p.options_json,
            "attempts": null,
            "expire_at": p.expire_at,
        },
    })
}
