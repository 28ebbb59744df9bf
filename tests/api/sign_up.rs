use crate::backend_tests;
use crate::helpers::{TestApp, browser};
use portcullis::config::FieldMode;
use reqwest::StatusCode;

backend_tests! {
    async fn sign_up_by_email_code_creates_user_and_session(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("email_address", "Ada@Example.com"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        assert_eq!(su["object"], "sign_up_attempt");
        assert_eq!(su["status"], "missing_requirements");
        assert_eq!(su["email_address"], "ada@example.com");
        assert_eq!(su["password_enabled"], true);
        assert_eq!(su["missing_fields"], serde_json::json!([]));
        assert_eq!(su["unverified_fields"], serde_json::json!(["email_address"]));
        assert_eq!(su["verifications"]["email_address"]["next_action"], "needs_prepare");
        assert_eq!(su["verifications"]["email_address"]["supported_strategies"][0], "email_code");
        assert!(su.get("password").is_none() && !r.body.to_string().contains("argon2"));
        assert_eq!(r.body["client"]["sign_up"]["id"], su["id"]);
        let id = su["id"].as_str().unwrap().to_owned();

        let r = app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = &r.body["response"]["verifications"]["email_address"];
        assert_eq!(v["status"], "unverified");
        assert_eq!(v["strategy"], "email_code");
        assert_eq!(v["next_action"], "needs_attempt");
        assert!(v["expire_at"].as_i64().unwrap() > app.clock_ms());

        // The code went out by real SMTP, and nowhere else.
        let code = app.mail.code_for("ada@example.com").await;
        assert!(!r.body.to_string().contains(&code));

        let r = app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        assert_eq!(su["status"], "complete");
        assert_eq!(su["verifications"]["email_address"]["status"], "verified");
        let user_id = su["created_user_id"].as_str().unwrap();
        let session_id = su["created_session_id"].as_str().unwrap();
        assert!(user_id.starts_with("user_"));
        let client = &r.body["client"];
        assert_eq!(client["last_active_session_id"], session_id);
        assert!(client["sign_up"].is_null());
        let session = &client["sessions"][0];
        assert_eq!(session["status"], "active");
        assert_eq!(session["user"]["id"], user_id);
        assert_eq!(session["user"]["email_addresses"][0]["email_address"], "ada@example.com");
        assert_eq!(session["user"]["email_addresses"][0]["verification"]["status"], "verified");
        assert_eq!(session["user"]["primary_email_address_id"], session["user"]["email_addresses"][0]["id"]);
        assert!(session["last_active_token"]["jwt"].as_str().unwrap().split('.').count() == 3);
    }

    async fn sign_up_by_phone_code_sends_an_sms(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.email_address = FieldMode::Off;
            s.auth.phone_number = FieldMode::Required;
            s.auth.password = FieldMode::Off;
            s.auth.first_name = FieldMode::Required;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("phone_number", "+1 (415) 555-2671")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        assert_eq!(su["phone_number"], "+14155552671");
        assert_eq!(su["missing_fields"], serde_json::json!(["first_name"]));
        let id = su["id"].as_str().unwrap().to_owned();

        // Email is off on this instance.
        let r = app.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), &[("email_address", "a@example.com")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "form_param_unknown");

        let r = app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let sms = app.sms.all();
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0].from, "+15005550006");
        assert!(sms[0].authorization.starts_with("Basic "), "SMS provider gets basic auth");
        let code = app.sms.code_for("+14155552671").await;

        let r = app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "phone_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Verified, but first_name is still missing: no user yet.
        assert_eq!(r.body["response"]["status"], "missing_requirements");
        assert_eq!(r.body["response"]["unverified_fields"], serde_json::json!([]));

        // PATCH sent as the SDK sends it.
        let r = app.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), &[("first_name", "Grace")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        let user = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(user["first_name"], "Grace");
        assert_eq!(user["phone_numbers"][0]["phone_number"], "+14155552671");
        assert_eq!(user["password_enabled"], false);
    }

    async fn duplicate_identifier_is_refused(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "taken@example.com", "tulip garden 7").await;
        let r = app.post("/v1/client/sign_ups", &[("email_address", "TAKEN@example.com")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "form_identifier_exists");
        assert_eq!(r.error_param(), "email_address");
    }

    async fn concurrent_sign_ups_with_one_email_make_one_user(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.testing.enabled = true).await else { return };
        let email = "race+portcullis_test@example.com";
        let (a, b) = (browser(), browser());
        let mut ids = Vec::new();
        for http in [&a, &b] {
            let r = app.post_as(http, "/v1/client/sign_ups", &[("email_address", email), ("password", "tulip garden 7")]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let id = r.body["response"]["id"].as_str().unwrap().to_owned();
            let r = app.post_as(http, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            ids.push(id);
        }
        let path_a = format!("/v1/client/sign_ups/{}/attempt_verification", ids[0]);
        let path_b = format!("/v1/client/sign_ups/{}/attempt_verification", ids[1]);
        let form = [("strategy", "email_code"), ("code", "424242")];
        let (ra, rb) = tokio::join!(app.post_as(&a, &path_a, &form), app.post_as(&b, &path_b, &form));
        let mut statuses = vec![ra.status.as_u16(), rb.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![200, 422], "a: {} b: {}", ra.body, rb.body);
        let loser = if ra.status == StatusCode::OK { &rb } else { &ra };
        assert_eq!(loser.error_code(), "form_identifier_exists");
        // One user in the database, and no stray session or identification from the loser.
        use sea_orm::{EntityTrait, PaginatorTrait};
        use portcullis::store::entities::{email_address, session, user};
        let db = &app.app.db;
        assert_eq!(user::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(email_address::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(session::Entity::find().count(db).await.unwrap(), 1);
    }

    async fn progressive_fields_follow_the_settings(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.username = FieldMode::Required;
            s.auth.last_name = FieldMode::Required;
            s.auth.legal_consent = true;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        let mut missing: Vec<String> = serde_json::from_value(su["missing_fields"].clone()).unwrap();
        missing.sort();
        assert_eq!(missing, ["email_address", "last_name", "legal_accepted", "password", "username"]);
        assert_eq!(su["optional_fields"], serde_json::json!(["first_name"]));
        assert!(su["verifications"]["email_address"].is_null());
        let id = su["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/v1/client/sign_ups/{id}?_method=PATCH"), &[("username", "Grace_H"), ("last_name", "Hopper"), ("legal_accepted", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        assert_eq!(su["username"], "grace_h");
        assert!(su["legal_accepted_at"].as_i64().is_some());
        assert_eq!(su["missing_fields"], serde_json::json!(["email_address", "password"]));
        // A JSON body works as well as a form.
        let r = crate::helpers::Res::from(app.http.patch(app.url(&format!("/v1/client/sign_ups/{id}")))
            .json(&serde_json::json!({"unsafe_metadata": {"plan": "pro"}, "password": "longenough"}))
            .send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["unsafe_metadata"]["plan"], "pro");
        assert_eq!(r.body["response"]["missing_fields"], serde_json::json!(["email_address"]));
        // GET shows the same sign-up; another browser cannot see it.
        let r = app.get(&format!("/v1/client/sign_ups/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["response"]["id"], id.as_str());
        let r = app.get_as(&browser(), &format!("/v1/client/sign_ups/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.error_code(), "resource_not_found");
    }

    async fn test_mode_accepts_424242_and_sends_nothing(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.testing.enabled = true;
            s.auth.phone_number = FieldMode::Optional;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[
            ("email_address", "jane+portcullis_test@example.com"),
            ("phone_number", "+1 201 555 0123"),
            ("password", "tulip garden 7"),
        ]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        for (strategy, field) in [("email_code", "email_address"), ("phone_code", "phone_number")] {
            let r = app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", strategy)]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let r = app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", strategy), ("code", "424242")]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["response"]["verifications"][field]["status"], "verified");
        }
        assert_eq!(r_status(&app, &id).await, "complete");
        assert!(app.mail.all().is_empty(), "test addresses get no email");
        assert!(app.sms.all().is_empty(), "test numbers get no SMS");
    }

    async fn test_code_is_refused_outside_test_mode(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("email_address", "jane+portcullis_test@example.com"), ("password", "tulip garden 7")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        let real = app.mail.code_for("jane+portcullis_test@example.com").await;
        if real != "424242" {
            let r = app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", "424242")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.error_code(), "form_code_incorrect");
        }
    }
}

async fn r_status(app: &TestApp, id: &str) -> String {
    let r = app.get(&format!("/v1/client/sign_ups/{id}")).await;
    r.body["response"]["status"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

impl TestApp {
    pub fn clock_ms(&self) -> i64 {
        use portcullis::clock::Clock;
        self.clock.now_ms()
    }
}
