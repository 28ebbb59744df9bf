//! Abuse limits and the headers every response carries: rate limits hit and recovered (by
//! the test clock), shared through the store; the client address behind trusted proxies;
//! CORS for the Frontend API; security headers on every route.

use portcullis::config::{ClientSettings, Rate};
use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

backend_tests! {
    async fn sign_in_limit_per_identifier_is_hit_and_recovers(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.limits.sign_in_per_identifier = Rate::new(3, 60)).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        for _ in 0..3 {
            let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        // Case does not make a new identifier.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ADA@example.com")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.error_code(), "too_many_requests");
        assert_eq!(r.headers["retry-after"], "20");
        // Someone else is not held up.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "bob@example.com")]).await;
        assert_eq!(r.error_code(), "form_identifier_not_found");
        // One interval later, one more.
        app.clock.advance_secs(20);
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // Password attempts count against the same account.
        app.clock.advance_secs(60);
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let mut codes = Vec::new();
        for _ in 0..3 {
            let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "password"), ("password", "wrong horse")]).await;
            codes.push(r.error_code().to_owned());
        }
        assert_eq!(codes.last().unwrap(), "too_many_requests", "{codes:?}");
    }

    async fn sign_up_limit_per_address_and_proxies(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.limits.sign_up_per_ip = Rate::new(2, 60);
            s.server.trusted_proxies = vec!["127.0.0.1/32".into()];
        }).await else { return };
        let sign_up = |xff: &'static str, n: u32| {
            let app = &app;
            async move {
                let r = browser().post(app.url("/v1/client/sign_ups"))
                    .header("x-forwarded-for", xff)
                    .form(&[("email_address", format!("u{n}@example.com")), ("password", "correct horse".into())])
                    .send().await.unwrap();
                r.status()
            }
        };
        // Behind a trusted proxy, each client address has its own budget; the right-most
        // untrusted entry counts, not whatever the client put on the left.
        assert_eq!(sign_up("9.9.9.9, 1.1.1.1", 1).await, StatusCode::OK);
        assert_eq!(sign_up("8.8.8.8, 1.1.1.1", 2).await, StatusCode::OK);
        assert_eq!(sign_up("7.7.7.7, 1.1.1.1", 3).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(sign_up("2.2.2.2", 4).await, StatusCode::OK);
    }

    async fn forwarded_for_is_ignored_without_a_trusted_proxy(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.limits.sign_up_per_ip = Rate::new(2, 60)).await else { return };
        let mut statuses = Vec::new();
        for (n, xff) in ["1.1.1.1", "2.2.2.2", "3.3.3.3"].iter().enumerate() {
            let r = browser().post(app.url("/v1/client/sign_ups")).header("x-forwarded-for", *xff)
                .form(&[("email_address", format!("u{n}@example.com")), ("password", "correct horse".into())])
                .send().await.unwrap();
            statuses.push(r.status());
        }
        assert_eq!(statuses, [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    }

    async fn codes_to_one_destination_are_limited_per_window_and_per_day(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.limits.sends_per_destination = Rate::new(100, 60);
            s.limits.sends_per_destination_per_day = 2;
        }).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await; // one send
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body); // two
        app.clock.advance_secs(31);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        // The next day the budget is back.
        app.clock.advance_secs(86_400);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn token_endpoint_limit_per_client(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.limits.token_per_client = Rate::new(2, 1);
            let mut c: ClientSettings = serde_json::from_value(serde_json::json!({
                "client_id": "svc", "redirect_uris": ["http://127.0.0.1:9/cb"], "first_party": true,
            })).unwrap();
            c.client_secret = Some("svc-secret".to_string().into());
            c.grant_types.push("client_credentials".into());
            s.clients = vec![c];
        }).await else { return };
        let token = || async {
            reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("svc", Some("svc-secret"))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap()
        };
        assert_eq!(token().await.status(), StatusCode::OK);
        assert_eq!(token().await.status(), StatusCode::OK);
        let r = token().await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "temporarily_unavailable");
        app.clock.advance_secs(1);
        assert_eq!(token().await.status(), StatusCode::OK);
    }

    async fn cors_only_for_configured_origins_and_only_on_the_frontend_api(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.server.cors_origins = vec!["https://app.example.com".parse().unwrap()]).await else { return };
        let http = reqwest::Client::new();
        let r = http.request(reqwest::Method::OPTIONS, app.url("/v1/client/sign_ins"))
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "POST")
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(r.headers()["access-control-allow-origin"], "https://app.example.com");
        assert_eq!(r.headers()["access-control-allow-credentials"], "true");
        assert!(r.headers()["access-control-allow-methods"].to_str().unwrap().contains("PATCH"));
        let r = http.get(app.url("/v1/environment")).header("origin", "https://app.example.com").send().await.unwrap();
        assert_eq!(r.headers()["access-control-allow-origin"], "https://app.example.com");
        let r = http.get(app.url("/v1/environment")).header("origin", "https://evil.example").send().await.unwrap();
        assert!(!r.headers().contains_key("access-control-allow-origin"));
        let r = http.get(app.url("/sign-in")).header("origin", "https://app.example.com").send().await.unwrap();
        assert!(!r.headers().contains_key("access-control-allow-origin"), "pages are not for other origins");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_carries_the_security_headers() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let b = browser();
    app.sign_up_with_email(&b, "ada@example.com", "correct horse")
        .await;
    let routes: &[(&str, &str)] = &[
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/.well-known/openid-configuration"),
        ("GET", "/.well-known/oauth-authorization-server"),
        ("GET", "/metrics"),
        ("GET", "/v1/environment"),
        ("GET", "/v1/client"),
        ("GET", "/v1/me"),
        ("GET", "/v1/me/sessions/active"),
        ("POST", "/v1/client/sign_ins"),
        ("POST", "/v1/client/sign_ups"),
        ("GET", "/v1/nope"),
        ("GET", "/v1/oauth_callback"),
        ("GET", "/sign-in"),
        ("GET", "/sign-up"),
        ("GET", "/sign-in/factor-one"),
        ("GET", "/sign-in/factor-two"),
        ("GET", "/sign-in/reset-password"),
        ("GET", "/sign-up/continue"),
        ("GET", "/sso-callback"),
        ("GET", "/user"),
        ("GET", "/user/mfa-setup"),
        ("GET", "/user/totp"),
        ("GET", "/sign-out"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/token"),
        ("GET", "/oauth/userinfo"),
        ("POST", "/oauth/revoke"),
        ("POST", "/oauth/introspect"),
        ("GET", "/oauth/logout"),
        ("GET", "/static/portcullis.css"),
        ("GET", "/static/brand.css"),
        ("GET", "/nowhere"),
    ];
    // And every operation the OpenAPI document lists, so a new route cannot skip them.
    let doc = app.get_as(&b, "/openapi.json").await.body;
    let mut routes: Vec<(String, String)> = routes
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            routes.push((method.to_uppercase(), path.replace("{id}", "nope")));
        }
    }
    assert!(routes.len() > 120, "{}", routes.len());
    for (method, path) in &routes {
        let (method, path) = (method.as_str(), &path.as_str());
        let r = b
            .request(method.parse().unwrap(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
        if (path.starts_with("/v1/") && *path != "/v1/environment")
            || path.starts_with("/oauth/token")
            || path == &"/user"
            || path.starts_with("/sign")
        {
            assert_eq!(
                h.get("cache-control").map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "{path}"
            );
        }
        if h.get("content-type")
            .is_some_and(|c| c.to_str().unwrap().starts_with("text/html"))
        {
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
        }
    }
}
