//! What an admin call carries, extracted before the handler runs: the operator behind it
//! (`Authorization: Bearer <admin key>`), and for calls with a body, the operator first and
//! then the JSON body. Failures answer as the FAPI `errors` array (`Failure`).
//!
//! The body is read inside the same extractor, after the operator is known: actix polls a
//! handler's extractors together, so a separate body extractor could answer 413 to a caller
//! who is not even an operator, and which answer came first would depend on timing.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::{authorize, json_body};
use crate::fapi::extract::{Failure, body_stream, context};
use crate::flows::admin::Admin;

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
            let body = json_body(body_stream(payload).await?).await?;
            Ok(Call { admin, body })
        })
    }
}

/// The operator behind the call, then an uploaded `file` (a multipart part or the raw body,
/// see `upload`): the key is checked before up to 2 MiB is read.
pub(crate) struct OperatorUpload {
    pub admin: Admin,
    pub file: Vec<u8>,
}

impl FromRequest for OperatorUpload {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let ctx = context(&req)?;
            let admin = authorize(&ctx, &req).await?;
            let file = crate::upload::read(&req, body_stream(payload).await?, "file").await?;
            Ok(OperatorUpload { admin, file })
        })
    }
}
