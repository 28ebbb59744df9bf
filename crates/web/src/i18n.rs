//! Which language a request gets, and errors in that language. The messages themselves are
//! in `locales/` (the `portcullis-i18n` crate).
//!
//! A page's language is chosen in this order: the relying party's `ui_locales` (OIDC Core
//! §3.1.2.1) on the authorization request the page serves; `?lang=` (the language picker,
//! remembered in a cookie) or that cookie; the signed-in user's own `locale`;
//! `Accept-Language`; English. The Frontend API takes `locale` in the query, then the
//! cookie, then `Accept-Language`.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;

pub(crate) use portcullis_i18n::{Arg, Locale};

use crate::flows::ApiError;

/// The cookie that remembers a language picked on a page.
pub(crate) const LANG_COOKIE: &str = "portcullis_lang";

/// The first value of query parameter `name`, if any.
fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A language the request names explicitly: `?lang=` or `?locale=`.
pub(crate) fn asked_in_query(req: &HttpRequest) -> Option<Locale> {
    ["lang", "locale"]
        .into_iter()
        .find_map(|name| query_value(req, name))
        .and_then(|tag| Locale::parse(&tag))
}

/// The language remembered from the picker.
pub(crate) fn from_cookie(req: &HttpRequest) -> Option<Locale> {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
}

/// The browser's preference.
pub(crate) fn from_accept_language(req: &HttpRequest) -> Option<Locale> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(portcullis_i18n::from_accept_language)
}

/// What the request alone says (no stored state): query, cookie, `Accept-Language`.
pub(crate) fn from_request(req: &HttpRequest) -> Option<Locale> {
    asked_in_query(req)
        .or_else(|| from_cookie(req))
        .or_else(|| from_accept_language(req))
}

/// The picker's cookie for `locale`: a year, the whole site, readable by no script.
pub(crate) fn lang_cookie(locale: Locale, https: bool) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, locale.tag())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish()
}

/// A parameter's name as people read it (`email address`), or the name itself.
fn field_name(param: &str, locale: Locale) -> String {
    locale
        .lookup(&format!("field-{param}"), None, &[])
        .unwrap_or_else(|| locale.format("field-other", &[("param", Arg::from(param))]))
}

/// A flow error's `message` and `long_message` in `locale`. English keeps the wording of the
/// flow that raised it, which is more specific; so does any error whose translation is
/// missing or needs a number the error does not carry. The code never changes.
pub(crate) fn localize(api: &ApiError, locale: Locale) -> Option<(String, String)> {
    if locale == Locale::EN {
        return None;
    }
    let code = api.code.as_str();
    let mut args: Vec<(&str, Arg<'_>)> = Vec::with_capacity(4);
    if let Some(p) = &api.param {
        args.push(("field", Arg::from(field_name(p, locale))));
    }
    for (name, n) in api.numbers.iter().flat_map(|b| b.iter()) {
        args.push((name, Arg::from(*n)));
    }
    if let Some(secs) = api.retry_after {
        args.push((
            "seconds",
            Arg::from(i64::try_from(secs).unwrap_or(i64::MAX)),
        ));
    }
    let specific = api.param.as_ref().map(|p| format!("error-{code}-{p}"));
    let id = specific
        .filter(|id| locale.has(id))
        .unwrap_or_else(|| format!("error-{code}"));
    let message = locale.lookup(&id, None, &args)?;
    let long = locale.lookup(&id, Some("long"), &args)?;
    Some((message, long))
}

/// `api` with its texts in `locale` (see [`localize`]).
pub(crate) fn localized(api: &ApiError, locale: Locale) -> ApiError {
    let mut out = api.clone();
    if let Some((message, long)) = localize(api, locale) {
        out.message = message;
        out.long_message = long;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::ErrorCode;

    fn locale(tag: &str) -> Locale {
        Locale::parse(tag).unwrap_or_else(|| panic!("{tag} ships"))
    }

    #[test]
    fn english_keeps_the_flow_wording() {
        let api = ApiError::new(
            ErrorCode::FormCodeIncorrect,
            "Incorrect code",
            "Very specific.",
        );
        assert!(localize(&api, Locale::EN).is_none());
    }

    #[test]
    fn codes_stay_and_texts_change() {
        let api = ApiError::new(ErrorCode::FormCodeIncorrect, "Incorrect code", "x").param("code");
        let fr = localized(&api, locale("fr"));
        assert_eq!(fr.code, ErrorCode::FormCodeIncorrect);
        assert_eq!(fr.param.as_deref(), Some("code"));
        assert!(fr.long_message.contains("incorrect"), "{}", fr.long_message);
    }

    #[test]
    fn numbers_and_fields_fill_the_message() {
        let e = crate::domain::ParseError::PasswordTooShort(8);
        let api = ApiError::from_parse("password", &e);
        let de = localized(&api, locale("de"));
        assert!(de.long_message.contains('8'), "{}", de.long_message);
        let missing = ApiError::missing("email_address");
        let ja = localized(&missing, locale("ja"));
        assert!(
            ja.long_message.contains("メールアドレス"),
            "{}",
            ja.long_message
        );
        let unknown = ApiError::missing("frobnicate");
        let es = localized(&unknown, locale("es"));
        assert!(
            es.long_message.contains("frobnicate"),
            "{}",
            es.long_message
        );
    }

    #[test]
    fn a_missing_number_keeps_the_english_text() {
        // A length rule raised without its limits: nothing half-filled is shown.
        let api = ApiError::new(ErrorCode::FormPasswordLengthTooShort, "short", "Too short.");
        assert!(localize(&api, locale("fr")).is_none());
    }

    #[test]
    fn retry_after_becomes_seconds() {
        let api = ApiError::new(ErrorCode::TooManyRequests, "Too many", "Wait.").retry_after(7);
        let pl = localized(&api, locale("pl"));
        assert!(pl.long_message.contains("7 sekund"), "{}", pl.long_message);
    }
}
