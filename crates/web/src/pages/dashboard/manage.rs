//! Connections, OAuth applications, signing keys, webhooks and the audit log. Each form
//! calls the flow function the admin API calls; a new client secret is shown once, on the
//! page that answers the form, and never again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Value, json};

use super::{Chrome, Console, ConsoleForm, page, refused};
use crate::flows::admin::{self, timestamp};
use crate::flows::{ApiError, Ctx, admin_clients, connections, webhooks};
use crate::store::admin::AuditFilter;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard/connections", web::get().to(connections_page))
        .route("/dashboard/connections", web::post().to(connection_add))
        .route(
            "/dashboard/connections/social",
            web::post().to(social_switch),
        )
        .route(
            "/dashboard/connections/{id}/delete",
            web::post().to(connection_delete),
        )
        .route("/dashboard/clients", web::get().to(clients_page))
        .route("/dashboard/clients", web::post().to(client_create))
        .route("/dashboard/clients/{id}", web::post().to(client_update))
        .route(
            "/dashboard/clients/{id}/rotate",
            web::post().to(client_rotate),
        )
        .route(
            "/dashboard/clients/{id}/delete",
            web::post().to(client_delete),
        )
        .route("/dashboard/keys", web::get().to(keys_page))
        .route("/dashboard/keys/rotate", web::post().to(keys_rotate))
        .route("/dashboard/webhooks", web::get().to(webhooks_page))
        .route(
            "/dashboard/webhooks/{id}/retry",
            web::post().to(delivery_retry),
        )
        .route("/dashboard/audit", web::get().to(audit_page));
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

fn words(raw: &str) -> Vec<String> {
    raw.split_whitespace().map(str::to_owned).collect()
}

// ----- connections -----

pub(super) struct Social {
    pub key: String,
    pub name: String,
    pub strategy: String,
    pub offered: bool,
}

pub(super) struct Enterprise {
    pub id: String,
    pub name: String,
    pub protocol: String,
    pub domains: String,
    pub stored: bool,
}

#[derive(Template)]
#[template(path = "dashboard/connections.html")]
struct ConnectionsPage {
    c: Chrome,
    social: Vec<Social>,
    enterprise: Vec<Enterprise>,
}

async fn connections_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let c = console.chrome(&ctx, "connections", &req);
    render_connections(&ctx, &console, c, StatusCode::OK, &req)
}

fn render_connections(
    ctx: &Ctx,
    console: &Console,
    c: Chrome,
    status: StatusCode,
    req: &HttpRequest,
) -> HttpResponse {
    let p = ConnectionsPage {
        c,
        social: {
            let off = &ctx.settings().auth.disabled_providers;
            ctx.federation
                .social()
                .iter()
                .map(|p| Social {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    strategy: p.strategy.clone(),
                    offered: !off.contains(&p.key),
                })
                .collect()
        },
        enterprise: connections::list(ctx)
            .iter()
            .map(|v| Enterprise {
                id: text(v, "id"),
                name: text(v, "name"),
                protocol: text(v, "protocol"),
                domains: text(v, "domains"),
                stored: v["source"] == "stored",
            })
            .collect(),
    };
    page(ctx, console, status, p.render(), req)
}

/// Adds a SAML connection from its IdP's metadata URL (the common case; the admin API takes
/// every other form).
async fn connection_add(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    let input = json!({
        "id": f.field("id").trim(),
        "name": f.field("name").trim(),
        "protocol": "saml",
        "domains": words(&f.field("domains").replace(',', " ")),
        "idp_metadata_url": f.field("idp_metadata_url").trim(),
    });
    match connections::create(&ctx, &f.console.admin, input).await {
        Ok(_) => f.done(&ctx, &req, "/dashboard/connections", "created"),
        Err(crate::flows::FlowError::Api(api)) => {
            let mut c = f.console.chrome(&ctx, "connections", &req);
            c.error = Some(api.long_message);
            render_connections(&ctx, &f.console, c, StatusCode::UNPROCESSABLE_ENTITY, &req)
        }
        Err(e) => refused(&e),
    }
}

/// Switches social providers on and off (their credentials stay in config.toml): one
/// settings change, `auth.disabled_providers`.
async fn social_switch(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    let off: Vec<String> = ctx
        .federation
        .social()
        .iter()
        .filter(|p| f.field(&format!("offer.{}", p.key)) != "on")
        .map(|p| p.key.clone())
        .collect();
    let patch = json!({ "auth": { "disabled_providers": off } });
    match crate::flows::instance_settings::update(&ctx, &f.console.admin, patch).await {
        Ok(_) => f.done(&ctx, &req, "/dashboard/connections", "saved"),
        Err(crate::flows::FlowError::Api(api)) => {
            let mut c = f.console.chrome(&ctx, "connections", &req);
            c.error = Some(api.long_message);
            render_connections(&ctx, &f.console, c, StatusCode::UNPROCESSABLE_ENTITY, &req)
        }
        Err(e) => refused(&e),
    }
}

async fn connection_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(page) = f.unconfirmed() {
        return page;
    }
    match connections::delete(&ctx, &f.console.admin, &id).await {
        Ok(()) => f.done(&ctx, &req, "/dashboard/connections", "deleted"),
        Err(e) => refused(&e),
    }
}

// ----- OAuth applications -----

pub(super) struct ClientLine {
    pub id: String,
    pub name: String,
    pub redirect_uris: String,
    pub scopes: String,
    /// What the sign-in and consent pages of the client's requests wear.
    pub logo_uri: String,
    pub brand_color: String,
    pub public: bool,
    pub stored: bool,
    /// Each grant the form offers: its index in [`GRANTS`], its label, and whether it is on.
    pub grants: Vec<(usize, &'static str, bool)>,
    pub require_par: bool,
    pub dpop: bool,
    pub require_pkce: bool,
    pub require_signed_request_object: bool,
    pub frontchannel_logout_uri: String,
}

/// The grant types the dashboard offers, with what each means to an operator.
const GRANTS: [(&str, &str); 5] = [
    (
        "authorization_code",
        "Sign-in through the browser (authorization code)",
    ),
    ("refresh_token", "Refresh tokens"),
    (
        "client_credentials",
        "Tokens for the application itself (client credentials)",
    ),
    (
        "urn:ietf:params:oauth:grant-type:device_code",
        "Sign-in on a device without a browser (device code)",
    ),
    (
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "Acting for a user with their token (token exchange)",
    ),
];

/// The security switches of a client on the form: (form field and setting, label).
const SWITCHES: [&str; 4] = [
    "require_pushed_authorization_requests",
    "dpop_bound_access_tokens",
    "require_pkce",
    "require_signed_request_object",
];

#[derive(Template)]
#[template(path = "dashboard/clients.html")]
struct ClientsPage {
    c: Chrome,
    clients: Vec<ClientLine>,
    /// A secret just made: shown on this page only.
    new_secret: Option<(String, String)>,
}

async fn clients_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let c = console.chrome(&ctx, "clients", &req);
    render_clients(&ctx, &console, c, None, StatusCode::OK, &req).await
}

async fn render_clients(
    ctx: &Ctx,
    console: &Console,
    c: Chrome,
    new_secret: Option<(String, String)>,
    status: StatusCode,
    req: &HttpRequest,
) -> HttpResponse {
    let list = match admin_clients::list(ctx).await {
        Ok(l) => l,
        Err(e) => return refused(&e),
    };
    let p = ClientsPage {
        c,
        clients: list
            .iter()
            .map(|v| ClientLine {
                id: text(v, "client_id"),
                name: text(v, "name"),
                redirect_uris: text(v, "redirect_uris"),
                scopes: text(v, "scopes"),
                logo_uri: text(v, "logo_uri"),
                brand_color: text(v, "brand_color"),
                public: v["public"] == true,
                stored: v["source"] == "stored",
                grants: GRANTS
                    .iter()
                    .enumerate()
                    .map(|(i, (g, label))| {
                        let on = v["grant_types"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == g));
                        (i, *label, on)
                    })
                    .collect(),
                require_par: v["require_pushed_authorization_requests"] == true,
                dpop: v["dpop_bound_access_tokens"] == true,
                require_pkce: v["require_pkce"] == true,
                require_signed_request_object: v["require_signed_request_object"] == true,
                frontchannel_logout_uri: text(v, "frontchannel_logout_uri"),
            })
            .collect(),
        new_secret,
    };
    page(ctx, console, status, p.render(), req)
}

/// After a change that made a secret, the list with the secret shown once (no redirect: the
/// secret must not travel in a URL).
async fn with_secret(
    ctx: &Ctx,
    req: &HttpRequest,
    f: &ConsoleForm,
    out: Result<Value, crate::flows::FlowError>,
) -> HttpResponse {
    let mut c = f.console.chrome(ctx, "clients", req);
    match out {
        Ok(body) => {
            let secret = body["client_secret"]
                .as_str()
                .map(|s| (text(&body, "client_id"), s.to_owned()));
            c.notice = Some(if secret.is_some() {
                "Done. Copy the client secret now: it is not shown again.".into()
            } else {
                "Done.".into()
            });
            render_clients(ctx, &f.console, c, secret, StatusCode::OK, req).await
        }
        Err(crate::flows::FlowError::Api(api)) => {
            c.error = Some(api.long_message);
            render_clients(
                ctx,
                &f.console,
                c,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                req,
            )
            .await
        }
        Err(e) => refused(&e),
    }
}

async fn client_create(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    let public = f.field("public") == "on";
    let mut input = json!({
        "client_id": f.field("client_id").trim(),
        "redirect_uris": words(f.field("redirect_uris")),
        "scopes": words(f.field("scopes")),
        "public": public,
    });
    let name = f.field("name").trim();
    if !name.is_empty() {
        input["name"] = json!(name);
    }
    if public {
        input["grant_types"] = json!(["authorization_code", "refresh_token"]);
    }
    let out = admin_clients::create(&ctx, &f.console.admin, input).await;
    with_secret(&ctx, &req, &f, out).await
}

async fn client_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    id: web::Path<String>,
) -> HttpResponse {
    let mut input = json!({
        "redirect_uris": words(f.field("redirect_uris")),
        "scopes": words(f.field("scopes")),
    });
    // A field the form sent empty goes back to the instance's; one it did not send stays.
    for field in ["name", "logo_uri", "brand_color", "frontchannel_logout_uri"] {
        if let Some(v) = f.form.get(field).map(|v| v.trim()) {
            input[field] = if v.is_empty() { Value::Null } else { json!(v) };
        }
    }
    // Checkboxes send nothing when off: the form says it showed them.
    if f.field("grants_shown") == "1" {
        let grants: Vec<&str> = GRANTS
            .iter()
            .enumerate()
            .filter(|(i, _)| f.field(&format!("grant_{i}")) == "on")
            .map(|(_, (g, _))| *g)
            .collect();
        input["grant_types"] = json!(grants);
        for switch in SWITCHES {
            input[switch] = json!(f.field(switch) == "on");
        }
    }
    let out = admin_clients::update(&ctx, &f.console.admin, &id, input).await;
    with_secret(&ctx, &req, &f, out).await
}

async fn client_rotate(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(page) = f.unconfirmed() {
        return page;
    }
    let out = admin_clients::rotate_secret(&ctx, &f.console.admin, &id).await;
    with_secret(&ctx, &req, &f, out).await
}

async fn client_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(page) = f.unconfirmed() {
        return page;
    }
    match admin_clients::delete(&ctx, &f.console.admin, &id).await {
        Ok(()) => f.done(&ctx, &req, "/dashboard/clients", "deleted"),
        Err(e) => refused(&e),
    }
}

// ----- signing keys -----

pub(super) struct KeyLine {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "dashboard/keys.html")]
struct KeysPage {
    c: Chrome,
    keys: Vec<KeyLine>,
}

async fn keys_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let keys = match admin_clients::keys(&ctx).await {
        Ok(k) => k,
        Err(e) => return refused(&e),
    };
    let p = KeysPage {
        c: console.chrome(&ctx, "keys", &req),
        keys: keys
            .iter()
            .map(|v| KeyLine {
                kid: text(v, "kid"),
                alg: text(v, "alg"),
                state: text(v, "state"),
                created: v["created_at"].as_i64().map(timestamp).unwrap_or_default(),
            })
            .collect(),
    };
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}

async fn keys_rotate(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    if let Some(page) = f.unconfirmed() {
        return page;
    }
    let delay = match f.field("publish_delay_secs").trim() {
        "" => 0,
        raw => match raw.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                return refused(
                    &ApiError::invalid_value(
                        "publish_delay_secs",
                        "Enter a whole number of seconds.",
                    )
                    .into(),
                );
            }
        },
    };
    match admin_clients::rotate_keys(&ctx, &f.console.admin, delay).await {
        Ok(_) => f.done(&ctx, &req, "/dashboard/keys", "rotated"),
        Err(e) => refused(&e),
    }
}

// ----- webhooks -----

pub(super) struct Endpoint {
    pub url: String,
    pub events: String,
}

pub(super) struct Delivery {
    pub id: String,
    pub endpoint: String,
    pub kind: String,
    pub attempts: i32,
    pub state: &'static str,
    pub last_error: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "dashboard/webhooks.html")]
struct WebhooksPage {
    c: Chrome,
    endpoints: Vec<Endpoint>,
    deliveries: Vec<Delivery>,
}

async fn webhooks_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let rows = match webhooks::recent(&ctx, 100).await {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let p = WebhooksPage {
        c: console.chrome(&ctx, "webhooks", &req),
        endpoints: ctx
            .settings()
            .webhooks
            .endpoints
            .iter()
            .map(|e| Endpoint {
                url: e.url.clone(),
                events: if e.events.is_empty() {
                    "all".into()
                } else {
                    e.events.join(", ")
                },
            })
            .collect(),
        deliveries: rows
            .iter()
            .map(|d| Delivery {
                id: d.id.clone(),
                endpoint: d.endpoint.clone(),
                kind: d.event_type.clone(),
                attempts: d.attempts,
                state: if d.delivered_at.is_some() {
                    "delivered"
                } else if d.failed_at.is_some() {
                    "failed"
                } else {
                    "pending"
                },
                last_error: d.last_error.clone().unwrap_or_default(),
                created: timestamp(d.created_at),
            })
            .collect(),
    };
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}

async fn delivery_retry(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    id: web::Path<String>,
) -> HttpResponse {
    match webhooks::retry(&ctx, &f.console.admin, &id).await {
        Ok(()) => f.done(&ctx, &req, "/dashboard/webhooks", "retried"),
        Err(e) => refused(&e),
    }
}

// ----- audit log -----

pub(super) struct AuditLine {
    pub at: String,
    pub kind: String,
    pub user_id: String,
    pub ip: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "dashboard/audit.html")]
struct AuditPage {
    c: Chrome,
    kind: String,
    user_id: String,
    events: Vec<AuditLine>,
    next: Option<String>,
}

async fn audit_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let q = super::super::query_map(&req);
    let kind = q
        .get("type")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let user_id = q
        .get("user_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let filter = AuditFilter {
        user_id: Some(user_id.as_str()).filter(|s| !s.is_empty()),
        kind: Some(kind.as_str()).filter(|s| !s.is_empty()),
        since: None,
        until: None,
    };
    let (rows, next) =
        match admin::audit_page(&ctx, filter, q.get("after").map(String::as_str), 50).await {
            Ok(page) => page,
            Err(e) => return refused(&e),
        };
    let next = next.map(|cursor| {
        let mut qs = url::form_urlencoded::Serializer::new(String::new());
        if !kind.is_empty() {
            qs.append_pair("type", &kind);
        }
        if !user_id.is_empty() {
            qs.append_pair("user_id", &user_id);
        }
        qs.append_pair("after", &cursor);
        format!("/dashboard/audit?{}", qs.finish())
    });
    let p = AuditPage {
        c: console.chrome(&ctx, "audit", &req),
        events: rows
            .iter()
            .map(|e| AuditLine {
                at: timestamp(e.created_at),
                kind: e.kind.clone(),
                user_id: e.user_id.clone().unwrap_or_default(),
                ip: e.ip.clone().unwrap_or_default(),
                detail: e.detail.clone(),
            })
            .collect(),
        kind,
        user_id,
        next,
    };
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}
