//! The device authorization grant (RFC 8628): a command-line client gets a user code, a
//! signed-in browser approves it on `/device`, and the client's polls get the answers the
//! RFC names; plus the attacks on it: guessing user codes, polling too fast, another
//! client's device code, replays, a forged form and an expired code.

use std::time::Duration;

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};
use crate::oidc::{browser_signed_up, client, decode_payload, post_form, with_clients};
use crate::pages::{self, Page};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The test clients plus `cli` (public) and `tv` (confidential, third-party), both allowed
/// the device grant; polls may come every second.
fn with_device_clients(s: &mut portcullis::config::Settings) {
    with_clients(s);
    let mut cli = client("cli", None, "http://127.0.0.1/unused", true);
    cli.grant_types = vec![GRANT.into(), "refresh_token".into()];
    let mut tv = client("tv", Some("tv-secret"), "http://127.0.0.1/unused", false);
    tv.grant_types = vec![GRANT.into()];
    s.clients.push(cli);
    s.clients.push(tv);
    s.oidc.device_poll_interval_secs = 1;
}

struct Started {
    device_code: String,
    user_code: String,
}

async fn start(app: &TestApp, id: &str, secret: Option<&str>, scope: &str) -> Started {
    let r = post_form(
        app,
        "/oauth/device_authorization",
        &[("client_id", id), ("scope", scope)],
        secret.map(|s| (id, s)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    Started {
        device_code: r.body["device_code"].as_str().unwrap().to_owned(),
        user_code: r.body["user_code"].as_str().unwrap().to_owned(),
    }
}

async fn poll(
    app: &TestApp,
    id: &str,
    secret: Option<&str>,
    device_code: &str,
) -> crate::helpers::Res {
    post_form(
        app,
        "/oauth/token",
        &[
            ("grant_type", GRANT),
            ("device_code", device_code),
            ("client_id", id),
        ],
        secret.map(|s| (id, s)),
    )
    .await
}

/// The page's answer to the code typed in its field.
async fn type_code(app: &TestApp, b: &reqwest::Client, code: &str) -> Page {
    pages::submit(app, b, "/device", "/device", &[("user_code", code)]).await
}

/// Answers the confirmation page `page` with `decision`.
async fn answer(app: &TestApp, b: &reqwest::Client, page: &Page, decision: &str) -> Page {
    let csrf = page.hidden("csrf");
    let code = page.hidden("user_code");
    pages::post(
        app,
        b,
        "/device/answer",
        &[
            ("csrf", &csrf),
            ("user_code", &code),
            ("decision", decision),
        ],
    )
    .await
}

backend_tests! {
    async fn a_cli_signs_in_with_the_device_grant(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_device_clients).await else { return };
        let d = app.get("/.well-known/openid-configuration").await;
        assert_eq!(d.body["device_authorization_endpoint"], app.url("/oauth/device_authorization"));
        assert!(d.body["grant_types_supported"].as_array().unwrap().iter().any(|g| g == GRANT));

        // §3.2: both codes, where to type the short one, and how often to poll.
        let r = post_form(&app, "/oauth/device_authorization",
            &[("client_id", "cli"), ("scope", "openid email offline_access")], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.headers["cache-control"], "no-store");
        let user_code = r.body["user_code"].as_str().unwrap().to_owned();
        let device_code = r.body["device_code"].as_str().unwrap().to_owned();
        assert!(user_code.len() == 9 && user_code.as_bytes()[4] == b'-', "{user_code}");
        assert!(user_code.bytes().all(|b| b == b'-' || (b.is_ascii_uppercase() && !b"AEIOUY".contains(&b))), "{user_code}");
        assert!(device_code.len() >= 43);
        assert_eq!(r.body["verification_uri"], app.url("/device"));
        assert_eq!(r.body["verification_uri_complete"], format!("{}?user_code={user_code}", app.url("/device")));
        assert_eq!(r.body["expires_in"], 600);
        assert_eq!(r.body["interval"], 1);

        // §3.5: nobody has answered; a second poll within the interval is told to slow down.
        let r = poll(&app, "cli", None, &device_code).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("authorization_pending")), "{}", r.body);
        let r = poll(&app, "cli", None, &device_code).await;
        assert_eq!(r.body["error"], "slow_down", "{}", r.body);
        // Another client cannot poll with it (and does not spend it).
        let r = poll(&app, "tv", Some("tv-secret"), &device_code).await;
        assert_eq!(r.body["error"], "invalid_grant", "{}", r.body);

        // The browser types the code: case, spaces and the dash do not matter. The page names
        // the app, what it asks for, and the code to compare with the device.
        let b = browser_signed_up(&app, "ada@example.com").await;
        let page = pages::get(&app, &b, "/device").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"user_code\""), "{}", page.body);
        let typed = user_code.replace('-', " ").to_lowercase();
        let confirm = type_code(&app, &b, &typed).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        for text in ["The cli app", user_code.as_str(), "See your email address", "Keep access while you are not using it"] {
            assert!(confirm.body.contains(text), "{text} in {}", confirm.body);
        }
        assert!(confirm.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        // A forged answer (no CSRF token) is refused and changes nothing.
        let r = pages::post(&app, &b, "/device/answer", &[("user_code", &user_code), ("decision", "allow")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let done = answer(&app, &b, &confirm, "allow").await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("Your device is connected"), "{}", done.body);
        // Answered once: the same form again, or the code typed again, finds nothing.
        let again = answer(&app, &b, &confirm, "deny").await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(again.body.contains("not valid, or it has expired"), "{}", again.body);

        // The next poll gets the tokens, for the user who approved; then the code is spent.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let t = poll(&app, "cli", None, &device_code).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert_eq!(t.body["token_type"], "Bearer");
        assert_eq!(t.body["scope"], "openid email offline_access");
        assert!(t.body["refresh_token"].is_string());
        let id = decode_payload(t.body["id_token"].as_str().unwrap());
        assert_eq!(id["aud"], "cli");
        assert_eq!(id["email"], "ada@example.com");
        assert!(id["sid"].is_string() && id["acr"].is_string(), "{id}");
        let info = crate::helpers::Res::from(reqwest::Client::new().get(app.url("/oauth/userinfo"))
            .bearer_auth(t.body["access_token"].as_str().unwrap()).send().await.unwrap()).await;
        assert_eq!(info.body["email"], "ada@example.com", "{}", info.body);
        let r = poll(&app, "cli", None, &device_code).await;
        assert_eq!(r.body["error"], "expired_token", "{}", r.body);
        // The refresh token works like any other.
        let r = post_form(&app, "/oauth/token", &[("grant_type", "refresh_token"), ("client_id", "cli"),
            ("refresh_token", t.body["refresh_token"].as_str().unwrap())], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Arriving from verification_uri_complete skips the field, never the question.
        let s = start(&app, "tv", Some("tv-secret"), "openid email").await;
        let confirm = pages::get(&app, &b, &format!("/device?user_code={}", s.user_code)).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        assert!(confirm.body.contains("The tv app") && confirm.body.contains("/device/answer"));
        // Declined: the device hears access_denied once, then the code is gone.
        let done = answer(&app, &b, &confirm, "deny").await;
        assert!(done.body.contains("The device was not connected"), "{}", done.body);
        let r = poll(&app, "tv", Some("tv-secret"), &s.device_code).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("access_denied")), "{}", r.body);
        let r = poll(&app, "tv", Some("tv-secret"), &s.device_code).await;
        assert_eq!(r.body["error"], "expired_token");
    }

    async fn device_grant_refusals(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_device_clients).await else { return };
        // A client not allowed the grant, at either endpoint; bad scopes; bad credentials.
        let r = post_form(&app, "/oauth/device_authorization", &[("scope", "openid")], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.body["error"], "unauthorized_client", "{}", r.body);
        let r = poll(&app, "rp", Some("rp-secret"), "anything").await;
        assert_eq!(r.body["error"], "unauthorized_client", "{}", r.body);
        for scope in ["", "openid admin:everything"] {
            let r = post_form(&app, "/oauth/device_authorization", &[("client_id", "cli"), ("scope", scope)], None).await;
            assert_eq!(r.body["error"], "invalid_scope", "{scope:?}: {}", r.body);
        }
        let r = post_form(&app, "/oauth/device_authorization", &[("scope", "openid")], Some(("tv", "wrong"))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // A made-up device code, or none.
        let r = poll(&app, "cli", None, "made-up").await;
        assert_eq!(r.body["error"], "expired_token", "{}", r.body);
        let r = post_form(&app, "/oauth/token", &[("grant_type", GRANT), ("client_id", "cli")], None).await;
        assert_eq!(r.body["error"], "invalid_request", "{}", r.body);

        // Signed out, the page sends the browser to sign in and back with the code.
        let s = start(&app, "cli", None, "openid").await;
        let anonymous = browser();
        let r = pages::get(&app, &anonymous, &format!("/device?user_code={}", s.user_code)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let back = url::Url::parse(&app.url(&r.location())).unwrap();
        let redirect = back.query_pairs().find(|(k, _)| k == "redirect_url").unwrap().1.into_owned();
        assert!(redirect.ends_with(&format!("/device?user_code={}", s.user_code)), "{redirect}");

        // Past its lifetime the code is gone for the page and the device alike.
        let b = browser_signed_up(&app, "ada@example.com").await;
        app.clock.advance_secs(601);
        let r = type_code(&app, &b, &s.user_code).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = poll(&app, "cli", None, &s.device_code).await;
        assert_eq!(r.body["error"], "expired_token", "{}", r.body);

        // The user who approved signs out before the device polls: no tokens.
        let s = start(&app, "cli", None, "openid").await;
        let confirm = type_code(&app, &b, &s.user_code).await;
        answer(&app, &b, &confirm, "allow").await;
        let r = pages::submit(&app, &b, "/sign-out", "/sign-out", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = poll(&app, "cli", None, &s.device_code).await;
        assert_eq!(r.body["error"], "invalid_grant", "{}", r.body);
    }

    async fn user_codes_cannot_be_guessed(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_device_clients(s);
            s.limits.user_code_per_user = portcullis::config::Rate::new(5, 600);
        }).await else { return };
        let s = start(&app, "cli", None, "openid").await;
        let b = browser_signed_up(&app, "ada@example.com").await;
        // Wrong codes (well formed or not) each count; after five, even the right one waits.
        for guess in ["BCDF-GHJK", "ZZZZ-ZZZZ", "not a code", "BCDFGHJ", "XXXX-XXXX"] {
            let r = type_code(&app, &b, guess).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{guess}: {}", r.body);
        }
        let r = type_code(&app, &b, &s.user_code).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("Try again in"), "{}", r.body);
        // Answering names a code too, and is held to the same budget.
        let r = pages::submit(&app, &b, "/device", "/device/answer", &[("user_code", &s.user_code), ("decision", "allow")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        // The device's request is untouched: another user can still answer it.
        let other = browser_signed_up(&app, "grace@example.com").await;
        let confirm = type_code(&app, &other, &s.user_code).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    }

    async fn openid_client_signs_a_cli_in_with_the_device_grant(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_device_clients).await else { return };
        let b = browser_signed_up(&app, "ada@example.com").await;
        let Some(mut cli) = crate::oidc::node_script("openid_device.mjs", &[&app.address, "cli"]) else { return };
        let shown = cli.next_line().await;
        let complete = shown["verification_uri_complete"].as_str().unwrap();
        let confirm = pages::get(&app, &b, complete).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        let done = answer(&app, &b, &confirm, "allow").await;
        assert!(done.body.contains("Your device is connected"), "{}", done.body);
        let out = cli.finish().await;
        assert_eq!(out["email"], "ada@example.com", "{out}");
        assert_eq!(out["userinfo_email"], "ada@example.com", "{out}");
        assert_eq!(out["refresh_token"], true, "{out}");
    }
}
