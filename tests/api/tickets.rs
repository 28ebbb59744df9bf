//! The ticket strategy: invitations and sign-in tokens, single use and expiring.

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

async fn ticket(
    app: &TestApp,
    kind: &str,
    email: Option<&str>,
    user_id: Option<&str>,
    secs: i64,
) -> String {
    portcullis::flows::tickets::create(
        &app.app.db,
        &app.app.tokens,
        kind,
        email.map(Into::into),
        user_id.map(Into::into),
        secs,
        app.app.now(),
    )
    .await
    .unwrap()
}

backend_tests! {
    async fn an_invitation_signs_up_its_address_once(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let t = ticket(&app, "invitation", Some("new@example.com"), None, 3600).await;
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("ticket", &t), ("email_address", "other@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.error_param(), "email_address", "{}", r.body);
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", &t), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete", "the invitation verifies the address: {}", r.body);
        let user = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(user["email_addresses"][0]["email_address"], "new@example.com");
        assert_eq!(user["email_addresses"][0]["verification"]["strategy"], "ticket");
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("ticket", &t), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_param(), "ticket");
    }

    async fn a_sign_in_token_works_once_and_expires(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let user_id = r.body["client"]["sessions"][0]["user"]["id"].as_str().unwrap().to_owned();
        let t = ticket(&app, "sign_in", None, Some(&user_id), 60).await;
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "ticket"), ("ticket", &t)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        assert_eq!(r.body["client"]["sessions"][0]["user"]["id"], user_id.as_str());
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "ticket"), ("ticket", &t)]).await;
        assert_eq!(r.error_param(), "ticket", "used once");
        let t = ticket(&app, "sign_in", None, Some(&user_id), 60).await;
        app.clock.advance_secs(61);
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "ticket"), ("ticket", &t)]).await;
        assert_eq!(r.error_param(), "ticket", "expired");
        // An invitation is not a sign-in token.
        let inv = ticket(&app, "invitation", Some("x@example.com"), None, 60).await;
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "ticket"), ("ticket", &inv)]).await;
        assert_eq!(r.error_param(), "ticket");
    }
}

backend_tests! {
    async fn an_invitation_link_on_the_sign_up_page(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let t = ticket(&app, "invitation", Some("new@example.com"), None, 3600).await;
        let b = browser();
        let page = b.get(app.url(&format!("/sign-up?__clerk_ticket={t}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("value=\"new@example.com\""), "{page}");
        let csrf_marker = "name=\"csrf\" value=\"";
        let i = page.find(csrf_marker).unwrap() + csrf_marker.len();
        let csrf = page[i..i + page[i..].find('"').unwrap()].to_owned();
        let r = b.post(app.url("/sign-up")).form(&[("csrf", csrf.as_str()), ("ticket", t.as_str()), ("email_address", "new@example.com"), ("password", "correct horse")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/user", "no code needed: the invitation verified the address");
        // The link is spent.
        let r = b.get(app.url(&format!("/sign-up?__clerk_ticket={t}"))).send().await.unwrap();
        assert!(r.status().is_client_error() || r.status().is_redirection());
    }
}
