//! JWT templates: a named set of claims an app asks a session's token to carry for a
//! third-party service (a database that checks JWTs, a realtime backend), with its own
//! lifetime, clock skew and, optionally, its own HMAC key shared with that service.
//!
//! Claim values may hold shortcodes that read the session's user and organization:
//! `"{{user.id}}"`, `"{{user.public_metadata.plan}}"`, `"{{org.slug}}"`. A string that is
//! one shortcode takes the value's own type (an object, a number, null when absent); a
//! shortcode inside other text is written into it (`"{{user.first_name}} {{user.last_name}}"`).
//! `{{a || b || 'text'}}` takes the first that is present. The same rendering makes the
//! instance's custom session-token claims (`[auth] session_token_claims`).

use crate::Context as _;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::admin::{self, Admin};
use super::session::LiveSession;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::crypto;
use crate::domain::new_id;
use crate::store::jwt_templates::{self as repo, JwtTemplateRow};

/// Claims a template cannot set: the token's own (RFC 7519 §4.1) and the session's.
pub const RESERVED_CLAIMS: &[&str] = &[
    "azp", "exp", "iat", "iss", "jti", "nbf", "sid", "sub", "act",
];

/// The most a claims document may weigh, serialised.
pub const MAX_CLAIMS_BYTES: usize = 8 * 1024;

/// A template as an operator writes it (`POST /jwt_templates`, `PATCH /jwt_templates/{id}`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub claims: Option<Value>,
    /// Seconds, 30 to 315,360,000 (ten years); 60 by default.
    pub lifetime: Option<i64>,
    /// Seconds `nbf` lies before `iat`, 0 to 300; 5 by default.
    pub allowed_clock_skew: Option<i64>,
    /// Sign with `signing_key` (HMAC) instead of the instance's session-token key.
    pub custom_signing_key: Option<bool>,
    /// `HS256`, `HS384` or `HS512`.
    pub signing_algorithm: Option<String>,
    /// The shared secret, at least 32 bytes. Never shown again.
    pub signing_key: Option<String>,
}

fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid_value(param, message)
}

/// Checks a claims document: an object of at most 8 KiB that sets no reserved claim.
pub fn check_claims(param: &str, claims: &Value) -> Result<(), ApiError> {
    let Some(map) = claims.as_object() else {
        return Err(invalid(param, "The claims must be a JSON object."));
    };
    if let Some(k) = map.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
        return Err(invalid(
            param,
            format!("`{k}` is set by Portcullis and cannot be changed."),
        ));
    }
    if claims.to_string().len() > MAX_CLAIMS_BYTES {
        return Err(invalid(param, "The claims are limited to 8 KiB."));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "name",
            "1 to 64 letters, digits, `-`, `_` or `.`: the name goes in token URLs.",
        ))
    }
}

fn hmac_algorithm(name: &str) -> Option<jsonwebtoken::Algorithm> {
    match name {
        "HS256" => Some(jsonwebtoken::Algorithm::HS256),
        "HS384" => Some(jsonwebtoken::Algorithm::HS384),
        "HS512" => Some(jsonwebtoken::Algorithm::HS512),
        _ => None,
    }
}

/// A template as the APIs show it (never its signing key).
pub fn render(t: &JwtTemplateRow) -> Value {
    json!({
        "object": "jwt_template",
        "id": t.id,
        "name": t.name,
        "claims": crate::wire::metadata(&t.claims),
        "lifetime": t.lifetime,
        "allowed_clock_skew": t.allowed_clock_skew,
        "custom_signing_key": t.signing_algorithm.is_some(),
        "signing_algorithm": t.signing_algorithm.as_deref().unwrap_or(portcullis_core::keys::SESSION_TOKEN_ALG),
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "JWT template not found",
        "No JWT template with this id or name.",
    )
}

pub async fn list(ctx: &Ctx) -> FlowResult<Vec<JwtTemplateRow>> {
    repo::list(&ctx.db).await.context("jwt_templates::list")
}

pub async fn get(ctx: &Ctx, id: &str) -> FlowResult<JwtTemplateRow> {
    Ok(repo::get(&ctx.db, id)
        .await
        .context("jwt_templates::get")?
        .ok_or_else(not_found)?)
}

/// Creates a template (`existing: None`) or changes one; the whole result is checked.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn save(
    ctx: &Ctx,
    a: &Admin,
    existing: Option<&str>,
    input: TemplateInput,
) -> FlowResult<JwtTemplateRow> {
    let now = ctx.now();
    let old = match existing {
        Some(id) => Some(get(ctx, id).await?),
        None => None,
    };
    let name = match (input.name, &old) {
        (Some(n), _) => n.trim().to_owned(),
        (None, Some(o)) => o.name.clone(),
        (None, None) => return Err(ApiError::missing("name").into()),
    };
    check_name(&name)?;
    let claims = match (input.claims, &old) {
        (Some(c), _) => c,
        (None, Some(o)) => crate::wire::metadata(&o.claims),
        (None, None) => return Err(ApiError::missing("claims").into()),
    };
    check_claims("claims", &claims)?;
    let lifetime = input
        .lifetime
        .or(old.as_ref().map(|o| i64::from(o.lifetime)))
        .unwrap_or(60);
    if !(30..=315_360_000).contains(&lifetime) {
        return Err(invalid("lifetime", "Between 30 seconds and ten years.").into());
    }
    let skew = input
        .allowed_clock_skew
        .or(old.as_ref().map(|o| i64::from(o.allowed_clock_skew)))
        .unwrap_or(5);
    if !(0..=300).contains(&skew) {
        return Err(invalid("allowed_clock_skew", "Between 0 and 300 seconds.").into());
    }
    let custom = input
        .custom_signing_key
        .unwrap_or_else(|| old.as_ref().is_some_and(|o| o.signing_algorithm.is_some()));
    let (algorithm, key) = if custom {
        let alg = input
            .signing_algorithm
            .or(old.as_ref().and_then(|o| o.signing_algorithm.clone()))
            .ok_or_else(|| ApiError::missing("signing_algorithm"))?;
        if hmac_algorithm(&alg).is_none() {
            return Err(invalid(
                "signing_algorithm",
                "HS256, HS384 or HS512 with a custom key; without one, tokens are RS256 with the instance's key.",
            )
            .into());
        }
        let key = match (input.signing_key, &old) {
            (Some(k), _) => {
                if k.len() < 32 || k.len() > 1024 {
                    return Err(
                        invalid("signing_key", "A shared secret of 32 to 1024 bytes.").into(),
                    );
                }
                portcullis_core::keys::seal_if(ctx.sealer.as_ref(), k)?
            }
            (None, Some(o)) if o.signing_key.is_some() => o.signing_key.clone().unwrap_or_default(),
            _ => return Err(ApiError::missing("signing_key").into()),
        };
        (Some(alg), Some(key))
    } else {
        (None, None)
    };
    let row = JwtTemplateRow {
        id: old
            .as_ref()
            .map_or_else(|| new_id("jtmp"), |o| o.id.clone()),
        name,
        claims: claims.to_string(),
        lifetime: i32::try_from(lifetime).unwrap_or(60),
        allowed_clock_skew: i32::try_from(skew).unwrap_or(5),
        signing_algorithm: algorithm,
        signing_key: key,
        created_at: old.as_ref().map_or(now, |o| o.created_at),
        updated_at: now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    if let Err(e) = repo::save(&txn, row.clone(), old.is_none()).await {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(ApiError::new(
                ErrorCode::FormIdentifierExists,
                "That name is taken",
                "Another JWT template has this name.",
            )
            .param("name")
            .into());
        }
        return Err(e.into());
    }
    let kind = if old.is_some() {
        "admin.jwt_template.updated"
    } else {
        "admin.jwt_template.created"
    };
    admin::record(
        ctx,
        &txn,
        a,
        None,
        kind,
        json!({ "jwt_template_id": row.id, "name": row.name }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(ctx: &Ctx, a: &Admin, id: &str) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await?;
    if !repo::delete(&txn, id)
        .await
        .context("jwt_templates::delete")?
    {
        txn.rollback().await?;
        return Err(not_found().into());
    }
    admin::record(
        ctx,
        &txn,
        a,
        None,
        "admin.jwt_template.deleted",
        json!({ "jwt_template_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What shortcodes read: the session's user, and its active organization.
fn scope(ctx: &Ctx, live: &LiveSession) -> Value {
    let u = &live.user;
    let m = &u.user;
    let primary_email = u.primary_email();
    let primary_phone = u
        .phones
        .iter()
        .find(|p| Some(&p.id) == m.primary_phone_number_id.as_ref());
    let full_name = u.full_name();
    let user = json!({
        "id": m.id,
        "external_id": m.external_id,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "full_name": (!full_name.is_empty()).then_some(full_name),
        "username": m.username,
        "primary_email_address": primary_email.map(|e| e.email_address.clone()),
        "email_verified": primary_email.is_some_and(|e| e.verified),
        "primary_phone_number": primary_phone.map(|p| p.phone_number.clone()),
        "phone_number_verified": primary_phone.is_some_and(|p| p.verified),
        "primary_web3_wallet": u.wallets.first().map(|w| w.web3_wallet.clone()),
        "image_url": "",
        "has_image": false,
        "two_factor_enabled": u.two_factor_enabled(),
        "public_metadata": crate::wire::metadata(&m.public_metadata),
        "unsafe_metadata": crate::wire::metadata(&m.unsafe_metadata),
        "created_at": m.created_at / 1000,
        "updated_at": m.updated_at / 1000,
        "last_sign_in_at": m.last_sign_in_at.map(|t| t / 1000),
    });
    let (org, membership) = match super::organizations::active_membership(ctx, live) {
        Some((r, role)) => (
            json!({
                "id": r.organization.id,
                "name": r.organization.name,
                "slug": r.organization.slug,
                "image_url": r.organization.image_url,
                "role": role.key,
                "public_metadata": crate::wire::metadata(&r.organization.public_metadata),
            }),
            json!({ "public_metadata": crate::wire::metadata(&r.membership.public_metadata) }),
        ),
        None => (Value::Null, Value::Null),
    };
    json!({
        "user": user,
        "org": org,
        "org_membership": membership,
        "session": { "actor": live.row.actor.as_deref().map(crate::wire::metadata) },
    })
}

/// The value of one shortcode expression: `user.public_metadata.plan`, or alternatives
/// joined by `||`, the last of which may be a quoted literal.
fn lookup(scope: &Value, expr: &str) -> Value {
    for alt in expr.split("||").map(str::trim) {
        if let Some(lit) = alt
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .or_else(|| alt.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
        {
            return Value::String(lit.to_owned());
        }
        let mut v = scope;
        let mut found = true;
        for part in alt.split('.') {
            match v.get(part) {
                Some(next) => v = next,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found && !v.is_null() {
            return v.clone();
        }
    }
    Value::Null
}

/// A string with its shortcodes resolved: the value itself when the string is one
/// shortcode, otherwise text.
fn resolve_str(scope: &Value, s: &str) -> Value {
    let trimmed = s.trim();
    if let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        && !inner.contains("{{")
    {
        return lookup(scope, inner);
    }
    if !s.contains("{{") {
        return Value::String(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        match lookup(scope, &after[..end]) {
            Value::Null => {}
            Value::String(v) => out.push_str(&v),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Value::String(out)
}

fn resolve(scope: &Value, v: &Value) -> Value {
    match v {
        Value::String(s) => resolve_str(scope, s),
        Value::Array(items) => Value::Array(items.iter().map(|i| resolve(scope, i)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(scope, v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A claims document with its shortcodes resolved for this session.
pub fn resolve_claims(ctx: &Ctx, live: &LiveSession, claims: &Value) -> Map<String, Value> {
    match resolve(&scope(ctx, live), claims) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A token of template `name` for an active session.
#[tracing::instrument(level = "debug", skip_all, fields(name = %name), err(level = "debug"))]
pub async fn token(
    ctx: &Ctx,
    live: &LiveSession,
    name: &str,
    origin: Option<&str>,
) -> FlowResult<String> {
    let t = repo::by_name(&ctx.db, name)
        .await
        .context("jwt_templates::by_name")?
        .ok_or_else(not_found)?;
    let now = ctx.now() / 1000;
    let mut claims = resolve_claims(ctx, live, &crate::wire::metadata(&t.claims));
    let settings = ctx.settings();
    let mut set = |k: &str, v: Value| {
        claims.insert(k.to_owned(), v);
    };
    set("iss", json!(settings.issuer()));
    set("sub", json!(live.row.user_id));
    set("sid", json!(live.row.id));
    set("iat", json!(now));
    set("nbf", json!(now - i64::from(t.allowed_clock_skew)));
    set("exp", json!(now + i64::from(t.lifetime)));
    set("jti", json!(crypto::random_token()[..20].to_owned()));
    if let Some(o) = origin {
        set("azp", json!(o));
    }
    if let Some(actor) = &live.row.actor {
        set("act", crate::wire::metadata(actor));
    }
    match (&t.signing_algorithm, &t.signing_key) {
        (Some(alg), Some(sealed)) => {
            let alg =
                hmac_algorithm(alg).ok_or_else(|| anyhow::anyhow!("stored algorithm {alg}"))?;
            let secret = portcullis_core::keys::open_if_sealed(
                sealed,
                ctx.sealer.as_ref(),
                "JWT template keys",
            )?;
            let header = jsonwebtoken::Header::new(alg);
            Ok(jsonwebtoken::encode(
                &header,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
            )
            .map_err(anyhow::Error::new)?)
        }
        _ => Ok(ctx.keys.current().sign_session(&claims)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Value {
        json!({
            "user": { "id": "user_1", "first_name": "Ada", "last_name": null,
                      "public_metadata": { "plan": "pro", "seats": 3, "tags": ["a"] } },
            "org": null,
        })
    }

    #[test]
    fn a_lone_shortcode_keeps_its_type_and_text_interpolates() {
        let s = scope();
        assert_eq!(resolve_str(&s, "{{user.public_metadata.seats}}"), json!(3));
        assert_eq!(
            resolve_str(&s, "{{user.public_metadata}}")["tags"],
            json!(["a"])
        );
        assert_eq!(resolve_str(&s, "{{ user.id }}"), json!("user_1"));
        assert_eq!(
            resolve_str(&s, "{{user.first_name}} {{user.last_name}}!"),
            json!("Ada !")
        );
        assert_eq!(resolve_str(&s, "plain"), json!("plain"));
        assert_eq!(resolve_str(&s, "{{user.nope}}"), Value::Null);
        assert_eq!(resolve_str(&s, "{{org.slug}}"), Value::Null);
        assert_eq!(
            resolve_str(&s, "{{ user.public_metadata.role || 'member' }}"),
            json!("member")
        );
        assert_eq!(
            resolve_str(&s, "{{user.last_name || user.first_name}}"),
            json!("Ada")
        );
        assert_eq!(resolve_str(&s, "{{unclosed"), json!("{{unclosed"));
    }

    #[test]
    fn nested_claims_resolve_and_reserved_claims_are_refused() {
        let s = scope();
        let out = resolve(
            &s,
            &json!({ "app": { "plan": "{{user.public_metadata.plan}}", "n": 1 }, "list": ["{{user.id}}"] }),
        );
        assert_eq!(
            out,
            json!({ "app": { "plan": "pro", "n": 1 }, "list": ["user_1"] })
        );
        assert!(check_claims("claims", &json!({ "sub": "x" })).is_err());
        assert!(check_claims("claims", &json!({ "exp": 1 })).is_err());
        assert!(check_claims("claims", &json!(["x"])).is_err());
        assert!(check_claims("claims", &json!({ "big": "x".repeat(MAX_CLAIMS_BYTES) })).is_err());
        assert!(check_claims("claims", &json!({ "role": "{{org.role}}" })).is_ok());
    }

    #[test]
    fn template_names_are_url_safe() {
        assert!(check_name("supabase").is_ok());
        assert!(check_name("my-template_1.v2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a/b").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }
}
