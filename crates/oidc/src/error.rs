//! OAuth 2.0 errors: RFC 6749 §5.2 JSON at the token-style endpoints, and the redirect form of
//! §4.1.2.1 at the authorization endpoint.

use crate::flows::FlowError;

#[derive(Debug, Clone)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
    pub status: u16,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        let status = match error {
            "invalid_client" | "invalid_token" => 401,
            "insufficient_scope" | "access_denied" => 403,
            "server_error" => 500,
            "temporarily_unavailable" => 503,
            _ => 400,
        };
        Self {
            error,
            description: description.into(),
            status,
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new("invalid_request", d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new("invalid_grant", d)
    }

    pub fn invalid_client() -> Self {
        Self::new("invalid_client", "Client authentication failed.")
    }
}

impl From<FlowError> for OAuthError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Api(api) => OAuthError::invalid_request(api.long_message),
            FlowError::Unavailable(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "dependency unavailable");
                OAuthError::new("temporarily_unavailable", "Try again in a moment.")
            }
            FlowError::Unexpected(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "unexpected failure");
                OAuthError::new("server_error", "Something went wrong on our side.")
            }
        }
    }
}

impl From<sea_orm::DbErr> for OAuthError {
    fn from(e: sea_orm::DbErr) -> Self {
        FlowError::from(e).into()
    }
}

impl From<crate::store::ephemeral::StoreError> for OAuthError {
    fn from(e: crate::store::ephemeral::StoreError) -> Self {
        FlowError::from(e).into()
    }
}

impl From<anyhow::Error> for OAuthError {
    fn from(e: anyhow::Error) -> Self {
        FlowError::Unexpected(e).into()
    }
}

pub type OAuthResult<T> = Result<T, OAuthError>;
