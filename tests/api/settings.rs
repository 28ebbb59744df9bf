//! Instance settings at run time: `GET|PATCH /admin/v1/settings`, checked whole, audited,
//! applied by every instance within two seconds, and flows that straddle a change.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::{Backend, TestApp, browser};

async fn patch(admin: &Admin<'_>, body: Value) -> crate::helpers::Res {
    admin.send("PATCH", "/settings", Some(body)).await
}

async fn environment_first_factors(app: &TestApp) -> Value {
    let r = app.get("/v1/environment").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["auth_config"]["first_factors"].clone()
}

async fn audit_of(admin: &Admin<'_>, kind: &str) -> Vec<Value> {
    let r = admin.get(&format!("/audit_events?type={kind}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["data"].as_array().cloned().unwrap_or_default()
}

backend_tests! {
    async fn settings_change_at_run_time_with_an_audit_event(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.get("/settings").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 0);
        assert_eq!(r.body["auth"]["email_address"], "required");
        assert!(r.body["auth"]["first_factors"].as_array().unwrap().contains(&json!("email_code")));
        // The pepper and other file-only keys are never shown.
        assert!(r.body["auth"].get("password_pepper").is_none(), "{}", r.body);
        assert!(environment_first_factors(&app).await.as_array().unwrap().contains(&json!("email_code")));

        let r = patch(&admin, json!({"auth": {"first_factors": ["password"]}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 1);
        assert_eq!(r.body["auth"]["first_factors"], json!(["password"]));
        assert_eq!(r.body["changes"], json!({"auth": {"first_factors": ["password"]}}));
        // Everything else still comes from the file.
        assert_eq!(r.body["auth"]["password_min_length"], 8);
        assert_eq!(environment_first_factors(&app).await, json!(["password"]));

        // The audit trail names the change and who made it.
        let events = audit_of(&admin, "settings.updated").await;
        assert_eq!(events.len(), 1, "{events:?}");
        let d = &events[0]["detail"];
        assert_eq!(d["version"], 1);
        assert_eq!(d["admin_key_name"], "tests");
        assert_eq!(d["diff"]["auth.first_factors"]["to"], json!(["password"]));

        // A sign-in by emailed code is no longer offered; by password it still works.
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse battery").await;
        let r = app.post_as(&browser(), "/v1/client/sign_ins",
            &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse battery").await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);

        // An unchanged value writes nothing; `null` takes a key back to the file's value.
        let r = patch(&admin, json!({"auth": {"first_factors": ["password"]}})).await;
        assert_eq!(r.body["version"], 1, "{}", r.body);
        let r = patch(&admin, json!({"auth": {"first_factors": null}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["changes"], json!({}));
        assert!(r.body["auth"]["first_factors"].as_array().unwrap().contains(&json!("email_code")));
        assert_eq!(audit_of(&admin, "settings.updated").await.len(), 2);

        // Branding reaches the pages and the messages sent from now on.
        let r = patch(&admin, json!({"branding": {"app_name": "Acme Corp", "primary_color": "#aa3300"}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.sign_up_with_email(&browser(), "grace@example.com", "correct horse battery").await;
        let mail = app.mail.all().into_iter().rfind(|m| m.to.iter().any(|t| t.contains("grace@example.com"))).unwrap();
        assert!(mail.data.contains("Acme Corp"), "{}", mail.data);
        let page = app.http.get(app.url("/sign-in")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Acme Corp"), "{page}");
    }

    async fn settings_that_cannot_work_are_refused_and_nothing_is_written(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let refused = [
            // Nobody could sign in.
            (json!({"auth": {"first_factors": []}}), "auth.first_factors"),
            (json!({"auth": {"first_factors": ["phone_code"]}}), "auth.first_factors"),
            // Sign-up would ask for a password no sign-in takes.
            (json!({"auth": {"first_factors": ["email_code"]}}), "auth.password"),
            // The file's own rules.
            (json!({"auth": {"password_min_length": 7}}), "settings"),
            (json!({"auth": {"email_address": "off", "password": "off"}}), "settings"),
            (json!({"auth": {"mfa_required": true, "second_factors": ["backup_code"]}}), "settings"),
            (json!({"branding": {"primary_color": "red"}}), "settings"),
            // Unknown keys, wrong types.
            (json!({"auth": {"first_factor": ["password"]}}), "settings"),
            (json!({"auth": {"lockout_attempts": "ten"}}), "settings"),
            (json!({"auth": {"sign_up_mode": "everyone"}}), "settings"),
            // What only config.toml holds.
            (json!({"auth": {"password_pepper": "guess"}}), "auth.password_pepper"),
            (json!({"auth": {"password_hash_concurrency": 64}}), "auth.password_hash_concurrency"),
            (json!({"database": {"url": "sqlite::memory:"}}), "database"),
            (json!({"server": {"public_url": "https://evil.test"}}), "server"),
            (json!({"auth": ["password"]}), "auth"),
            (json!(["auth"]), "the settings document"),
        ];
        for (body, param) in refused {
            let r = patch(&admin, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
            assert_eq!(r.error_code(), "form_param_value_invalid", "{body}: {}", r.body);
            assert_eq!(r.error_param(), param, "{body}: {}", r.body);
        }
        // Not JSON at all.
        let r = app.http.patch(app.url("/admin/v1/settings")).bearer_auth(&admin.key)
            .header("content-type", "application/json").body("{\"auth\":").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = admin.get("/settings").await;
        assert_eq!(r.body["version"], 0, "{}", r.body);
        assert!(audit_of(&admin, "settings.updated").await.is_empty());
    }

    async fn settings_need_an_admin_key(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.http.get(app.url("/admin/v1/settings")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = app.http.patch(app.url("/admin/v1/settings")).bearer_auth("pcadm_forged")
            .json(&json!({"auth": {"first_factors": ["password"]}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // A signed-in user's session is not an admin key.
        let b = app.signed_in_user("eve@example.com", "correct horse battery").await;
        let r = b.patch(app.url("/admin/v1/settings"))
            .json(&json!({"auth": {"first_factors": ["password"]}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let admin = Admin::new(&app).await;
        assert_eq!(admin.get("/settings").await.body["version"], 0);
    }

    async fn a_sign_in_that_straddles_a_change_fails_cleanly(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse battery").await;
        // Started with an emailed code…
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins",
            &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.mail.code_for("ada@example.com").await;
        // …which the operator turns off before the code comes back.
        let r = patch(&admin, json!({"auth": {"first_factors": ["password"]}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "email_code"), ("code", &code)]).await;
        assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
        assert!(r.body["errors"][0]["code"].is_string(), "{}", r.body);
        // The same sign-in goes on with what is allowed now.
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "password"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);

        // A sign-up under way when a field becomes required asks for it before it completes.
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups",
            &[("email_address", "grace@example.com"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"),
            &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.mail.code_for("grace@example.com").await;
        let r = patch(&admin, json!({"auth": {"username": "required"}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", &code)]).await;
        assert!(!r.status.is_server_error(), "{}: {}", r.status, r.body);
        if r.status == StatusCode::OK {
            assert_ne!(r.body["response"]["status"], "complete", "{}", r.body);
            assert!(r.body["response"]["missing_fields"].as_array().unwrap().contains(&json!("username")), "{}", r.body);
        }
    }
}

/// Two instances on one PostgreSQL and Redis: a change on one is in effect on the other
/// within two seconds, announced over pub/sub; a change whose announcement is lost (written
/// straight to the database) is caught by the version check just as fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_applies_a_change_within_two_seconds() {
    let Some(a) = TestApp::spawn(Backend::PostgresRedis).await else {
        return;
    };
    let b = a.sibling().await;
    let admin = Admin::new(&a).await;
    let r = patch(
        &admin,
        json!({"auth": {"phone_number": "optional", "first_factors": ["password", "phone_code"]}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seen = wait_for(&b, |env| {
        env["auth_config"]["first_factors"] == json!(["password", "phone_code"])
    })
    .await;
    assert!(
        seen < Duration::from_secs(2),
        "B saw the change after {seen:?}"
    );
    // The hosted sign-in page of B offers the phone number now.
    let page = b
        .http
        .get(b.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.to_lowercase().contains("phone"), "{page}");

    // A lost announcement: the next version written behind both instances' backs.
    let doc = json!({"auth": {"first_factors": ["password"]}}).to_string();
    assert!(
        portcullis::store::settings::write(&a.app.db, 1, &doc, 0, "tests")
            .await
            .unwrap()
    );
    let seen = wait_for(&b, |env| {
        env["auth_config"]["first_factors"] == json!(["password"])
    })
    .await;
    assert!(
        seen < Duration::from_secs(2),
        "B caught the lost change after {seen:?}"
    );
    wait_for(&a, |env| {
        env["auth_config"]["first_factors"] == json!(["password"])
    })
    .await;
    assert_eq!(b.app.live.version(), 2);
}

/// How long until `b`'s `/v1/environment` satisfies `done` (panics after five seconds).
async fn wait_for(app: &TestApp, done: impl Fn(&Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let r = app.get("/v1/environment").await;
        if done(&r.body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never applied: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
