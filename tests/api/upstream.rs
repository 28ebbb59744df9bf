//! A stand-in for upstream identity providers, speaking the real protocols on 127.0.0.1:
//! OpenID Connect discovery, JWKS, an authorization endpoint that "signs the user in" at
//! once, a token endpoint checking client authentication, the code, the redirect URI and
//! PKCE, ES256-signed ID tokens, and userinfo in the shapes of OIDC, the Graph API
//! (Facebook) and X's `/2/users/me`. Modes make it misbehave as a real provider might.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "portcullis-client";
pub const CLIENT_SECRET: &str = "upstream-secret";

#[derive(Clone, Debug)]
pub struct UpstreamUser {
    pub sub: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

impl UpstreamUser {
    pub fn new(sub: &str, email: Option<&str>, verified: bool) -> Self {
        Self {
            sub: sub.into(),
            email: email.map(Into::into),
            email_verified: Some(verified),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            username: Some("ada_l".into()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// The user clicks "Cancel": `error=access_denied`.
    Deny,
    /// The ID token carries another nonce.
    WrongNonce,
    /// The ID token is signed by a key the JWKS does not publish.
    UnknownKey,
    /// The ID token is unsigned (`alg: none`).
    AlgNone,
    /// The token endpoint takes this long (ms) to answer.
    Slow(u64),
}

struct Grant {
    redirect_uri: String,
    nonce: Option<String>,
    challenge: Option<String>,
}

struct State {
    url: String,
    user: UpstreamUser,
    mode: Mode,
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, UpstreamUser>,
    key: SigningKey,
    /// Keys published at /jwks (kid, key); the first signs.
    published: Vec<(String, SigningKey)>,
    token_requests: usize,
}

#[derive(Clone)]
pub struct Upstream {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn random_key() -> SigningKey {
    SigningKey::random(&mut rand::rngs::OsRng)
}

fn jwk(kid: &str, key: &SigningKey) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
        "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
    })
}

fn sign(kid: &str, key: &SigningKey, claims: &Value) -> String {
    let pem = key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn random() -> String {
    crate::helpers::random_suffix()
}

impl Upstream {
    pub async fn start(user: UpstreamUser) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let key = random_key();
        let state = Arc::new(Mutex::new(State {
            url: url.clone(),
            user,
            mode: Mode::Normal,
            codes: HashMap::new(),
            tokens: HashMap::new(),
            published: vec![("k1".into(), key.clone())],
            key,
            token_requests: 0,
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/jwks", web::get().to(jwks))
                .route("/authorize", web::get().to(authorize))
                .route("/token", web::post().to(token))
                .route("/userinfo", web::get().to(userinfo))
                .route("/me", web::get().to(graph_me))
                .route("/2/users/me", web::get().to(x_me))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn set_user(&self, user: UpstreamUser) {
        self.state.lock().unwrap().user = user;
    }

    /// Starts signing with a new key (published alongside the old one), as a rotation does.
    pub fn rotate_key(&self) {
        let mut s = self.state.lock().unwrap();
        let key = random_key();
        s.published.insert(0, ("k2".into(), key.clone()));
        s.key = key;
    }

    pub fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests
    }
}

type Shared = web::Data<Arc<Mutex<State>>>;

async fn discovery(state: Shared) -> HttpResponse {
    let url = state.lock().unwrap().url.clone();
    HttpResponse::Ok().json(json!({
        "issuer": url,
        "authorization_endpoint": format!("{url}/authorize"),
        "token_endpoint": format!("{url}/token"),
        "userinfo_endpoint": format!("{url}/userinfo"),
        "jwks_uri": format!("{url}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(state: Shared) -> HttpResponse {
    let s = state.lock().unwrap();
    let keys: Vec<Value> = s.published.iter().map(|(kid, k)| jwk(kid, k)).collect();
    HttpResponse::Ok().json(json!({ "keys": keys }))
}

/// The user is already signed in upstream and consents at once.
async fn authorize(state: Shared, q: web::Query<HashMap<String, String>>) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    let st = q.get("state").cloned().unwrap_or_default();
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return HttpResponse::BadRequest().body("unknown client");
    }
    let location = if s.mode == Mode::Deny {
        format!(
            "{redirect_uri}?error=access_denied&error_description={}&state={}",
            enc("The user said no"),
            enc(&st)
        )
    } else {
        let code = random();
        s.codes.insert(
            code.clone(),
            Grant {
                redirect_uri: redirect_uri.clone(),
                nonce: q.get("nonce").cloned(),
                challenge: q.get("code_challenge").cloned(),
            },
        );
        format!("{redirect_uri}?code={code}&state={}", enc(&st))
    };
    HttpResponse::Found()
        .insert_header(("location", location))
        .finish()
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let h = req.headers().get("authorization")?.to_str().ok()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(h.strip_prefix("Basic ")?)
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let dec = |v: &str| {
        url::form_urlencoded::parse(format!("v={v}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((dec(id), dec(secret)))
}

async fn token(
    state: Shared,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let mode = {
        let mut s = state.lock().unwrap();
        s.token_requests += 1;
        s.mode
    };
    if let Mode::Slow(ms) = mode {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let bad = |e: &str| HttpResponse::BadRequest().json(json!({ "error": e }));
    let (id, secret) = basic_credentials(&req).unwrap_or_else(|| {
        (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        )
    });
    if id != CLIENT_ID || secret != CLIENT_SECRET {
        return HttpResponse::Unauthorized().json(json!({ "error": "invalid_client" }));
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return bad("unsupported_grant_type");
    }
    let mut s = state.lock().unwrap();
    let Some(grant) = s
        .codes
        .remove(form.get("code").map(String::as_str).unwrap_or(""))
    else {
        return bad("invalid_grant");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return bad("invalid_grant");
    }
    if let Some(challenge) = &grant.challenge {
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        use sha2::Digest;
        if URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes())) != *challenge {
            return bad("invalid_grant");
        }
    }
    let access_token = random();
    let user = s.user.clone();
    s.tokens.insert(access_token.clone(), user.clone());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let nonce = match mode {
        Mode::WrongNonce => Some("not-the-nonce".to_owned()),
        _ => grant.nonce.clone(),
    };
    let mut claims = json!({
        "iss": s.url, "sub": user.sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        "nonce": nonce, "given_name": user.first_name, "family_name": user.last_name,
        "preferred_username": user.username,
    });
    if let Some(e) = &user.email {
        claims["email"] = json!(e);
    }
    if let Some(v) = user.email_verified {
        claims["email_verified"] = json!(v);
    }
    let id_token = match mode {
        Mode::UnknownKey => sign("rogue", &random_key(), &claims),
        Mode::AlgNone => format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        ),
        _ => {
            let (kid, key) = s.published[0].clone();
            sign(&kid, &key, &claims)
        }
    };
    HttpResponse::Ok().json(json!({
        "access_token": access_token, "token_type": "Bearer", "expires_in": 3600,
        "id_token": id_token,
    }))
}

fn bearer_user(state: &Shared, req: &HttpRequest) -> Option<UpstreamUser> {
    let token = req
        .headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .to_owned();
    state.lock().unwrap().tokens.get(&token).cloned()
}

async fn userinfo(state: Shared, req: HttpRequest) -> HttpResponse {
    match bearer_user(&state, &req) {
        Some(u) => HttpResponse::Ok().json(json!({
            "sub": u.sub, "email": u.email, "email_verified": u.email_verified,
            "given_name": u.first_name, "family_name": u.last_name, "preferred_username": u.username,
        })),
        None => HttpResponse::Unauthorized().finish(),
    }
}

/// The Graph API's `/me?fields=id,name,email,first_name,last_name,picture`.
async fn graph_me(state: Shared, req: HttpRequest) -> HttpResponse {
    match bearer_user(&state, &req) {
        Some(u) => {
            let name = format!(
                "{} {}",
                u.first_name.clone().unwrap_or_default(),
                u.last_name.clone().unwrap_or_default()
            );
            let mut body = json!({
                "id": u.sub, "name": name.trim(), "first_name": u.first_name, "last_name": u.last_name,
                "picture": { "data": { "height": 50, "is_silhouette": false, "url": "https://graph.example/p.jpg", "width": 50 } },
            });
            if let Some(e) = u.email {
                body["email"] = json!(e);
            }
            HttpResponse::Ok().json(body)
        }
        None => HttpResponse::Unauthorized().json(json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})),
    }
}

/// X's `/2/users/me`: `{"data": {"id", "name", "username"}}`, never an email.
async fn x_me(state: Shared, req: HttpRequest) -> HttpResponse {
    match bearer_user(&state, &req) {
        Some(u) => HttpResponse::Ok().json(json!({
            "data": { "id": u.sub, "name": format!("{} {}", u.first_name.unwrap_or_default(), u.last_name.unwrap_or_default()).trim(), "username": u.username }
        })),
        None => HttpResponse::Unauthorized().json(json!({"title": "Unauthorized", "status": 401})),
    }
}

/// The settings of a Google sign-in whose OpenID Provider is the stand-in at `issuer`.
pub fn google_settings(issuer: String) -> portcullis::config::ProviderSettings {
    portcullis::config::ProviderSettings {
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.to_string().into()),
        issuer: Some(issuer),
        ..Default::default()
    }
}
