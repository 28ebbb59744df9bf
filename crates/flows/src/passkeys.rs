//! Passkeys (WebAuthn, through `webauthn-rs`): registration for a signed-in user, and sign-in
//! without an identifier (discoverable credentials, with conditional UI on the pages). User
//! verification is required; sign counters are checked and stored. The ceremony state stays
//! on the server, in the ephemeral store, for ten minutes.

use crate::Context as _;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid, Webauthn, WebauthnBuilder,
};

use super::audit;
use super::verification::{CODE_LIFETIME_SECS, Status, Verification};
use super::{ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params, load_state, save_state};
use crate::domain::new_id;
use crate::store::passkeys::{self, PasskeyRow};
use crate::store::users::UserRecord;

const CEREMONY_SECS: i64 = CODE_LIFETIME_SECS;

/// The relying party, from `[passkeys]` or the issuer: its host is the RP id, its origin the
/// allowed origin. None when the issuer cannot be one (browsers refuse IP addresses).
pub fn relying_party(settings: &crate::config::Settings) -> Option<Webauthn> {
    if !settings.auth.first_factors.iter().any(|f| f == "passkey") {
        return None;
    }
    let issuer = url::Url::parse(settings.issuer()).ok()?;
    // Browsers refuse IP addresses as relying parties (and webauthn-rs says so loudly).
    if matches!(issuer.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))) {
        tracing::warn!("passkeys are enabled but the issuer is an IP address: they stay off");
        return None;
    }
    let rp_id = if settings.passkeys.rp_id.is_empty() {
        issuer.host_str()?.to_owned()
    } else {
        settings.passkeys.rp_id.clone()
    };
    let mut builder = WebauthnBuilder::new(&rp_id, &issuer)
        .ok()?
        .rp_name(&settings.branding.app_name);
    let extra: Vec<url::Url> = settings
        .passkeys
        .origins
        .iter()
        .filter_map(|o| url::Url::parse(o).ok())
        .collect();
    for o in &extra {
        builder = builder.append_allowed_origin(o);
    }
    builder.build().ok()
}

fn webauthn(ctx: &Ctx) -> Result<&Webauthn, ApiError> {
    ctx.webauthn.as_ref().ok_or_else(|| {
        ApiError::invalid_value(
            "strategy",
            "Passkeys are not available: the server's address cannot be a WebAuthn relying party.",
        )
    })
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    tracing::info!(error = %e, "passkey ceremony refused");
    ApiError::new(
        ErrorCode::VerificationFailed,
        "Passkey not accepted",
        "The passkey could not be verified. Try again.",
    )
    .param("public_key_credential")
}

/// A stable WebAuthn user handle for a user (never the user id itself).
fn user_handle(user_id: &str) -> Uuid {
    let digest = Sha256::digest(format!("portcullis-passkey:{user_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn reg_key(id: &str) -> String {
    format!("passkey_reg:{id}")
}

fn auth_key(sign_in_id: &str) -> String {
    format!("passkey_auth:{sign_in_id}")
}

/// A passkey being registered, as the account API shows it.
pub struct PendingPasskey {
    pub id: String,
    pub options_json: String,
    pub expire_at: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Registration {
    user_id: String,
    state: PasskeyRegistration,
}

/// `POST /v1/me/passkeys`: creation options for the browser; nothing is stored yet.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn start_registration(ctx: &Ctx, user: &UserRecord) -> FlowResult<PendingPasskey> {
    let w = webauthn(ctx)?;
    let name = user
        .emails
        .first()
        .map(|e| e.email_address.clone())
        .or(user.user.username.clone())
        .unwrap_or_else(|| user.user.id.clone());
    let display = [user.user.first_name.clone(), user.user.last_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let exclude = user
        .passkeys
        .iter()
        .filter_map(|p| serde_json::from_str::<Passkey>(&p.credential).ok())
        .map(|p| p.cred_id().clone())
        .collect::<Vec<_>>();
    let (options, state) = w
        .start_passkey_registration(
            user_handle(&user.user.id),
            &name,
            if display.is_empty() { &name } else { &display },
            Some(exclude),
        )
        .map_err(failed)?;
    // Discoverable, so the passkey can sign in without a username (WebAuthn §5.4.4).
    let mut public_key = serde_json::to_value(&options.public_key).map_err(anyhow::Error::new)?;
    public_key["authenticatorSelection"]["residentKey"] = json!("required");
    public_key["authenticatorSelection"]["requireResidentKey"] = json!(true);
    let id = new_id("pk");
    let expire_at = ctx.now() + CEREMONY_SECS * 1000;
    save_state(
        ctx,
        &reg_key(&id),
        &Registration {
            user_id: user.user.id.clone(),
            state,
        },
        expire_at,
    )
    .await?;
    Ok(PendingPasskey {
        id,
        options_json: public_key.to_string(),
        expire_at,
    })
}

/// What finishing a passkey registration accepts.
pub const FINISH_REGISTRATION_PARAMS: &[&str] = &["strategy", "public_key_credential"];

/// `POST /v1/me/passkeys/{id}/attempt_verification`: the browser's answer makes the passkey.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn finish_registration(
    ctx: &Ctx,
    actor: &audit::Actor,
    user: &UserRecord,
    id: &str,
    params: &Params,
) -> FlowResult<PasskeyRow> {
    params.only(FINISH_REGISTRATION_PARAMS)?;
    let w = webauthn(ctx)?;
    let raw = params.required("public_key_credential")?;
    let reg: Option<Registration> = load_state(ctx, &reg_key(id)).await?;
    let reg = reg
        .filter(|r| r.user_id == user.user.id)
        .ok_or_else(|| ApiError::not_found("passkey"))?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(&raw).map_err(|e| failed(format!("credential JSON: {e}")))?;
    let passkey = w
        .finish_passkey_registration(&credential, &reg.state)
        .map_err(failed)?;
    ctx.eph.delete(&reg_key(id)).await?;
    let now = ctx.now();
    let row = PasskeyRow {
        id: id.to_owned(),
        user_id: user.user.id.clone(),
        name: format!("Passkey {}", user.passkeys.len() + 1),
        credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref()),
        credential: serde_json::to_string(&passkey).map_err(anyhow::Error::new)?,
        last_used_at: None,
        created_at: now,
        updated_at: now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    passkeys::insert(&txn, row.clone())
        .await
        .context("passkeys::insert")?;
    audit::record(
        ctx,
        &txn,
        actor,
        "passkey.created",
        json!({ "passkey_id": id }),
    )
    .await?;
    txn.commit().await?;
    audit::notify(ctx, user, "notice-passkey-added").await;
    Ok(row)
}

/// What renaming a passkey accepts.
pub const RENAME_PARAMS: &[&str] = &["name"];

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn rename(ctx: &Ctx, user: &UserRecord, id: &str, params: &Params) -> FlowResult<()> {
    params.only(RENAME_PARAMS)?;
    let name = params.required("name")?;
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_value("name", "At most 64 printable characters.").into());
    }
    if !passkeys::rename(&ctx.db, &user.user.id, id, &name, ctx.now())
        .await
        .context("passkeys::rename")?
    {
        return Err(ApiError::not_found("passkey").into());
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn remove(
    ctx: &Ctx,
    actor: &audit::Actor,
    user: &UserRecord,
    id: &str,
) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await?;
    if !passkeys::delete(&txn, &user.user.id, id)
        .await
        .context("passkeys::delete")?
    {
        txn.rollback().await?;
        return Err(ApiError::not_found("passkey").into());
    }
    audit::record(
        ctx,
        &txn,
        actor,
        "passkey.removed",
        json!({ "passkey_id": id }),
    )
    .await?;
    txn.commit().await?;
    audit::notify(ctx, user, "notice-passkey-removed").await;
    Ok(())
}

/// A sign-in's passkey challenge: request options for `navigator.credentials.get`.
#[tracing::instrument(level = "debug", skip_all, fields(sign_in_id = %sign_in_id), err(level = "debug"))]
pub async fn start_sign_in(ctx: &Ctx, sign_in_id: &str) -> FlowResult<Verification> {
    let w = webauthn(ctx)?;
    let (options, state) = w.start_discoverable_authentication().map_err(failed)?;
    let expire_at = ctx.now() + CEREMONY_SECS * 1000;
    save_state(ctx, &auth_key(sign_in_id), &state, expire_at).await?;
    Ok(Verification {
        status: Status::Unverified,
        strategy: "passkey".into(),
        attempts: 0,
        expire_at: Some(expire_at),
        error: None,
        nonce: crate::crypto::random_token(),
        code_hash: None,
        target_id: None,
        external_url: None,
        message: None,
        public_nonce: Some(serde_json::to_string(&options.public_key).map_err(anyhow::Error::new)?),
    })
}

/// Checks a sign-in's passkey answer; the challenge is spent whatever the outcome. Returns
/// the user's id.
#[tracing::instrument(level = "debug", skip_all, fields(sign_in_id = %sign_in_id), err(level = "debug"))]
pub async fn finish_sign_in(ctx: &Ctx, sign_in_id: &str, raw: &str) -> FlowResult<String> {
    let w = webauthn(ctx)?;
    let state: DiscoverableAuthentication = ctx
        .eph
        .take(&auth_key(sign_in_id))
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or_else(super::verification::expired)?;
    let credential: PublicKeyCredential =
        serde_json::from_str(raw).map_err(|e| failed(format!("credential JSON: {e}")))?;
    let (_, cred_id) = w
        .identify_discoverable_authentication(&credential)
        .map_err(failed)?;
    let row = passkeys::by_credential_id(&ctx.db, &URL_SAFE_NO_PAD.encode(cred_id))
        .await
        .context("passkeys::by_credential_id")?
        .ok_or_else(|| failed("unknown credential"))?;
    let mut passkey: Passkey =
        serde_json::from_str(&row.credential).map_err(|e| FlowError::Unexpected(e.into()))?;
    let result = w
        .finish_discoverable_authentication(&credential, state, &[DiscoverableKey::from(&passkey)])
        .map_err(failed)?;
    passkey.update_credential(&result);
    let stored = serde_json::to_string(&passkey).map_err(anyhow::Error::new)?;
    passkeys::used(&ctx.db, &row.id, &stored, ctx.now())
        .await
        .context("passkeys::used")?;
    Ok(row.user_id)
}
