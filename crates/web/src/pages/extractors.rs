//! What a hosted page's request carries, extracted before the handler runs: the page context
//! (client, strings, CSRF token, the way back), a POSTed form whose CSRF token and origin are
//! checked, and for account pages the signed-in user. Failures are HTML (`PageError`), never
//! JSON.
//!
//! Each extractor does its whole job in one future, client first, then the body, then the
//! user, so which answer a bad request gets never depends on timing (actix polls a
//! handler's separate extractors together).

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

use super::{PageCtx, csrf_cookie, error_page, page_ctx, read_form, task_page};
use crate::fapi::extract::{Level, context};
use crate::flows::account::{self, Access, Me};
use crate::flows::{Ctx, FlowError};

/// Why a page request stopped before (or instead of) its page.
#[derive(Debug)]
pub(super) enum PageError {
    /// A flow failure, shown as the message page with its status.
    Flow(FlowError),
    /// A plain message page: an unreadable body, an expired form. The CSRF cookie goes with
    /// it when the request had none, so the next form works.
    Message {
        status: StatusCode,
        text: String,
        csrf_cookie: Option<Box<Cookie<'static>>>,
    },
    /// Elsewhere first: to sign in, or to finish setting up a second factor.
    Redirect {
        to: String,
        csrf_cookie: Option<Box<Cookie<'static>>>,
    },
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Flow(e) => fmt::Display::fmt(e, f),
            PageError::Message { status, text, .. } => write!(f, "{status}: {text}"),
            PageError::Redirect { to, .. } => write!(f, "redirect to {to}"),
        }
    }
}

impl From<FlowError> for PageError {
    fn from(e: FlowError) -> Self {
        PageError::Flow(e)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            // As `error_page` answers: a flow's refusal is a plain 400 page.
            PageError::Flow(FlowError::Api(_)) => StatusCode::BAD_REQUEST,
            PageError::Flow(FlowError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Flow(FlowError::Unexpected(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            PageError::Message { status, .. } => *status,
            PageError::Redirect { .. } => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (mut res, cookie) = match self {
            PageError::Flow(e) => (error_page(e), None),
            PageError::Message {
                status,
                text,
                csrf_cookie,
            } => (crate::message_page(*status, text), csrf_cookie.as_deref()),
            PageError::Redirect { to, csrf_cookie } => (
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, to.as_str()))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish(),
                csrf_cookie.as_deref(),
            ),
        };
        if let Some(c) = cookie {
            let _ = res.add_cookie(c);
        }
        res
    }
}

/// A page's context: see [`PageCtx`].
pub(super) struct Page(pub PageCtx);

impl FromRequest for Page {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = context(&req)?;
            Ok(Page(page_ctx(&ctx, &req).await?))
        })
    }
}

/// A POSTed form from Portcullis's own pages: the page context, then the form, whose CSRF
/// token must match the cookie's and whose `Origin` must be the issuer's. A bad one gets
/// the expired-form page.
pub(super) struct Form(pub PageCtx, pub HashMap<String, String>);

impl FromRequest for Form {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let ctx = context(&req)?;
            let pc = page_ctx(&ctx, &req).await?;
            let payload = payload.await.map_err(|_| PageError::Message {
                status: StatusCode::BAD_REQUEST,
                text: crate::BodyError::Unreadable.message().into(),
                csrf_cookie: None,
            })?;
            let form = match read_form(&req, payload).await {
                Ok(form) => form.unwrap_or_default(),
                Err(e) => {
                    return Err(PageError::Message {
                        status: e.status(),
                        text: e.message().into(),
                        csrf_cookie: None,
                    });
                }
            };
            super::check_csrf(&ctx, &req, &pc, &form)?;
            Ok(Form(pc, form))
        })
    }
}

/// The signed-in user of an account page, at the level `L` asks for. Without one the
/// browser goes to sign in, or to set up a second factor when its session waits for one.
async fn signed_in_user<L: Level>(
    ctx: &Ctx,
    req: &HttpRequest,
    pc: &PageCtx,
) -> Result<Me, PageError> {
    match account::me(ctx, &pc.cc, None, L::ACCESS).await {
        Ok(me) => Ok(me),
        Err(_) => {
            let task = match L::ACCESS {
                Access::MfaSetup => None,
                _ => task_page(ctx, &pc.cc).await,
            };
            let to = if let Some(page) = task {
                format!("{page}{}", pc.query)
            } else {
                // Back to the page asked for once signed in; a form posted while signed out
                // goes back to the account page.
                let here = match req.query_string() {
                    "" => req.path().to_owned(),
                    q => format!("{}?{q}", req.path()),
                };
                let back = if req.method() == actix_web::http::Method::GET {
                    super::safe_redirect(ctx, &here).unwrap_or_else(|| "/user".into())
                } else {
                    "/user".into()
                };
                format!(
                    "/sign-in?redirect_url={}",
                    url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
                )
            };
            Err(PageError::Redirect {
                to,
                csrf_cookie: csrf_cookie(ctx, pc).map(Box::new),
            })
        }
    }
}

/// An account page (`/user…`): its context and the signed-in user.
pub(super) struct SignedIn<L> {
    pub pc: PageCtx,
    pub me: Me,
    level: PhantomData<L>,
}

impl<L: Level + 'static> FromRequest for SignedIn<L> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = context(&req)?;
            let mut pc = page_ctx(&ctx, &req).await?;
            let mut me = signed_in_user::<L>(&ctx, &req, &pc).await?;
            pc.adopt_user_locale(&mut me);
            Ok(SignedIn {
                pc,
                me,
                level: PhantomData,
            })
        })
    }
}

/// A form posted from an account page: checked as [`Form`], then the signed-in user.
pub(super) struct SignedInForm<L> {
    pub pc: PageCtx,
    pub form: HashMap<String, String>,
    pub me: Me,
    level: PhantomData<L>,
}

impl<L: Level + 'static> FromRequest for SignedInForm<L> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = Form::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let Form(mut pc, form) = form.await?;
            let ctx = context(&req)?;
            let mut me = signed_in_user::<L>(&ctx, &req, &pc).await?;
            pc.adopt_user_locale(&mut me);
            Ok(SignedInForm {
                pc,
                form,
                me,
                level: PhantomData,
            })
        })
    }
}
