//! The Frontend API under `/v1`: the `{response, client}` envelope around the flows.

mod environment;
pub mod extract;
mod me;
mod organizations;
pub mod render;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::domain::{SessionId, SessionStatus};
use crate::flows::account::{self, Access};
use crate::flows::client::{self, ClientCtx};
use crate::flows::{
    ApiError, Ctx, FlowError, FlowResult, reverification, session, sign_in, sign_up,
};
use crate::openapi::{Api, api_table};
use extract::{Call, Client, Failure};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .configure(register_routes)
            .configure(me::register_routes)
            .configure(organizations::register_routes)
            .route(
                "/{tail:.*}",
                web::method(actix_web::http::Method::OPTIONS).to(preflight),
            )
            .default_service(web::to(not_found)),
    );
}

/// Every documented operation of the Frontend and account APIs.
pub fn operations() -> Vec<crate::openapi::Operation> {
    let mut ops = frontend_operations();
    ops.extend(me::operations());
    ops.extend(organizations::operations());
    ops
}

// The Frontend API, one line per operation: this table registers the routes and writes the
// OpenAPI document, with each body's parameters from the list its flow accepts.
api_table! { Api::Frontend, "/v1", register_routes, frontend_operations;
    get "/environment" => environment::get, "The instance's settings: identifiers, factors, sign-up rules, display", returns Object;
    patch "/environment" => environment::get, "The same (browser SDKs touch it with PATCH)", returns Object;
    post "/dev_browser" => dev_browser_create, "Development mode (`[server] dev_browser`): a new client, named from then on by `?__clerk_db_jwt=`", params NO_PARAMS, returns Object;
    get "/client" => client_get, "The browser's client with its sessions, sign-in and sign-up, or null";
    put "/client" => client_create, "Make sure the browser has a client", params NO_PARAMS;
    post "/client" => client_create, "Make sure the browser has a client", params NO_PARAMS;
    delete "/client" => client_delete, "Sign out of every session of this client";
    post "/client/sign_ins" => sign_in_create, "Start a sign-in", params sign_in::CREATE_PARAMS;
    get "/client/sign_ins/{id}" => sign_in_get, "A sign-in of this client";
    post "/client/sign_ins/{id}/prepare_first_factor" => sign_in_prepare_first, "Send a code or link, or start a passkey or wallet challenge", params sign_in::PREPARE_FIRST_PARAMS;
    post "/client/sign_ins/{id}/attempt_first_factor" => sign_in_attempt_first, "Prove the first factor", params sign_in::ATTEMPT_FIRST_PARAMS;
    post "/client/sign_ins/{id}/prepare_second_factor" => sign_in_prepare_second, "Send a second-factor code", params sign_in::PREPARE_SECOND_PARAMS;
    post "/client/sign_ins/{id}/attempt_second_factor" => sign_in_attempt_second, "Prove the second factor", params sign_in::ATTEMPT_SECOND_PARAMS;
    post "/client/sign_ins/{id}/reset_password" => sign_in_reset_password, "Set a new password after a reset code", params sign_in::RESET_PASSWORD_PARAMS;
    get "/oauth_callback" => oauth_callback, "Where upstream providers send the browser back", query &["state", "code", "error", "error_description"], returns Page;
    get "/verify" => verify_link, "An email link, opened in a browser", query &["token"], returns Page;
    get "/testing/outbox" => testing_outbox, "The latest messages to an address or number (test mode only)", query &["to"], returns Object;
    post "/client/sign_ups" => sign_up_create, "Start a sign-up", params sign_up::PARAMS;
    post "/waitlist" => waitlist_join, "Join the waitlist (waitlist mode)", params WAITLIST_PARAMS;
    get "/client/sign_ups/{id}" => sign_up_get, "A sign-up of this client";
    patch "/client/sign_ups/{id}" => sign_up_update, "Add or change sign-up fields", params sign_up::PARAMS;
    post "/client/sign_ups/{id}/prepare_verification" => sign_up_prepare, "Send a verification code or link, or a wallet nonce", params sign_up::PREPARE_PARAMS;
    post "/client/sign_ups/{id}/attempt_verification" => sign_up_attempt, "Verify an email address, phone number or wallet", params sign_up::ATTEMPT_PARAMS;
    delete "/client/sessions" => client_delete, "Sign out of every session of this client";
    get "/client/sessions/{id}" => session_get, "A session of this client";
    post "/client/sessions/{id}/touch" => session_touch, "Mark a session active, and choose the organization it acts for", params crate::flows::organizations::TOUCH_PARAMS;
    post "/client/sessions/{id}/end" => session_end, "Sign out of a session";
    post "/client/sessions/{id}/remove" => session_remove, "Sign out of a session and drop it from the client";
    post "/client/sessions/{id}/tokens" => session_tokens, "A 60-second session token (`{object: token, jwt}`)", returns Object;
    post "/client/sessions/{id}/tokens/{template}" => session_template_token, "A token of a JWT template (`{object: token, jwt}`)", returns Object;
    post "/client/sessions/{id}/verify" => session_verify, "Verify a session again before a sensitive change (level: first_factor, second_factor, multi_factor)", params reverification::START_PARAMS;
    post "/client/sessions/{id}/verify/prepare_first_factor" => session_verify_prepare_first, "Send a code to verify the session again", params reverification::PREPARE_FIRST_PARAMS;
    post "/client/sessions/{id}/verify/attempt_first_factor" => session_verify_attempt_first, "Verify the session again with a password or code", params reverification::ATTEMPT_FIRST_PARAMS;
    post "/client/sessions/{id}/verify/prepare_second_factor" => session_verify_prepare_second, "Send a second-factor code to verify the session again", params reverification::PREPARE_SECOND_PARAMS;
    post "/client/sessions/{id}/verify/attempt_second_factor" => session_verify_attempt_second, "Verify the session again with a second factor", params reverification::ATTEMPT_SECOND_PARAMS;
}

/// A CORS preflight: what a cross-origin caller may send. Whether its origin may call at all
/// is the `Access-Control-Allow-Origin` the middleware adds (or not).
async fn preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((
            "access-control-allow-methods",
            "GET, POST, PUT, PATCH, DELETE",
        ))
        .insert_header((
            "access-control-allow-headers",
            "Authorization, Content-Type",
        ))
        .insert_header(("access-control-max-age", "600"))
        .finish()
}

async fn not_found() -> HttpResponse {
    extract::error_response(&FlowError::Api(ApiError::new(
        crate::flows::ErrorCode::ResourceNotFound,
        "not found",
        "There is no Frontend API endpoint at this path and method.",
    )))
}

/// The client as the envelope shows it, after the flow ran.
async fn client_json(ctx: &Ctx, req: &HttpRequest, cc: &ClientCtx) -> FlowResult<Value> {
    match client::snapshot(ctx, cc).await? {
        Some(snap) => render::client(ctx, &snap, extract::origin(req).as_deref()),
        None => Ok(Value::Null),
    }
}

/// `{response, client}` on success, the `errors` array otherwise; either way the client
/// token goes back when it was created or rotated.
async fn envelope(
    ctx: &Ctx,
    req: &HttpRequest,
    cc: &ClientCtx,
    result: FlowResult<Value>,
) -> HttpResponse {
    let res = match result {
        Ok(response) => match client_json(ctx, req, cc).await {
            Ok(client) => {
                HttpResponse::Ok().json(json!({ "response": response, "client": client }))
            }
            Err(e) => extract::error_response(&e),
        },
        Err(e) => extract::error_response(&e),
    };
    extract::with_client_token(ctx, req, cc, res)
}

/// A step on one sign-in or sign-up of this client: `POST /v1/client/<kind>/{id}/<action>`,
/// with the body as the flow's parameters.
macro_rules! attempt_step {
    ($handler:ident, $flow:path, $render:path) => {
        async fn $handler(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            Call { mut cc, params }: Call,
            id: web::Path<String>,
        ) -> HttpResponse {
            let result = $flow(&ctx, &mut cc, &id, &params).await;
            if let Ok(attempt) = &result {
                cc.returned(attempt);
            }
            envelope(&ctx, &req, &cc, result.map(|r| $render(&ctx, &r))).await
        }
    };
}

attempt_step!(
    sign_in_prepare_first,
    sign_in::prepare_first_factor,
    render::sign_in
);
attempt_step!(
    sign_in_attempt_first,
    sign_in::attempt_first_factor,
    render::sign_in
);
attempt_step!(
    sign_in_prepare_second,
    sign_in::prepare_second_factor,
    render::sign_in
);
attempt_step!(
    sign_in_attempt_second,
    sign_in::attempt_second_factor,
    render::sign_in
);
attempt_step!(
    sign_in_reset_password,
    sign_in::reset_password,
    render::sign_in
);
attempt_step!(sign_up_update, sign_up::update, render::sign_up);
attempt_step!(
    sign_up_prepare,
    sign_up::prepare_verification,
    render::sign_up
);
attempt_step!(
    sign_up_attempt,
    sign_up::attempt_verification,
    render::sign_up
);

async fn sign_in_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Call { mut cc, params }: Call,
) -> HttpResponse {
    let result = sign_in::create(&ctx, &mut cc, &params).await;
    if let Ok(attempt) = &result {
        cc.returned(attempt);
    }
    envelope(&ctx, &req, &cc, result.map(|si| render::sign_in(&ctx, &si))).await
}

async fn sign_up_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Call { mut cc, params }: Call,
) -> HttpResponse {
    let result = sign_up::create(&ctx, &mut cc, &params).await;
    if let Ok(attempt) = &result {
        cc.returned(attempt);
    }
    envelope(&ctx, &req, &cc, result.map(|su| render::sign_up(&ctx, &su))).await
}

/// What `POST /v1/waitlist` accepts.
pub const WAITLIST_PARAMS: &[&str] = &["email_address", "unsafe_metadata", "locale"];
/// What endpoints that take no parameters accept (SDKs may still send an empty body).
pub const NO_PARAMS: &[&str] = &[];

/// `POST /v1/waitlist {email_address}`: joins the waitlist (waitlist mode only).
async fn waitlist_join(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Call { cc, params }: Call,
) -> HttpResponse {
    let result = async {
        params.only(WAITLIST_PARAMS)?;
        let email = params
            .text("email_address")?
            .ok_or_else(|| crate::flows::ApiError::missing("email_address"))?;
        let entry = crate::flows::admin::join_waitlist(&ctx, &email).await?;
        Ok(json!({
            "object": "waitlist_entry",
            "id": entry.id,
            "email_address": entry.email_address,
            "status": entry.status,
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
        }))
    }
    .await;
    envelope(&ctx, &req, &cc, result).await
}

async fn sign_in_get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(mut cc): Client,
    id: web::Path<String>,
) -> HttpResponse {
    let result = sign_in::reload(&ctx, &mut cc, &id).await;
    if let Ok(attempt) = &result {
        cc.returned(attempt);
    }
    envelope(&ctx, &req, &cc, result.map(|si| render::sign_in(&ctx, &si))).await
}

async fn sign_up_get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(mut cc): Client,
    id: web::Path<String>,
) -> HttpResponse {
    let result = sign_up::reload(&ctx, &mut cc, &id).await;
    if let Ok(attempt) = &result {
        cc.returned(attempt);
    }
    envelope(&ctx, &req, &cc, result.map(|su| render::sign_up(&ctx, &su))).await
}

/// `GET /v1/client`: `{response: null, client: null}` when the browser has none yet.
async fn client_get(ctx: web::Data<Ctx>, req: HttpRequest, Client(cc): Client) -> HttpResponse {
    let res = match client_json(&ctx, &req, &cc).await {
        Ok(client) => HttpResponse::Ok().json(json!({ "response": client, "client": client })),
        Err(e) => extract::error_response(&e),
    };
    extract::with_client_token(&ctx, &req, &cc, res)
}

/// `POST /v1/dev_browser`: a browser SDK in development mode, on a site the client cookie
/// does not reach, asks for a client and names it with `?__clerk_db_jwt=` from then on.
/// Only with `[server] dev_browser`; otherwise a 404 that says so.
async fn dev_browser_create(ctx: web::Data<Ctx>) -> Result<HttpResponse, Failure> {
    if !ctx.settings().server.dev_browser {
        return Err(ApiError::new(
            crate::flows::ErrorCode::ResourceNotFound,
            "not found",
            "Development browsers are off here: with a production (pk_live_) key the client \
             rides in Portcullis's cookie. An operator turns them on with [server] dev_browser.",
        )
        .into());
    }
    let mut cc = ClientCtx::default();
    client::ensure(&ctx, &mut cc).await?;
    let token = cc.new_token.unwrap_or_default();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((extract::DEV_BROWSER_HEADER, token.as_str()))
        .json(json!({ "object": "dev_browser", "id": token })))
}

/// `PUT /v1/client`: makes sure the browser has a client.
async fn client_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(mut cc): Client,
) -> HttpResponse {
    let result = match client::ensure(&ctx, &mut cc).await {
        Ok(_) => client_json(&ctx, &req, &cc).await,
        Err(e) => Err(e),
    };
    envelope(&ctx, &req, &cc, result).await
}

/// `DELETE /v1/client` and `DELETE /v1/client/sessions` (the SDK's `signOut()`): sign out of
/// every session on this client.
async fn client_delete(ctx: web::Data<Ctx>, req: HttpRequest, Client(cc): Client) -> HttpResponse {
    let result = match cc.id() {
        Some(id) => client::sign_out_everywhere(&ctx, id).await,
        None => Ok(()),
    };
    let result = match result {
        Ok(()) => client_json(&ctx, &req, &cc).await,
        Err(e) => Err(e),
    };
    envelope(&ctx, &req, &cc, result).await
}

/// A step of a session's reverification: `POST /v1/client/sessions/{id}/verify…`, on one of
/// this client's active sessions, answered with the reverification and the session.
macro_rules! reverify {
    ($handler:ident, $flow:path) => {
        async fn $handler(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            Call { cc, params }: Call,
            id: web::Path<SessionId>,
        ) -> HttpResponse {
            let result = async {
                let me = account::me(&ctx, &cc, Some(&id), Access::Active).await?;
                let rv = $flow(&ctx, &me, &params).await?;
                let session = session_json(&ctx, &req, &cc, &id).await?;
                Ok(render::reverification(&rv, session))
            }
            .await;
            envelope(&ctx, &req, &cc, result).await
        }
    };
}

reverify!(session_verify, reverification::start);
reverify!(
    session_verify_prepare_first,
    reverification::prepare_first_factor
);
reverify!(
    session_verify_attempt_first,
    reverification::attempt_first_factor
);
reverify!(
    session_verify_prepare_second,
    reverification::prepare_second_factor
);
reverify!(
    session_verify_attempt_second,
    reverification::attempt_second_factor
);

fn require_client(cc: &ClientCtx) -> FlowResult<&str> {
    cc.id()
        .ok_or_else(|| FlowError::Api(ApiError::not_found("session")))
}

async fn session_json(
    ctx: &Ctx,
    req: &HttpRequest,
    cc: &ClientCtx,
    id: &SessionId,
) -> FlowResult<Value> {
    // Read now, not as the request found it: the session is answered after a change.
    let client_id = require_client(cc)?;
    let live = session::get_for_client(ctx, client_id, id).await?;
    render::session(ctx, &live, extract::origin(req).as_deref())
}

async fn session_get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(cc): Client,
    id: web::Path<SessionId>,
) -> HttpResponse {
    let result = session_json(&ctx, &req, &cc, &id).await;
    envelope(&ctx, &req, &cc, result).await
}

async fn session_touch(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Call { cc, params }: Call,
    id: web::Path<SessionId>,
) -> HttpResponse {
    let result = async {
        session::touch(&ctx, require_client(&cc)?, &id, &params).await?;
        session_json(&ctx, &req, &cc, &id).await
    }
    .await;
    envelope(&ctx, &req, &cc, result).await
}

/// Ends or removes one of this client's sessions.
async fn session_finish(
    ctx: &Ctx,
    req: &HttpRequest,
    cc: &ClientCtx,
    id: &SessionId,
    status: SessionStatus,
) -> HttpResponse {
    let result = async {
        session::finish(ctx, require_client(cc)?, id, status).await?;
        session_json(ctx, req, cc, id).await
    }
    .await;
    envelope(ctx, req, cc, result).await
}

async fn session_end(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(cc): Client,
    id: web::Path<SessionId>,
) -> HttpResponse {
    session_finish(&ctx, &req, &cc, &id, SessionStatus::Ended).await
}

async fn session_remove(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(cc): Client,
    id: web::Path<SessionId>,
) -> HttpResponse {
    session_finish(&ctx, &req, &cc, &id, SessionStatus::Removed).await
}

/// `POST …/tokens`: a 60-second session token, not wrapped in the envelope.
async fn session_tokens(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(cc): Client,
    id: web::Path<SessionId>,
) -> HttpResponse {
    let result = session::token_for(&ctx, &cc, &id, extract::origin(&req).as_deref()).await;
    let res = match result {
        Ok(jwt) => HttpResponse::Ok().json(json!({ "object": "token", "jwt": jwt })),
        Err(e) => extract::error_response(&e),
    };
    extract::with_client_token(&ctx, &req, &cc, res)
}

async fn session_template_token(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(cc): Client,
    path: web::Path<(SessionId, String)>,
) -> HttpResponse {
    let (id, template) = path.into_inner();
    let result = async {
        let origin = extract::origin(&req);
        session::template_token_for(&ctx, &cc, &id, &template, origin.as_deref()).await
    }
    .await;
    let res = match result {
        Ok(jwt) => HttpResponse::Ok().json(json!({ "object": "token", "jwt": jwt })),
        Err(e) => extract::error_response(&e),
    };
    extract::with_client_token(&ctx, &req, &cc, res)
}

/// `GET /v1/oauth_callback`: where providers send the browser back. A browser navigation, so
/// failures that cannot go back to the app are an HTML page, never JSON.
async fn oauth_callback(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(mut cc): Client,
) -> HttpResponse {
    let query: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect();
    let res = match crate::flows::oauth::callback(&ctx, &mut cc, &query).await {
        Ok(to) => HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, to))
            .finish(),
        Err(e) => super::navigation_failure(e),
    };
    extract::with_client_token(&ctx, &req, &cc, res)
}

/// `GET /v1/verify?token=…`: an email link, opened in a browser. An HTML answer.
async fn verify_link(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Client(mut cc): Client,
) -> HttpResponse {
    let token = extract::query_value(&req, "token").unwrap_or_default();
    let res = match crate::flows::email_link::open(&ctx, &mut cc, &token).await {
        Ok(crate::flows::email_link::Opened::Here(to)) => HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, to))
            .finish(),
        Ok(crate::flows::email_link::Opened::Elsewhere) => super::message_page(
            actix_web::http::StatusCode::OK,
            "Verified. You can close this page and return to your original tab.",
        ),
        Err(FlowError::Api(api)) => {
            super::message_page(actix_web::http::StatusCode::BAD_REQUEST, &api.long_message)
        }
        Err(e) => extract::error_response(&e),
    };
    extract::with_client_token(&ctx, &req, &cc, res)
}

/// `GET /v1/testing/outbox?to=…`: the latest messages sent to an address or number, for
/// apps' end-to-end tests. Only in test mode; otherwise it does not exist.
async fn testing_outbox(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let to = extract::query_value(&req, "to").unwrap_or_default();
    match ctx.delivery.outbox_for(&to).filter(|_| ctx.test_mode()) {
        Some(messages) => HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .json(json!({ "object": "outbox", "to": to, "messages": messages })),
        None => not_found().await,
    }
}
