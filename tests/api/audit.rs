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

    async fn a_sign_in_is_recorded_with_its_session_or_not_at_all(backend) {
        use portcullis::store::{clients, sessions, users};
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = crate::admin::Admin::new(&app).await;
        let id = admin.create_user("ada@example.com", "a long passphrase").await;
        let (_, r) = app.password_sign_in("ada@example.com", "a long passphrase").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let client_id = r.body["client"]["id"].as_str().unwrap().to_owned();
        // Written with the session, not after it: there the moment the sign-in answers.
        let recorded = factors::audit_by_kind(&app.app.db, "sign_in.succeeded", 10).await.unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].session_id.as_deref(), Some(sid.as_str()));
        assert_eq!(recorded[0].user_id.as_deref(), Some(id.as_str()));

        let db = &app.app.db;
        let signed_in_at = || async { users::get_user(db, &id).await.unwrap().unwrap().user.last_sign_in_at };
        let before = signed_in_at().await;
        app.clock.advance_secs(60);
        let now = app.app.now();
        let opening = |session_id: &str, audit_id: &str, user_id: &str| sessions::Opening {
            session: sessions::SessionRow {
                id: session_id.into(), client_id: client_id.clone(), user_id: user_id.into(),
                status: "active".into(), factors: "[\"password\"]".into(), first_factor_at: now,
                second_factor_at: None, last_active_at: now, expire_at: now + 60_000,
                abandon_at: now + 120_000, last_active_organization_id: None, actor: None,
                created_at: now, updated_at: now,
            },
            client: clients::ClientChange {
                last_active_session_id: Some(Some(session_id.into())),
                ..Default::default()
            },
            audit: Some(factors::NewAuditEvent {
                id: audit_id.into(), user_id: Some(user_id.into()), session_id: Some(session_id.into()),
                ip: None, user_agent: None, client_id: None, kind: "sign_in.succeeded".into(),
                detail: "{}".into(), created_at: now,
            }),
        };
        // Opened in a transaction, as every caller on SQLite does (PostgreSQL needs none).
        let open = |o: sessions::Opening| async move {
            let txn = portcullis::store::begin(db).await.unwrap();
            let opened = sessions::open(&txn, o).await;
            match &opened {
                Ok(_) => txn.commit().await.unwrap(),
                Err(_) => txn.rollback().await.unwrap(),
            }
            opened
        };
        let (client_ref, sid_ref) = (&client_id, &sid);
        let untouched = |session_id: &'static str| async move {
            assert!(sessions::get(db, session_id).await.unwrap().is_none(), "{session_id} written");
            assert_eq!(clients::get(db, client_ref).await.unwrap().unwrap().last_active_session_id.as_deref(), Some(sid_ref.as_str()));
        };

        // The audit event cannot be written (its id is taken): neither is anything else.
        let taken = recorded[0].id.clone();
        assert!(open(opening("sess_t1", &taken, &id)).await.is_err());
        untouched("sess_t1").await;
        assert_eq!(signed_in_at().await, before, "the sign-in time moved without a session");

        // A banned user, a locked one, and one who is gone: refused, nothing written.
        admin.post(&format!("/users/{id}/ban"), serde_json::json!({})).await;
        assert!(matches!(open(opening("sess_t2", "aud_t2", &id)).await.unwrap(),
            sessions::Opened::Refused { banned: true, locked: false }));
        untouched("sess_t2").await;
        admin.post(&format!("/users/{id}/unban"), serde_json::json!({})).await;
        admin.post(&format!("/users/{id}/lock"), serde_json::json!({})).await;
        assert!(matches!(open(opening("sess_t3", "aud_t3", &id)).await.unwrap(),
            sessions::Opened::Refused { banned: false, locked: true }));
        untouched("sess_t3").await;
        assert!(matches!(open(opening("sess_t4", "aud_t4", "user_gone")).await.unwrap(), sessions::Opened::NoUser));
        untouched("sess_t4").await;
        assert_eq!(signed_in_at().await, before);
        for audit_id in ["aud_t2", "aud_t3", "aud_t4"] {
            assert!(factors::audit_by_kind(db, "sign_in.succeeded", 10).await.unwrap().iter().all(|e| e.id != audit_id));
        }

        // Unlocked: written whole, the client as the same write left it.
        admin.post(&format!("/users/{id}/unlock"), serde_json::json!({})).await;
        let sessions::Opened::Open(Some(client)) = open(opening("sess_t5", "aud_t5", &id)).await.unwrap() else {
            panic!("not opened");
        };
        assert_eq!(client.id, client_id);
        assert_eq!(client.last_active_session_id.as_deref(), Some("sess_t5"));
        assert_eq!(sessions::get(db, "sess_t5").await.unwrap().unwrap().user_id, id);
        assert_eq!(signed_in_at().await, Some(now));
        assert!(factors::audit_by_kind(db, "sign_in.succeeded", 10).await.unwrap().iter().any(|e| e.id == "aud_t5"));
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
