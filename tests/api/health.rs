use crate::backend_tests;
use crate::helpers::TestApp;
use reqwest::StatusCode;

backend_tests! {
    async fn health_and_readiness_answer(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app.get("/readyz").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["database"], "ok");
        assert_eq!(r.body["ephemeral_store"], "ok");
        assert!(r.headers.get("x-request-id").is_some());
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }

    async fn jwks_publishes_an_es256_and_an_rs256_key(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.get("/.well-known/jwks.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let keys = r.body["keys"].as_array().expect("keys");
        // ES256 for ID and access tokens, RS256 for session tokens; one key each.
        assert_eq!(keys.len(), 2, "{keys:?}");
        let ec = keys.iter().find(|k| k["alg"] == "ES256").expect("an ES256 key");
        assert_eq!(ec["kty"], "EC");
        assert_eq!(ec["crv"], "P-256");
        let rsa = keys.iter().find(|k| k["alg"] == "RS256").expect("an RS256 key");
        assert_eq!(rsa["kty"], "RSA");
        for k in keys {
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(k.get(private).is_none(), "private part {private} must never be published");
            }
        }
        assert!(r.headers["cache-control"].to_str().unwrap().contains("max-age"));
    }

    async fn discovery_and_keys_revalidate_with_etags(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        for path in ["/.well-known/openid-configuration", "/.well-known/jwks.json"] {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::OK);
            let etag = r.headers["etag"].to_str().unwrap().to_owned();
            assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10, "{etag}");
            let again = |tag: String| {
                let url = app.url(path);
                async move { reqwest::Client::new().get(url).header("if-none-match", tag).send().await.unwrap() }
            };
            let r = again(etag.clone()).await;
            assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
            assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age"));
            assert!(r.bytes().await.unwrap().is_empty());
            // A list, or a weak form of the same tag, also matches; another tag does not.
            assert_eq!(again(format!("\"x\", W/{etag}")).await.status(), StatusCode::NOT_MODIFIED);
            let r = again("\"stale\"".into()).await;
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.json::<serde_json::Value>().await.unwrap().is_object());
        }
    }

    async fn metrics_describe_requests_flows_and_stores(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = crate::helpers::browser();
        app.sign_up_with_email(&b, "metrics@example.com", "correct horse").await;
        app.get("/.well-known/openid-configuration").await;
        app.get("/no/such/path").await;
        let r = reqwest::get(app.url("/metrics")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text = r.text().await.unwrap();
        for needle in [
            "# TYPE portcullis_http_request_duration_seconds histogram",
            "portcullis_http_request_duration_seconds_bucket{route=\"/.well-known/openid-configuration\",method=\"GET\",le=\"+Inf\"}",
            "portcullis_http_request_duration_seconds_count{route=\"/v1/client/sign_ups\",method=\"POST\"}",
            // Random paths share one label, so they cannot grow the series.
            "route=\"unmatched\"",
            "portcullis_flow_events_total{kind=\"user.created\"}",
            "portcullis_store_errors_total{store=\"database\"}",
            "portcullis_argon2_queue_depth ",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        assert!(!text.contains("/no/such/path"));
    }

    async fn metrics_can_require_a_token_or_be_off(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.metrics.token = Some(secrecy::SecretString::from("scrape-token-1234"));
        }).await else { return };
        let http = reqwest::Client::new();
        let r = http.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = http.get(app.url("/metrics")).bearer_auth("scrape-token-123").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = http.get(app.url("/metrics")).bearer_auth("scrape-token-1234").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let Some(off) = TestApp::spawn_with(backend, |s| s.metrics.enabled = false).await else { return };
        assert_eq!(off.get("/metrics").await.status, StatusCode::NOT_FOUND);
    }

    async fn environment_publishes_the_sign_up_requirements(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.username = portcullis::config::FieldMode::Required;
            s.auth.first_name = portcullis::config::FieldMode::Off;
        }).await else { return };
        let r = app.get("/v1/environment").await;
        assert_eq!(r.status, StatusCode::OK);
        let b = &r.body;
        assert_eq!(b["object"], "environment");
        assert_eq!(b["auth_config"]["single_session_mode"], true);
        let attrs = &b["user_settings"]["attributes"];
        assert_eq!(attrs["email_address"]["enabled"], true);
        assert_eq!(attrs["email_address"]["required"], true);
        assert_eq!(attrs["email_address"]["first_factors"][0], "email_code");
        assert_eq!(attrs["username"]["required"], true);
        assert_eq!(attrs["username"]["used_for_first_factor"], true, "an identifier at sign-in");
        assert_eq!(attrs["phone_number"]["enabled"], false);
        assert_eq!(attrs["first_name"]["enabled"], false);
        let required = b["user_settings"]["sign_up"]["required_fields"].as_array().unwrap();
        assert!(required.iter().any(|f| f == "username"));
        assert!(required.iter().any(|f| f == "password"));
        assert_eq!(b["user_settings"]["password_settings"]["min_length"], 8);
        assert_eq!(b["user_settings"]["sign_up"]["captcha_enabled"], false);
        assert_eq!(b["display_config"]["captcha_public_key"], serde_json::Value::Null);
        // The SDK touches the environment with POST ?_method=PATCH.
        let r = app.post("/v1/environment?_method=PATCH", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["object"], "environment");
    }
}
