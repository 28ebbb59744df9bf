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

    async fn jwks_publishes_one_es256_key(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.get("/.well-known/jwks.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let keys = r.body["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0]["kty"], "EC");
        assert_eq!(keys[0]["crv"], "P-256");
        assert_eq!(keys[0]["alg"], "ES256");
        assert!(keys[0].get("d").is_none(), "private part must never be published");
        assert!(r.headers["cache-control"].to_str().unwrap().contains("max-age"));
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
        assert_eq!(attrs["phone_number"]["enabled"], false);
        assert_eq!(attrs["first_name"]["enabled"], false);
        let required = b["user_settings"]["sign_up"]["required_fields"].as_array().unwrap();
        assert!(required.iter().any(|f| f == "username"));
        assert!(required.iter().any(|f| f == "password"));
        assert_eq!(b["user_settings"]["password_settings"]["min_length"], 8);
        assert_eq!(b["display_config"]["captcha_enabled"], false);
        // The SDK touches the environment with POST ?_method=PATCH.
        let r = app.post("/v1/environment?_method=PATCH", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["object"], "environment");
    }
}
