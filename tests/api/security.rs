//! The attacks of the security audit, each tried the way an attacker would and each refused:
//! a second-factor phone used as the first factor, refresh tokens that outlive a ban, the test
//! outbox read by anyone, the `claims` parameter widening scopes, the second-factor lockout
//! reset by a right password, open registration, cross-origin posts, planted CSRF cookies, and
//! sensitive changes on an old session (reverification). `docs/security.md` lists them.

use portcullis::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser, totp_code};

const RP_REDIRECT: &str = "http://127.0.0.1:9/callback";
/// A test-mode number (555-01XX): it takes the code 424242 and nothing is sent.
const TEST_PHONE: &str = "+12015550123";

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn strategies(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["strategy"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A first-party confidential client `rp` with the given scopes.
fn with_rp(s: &mut portcullis::config::Settings, scopes: &[&str]) {
    let c: portcullis::config::ClientSettings = serde_json::from_value(json!({
        "client_id": "rp",
        "redirect_uris": [RP_REDIRECT],
        "post_logout_redirect_uris": [],
        "first_party": true,
        "scopes": scopes,
        "grant_types": ["authorization_code", "refresh_token"],
    }))
    .unwrap();
    let mut c = c;
    c.client_secret = Some("rp-secret".to_string().into());
    s.clients = vec![c];
}

fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Res {
    Res::from(
        rp_http()
            .post(app.url(path))
            .basic_auth("rp", Some("rp-secret"))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The authorization-code flow for `rp` in `browser`: the token response.
async fn tokens(app: &TestApp, browser: &reqwest::Client, scope: &str, extra: &str) -> Res {
    let r = token_answer(app, browser, scope, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

/// The token endpoint's answer to the code the browser's session gets, whatever it is.
async fn token_answer(app: &TestApp, browser: &reqwest::Client, scope: &str, extra: &str) -> Res {
    use sha2::Digest;
    let verifier = "v".repeat(50);
    let challenge = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    let url = format!(
        "{}?client_id=rp&response_type=code&scope={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=st&nonce=n{extra}",
        app.url("/oauth/authorize"),
        enc(scope),
        enc(RP_REDIRECT)
    );
    let r = browser.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    post_form(
        app,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", RP_REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await
}

async fn refresh(app: &TestApp, token: &str) -> Res {
    post_form(
        app,
        "/oauth/token",
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("a form") + marker.len();
    html[i..i + html[i..].find('"').unwrap()].to_owned()
}

async fn user_id_of(app: &TestApp, b: &reqwest::Client) -> String {
    app.get_as(b, "/v1/me").await.body["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Adds, verifies and reserves a test-mode phone number for the second factor.
async fn reserve_phone(app: &TestApp, b: &reqwest::Client) -> String {
    let r = app
        .post_as(b, "/v1/me/phone_numbers", &[("phone_number", TEST_PHONE)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.body["response"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/me/phone_numbers/{id}");
    let r = app
        .post_as(
            b,
            &format!("{path}/prepare_verification"),
            &[("strategy", "phone_code")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post_as(
            b,
            &format!("{path}/attempt_verification"),
            &[("code", "424242")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .patch_as(b, &path, &[("reserved_for_second_factor", "true")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

backend_tests! {
    async fn a_second_factor_phone_never_identifies_signs_in_or_resets(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.phone_number = portcullis::config::FieldMode::Optional;
        }).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let phone_id = reserve_phone(&app, &b).await;

        // The number does not identify the account.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", TEST_PHONE)]).await;
        assert_eq!(r.error_code(), "form_identifier_not_found", "{}", r.body);
        // Nor is it offered, or accepted, as a first factor or for a reset.
        let attacker = browser();
        let r = app.post_as(&attacker, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let si = &r.body["response"];
        let first = strategies(&si["supported_first_factors"]);
        assert!(!first.iter().any(|s| s.contains("phone")), "{first:?}");
        let id = si["id"].as_str().unwrap().to_owned();
        for strategy in ["phone_code", "reset_password_phone_code"] {
            let r = app.post_as(&attacker, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
                &[("strategy", strategy), ("phone_number_id", &phone_id)]).await;
            assert_eq!(r.error_code(), "strategy_for_user_invalid", "{strategy}: {}", r.body);
            let r = app.post_as(&attacker, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
                &[("strategy", strategy), ("code", "424242")]).await;
            assert!(r.status.is_client_error(), "{strategy}: {}", r.body);
        }
        let c = app.get_as(&attacker, "/v1/client").await;
        assert!(c.body["response"]["sessions"].as_array().is_none_or(|s| s.is_empty()), "{}", c.body);
        // The owner still signs in with the password and the number as the second factor.
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
        assert_eq!(strategies(&r.body["response"]["supported_second_factors"]), ["phone_code"]);
    }

    async fn the_only_way_to_name_an_account_cannot_become_its_second_factor(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.email_address = portcullis::config::FieldMode::Off;
            s.auth.phone_number = portcullis::config::FieldMode::Required;
        }).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("phone_number", TEST_PHONE), ("password", "correct horse")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "phone_code"), ("code", "424242")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let phone_id = app.get_as(&b, "/v1/me").await.body["response"]["phone_numbers"][0]["id"].as_str().unwrap().to_owned();
        let r = app.patch_as(&b, &format!("/v1/me/phone_numbers/{phone_id}"), &[("reserved_for_second_factor", "true")]).await;
        assert_eq!((r.status, r.error_param()), (StatusCode::UNPROCESSABLE_ENTITY, "reserved_for_second_factor"), "{}", r.body);
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", TEST_PHONE), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "still signs in: {}", r.body);
    }

    async fn one_inbox_is_never_both_factors(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.second_factors.push("email_code".into());
        }).await else { return };
        let email = "ada+portcullis_test@example.com";
        let b = app.signed_in_user(email, "correct horse").await;
        app.enrol_totp(&b).await;
        // First factor: a code to the inbox. The second may not be a code to the same inbox.
        let b2 = browser();
        let r = app.post_as(&b2, "/v1/client/sign_ins", &[("identifier", email), ("strategy", "email_code")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "email_code"), ("code", "424242")]).await;
        assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
        let second = strategies(&r.body["response"]["supported_second_factors"]);
        assert!(!second.contains(&"email_code".to_owned()), "{second:?}");
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/prepare_second_factor"), &[("strategy", "email_code")]).await;
        assert_eq!(r.error_code(), "strategy_for_user_invalid", "{}", r.body);
        // After a password, the inbox is a second factor as before.
        let (_, r) = app.password_sign_in(email, "correct horse").await;
        assert!(strategies(&r.body["response"]["supported_second_factors"]).contains(&"email_code".to_owned()));
    }

    async fn a_locked_users_session_gets_no_tokens_until_the_lock_is_lifted(backend) {
        // A lock keeps the user out of new sign-ins and leaves the browser session alive (as
        // Clerk's does). That session may not go on minting tokens for the relying party.
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid", "email", "offline_access"])).await else { return };
        let admin = Admin::new(&app).await;
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let uid = user_id_of(&app, &b).await;
        assert_eq!(tokens(&app, &b, "openid email", "").await.status, StatusCode::OK);
        let r = admin.post(&format!("/users/{uid}/lock"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = token_answer(&app, &b, "openid email offline_access", "").await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{}", r.body);
        assert!(r.body.get("access_token").is_none(), "{}", r.body);
        // The session itself was not ended: unlocked, it gets tokens again.
        admin.post(&format!("/users/{uid}/unlock"), json!({})).await;
        let r = tokens(&app, &b, "openid email", "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn refresh_tokens_die_with_a_ban_a_lock_or_a_revoked_session(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid", "email", "offline_access"])).await else { return };
        let admin = Admin::new(&app).await;
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let uid = user_id_of(&app, &b).await;
        let t = tokens(&app, &b, "openid email offline_access", "").await;
        let access = t.body["access_token"].as_str().unwrap().to_owned();
        let rt = t.body["refresh_token"].as_str().unwrap().to_owned();
        let introspect = |token: String| {
            let app = &app;
            async move { post_form(app, "/oauth/introspect", &[("token", &token)]).await.body["active"].clone() }
        };
        assert_eq!(introspect(access.clone()).await, true);

        let r = admin.post(&format!("/users/{uid}/ban"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = refresh(&app, &rt).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{}", r.body);
        assert_eq!(introspect(access.clone()).await, false, "a banned user's access token is inactive");
        assert_eq!(introspect(rt.clone()).await, false);
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(&access).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // Unbanned, the old family stays revoked.
        admin.post(&format!("/users/{uid}/unban"), json!({})).await;
        assert_eq!(refresh(&app, &rt).await.body["error"], "invalid_grant");

        // A lock does the same to a new family.
        let b = app.password_sign_in("ada@example.com", "correct horse").await.0;
        let rt = tokens(&app, &b, "openid offline_access", "").await.body["refresh_token"].as_str().unwrap().to_owned();
        let r = admin.post(&format!("/users/{uid}/lock"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(refresh(&app, &rt).await.body["error"], "invalid_grant");
        admin.post(&format!("/users/{uid}/unlock"), json!({})).await;
        assert_eq!(refresh(&app, &rt).await.body["error"], "invalid_grant", "the family was revoked");

        // An operator revoking the session ends its tokens; another session's live on.
        let b1 = app.password_sign_in("ada@example.com", "correct horse").await.0;
        let rt1 = tokens(&app, &b1, "openid offline_access", "").await.body["refresh_token"].as_str().unwrap().to_owned();
        let b2 = app.password_sign_in("ada@example.com", "correct horse").await.0;
        let rt2 = tokens(&app, &b2, "openid offline_access", "").await.body["refresh_token"].as_str().unwrap().to_owned();
        let sid = app.get_as(&b1, "/v1/client").await.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        let r = admin.post(&format!("/sessions/{sid}/revoke"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(refresh(&app, &rt1).await.body["error"], "invalid_grant");
        let r = refresh(&app, &rt2).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // A password change ends the families of the user's other sessions, not this one's.
        let rt2 = r.body["refresh_token"].as_str().unwrap().to_owned();
        let b3 = app.password_sign_in("ada@example.com", "correct horse").await.0;
        let rt3 = tokens(&app, &b3, "openid offline_access", "").await.body["refresh_token"].as_str().unwrap().to_owned();
        let r = app.post_as(&b3, "/v1/me/change_password", &[("current_password", "correct horse"), ("new_password", "a brand new passphrase")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(refresh(&app, &rt2).await.body["error"], "invalid_grant");
        assert_eq!(refresh(&app, &rt3).await.status, StatusCode::OK);
    }

    // Userinfo reads the user behind the token once, and takes the ban and lock flags from
    // that same read: each way of ending the user's standing must still close it.
    async fn userinfo_and_introspection_refuse_a_token_whose_user_is_locked_deleted_or_whose_session_is_revoked(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid", "email"])).await else { return };
        let admin = Admin::new(&app).await;
        let userinfo = |token: String| {
            let app = &app;
            async move { Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(&token).send().await.unwrap()).await }
        };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let uid = user_id_of(&app, &b).await;
        let access = tokens(&app, &b, "openid email", "").await.body["access_token"].as_str().unwrap().to_owned();
        let r = userinfo(access.clone()).await;
        assert_eq!((r.status, r.body["email"].as_str()), (StatusCode::OK, Some("ada@example.com")), "{}", r.body);

        // Locked: refused; unlocked: the same token works again (a lock ends no session).
        assert_eq!(admin.post(&format!("/users/{uid}/lock"), json!({})).await.status, StatusCode::OK);
        let r = userinfo(access.clone()).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{}", r.body);
        assert_eq!(admin.post(&format!("/users/{uid}/unlock"), json!({})).await.status, StatusCode::OK);
        assert_eq!(userinfo(access.clone()).await.status, StatusCode::OK);

        // The session revoked by an operator: its token is refused, another session's is not,
        // at userinfo and at introspection (each reads the session's status with the user).
        let b2 = app.password_sign_in("ada@example.com", "correct horse").await.0;
        let other = tokens(&app, &b2, "openid email", "").await.body["access_token"].as_str().unwrap().to_owned();
        let sid = app.get_as(&b, "/v1/client").await.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        assert_eq!(admin.post(&format!("/sessions/{sid}/revoke"), json!({})).await.status, StatusCode::OK);
        let active = |token: String| {
            let app = &app;
            async move { post_form(app, "/oauth/introspect", &[("token", &token)]).await.body["active"].clone() }
        };
        for round in ["a user with addresses alone", "a user with a phone number too"] {
            assert_eq!(userinfo(access.clone()).await.status, StatusCode::UNAUTHORIZED, "{round}");
            assert_eq!(active(access.clone()).await, json!(false), "{round}");
            assert_eq!(userinfo(other.clone()).await.status, StatusCode::OK, "{round}");
            assert_eq!(active(other.clone()).await, json!(true), "{round}");
            if round.ends_with("alone") {
                // A phone number makes the user's read take its longer way (a transaction).
                let r = app.post_as(&b2, "/v1/me/phone_numbers", &[("phone_number", "+14155552671")]).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            }
        }

        // Deleted: refused, with the same answer as any dead token.
        let r = admin.send("DELETE", &format!("/users/{uid}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = userinfo(other).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{}", r.body);
    }

    async fn a_refresh_family_has_an_absolute_lifetime(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_rp(s, &["openid", "offline_access"]);
            s.oidc.refresh_token_absolute_lifetime_secs = 3600;
        }).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let mut rt = tokens(&app, &b, "openid offline_access", "").await.body["refresh_token"].as_str().unwrap().to_owned();
        // Rotating every 25 minutes keeps it going until the hour since sign-in is up.
        for _ in 0..2 {
            app.clock.advance_secs(25 * 60);
            let r = refresh(&app, &rt).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            rt = r.body["refresh_token"].as_str().unwrap().to_owned();
        }
        app.clock.advance_secs(11 * 60);
        let r = refresh(&app, &rt).await;
        assert_eq!(r.body["error"], "invalid_grant", "{}", r.body);
    }

    async fn the_test_outbox_never_shows_a_real_persons_messages(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.first_factors.push("email_link".into());
        }).await else { return };
        app.signed_in_user("ada@example.com", "correct horse").await;
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_link"), ("redirect_url", "/after")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.mail.count_to("ada@example.com"), 2, "the code at sign-up and the link were sent");
        let r = app.get("/v1/testing/outbox?to=ada%40example.com").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["messages"], json!([]), "{}", r.body);
    }

    async fn the_claims_parameter_releases_nothing_the_scopes_do_not(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid"])).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let claims = enc(r#"{"id_token":{"email":null,"phone_number":null},"userinfo":{"email":null,"given_name":null}}"#);
        for extra in [format!("&claims={claims}"), format!("&claims={claims}&prompt=none")] {
            let t = tokens(&app, &b, "openid", &extra).await;
            let id = payload(t.body["id_token"].as_str().unwrap());
            assert!(id.get("email").is_none(), "{id}");
            let access = t.body["access_token"].as_str().unwrap();
            let info = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(access).send().await.unwrap()).await;
            assert_eq!(info.status, StatusCode::OK, "{}", info.body);
            assert!(info.body.get("email").is_none() && info.body.get("given_name").is_none(), "{}", info.body);
        }
    }

    async fn a_right_password_does_not_reset_the_second_factor_lockout(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.lockout_attempts = 3).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        let right = totp_code(&secret, app.clock.now_ms(), 0);
        let wrong = if right == "000000" { "111111" } else { "000000" };
        let mut last = None;
        for _ in 0..3 {
            let (b, r) = app.password_sign_in("ada@example.com", "correct horse").await;
            assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
            let id = r.body["response"]["id"].as_str().unwrap().to_owned();
            last = Some(app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", wrong)]).await);
        }
        assert_eq!(last.unwrap().error_code(), "user_locked", "three wrong codes lock, password or not");
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.error_code(), "user_locked", "{}", r.body);
    }

    async fn registration_needs_a_token_and_grants_only_the_allowed(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.oidc.dynamic_registration = true).await else { return };
        let register = |body: Value| {
            let app = &app;
            async move { Res::from(rp_http().post(app.url("/oauth/register")).json(&body).send().await.unwrap()).await }
        };
        let fine = json!({"redirect_uris": ["https://agent.example.com/cb"]});
        let r = register(fine.clone()).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{}", r.body);
    }

    async fn open_registration_grants_only_what_the_operator_allows(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.oidc.dynamic_registration = true;
            s.oidc.open_registration = true;
        }).await else { return };
        let register = |body: Value| {
            let app = &app;
            async move { Res::from(rp_http().post(app.url("/oauth/register")).json(&body).send().await.unwrap()).await }
        };
        let cb = "https://agent.example.com/cb";
        for (body, what) in [
            (json!({"redirect_uris": [cb], "scope": "openid admin payments:write"}), "scopes"),
            (json!({"redirect_uris": [cb], "grant_types": ["authorization_code", "client_credentials"]}), "client_credentials"),
            (json!({"redirect_uris": [cb], "backchannel_logout_uri": "http://127.0.0.1:4000/internal/flush"}), "loopback"),
            (json!({"redirect_uris": [cb], "backchannel_logout_uri": "https://169.254.169.254/latest"}), "link-local"),
            (json!({"redirect_uris": [cb], "backchannel_logout_uri": "https://10.1.2.3/x"}), "private"),
            (json!({"redirect_uris": [cb], "backchannel_logout_uri": "https://localhost/x"}), "localhost"),
        ] {
            let r = register(body).await;
            assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_client_metadata")), "{what}: {}", r.body);
        }
        let r = register(json!({"redirect_uris": [cb], "scope": "openid email", "backchannel_logout_uri": "https://agent.example.com/bc"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["grant_types"], json!(["authorization_code"]));
        // Its secret gets no token of its own.
        let id = r.body["client_id"].as_str().unwrap();
        let secret = r.body["client_secret"].as_str().unwrap();
        let r = Res::from(rp_http().post(app.url("/oauth/token")).basic_auth(id, Some(secret)).form(&[("grant_type", "client_credentials"), ("scope", "admin")]).send().await.unwrap()).await;
        assert_eq!(r.body["error"], "unauthorized_client", "{}", r.body);
    }

    async fn cookie_authenticated_changes_refuse_other_origins(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        app.enrol_totp(&b).await;
        let totp_on = |b: reqwest::Client| {
            let app = &app;
            async move { app.get_as(&b, "/v1/me").await.body["response"]["totp_enabled"].clone() }
        };
        // A plain form on another site, a sibling subdomain, an opaque origin, fetch
        // metadata alone, and a native-app flag in the URL with the cookie still doing the work.
        for (path, origin, site) in [
            ("/v1/me/totp?_method=DELETE", Some("https://evil.example"), None),
            ("/v1/me/totp?_method=DELETE", Some("http://sub.127.0.0.1.nip.io"), None),
            ("/v1/me/totp?_method=DELETE", Some("null"), Some("cross-site")),
            ("/v1/me/totp?_method=DELETE", Some("null"), Some("same-site")),
            ("/v1/me/totp?_method=DELETE", None, Some("cross-site")),
            ("/v1/me/totp?_method=DELETE&_is_native=1", Some("https://evil.example"), None),
        ] {
            let mut req = b.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded");
            if let Some(o) = origin { req = req.header("origin", o); }
            if let Some(s) = site { req = req.header("sec-fetch-site", s); }
            let r = Res::from(req.send().await.unwrap()).await;
            assert_eq!((r.status, r.error_code()), (StatusCode::FORBIDDEN, "origin_invalid"), "{path} {origin:?}: {}", r.body);
        }
        assert_eq!(totp_on(b.clone()).await, true);
        // Nor may a foreign page sign a fresh browser in to an account of its choosing.
        let r = Res::from(browser().post(app.url("/v1/client/sign_ins")).header("origin", "https://evil.example")
            .form(&[("identifier", "ada@example.com"), ("password", "correct horse")]).send().await.unwrap()).await;
        assert_eq!((r.status, r.error_code()), (StatusCode::FORBIDDEN, "origin_invalid"), "{}", r.body);
        // Portcullis's own pages send `Origin: null` (their referrer policy) and say
        // same-origin in fetch metadata: allowed.
        let r = Res::from(b.post(app.url("/v1/me/backup_codes")).header("origin", "null").header("sec-fetch-site", "same-origin").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Portcullis's own origin may.
        let r = Res::from(b.post(app.url("/v1/me/totp?_method=DELETE")).header("origin", app.address.as_str()).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(totp_on(b).await, false);
    }

    async fn a_planted_csrf_cookie_does_not_carry_a_cross_origin_form(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let victim = app.signed_in_user("ada@example.com", "correct horse").await;
        // The attacker gets a valid cookie and its token from the sign-in page...
        let attacker = browser();
        let page = attacker.get(app.url("/sign-in")).send().await.unwrap();
        let cookie = page.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("__csrf=")).unwrap();
        let value = cookie.trim_start_matches("__csrf=").split(';').next().unwrap().to_owned();
        let html = page.text().await.unwrap();
        let token = csrf_of(&html);
        // ...plants it in the victim's browser (a sibling subdomain can) and posts from there.
        let r = victim.post(app.url("/user/password"))
            .header("cookie", format!("__csrf={value}"))
            .header("origin", "http://evil.127.0.0.1.nip.io")
            .form(&[("csrf", token.as_str()), ("new_password", "attacker chosen pass")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "complete", "the password is unchanged: {}", r.body);
    }

    async fn bodies_over_the_limit_are_413_on_every_surface(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid"])).await else { return };
        let big = "a=".to_owned() + &"x".repeat(70 * 1024);
        let key = crate::admin::admin_key(&app).await;
        for path in ["/v1/client/sign_ins", "/oauth/token", "/sign-in", "/admin/v1/users"] {
            let mut req = rp_http().post(app.url(path)).header("content-type", "application/x-www-form-urlencoded");
            if path.starts_with("/admin/") {
                req = req.bearer_auth(&key);
            }
            let r = req.body(big.clone()).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        }
    }

    async fn each_surface_answers_its_checks_in_a_fixed_order(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| with_rp(s, &["openid"])).await else { return };
        let big = "a=".to_owned() + &"x".repeat(70 * 1024);
        let form = "application/x-www-form-urlencoded";
        // Frontend API: a cookie-authenticated write from another origin is refused before
        // its body is read, however large or broken the body is.
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        for path in ["/v1/client/sign_ins", "/v1/me?_method=PATCH", "/v1/me/change_password"] {
            for body in [big.clone(), "{not json".to_owned()] {
                let r = Res::from(b.post(app.url(path)).header("origin", "https://evil.example")
                    .header("content-type", form).body(body).send().await.unwrap()).await;
                assert_eq!((r.status, r.error_code()), (StatusCode::FORBIDDEN, "origin_invalid"), "{path}: {}", r.body);
            }
        }
        // An account call: the body is read before the session is looked up, and a browser
        // without a session is told so (401), with or without a body.
        let stranger = browser();
        let r = Res::from(stranger.post(app.url("/v1/me?_method=PATCH")).header("content-type", "application/json")
            .body("{not json").send().await.unwrap()).await;
        assert_eq!((r.status, r.error_code()), (StatusCode::BAD_REQUEST, "request_body_invalid"), "{}", r.body);
        let r = app.post_as(&stranger, "/v1/me?_method=PATCH", &[("first_name", "Eve")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = app.get_as(&stranger, "/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

        // Hosted pages: an account form with a good CSRF token but no session goes to sign
        // in, and changes nothing; an oversized one is 413 before anyone is looked up.
        let page = stranger.get(app.url("/sign-in")).send().await.unwrap().text().await.unwrap();
        let token = csrf_of(&page);
        let r = stranger.post(app.url("/user/password")).header("origin", app.address.as_str())
            .form(&[("csrf", token.as_str()), ("new_password", "attacker chosen pass")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/sign-in?redirect_url=%2Fuser");
        let r = stranger.post(app.url("/user/password")).header("origin", app.address.as_str())
            .header("content-type", form).body(big.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // A form whose token does not match is the expired-form page, whoever is signed in.
        let r = b.post(app.url("/user/password")).header("origin", app.address.as_str())
            .form(&[("csrf", "forged"), ("new_password", "attacker chosen pass")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "complete", "the password is unchanged: {}", r.body);

        // Token endpoint: a malformed body is refused before the client is authenticated,
        // so its answer says nothing about the credentials.
        for creds in [Some("rp-secret"), Some("wrong"), None] {
            let mut req = rp_http().post(app.url("/oauth/token")).header("content-type", "application/json").body("{}");
            if let Some(secret) = creds { req = req.basic_auth("rp", Some(secret)); }
            let r = Res::from(req.send().await.unwrap()).await;
            assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{}", r.body);
        }
        // Then the client: wrong credentials are a 401 with a Basic challenge.
        let r = Res::from(rp_http().post(app.url("/oauth/introspect")).basic_auth("rp", Some("wrong"))
            .form(&[("token", "x")]).send().await.unwrap()).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")), "{}", r.body);
        assert!(r.headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
        // Then the request: a revocation without a token says so.
        let r = post_form(&app, "/oauth/revoke", &[]).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{}", r.body);

        // Userinfo (RFC 6750 §3): no token is the bare challenge; a token twice, or a bad
        // one, an error inside the challenge.
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers["www-authenticate"], "Bearer");
        let r = Res::from(rp_http().post(app.url("/oauth/userinfo")).bearer_auth("a")
            .form(&[("access_token", "b")]).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.headers["www-authenticate"].to_str().unwrap().contains("error=\"invalid_request\""));
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth("forged.token.here").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers["www-authenticate"].to_str().unwrap().contains("error=\"invalid_token\""));

        // The authorization endpoint shows a person a page, never JSON: a repeated
        // parameter (RFC 6749 §3.1) is refused there, by GET and by POST alike.
        let r = rp_http().get(app.url("/oauth/authorize?client_id=rp&client_id=rp")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let r = rp_http().post(app.url("/oauth/authorize")).header("content-type", form)
            .body("client_id=rp&client_id=rp").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("more than once"));
    }

    async fn on_https_the_csrf_cookie_is_host_only(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.server.public_url = s.server.public_url.replace("http://", "https://");
        }).await else { return };
        let page = app.get("/sign-in").await;
        let cookie = page.headers.get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.contains("csrf=")).expect("a CSRF cookie");
        assert!(cookie.starts_with("__Host-csrf="), "{cookie}");
        assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    }

    async fn email_links_work_only_where_they_were_asked_for_by_default(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.first_factors.push("email_link".into());
        }).await else { return };
        let email = "ada+portcullis_test@example.com";
        app.signed_in_user(email, "correct horse").await;
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", email), ("strategy", "email_link"), ("redirect_url", "/after")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let out = app.get(&format!("/v1/testing/outbox?to={}", enc(email))).await;
        let body = out.body["messages"].as_array().unwrap().last().unwrap()["body"].as_str().unwrap().to_owned();
        let link = body[body.find("http").unwrap()..].split_whitespace().next().unwrap().to_owned();
        let r = browser().get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("browser where you asked"));
    }
}

// ----- reverification -----

/// A request a test sends: method, path and form.
type Change = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// The session id of a browser's client.
async fn session_of(app: &TestApp, b: &reqwest::Client) -> String {
    app.get_as(b, "/v1/client").await.body["response"]["last_active_session_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

backend_tests! {
    async fn sensitive_changes_on_an_old_session_need_a_fresh_password(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let sid = session_of(&app, &b).await;
        app.clock.advance_secs(11 * 60);
        let changes: Vec<Change> = vec![
            ("POST", "/v1/me/change_password", vec![("current_password", "correct horse"), ("new_password", "another long passphrase")]),
            ("POST", "/v1/me/totp", vec![]),
            ("POST", "/v1/me/backup_codes", vec![]),
            ("POST", "/v1/me/email_addresses", vec![("email_address", "second@example.com")]),
            ("POST", "/v1/me/phone_numbers", vec![("phone_number", TEST_PHONE)]),
            ("DELETE", "/v1/me", vec![]),
        ];
        for (method, path, form) in &changes {
            let r = Res::from(b.request(method.parse().unwrap(), app.url(path)).form(form).send().await.unwrap()).await;
            assert_eq!((r.status, r.error_code()), (StatusCode::FORBIDDEN, "session_reverification_required"), "{method} {path}: {}", r.body);
        }
        // Reading and harmless changes still work.
        assert_eq!(app.get_as(&b, "/v1/me").await.status, StatusCode::OK);
        let r = app.patch_as(&b, "/v1/me", &[("first_name", "Ada")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Someone else's session, or an unknown one, cannot be verified from this client.
        let other = app.signed_in_user("grace@example.com", "correct horse").await;
        let other_sid = session_of(&app, &other).await;
        let r = app.post_as(&b, &format!("/v1/client/sessions/{other_sid}/verify"), &[("level", "first_factor")]).await;
        assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::NOT_FOUND, "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify"), &[("level", "everything")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Attempting before starting is refused.
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.error_code(), "verification_missing", "{}", r.body);

        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify"), &[("level", "second_factor")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let rv = &r.body["response"];
        assert_eq!(rv["object"], "session_reverification");
        assert_eq!(rv["status"], "needs_first_factor", "no second factor: the first one it is");
        assert!(strategies(&rv["supported_first_factors"]).contains(&"password".to_owned()));
        assert_eq!(rv["session"]["id"], sid.as_str());
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_first_factor"), &[("strategy", "password"), ("password", "wrong password")]).await;
        assert_eq!(r.error_code(), "form_password_incorrect", "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        assert_eq!(r.body["response"]["session"]["factor_verification_age"], json!([0, -1]));
        // Used once: a replay finds nothing in progress.
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.error_code(), "verification_missing", "{}", r.body);

        for (method, path, form) in &changes[..1] {
            let r = Res::from(b.request(method.parse().unwrap(), app.url(path)).form(form).send().await.unwrap()).await;
            assert_eq!(r.status, StatusCode::OK, "{method} {path}: {}", r.body);
        }
        // Ten minutes later it asks again.
        app.clock.advance_secs(10 * 60);
        let r = app.delete_as(&b, "/v1/me").await;
        assert_eq!(r.error_code(), "session_reverification_required");
    }

    async fn a_session_with_a_second_factor_verifies_it_again(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        // A session signed in with both factors (a step later: a TOTP code works once).
        app.clock.advance_secs(30);
        let (b, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = totp_code(&secret, app.clock.now_ms(), 0);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let sid = session_of(&app, &b).await;
        app.clock.advance_secs(11 * 60);
        let r = app.delete_as(&b, "/v1/me/totp").await;
        assert_eq!(r.error_code(), "session_reverification_required", "{}", r.body);

        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify"), &[("level", "second_factor")]).await;
        let rv = &r.body["response"];
        assert_eq!(rv["status"], "needs_second_factor", "{}", r.body);
        assert!(strategies(&rv["supported_second_factors"]).contains(&"totp".to_owned()));
        // The password is not what this level asks for.
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        let now = app.clock.now_ms();
        let code = totp_code(&secret, now, 0);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_second_factor"), &[("strategy", "totp"), ("code", wrong)]).await;
        assert_eq!(r.error_code(), "form_code_incorrect", "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/verify/attempt_second_factor"), &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let r = app.delete_as(&b, "/v1/me/totp").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn a_reverification_code_goes_only_to_the_users_own_address(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.testing.enabled = true).await else { return };
        let b = app.signed_in_user("ada+portcullis_test@example.com", "correct horse").await;
        let other = app.signed_in_user("grace+portcullis_test@example.com", "correct horse").await;
        let grace_email = app.get_as(&other, "/v1/me").await.body["response"]["email_addresses"][0]["id"].as_str().unwrap().to_owned();
        let sid = session_of(&app, &b).await;
        app.clock.advance_secs(11 * 60);
        let base = format!("/v1/client/sessions/{sid}/verify");
        let r = app.post_as(&b, &base, &[("level", "first_factor")]).await;
        let own = r.body["response"]["supported_first_factors"].as_array().unwrap().iter()
            .find(|f| f["strategy"] == "email_code").expect("an email code factor")["email_address_id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("{base}/prepare_first_factor"), &[("strategy", "email_code"), ("email_address_id", &grace_email)]).await;
        assert_eq!(r.error_code(), "strategy_for_user_invalid", "{}", r.body);
        // Second-factor steps are not open at a first-factor step.
        let r = app.post_as(&b, &format!("{base}/prepare_second_factor"), &[("strategy", "phone_code")]).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        let r = app.post_as(&b, &format!("{base}/prepare_first_factor"), &[("strategy", "email_code"), ("email_address_id", &own)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["first_factor_verification"]["status"], "unverified");
        let r = app.post_as(&b, &format!("{base}/attempt_first_factor"), &[("strategy", "email_code"), ("code", "111111")]).await;
        assert_eq!(r.error_code(), "form_code_incorrect", "{}", r.body);
        let r = app.post_as(&b, &format!("{base}/attempt_first_factor"), &[("strategy", "email_code"), ("code", "424242")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        assert_eq!(app.delete_as(&b, "/v1/me").await.status, StatusCode::OK);
    }

    async fn a_user_deletes_their_own_account(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["user_settings"]["actions"]["delete_self"], true);
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let other = app.signed_in_user("grace@example.com", "correct horse").await;
        let r = app.delete_as(&b, "/v1/me").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["deleted"], true);
        assert_eq!(app.get_as(&b, "/v1/me").await.status, StatusCode::UNAUTHORIZED);
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.error_code(), "form_identifier_not_found", "{}", r.body);
        // Only the caller's own account went.
        assert_eq!(app.get_as(&other, "/v1/me").await.status, StatusCode::OK);
    }

    async fn the_account_page_asks_again_before_a_sensitive_change(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        app.clock.advance_secs(11 * 60);
        let location = |r: reqwest::Response| r.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        let page = |path: &'static str| {
            let b = b.clone();
            let app = &app;
            async move { b.get(app.url(path)).send().await.unwrap().text().await.unwrap() }
        };
        let post = |path: &'static str, form: Vec<(&'static str, String)>| {
            let b = b.clone();
            let app = &app;
            async move { b.post(app.url(path)).form(&form).send().await.unwrap() }
        };
        let csrf = csrf_of(&page("/user").await);
        let r = post("/user/password", vec![("csrf", csrf.clone()), ("current_password", "correct horse".into()), ("new_password", "another long passphrase".into())]).await;
        assert_eq!(location(r).as_deref(), Some("/user/reverify"));
        let html = page("/user/reverify").await;
        assert!(html.contains("Confirm it") && html.contains("name=\"password\""), "{html}");
        let r = post("/user/reverify", vec![("csrf", csrf.clone()), ("strategy", "password".into()), ("password", "wrong password".into())]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = post("/user/reverify", vec![("csrf", csrf.clone()), ("strategy", "password".into()), ("password", "correct horse".into())]).await;
        assert_eq!(location(r).as_deref(), Some("/user?done=reverified"));
        assert!(page("/user?done=reverified").await.contains("Verified."));
        let r = post("/user/password", vec![("csrf", csrf.clone()), ("current_password", "correct horse".into()), ("new_password", "another long passphrase".into())]).await;
        assert_eq!(location(r).as_deref(), Some("/user?done=password"));
        // And the account can be deleted from the page.
        let r = post("/user/delete", vec![("csrf", csrf)]).await;
        assert_eq!(location(r).as_deref(), Some("/sign-in"));
        let (_, r) = app.password_sign_in("ada@example.com", "another long passphrase").await;
        assert_eq!(r.error_code(), "form_identifier_not_found", "{}", r.body);
    }
}

/// How many browser clients the database holds.
async fn client_rows(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = &app.app.db;
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT count(*) AS n FROM browser_clients",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

backend_tests! {
    async fn a_new_browser_whose_first_attempt_fails_is_given_no_client(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.signed_in_user("ada@example.com", "correct horse").await;
        let before = client_rows(&app).await;

        // Refused before anything was made: no client row, no token handed out.
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "nobody@example.com")]).await;
        assert_eq!(r.error_code(), "form_identifier_not_found", "{}", r.body);
        assert!(r.headers.get("set-cookie").is_none(), "{:?}", r.headers);
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("email_address", "not an address")]).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        assert!(r.headers.get("set-cookie").is_none(), "{:?}", r.headers);
        assert_eq!(client_rows(&app).await, before);

        // Accepted: one client, written with its sign-in, shown as the response shows it.
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.headers.get("set-cookie").is_some());
        assert_eq!(client_rows(&app).await, before + 1);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["client"]["sign_in"], r.body["response"]);
        let r = app.get_as(&b, "/v1/client").await;
        assert_eq!(r.body["response"]["sign_in"]["id"], id.as_str(), "{}", r.body);

        // The same browser again: the same client, now pointing at the newer sign-in.
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let newer = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_ne!(newer, id);
        assert_eq!(client_rows(&app).await, before + 1);
        let r = app.get_as(&b, "/v1/client").await;
        assert_eq!(r.body["response"]["sign_in"]["id"], newer.as_str(), "{}", r.body);
        // A sign-up from a new browser: its client is written with the sign-up.
        let c = browser();
        let r = app.post_as(&c, "/v1/client/sign_ups", &[("email_address", "grace@example.com"), ("password", "a long new passphrase")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(client_rows(&app).await, before + 2);
        assert_eq!(r.body["client"]["sign_up"], r.body["response"]);
    }
}
