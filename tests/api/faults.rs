//! Faults: Redis and PostgreSQL going away and coming back, two instances sharing one
//! PostgreSQL + Redis, and a failure in the middle of sign-up completion.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Backend, TestApp, browser, services_required};

fn spare_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private redis-server on a spare port, so stopping it disturbs no other test.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    fn start(port: u16) -> Option<Self> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(c) => {
                for _ in 0..100 {
                    if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Some(Self {
                    port,
                    child: Some(c),
                })
            }
            Err(e) => {
                assert!(
                    !services_required(),
                    "redis-server is required to test Redis faults: {e}"
                );
                eprintln!("SKIPPED: redis-server not installed ({e})");
                None
            }
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A TCP proxy in front of PostgreSQL that can drop every connection and refuse new ones.
#[derive(Clone)]
struct Cable {
    port: u16,
    cut: Arc<AtomicBool>,
    generation: Arc<std::sync::atomic::AtomicU64>,
}

impl Cable {
    async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cable = Self {
            port,
            cut: Arc::default(),
            generation: Arc::default(),
        };
        let c = cable.clone();
        let upstream = upstream.to_owned();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    break;
                };
                if c.cut.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let generation = c.generation.load(Ordering::SeqCst);
                let c2 = c.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let watch = async {
                        while c2.generation.load(Ordering::SeqCst) == generation {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, _ = watch => {} }
                });
            }
        });
        cable
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

async fn wait_ready(app: &TestApp, limit: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if reqwest::get(app.url("/readyz"))
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
        {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not ready again within {limit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stops_and_comes_back() {
    let port = spare_port();
    let Some(mut redis) = OwnRedis::start(port) else {
        return;
    };
    let url = format!("redis://127.0.0.1:{port}");
    let Some(app) = TestApp::spawn_with(Backend::PostgresRedis, move |s| s.redis.url = url).await
    else {
        return;
    };
    app.sign_up_with_email(&browser(), "ada@example.com", "correct horse")
        .await;

    redis.stop();
    let r = app
        .post_as(
            &browser(),
            "/v1/client/sign_ins",
            &[("identifier", "ada@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.error_code(), "service_unavailable");
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let mut redis = OwnRedis::start(redis.port).unwrap();
    let took = wait_ready(&app, Duration::from_secs(20)).await;
    println!("Redis back: ready again after {} ms", took.as_millis());
    let r = app
        .post_as(
            &browser(),
            "/v1/client/sign_ins",
            &[
                ("identifier", "ada@example.com"),
                ("password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["response"]["status"], "complete");
    redis.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connection_loss_and_recovery() {
    let cable = Cable::start("127.0.0.1:5432").await;
    let url = crate::helpers::postgres_url()
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", cable.port));
    let Some(app) =
        TestApp::spawn_with(Backend::PostgresRedis, move |s| s.database.url = url).await
    else {
        return;
    };
    let b = browser();
    app.sign_up_with_email(&b, "ada@example.com", "correct horse")
        .await;

    cable.cut();
    // The proxy notices within 20 ms that its open connections must go.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let r = app.get_as(&b, "/v1/client").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.error_code(), "service_unavailable");
    let page = b.get(app.url("/user")).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "pages say so too"
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    cable.mend();
    let took = wait_ready(&app, Duration::from_secs(20)).await;
    println!("PostgreSQL back: ready again after {} ms", took.as_millis());
    let r = app.get_as(&b, "/v1/client").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["response"]["sessions"].as_array().unwrap().len(),
        1,
        "nothing lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sign_ins_codes_and_limits() {
    let Some(a) = TestApp::spawn_with(Backend::PostgresRedis, |s| {
        s.limits.sign_in_per_identifier = portcullis::config::Rate::new(4, 60);
    })
    .await
    else {
        return;
    };
    let (schema, prefix) = (
        a.app.settings().database.schema.clone(),
        a.app.settings().redis.key_prefix.clone(),
    );
    let b_app = TestApp::spawn_with(Backend::PostgresRedis, move |s| {
        s.database.schema = schema;
        s.redis.key_prefix = prefix;
        s.limits.sign_in_per_identifier = portcullis::config::Rate::new(4, 60);
    })
    .await
    .unwrap();
    a.sign_up_with_email(&browser(), "ada@example.com", "correct horse")
        .await;

    // One browser: starts on A, finishes on B (cookies are per host, not per port).
    let br = browser();
    let r = a
        .post_as(
            &br,
            "/v1/client/sign_ins",
            &[
                ("identifier", "ada@example.com"),
                ("strategy", "email_code"),
            ],
        )
        .await;
    let id = r.body["response"]["id"].as_str().unwrap().to_owned();
    let code = a.mail.code_for("ada@example.com").await;
    let r = b_app
        .post_as(
            &br,
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    // The code cannot be used again on the other instance.
    let br2 = browser();
    let r = b_app
        .post_as(
            &br2,
            "/v1/client/sign_ins",
            &[
                ("identifier", "ada@example.com"),
                ("strategy", "email_code"),
            ],
        )
        .await;
    let id2 = r.body["response"]["id"].as_str().unwrap().to_owned();
    let r = a
        .post_as(
            &br2,
            &format!("/v1/client/sign_ins/{id2}/attempt_first_factor"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    assert_eq!(r.error_code(), "form_code_incorrect");
    // The rate limit is one budget for both: 4 hits so far (2 creations, 2 attempts).
    let r = a
        .post_as(
            &browser(),
            "/v1/client/sign_ins",
            &[("identifier", "ada@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let r = b_app
        .post_as(
            &browser(),
            "/v1/client/sign_ins",
            &[("identifier", "ada@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

/// A failure between writing the user and writing its session leaves neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_sign_up_completion_leaves_nothing_half_written() {
    use sea_orm::ConnectionTrait;
    let Some(app) = TestApp::spawn(Backend::PostgresRedis).await else {
        return;
    };
    let schema = app.app.settings().database.schema.clone().unwrap();
    let db = &app.app.db;
    // The "crash": the session insert fails inside the completion transaction.
    db.execute_unprepared(&format!(
        "CREATE FUNCTION {schema}.crash() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected crash'; END $$ LANGUAGE plpgsql;
         CREATE TRIGGER crash BEFORE INSERT ON {schema}.sessions FOR EACH ROW EXECUTE FUNCTION {schema}.crash();"
    )).await.unwrap();
    let b = browser();
    let r = app
        .post_as(
            &b,
            "/v1/client/sign_ups",
            &[
                ("email_address", "ada@example.com"),
                ("password", "correct horse"),
            ],
        )
        .await;
    let id = r.body["response"]["id"].as_str().unwrap().to_owned();
    app.post_as(
        &b,
        &format!("/v1/client/sign_ups/{id}/prepare_verification"),
        &[("strategy", "email_code")],
    )
    .await;
    let code = app.mail.code_for("ada@example.com").await;
    let r = app
        .post_as(
            &b,
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", "email_code"), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_eq!(r.error_code(), "internal_error");
    let users = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT count(*) AS n FROM {schema}.users"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    let emails = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT count(*) AS n FROM {schema}.email_addresses"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(
        (users, emails),
        (0, 0),
        "the user and its address rolled back with the session"
    );
    // Mended, the same sign-up completes (it was verified already): nothing was lost.
    db.execute_unprepared(&format!("DROP TRIGGER crash ON {schema}.sessions"))
        .await
        .unwrap();
    let r = app
        .patch_as(
            &b,
            &format!("/v1/client/sign_ups/{id}"),
            &[("first_name", "Ada")],
        )
        .await;
    assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_added_on_one_instance_reaches_the_other() {
    use crate::saml_idp::{SamlIdp, SamlUser};
    let Some(a) = TestApp::spawn(Backend::PostgresRedis).await else {
        return;
    };
    let b = a.sibling().await;
    let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
    let admin = crate::admin::Admin::new(&a).await;
    let r = admin
        .post(
            "/enterprise_connections",
            serde_json::json!({
                "id": "acme", "name": "Acme", "protocol": "saml", "domains": ["acme.test"],
                "idp_metadata_url": idp.metadata_url(),
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Announced over Redis: B has it at once, with no sync of its own.
    until_status(&b, "/saml/acme/metadata", StatusCode::OK).await;
    let r = b
        .post_as(
            &browser(),
            "/v1/client/sign_ins",
            &[
                ("identifier", "ada@acme.test"),
                ("strategy", "enterprise_sso"),
                ("redirect_url", "/sso-callback"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A change and a removal follow the same way.
    let r = admin
        .send(
            "PATCH",
            "/enterprise_connections/acme",
            Some(serde_json::json!({ "name": "Acme Inc" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // What each instance does every ten seconds, should an announcement be lost.
    portcullis::flows::connections::sync(&b.app).await.unwrap();
    let listed = crate::admin::Admin::new(&b)
        .await
        .get("/enterprise_connections/acme")
        .await;
    assert_eq!(listed.body["name"], "Acme Inc", "{}", listed.body);
    admin
        .send("DELETE", "/enterprise_connections/acme", None)
        .await;
    until_status(&b, "/saml/acme/metadata", StatusCode::NOT_FOUND).await;
}

/// Waits (two seconds at most) until `path` on `app` answers `status`.
async fn until_status(app: &TestApp, path: &str, status: StatusCode) {
    crate::helpers::answered_within(Duration::from_secs(2), status, || async {
        app.get(path).await.status
    })
    .await;
}

/// A client_credentials token request with client_secret_basic; the status it gets.
async fn client_token(app: &TestApp, id: &str, secret: &str) -> StatusCode {
    reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "api")])
        .send()
        .await
        .unwrap()
        .status()
}

/// Waits until `id` with `secret` gets `status` on `app`, which must happen within a
/// second; the time it took.
async fn until_token(app: &TestApp, id: &str, secret: &str, status: StatusCode) -> Duration {
    crate::helpers::answered_within(Duration::from_secs(1), status, || {
        client_token(app, id, secret)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_client_changed_anywhere_stops_working_everywhere_within_a_second() {
    use sea_orm::ConnectionTrait;
    let Some(a) = TestApp::spawn(Backend::PostgresRedis).await else {
        return;
    };
    let b = a.sibling().await;
    let admin = crate::admin::Admin::new(&a).await;
    let r = admin
        .post(
            "/oauth_clients",
            serde_json::json!({
                "client_id": "reports", "redirect_uris": ["https://reports.example.com/cb"],
                "grant_types": ["client_credentials"], "scopes": ["api"],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secret = r.body["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(client_token(&b, "reports", &secret).await, StatusCode::OK);
    // The creation itself moved the change count: B may hear of it (announced, or at its
    // next comparison) after that first token and forget the client once. Past three
    // comparisons it has heard, and the next token leaves the client in memory for good.
    tokio::time::sleep(portcullis::flows::admin_clients::CHECK_EVERY * 3).await;
    assert_eq!(client_token(&b, "reports", &secret).await, StatusCode::OK);

    // B now answers from memory: a change written behind every instance's back (no change
    // count) is not seen, because B no longer reads the client for a token.
    let schema = a.app.settings().database.schema.clone().unwrap();
    let db = &a.app.db;
    db.execute_unprepared(&format!(
        "UPDATE \"{schema}\".oauth_clients SET secret_hash = 'behind-the-back' WHERE client_id = 'reports'"
    ))
    .await
    .unwrap();
    assert_eq!(
        client_token(&b, "reports", &secret).await,
        StatusCode::OK,
        "served from memory"
    );

    // A rotation on A: the old secret stops on B within a second (announced over Redis).
    let r = admin
        .post(
            "/oauth_clients/reports/rotate_secret",
            serde_json::json!({}),
        )
        .await;
    let rotated = r.body["client_secret"].as_str().unwrap().to_owned();
    until_token(&b, "reports", &secret, StatusCode::UNAUTHORIZED).await;
    assert_eq!(client_token(&b, "reports", &rotated).await, StatusCode::OK);
    assert_eq!(
        client_token(&a, "reports", &secret).await,
        StatusCode::UNAUTHORIZED
    );

    // A removal from a shell (`portcullis clients remove`), which announces nothing: both
    // instances see the change count move and stop the client within a second.
    assert_eq!(client_token(&a, "reports", &rotated).await, StatusCode::OK);
    let settings = (*a.app.settings()).clone();
    portcullis::cli::clients(
        &settings,
        portcullis::cli::ClientsCommand::Remove {
            id: "reports".into(),
        },
    )
    .await
    .unwrap();
    for app in [&a, &b] {
        until_token(app, "reports", &rotated, StatusCode::UNAUTHORIZED).await;
    }
}
