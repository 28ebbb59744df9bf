//! The code entry page, one template for every journey that asks for a code sent to an
//! address or number: a sign-up's email address or phone number, and an identifier added on
//! the account page. Each journey says what is verified and where the form goes.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::strings::Strings;
use super::{FormErrors, PageCtx, html};
use crate::flows::Ctx;

#[derive(Template)]
#[template(path = "pages/verify.html")]
struct VerifyPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    title: &'a str,
    action: &'a str,
    destination: &'a str,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

/// What one journey's code page shows.
pub(super) struct CodeEntry<'a> {
    pub title: &'a str,
    /// The address or number the code went to.
    pub destination: &'a str,
    /// Where the form posts (`{action}/resend` sends a new code).
    pub action: &'a str,
    /// The query string carried through the journey (`?redirect_url=…`), or empty.
    pub query: &'a str,
}

pub(super) fn render(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    entry: CodeEntry<'_>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &pc.brand;
    let page = VerifyPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: entry.query,
        title: entry.title,
        action: entry.action,
        destination: entry.destination,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}
