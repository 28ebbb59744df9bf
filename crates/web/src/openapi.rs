//! `/openapi.json`: an OpenAPI 3.1 description of the Frontend API, the account API, the
//! OpenID Connect endpoints and the admin API. Each is written from the table that registers
//! its routes (`api_table!`), with the parameters each flow accepts taken from the same
//! constants the flow checks them against, so the document and the server cannot disagree.

use crate::Respond as _;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::Published;
use crate::flows::Ctx;

/// What an API's operations look like on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `/v1`: cookie (or Bearer client token), form or JSON bodies, `{response, client}`.
    Frontend,
    /// `/v1/me`: as the Frontend API, for the signed-in user.
    Account,
    /// The OpenID Provider: forms in, JSON or browser navigations out, RFC 6749 errors.
    Oidc,
    /// `/admin/v1`: JSON in and out, an admin key.
    Admin,
    /// `/bapi/v1`: Clerk's Backend API, JSON in and out, an admin key as the secret key.
    Backend,
}

impl Api {
    fn tag(self) -> &'static str {
        match self {
            Api::Frontend => "frontend",
            Api::Account => "account",
            Api::Oidc => "oidc",
            Api::Admin => "admin",
            Api::Backend => "backend",
        }
    }
}

/// What an operation answers when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// `{response, client}` (Frontend and account APIs).
    Envelope,
    /// A JSON object.
    Object,
    /// A JSON array (Clerk's `GET /users`).
    Array,
    /// A browser navigation: an HTML page or a redirect.
    Page,
    /// No body (`204`, or `200` with an empty body).
    Nothing,
}

/// An operation's request body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// A JSON document of this schema.
    Json(Value),
    /// Named parameters as a form (`application/x-www-form-urlencoded`) or, on the Frontend
    /// and account APIs, a JSON object; any other name is refused (`form_param_unknown`).
    Params(&'static [&'static str]),
    /// Named parameters as a form only (OAuth endpoints, RFC 6749 §3.2).
    Form(&'static [&'static str]),
    /// A file of at most this many bytes: the `file` part of a `multipart/form-data` body,
    /// or the whole body as `application/octet-stream`.
    Upload(usize),
}

/// One operation of an API table.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: &'static str,
    /// The whole path, with `{name}` path parameters.
    pub path: &'static str,
    pub summary: &'static str,
    pub api: Api,
    pub query: &'static [&'static str],
    pub body: Body,
    pub returns: Returns,
}

/// One API table: `register` adds its routes to a scope or app, `operations` documents them.
///
/// Each line: method, path (relative to where `register` is mounted), handler, summary, then
/// optionally `query LIST`, a body (`json Type`, `params LIST` or `form LIST`, where LIST is
/// the constant the flow checks its parameters against) and `returns Kind` (when it is not
/// the API's usual answer).
macro_rules! api_table {
    (@body json $schema:ty) => { Body::Json($crate::openapi::schema_of::<$schema>()) };
    (@body params $list:expr) => { Body::Params($list) };
    (@body form $list:expr) => { Body::Form($list) };
    (@body upload $limit:expr) => { Body::Upload($limit) };
    (@body) => { Body::None };
    (@query $list:expr) => { $list };
    (@query) => { &[] };
    (@returns $api:ident $ret:ident) => { $crate::openapi::Returns::$ret };
    (@returns $api:ident) => { $crate::openapi::usual_returns($api) };
    ($api:expr, $prefix:literal, $register:ident, $operations:ident;
     $( $method:ident $path:literal => $handler:path, $summary:literal
        $(, query $query:expr)?
        $(, json $json:ty)?
        $(, params $params:expr)?
        $(, form $form:expr)?
        $(, upload $upload:expr)?
        $(, returns $ret:ident)? ; )*) => {
        pub fn $register(cfg: &mut actix_web::web::ServiceConfig) {
            $( cfg.route($path, actix_web::web::$method().to($handler)); )*
            $crate::openapi::method_fallbacks(cfg, $api, &[$( ($path, stringify!($method)) ),*]);
        }

        /// Every operation of this table, for `/openapi.json`.
        pub fn $operations() -> Vec<$crate::openapi::Operation> {
            use $crate::openapi::{Body, Operation};
            let api = $api;
            vec![$(
                Operation {
                    method: stringify!($method),
                    path: concat!($prefix, $path),
                    summary: $summary,
                    api,
                    query: api_table!(@query $($query)?),
                    body: api_table!(@body $(json $json)? $(params $params)? $(form $form)? $(upload $upload)?),
                    returns: api_table!(@returns api $($ret)?),
                },
            )*]
        }
    };
}
pub(crate) use api_table;

/// RFC 9110 §15.5.6: a path of the OpenID Provider asked with a method it does not take is
/// answered 405 with `Allow` naming those it does, as an RFC 6749 error, rather than 404.
/// Registered after the table's routes, so it only sees what they did not take.
pub fn method_fallbacks(
    cfg: &mut actix_web::web::ServiceConfig,
    api: Api,
    routes: &[(&'static str, &'static str)],
) {
    if api != Api::Oidc {
        return;
    }
    let mut by_path: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (path, method) in routes {
        let method = method.to_ascii_uppercase();
        match by_path.iter_mut().find(|(p, _)| p == path) {
            Some((_, methods)) => methods.push(method),
            None => by_path.push((path, vec![method])),
        }
    }
    for (path, methods) in by_path {
        let allow = methods.join(", ");
        cfg.service(
            actix_web::web::resource(path).default_service(actix_web::web::to(move || {
                let allow = allow.clone();
                async move {
                    actix_web::HttpResponse::MethodNotAllowed()
                        .insert_header(("allow", allow.as_str()))
                        .insert_header(("cache-control", "no-store"))
                        .json(json!({
                            "error": "invalid_request",
                            "error_description": format!("This endpoint takes {allow} only."),
                        }))
                }
            })),
        );
    }
}

pub fn usual_returns(api: Api) -> Returns {
    match api {
        Api::Frontend | Api::Account => Returns::Envelope,
        Api::Oidc | Api::Admin | Api::Backend => Returns::Object,
    }
}

/// The JSON Schema of a request body type.
pub fn schema_of<T: utoipa::PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({ "type": "object" }))
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn errors_response(op: &Operation) -> Value {
    let (description, mut content) = match op.api {
        Api::Oidc => (
            "An RFC 6749 error (JSON), or an error page for a browser navigation.",
            json!({
                "application/json": { "schema": { "$ref": "#/components/schemas/OAuthError" } },
                "text/html": { "schema": { "type": "string" } }
            }),
        ),
        _ => (
            "The `errors` array: a form error (422), a state error (400), not found (404), \
             signed out (401), refused (403), too many requests (429, with `Retry-After`), \
             a dependency down (503).",
            json_content(json!({ "$ref": "#/components/schemas/Errors" })),
        ),
    };
    if op.returns == Returns::Page {
        // A browser navigation that cannot go on shows an error page.
        content["text/html"] = json!({ "schema": { "type": "string" } });
    }
    json!({ "description": description, "content": content })
}

fn success_responses(op: &Operation) -> Map<String, Value> {
    let mut out = Map::new();
    match op.returns {
        Returns::Envelope => {
            out.insert(
                "200".into(),
                json!({
                    "description": "The resource, and the client as it is now.",
                    "content": json_content(json!({ "$ref": "#/components/schemas/Envelope" }))
                }),
            );
        }
        Returns::Object => {
            out.insert(
                "200".into(),
                json!({
                    "description": "The resource, or a list of them under `data`.",
                    "content": json_content(json!({ "type": "object" }))
                }),
            );
            // Creating endpoints answer 201: the admin APIs', registration (RFC 7591 §3.2.1)
            // and pushed authorization requests (RFC 9126 §2.2).
            if matches!(op.api, Api::Admin | Api::Backend | Api::Oidc) {
                out.insert(
                    "201".into(),
                    json!({
                        "description": "Created.",
                        "content": json_content(json!({ "type": "object" }))
                    }),
                );
            }
        }
        Returns::Array => {
            out.insert(
                "200".into(),
                json!({
                    "description": "The resources, as a bare array.",
                    "content": json_content(json!({ "type": "array", "items": { "type": "object" } }))
                }),
            );
        }
        Returns::Page => {
            out.insert(
                "200".into(),
                json!({
                    "description": "An HTML page.",
                    "content": { "text/html": { "schema": { "type": "string" } } }
                }),
            );
            for code in ["302", "303"] {
                out.insert(
                    code.into(),
                    json!({ "description": "On to the next page (`Location`)." }),
                );
            }
        }
        Returns::Nothing => {
            out.insert("200".into(), json!({ "description": "Done." }));
            out.insert("204".into(), json!({ "description": "Done." }));
        }
    }
    if op.api == Api::Oidc {
        // Discovery and the JWKS revalidate with ETags (RFC 9110 §13.1.2).
        out.insert("304".into(), json!({ "description": "Not modified." }));
        // A protected resource asked without a token answers with `WWW-Authenticate` alone
        // (RFC 6750 §3.1); a bad client or token says why in JSON.
        out.insert(
            "401".into(),
            json!({
                "description": "No usable credentials: `WWW-Authenticate` says which. A \
                                request that sent none gets no body (RFC 6750 §3.1); a bad \
                                client or token gets an RFC 6749 error."
            }),
        );
    }
    out
}

fn parameter(name: &str, place: &str, required: bool) -> Value {
    let schema = match name {
        "limit" | "since" | "until" | "max_age" => json!({ "type": "integer", "minimum": 0 }),
        _ => json!({ "type": "string" }),
    };
    json!({ "name": name, "in": place, "required": required, "schema": schema })
}

/// The object schema of a list of named parameters.
fn params_schema(names: &[&str], json_values: bool) -> Value {
    let props: Map<String, Value> = names
        .iter()
        .map(|name| {
            let schema = if json_values && name.ends_with("metadata") {
                json!({ "type": ["object", "string"] })
            } else {
                json!({ "type": "string" })
            };
            ((*name).to_owned(), schema)
        })
        .collect();
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// `post_v1_client_sign_ins`: unique, since no two operations share a method and path (one
/// handler may serve several, so its name would not be).
fn operation_id(op: &Operation) -> String {
    let mut id = op.method.to_owned();
    for part in op
        .path
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
    {
        if !part.is_empty() {
            id.push('_');
            id.push_str(part);
        }
    }
    id
}

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| parameter(name, "path", true))
        .collect();
    parameters.extend(op.query.iter().map(|name| parameter(name, "query", false)));
    if matches!(op.api, Api::Frontend | Api::Account) {
        // The account API acts on this session of the client (its last active one otherwise).
        parameters.push(parameter("_clerk_session_id", "query", false));
    }
    let mut responses = success_responses(op);
    responses.insert("default".into(), errors_response(op));
    let mut out = json!({
        "operationId": operation_id(op),
        "summary": op.summary,
        "tags": [op.api.tag()],
        "parameters": parameters,
        "responses": responses,
    });
    out["security"] = match op.api {
        Api::Admin | Api::Backend => json!([{ "admin_key": [] }]),
        Api::Frontend | Api::Account => {
            json!([{}, { "client_cookie": [] }, { "client_token": [] }])
        }
        Api::Oidc => json!([]),
    };
    let content = match &op.body {
        Body::None => None,
        Body::Json(schema) => Some(json_content(schema.clone())),
        Body::Params(names) => Some(json!({
            "application/x-www-form-urlencoded": { "schema": params_schema(names, false) },
            "application/json": { "schema": params_schema(names, true) }
        })),
        Body::Form(names) => Some(json!({
            "application/x-www-form-urlencoded": { "schema": params_schema(names, false) }
        })),
        Body::Upload(limit) => Some(json!({
            "multipart/form-data": { "schema": {
                "type": "object",
                "properties": { "file": { "type": "string", "format": "binary", "maxLength": limit } },
                "required": ["file"],
            } },
            "application/octet-stream": { "schema": { "type": "string", "format": "binary", "maxLength": limit } }
        })),
    };
    if let Some(content) = content {
        out["requestBody"] = json!({
            "required": matches!(op.body, Body::Json(_) | Body::Upload(_)),
            "content": content,
        });
    }
    out
}

/// Every documented operation.
pub fn operations() -> Vec<Operation> {
    let mut ops = super::fapi::operations();
    ops.extend(super::oidc_endpoints::operations());
    ops.extend(super::admin::operations());
    ops.extend(super::bapi::operations());
    ops
}

/// The document for an issuer.
pub fn document(issuer: &str) -> Value {
    let mut paths = Map::new();
    for op in operations() {
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation(&op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Portcullis",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Frontend API (`/v1`) that sign-in and sign-up screens drive, \
                            the account API (`/v1/me`), the OpenID Connect provider, the \
                            admin API (`/admin/v1`) and Clerk's Backend API (`/bapi/v1`) of a \
                            Portcullis instance.",
        },
        "servers": [{ "url": issuer }],
        "tags": [
            { "name": "frontend", "description": "Sign-in, sign-up and sessions of a browser or app (the client)." },
            { "name": "account", "description": "The signed-in user's own account." },
            { "name": "oidc", "description": "OpenID Connect and OAuth 2.0 for relying parties." },
            { "name": "admin", "description": "Users, invitations, sign-up policy, OAuth clients, signing keys and audit events." },
            { "name": "backend", "description": "Clerk's Backend API, for an app's server code written with Clerk's backend SDKs." }
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "admin_key": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin key (`sk_live_…`) from `portcullis admin-keys create`; older `pcadm_…` keys keep working."
                },
                "client_cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": super::fapi::extract::CLIENT_COOKIE,
                    "description": "The browser's client, set by the first Frontend API response."
                },
                "client_token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A native app's client token, from the `Authorization` response header."
                }
            },
            "schemas": {
                "Envelope": {
                    "type": "object",
                    "required": ["response", "client"],
                    "properties": {
                        "response": {},
                        "client": { "type": ["object", "null"] }
                    }
                },
                "OAuthError": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": { "type": "string" },
                        "error_description": { "type": "string" }
                    }
                },
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "message", "long_message", "meta"],
                                "properties": {
                                    "code": { "type": "string" },
                                    "message": { "type": "string" },
                                    "long_message": { "type": "string" },
                                    "meta": {
                                        "type": "object",
                                        "properties": { "param_name": { "type": "string" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The document, rendered once per instance and served with its ETag, like discovery.
pub async fn serve(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    ctx.openapi
        .get_or_init(|| Published::new(document(ctx.settings().issuer()).to_string()))
        .respond(&req, "public, max-age=300")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_documented_once() {
        let doc = document("https://id.example.com");
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(
            documented,
            operations().len(),
            "no two operations share a method and path"
        );
        for api in [Api::Frontend, Api::Account, Api::Oidc, Api::Admin] {
            assert!(
                operations().iter().filter(|o| o.api == api).count() > 3,
                "{api:?} has its operations"
            );
        }
    }

    #[test]
    fn bodies_come_from_the_lists_the_flows_check() {
        let doc = document("https://id.example.com");
        let create = &doc["paths"]["/admin/v1/users"]["post"];
        let props = &create["requestBody"]["content"]["application/json"]["schema"]["properties"];
        for field in [
            "email_address",
            "phone_number",
            "username",
            "password",
            "skip_password_checks",
        ] {
            assert!(props.get(field).is_some(), "{field} missing from {props}");
        }
        let get = &doc["paths"]["/admin/v1/users/{id}"]["get"];
        assert_eq!(get["parameters"][0]["name"], "id");
        assert_eq!(get["security"][0]["admin_key"], json!([]));

        let sign_in = &doc["paths"]["/v1/client/sign_ins"]["post"]["requestBody"]["content"];
        let form = &sign_in["application/x-www-form-urlencoded"]["schema"];
        let names: Vec<&str> = form["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = crate::flows::sign_in::CREATE_PARAMS.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
        assert_eq!(form["additionalProperties"], false);

        let token = &doc["paths"]["/oauth/token"]["post"];
        assert!(
            token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
                ["properties"]
                .get("grant_type")
                .is_some()
        );
        assert!(
            token["requestBody"]["content"]
                .get("application/json")
                .is_none()
        );

        // The authorization request reads the same parameters from a query as from a form.
        let authorize = &doc["paths"]["/oauth/authorize"];
        let mut query: Vec<&str> = authorize["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let mut form: Vec<&str> = authorize["post"]["requestBody"]["content"]
            ["application/x-www-form-urlencoded"]["schema"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        query.sort_unstable();
        form.sort_unstable();
        assert_eq!(query, form);
    }
}
