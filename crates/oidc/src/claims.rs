//! The one place that builds ID tokens, access tokens and userinfo answers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::crypto;
use crate::flows::Ctx;
use crate::store::users::UserRecord;

/// What the authorization server knows of how the user signed in, carried from the session
/// through codes and refresh tokens into every ID token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthFacts {
    pub user_id: String,
    pub session_id: Option<String>,
    /// Seconds since the epoch of the last authentication (OIDC Core §2 `auth_time`).
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub acr: String,
}

/// RFC 8176 method references for the strategies a session verified; two or more distinct
/// methods add `mfa`.
pub fn amr_for(factors: &[String]) -> Vec<String> {
    let mut amr: Vec<String> = Vec::new();
    for f in factors {
        let m = match f.as_str() {
            "password" => "pwd",
            "email_code" | "totp" | "backup_code" | "email_link" | "reset_password_email_code" => {
                "otp"
            }
            "phone_code" | "reset_password_phone_code" => "sms",
            "passkey" => "hwk",
            s if s.starts_with("oauth_") || s == "enterprise_sso" => "fed",
            _ => continue,
        };
        if !amr.iter().any(|a| a == m) {
            amr.push(m.to_owned());
        }
    }
    if amr.len() >= 2 {
        amr.push("mfa".into());
    }
    amr
}

pub const ACR_ONE_FACTOR: &str = "urn:portcullis:acr:1fa";
pub const ACR_MULTI_FACTOR: &str = "urn:portcullis:acr:mfa";

pub fn acr_for(amr: &[String]) -> String {
    if amr.iter().any(|a| a == "mfa") {
        ACR_MULTI_FACTOR.into()
    } else {
        ACR_ONE_FACTOR.into()
    }
}

/// Standard claims of the user for the granted scopes (OIDC Core §5.4). A claim named in the
/// `claims` request parameter (§5.5) is released only when a granted scope covers it: the
/// granted scopes are what the client may ask for and the user consented to, and a request
/// parameter must not widen them (§5.5 leaves what to release to the provider's policy).
pub fn user_claims(user: &UserRecord, scopes: &[String]) -> Map<String, Value> {
    let m = &user.user;
    let email = user
        .emails
        .iter()
        .find(|e| m.primary_email_address_id.as_ref() == Some(&e.id))
        .or_else(|| user.emails.first());
    let phone = user
        .phones
        .iter()
        .find(|p| m.primary_phone_number_id.as_ref() == Some(&p.id))
        .or_else(|| user.phones.first());
    let name = match (&m.first_name, &m.last_name) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(l)) => Some(l.clone()),
        (None, None) => None,
    };
    let mut all = Map::new();
    let mut put = |k: &str, v: Value, group: &str| {
        if !v.is_null() {
            all.insert(k.to_owned(), json!({ "v": v, "g": group }));
        }
    };
    put("name", json!(name), "profile");
    put("given_name", json!(m.first_name), "profile");
    put("family_name", json!(m.last_name), "profile");
    put("preferred_username", json!(m.username), "profile");
    put("updated_at", json!(m.updated_at / 1000), "profile");
    put("email", json!(email.map(|e| &e.email_address)), "email");
    put("email_verified", json!(email.map(|e| e.verified)), "email");
    put(
        "phone_number",
        json!(phone.map(|p| &p.phone_number)),
        "phone",
    );
    put(
        "phone_number_verified",
        json!(phone.map(|p| p.verified)),
        "phone",
    );

    all.into_iter()
        .filter_map(|(k, v)| {
            let group = v["g"].as_str().unwrap_or("");
            scopes
                .iter()
                .any(|s| s == group)
                .then(|| (k, v["v"].clone()))
        })
        .collect()
}

/// With the `organization` scope: the organization the session acts for when the token is
/// issued (or userinfo asked), as `org_id`, `org_slug`, `org_name`, `org_role` and
/// `org_permissions` (its custom permissions). Nothing when the session acts for none, has
/// ended, or the user left the organization since.
pub async fn organization_claims(
    ctx: &Ctx,
    user: &UserRecord,
    session_id: Option<&str>,
    scopes: &[String],
) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    if !ctx.settings().organizations.enabled || !scopes.iter().any(|s| s == "organization") {
        return Ok(out);
    }
    let Some(sid) = session_id else {
        return Ok(out);
    };
    let Some(active) = crate::store::sessions::get(&ctx.db, sid)
        .await?
        .and_then(|s| s.last_active_organization_id)
    else {
        return Ok(out);
    };
    let Some(m) = user
        .memberships
        .iter()
        .find(|m| m.organization.id == active)
    else {
        return Ok(out);
    };
    let role =
        crate::flows::organizations::roles::find(&ctx.settings().organizations, &m.membership.role);
    out.insert("org_id".into(), json!(m.organization.id));
    out.insert("org_slug".into(), json!(m.organization.slug));
    out.insert("org_name".into(), json!(m.organization.name));
    out.insert("org_role".into(), json!(m.membership.role));
    out.insert(
        "org_permissions".into(),
        json!(
            role.map(|r| r
                .custom_permissions()
                .map(str::to_owned)
                .collect::<Vec<_>>())
                .unwrap_or_default()
        ),
    );
    Ok(out)
}

/// `at_hash` (OIDC Core §3.1.3.6): the left half of the SHA-256 of the access token.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The `sub` a client sees for a user: the user id, or a pairwise identifier (OIDC Core
/// §8.1) keyed with the instance secret so it cannot be reversed or guessed.
pub fn subject(ctx: &Ctx, client: &super::clients::OAuthClient, user_id: &str) -> String {
    if client.settings.subject_type == "pairwise" {
        format!(
            "ps_{}",
            ctx.tokens.hash(
                "pairwise_subject",
                &format!("{}|{user_id}", client.sector())
            )
        )
    } else {
        user_id.to_owned()
    }
}

pub struct IdTokenInput<'a> {
    pub client_id: &'a str,
    /// The `sub` this client sees.
    pub subject: &'a str,
    /// The client's `id_token_signed_response_alg`.
    pub alg: &'a str,
    pub auth: &'a AuthFacts,
    pub nonce: Option<&'a str>,
    pub access_token: Option<&'a str>,
    pub user: &'a UserRecord,
    pub scopes: &'a [String],
    /// The `organization` scope's claims (see [`organization_claims`]).
    pub organization: Map<String, Value>,
}

pub fn id_token(ctx: &Ctx, input: IdTokenInput<'_>) -> anyhow::Result<String> {
    let now = ctx.now() / 1000;
    let mut claims = user_claims(input.user, input.scopes);
    claims.extend(input.organization);
    let mut set = |k: &str, v: Value| {
        claims.insert(k.to_owned(), v);
    };
    set("iss", json!(ctx.settings().issuer()));
    set("sub", json!(input.subject));
    set("aud", json!(input.client_id));
    set("azp", json!(input.client_id));
    set("iat", json!(now));
    set(
        "exp",
        json!(now + ctx.settings().oidc.id_token_lifetime_secs),
    );
    set("auth_time", json!(input.auth.auth_time));
    set("amr", json!(input.auth.amr));
    set("acr", json!(input.auth.acr));
    if let Some(sid) = &input.auth.session_id {
        set("sid", json!(sid));
    }
    if let Some(n) = input.nonce {
        set("nonce", json!(n));
    }
    if let Some(at) = input.access_token {
        set("at_hash", json!(at_hash(at)));
    }
    ctx.keys.current().sign_with(&claims, "JWT", input.alg)
}

/// An RFC 9068 access token, with its `jti` (for revocation) and lifetime.
pub struct AccessToken {
    pub token: String,
    pub jti: String,
    pub expires_in: i64,
    pub exp: i64,
}

pub fn access_token(
    ctx: &Ctx,
    client_id: &str,
    subject: &str,
    scopes: &[String],
    auth: Option<&AuthFacts>,
    dpop_jkt: Option<&str>,
) -> anyhow::Result<AccessToken> {
    delegated_access_token(ctx, client_id, subject, scopes, auth, dpop_jkt, None, None)
}

/// An access token as [`access_token`], for a token exchange (RFC 8693): with `act`, the
/// party acting for the subject (§4.1), and never outliving `exp_cap` (unix seconds), the
/// token it was exchanged from.
#[expect(clippy::too_many_arguments, reason = "each is one fact of the token")]
pub fn delegated_access_token(
    ctx: &Ctx,
    client_id: &str,
    subject: &str,
    scopes: &[String],
    auth: Option<&AuthFacts>,
    dpop_jkt: Option<&str>,
    act: Option<&Value>,
    exp_cap: Option<i64>,
) -> anyhow::Result<AccessToken> {
    let now = ctx.now() / 1000;
    let configured = ctx.settings().oidc.access_token_lifetime_secs;
    let lifetime = exp_cap.map_or(configured, |cap| configured.min(cap - now).max(1));
    let jti = crypto::random_token()[..22].to_owned();
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(ctx.settings().issuer()));
    claims.insert("sub".into(), json!(subject));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("client_id".into(), json!(client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + lifetime));
    claims.insert("jti".into(), json!(jti));
    claims.insert("scope".into(), json!(scopes.join(" ")));
    // RFC 9449 §6.1: bound to the key of the DPoP proof it was issued on.
    if let Some(jkt) = dpop_jkt {
        claims.insert("cnf".into(), json!({ "jkt": jkt }));
    }
    if let Some(act) = act {
        claims.insert("act".into(), act.clone());
    }
    if let Some(a) = auth {
        claims.insert("auth_time".into(), json!(a.auth_time));
        claims.insert("acr".into(), json!(a.acr));
        claims.insert("amr".into(), json!(a.amr));
        if let Some(sid) = &a.session_id {
            claims.insert("sid".into(), json!(sid));
        }
    }
    Ok(AccessToken {
        token: ctx.keys.current().sign_typed(&claims, "at+jwt")?,
        jti,
        expires_in: lifetime,
        exp: now + lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_follows_rfc_8176() {
        let f = |v: &[&str]| amr_for(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(f(&["password"]), ["pwd"]);
        assert_eq!(f(&["email_code", "password"]), ["otp", "pwd", "mfa"]);
        assert_eq!(f(&["phone_code"]), ["sms"]);
        assert_eq!(f(&["oauth_google"]), ["fed"]);
        assert_eq!(acr_for(&f(&["password"])), ACR_ONE_FACTOR);
        assert_eq!(acr_for(&f(&["password", "totp"])), ACR_MULTI_FACTOR);
    }

    #[test]
    fn at_hash_matches_the_spec_example() {
        // OIDC Core §A.3 gives at_hash for this token (with RS256, also SHA-256).
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
