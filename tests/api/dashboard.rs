//! The operators' console at `/dashboard` and the start page, at the HTML level: who gets in,
//! CSRF and confirmation on every change, and each change made through the same flows as the
//! admin API (audited with the admin who made it).

use reqwest::StatusCode;
use serde_json::json;

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::{TestApp, browser};
use crate::pages::{get, post, submit};

pub(crate) const PASSWORD: &str = "correct horse battery";

async fn app_without_2fa_rule(backend: crate::helpers::Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.dashboard.require_second_factor = false).await
}

/// Signs `email` up in a new browser; makes them an instance admin when `admin`.
pub(crate) async fn operator(app: &TestApp, email: &str, admin: bool) -> (reqwest::Client, String) {
    let b = app.signed_in_user(email, PASSWORD).await;
    let user = portcullis::flows::admin::user_by_email(&app.app, email)
        .await
        .unwrap();
    let id = portcullis::domain::UserId::from_stored(user.user.id.clone());
    if admin {
        let cli = portcullis::flows::admin::Admin::cli();
        assert!(
            portcullis::flows::admin::grant_admin(&app.app, &cli, &id)
                .await
                .unwrap()
        );
    }
    (b, user.user.id)
}

backend_tests! {
    async fn the_start_page_links_everything_a_newcomer_needs(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let p = get(&app, &browser(), "/").await;
        assert_eq!(p.status, StatusCode::OK);
        for link in ["/sign-in", "/sign-up", "/dashboard"] {
            assert!(p.body.contains(&format!("href=\"{link}\"")), "{link}: {}", p.body);
        }
        let csp = p.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    }

    async fn only_signed_in_admins_open_the_dashboard(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        // Signed out: to the sign-in page, and back here after.
        let p = get(&app, &browser(), "/dashboard/users").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/sign-in?redirect_url=%2Fdashboard");
        // Signed in without the role, while nobody has it: 403, saying how to get it.
        let (eve, _) = operator(&app, "eve@example.com", false).await;
        let p = get(&app, &eve, "/dashboard").await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.body.contains("portcullis users grant-admin eve@example.com"), "{}", p.body);
        // An admin without a second factor is refused too (require_second_factor defaults on).
        let (ada, _) = operator(&app, "ada@example.com", true).await;
        let p = get(&app, &ada, "/dashboard").await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.body.contains("second factor"), "{}", p.body);
        // Once an admin exists, others are told to ask one.
        let p = get(&app, &eve, "/dashboard/settings").await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(!p.body.contains("grant-admin"), "{}", p.body);
    }

    async fn an_admin_with_a_verified_second_factor_gets_in(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let (b, _) = operator(&app, "ada@example.com", true).await;
        let (secret, _) = app.enrol_totp(&b).await;
        // The session that enrolled was not verified with it: sign in again, with it.
        assert_eq!(get(&app, &b, "/dashboard").await.status, StatusCode::FORBIDDEN);
        let (b, r) = app.password_sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        // The enrolment's code is spent; the next one comes 30 s later.
        app.clock.advance_secs(30);
        use portcullis::clock::Clock;
        let code = crate::helpers::totp_code(&secret, app.clock.now_ms(), 0);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let p = get(&app, &b, "/dashboard").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("Active sessions") && p.body.contains("<svg"), "{}", p.body);
    }

    async fn a_strategy_changed_in_the_dashboard_reaches_the_sign_in_page(backend) {
        let Some(app) = app_without_2fa_rule(backend).await else { return };
        let (b, admin_id) = operator(&app, "ada@example.com", true).await;
        let p = get(&app, &b, "/dashboard/settings").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(!get(&app, &browser(), "/sign-in").await.body.to_lowercase().contains("phone"));
        let csrf = p.hidden("csrf");
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("email_address", "required"), ("phone_number", "optional"), ("username", "off"),
            ("web3_wallet", "off"), ("password", "required"), ("first_name", "optional"),
            ("last_name", "optional"),
            ("first.password", "on"), ("first.email_code", "on"), ("first.phone_code", "on"),
            ("second.totp", "on"), ("second.backup_code", "on"),
            ("reject_common_passwords", "on"), ("email_link_same_device", "on"), ("security_notices", "on"),
            ("password_min_length", "8"), ("lockout_attempts", "10"), ("lockout_secs", "3600"),
            ("session_lifetime_secs", "604800"), ("session_inactivity_secs", "0"),
            ("sign_up_mode", "public"), ("allowlist", ""), ("blocklist", ""),
        ];
        // Without the form's token, or from another origin: refused, nothing written.
        let forged: Vec<_> = form.iter().filter(|(k, _)| *k != "csrf").copied().collect();
        assert_eq!(post(&app, &b, "/dashboard/settings", &forged).await.status, StatusCode::FORBIDDEN);
        let r = b.post(app.url("/dashboard/settings")).header("origin", "https://evil.test")
            .form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.app.live.version(), 0);

        let p = post(&app, &b, "/dashboard/settings", &form).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), "/dashboard/settings?notice=saved");
        let page = get(&app, &browser(), "/sign-in").await;
        assert!(page.body.to_lowercase().contains("phone"), "{}", page.body);
        assert_eq!(app.app.settings().auth.first_factors, ["password", "email_code", "phone_code"]);
        let admin = Admin::new(&app).await;
        let r = admin.get("/audit_events?type=settings.updated").await;
        assert_eq!(r.body["data"][0]["detail"]["admin_user_id"], json!(admin_id), "{}", r.body);
        assert_eq!(r.body["data"][0]["detail"]["diff"]["auth.phone_number"]["to"], "optional", "{}", r.body);

        // A change that leaves no way to sign in is shown as an error, and not saved.
        form.retain(|(k, _)| !k.starts_with("first."));
        let p = post(&app, &b, "/dashboard/settings", &form).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("nobody could sign in"), "{}", p.body);
        assert_eq!(app.app.live.version(), 1);
    }

    async fn operators_ban_and_revoke_with_confirmation_and_only_what_they_name(backend) {
        let Some(app) = app_without_2fa_rule(backend).await else { return };
        let (b, _) = operator(&app, "ada@example.com", true).await;
        let (grace_browser, grace) = operator(&app, "grace@example.com", false).await;
        let (_, eve) = operator(&app, "eve@example.com", false).await;
        let p = get(&app, &b, &format!("/dashboard/users/{grace}")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("grace@example.com"));
        let csrf = p.hidden("csrf");
        // Banning needs the box ticked.
        let p = post(&app, &b, &format!("/dashboard/users/{grace}/ban"), &[("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(app.app.settings().auth.lockout_attempts > 0);
        let user = portcullis::flows::admin::get_user(&app.app, &portcullis::domain::UserId::from_stored(grace.clone())).await.unwrap();
        assert!(!user.user.banned);
        // Grace's session, revoked from Eve's page: not found, still active.
        let sessions = portcullis::store::sessions::active_for_user(&app.app.db, &grace).await.unwrap();
        let sid = sessions[0].id.clone();
        let p = post(&app, &b, &format!("/dashboard/users/{eve}/sessions/{sid}/revoke"), &[("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
        assert_eq!(portcullis::store::sessions::active_for_user(&app.app.db, &grace).await.unwrap().len(), 1);
        // A user who is not an admin cannot act, even with a valid form token of their own.
        let own = get(&app, &grace_browser, "/user").await.hidden("csrf");
        let p = post(&app, &grace_browser, &format!("/dashboard/users/{eve}/ban"), &[("csrf", &own), ("confirm", "yes")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        // Now the real ban.
        let p = post(&app, &b, &format!("/dashboard/users/{grace}/ban"), &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert!(portcullis::store::sessions::active_for_user(&app.app.db, &grace).await.unwrap().is_empty());
        let (_, r) = app.password_sign_in("grace@example.com", PASSWORD).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        let admin = Admin::new(&app).await;
        let r = admin.get(&format!("/audit_events?type=admin.user.banned&user_id={grace}")).await;
        assert_eq!(r.body["data"][0]["detail"]["admin_key_name"], "ada@example.com", "{}", r.body);
        // An unknown action, and deleting oneself, are refused.
        let me = portcullis::flows::admin::user_by_email(&app.app, "ada@example.com").await.unwrap().user.id;
        let p = post(&app, &b, &format!("/dashboard/users/{grace}/promote"), &[("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        let p = post(&app, &b, &format!("/dashboard/users/{me}/delete"), &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        // Making an admin is confirmed as well.
        let p = post(&app, &b, &format!("/dashboard/users/{eve}/grant-admin"), &[("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(!portcullis::store::settings::is_admin(&app.app.db, &eve).await.unwrap());
        // The last admin cannot remove their own role here.
        let p = post(&app, &b, &format!("/dashboard/users/{me}/revoke-admin"), &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        assert!(portcullis::store::settings::is_admin(&app.app.db, &me).await.unwrap());
    }

    async fn a_client_secret_is_shown_once_and_rotation_is_confirmed(backend) {
        let Some(app) = app_without_2fa_rule(backend).await else { return };
        let (b, _) = operator(&app, "ada@example.com", true).await;
        let p = submit(&app, &b, "/dashboard/clients", "/dashboard/clients", &[
            ("client_id", "reports"), ("name", "Reports"),
            ("redirect_uris", "https://reports.example.com/callback"), ("scopes", "openid email"),
        ]).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let secret = secret_on(&p.body);
        // Not shown again.
        let p = get(&app, &b, "/dashboard/clients").await;
        assert!(!p.body.contains(&secret));
        let csrf = p.hidden("csrf");
        let p = post(&app, &b, "/dashboard/clients/reports/rotate", &[("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        let p = post(&app, &b, "/dashboard/clients/reports/rotate", &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let rotated = secret_on(&p.body);
        assert_ne!(rotated, secret);
        // The old secret no longer works at the token endpoint; the new one is recognised.
        for (s, ok) in [(&secret, false), (&rotated, true)] {
            let r = app.http.post(app.url("/oauth/token")).basic_auth("reports", Some(s))
                .form(&[("grant_type", "authorization_code"), ("code", "nope"), ("redirect_uri", "https://reports.example.com/callback")])
                .send().await.unwrap();
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"] == "invalid_client", !ok, "{body}");
        }
        // Redirect URIs are edited exactly; a bad one is refused.
        let p = post(&app, &b, "/dashboard/clients/reports", &[("csrf", &csrf), ("redirect_uris", "javascript:alert(1)"), ("scopes", "openid")]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        // The pages the application sends users to wear its logo and colour; both are checked.
        let ok = [("csrf", csrf.as_str()), ("redirect_uris", "https://reports.example.com/callback"), ("scopes", "openid email"),
            ("name", "Reports"), ("logo_uri", "https://reports.example.com/logo.png"), ("brand_color", "#0a7f3c")];
        let p = post(&app, &b, "/dashboard/clients/reports", &ok).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("value=\"#0a7f3c\""), "{}", p.body);
        // What it may do and how strictly: grants and security switches, checked as the admin
        // API checks them.
        let strict = [("csrf", csrf.as_str()), ("redirect_uris", "https://reports.example.com/callback"), ("scopes", "openid email"),
            ("grants_shown", "1"), ("grant_0", "on"), ("grant_3", "on"), ("require_pkce", "on"), ("dpop_bound_access_tokens", "on"),
            ("frontchannel_logout_uri", "https://reports.example.com/fc")];
        let p = post(&app, &b, "/dashboard/clients/reports", &strict).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let stored = app.app.clients.get("reports").is_none();
        assert!(stored, "reports is a stored client");
        let c = portcullis::oidc::clients::find(&app.app, "reports").await.unwrap().unwrap();
        assert_eq!(c.settings.grant_types, ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]);
        assert!(c.settings.require_pkce && c.settings.dpop_bound_access_tokens && !c.settings.require_pushed_authorization_requests);
        assert_eq!(c.settings.frontchannel_logout_uri.as_deref(), Some("https://reports.example.com/fc"));
        assert!(p.body.contains("name=\"grant_3\" checked"), "{}", p.body);
        // A switch the client cannot honour (signed requests without keys) is refused.
        let mut bad = strict.to_vec();
        bad.push(("require_signed_request_object", "on"));
        let p = post(&app, &b, "/dashboard/clients/reports", &bad).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        for (field, bad) in [("logo_uri", "http://reports.example.com/logo.png"), ("brand_color", "green;}")] {
            let mut form = ok.to_vec();
            form.retain(|(k, _)| *k != field);
            form.push((field, bad));
            let p = post(&app, &b, "/dashboard/clients/reports", &form).await;
            assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{field} {bad}");
        }
    }

    async fn every_console_page_renders_for_an_admin(backend) {
        let Some(app) = app_without_2fa_rule(backend).await else { return };
        let (b, id) = operator(&app, "ada@example.com", true).await;
        for path in ["/dashboard", "/dashboard/users", "/dashboard/users?query=ada",
            &format!("/dashboard/users/{id}"), "/dashboard/settings", "/dashboard/connections",
            "/dashboard/clients", "/dashboard/keys", "/dashboard/webhooks",
            "/dashboard/audit", "/dashboard/audit?type=user.created", "/dashboard/branding"] {
            let p = get(&app, &b, path).await;
            assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
            assert!(p.body.contains("aria-current=\"page\""), "{path}");
            assert_eq!(p.headers["cache-control"], "no-store", "{path}");
        }
        let p = get(&app, &b, "/dashboard/users/user_nobody").await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        // A notice is one of the console's own sentences, never text from the URL.
        let p = get(&app, &b, "/dashboard?notice=%3Cscript%3Ealert(1)%3C/script%3E").await;
        assert!(!p.body.contains("<script>alert"), "{}", p.body);
        // Branding preview does not save; save does, and the stylesheet follows.
        let csrf = get(&app, &b, "/dashboard/branding").await.hidden("csrf");
        let fields = [("csrf", csrf.as_str()), ("app_name", "Acme"), ("logo_url", ""), ("primary_color", "#aa3300")];
        let mut preview = fields.to_vec();
        preview.push(("intent", "preview"));
        let p = post(&app, &b, "/dashboard/branding", &preview).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("fill=\"#aa3300\"") && p.body.contains("Preview (not saved)"), "{}", p.body);
        assert_eq!(app.app.live.version(), 0);
        let mut save = fields.to_vec();
        save.push(("intent", "save"));
        assert_eq!(post(&app, &b, "/dashboard/branding", &save).await.status, StatusCode::SEE_OTHER);
        let css = app.http.get(app.url("/static/brand.css")).send().await.unwrap().text().await.unwrap();
        assert!(css.contains("#aa3300"), "{css}");
        assert!(get(&app, &browser(), "/sign-in").await.body.contains("Acme"));
        let mut bad = fields.to_vec();
        bad[2] = ("logo_url", "http://plain.example.com/logo.png");
        bad.push(("intent", "save"));
        assert_eq!(post(&app, &b, "/dashboard/branding", &bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// The secret in the "shown once" panel.
fn secret_on(body: &str) -> String {
    let marker = "<code class=\"secret\">";
    let i = body
        .find(marker)
        .unwrap_or_else(|| panic!("no secret in {body}"))
        + marker.len();
    let j = body[i..].find('<').unwrap() + i;
    body[i..j].to_owned()
}
