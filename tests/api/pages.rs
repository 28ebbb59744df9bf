//! The hosted pages at the HTML level: forms, post-redirect-get, errors beside fields, CSRF,
//! headers, redirect rules and the OpenID round trip, with JavaScript nowhere required.

use std::collections::HashMap;

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// The value of the first hidden input called `name`.
    pub(crate) fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let i = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + marker.len();
        let j = self.body[i..].find('"').unwrap() + i;
        self.body[i..j].to_owned()
    }
}

pub(crate) async fn get(app: &TestApp, http: &reqwest::Client, path: &str) -> Page {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        app.url(path)
    };
    let r = http.get(url).send().await.unwrap();
    Page {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

pub(crate) async fn post(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> Page {
    let r = http.post(app.url(path)).form(form).send().await.unwrap();
    Page {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

/// GETs a page and posts its form back with `fields` and the page's CSRF token.
pub(crate) async fn submit(
    app: &TestApp,
    http: &reqwest::Client,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let page = get(app, http, page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{page_path}: {}", page.body);
    let csrf = page.hidden("csrf");
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &csrf));
    post(app, http, action, &form).await
}

fn assert_page_headers(p: &Page) {
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(p.headers["x-frame-options"], "DENY");
    assert_eq!(p.headers["x-content-type-options"], "nosniff");
    assert_eq!(p.headers["cache-control"], "no-store");
    assert!(!p.body.contains("<script>"), "no inline scripts");
}

backend_tests! {
    async fn sign_up_with_email_and_code_on_the_pages(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = browser();
        let page = get(&app, &b, "/sign-up").await;
        assert_page_headers(&page);
        for needle in ["name=\"email_address\"", "autocomplete=\"email\"", "name=\"password\"", "autocomplete=\"new-password\"", "<label for=\"email_address\">"] {
            assert!(page.body.contains(needle), "{needle}");
        }
        let r = submit(&app, &b, "/sign-up", "/sign-up", &[("email_address", "ada@example.com"), ("password", "short")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"password-error\"") && r.body.contains("8 characters"), "the error stands beside the field");
        assert!(r.body.contains("value=\"ada@example.com\""), "what was typed is kept");
        let r = submit(&app, &b, "/sign-up", "/sign-up", &[("email_address", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/sign-up/verify-email-address");
        let page = get(&app, &b, "/sign-up/verify-email-address").await;
        assert!(page.body.contains("ada@example.com") && page.body.contains("autocomplete=\"one-time-code\"") && page.body.contains("inputmode=\"numeric\""));
        let r = submit(&app, &b, "/sign-up/verify-email-address", "/sign-up/verify-email-address", &[("code", "000000")]).await;
        let code = app.mail.code_for("ada@example.com").await;
        if code != "000000" {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("id=\"code-error\""));
        }
        let r = submit(&app, &b, "/sign-up/verify-email-address", "/sign-up/verify-email-address", &[("code", &code)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user".to_owned()));
        let page = get(&app, &b, "/user").await;
        assert!(page.body.contains("ada@example.com"));
        // Signed in: the sign-in page sends the user on.
        assert_eq!(get(&app, &b, "/sign-in").await.status, StatusCode::SEE_OTHER);
        // Sign out from the account page.
        let r = submit(&app, &b, "/user", "/sign-out", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(get(&app, &b, "/sign-out").await.body.contains("signed out"));
    }

    async fn password_sign_in_wrong_password_and_another_method(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let b = browser();
        let page = get(&app, &b, "/sign-in").await;
        assert_page_headers(&page);
        assert!(page.body.contains("name=\"identifier\"") && page.body.contains("autocomplete=\"username\""));
        let r = submit(&app, &b, "/sign-in", "/sign-in", &[("identifier", "nobody@example.com")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"identifier-error\""));
        let r = submit(&app, &b, "/sign-in", "/sign-in", &[("identifier", "ada@example.com")]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sign-in/factor-one?strategy=password".to_owned()));
        let page = get(&app, &b, "/sign-in/factor-one?strategy=password").await;
        assert!(page.body.contains("autocomplete=\"current-password\""));
        assert!(page.body.contains("Email a code to a***@example.com"), "another method is offered");
        let r = submit(&app, &b, "/sign-in/factor-one?strategy=password", "/sign-in/factor-one", &[("strategy", "password"), ("password", "wrong horse")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"password-error\"") && r.body.contains("Password is incorrect"));
        // Use another method: an emailed code.
        let page = get(&app, &b, "/sign-in/factor-one?strategy=password").await;
        let csrf = page.hidden("csrf");
        let target = page.body.split("name=\"target\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let before = app.mail.count_to("ada@example.com");
        let r = post(&app, &b, "/sign-in/factor-one/prepare", &[("csrf", &csrf), ("strategy", "email_code"), ("target", &target)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sign-in/factor-one?strategy=email_code".to_owned()));
        assert_eq!(app.mail.count_to("ada@example.com"), before + 1);
        let code = app.mail.code_for("ada@example.com").await;
        let r = submit(&app, &b, "/sign-in/factor-one?strategy=email_code", "/sign-in/factor-one", &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user".to_owned()));
    }

    async fn csrf_is_required_on_every_form(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = browser();
        let page = get(&app, &b, "/sign-in").await;
        let csrf = page.hidden("csrf");
        let cookie = page.headers.get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).find(|c| c.starts_with("__csrf=")).expect("a CSRF cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        for path in ["/sign-in", "/sign-up", "/sign-out", "/sign-in/factor-one", "/sign-up/verify-email-address"] {
            let r = post(&app, &b, path, &[("identifier", "x@example.com")]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} without a token");
            let r = post(&app, &b, path, &[("identifier", "x@example.com"), ("csrf", "forged")]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with a forged token");
        }
        // Another browser's token is no good here.
        let r = post(&app, &browser(), "/sign-in", &[("identifier", "x@example.com"), ("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&app, &b, "/sign-in", &[("identifier", "x@example.com"), ("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the right token passes");
    }

    async fn redirect_urls_are_kept_only_for_allowed_origins(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.server.allowed_redirect_origins = vec!["https://app.example.com".parse().unwrap()]).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        for (asked, kept) in [
            ("https://evil.example.com/steal", None),
            ("//evil.example.com/x", None),
            ("https://app.example.com.evil.com/", None),
            ("javascript:alert(1)", None),
            ("https://app.example.com/after", Some("https://app.example.com/after")),
            ("/user", Some("/user")),
        ] {
            let b = browser();
            let q: String = url::form_urlencoded::byte_serialize(asked.as_bytes()).collect();
            let page = get(&app, &b, &format!("/sign-in?redirect_url={q}")).await;
            let csrf = page.hidden("csrf");
            let action = page.body.split("<form method=\"post\" action=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
            let r = post(&app, &b, &action, &[("identifier", "ada@example.com"), ("csrf", &csrf)]).await;
            let next = r.location();
            let r = submit(&app, &b, &next, &next.replace("?strategy=password", "").replace("&strategy=password", ""), &[("strategy", "password"), ("password", "correct horse")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{asked}");
            assert_eq!(r.location(), kept.unwrap_or("/user"), "{asked}");
        }
    }

    async fn an_oidc_sign_in_goes_through_the_pages_and_back(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.clients = vec![serde_json::from_value(serde_json::json!({
                "client_id": "web", "redirect_uris": ["http://127.0.0.1:9/cb"], "first_party": true
            })).unwrap()];
            s.clients[0].client_secret = Some("web-secret".to_string().into());
        }).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let b = browser();
        let r = get(&app, &b, "/oauth/authorize?client_id=web&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s9").await;
        assert_eq!(r.status, StatusCode::FOUND);
        let sign_in = r.location();
        assert!(sign_in.starts_with(&app.url("/sign-in?redirect_url=")));
        let page = get(&app, &b, &sign_in).await;
        let csrf = page.hidden("csrf");
        let action = page.body.split("<form method=\"post\" action=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
        let r = post(&app, &b, &action, &[("identifier", "ada@example.com"), ("csrf", &csrf)]).await;
        let factor = r.location();
        let action = factor.replace("strategy=password", "").trim_end_matches(['&', '?']).to_owned();
        let r = submit(&app, &b, &factor, &action, &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let resume = r.location();
        assert!(resume.starts_with(&app.url("/oauth/authorize/resume?id=")), "{resume}");
        let r = get(&app, &b, &resume).await;
        assert_eq!(r.status, StatusCode::FOUND);
        let back = url::Url::parse(&r.location()).unwrap();
        let q: HashMap<String, String> = back.query_pairs().into_owned().collect();
        assert!(back.as_str().starts_with("http://127.0.0.1:9/cb?"));
        assert!(q.contains_key("code"));
        assert_eq!(q["state"], "s9");
        // prompt=login: the page asks again and signs the old session out first.
        app.clock.advance_secs(1);
        let r = get(&app, &b, "/oauth/authorize?client_id=web&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&prompt=login").await;
        let sign_in = r.location();
        assert!(sign_in.contains("prompt=login"));
        let page = get(&app, &b, &sign_in).await;
        assert_eq!(page.status, StatusCode::OK, "shown even though signed in");
        assert!(page.body.contains("sign in again") && page.body.contains("name=\"reauth\""));
    }

    async fn pages_carry_the_branding(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.branding.app_name = "Acme Login".into();
            s.branding.primary_color = "#aa3300".into();
        }).await else { return };
        let b = browser();
        assert!(get(&app, &b, "/sign-in").await.body.contains("Acme Login"));
        assert!(get(&app, &b, "/static/brand.css").await.body.contains("#aa3300"));
        // Pages without a flow in progress send the user to its start.
        for (path, to) in [("/sign-in/factor-one", "/sign-in"), ("/sign-up/continue", "/sign-up"), ("/sign-up/verify-phone-number", "/sign-up"), ("/user", "/sign-in?redirect_url=%2Fuser")] {
            let r = get(&app, &b, path).await;
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, to.to_owned()), "{path}");
        }
    }
}

backend_tests! {
    async fn consent_can_be_withdrawn_from_the_account_page(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            let mut c: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
                "client_id": "partner", "name": "Partner App", "redirect_uris": ["http://127.0.0.1:9/cb"], "first_party": false
            })).unwrap();
            c.client_secret = Some("p-secret".to_string().into());
            s.clients = vec![c];
        }).await else { return };
        let b = browser();
        app.sign_up_with_email(&b, "ada@example.com", "correct horse").await;
        let authorize = "/oauth/authorize?client_id=partner&response_type=code&scope=openid%20offline_access&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb";
        let consent = get(&app, &b, authorize).await;
        let (id, csrf) = (consent.hidden("id"), consent.hidden("csrf"));
        let r = post(&app, &b, "/oauth/consent", &[("id", &id), ("csrf", &csrf), ("decision", "allow")]).await;
        let code: String = url::Url::parse(&r.location()).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let tokens: serde_json::Value = reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("partner", Some("p-secret"))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", "http://127.0.0.1:9/cb")]).send().await.unwrap().json().await.unwrap();
        let refresh = tokens["refresh_token"].as_str().expect("a refresh token").to_owned();

        let account = get(&app, &b, "/user").await;
        assert!(account.body.contains("Partner App") && account.body.contains("Remove access"));
        let r = submit(&app, &b, "/user", "/user/apps/remove", &[("client_id", "partner")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!get(&app, &b, "/user").await.body.contains("Partner App"));
        // Asked again next time, and the app's refresh token no longer works.
        assert_eq!(get(&app, &b, authorize).await.status, StatusCode::OK);
        let r = reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("partner", Some("p-secret"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}

backend_tests! {
    async fn forgotten_password_is_reset_on_the_pages(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let b = browser();
        submit(&app, &b, "/sign-in", "/sign-in", &[("identifier", "ada@example.com")]).await;
        let page = get(&app, &b, "/sign-in/factor-one?strategy=password").await;
        assert!(page.body.contains("Forgot your password?"));
        let csrf = page.hidden("csrf");
        let target = page.body.split("value=\"reset_password_email_code\">").nth(1).unwrap()
            .split("name=\"target\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = post(&app, &b, "/sign-in/factor-one/prepare", &[("csrf", &csrf), ("strategy", "reset_password_email_code"), ("target", &target)]).await;
        assert_eq!(r.location(), "/sign-in/factor-one?strategy=reset_password_email_code");
        let code = app.mail.code_for("ada@example.com").await;
        let r = submit(&app, &b, &r.location(), "/sign-in/factor-one", &[("strategy", "reset_password_email_code"), ("code", &code)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sign-in/reset-password".to_owned()));
        let page = get(&app, &b, "/sign-in/reset-password").await;
        assert!(page.body.contains("autocomplete=\"new-password\"") && page.body.contains("sign_out_of_other_sessions"));
        let r = submit(&app, &b, "/sign-in/reset-password", "/sign-in/reset-password", &[("password", "short")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"password-error\""));
        let r = submit(&app, &b, "/sign-in/reset-password", "/sign-in/reset-password", &[("password", "a new password"), ("sign_out_of_other_sessions", "true")]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user".to_owned()));
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "a new password")]).await;
        assert_eq!(r.body["response"]["status"], "complete");
    }
}

backend_tests! {
    async fn pages_second_factor_and_password_change(backend) {
        use portcullis::clock::Clock;
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = browser();
        app.sign_up_with_email(&b, "ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        let account = get(&app, &b, "/user").await;
        assert!(account.body.contains("Authenticator app: on"), "{}", account.body);
        // Change the password on the page: a wrong current one is shown beside its field.
        let r = submit(&app, &b, "/user", "/user/password", &[("current_password", "nope nope"), ("new_password", "a whole new horse")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("current-password-error"), "{}", r.body);
        let r = submit(&app, &b, "/user", "/user/password", &[("current_password", "correct horse"), ("new_password", "a whole new horse")]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user?done=password".to_owned()));
        assert!(get(&app, &b, "/user?done=password").await.body.contains("Your password was changed."));

        // A new browser: password, then the authenticator code on factor-two.
        let b2 = browser();
        let r = submit(&app, &b2, "/sign-in", "/sign-in", &[("identifier", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = submit(&app, &b2, &r.location(), "/sign-in/factor-one", &[("strategy", "password"), ("password", "a whole new horse")]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sign-in/factor-two".to_owned()));
        let page = get(&app, &b2, "/sign-in/factor-two").await;
        assert!(page.body.contains("authenticator app"), "{}", page.body);
        let r = submit(&app, &b2, "/sign-in/factor-two", "/sign-in/factor-two", &[("strategy", "totp"), ("code", "000000")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("code-error"), "{}", r.body);
        app.clock.advance_secs(30);
        let code = crate::helpers::totp_code(&secret, app.clock.now_ms(), 0);
        let r = submit(&app, &b2, "/sign-in/factor-two", "/sign-in/factor-two", &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user".to_owned()));
        // Sign the first browser out from the second.
        let account = get(&app, &b2, "/user").await;
        let first_sid = app.get_as(&b, "/v1/client").await.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        assert!(account.body.contains(&first_sid));
        let r = submit(&app, &b2, "/user", "/user/sessions/revoke", &[("id", &first_sid)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(get(&app, &b, "/user").await.location(), "/sign-in?redirect_url=%2Fuser");
    }

    async fn pages_add_and_verify_an_email_address(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = browser();
        app.sign_up_with_email(&b, "ada@example.com", "correct horse").await;
        let r = submit(&app, &b, "/user", "/user/identifications", &[("kind", "email"), ("value", "nope")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("new-email-error"), "{}", r.body);
        let r = submit(&app, &b, "/user", "/user/identifications", &[("kind", "email"), ("value", "ada@work.example")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let verify = r.location();
        assert!(verify.starts_with("/user/verify/idn_email"), "{verify}");
        let code = app.mail.code_for("ada@work.example").await;
        let r = submit(&app, &b, &verify, &verify, &[("code", &code)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/user".to_owned()));
        let me = app.get_as(&b, "/v1/me").await;
        let emails = me.body["response"]["email_addresses"].as_array().unwrap();
        assert!(emails.iter().any(|e| e["email_address"] == "ada@work.example" && e["verification"]["status"] == "verified"), "{emails:?}");
    }

    async fn pages_mfa_required_set_up_then_back_to_the_app(backend) {
        use portcullis::clock::Clock;
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.mfa_required = true;
            s.server.allowed_redirect_origins = vec!["https://app.example.com".parse().unwrap()];
        }).await else { return };
        let b = browser();
        app.sign_up_with_email(&b, "ada@example.com", "correct horse").await;
        // A pending session is sent to the set-up, keeping where it was going.
        let page = get(&app, &b, "/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome").await;
        assert_eq!(page.location(), "/user/mfa-setup?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome");
        assert_eq!(get(&app, &b, "/user").await.location(), "/user/mfa-setup");
        let setup = "/user/mfa-setup?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome";
        let r = submit(&app, &b, setup, "/user/totp/start?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome", &[]).await;
        assert_eq!(r.location(), "/user/totp?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome");
        let page = get(&app, &b, &r.location()).await;
        assert!(page.body.contains("<svg"), "a QR code");
        let i = page.body.find("id=\"totp-secret\">").unwrap() + "id=\"totp-secret\">".len();
        let secret = page.body[i..i + 32].to_owned();
        let code = crate::helpers::totp_code(&secret, app.clock.now_ms(), 0);
        let r = submit(&app, &b, &r.location(), "/user/totp/verify?redirect_url=https%3A%2F%2Fapp.example.com%2Fhome", &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("href=\"https://app.example.com/home\""), "{}", r.body);
        let client = app.get_as(&b, "/v1/client").await;
        assert_eq!(client.body["response"]["sessions"][0]["status"], "active");
    }
}

backend_tests! {
    async fn pages_sign_up_with_x_then_add_the_missing_email(backend) {
        use crate::upstream::{CLIENT_ID, CLIENT_SECRET, Mode, Upstream, UpstreamUser};
        let up = Upstream::start(UpstreamUser::new("x-5", None, false)).await;
        let u = up.url.clone();
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            s.providers.insert("twitter".into(), portcullis::config::ProviderSettings {
                client_id: CLIENT_ID.into(), client_secret: Some(CLIENT_SECRET.to_string().into()),
                authorization_url: Some(format!("{u}/authorize")), token_url: Some(format!("{u}/token")),
                userinfo_url: Some(format!("{u}/2/users/me")), ..Default::default()
            });
        }).await else { return };
        let b = browser();
        let page = get(&app, &b, "/sign-up").await;
        assert!(page.body.contains("Continue with X"), "{}", page.body);
        let r = submit(&app, &b, "/sign-up", "/sign-up/sso", &[("strategy", "oauth_twitter")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with(&up.url));
        // The provider sends the browser back; Portcullis to /sso-callback; that to the form
        // for what X does not give.
        let r = get(&app, &b, &r.location()).await;
        let r = get(&app, &b, &r.location()).await;
        assert_eq!(r.location(), "/sso-callback?flow=sign_up");
        let r = get(&app, &b, &r.location()).await;
        assert_eq!(r.location(), "/sign-up/continue");
        let r = submit(&app, &b, "/sign-up/continue", "/sign-up/continue", &[("email_address", "ada@x.example")]).await;
        assert_eq!(r.location(), "/sign-up/verify-email-address");
        let code = app.mail.code_for("ada@x.example").await;
        let r = submit(&app, &b, "/sign-up/verify-email-address", "/sign-up/verify-email-address", &[("code", &code)]).await;
        assert_eq!(r.location(), "/user");
        let account = get(&app, &b, "/user").await;
        assert!(account.body.contains("Connected accounts") && account.body.contains(">X"), "{}", account.body);

        // A provider that says no: back on the sign-in page with the reason.
        up.set_mode(Mode::Deny);
        let b = browser();
        let r = submit(&app, &b, "/sign-in", "/sign-in/sso", &[("strategy", "oauth_twitter")]).await;
        let r = get(&app, &b, &r.location()).await;
        let r = get(&app, &b, &r.location()).await;
        let page = get(&app, &b, &r.location()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("did not grant access"), "{}", page.body);
    }

    async fn pages_route_enterprise_domains_to_their_connection(backend) {
        use crate::upstream::{CLIENT_ID, CLIENT_SECRET, Upstream, UpstreamUser};
        let corp = Upstream::start(UpstreamUser::new("c-1", Some("dev@corp.example"), true)).await;
        let issuer = corp.url.clone();
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            s.enterprise_connections = vec![portcullis::config::EnterpriseConnectionSettings {
                name: "Corp".into(), domains: vec!["corp.example".into()], issuer: Some(issuer),
                client_id: Some(CLIENT_ID.into()), client_secret: Some(CLIENT_SECRET.to_string().into()),
                ..Default::default()
            }];
        }).await else { return };
        let b = browser();
        let r = submit(&app, &b, "/sign-in", "/sign-in", &[("identifier", "dev@corp.example")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with(&corp.url), "{}", r.location());
        let r = get(&app, &b, &r.location()).await;
        let r = get(&app, &b, &r.location()).await;
        let r = get(&app, &b, &r.location()).await;
        assert_eq!(r.location(), "/user", "a new user, made from the connection's answer");
    }
}

backend_tests! {
    async fn pages_sign_in_by_email_link(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.first_factors.push("email_link".into());
        }).await else { return };
        app.sign_up_with_email(&browser(), "ada+portcullis_test@example.com", "correct horse").await;
        let b = browser();
        let r = submit(&app, &b, "/sign-in", "/sign-in", &[("identifier", "ada+portcullis_test@example.com")]).await;
        let page = get(&app, &b, &r.location()).await;
        assert!(page.body.contains("Email a sign-in link to"), "{}", page.body);
        let marker = "name=\"strategy\" value=\"email_link\">\n<input type=\"hidden\" name=\"target\" value=\"";
        let i = page.body.find(marker).expect("the email_link method") + marker.len();
        let target = page.body[i..i + page.body[i..].find('"').unwrap()].to_owned();
        let r = submit(&app, &b, "/sign-in/factor-one", "/sign-in/factor-one/prepare", &[("strategy", "email_link"), ("target", &target)]).await;
        assert_eq!(r.location(), "/sign-in/factor-one?strategy=email_link");
        let page = get(&app, &b, &r.location()).await;
        assert!(page.body.contains("We sent a sign-in link to"), "{}", page.body);
        let r = app.get("/v1/testing/outbox?to=ada%2Bportcullis_test%40example.com").await;
        let body = r.body["messages"].as_array().unwrap().last().unwrap()["body"].as_str().unwrap().to_owned();
        let link = body[body.find("http").unwrap()..].split_whitespace().next().unwrap().to_owned();
        let r = get(&app, &b, &link).await;
        assert_eq!(r.location(), "/sso-callback?flow=sign_in");
        let r = get(&app, &b, &r.location()).await;
        assert_eq!(r.location(), "/user");
    }
}
