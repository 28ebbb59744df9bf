//! What a flow can answer besides success. Expected failures carry a FAPI error code; the
//! web layer maps them to HTTP in one place. Internal causes stay in the log.

use sea_orm::DbErr;

use crate::delivery::DeliveryError;
use crate::domain::ParseError;
use crate::store::ephemeral::StoreError;

/// The FAPI error codes Portcullis answers with, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    FormIdentifierNotFound,
    FormPasswordIncorrect,
    FormCodeIncorrect,
    FormIdentifierExists,
    FormParamMissing,
    FormParamFormatInvalid,
    FormParamUnknown,
    FormParamValueInvalid,
    FormPasswordLengthTooShort,
    FormPasswordLengthTooLong,
    FormPasswordNotStrongEnough,
    FormPasswordPwned,
    FormUsernameInvalidLength,
    FormUsernameInvalidCharacter,
    VerificationExpired,
    VerificationFailed,
    VerificationMissing,
    VerificationNotSent,
    VerificationAlreadyVerified,
    VerificationStrategyInvalid,
    StrategyForUserInvalid,
    NoSecondFactors,
    SessionExists,
    ClientStateInvalid,
    ClientMismatch,
    AccountTransferInvalid,
    AuthenticationInvalid,
    ClerkKeyInvalid,
    SignUpModeRestricted,
    NotAllowedAccess,
    UserLocked,
    UserBanned,
    ResourceNotFound,
    ExternalAccountNotFound,
    ExternalAccountExists,
    OAuthAccessDenied,
    OAuthCallbackInvalid,
    OAuthProviderError,
    TooManyRequests,
    VerificationCodeTooManyRequests,
    RequestBodyInvalid,
    RequestBodyTooLarge,
    OriginInvalid,
    SessionReverificationRequired,
    OrganizationNotEnabledInInstance,
    OrganizationNotFound,
    AlreadyAMemberInOrganization,
    OrganizationMembershipQuotaExceeded,
    OrganizationMinimumPermissionsNeeded,
    OrganizationQuotaExceeded,
    ServiceUnavailable,
    InternalError,
}

impl ErrorCode {
    /// Every code, for reading stored errors back.
    pub const ALL: [ErrorCode; 52] = [
        ErrorCode::FormIdentifierNotFound,
        ErrorCode::FormPasswordIncorrect,
        ErrorCode::FormCodeIncorrect,
        ErrorCode::FormIdentifierExists,
        ErrorCode::FormParamMissing,
        ErrorCode::FormParamFormatInvalid,
        ErrorCode::FormParamUnknown,
        ErrorCode::FormParamValueInvalid,
        ErrorCode::FormPasswordLengthTooShort,
        ErrorCode::FormPasswordLengthTooLong,
        ErrorCode::FormPasswordNotStrongEnough,
        ErrorCode::FormPasswordPwned,
        ErrorCode::FormUsernameInvalidLength,
        ErrorCode::FormUsernameInvalidCharacter,
        ErrorCode::VerificationExpired,
        ErrorCode::VerificationFailed,
        ErrorCode::VerificationMissing,
        ErrorCode::VerificationNotSent,
        ErrorCode::VerificationAlreadyVerified,
        ErrorCode::VerificationStrategyInvalid,
        ErrorCode::StrategyForUserInvalid,
        ErrorCode::NoSecondFactors,
        ErrorCode::SessionExists,
        ErrorCode::ClientStateInvalid,
        ErrorCode::ClientMismatch,
        ErrorCode::AccountTransferInvalid,
        ErrorCode::AuthenticationInvalid,
        ErrorCode::ClerkKeyInvalid,
        ErrorCode::SignUpModeRestricted,
        ErrorCode::NotAllowedAccess,
        ErrorCode::UserLocked,
        ErrorCode::UserBanned,
        ErrorCode::ResourceNotFound,
        ErrorCode::ExternalAccountNotFound,
        ErrorCode::ExternalAccountExists,
        ErrorCode::OAuthAccessDenied,
        ErrorCode::OAuthCallbackInvalid,
        ErrorCode::OAuthProviderError,
        ErrorCode::TooManyRequests,
        ErrorCode::VerificationCodeTooManyRequests,
        ErrorCode::RequestBodyInvalid,
        ErrorCode::RequestBodyTooLarge,
        ErrorCode::OriginInvalid,
        ErrorCode::SessionReverificationRequired,
        ErrorCode::OrganizationNotEnabledInInstance,
        ErrorCode::OrganizationNotFound,
        ErrorCode::AlreadyAMemberInOrganization,
        ErrorCode::OrganizationMembershipQuotaExceeded,
        ErrorCode::OrganizationMinimumPermissionsNeeded,
        ErrorCode::OrganizationQuotaExceeded,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InternalError,
    ];

    pub fn parse(s: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            FormIdentifierNotFound => "form_identifier_not_found",
            FormPasswordIncorrect => "form_password_incorrect",
            FormCodeIncorrect => "form_code_incorrect",
            FormIdentifierExists => "form_identifier_exists",
            FormParamMissing => "form_param_missing",
            FormParamFormatInvalid => "form_param_format_invalid",
            FormParamUnknown => "form_param_unknown",
            FormParamValueInvalid => "form_param_value_invalid",
            FormPasswordLengthTooShort => "form_password_length_too_short",
            FormPasswordLengthTooLong => "form_password_length_too_long",
            FormPasswordNotStrongEnough => "form_password_not_strong_enough",
            FormPasswordPwned => "form_password_pwned",
            FormUsernameInvalidLength => "form_username_invalid_length",
            FormUsernameInvalidCharacter => "form_username_invalid_character",
            VerificationExpired => "verification_expired",
            VerificationFailed => "verification_failed",
            VerificationMissing => "verification_missing",
            VerificationNotSent => "verification_not_sent",
            VerificationAlreadyVerified => "verification_already_verified",
            VerificationStrategyInvalid => "verification_strategy_invalid",
            StrategyForUserInvalid => "strategy_for_user_invalid",
            NoSecondFactors => "no_second_factors",
            SessionExists => "session_exists",
            ClientStateInvalid => "client_state_invalid",
            ClientMismatch => "client_mismatch",
            AccountTransferInvalid => "account_transfer_invalid",
            AuthenticationInvalid => "authentication_invalid",
            ClerkKeyInvalid => "clerk_key_invalid",
            SignUpModeRestricted => "sign_up_mode_restricted",
            NotAllowedAccess => "not_allowed_access",
            UserLocked => "user_locked",
            UserBanned => "user_banned",
            ResourceNotFound => "resource_not_found",
            ExternalAccountNotFound => "external_account_not_found",
            ExternalAccountExists => "external_account_exists",
            OAuthAccessDenied => "oauth_access_denied",
            OAuthCallbackInvalid => "oauth_callback_invalid",
            OAuthProviderError => "oauth_provider_error",
            TooManyRequests => "too_many_requests",
            VerificationCodeTooManyRequests => "verification_code_too_many_requests",
            RequestBodyInvalid => "request_body_invalid",
            RequestBodyTooLarge => "request_body_too_large",
            OriginInvalid => "origin_invalid",
            SessionReverificationRequired => "session_reverification_required",
            OrganizationNotEnabledInInstance => "organization_not_enabled_in_instance",
            OrganizationNotFound => "organization_not_found",
            AlreadyAMemberInOrganization => "already_a_member_in_organization",
            OrganizationMembershipQuotaExceeded => "organization_membership_quota_exceeded",
            OrganizationMinimumPermissionsNeeded => "organization_minimum_permissions_needed",
            OrganizationQuotaExceeded => "organization_quota_exceeded",
            ServiceUnavailable => "service_unavailable",
            InternalError => "internal_error",
        }
    }

    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            FormIdentifierNotFound
            | FormPasswordIncorrect
            | FormCodeIncorrect
            | FormIdentifierExists
            | FormParamMissing
            | FormParamFormatInvalid
            | FormParamUnknown
            | FormParamValueInvalid
            | FormPasswordLengthTooShort
            | FormPasswordLengthTooLong
            | FormPasswordNotStrongEnough
            | FormPasswordPwned
            | FormUsernameInvalidLength
            | FormUsernameInvalidCharacter => 422,
            VerificationExpired
            | VerificationFailed
            | VerificationMissing
            | VerificationNotSent
            | VerificationAlreadyVerified
            | VerificationStrategyInvalid
            | StrategyForUserInvalid
            | NoSecondFactors
            | SessionExists
            | ClientStateInvalid
            | ClientMismatch
            | AccountTransferInvalid
            | ExternalAccountExists
            | OAuthAccessDenied
            | OAuthCallbackInvalid
            | AlreadyAMemberInOrganization
            | RequestBodyInvalid => 400,
            AuthenticationInvalid | ClerkKeyInvalid => 401,
            SignUpModeRestricted
            | NotAllowedAccess
            | UserLocked
            | UserBanned
            | OriginInvalid
            | SessionReverificationRequired
            | OrganizationNotEnabledInInstance
            | OrganizationMembershipQuotaExceeded
            | OrganizationMinimumPermissionsNeeded
            | OrganizationQuotaExceeded => 403,
            ResourceNotFound | ExternalAccountNotFound | OrganizationNotFound => 404,
            RequestBodyTooLarge => 413,
            OAuthProviderError => 502,
            TooManyRequests | VerificationCodeTooManyRequests => 429,
            ServiceUnavailable => 503,
            InternalError => 500,
        }
    }
}

/// One entry of the FAPI `errors` array.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ApiError {
    #[serde(with = "code_serde")]
    pub code: ErrorCode,
    pub message: String,
    pub long_message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub param: Option<String>,
    /// Seconds for the `Retry-After` header on 429 answers.
    #[serde(skip, default)]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lockout_expires_in_seconds: Option<i64>,
    /// Numbers a translated message needs (`min`, `max` of a length rule); the English
    /// `long_message` already has them in its text. Boxed: most errors have none, and
    /// every flow result carries the error's size.
    #[serde(skip, default)]
    pub numbers: Option<Box<Vec<(&'static str, i64)>>>,
}

mod code_serde {
    use super::ErrorCode;

    pub fn serialize<S: serde::Serializer>(c: &ErrorCode, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(c.as_str())
    }

    // Stored verification errors are only ever written by us; a code from a newer version
    // reads back as a generic failure rather than failing the whole sign-in.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ErrorCode, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        Ok(ErrorCode::parse(&s).unwrap_or(ErrorCode::VerificationFailed))
    }
}

impl ApiError {
    pub fn new(
        code: ErrorCode,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message: message.into(),
            long_message: long_message.into(),
            param: None,
            retry_after: None,
            lockout_expires_in_seconds: None,
            numbers: None,
        }
    }

    pub fn param(mut self, name: impl Into<String>) -> Self {
        self.param = Some(name.into());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    // Common answers, so every flow says them the same way.

    pub fn missing(param: &str) -> Self {
        Self::new(
            ErrorCode::FormParamMissing,
            format!("{param} is missing"),
            format!("{param} must be included."),
        )
        .param(param)
    }

    pub fn unknown(param: &str) -> Self {
        Self::new(
            ErrorCode::FormParamUnknown,
            "is unknown",
            format!("{param} is not a recognized parameter for this request."),
        )
        .param(param)
    }

    pub fn invalid_value(param: &str, long: impl Into<String>) -> Self {
        Self::new(ErrorCode::FormParamValueInvalid, "is invalid", long).param(param)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            ErrorCode::ResourceNotFound,
            "not found",
            format!("No {what} was found with that id."),
        )
    }

    pub fn state(long: impl Into<String>) -> Self {
        Self::new(ErrorCode::ClientStateInvalid, "invalid state", long)
    }

    /// A value that failed to parse into its domain type.
    pub fn from_parse(param: &str, e: &ParseError) -> Self {
        let (code, message) = match e {
            ParseError::Format(_) => (ErrorCode::FormParamFormatInvalid, "is invalid"),
            ParseError::Length { .. } if param == "username" => {
                (ErrorCode::FormUsernameInvalidLength, "is invalid")
            }
            ParseError::Length { .. } => (ErrorCode::FormParamFormatInvalid, "is invalid"),
            ParseError::Characters(_) if param == "username" => {
                (ErrorCode::FormUsernameInvalidCharacter, "is invalid")
            }
            ParseError::Characters(_) => (ErrorCode::FormParamFormatInvalid, "is invalid"),
            ParseError::PasswordTooShort(_) => (
                ErrorCode::FormPasswordLengthTooShort,
                "Password is too short",
            ),
            ParseError::PasswordTooLong(_) => {
                (ErrorCode::FormPasswordLengthTooLong, "Password is too long")
            }
            ParseError::PasswordWeak(_) => (
                ErrorCode::FormPasswordNotStrongEnough,
                "Password is not strong enough",
            ),
        };
        let numbers = match e {
            ParseError::Length { min, max } => vec![("min", *min), ("max", *max)],
            ParseError::PasswordTooShort(min) => vec![("min", *min)],
            ParseError::PasswordTooLong(max) => vec![("max", *max)],
            _ => Vec::new(),
        };
        let mut api = Self::new(code, message, format!("{param} {e}")).param(param);
        if !numbers.is_empty() {
            api.numbers = Some(Box::new(
                numbers
                    .into_iter()
                    .map(|(k, v)| (k, i64::try_from(v).unwrap_or(i64::MAX)))
                    .collect(),
            ));
        }
        api
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{}: {}", .0.code.as_str(), .0.long_message)]
    Api(ApiError),
    /// A dependency (database, Redis, mail or SMS provider) is down; the request may be
    /// retried.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<ApiError> for FlowError {
    fn from(e: ApiError) -> Self {
        FlowError::Api(e)
    }
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        crate::metrics::global().store_error(crate::metrics::Store::Ephemeral);
        FlowError::Unavailable(anyhow::Error::new(e))
    }
}

impl From<DeliveryError> for FlowError {
    fn from(e: DeliveryError) -> Self {
        FlowError::Unavailable(anyhow::Error::new(e))
    }
}

/// Whether a database error means the database cannot be reached (as opposed to a bad
/// query): no connection to be had, or one that broke under the query.
pub fn is_connection_error(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Query(sea_orm::RuntimeErr::SqlxError(inner))
        | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(inner)) => matches!(
            inner.as_ref(),
            Sqlx::Io(_)
                | Sqlx::Tls(_)
                | Sqlx::PoolTimedOut
                | Sqlx::PoolClosed
                | Sqlx::WorkerCrashed
                | Sqlx::Protocol(_)
        ),
        _ => false,
    }
}

impl From<DbErr> for FlowError {
    fn from(e: DbErr) -> Self {
        crate::metrics::global().store_error(crate::metrics::Store::Database);
        if is_connection_error(&e) {
            FlowError::Unavailable(anyhow::Error::new(e))
        } else {
            FlowError::Unexpected(anyhow::Error::new(e))
        }
    }
}

pub type FlowResult<T> = Result<T, FlowError>;

/// `.context("…")` on a flow step: a dependency failure or an unexpected error carries the
/// step it happened in, so the one log line of a failed request reads
/// `users::insert: connection refused` rather than just the cause. An API error is the
/// caller's answer and stays exactly as it is.
pub trait Context<T> {
    fn context(self, step: &'static str) -> FlowResult<T>;
}

impl<T, E: Into<FlowError>> Context<T> for Result<T, E> {
    fn context(self, step: &'static str) -> FlowResult<T> {
        self.map_err(|e| match e.into() {
            FlowError::Unavailable(cause) => FlowError::Unavailable(cause.context(step)),
            FlowError::Unexpected(cause) => FlowError::Unexpected(cause.context(step)),
            api @ FlowError::Api(_) => api,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_a_status() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!((400..=503).contains(&code.status()));
        }
        let e = ApiError::new(ErrorCode::FormPasswordIncorrect, "m", "l").param("password");
        let back: ApiError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn context_names_the_step_of_a_failure_but_leaves_answers_alone() {
        let down: Result<(), DbErr> = Err(DbErr::Conn(sea_orm::RuntimeErr::Internal(
            "connection refused".into(),
        )));
        match down.context("users::insert") {
            Err(FlowError::Unavailable(cause)) => {
                let text = format!("{cause:#}");
                assert!(text.starts_with("users::insert: "), "{text}");
                assert!(text.contains("connection refused"), "{text}");
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        let odd: Result<(), anyhow::Error> = Err(anyhow::anyhow!("bad row"));
        match odd.context("sessions::get") {
            Err(FlowError::Unexpected(cause)) => {
                assert_eq!(format!("{cause:#}"), "sessions::get: bad row");
            }
            other => panic!("expected unexpected, got {other:?}"),
        }
        let answer: Result<(), ApiError> = Err(ApiError::not_found("session"));
        match answer.context("sessions::get") {
            Err(FlowError::Api(api)) => assert_eq!(api, ApiError::not_found("session")),
            other => panic!("expected the API error unchanged, got {other:?}"),
        }
    }
}
