//! Spawning Portcullis for a test: its own SQLite file, or its own PostgreSQL schema and
//! Redis key prefix; a local SMTP server and SMS endpoint that record what is sent; and a
//! clock the test moves by hand.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use portcullis::clock::{Clock, ManualClock};
use portcullis::config::{EmailDelivery, Settings, SmsDelivery, SmtpTls};
use portcullis::startup::Application;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file and the in-process ephemeral store: what `cargo run` uses.
    Sqlite,
    /// PostgreSQL and Redis: what a production deployment uses.
    PostgresRedis,
}

pub fn postgres_url() -> String {
    std::env::var("PORTCULLIS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn redis_url() -> String {
    std::env::var("PORTCULLIS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// CI sets this so a missing PostgreSQL or Redis fails the run instead of skipping tests.
pub fn services_required() -> bool {
    std::env::var("PORTCULLIS_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

pub fn random_suffix() -> String {
    portcullis::domain::new_id("t")[2..14].to_lowercase()
}

/// A directory of a test's own under the system's temporary directory (`PREFIX-<random>`),
/// removed with everything in it when dropped, so no run leaves its files behind.
pub struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    pub fn new(prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Self(dir)
    }
}

impl std::ops::Deref for ScratchDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for ScratchDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh schema in the test database, or None (with a note) when PostgreSQL or Redis is
/// not reachable and CI did not ask for them.
async fn postgres_schema() -> Option<String> {
    use sea_orm::{ConnectionTrait, Database};
    let reachable = async {
        let db = Database::connect(postgres_url()).await?;
        let schema = format!("pt_{}", random_suffix());
        db.execute_unprepared(&format!("CREATE SCHEMA {schema}"))
            .await?;
        db.close().await?;
        let client = redis::Client::open(redis_url())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        anyhow::Ok(schema)
    };
    match tokio::time::timeout(Duration::from_secs(10), reachable).await {
        Ok(Ok(schema)) => Some(schema),
        Ok(Err(e)) => skip_or_fail(&format!("{e:#}")),
        Err(_) => skip_or_fail("timed out"),
    }
}

fn skip_or_fail(why: &str) -> Option<String> {
    if services_required() {
        panic!(
            "PostgreSQL/Redis required (PORTCULLIS_TEST_REQUIRE_SERVICES=1) but unreachable: {why}"
        );
    }
    eprintln!("SKIPPED: PostgreSQL + Redis test, services unreachable ({why})");
    None
}

pub struct TestApp {
    pub address: String,
    /// A browser: keeps the `__client` cookie.
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub mail: MailCatcher,
    pub sms: SmsCatcher,
    pub app: actix_web::web::Data<portcullis::flows::Ctx>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        if std::env::var("TEST_LOG").is_ok() {
            portcullis::telemetry::init(&Default::default());
        }
        let mail = MailCatcher::start().await;
        let sms = SmsCatcher::start().await;
        let mut settings = Settings::default();
        // The issuer must be the address tests reach, so pick the port before binding.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        settings.server.bind = format!("127.0.0.1:{port}");
        settings.server.public_url = format!("http://127.0.0.1:{port}");
        match backend {
            Backend::Sqlite => {
                let path =
                    std::env::temp_dir().join(format!("portcullis-test-{}.db", random_suffix()));
                settings.database.url = format!("sqlite://{}?mode=rwc", path.display());
            }
            Backend::PostgresRedis => {
                let schema = postgres_schema().await?;
                settings.database.url = postgres_url();
                settings.database.schema = Some(schema.clone());
                settings.database.max_connections = Some(5);
                settings.redis.url = redis_url();
                settings.redis.key_prefix = format!("{schema}:");
            }
        }
        settings.delivery.email = EmailDelivery::Smtp;
        settings.delivery.smtp.host = "127.0.0.1".into();
        settings.delivery.smtp.port = mail.port;
        settings.delivery.smtp.tls = SmtpTls::None;
        settings.delivery.smtp.from = "Portcullis <no-reply@portcullis.test>".into();
        settings.delivery.sms = SmsDelivery::Http;
        settings.delivery.http_sms.url = format!("http://127.0.0.1:{}/sms", sms.port);
        settings.delivery.http_sms.username = "AC_test".into();
        settings.delivery.http_sms.password = Some("sms-secret".to_string().into());
        settings.delivery.http_sms.from = "+15005550006".into();
        // Fewer hash threads than cores keeps parallel tests from starving each other.
        settings.auth.password_hash_concurrency = 1;
        // Limits stay on, with budgets the ordinary tests never reach; the limit tests set
        // their own.
        let generous = portcullis::config::Rate::new(1000, 60);
        settings.limits.sign_in_per_ip = generous;
        settings.limits.sign_in_per_identifier = generous;
        settings.limits.sign_up_per_ip = generous;
        settings.limits.sends_per_destination = generous;
        settings.limits.sends_per_destination_per_day = 1000;
        configure(&mut settings);
        settings.check().expect("test settings are valid");
        portcullis::startup::check_settings(&settings)
            .expect("test clients and providers are valid");

        let clock = Arc::new(ManualClock::new());
        // The port was free when picked; a parallel test may have taken it since. Then pick
        // another (the issuer follows the port).
        let mut attempt = 0;
        let app = loop {
            match Application::build_with_clock(settings.clone(), clock.clone()).await {
                Ok(app) => break app,
                Err(e) if attempt < 5 && format!("{e:#}").contains("binding") => {
                    attempt += 1;
                    let port = std::net::TcpListener::bind("127.0.0.1:0")
                        .and_then(|l| l.local_addr())
                        .expect("free port")
                        .port();
                    let old = settings.server.bind.clone();
                    settings.server.bind = format!("127.0.0.1:{port}");
                    let old_port = old.rsplit(':').next().unwrap_or_default().to_owned();
                    settings.server.public_url = settings
                        .server
                        .public_url
                        .replace(&format!(":{old_port}"), &format!(":{port}"));
                }
                Err(e) => panic!("application builds: {e:#}"),
            }
        };
        let port = app.port();
        let ctx = app.ctx();
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            http: browser(),
            clock,
            mail,
            sms,
            app: ctx,
        })
    }

    /// Another instance of the same deployment: this one's PostgreSQL schema and Redis key
    /// prefix (PostgreSQL + Redis apps only).
    pub async fn sibling(&self) -> TestApp {
        let (schema, prefix) = (
            self.app.settings().database.schema.clone(),
            self.app.settings().redis.key_prefix.clone(),
        );
        TestApp::spawn_with(Backend::PostgresRedis, move |s| {
            s.database.schema = schema;
            s.redis.key_prefix = prefix;
        })
        .await
        .expect("a second instance")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Res {
        Res::from(
            self.http
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("request sent"),
        )
        .await
    }

    pub async fn post_as(&self, http: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Res {
        Res::from(
            http.post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("request sent"),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Res {
        Res::from(
            self.http
                .get(self.url(path))
                .send()
                .await
                .expect("request sent"),
        )
        .await
    }

    pub async fn get_as(&self, http: &reqwest::Client, path: &str) -> Res {
        Res::from(http.get(self.url(path)).send().await.expect("request sent")).await
    }

    /// Signs a user up with email + password, verified by the code from the outbox.
    /// Returns the final response.
    pub async fn sign_up_with_email(
        &self,
        http: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> Res {
        let r = self
            .post_as(
                http,
                "/v1/client/sign_ups",
                &[("email_address", email), ("password", password)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"]
            .as_str()
            .expect("sign-up id")
            .to_owned();
        let r = self
            .post_as(
                http,
                &format!("/v1/client/sign_ups/{id}/prepare_verification"),
                &[("strategy", "email_code")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A test mode address is sent nothing and takes the fixed code.
        let code = if email.contains("+portcullis_test@") {
            "424242".to_owned()
        } else {
            self.mail.code_for(email).await
        };
        let r = self
            .post_as(
                http,
                &format!("/v1/client/sign_ups/{id}/attempt_verification"),
                &[("strategy", "email_code"), ("code", &code)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        r
    }
}

/// A new browser with its own cookie jar.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// A response with its body read as JSON (Null when it is not JSON).
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    pub async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
        }
    }

    /// The first error code of an `errors` answer.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }

    pub fn error_param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"]
            .as_str()
            .unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The subject and body as a person reads them: RFC 2047 encoded words in the subject
    /// and a base64 or quoted-printable body decoded (a message in Japanese or Arabic is
    /// sent encoded, so its code cannot be read off the raw data).
    pub fn decoded(&self) -> (String, String) {
        let (head, body) = self.data.split_once("\n\n").unwrap_or((&self.data, ""));
        // Unfold continuation lines (RFC 5322 §2.2.3).
        let head = head.replace("\n ", " ").replace("\n\t", " ");
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let subject = header("Subject")
            .split(' ')
            .map(decode_word)
            .collect::<Vec<_>>()
            .join(" ");
        // Adjacent encoded words join without the space between them (RFC 2047 §6.2).
        let subject = subject.replace("\u{0} ", "").replace('\u{0}', "");
        let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
        let body = match encoding.as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(
                    data_encoding::BASE64
                        .decode(compact.as_bytes())
                        .expect("base64 body"),
                )
                .expect("utf-8 body")
            }
            "quoted-printable" => quoted_printable(body),
            _ => body.to_owned(),
        };
        (subject, body)
    }
}

/// One RFC 2047 encoded word (`=?utf-8?b?…?=` or `=?utf-8?q?…?=`), or the text as it is. A
/// decoded word ends in NUL so that `decoded` can drop the space between two of them.
fn decode_word(w: &str) -> String {
    let Some(inner) = w.strip_prefix("=?").and_then(|r| r.strip_suffix("?=")) else {
        return w.to_owned();
    };
    let mut parts = inner.splitn(3, '?');
    let (_, kind, text) = (parts.next(), parts.next(), parts.next());
    let decoded = match (kind.map(str::to_ascii_lowercase).as_deref(), text) {
        (Some("b"), Some(t)) => data_encoding::BASE64
            .decode(t.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok()),
        (Some("q"), Some(t)) => Some(quoted_printable(&t.replace('_', " "))),
        _ => None,
    };
    decoded.map_or_else(|| w.to_owned(), |d| format!("{d}\u{0}"))
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl MailCatcher {
    /// The latest message to `to`, decoded, waiting up to five seconds for it.
    pub async fn latest_decoded(&self, to: &str) -> (String, String) {
        for _ in 0..100 {
            if let Some(m) = self
                .all()
                .iter()
                .rev()
                .find(|m| m.to.iter().any(|t| t == to))
            {
                return m.decoded();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email reached {to}");
    }
}

/// A small SMTP server: enough of RFC 5321 for a client to deliver to it.
#[derive(Clone)]
pub struct MailCatcher {
    pub port: u16,
    messages: Arc<Mutex<Vec<Mail>>>,
}

impl MailCatcher {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let messages: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(smtp_session(stream, store.clone()));
            }
        });
        Self { port, messages }
    }

    pub fn all(&self) -> Vec<Mail> {
        self.messages.lock().expect("lock").clone()
    }

    pub fn count_to(&self, to: &str) -> usize {
        self.all()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .count()
    }

    /// The code in the latest message to `to`, waiting up to five seconds for it.
    pub async fn code_for(&self, to: &str) -> String {
        for _ in 0..100 {
            if let Some(m) = self
                .all()
                .iter()
                .rev()
                .find(|m| m.to.iter().any(|t| t == to))
            {
                return six_digits(&m.data).expect("a code in the email");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email reached {to}");
    }
}

async fn smtp_session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 catcher ESMTP\r\n").await;
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 catcher\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let addr = line[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned();
            to.push(addr);
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            store.lock().expect("lock").push(Mail {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 OK\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

pub fn six_digits(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let run = &b[i..i + 6];
        let before = i == 0 || !b[i - 1].is_ascii_digit();
        let after = i + 6 == b.len() || !b[i + 6].is_ascii_digit();
        (before && after && run.iter().all(u8::is_ascii_digit))
            .then(|| String::from_utf8_lossy(run).into_owned())
    })
}

#[derive(Debug, Clone)]
pub struct Sms {
    pub to: String,
    pub from: String,
    pub body: String,
    pub authorization: String,
}

/// A stand-in for a Twilio-style SMS API: records each form POST to `/sms`.
#[derive(Clone)]
pub struct SmsCatcher {
    pub port: u16,
    messages: Arc<Mutex<Vec<Sms>>>,
}

impl SmsCatcher {
    pub async fn start() -> Self {
        use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
        let messages: Arc<Mutex<Vec<Sms>>> = Arc::default();
        let store = web::Data::new(messages.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind sms");
        let port = listener.local_addr().expect("addr").port();
        let server = HttpServer::new(move || {
            App::new().app_data(store.clone()).route(
                "/sms",
                web::post().to(
                    |req: HttpRequest,
                     form: web::Form<std::collections::HashMap<String, String>>,
                     store: web::Data<Arc<Mutex<Vec<Sms>>>>| async move {
                        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
                        let authorization = req
                            .headers()
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned();
                        store.lock().expect("lock").push(Sms {
                            to: field("To"),
                            from: field("From"),
                            body: field("Body"),
                            authorization,
                        });
                        HttpResponse::Created()
                            .json(serde_json::json!({"sid": "SM1", "status": "queued"}))
                    },
                ),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        Self { port, messages }
    }

    pub fn all(&self) -> Vec<Sms> {
        self.messages.lock().expect("lock").clone()
    }

    pub async fn code_for(&self, to: &str) -> String {
        for _ in 0..100 {
            if let Some(m) = self.all().iter().rev().find(|m| m.to == to) {
                return six_digits(&m.body).expect("a code in the SMS");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no SMS reached {to}");
    }
}

/// Runs a test body once per backend: `sqlite` always, `postgres_redis` when the services
/// answer (and always in CI).
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($backend: $crate::helpers::Backend) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_redis() {
                    run($crate::helpers::Backend::PostgresRedis).await
                }
            }
        )*
    };
}

/// The authenticator app of the tests: RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits), written
/// here apart from the server's so the two check each other.
pub fn totp_code(secret_b32: &str, unix_ms: i64, step_offset: i64) -> String {
    use hmac::{Hmac, Mac};
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .expect("base32 secret");
    let counter = (unix_ms / 1000 / 30 + step_offset) as u64;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&secret).unwrap();
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 15) as usize;
    let n = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]) % 1_000_000;
    format!("{n:06}")
}

impl TestApp {
    /// Signs up `email` in a new browser and returns that browser, signed in.
    pub async fn signed_in_user(&self, email: &str, password: &str) -> reqwest::Client {
        let b = browser();
        self.sign_up_with_email(&b, email, password).await;
        b
    }

    /// Turns on an authenticator app for the browser's user; returns its base32 secret.
    pub async fn enrol_totp(&self, b: &reqwest::Client) -> (String, Res) {
        let r = self.post_as(b, "/v1/me/totp", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let secret = r.body["response"]["secret"].as_str().unwrap().to_owned();
        let code = totp_code(&secret, self.clock.now_ms(), 0);
        let r = self
            .post_as(b, "/v1/me/totp/attempt_verification", &[("code", &code)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        (secret, r)
    }

    /// Creates a sign-in with email + password in a new browser; returns it and the body.
    pub async fn password_sign_in(&self, email: &str, password: &str) -> (reqwest::Client, Res) {
        let b = browser();
        let r = self
            .post_as(
                &b,
                "/v1/client/sign_ins",
                &[
                    ("identifier", email),
                    ("password", password),
                    ("strategy", "password"),
                ],
            )
            .await;
        (b, r)
    }
}

impl TestApp {
    pub async fn delete_as(&self, http: &reqwest::Client, path: &str) -> Res {
        Res::from(
            http.delete(self.url(path))
                .send()
                .await
                .expect("request sent"),
        )
        .await
    }

    pub async fn patch_as(&self, http: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Res {
        Res::from(
            http.patch(self.url(path))
                .form(form)
                .send()
                .await
                .expect("request sent"),
        )
        .await
    }
}

/// A stand-in for the breached-password range API (`GET /range/{first five of the SHA-1}`):
/// answers with the suffixes of the passwords it was given, plus padding lines, and counts
/// the prefixes it was asked for.
/// The range API's state: the breached SHA-1s (upper-case hex) and the prefixes asked for.
type RangeState = (Vec<String>, Arc<Mutex<Vec<String>>>);

pub struct PwnedRangeApi {
    pub url: String,
    pub asked: Arc<Mutex<Vec<String>>>,
}

impl PwnedRangeApi {
    pub async fn start(breached: &[&str]) -> Self {
        use actix_web::{App, HttpResponse, HttpServer, web};
        use sha1::Digest;
        let hashes: Vec<String> = breached
            .iter()
            .map(|p| {
                sha1::Sha1::digest(p.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect()
            })
            .collect();
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let state = web::Data::new((hashes, asked.clone()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind range api");
        let port = listener.local_addr().expect("addr").port();
        let server = HttpServer::new(move || {
            App::new().app_data(state.clone()).route(
                "/range/{prefix}",
                web::get().to(
                    |path: web::Path<String>, state: web::Data<RangeState>| async move {
                        let prefix = path.into_inner().to_uppercase();
                        state.1.lock().expect("lock").push(prefix.clone());
                        let mut body = String::from("0000000000000000000000000000000000A:0\r\n");
                        for h in &state.0 {
                            if let Some(rest) = h.strip_prefix(&prefix) {
                                body.push_str(&format!("{rest}:42\r\n"));
                            }
                        }
                        HttpResponse::Ok().content_type("text/plain").body(body)
                    },
                ),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}"),
            asked,
        }
    }
}

/// Asks `probe` again and again until it answers `wanted`, and fails when a question *sent*
/// `limit` or more after the start still got another answer. Judging by when each question
/// left, not when its answer came back, keeps a slow answer on a busy machine from counting
/// against the server: what is measured is how stale the server still was.
pub async fn answered_within<T, F, Fut>(limit: Duration, wanted: T, mut probe: F) -> Duration
where
    T: PartialEq + std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let started = std::time::Instant::now();
    loop {
        let sent = started.elapsed();
        let got = probe().await;
        if got == wanted {
            return sent;
        }
        assert!(
            sent < limit,
            "still {got:?} rather than {wanted:?} when asked {sent:?} after the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
