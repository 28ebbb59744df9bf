//! The audit trail: sign-ins, failures, lockouts, sessions and token issuance, with address
//! and user agent; retention.

use std::time::Duration;

use portcullis::store::entities::audit_event;
use portcullis::store::factors;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

/// Events of `kind`, waiting briefly for the batching writer.
pub(crate) async fn events(app: &TestApp, kind: &str, at_least: usize) -> Vec<audit_event::Model> {
    for _ in 0..100 {
        let found = factors::audit_by_kind(&app.app.db, kind, 100)
            .await
            .unwrap();
        if found.len() >= at_least {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {at_least} {kind} events");
}

backend_tests! {
    async fn sign_ins_failures_lockouts_sessions_and_tokens_are_recorded(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.lockout_attempts = 2;
            let mut c: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
                "client_id": "svc", "redirect_uris": ["http://127.0.0.1:9/cb"], "first_party": true,
            })).unwrap();
            c.client_secret = Some("svc-secret".to_string().into());
            c.grant_types.push("client_credentials".into());
            s.clients = vec![c];
        }).await else { return };
        let created = app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let user_id = created.body["client"]["sessions"][0]["user"]["id"].as_str().unwrap().to_owned();
        assert_eq!(events(&app, "user.created", 1).await[0].user_id.as_deref(), Some(user_id.as_str()));

        let b = reqwest::Client::builder().cookie_store(true).user_agent("AuditTest/1.0").build().unwrap();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete");
        let ok = &events(&app, "sign_in.succeeded", 1).await[0];
        assert_eq!(ok.user_id.as_deref(), Some(user_id.as_str()));
        assert_eq!(ok.user_agent.as_deref(), Some("AuditTest/1.0"));
        assert_eq!(ok.ip.as_deref(), Some("127.0.0.1"));
        assert!(ok.session_id.is_some() && ok.detail.contains("password"), "{}", ok.detail);
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        app.post_as(&b, &format!("/v1/client/sessions/{sid}/end"), &[]).await;
        assert_eq!(events(&app, "session.ended", 1).await[0].session_id.as_deref(), Some(sid.as_str()));

        for _ in 0..2 {
            app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "wrong horse")]).await;
        }
        assert_eq!(events(&app, "sign_in.failed", 2).await.len(), 2);
        assert_eq!(events(&app, "user.locked", 1).await[0].user_id.as_deref(), Some(user_id.as_str()));

        for _ in 0..3 {
            let r = reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("svc", Some("svc-secret"))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        // Client tokens are tallied per client and written every ten seconds.
        let mut issued = Vec::new();
        for _ in 0..150 {
            issued = factors::audit_by_kind(&app.app.db, "token.issued", 10).await.unwrap();
            if !issued.is_empty() { break; }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let issued = issued.first().expect("a token.issued tally within 15 s");
        assert_eq!(issued.client_id.as_deref(), Some("svc"));
        let detail: serde_json::Value = serde_json::from_str(&issued.detail).unwrap();
        assert_eq!(detail["grant_type"], "client_credentials");
        assert_eq!(detail["count"], 3, "{detail}");
    }

    // A batch is cut into statements of 50, 16, 4 and 1 rows: every size in between, and one
    // past the largest, still writes each event once.
    async fn a_batch_of_any_size_writes_every_event_once(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        // Recent events: start-up's pruning must not take them.
        let now = app.app.now();
        for (round, n) in [1usize, 3, 4, 5, 15, 16, 17, 21, 49, 50, 51, 87].into_iter().enumerate() {
            let kind = format!("batch{round}");
            let batch = (0..n).map(|i| factors::NewAuditEvent {
                id: format!("aud_b{round}_{i}"), user_id: None, session_id: None, ip: None, user_agent: None,
                client_id: None, kind: kind.clone(), detail: "{}".into(), created_at: now + i as i64,
            }).collect();
            factors::insert_audit_many(&app.app.db, batch).await.unwrap();
            let mut ids: Vec<String> = factors::audit_by_kind(&app.app.db, &kind, 200).await.unwrap()
                .into_iter().map(|e| e.id).collect();
            ids.sort();
            let mut want: Vec<String> = (0..n).map(|i| format!("aud_b{round}_{i}")).collect();
            want.sort();
            assert_eq!(ids, want, "a batch of {n}");
        }
    }

    async fn old_events_are_pruned(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.audit.retention_days = 30).await else { return };
        let now = app.app.now();
        for (id, age_days) in [("aud_old", 31), ("aud_new", 29)] {
            factors::insert_audit(&app.app.db, factors::NewAuditEvent {
                id: id.into(), user_id: Some("user_x".into()), session_id: None, ip: None, user_agent: None,
                client_id: None, kind: "test".into(), detail: "{}".into(), created_at: now - age_days * 86_400_000,
            }).await.unwrap();
        }
        // (The hourly pruning task may get there first; either way the old one goes.)
        portcullis::flows::audit::prune(&app.app).await.unwrap();
        let left = factors::audit_by_kind(&app.app.db, "test", 10).await.unwrap();
        assert_eq!(left.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["aud_new"]);
    }
}
