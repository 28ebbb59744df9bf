//! Bad input of every kind gets a FAPI error with the right code and status; never a 500.

use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};
use portcullis::config::FieldMode;
use reqwest::StatusCode;

/// A request form, and the status, error code and `param_name` it must get.
type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str, &'a str);

backend_tests! {
    async fn sign_up_params_are_checked(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.username = FieldMode::Optional;
            s.auth.phone_number = FieldMode::Optional;
        }).await else { return };
        let long = "x".repeat(73);
        let long_name = "n".repeat(257);
        let cases: Vec<Case> = vec![
            (vec![("email_address", "not-an-email")], 422, "form_param_format_invalid", "email_address"),
            (vec![("email_address", "a@localhost")], 422, "form_param_format_invalid", "email_address"),
            (vec![("phone_number", "5555550100")], 422, "form_param_format_invalid", "phone_number"),
            (vec![("phone_number", "+1 999")], 422, "form_param_format_invalid", "phone_number"),
            (vec![("username", "abc")], 422, "form_username_invalid_length", "username"),
            (vec![("username", "has space")], 422, "form_username_invalid_character", "username"),
            (vec![("password", "short")], 422, "form_password_length_too_short", "password"),
            (vec![("password", long.as_str())], 422, "form_password_length_too_long", "password"),
            (vec![("password", "         ")], 422, "form_password_not_strong_enough", "password"),
            (vec![("first_name", long_name.as_str())], 422, "form_param_format_invalid", "first_name"),
            (vec![("legal_accepted", "maybe")], 422, "form_param_format_invalid", "legal_accepted"),
            (vec![("unsafe_metadata", "[1,2]")], 422, "form_param_format_invalid", "unsafe_metadata"),
            (vec![("unsafe_metadata", "{not json")], 422, "form_param_format_invalid", "unsafe_metadata"),
            (vec![("bogus", "1")], 422, "form_param_unknown", "bogus"),
            (vec![("strategy", "oauth_google")], 422, "form_param_value_invalid", "strategy"),
            (vec![("web3_wallet", "0xabc")], 422, "form_param_value_invalid", "web3_wallet"),
            (vec![("transfer", "true")], 400, "account_transfer_invalid", ""),
        ];
        for (form, status, code, param) in cases {
            let r = app.post_as(&browser(), "/v1/client/sign_ups", &form).await;
            assert_eq!(r.status.as_u16(), status, "{form:?}: {}", r.body);
            assert_eq!(r.error_code(), code, "{form:?}: {}", r.body);
            assert_eq!(r.error_param(), param, "{form:?}");
            assert!(r.body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(r.body["errors"][0]["long_message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    async fn a_bad_field_leaves_the_sign_up_unchanged(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("email_address", "a@example.com")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), &[("email_address", "b@example.com"), ("password", "short")]).await;
        assert_eq!(r.error_code(), "form_password_length_too_short");
        let r = app.get(&format!("/v1/client/sign_ups/{id}")).await;
        assert_eq!(r.body["response"]["email_address"], "a@example.com");
    }

    async fn verification_params_are_checked(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("password", "tulip garden 7")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let prepare = format!("/v1/client/sign_ups/{id}/prepare_verification");
        let attempt = format!("/v1/client/sign_ups/{id}/attempt_verification");
        let r = app.post(&prepare, &[]).await;
        assert_eq!((r.status.as_u16(), r.error_code(), r.error_param()), (422, "form_param_missing", "strategy"));
        let r = app.post(&prepare, &[("strategy", "email_code")]).await;
        assert_eq!((r.status.as_u16(), r.error_code(), r.error_param()), (422, "form_param_missing", "email_address"));
        let r = app.post(&prepare, &[("strategy", "carrier_pigeon")]).await;
        assert_eq!((r.status.as_u16(), r.error_code()), (400, "verification_strategy_invalid"));
        let r = app.post(&attempt, &[("strategy", "email_code")]).await;
        assert_eq!((r.status.as_u16(), r.error_code(), r.error_param()), (422, "form_param_missing", "code"));
        let r = app.post(&attempt, &[("strategy", "email_code"), ("code", "123456")]).await;
        assert_eq!((r.status.as_u16(), r.error_code()), (400, "verification_not_sent"));
        let r = app.post(&attempt, &[("strategy", "email_code"), ("code", "123456"), ("extra", "x")]).await;
        assert_eq!((r.status.as_u16(), r.error_code(), r.error_param()), (422, "form_param_unknown", "extra"));
    }

    async fn sign_in_params_are_checked(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let cases: Vec<Case> = vec![
            (vec![("password", "x")], 422, "form_param_missing", "identifier"),
            (vec![("strategy", "password"), ("identifier", "a@example.com")], 422, "form_param_missing", "password"),
            (vec![("strategy", "email_code")], 422, "form_param_missing", "identifier"),
            (vec![("strategy", "nonsense"), ("identifier", "a@example.com")], 422, "form_param_value_invalid", "strategy"),
            (vec![("strategy", "passkey")], 422, "form_param_value_invalid", "strategy"),
            (vec![("identifier", "a@example.com"), ("unexpected", "1")], 422, "form_param_unknown", "unexpected"),
            (vec![("transfer", "true")], 400, "account_transfer_invalid", ""),
            (vec![("transfer", "yes")], 422, "form_param_format_invalid", "transfer"),
        ];
        for (form, status, code, param) in cases {
            let r = app.post_as(&browser(), "/v1/client/sign_ins", &form).await;
            assert_eq!(r.status.as_u16(), status, "{form:?}: {}", r.body);
            assert_eq!(r.error_code(), code, "{form:?}");
            assert_eq!(r.error_param(), param, "{form:?}");
        }
        // An empty sign-in is allowed: it waits for its identifier.
        let r = app.post("/v1/client/sign_ins", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "needs_identifier");
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "email_code")]).await;
        assert_eq!((r.status.as_u16(), r.error_code()), (400, "client_state_invalid"));
        let r = app.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[]).await;
        assert_eq!((r.status.as_u16(), r.error_code(), r.error_param()), (422, "form_param_missing", "strategy"));
        let r = app.get("/v1/client/sign_ins/sia_doesnotexist").await;
        assert_eq!((r.status.as_u16(), r.error_code()), (404, "resource_not_found"));
    }

    async fn malformed_bodies_are_400(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let send = |body: &'static str, content_type: &'static str| {
            let http = app.http.clone();
            let url = app.url("/v1/client/sign_ups");
            async move {
                Res::from(http.post(url).header("content-type", content_type).body(body).send().await.unwrap()).await
            }
        };
        for (body, ct) in [
            ("{not json", "application/json"),
            ("[1,2,3]", "application/json"),
            ("\"text\"", "application/json"),
            ("<xml/>", "application/xml"),
            ("a=1&a=2", "application/x-www-form-urlencoded"),
        ] {
            let r = send(body, ct).await;
            assert!(r.status.is_client_error(), "{body}: {}", r.status);
            assert!(!r.error_code().is_empty(), "{body}: {}", r.body);
        }
        let big = "a=".to_owned() + &"x".repeat(70 * 1024);
        let r = Res::from(app.http.post(app.url("/v1/client/sign_ups"))
            .header("content-type", "application/x-www-form-urlencoded").body(big).send().await.unwrap()).await;
        // RFC 9110 §15.5.14: too large is 413, not a malformed 400.
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.error_code(), "request_body_too_large");
        // Unknown endpoints answer in the same shape.
        let r = app.get("/v1/nothing/here").await;
        assert_eq!((r.status.as_u16(), r.error_code()), (404, "resource_not_found"));
        // A garbage client cookie is simply no client.
        let r = Res::from(reqwest::Client::new().get(app.url("/v1/client"))
            .header("cookie", "__client=%00%ff garbage").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body["client"].is_null());
        let r = Res::from(reqwest::Client::new().get(app.url("/v1/client"))
            .header("authorization", "Bearer ".to_owned() + &"x".repeat(500)).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    async fn an_unreachable_mail_server_is_503_and_can_be_retried(backend) {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let Some(app) = TestApp::spawn_with(backend, |s| s.delivery.smtp.port = closed).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "tulip garden 7")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/client/sign_ups/{id}/prepare_verification");
        for _ in 0..2 {
            // Failed sends leave no cooldown behind: the retry is judged afresh.
            let r = app.post(&path, &[("strategy", "email_code")]).await;
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
            assert_eq!(r.error_code(), "service_unavailable");
            assert!(r.headers.get("retry-after").is_some());
            assert!(!r.body.to_string().contains("127.0.0.1"), "internal causes stay in the log");
        }
        let r = app.get(&format!("/v1/client/sign_ups/{id}")).await;
        assert_eq!(r.body["response"]["verifications"]["email_address"]["next_action"], "needs_prepare");
    }

    async fn an_sms_provider_error_is_503(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.phone_number = FieldMode::Required;
            s.auth.email_address = FieldMode::Off;
            s.delivery.http_sms.url = format!("{}/nowhere", s.delivery.http_sms.url);
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("phone_number", "+14155552671"), ("password", "tulip garden 7")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
        assert_eq!(r.error_code(), "service_unavailable");
    }
}
