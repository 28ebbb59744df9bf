//! One-time codes: sent by email or SMS, kept only as a keyed hash, valid ten minutes, five
//! wrong tries at most, a resend at most every thirty seconds.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ApiError, Ctx, ErrorCode, FlowResult, keys};
use crate::crypto;
use crate::i18n::Locale;

pub const CODE_LIFETIME_SECS: i64 = 600;
pub const RESEND_COOLDOWN_SECS: i64 = 30;
pub const MAX_ATTEMPTS: i64 = 5;
/// Test mode's fixed code for `+portcullis_test` addresses and 555-01XX numbers.
pub const TEST_CODE: &str = "424242";
pub const TEST_EMAIL_TAG: &str = crate::domain::TEST_SUBADDRESS;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unverified,
    Verified,
    Transferable,
    Failed,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unverified => "unverified",
            Status::Verified => "verified",
            Status::Transferable => "transferable",
            Status::Failed => "failed",
            Status::Expired => "expired",
        }
    }
}

/// A verification as kept in a sign-in or sign-up. `code_hash` and `nonce` never leave the
/// server: the renderer picks the public fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    pub status: Status,
    pub strategy: String,
    pub attempts: i64,
    pub expire_at: Option<i64>,
    pub error: Option<ApiError>,
    /// Random per prepare; scopes the attempt counter and the code hash.
    pub nonce: String,
    pub code_hash: Option<String>,
    /// The email address or phone number id the code went to (sign-in factors).
    pub target_id: Option<String>,
    /// Where to send the browser for an upstream provider's verification.
    #[serde(default)]
    pub external_url: Option<String>,
    /// What a wallet is asked to sign (EIP-4361), and the nonce in it: both public.
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub public_nonce: Option<String>,
}

impl Verification {
    /// A verification that needs no code (a password check that passed).
    pub fn verified(strategy: &str, now: i64) -> Self {
        Self {
            status: Status::Verified,
            strategy: strategy.to_owned(),
            attempts: 1,
            expire_at: Some(now + CODE_LIFETIME_SECS * 1000),
            error: None,
            nonce: crypto::random_token(),
            code_hash: None,
            target_id: None,
            external_url: None,
            message: None,
            public_nonce: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

/// What the code is for, worded for the message's "if you did not try to …".
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    SignIn,
    SignUp,
    ResetPassword,
    AddToAccount,
}

impl Purpose {
    /// The id of the words completing "if you did not try to …" (see `locales/en.ftl`).
    pub(crate) fn message_id(self) -> &'static str {
        match self {
            Purpose::SignIn => "purpose-sign-in",
            Purpose::SignUp => "purpose-sign-up",
            Purpose::ResetPassword => "purpose-reset-password",
            Purpose::AddToAccount => "purpose-add-to-account",
        }
    }
}

/// How a message is worded: what it is for, in which language.
#[derive(Debug, Clone, Copy)]
pub struct Wording {
    pub purpose: Purpose,
    pub locale: Locale,
}

/// The language to write to someone in: the one a known user chose, else the one the
/// request asked for, else English.
pub fn recipient_locale(saved: Option<&str>, asked: Option<Locale>) -> Locale {
    saved
        .and_then(Locale::parse)
        .or(asked)
        .unwrap_or(Locale::EN)
}

/// Whether `destination` takes the fixed test code (test mode only).
pub fn is_test_destination(ctx: &Ctx, channel: Channel, destination: &str) -> bool {
    if !ctx.test_mode() {
        return false;
    }
    match channel {
        Channel::Email => crate::domain::EmailAddress::parse(destination)
            .map(|e| e.has_subaddress(TEST_EMAIL_TAG))
            .unwrap_or(false),
        Channel::Sms => crate::domain::PhoneNumber::parse(destination)
            .map(|p| p.is_fictional())
            .unwrap_or(false),
    }
}

/// Creates a code for `destination`, sends it, and returns the pending verification.
/// `owner` is the sign-in or sign-up id, so the cooldown is per attempt and destination.
#[tracing::instrument(level = "debug", skip_all, fields(strategy = %strategy), err(level = "debug"))]
pub async fn send_code(
    ctx: &Ctx,
    owner: &str,
    strategy: &str,
    channel: Channel,
    destination: &str,
    target_id: Option<String>,
    wording: Wording,
) -> FlowResult<Verification> {
    let Wording { purpose, locale } = wording;
    let now = ctx.now();
    check_cooldown(ctx, owner, destination, now).await?;
    super::limits::send(ctx, destination).await?;

    let test = is_test_destination(ctx, channel, destination);
    let code = if test {
        TEST_CODE.to_owned()
    } else {
        crypto::random_code()
    };
    let nonce = crypto::random_token();
    let verification = Verification {
        status: Status::Unverified,
        strategy: strategy.to_owned(),
        attempts: 0,
        expire_at: Some(now + CODE_LIFETIME_SECS * 1000),
        error: None,
        code_hash: Some(ctx.tokens.hash("code", &format!("{nonce}:{code}"))),
        nonce,
        target_id,
        external_url: None,
        message: None,
        public_nonce: None,
    };
    if !test {
        let minutes = CODE_LIFETIME_SECS / 60;
        let sent = match channel {
            Channel::Email => {
                ctx.delivery
                    .send_email_code(destination, locale, &code, minutes, purpose.message_id())
                    .await
            }
            Channel::Sms => {
                ctx.delivery
                    .send_sms_code(destination, locale, &code, minutes)
                    .await
            }
        };
        if let Err(e) = sent {
            // Nothing reached the user: let them ask again at once.
            ctx.eph.delete(&keys::cooldown(owner, destination)).await?;
            return Err(e.into());
        }
    }
    Ok(verification)
}

/// A verification that looks like a sent code and can never be verified: nothing is sent
/// and what is stored is the hash of a random token, which no six-digit code matches. Used
/// where a real code would tell who has an account. The same cooldown and limits apply.
#[tracing::instrument(level = "debug", skip_all, fields(strategy = %strategy), err(level = "debug"))]
pub async fn decoy(
    ctx: &Ctx,
    owner: &str,
    strategy: &str,
    destination: &str,
    target_id: Option<String>,
) -> FlowResult<Verification> {
    let now = ctx.now();
    check_cooldown(ctx, owner, destination, now).await?;
    super::limits::send(ctx, destination).await?;
    let nonce = crypto::random_token();
    Ok(Verification {
        status: Status::Unverified,
        strategy: strategy.to_owned(),
        attempts: 0,
        expire_at: Some(now + CODE_LIFETIME_SECS * 1000),
        error: None,
        code_hash: Some(
            ctx.tokens
                .hash("code", &format!("{nonce}:{}", crypto::random_token())),
        ),
        nonce,
        target_id,
        external_url: None,
        message: None,
        public_nonce: None,
    })
}

/// At most one code per owner and destination every thirty seconds. The stored value is
/// the end of the cooldown (by the flow clock); the TTL only cleans up.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn check_cooldown(
    ctx: &Ctx,
    owner: &str,
    destination: &str,
    now: i64,
) -> FlowResult<()> {
    let key = keys::cooldown(owner, destination);
    let until = now + RESEND_COOLDOWN_SECS * 1000;
    let ttl = Duration::from_secs(RESEND_COOLDOWN_SECS.unsigned_abs() + 5);
    if ctx.eph.put_if_absent(&key, &until.to_string(), ttl).await? {
        return Ok(());
    }
    let current: i64 = ctx
        .eph
        .get(&key)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if current > now {
        let wait = ((current - now) + 999) / 1000;
        return Err(ApiError::new(
            ErrorCode::VerificationCodeTooManyRequests,
            "Too many requests",
            format!("A code was sent moments ago. You can ask for a new one in {wait} seconds."),
        )
        .retry_after(wait.unsigned_abs())
        .into());
    }
    ctx.eph.put(&key, &until.to_string(), ttl).await?;
    Ok(())
}

/// Checks `code` against a pending verification, updating its status, attempts and error.
/// The caller saves the verification whatever this returns.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn check_code(ctx: &Ctx, v: &mut Verification, code: &str) -> FlowResult<()> {
    let now = ctx.now();
    match v.status {
        Status::Verified => {
            return Err(ApiError::new(
                ErrorCode::VerificationAlreadyVerified,
                "already verified",
                "This verification has already been completed.",
            )
            .into());
        }
        Status::Failed => return Err(too_many_attempts().into()),
        Status::Expired => return Err(expired().into()),
        Status::Unverified | Status::Transferable => {}
    }
    if v.expire_at.is_some_and(|t| t <= now) {
        v.status = Status::Expired;
        v.error = Some(expired());
        return Err(expired().into());
    }
    let Some(stored) = v.code_hash.clone() else {
        return Err(not_sent().into());
    };
    count_attempt(ctx, v).await?;
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    if well_formed
        && ctx
            .tokens
            .verify("code", &format!("{}:{code}", v.nonce), &stored)
    {
        v.status = Status::Verified;
        v.error = None;
        v.code_hash = None;
        return Ok(());
    }
    let incorrect = ApiError::new(
        ErrorCode::FormCodeIncorrect,
        "Incorrect code",
        "The code you entered is incorrect. Check it and try again.",
    )
    .param("code");
    if v.attempts >= MAX_ATTEMPTS {
        v.status = Status::Failed;
        v.error = Some(too_many_attempts());
    } else {
        v.error = Some(incorrect.clone());
    }
    Err(incorrect.into())
}

pub fn too_many_attempts() -> ApiError {
    ApiError::new(
        ErrorCode::VerificationFailed,
        "Too many failed attempts",
        "You have made too many attempts with this code. Ask for a new one.",
    )
}

pub fn expired() -> ApiError {
    ApiError::new(
        ErrorCode::VerificationExpired,
        "expired",
        "This verification has expired. Ask for a new code.",
    )
}

/// Counts one answer to `v` before it is compared, atomically in the ephemeral store, so
/// parallel guesses share one budget; past `MAX_ATTEMPTS` the verification has failed.
pub(crate) async fn count_attempt(ctx: &Ctx, v: &mut Verification) -> FlowResult<()> {
    let attempts = ctx
        .eph
        .incr(
            &keys::attempts(&v.nonce),
            Duration::from_secs(CODE_LIFETIME_SECS.unsigned_abs() + 60),
        )
        .await?;
    v.attempts = attempts;
    if attempts > MAX_ATTEMPTS {
        v.status = Status::Failed;
        v.error = Some(too_many_attempts());
        return Err(too_many_attempts().into());
    }
    Ok(())
}

/// The code verification a code answers: the one sent for `strategy`, or
/// `verification_not_sent` when none was (or one for another strategy).
pub fn awaiting<'a>(
    v: &'a mut Option<Verification>,
    strategy: &str,
) -> Result<&'a mut Verification, ApiError> {
    v.as_mut()
        .filter(|v| v.strategy == strategy)
        .ok_or_else(not_sent)
}

pub fn not_sent() -> ApiError {
    ApiError::new(
        ErrorCode::VerificationNotSent,
        "not sent",
        "No code has been sent for this verification yet. Prepare it first.",
    )
}
