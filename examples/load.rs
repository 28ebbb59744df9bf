//! Load for the flows `wrk` cannot script: a password sign-in over the Frontend API (create
//! the sign-in, then attempt the password, each virtual user with its own cookies), a sign-up
//! with an email code, the authorization-code exchange followed by userinfo, refresh-token
//! rotation, and GETs of many different URLs (admin search). Used by `scripts/bench.sh` and
//! `scripts/bench-scale.sh`.
//!
//!     load hash                              # an argon2id digest of the bench password
//!     load cost                              # one argon2id hash, one ES256 signature
//!     load hashing SECS                      # hashes a second on all cores, for SECS
//!     load signin BASES USERS CONNS SECS [SPREAD]
//!                                            # users are user0@bench.test .. user{USERS-1};
//!                                            # with SPREAD, USERS of them spread over SPREAD
//!     load signup BASES CONNS SECS           # test-mode addresses, code 424242
//!     load authcode BASES CLIENT SECRET REDIRECT CONNS SECS
//!     load refresh BASES CLIENT SECRET REDIRECT CONNS SECS
//!     load replay BASES CLIENT SECRET REDIRECT CONNS CODES
//!                                            # each code redeemed twice at once
//!     load get BASES AUTHORIZATION CONNS SECS [LOW..]HIGH NAME PATH
//!                                            # {n} in PATH: a random number in LOW..HIGH,
//!                                            # {n7} the same with seven digits
//!
//! With `LOAD_RATE=N` in the environment, `signup`, `authcode`, `refresh` and `get` start N
//! operations a second on a fixed schedule (open loop) instead of each connection starting its
//! next one as soon as the last has ended (closed loop, the default, which measures the most
//! the server can do). Latency is then counted from the moment an operation was due, so one
//! that had to wait for a free connection counts the wait: what a user sees at that load.
//!
//! BASES is one base URL or several separated by commas: every request goes to the next one
//! in turn, so the steps of one sign-in land on different instances.
//! `signin` also probes the discovery document 200 times a second while the sign-ins
//! saturate the argon2 pool, to show that password hashing never starves the executor.
//! Results are printed as `RESULT name req/s p50_ms p99_ms count errors`; any 5xx answer is
//! counted under `RESULT server_errors`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a load tool stops at the first setup failure"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

const PASSWORD: &str = "bench-password-8c1f";

/// The instances under load, taken in turn.
struct Bases {
    urls: Vec<String>,
    next: AtomicU64,
}

impl Bases {
    fn parse(raw: &str) -> Arc<Self> {
        Arc::new(Self {
            urls: raw.split(',').map(str::to_owned).collect(),
            next: AtomicU64::new(0),
        })
    }

    fn pick(&self) -> &str {
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize % self.urls.len();
        &self.urls[i]
    }
}

/// Answers with a 5xx status, whatever the scenario: the figure two instances must keep at 0.
static SERVER_ERRORS: AtomicU64 = AtomicU64::new(0);

fn check_status(r: &reqwest::Response) {
    if r.status().is_server_error() {
        SERVER_ERRORS.fetch_add(1, Ordering::Relaxed);
    }
}

/// When the next operation is due: now (closed loop), or on the schedule of `LOAD_RATE`.
struct Pace {
    started: Instant,
    interval: Option<Duration>,
    next: AtomicU64,
}

impl Pace {
    fn from_env() -> Arc<Self> {
        let rate = std::env::var("LOAD_RATE")
            .ok()
            .map(|r| r.parse::<f64>().expect("LOAD_RATE: operations a second"))
            .filter(|r| *r > 0.0);
        Arc::new(Self {
            started: Instant::now(),
            interval: rate.map(|r| Duration::from_secs_f64(1.0 / r)),
            next: AtomicU64::new(0),
        })
    }

    /// Waits until the next operation is due and tells when that was; `None` once `stop` is
    /// set while waiting.
    async fn due(&self, stop: &AtomicBool) -> Option<Instant> {
        let Some(interval) = self.interval else {
            return Some(Instant::now());
        };
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let at = self.started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(at.into()).await;
        (!stop.load(Ordering::Relaxed)).then_some(at)
    }
}

#[derive(Default)]
struct Samples {
    micros: Mutex<Vec<u64>>,
    errors: AtomicU64,
}

impl Samples {
    async fn add(&self, took: Duration) {
        self.micros
            .lock()
            .await
            .push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
    }

    async fn report(&self, name: &str, elapsed: Duration) {
        let mut v = self.micros.lock().await.clone();
        v.sort_unstable();
        let pct = |p: f64| {
            if v.is_empty() {
                0.0
            } else {
                let i = ((v.len() as f64 - 1.0) * p).round() as usize;
                v[i] as f64 / 1000.0
            }
        };
        println!(
            "RESULT {name} {:.1} {:.2} {:.2} {} {}",
            v.len() as f64 / elapsed.as_secs_f64(),
            pct(0.5),
            pct(0.99),
            v.len(),
            self.errors.load(Ordering::Relaxed)
        );
    }
}

/// A password sign-in as a new browser: the client cookie of the first answer is sent with
/// the second request (carried by hand, so one HTTP client serves many browsers).
async fn sign_in(
    http: &reqwest::Client,
    bases: &Bases,
    email: &str,
) -> Result<Option<String>, String> {
    let r = http
        .post(format!("{}/v1/client/sign_ins", bases.pick()))
        .form(&[("identifier", email)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check_status(&r);
    let cookie = set_cookies(&r);
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    let id = body["response"]["id"]
        .as_str()
        .ok_or_else(|| format!("no sign-in: {body}"))?;
    let r = http
        .post(format!(
            "{}/v1/client/sign_ins/{id}/attempt_first_factor",
            bases.pick()
        ))
        .header("cookie", &cookie)
        .form(&[("strategy", "password"), ("password", PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check_status(&r);
    // Signing in gives the browser a new client token (no session fixation).
    let renewed = set_cookies(&r);
    let cookie = if renewed.is_empty() { cookie } else { renewed };
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    if body["response"]["status"] != "complete" {
        return Err(format!("not complete: {body}"));
    }
    Ok((!cookie.is_empty()).then_some(cookie))
}

/// The `name=value` pairs a response sets, as a `Cookie` header.
fn set_cookies(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn signin(bases: Arc<Bases>, users: usize, spread: usize, conns: usize, secs: u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let signins = Arc::new(Samples::default());
    let probes = Arc::new(Samples::default());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, samples, next, bases) =
            (stop.clone(), signins.clone(), next.clone(), bases.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize % users;
                // USERS users, evenly apart among SPREAD (a million loaded, a few hundred
                // signing in, from all over the table).
                let n = n * (spread / users).max(1);
                let t = Instant::now();
                match sign_in(&http, &bases, &format!("user{n}@bench.test")).await {
                    Ok(_) => samples.add(t.elapsed()).await,
                    Err(e) => {
                        if samples.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("sign-in failed: {e}");
                        }
                    }
                }
            }
        }));
    }
    {
        let (stop, samples, bases) = (stop.clone(), probes.clone(), bases.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let t = Instant::now();
                match http
                    .get(format!("{}/.well-known/openid-configuration", bases.pick()))
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        samples.add(t.elapsed()).await;
                    }
                    _ => {
                        samples.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    signins.report("password_sign_in", elapsed).await;
    probes.report("discovery_during_sign_ins", elapsed).await;
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(location).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn authcode(
    bases: Arc<Bases>,
    client: String,
    secret: String,
    redirect: String,
    conns: usize,
    secs: u64,
) {
    // One signed-in browser; every authorization request reuses its session.
    let cookie = sign_in(&reqwest::Client::new(), &bases, "user0@bench.test")
        .await
        .expect("bench user signs in")
        .expect("a client cookie");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let stop = Arc::new(AtomicBool::new(false));
    let exchange = Arc::new(Samples::default());
    let userinfo = Arc::new(Samples::default());
    let cycle = Arc::new(Samples::default());
    let started = Instant::now();
    let pace = Pace::from_env();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, exchange, userinfo, cycle, pace) = (
            stop.clone(),
            exchange.clone(),
            userinfo.clone(),
            cycle.clone(),
            pace.clone(),
        );
        let (http, cookie, bases, client, secret, redirect) = (
            http.clone(),
            cookie.clone(),
            bases.clone(),
            client.clone(),
            secret.clone(),
            redirect.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let api = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let Some(t0) = pace.due(&stop).await else {
                    break;
                };
                let Some(code) = authorize(
                    &http,
                    &bases,
                    &cookie,
                    &client,
                    &redirect,
                    "openid email profile",
                )
                .await
                else {
                    if cycle.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("authorize gave no code");
                    }
                    continue;
                };
                let t1 = Instant::now();
                let Some(body) =
                    exchange_code(&api, &bases, &client, &secret, &redirect, &code).await
                else {
                    exchange.errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let Some(access) = body["access_token"].as_str().map(str::to_owned) else {
                    exchange.errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                exchange.add(t1.elapsed()).await;
                let t2 = Instant::now();
                match api
                    .get(format!("{}/oauth/userinfo", bases.pick()))
                    .bearer_auth(&access)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        userinfo.add(t2.elapsed()).await;
                        cycle.add(t0.elapsed()).await;
                    }
                    _ => {
                        userinfo.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    cycle.report("authorize_exchange_userinfo", elapsed).await;
    exchange.report("code_exchange", elapsed).await;
    userinfo.report("userinfo", elapsed).await;
}

/// An authorization request with PKCE by a signed-in browser: the code, and its verifier.
async fn authorize(
    http: &reqwest::Client,
    bases: &Bases,
    cookie: &str,
    client: &str,
    redirect: &str,
    scope: &str,
) -> Option<(String, String)> {
    let verifier = portcullis::crypto::random_token();
    let challenge = portcullis::crypto::pkce_s256(&verifier);
    let state = portcullis::crypto::random_token();
    let r = http
        .get(format!("{}/oauth/authorize", bases.pick()))
        .header("cookie", cookie)
        .query(&[
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", redirect),
            ("scope", scope),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .ok()?;
    check_status(&r);
    let loc = r.headers().get("location")?.to_str().ok()?.to_owned();
    Some((query_param(&loc, "code")?, verifier))
}

/// The token endpoint's answer to a code.
async fn exchange_code(
    api: &reqwest::Client,
    bases: &Bases,
    client: &str,
    secret: &str,
    redirect: &str,
    (code, verifier): &(String, String),
) -> Option<serde_json::Value> {
    token(
        api,
        bases,
        client,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier.as_str()),
        ],
    )
    .await
}

async fn token(
    api: &reqwest::Client,
    bases: &Bases,
    client: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> Option<serde_json::Value> {
    let r = api
        .post(format!("{}/oauth/token", bases.pick()))
        .basic_auth(client, Some(secret))
        .form(form)
        .send()
        .await
        .ok()?;
    check_status(&r);
    if !r.status().is_success() {
        return None;
    }
    r.json().await.ok()
}

/// Refresh-token rotation: each connection gets a refresh token through the code flow, then
/// trades it for a new one again and again (RFC 6749 §6; each is single-use).
async fn refresh(
    bases: Arc<Bases>,
    client: String,
    secret: String,
    redirect: String,
    conns: usize,
    secs: u64,
) {
    let cookie = sign_in(&reqwest::Client::new(), &bases, "user1@bench.test")
        .await
        .expect("bench user signs in")
        .expect("a client cookie");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let api = reqwest::Client::new();
    let mut starts = Vec::new();
    for _ in 0..conns {
        let code = authorize(
            &http,
            &bases,
            &cookie,
            &client,
            &redirect,
            "openid offline_access",
        )
        .await
        .expect("a code for offline access");
        let body = exchange_code(&api, &bases, &client, &secret, &redirect, &code)
            .await
            .expect("tokens");
        starts.push(
            body["refresh_token"]
                .as_str()
                .expect("a refresh token")
                .to_owned(),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Samples::default());
    let started = Instant::now();
    let pace = Pace::from_env();
    let mut tasks = Vec::new();
    for mut current in starts {
        let (stop, samples, pace, bases, client, secret, api) = (
            stop.clone(),
            samples.clone(),
            pace.clone(),
            bases.clone(),
            client.clone(),
            secret.clone(),
            api.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Some(t) = pace.due(&stop).await else {
                    break;
                };
                let body = token(
                    &api,
                    &bases,
                    &client,
                    &secret,
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", current.as_str()),
                    ],
                )
                .await;
                match body.as_ref().and_then(|b| b["refresh_token"].as_str()) {
                    Some(next) => {
                        current = next.to_owned();
                        samples.add(t.elapsed()).await;
                    }
                    None => {
                        if samples.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("refresh failed: {body:?}");
                        }
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    samples.report("refresh_rotation", elapsed).await;
}

/// Single-use codes across instances, under load: each code is sent to the token endpoint
/// twice at once (to two instances in turn when there are two), `conns` codes at a time. A
/// code must buy tokens exactly once; the figure after the count is how many bought two
/// (or none).
async fn replay(
    bases: Arc<Bases>,
    client: String,
    secret: String,
    redirect: String,
    conns: usize,
    codes: usize,
) {
    let cookie = sign_in(&reqwest::Client::new(), &bases, "user2@bench.test")
        .await
        .expect("bench user signs in")
        .expect("a client cookie");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let api = reqwest::Client::new();
    let wrong = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (http, api, bases, cookie, client, secret, redirect, wrong, done) = (
            http.clone(),
            api.clone(),
            bases.clone(),
            cookie.clone(),
            client.clone(),
            secret.clone(),
            redirect.clone(),
            wrong.clone(),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while (done.fetch_add(1, Ordering::Relaxed) as usize) < codes {
                let Some(code) =
                    authorize(&http, &bases, &cookie, &client, &redirect, "openid").await
                else {
                    wrong.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let (a, b) = tokio::join!(
                    exchange_code(&api, &bases, &client, &secret, &redirect, &code),
                    exchange_code(&api, &bases, &client, &secret, &redirect, &code)
                );
                if usize::from(a.is_some()) + usize::from(b.is_some()) != 1 {
                    wrong.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    println!(
        "RESULT code_replay {:.1} 0 0 {codes} {}",
        codes as f64 / started.elapsed().as_secs_f64(),
        wrong.load(Ordering::Relaxed)
    );
}

/// A sign-up with a verified email address and nothing else: create, prepare the email code,
/// attempt it. Test-mode addresses take the code 424242 and nothing is sent.
async fn signup(bases: Arc<Bases>, conns: usize, secs: u64) {
    let run = portcullis::crypto::random_token()[..8].to_lowercase();
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Samples::default());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let pace = Pace::from_env();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, samples, pace, next, bases, run) = (
            stop.clone(),
            samples.clone(),
            pace.clone(),
            next.clone(),
            bases.clone(),
            run.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let Some(t) = pace.due(&stop).await else {
                    break;
                };
                let n = next.fetch_add(1, Ordering::Relaxed);
                let email = format!("new{run}{n}+portcullis_test@bench.test");
                match sign_up(&http, &bases, &email).await {
                    Ok(()) => samples.add(t.elapsed()).await,
                    Err(e) => {
                        if samples.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("sign-up failed: {e}");
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    samples.report("sign_up_email_code", elapsed).await;
}

async fn sign_up(http: &reqwest::Client, bases: &Bases, email: &str) -> Result<(), String> {
    let r = http
        .post(format!("{}/v1/client/sign_ups", bases.pick()))
        .form(&[("email_address", email)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check_status(&r);
    let cookie = set_cookies(&r);
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    let id = body["response"]["id"]
        .as_str()
        .ok_or_else(|| format!("no sign-up: {body}"))?
        .to_owned();
    for (step, form) in [
        ("prepare_verification", vec![("strategy", "email_code")]),
        (
            "attempt_verification",
            vec![("strategy", "email_code"), ("code", "424242")],
        ),
    ] {
        let r = http
            .post(format!("{}/v1/client/sign_ups/{id}/{step}", bases.pick()))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        check_status(&r);
        if !r.status().is_success() {
            return Err(format!("{step}: {}", r.text().await.unwrap_or_default()));
        }
        if step == "attempt_verification" {
            let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            if body["response"]["status"] != "complete" {
                return Err(format!("not complete: {body}"));
            }
        }
    }
    Ok(())
}

/// GETs of `path` with `{n}` a random number in `low..high` (`{n7}`: the same, seven digits
/// with leading zeros), each with `authorization`.
async fn get(
    bases: Arc<Bases>,
    authorization: String,
    conns: usize,
    secs: u64,
    (low, high): (u64, u64),
    name: String,
    path: String,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Samples::default());
    let started = Instant::now();
    let pace = Pace::from_env();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, samples, pace, bases, authorization, path) = (
            stop.clone(),
            samples.clone(),
            pace.clone(),
            bases.clone(),
            authorization.clone(),
            path.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let k = rand::Rng::gen_range(&mut rand::thread_rng(), low..high.max(low + 1));
                let url = format!(
                    "{}{}",
                    bases.pick(),
                    path.replace("{n}", &k.to_string())
                        .replace("{n7}", &format!("{k:07}"))
                );
                let Some(t) = pace.due(&stop).await else {
                    break;
                };
                match http
                    .get(&url)
                    .header("authorization", &authorization)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        samples.add(t.elapsed()).await;
                    }
                    Ok(r) => {
                        check_status(&r);
                        if samples.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("{url}: {}", r.status());
                        }
                    }
                    Err(e) => {
                        if samples.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("{url}: {e}");
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    samples.report(&name, elapsed).await;
}

/// Hashes a second with every core hashing for `secs`, as the server runs them (one hash per
/// core at a time, from the same pool type): memory bandwidth and, on a virtual machine, the
/// host's other tenants are shared, so this is what the hardware allows for password checks
/// at that moment. The sign-in figures are compared with this, measured beside them.
async fn hashing_all_cores(secs: Duration) -> f64 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pool = Arc::new(portcullis::crypto::PasswordHasher::new(None, cores).expect("hasher"));
    // Warm up first: the work areas are allocated (and faulted in) by the first hashes.
    let warm = (0..cores).map(|_| pool.hash(secrecy::SecretString::from(PASSWORD.to_owned())));
    for h in futures_util::future::join_all(warm).await {
        h.expect("hash");
    }
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers = (0..cores).map(|_| {
        let (pool, done) = (pool.clone(), done.clone());
        tokio::spawn(async move {
            while started.elapsed() < secs {
                pool.hash(secrecy::SecretString::from(PASSWORD.to_owned()))
                    .await
                    .expect("hash");
                done.fetch_add(1, Ordering::Relaxed);
            }
        })
    });
    for w in futures_util::future::join_all(workers).await {
        w.expect("hashing task");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// What one argon2id hash and one ES256 signature cost on one core here: the limits the
/// sign-in and token figures are compared with.
async fn cost() {
    let hasher = portcullis::crypto::PasswordHasher::new(None, 1).expect("hasher");
    // The median of many single hashes: on a shared virtual machine one run of a few hashes
    // moved by a quarter between runs, and the bound moved with it.
    let mut times = Vec::new();
    for _ in 0..25 {
        let t = Instant::now();
        hasher
            .hash(secrecy::SecretString::from(PASSWORD.to_owned()))
            .await
            .expect("hash");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // The first hash allocates and faults in the work area; the server keeps its areas.
    times.remove(0);
    times.sort_by(f64::total_cmp);
    println!("COST argon2id_ms {:.2}", times[times.len() / 2]);
    println!(
        "COST argon2id_fastest_ms {:.2}",
        times.first().copied().unwrap_or_default()
    );
    println!(
        "COST argon2id_all_cores_per_s {:.1}",
        hashing_all_cores(Duration::from_millis(800)).await
    );
    let row = portcullis::oidc::keys::generate("ES256", 0, 0, None).expect("key");
    let ring = portcullis::oidc::keys::KeyRing::from_rows(&[row], 1).expect("ring");
    let claims = serde_json::json!({"iss": "https://id.example.com", "sub": "bench", "exp": 1});
    let signatures = 5000;
    let t = Instant::now();
    for _ in 0..signatures {
        ring.sign_typed(&claims, "at+jwt").expect("signed");
    }
    println!(
        "COST es256_us {:.2}",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(signatures)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .expect("missing argument (see --help in the source)")
    };
    let num = |i: usize| arg(i).parse::<u64>().expect("a number");
    match args.first().map(String::as_str) {
        Some("hash") => {
            let hasher = portcullis::crypto::PasswordHasher::new(None, 1).expect("hasher");
            let digest = hasher
                .hash(secrecy::SecretString::from(PASSWORD.to_owned()))
                .await
                .expect("hash");
            println!("{digest}");
        }
        Some("cost") => cost().await,
        Some("hashing") => println!(
            "HASHING argon2id_all_cores_per_s {:.1}",
            hashing_all_cores(Duration::from_secs(num(1))).await
        ),
        Some("signin") => {
            let spread = args.get(5).map_or(0, |s| s.parse().expect("a number"));
            signin(
                Bases::parse(&arg(1)),
                num(2) as usize,
                spread,
                num(3) as usize,
                num(4),
            )
            .await;
        }
        Some("signup") => signup(Bases::parse(&arg(1)), num(2) as usize, num(3)).await,
        Some("authcode") => {
            let bases = Bases::parse(&arg(1));
            authcode(bases, arg(2), arg(3), arg(4), num(5) as usize, num(6)).await;
        }
        Some("refresh") => {
            let bases = Bases::parse(&arg(1));
            refresh(bases, arg(2), arg(3), arg(4), num(5) as usize, num(6)).await;
        }
        Some("replay") => {
            let bases = Bases::parse(&arg(1));
            replay(
                bases,
                arg(2),
                arg(3),
                arg(4),
                num(5) as usize,
                num(6) as usize,
            )
            .await;
        }
        Some("get") => {
            let bases = Bases::parse(&arg(1));
            let range = arg(5);
            let (low, high) = range.split_once("..").unwrap_or(("0", &range));
            let range = (
                low.parse().expect("a number"),
                high.parse().expect("a number"),
            );
            get(
                bases,
                arg(2),
                num(3) as usize,
                num(4),
                range,
                arg(6),
                arg(7),
            )
            .await;
        }
        _ => {
            eprintln!("usage: see the comment at the top of examples/load.rs");
            return;
        }
    }
    if !matches!(
        args.first().map(String::as_str),
        Some("hash" | "cost" | "hashing")
    ) {
        println!(
            "RESULT server_errors 0 0 0 {} {}",
            SERVER_ERRORS.load(Ordering::Relaxed),
            SERVER_ERRORS.load(Ordering::Relaxed)
        );
    }
}
