//! Email links for sign-in and sign-up: same device, another device, expired and reused
//! links, the same-device setting, and the test-mode outbox that e2e tests read them from.

use portcullis::config::FieldMode;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

fn with_links(s: &mut portcullis::config::Settings) {
    s.testing.enabled = true;
    s.auth.first_factors.push("email_link".into());
}

/// The link in the latest message to `to`, read from the test outbox.
async fn link_for(app: &TestApp, to: &str) -> String {
    let r = app
        .get(&format!(
            "/v1/testing/outbox?to={}",
            url::form_urlencoded::byte_serialize(to.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = r.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .expect("a message")["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = body.find("http").expect("a link");
    body[start..].split_whitespace().next().unwrap().to_owned()
}

async fn link_sign_in(app: &TestApp, b: &reqwest::Client, email: &str) -> String {
    let r = app
        .post_as(b, "/v1/client/sign_ins", &[("identifier", email)])
        .await;
    let si = &r.body["response"];
    let factor = si["supported_first_factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["strategy"] == "email_link")
        .expect("an email_link factor")
        .clone();
    let id = si["id"].as_str().unwrap().to_owned();
    let r = app
        .post_as(
            b,
            &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[
                ("strategy", "email_link"),
                (
                    "email_address_id",
                    factor["email_address_id"].as_str().unwrap(),
                ),
                ("redirect_url", "/after-link"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["response"]["first_factor_verification"]["strategy"],
        "email_link"
    );
    assert_eq!(
        r.body["response"]["first_factor_verification"]["status"],
        "unverified"
    );
    id
}

backend_tests! {
    async fn email_link_on_the_same_device(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_links).await else { return };
        let email = "ada+portcullis_test@example.com";
        app.sign_up_with_email(&browser(), email, "correct horse").await;
        let b = browser();
        link_sign_in(&app, &b, email).await;
        let link = link_for(&app, email).await;
        assert!(link.starts_with(&app.url("/v1/verify?token=")), "{link}");
        let r = b.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/after-link");
        let c = app.get_as(&b, "/v1/client").await;
        assert_eq!(c.body["response"]["sessions"][0]["status"], "active", "{}", c.body);
        // Used once.
        let r = b.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn email_link_on_another_device_finishes_on_the_next_poll(backend) {
        // Opted into: by default a link only works in the browser that asked for it.
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_links(s);
            s.auth.email_link_same_device = false;
        }).await else { return };
        let email = "ada+portcullis_test@example.com";
        app.sign_up_with_email(&browser(), email, "correct horse").await;
        let laptop = browser();
        let id = link_sign_in(&app, &laptop, email).await;
        let link = link_for(&app, email).await;
        let phone = browser();
        let r = phone.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("return to your original tab"));
        assert!(app.get_as(&phone, "/v1/client").await.body["response"].is_null(), "the phone is not signed in");
        let r = app.get_as(&laptop, &format!("/v1/client/sign_ins/{id}")).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        assert!(r.headers.get("set-cookie").is_some(), "the laptop's client token is rotated");
        assert_eq!(r.body["client"]["sessions"][0]["status"], "active");
    }

    async fn expired_links_and_the_same_device_setting(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_links(s);
            s.auth.email_link_same_device = true;
        }).await else { return };
        let email = "ada+portcullis_test@example.com";
        app.sign_up_with_email(&browser(), email, "correct horse").await;
        let b = browser();
        link_sign_in(&app, &b, email).await;
        let link = link_for(&app, email).await;
        let r = browser().get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("browser where you asked"));
        let b = browser();
        link_sign_in(&app, &b, email).await;
        let link = link_for(&app, email).await;
        app.clock.advance_secs(601);
        let r = b.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("expired"));
    }

    async fn sign_up_verified_by_link_without_a_password(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_links(s);
            s.auth.password = FieldMode::Optional;
        }).await else { return };
        let email = "grace+portcullis_test@example.com";
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("email_address", email)]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["response"]["verifications"]["email_address"]["supported_strategies"], serde_json::json!(["email_code", "email_link"]));
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_link"), ("redirect_url", "/welcome")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let link = link_for(&app, email).await;
        let r = b.get(&link).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/welcome");
        let c = app.get_as(&b, "/v1/client").await;
        let user = &c.body["response"]["sessions"][0]["user"];
        assert_eq!(user["password_enabled"], false, "{}", c.body);
        assert_eq!(user["email_addresses"][0]["verification"]["strategy"], "email_link");
    }

    async fn the_outbox_exists_only_in_test_mode(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.get("/v1/testing/outbox?to=ada%40example.com").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
