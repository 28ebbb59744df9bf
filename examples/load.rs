//! Load for the flows `wrk` cannot script: a password sign-in over the Frontend API (create
//! the sign-in, then attempt the password, each virtual user with its own cookies), and the
//! authorization-code exchange followed by userinfo. Used by `scripts/bench.sh`.
//!
//!     load hash                              # an argon2id digest of the bench password
//!     load cost                              # one argon2id hash, one ES256 signature
//!     load signin BASE USERS CONNS SECS      # users are user0@bench.test .. user{USERS-1}
//!     load authcode BASE CLIENT SECRET REDIRECT CONNS SECS
//!
//! `signin` also probes the discovery document 200 times a second while the sign-ins
//! saturate the argon2 pool, to show that password hashing never starves the executor.
//! Results are printed as `RESULT name req/s p50_ms p99_ms count errors`.

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
    base: &str,
    email: &str,
) -> Result<Option<String>, String> {
    let r = http
        .post(format!("{base}/v1/client/sign_ins"))
        .form(&[("identifier", email)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = set_cookies(&r);
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    let id = body["response"]["id"]
        .as_str()
        .ok_or_else(|| format!("no sign-in: {body}"))?;
    let r = http
        .post(format!(
            "{base}/v1/client/sign_ins/{id}/attempt_first_factor"
        ))
        .header("cookie", &cookie)
        .form(&[("strategy", "password"), ("password", PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
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

async fn signin(base: String, users: usize, conns: usize, secs: u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let signins = Arc::new(Samples::default());
    let probes = Arc::new(Samples::default());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, samples, next, base) =
            (stop.clone(), signins.clone(), next.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize % users;
                let t = Instant::now();
                match sign_in(&http, &base, &format!("user{n}@bench.test")).await {
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
        let (stop, samples, base) = (stop.clone(), probes.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let t = Instant::now();
                match http
                    .get(format!("{base}/.well-known/openid-configuration"))
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
    base: String,
    client: String,
    secret: String,
    redirect: String,
    conns: usize,
    secs: u64,
) {
    // One signed-in browser; every authorization request reuses its session.
    let cookie = sign_in(&reqwest::Client::new(), &base, "user0@bench.test")
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
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (stop, exchange, userinfo, cycle) = (
            stop.clone(),
            exchange.clone(),
            userinfo.clone(),
            cycle.clone(),
        );
        let (http, cookie, base, client, secret, redirect) = (
            http.clone(),
            cookie.clone(),
            base.clone(),
            client.clone(),
            secret.clone(),
            redirect.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let api = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                let verifier = portcullis::crypto::random_token();
                let challenge = portcullis::crypto::pkce_s256(&verifier);
                let state = portcullis::crypto::random_token();
                let r = http
                    .get(format!("{base}/oauth/authorize"))
                    .header("cookie", &cookie)
                    .query(&[
                        ("response_type", "code"),
                        ("client_id", client.as_str()),
                        ("redirect_uri", redirect.as_str()),
                        ("scope", "openid email profile"),
                        ("state", state.as_str()),
                        ("code_challenge", challenge.as_str()),
                        ("code_challenge_method", "S256"),
                    ])
                    .send()
                    .await;
                let code = r.ok().and_then(|r| {
                    let loc = r.headers().get("location")?.to_str().ok()?.to_owned();
                    query_param(&loc, "code")
                });
                let Some(code) = code else {
                    if cycle.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("authorize gave no code");
                    }
                    continue;
                };
                let t1 = Instant::now();
                let token = api
                    .post(format!("{base}/oauth/token"))
                    .basic_auth(&client, Some(&secret))
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("redirect_uri", redirect.as_str()),
                        ("code_verifier", verifier.as_str()),
                    ])
                    .send()
                    .await
                    .ok();
                let body: Option<serde_json::Value> = match token {
                    Some(r) if r.status().is_success() => r.json().await.ok(),
                    _ => None,
                };
                let Some(access) = body
                    .as_ref()
                    .and_then(|b| b["access_token"].as_str())
                    .map(str::to_owned)
                else {
                    exchange.errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                exchange.add(t1.elapsed()).await;
                let t2 = Instant::now();
                match api
                    .get(format!("{base}/oauth/userinfo"))
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
    // The same hashes on every core at once, as the server runs them: memory bandwidth is
    // shared, so this is what the hardware really allows for password checks.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pool = portcullis::crypto::PasswordHasher::new(None, cores).expect("hasher");
    // Warm up first: the work areas are allocated (and faulted in) by the first hashes.
    let warm = (0..cores).map(|_| pool.hash(secrecy::SecretString::from(PASSWORD.to_owned())));
    for h in futures_util::future::join_all(warm).await {
        h.expect("hash");
    }
    let total = 32 * cores;
    let t = Instant::now();
    let hashes = (0..total).map(|_| pool.hash(secrecy::SecretString::from(PASSWORD.to_owned())));
    for h in futures_util::future::join_all(hashes).await {
        h.expect("hash");
    }
    println!(
        "COST argon2id_all_cores_per_s {:.1}",
        total as f64 / t.elapsed().as_secs_f64()
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
        Some("signin") => signin(arg(1), num(2) as usize, num(3) as usize, num(4)).await,
        Some("authcode") => {
            authcode(arg(1), arg(2), arg(3), arg(4), num(5) as usize, num(6)).await;
        }
        _ => eprintln!(
            "usage: load hash | signin BASE USERS CONNS SECS | authcode BASE CLIENT SECRET REDIRECT CONNS SECS"
        ),
    }
}
