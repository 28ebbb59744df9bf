//! What an admin call carries, extracted before the handler runs: the operator behind it
//! (`Authorization: Bearer <admin key>`), and for calls with a body, the operator first and
//! then the JSON body. Failures answer as the FAPI `errors` array (`Failure`).
//!
//! The body is read inside the same extractor, after the operator is known: actix polls a
//! handler's extractors together, so a separate body extractor could answer 413 to a caller
//! who is not even an operator, and which answer came first would depend on timing.

use std::fmt;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::{authorize, json_body};
use crate::fapi::extract::{error_response, status_of};
use crate::flows::admin::Admin;
use crate::flows::{ApiError, Ctx, FlowError};

/// An admin call that failed, answered as the FAPI `errors` array.
#[derive(Debug)]
pub(crate) struct Failure(pub FlowError);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<FlowError> for Failure {
    fn from(e: FlowError) -> Self {
        Self(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Self(e.into())
    }
}

impl ResponseError for Failure {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        error_response(&self.0)
    }
}

fn context(req: &HttpRequest) -> Result<web::Data<Ctx>, Failure> {
    req.app_data::<web::Data<Ctx>>()
        .cloned()
        .ok_or_else(|| Failure(FlowError::Unexpected(anyhow::anyhow!("no shared context"))))
}

/// The operator behind the call, or 401.
pub(crate) struct Operator(pub Admin);

impl FromRequest for Operator {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = context(&req)?;
            Ok(Operator(authorize(&ctx, &req).await?))
        })
    }
}

/// The operator behind the call, then its JSON body (64 KiB at most; empty reads as `{}`).
pub(crate) struct Call<T> {
    pub admin: Admin,
    pub body: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for Call<T> {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let ctx = context(&req)?;
            let admin = authorize(&ctx, &req).await?;
            let payload = payload
                .await
                .map_err(|e| Failure(FlowError::Unexpected(anyhow::anyhow!("{e}"))))?;
            let body = json_body(payload).await?;
            Ok(Call { admin, body })
        })
    }
}
