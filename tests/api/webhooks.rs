//! Webhooks: signed, queued in the database, retried after a failed delivery; and the
//! export → import round trip of users.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::TestApp;

const SECRET_KEY: &[u8] = b"webhook test key, 32 bytes long!";

/// Headers (names lower-cased) and body of one request.
type Request = (Vec<(String, String)>, String);

#[derive(Clone, Default)]
struct Receiver {
    /// Each request, in order.
    seen: Arc<Mutex<Vec<Request>>>,
    port: u16,
}

impl Receiver {
    /// Answers 500 to the first request and 204 to the rest.
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let r = Receiver {
            seen: Arc::default(),
            port,
        };
        let seen = r.seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head, body) = loop {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf).to_string();
                        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                            let len: usize = head
                                .lines()
                                .find_map(|l| {
                                    l.to_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if rest.len() >= len {
                                break (head.to_owned(), rest[..len].to_owned());
                            }
                        }
                    };
                    let headers: Vec<(String, String)> = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| {
                            l.split_once(':')
                                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                        })
                        .collect();
                    let first = {
                        let mut s = seen.lock().unwrap();
                        s.push((headers, body));
                        s.len() == 1
                    };
                    let status = if first {
                        "500 Internal Server Error"
                    } else {
                        "204 No Content"
                    };
                    let _ = sock.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes()).await;
                });
            }
        });
        r
    }

    fn events(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

backend_tests! {
    async fn webhooks_are_signed_queued_and_retried(backend) {
        let receiver = Receiver::start().await;
        let url = format!("http://127.0.0.1:{}/hooks", receiver.port);
        let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(SECRET_KEY));
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.webhooks.first_retry_ms = 1000;
            s.webhooks.endpoints = vec![portcullis::config::WebhookEndpoint {
                url: url.clone(),
                secret: secret.clone().into(),
                events: vec![],
            }];
        }).await else { return };
        let admin = Admin::new(&app).await;
        let id = admin.create_user("hook@example.com", "a long passphrase").await;
        let (b, r) = app.password_sign_in("hook@example.com", "a long passphrase").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/end"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        admin.send("PATCH", &format!("/users/{id}"), Some(json!({"first_name": "Hooked"}))).await;
        // An operator's revocation is `session.revoked`, as Clerk names it.
        let (_, r) = app.password_sign_in("hook@example.com", "a long passphrase").await;
        let revoked = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        assert_eq!(admin.post(&format!("/sessions/{revoked}/revoke"), json!({})).await.status, StatusCode::OK);
        // A change the user makes themselves is reported too.
        let (b2, _) = app.password_sign_in("hook@example.com", "a long passphrase").await;
        let r = app.post_as(&b2, "/v1/me/change_password", &[("current_password", "a long passphrase"), ("new_password", "a newer passphrase")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        admin.send("DELETE", &format!("/users/{id}"), None).await;

        let want = ["user.created", "session.created", "session.ended", "session.revoked", "user.updated", "user.deleted"];
        let mut delivered: Vec<Value> = Vec::new();
        for _ in 0..100 {
            // The failed first delivery is retried once its backoff has passed.
            app.clock.advance_secs(1);
            tokio::time::sleep(Duration::from_millis(150)).await;
            delivered = receiver.events().iter().skip(1).map(|(_, b)| serde_json::from_str(b).unwrap()).collect();
            let updates = delivered.iter().filter(|d| d["type"] == "user.updated").count();
            if updates >= 2 && want.iter().all(|w| delivered.iter().any(|d| d["type"] == *w)) { break; }
        }
        let events = receiver.events();
        for w in want {
            assert!(delivered.iter().any(|d| d["type"] == w), "{w} not delivered: {delivered:?}");
        }
        // The first attempt failed and the same message came again, with the same id.
        let first_id = header(&events[0].0, "webhook-id");
        assert_eq!(events.iter().filter(|(h, _)| header(h, "webhook-id") == first_id).count(), 2, "a retry keeps its id");
        assert!(delivered.iter().filter(|d| d["type"] == "user.updated").count() >= 2, "admin and self-service updates");
        let revocation = delivered.iter().find(|d| d["type"] == "session.revoked").unwrap();
        assert_eq!(revocation["data"]["id"], revoked.as_str());
        assert_eq!(revocation["data"]["status"], "revoked");
        let created = delivered.iter().find(|d| d["type"] == "user.created").unwrap();
        assert_eq!(created["data"]["id"], id.as_str());
        assert_eq!(created["data"]["email_addresses"][0]["email_address"], "hook@example.com");
        // Every request carries a valid Standard Webhooks signature.
        for (headers, body) in &events {
            let msg_id = header(headers, "webhook-id");
            let ts = header(headers, "webhook-timestamp");
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET_KEY).unwrap();
            mac.update(format!("{msg_id}.{ts}.{body}").as_bytes());
            let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
            assert_eq!(header(headers, "webhook-signature"), expected);
            // Svix's header names too, as Clerk's webhooks carry them.
            assert_eq!(header(headers, "svix-signature"), expected);
            assert_eq!(header(headers, "svix-id"), msg_id);
            assert_eq!(header(headers, "svix-timestamp"), ts);
        }
        let log = admin.get("/webhook_deliveries").await.body["data"].clone();
        let retried = log.as_array().unwrap().iter().find(|d| d["id"] == header(&events[0].0, "webhook-id")).unwrap().clone();
        assert_eq!(retried["attempts"], 2, "{retried}");
        assert!(retried["delivered_at"].is_number());
    }

    async fn export_and_import_round_trip(backend) {
        let Some(a) = TestApp::spawn(backend).await else { return };
        let Some(b) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&a).await;
        let id = admin.create_user("port@example.com", "a long passphrase").await;
        admin.send("PATCH", &format!("/users/{id}"), Some(json!({"username": "porter", "public_metadata": {"tier": 2}}))).await;
        let (browser, _) = a.password_sign_in("port@example.com", "a long passphrase").await;
        let (totp_secret, _) = a.enrol_totp(&browser).await;
        use portcullis::clock::Clock;
        portcullis::store::external::insert(&a.app.db, portcullis::store::external::ExternalAccountRow {
            id: "eac_x".into(), user_id: id.clone(), provider: "oauth_google".into(), provider_user_id: "g-123".into(),
            email_address: Some("port@example.com".into()), email_verified: true, first_name: None, last_name: None,
            username: None, image_url: None, created_at: a.clock.now_ms(), updated_at: a.clock.now_ms(),
        }).await.unwrap();
        admin.create_user("second@example.com", "a long passphrase").await;

        let mut out = Vec::new();
        let n = portcullis::flows::portability::export(&a.app.db, a.app.sealer.as_ref(), &mut out).await.unwrap();
        assert_eq!(n, 2);
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            portcullis::flows::portability::import_line(&b.app.db, b.app.sealer.as_ref(), line, b.clock.now_ms()).await.unwrap();
        }
        // Importing again finds every identifier taken and changes nothing.
        for line in text.lines() {
            assert!(portcullis::flows::portability::import_line(&b.app.db, b.app.sealer.as_ref(), line, b.clock.now_ms()).await.is_err());
        }
        let mut again = Vec::new();
        portcullis::flows::portability::export(&b.app.db, b.app.sealer.as_ref(), &mut again).await.unwrap();
        assert_eq!(String::from_utf8(again).unwrap(), text, "export → import → export is the identity");
        let line: Value = text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(|l| l["id"] == id.as_str()).unwrap();
        assert_eq!(line["username"], "porter");
        assert_eq!(line["public_metadata"]["tier"], 2);
        assert_eq!(line["external_accounts"][0]["provider_user_id"], "g-123");
        // On the new instance the user signs in with the old password and authenticator.
        let (nb, r) = b.password_sign_in("port@example.com", "a long passphrase").await;
        assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
        let sign_in = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = crate::helpers::totp_code(&totp_secret, b.clock.now_ms(), 0);
        let r = b.post_as(&nb, &format!("/v1/client/sign_ins/{sign_in}/attempt_second_factor"), &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let bad = portcullis::flows::portability::import_line(&b.app.db, None, r#"{"email_addresses":["x@example.com"],"colour":"red"}"#, 1).await;
        assert!(bad.is_err());
    }
}
