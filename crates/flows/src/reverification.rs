//! Asking again before a sensitive change ("reverification"). A session proves who its user is
//! once, at sign-in; a change that would hand the account to someone else (a new password, a
//! second factor removed, an address added, the account deleted) also needs that proof to be
//! recent, so a browser left signed in, or a stolen session token, is not enough.
//!
//! The rule is Clerk's "strict" level, so its SDKs' own checks agree with ours: the session's
//! latest second factor, or its first factor when it never verified a second, within
//! `[auth] reverification_secs`. A call that needs it answers 403
//! `session_reverification_required`; the app then runs `POST …/sessions/{id}/verify` and its
//! prepare / attempt steps, which move the session's verification times forward.

use crate::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::account::Me;
use super::sign_in::Factor;
use super::verification::{self, Channel, Purpose, Status, Verification, Wording};
use super::{ApiError, Ctx, ErrorCode, FlowResult, Params};
use crate::store::sessions::SessionRow;
use crate::store::users::{self, UserRecord};

/// How much a reverification asks (the `level` of `POST …/verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    FirstFactor,
    SecondFactor,
    MultiFactor,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "first_factor" => Some(Level::FirstFactor),
            "second_factor" => Some(Level::SecondFactor),
            "multi_factor" => Some(Level::MultiFactor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::FirstFactor => "first_factor",
            Level::SecondFactor => "second_factor",
            Level::MultiFactor => "multi_factor",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RvStatus {
    NeedsFirstFactor,
    NeedsSecondFactor,
    Complete,
}

impl RvStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RvStatus::NeedsFirstFactor => "needs_first_factor",
            RvStatus::NeedsSecondFactor => "needs_second_factor",
            RvStatus::Complete => "complete",
        }
    }
}

/// A reverification in progress, kept in the ephemeral store for its session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reverification {
    pub session_id: String,
    pub level: Level,
    pub status: RvStatus,
    pub supported_first_factors: Vec<Factor>,
    pub supported_second_factors: Vec<Factor>,
    pub first_factor_verification: Option<Verification>,
    pub second_factor_verification: Option<Verification>,
    pub expire_at: i64,
}

impl Reverification {
    /// The factors of the step it is at.
    pub fn step_factors(&self) -> &[Factor] {
        if self.status == RvStatus::NeedsSecondFactor {
            &self.supported_second_factors
        } else {
            &self.supported_first_factors
        }
    }
}

/// Minutes since a verification, or -1 for never (the session's `factor_verification_age`).
pub fn ages(row: &SessionRow, now: i64) -> (i64, i64) {
    let age = |t: i64| (now - t).max(0) / 60_000;
    (
        age(row.first_factor_at),
        row.second_factor_at.map_or(-1, age),
    )
}

/// Whether factor ages (minutes, -1 for never) meet `level` within `within` minutes: the rule
/// Clerk's SDKs apply to `factor_verification_age`, so both sides agree.
pub fn fresh(level: Level, first_age: i64, second_age: i64, within: i64) -> bool {
    let first_ok = first_age != -1 && first_age < within;
    let second_ok = second_age != -1 && second_age < within;
    match level {
        Level::FirstFactor => first_ok,
        Level::SecondFactor if second_age == -1 => first_ok,
        Level::SecondFactor if first_age == -1 => second_ok,
        Level::SecondFactor => second_ok,
        Level::MultiFactor if second_age == -1 => first_ok,
        Level::MultiFactor => first_ok && second_ok,
    }
}

/// The level a sensitive change asks for.
pub const SENSITIVE: Level = Level::SecondFactor;

fn required_error(within_minutes: i64) -> ApiError {
    ApiError::new(
        ErrorCode::SessionReverificationRequired,
        "You need to provide additional verification to perform this operation",
        format!(
            "This change needs a verification within the last {within_minutes} minutes. \
             Verify again (POST /v1/client/sessions/{{id}}/verify) and retry."
        ),
    )
}

/// Refuses a sensitive change on a session whose verification is not recent enough.
pub fn require(ctx: &Ctx, me: &Me) -> Result<(), ApiError> {
    let secs = ctx.settings().auth.reverification_secs;
    if secs == 0 {
        return Ok(());
    }
    // In whole minutes, as the session reports its ages; at least one.
    let within = (secs / 60).max(1);
    let (first, second) = ages(&me.session.row, ctx.now());
    // A user with no second factor now (one removed since sign-in) proves the first again.
    let level = if me.user().two_factor_enabled() {
        SENSITIVE
    } else {
        Level::FirstFactor
    };
    if fresh(level, first, second, within) {
        Ok(())
    } else {
        Err(required_error(within))
    }
}

/// Where a reverification starts: the second-factor levels fall back to the first factor when
/// the user has no second factor (the Frontend API description says so).
pub fn start_status(level: Level, has_second: bool) -> RvStatus {
    match level {
        Level::SecondFactor if has_second => RvStatus::NeedsSecondFactor,
        _ => RvStatus::NeedsFirstFactor,
    }
}

/// Where it goes once the first factor is proven.
pub fn after_first(level: Level, has_second: bool) -> RvStatus {
    match level {
        Level::MultiFactor if has_second => RvStatus::NeedsSecondFactor,
        _ => RvStatus::Complete,
    }
}

fn key(session_id: &str) -> String {
    format!("reverification:{session_id}")
}

async fn save(ctx: &Ctx, rv: &Reverification) -> FlowResult<()> {
    super::save_state(ctx, &key(&rv.session_id), rv, rv.expire_at).await
}

/// The reverification of `me`'s session, if one was started and has not expired.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn current(ctx: &Ctx, me: &Me) -> FlowResult<Reverification> {
    super::load_state::<Reverification>(ctx, &key(&me.session.row.id))
        .await?
        .filter(|rv| rv.expire_at > ctx.now())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::VerificationMissing,
                "No verification in progress",
                "Start a verification of this session first (POST …/verify).",
            )
            .into()
        })
}

/// The first factors a signed-in user can verify again with: the password, a code to a
/// verified email address, or to a phone number not kept for the second factor.
fn first_factors(ctx: &Ctx, user: &UserRecord) -> Vec<Factor> {
    let plain = Factor::plain;
    let mut out = Vec::new();
    if user.user.password_hash.is_some() {
        out.push(plain("password"));
    }
    let first = &ctx.settings().auth.first_factors;
    if first.iter().any(|f| f == "email_code") {
        for e in user.emails.iter().filter(|e| e.verified) {
            out.push(Factor {
                safe_identifier: Some(crate::domain::mask_email(&e.email_address)),
                email_address_id: Some(e.id.clone()),
                primary: user.user.primary_email_address_id.as_deref() == Some(&e.id),
                ..plain("email_code")
            });
        }
    }
    if first.iter().any(|f| f == "phone_code") {
        for p in user.first_factor_phones() {
            out.push(Factor {
                safe_identifier: Some(crate::domain::mask_phone(&p.phone_number)),
                phone_number_id: Some(p.id.clone()),
                primary: user.user.primary_phone_number_id.as_deref() == Some(&p.id),
                ..plain("phone_code")
            });
        }
    }
    if let Some(f) = out.first_mut() {
        f.default = true;
    }
    out
}

/// What `POST …/verify` accepts.
pub const START_PARAMS: &[&str] = &["level"];

/// `POST /v1/client/sessions/{id}/verify`: starts (or restarts) a reverification.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn start(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<Reverification> {
    params.only(START_PARAMS)?;
    let raw = params.required("level")?;
    let level = Level::parse(&raw).ok_or_else(|| {
        ApiError::invalid_value(
            "level",
            "must be first_factor, second_factor or multi_factor",
        )
    })?;
    let user = me.user();
    let second = super::mfa::second_factors(ctx, user);
    let rv = Reverification {
        session_id: me.session.row.id.clone(),
        level,
        status: start_status(level, !second.is_empty()),
        supported_first_factors: first_factors(ctx, user),
        supported_second_factors: second,
        first_factor_verification: None,
        second_factor_verification: None,
        expire_at: ctx.now() + verification::CODE_LIFETIME_SECS * 1000,
    };
    save(ctx, &rv).await?;
    Ok(rv)
}

fn require_status(rv: &Reverification, status: RvStatus) -> Result<(), ApiError> {
    if rv.status == status {
        return Ok(());
    }
    Err(ApiError::state(format!(
        "This verification is at {}, not {}.",
        rv.status.as_str(),
        status.as_str()
    )))
}

fn unavailable(strategy: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StrategyForUserInvalid,
        "is invalid",
        format!("The strategy {strategy:?} is not available to verify this session."),
    )
    .param("strategy")
}

/// The factor of `list` with `strategy` and, when given, the address or number id.
fn pick(list: &[Factor], strategy: &str, target: Option<&str>) -> Option<Factor> {
    list.iter()
        .filter(|f| f.strategy == strategy)
        .find(|f| {
            target.is_none_or(|t| {
                f.email_address_id.as_deref() == Some(t) || f.phone_number_id.as_deref() == Some(t)
            })
        })
        .cloned()
}

/// Sends a code for a factor of `user`: to its verified email address or phone number.
async fn send(
    ctx: &Ctx,
    owner: &str,
    user: &UserRecord,
    factor: &Factor,
    second: bool,
    locale: crate::i18n::Locale,
) -> FlowResult<Verification> {
    let (channel, destination, target) = if factor.strategy == "email_code" {
        let id = factor.email_address_id.clone().unwrap_or_default();
        let e = user.emails.iter().find(|e| e.id == id && e.verified);
        (Channel::Email, e.map(|e| e.email_address.clone()), id)
    } else {
        let id = factor.phone_number_id.clone().unwrap_or_default();
        let phones = if second {
            user.second_factor_phones()
        } else {
            user.first_factor_phones()
        };
        let p = phones.into_iter().find(|p| p.id == id);
        (Channel::Sms, p.map(|p| p.phone_number.clone()), id)
    };
    let destination = destination.ok_or_else(|| unavailable(&factor.strategy))?;
    verification::send_code(
        ctx,
        owner,
        &factor.strategy,
        channel,
        &destination,
        Some(target),
        Wording {
            purpose: Purpose::SignIn,
            locale,
        },
    )
    .await
}

/// What `…/verify/prepare_first_factor` accepts.
pub const PREPARE_FIRST_PARAMS: &[&str] = &[
    "strategy",
    "email_address_id",
    "phone_number_id",
    "proof_token",
];

/// `…/verify/prepare_first_factor`: sends an email or SMS code.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn prepare_first_factor(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
) -> FlowResult<Reverification> {
    params.only(PREPARE_FIRST_PARAMS)?;
    let strategy = params.required("strategy")?;
    prepare_code(ctx, me, params, strategy, RvStatus::NeedsFirstFactor).await
}

/// Sends the code of the step at `status` for `strategy` to the address or number the
/// parameters name (or the step's first for it), among the factors the step offers.
async fn prepare_code(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
    strategy: String,
    status: RvStatus,
) -> FlowResult<Reverification> {
    let mut rv = current(ctx, me).await?;
    require_status(&rv, status)?;
    let target = match strategy.as_str() {
        "email_code" => params.text("email_address_id")?,
        "phone_code" => params.text("phone_number_id")?,
        other => return Err(unavailable(other).into()),
    };
    let second = status == RvStatus::NeedsSecondFactor;
    let factor = pick(rv.step_factors(), &strategy, target.as_deref())
        .ok_or_else(|| unavailable(&strategy))?;
    // The cooldown is per step: a first-factor code moments ago does not hold up the second.
    let owner = format!(
        "{}:reverify{}",
        rv.session_id,
        if second { ":2fa" } else { "" }
    );
    let sent = Some(send(ctx, &owner, me.user(), &factor, second, me.locale()).await?);
    if second {
        rv.second_factor_verification = sent;
    } else {
        rv.first_factor_verification = sent;
    }
    save(ctx, &rv).await?;
    Ok(rv)
}

/// What `…/verify/attempt_first_factor` accepts.
pub const ATTEMPT_FIRST_PARAMS: &[&str] =
    &["strategy", "code", "password", "public_key_credential"];

/// What every attempt does first: its parameters, the reverification at `status`, a strategy
/// it offers, and the sign-in rate limits (per address and per user). Gives the
/// reverification, the strategy and the user's id.
async fn begin_attempt(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
    accepted: &[&str],
    status: RvStatus,
) -> FlowResult<(Reverification, String, String)> {
    params.only(accepted)?;
    let strategy = params.required("strategy")?;
    let rv = current(ctx, me).await?;
    require_status(&rv, status)?;
    if !rv.step_factors().iter().any(|f| f.strategy == strategy) {
        return Err(unavailable(&strategy).into());
    }
    let user_id = me.user().user.id.clone();
    super::limits::sign_in(ctx, me.actor.ip.as_deref(), Some(&user_id)).await?;
    Ok((rv, strategy, user_id))
}

/// `…/verify/attempt_first_factor`: the password, or the code sent.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn attempt_first_factor(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
) -> FlowResult<Reverification> {
    let (mut rv, strategy, user_id) = begin_attempt(
        ctx,
        me,
        params,
        ATTEMPT_FIRST_PARAMS,
        RvStatus::NeedsFirstFactor,
    )
    .await?;
    match strategy.as_str() {
        "password" => {
            let password = params
                .raw("password")?
                .ok_or_else(|| ApiError::missing("password"))?;
            // Read now, not from the session's copy: a password changed meanwhile counts.
            let stored = users::get_user(&ctx.db, &user_id)
                .await
                .context("users::get_user")?
                .and_then(|u| u.user.password_hash);
            super::lockout::check_password(ctx, &user_id, stored, password, "password").await?;
            rv.first_factor_verification = Some(Verification::verified("password", ctx.now()));
        }
        "email_code" | "phone_code" => {
            let code = params.required("code")?;
            let v = verification::awaiting(&mut rv.first_factor_verification, &strategy)?;
            let checked = verification::check_code(ctx, v, &code).await;
            save(ctx, &rv).await?;
            checked?;
        }
        other => return Err(unavailable(other).into()),
    }
    // The second factor left is one other than the channel just used.
    rv.supported_second_factors = super::mfa::distinct_from_first(
        std::mem::take(&mut rv.supported_second_factors),
        rv.first_factor_verification.as_ref(),
    );
    rv.status = after_first(rv.level, !rv.supported_second_factors.is_empty());
    finish_step(ctx, me, &mut rv, true).await?;
    Ok(rv)
}

/// What `…/verify/prepare_second_factor` accepts.
pub const PREPARE_SECOND_PARAMS: &[&str] = &[
    "strategy",
    "phone_number_id",
    "email_address_id",
    "proof_token",
];

/// `…/verify/prepare_second_factor`: sends the SMS (or email) code of a second factor.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn prepare_second_factor(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
) -> FlowResult<Reverification> {
    params.only(PREPARE_SECOND_PARAMS)?;
    let strategy = params
        .text("strategy")?
        .unwrap_or_else(|| "phone_code".into());
    prepare_code(ctx, me, params, strategy, RvStatus::NeedsSecondFactor).await
}

/// What `…/verify/attempt_second_factor` accepts.
pub const ATTEMPT_SECOND_PARAMS: &[&str] = &["strategy", "code", "public_key_credential"];

/// `…/verify/attempt_second_factor`: a TOTP, backup code, or the code sent.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn attempt_second_factor(
    ctx: &Ctx,
    me: &Me,
    params: &Params,
) -> FlowResult<Reverification> {
    let (mut rv, strategy, user_id) = begin_attempt(
        ctx,
        me,
        params,
        ATTEMPT_SECOND_PARAMS,
        RvStatus::NeedsSecondFactor,
    )
    .await?;
    let code = params.required("code")?;
    match strategy.as_str() {
        "totp" | "backup_code" => {
            super::mfa::check_sign_in_code(ctx, &user_id, &strategy, &code).await?;
            rv.second_factor_verification = Some(Verification::verified(&strategy, ctx.now()));
        }
        "phone_code" | "email_code" => {
            let v = verification::awaiting(&mut rv.second_factor_verification, &strategy)?;
            super::lockout::check(ctx, &user_id).await?;
            let checked = verification::check_code(ctx, v, &code).await;
            save(ctx, &rv).await?;
            super::lockout::second_factor_checked(ctx, &user_id, checked).await?;
        }
        other => return Err(unavailable(other).into()),
    }
    rv.status = RvStatus::Complete;
    // The second factor is proven again: its failures are forgiven, as at sign-in.
    super::lockout::succeeded(ctx, &user_id, super::lockout::Counter::SecondFactor).await?;
    finish_step(ctx, me, &mut rv, false).await?;
    Ok(rv)
}

/// Saves the step; a completed reverification moves the session's verification times (the
/// factor just proven, and the first factor of a multi-factor one) forward.
async fn finish_step(ctx: &Ctx, me: &Me, rv: &mut Reverification, first: bool) -> FlowResult<()> {
    if rv.status != RvStatus::Complete {
        return save(ctx, rv).await;
    }
    let now = ctx.now();
    let first_verified = rv
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified);
    let first_at = (first || first_verified).then_some(now);
    let second_at = (!first).then_some(now);
    let txn = crate::store::begin(&ctx.db).await?;
    crate::store::sessions::set_verified_at(&txn, &rv.session_id, first_at, second_at, now)
        .await
        .context("sessions::set_verified_at")?;
    // A second factor proven now counts for the session from now on: its ID tokens say
    // `mfa` (the step-up an application asked for with `acr_values`).
    if let Some(v) = rv
        .second_factor_verification
        .as_ref()
        .filter(|v| !first && v.status == Status::Verified)
    {
        crate::store::sessions::add_factor(&txn, &rv.session_id, &v.strategy)
            .await
            .context("sessions::add_factor")?;
    }
    super::audit::record(
        ctx,
        &txn,
        &me.actor,
        "session.reverified",
        json!({ "level": rv.level.as_str() }),
    )
    .await?;
    txn.commit().await?;
    // Done: a finished reverification is not replayed into another.
    ctx.eph.delete(&key(&rv.session_id)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_factor_level_looks_only_at_the_first_factor() {
        assert!(fresh(Level::FirstFactor, 0, -1, 10));
        assert!(fresh(Level::FirstFactor, 9, 50, 10));
        assert!(!fresh(Level::FirstFactor, 10, 0, 10));
        assert!(!fresh(Level::FirstFactor, -1, 0, 10));
    }

    #[test]
    fn the_second_factor_level_wants_the_latest_second_factor_when_there_was_one() {
        assert!(
            fresh(Level::SecondFactor, 3, -1, 10),
            "no second factor: the first counts"
        );
        assert!(!fresh(Level::SecondFactor, 11, -1, 10));
        assert!(fresh(Level::SecondFactor, 30, 2, 10));
        assert!(
            !fresh(Level::SecondFactor, 2, 30, 10),
            "a fresh password is not enough"
        );
        assert!(fresh(Level::SecondFactor, -1, 2, 10));
    }

    #[test]
    fn the_multi_factor_level_wants_both_when_there_are_two() {
        assert!(fresh(Level::MultiFactor, 2, 3, 10));
        assert!(!fresh(Level::MultiFactor, 2, 30, 10));
        assert!(!fresh(Level::MultiFactor, 30, 2, 10));
        assert!(fresh(Level::MultiFactor, 2, -1, 10));
        assert!(!fresh(Level::MultiFactor, -1, 2, 10));
    }

    #[test]
    fn second_factor_levels_fall_back_to_the_first_factor_without_one() {
        assert_eq!(
            start_status(Level::SecondFactor, true),
            RvStatus::NeedsSecondFactor
        );
        assert_eq!(
            start_status(Level::SecondFactor, false),
            RvStatus::NeedsFirstFactor
        );
        assert_eq!(
            start_status(Level::MultiFactor, true),
            RvStatus::NeedsFirstFactor
        );
        assert_eq!(
            start_status(Level::FirstFactor, true),
            RvStatus::NeedsFirstFactor
        );
        assert_eq!(
            after_first(Level::MultiFactor, true),
            RvStatus::NeedsSecondFactor
        );
        assert_eq!(after_first(Level::MultiFactor, false), RvStatus::Complete);
        assert_eq!(after_first(Level::SecondFactor, false), RvStatus::Complete);
        assert_eq!(after_first(Level::FirstFactor, true), RvStatus::Complete);
    }

    #[test]
    fn levels_read_their_wire_names() {
        for l in [Level::FirstFactor, Level::SecondFactor, Level::MultiFactor] {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        assert_eq!(Level::parse("none"), None);
    }
}
