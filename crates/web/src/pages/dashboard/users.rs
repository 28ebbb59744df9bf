//! Users: search, one user's identifications, factors, sessions, linked accounts and audit
//! trail, and what an operator does to them (ban, lock, revoke sessions, admin role, delete).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{Chrome, Console, ConsoleForm, page, primary_email, refused};
use crate::domain::{SessionId, UserId};
use crate::flows::admin::{self, timestamp};
use crate::flows::{ApiError, Ctx, FlowError};
use crate::store::admin::AuditFilter;
use crate::store::users::UserRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard/users", web::get().to(users_page))
        .route("/dashboard/users/{id}", web::get().to(user_page))
        .route(
            "/dashboard/users/{id}/{action}",
            web::post().to(user_action),
        )
        .route(
            "/dashboard/users/{id}/sessions/{sid}/revoke",
            web::post().to(session_revoke),
        );
}

pub(super) struct UserLine {
    pub id: String,
    pub email: String,
    pub name: String,
    pub username: String,
    pub created: String,
    pub banned: bool,
    pub locked: bool,
}

fn line(u: &UserRecord) -> UserLine {
    UserLine {
        id: u.user.id.clone(),
        email: primary_email(u),
        name: u.full_name(),
        username: u.user.username.clone().unwrap_or_default(),
        created: timestamp(u.user.created_at),
        banned: u.user.banned,
        locked: u.user.locked,
    }
}

#[derive(Template)]
#[template(path = "dashboard/users.html")]
struct UsersPage {
    c: Chrome,
    query: String,
    users: Vec<UserLine>,
    next: Option<String>,
}

async fn users_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let q = super::super::query_map(&req);
    let query = q
        .get("query")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let (users, next) = match admin::list_users(
        &ctx,
        Some(query.as_str()).filter(|s| !s.is_empty()),
        q.get("after").map(String::as_str),
        50,
    )
    .await
    {
        Ok(page) => page,
        Err(e) => return refused(&e),
    };
    let next = next.map(|cursor| {
        let mut qs = url::form_urlencoded::Serializer::new(String::new());
        if !query.is_empty() {
            qs.append_pair("query", &query);
        }
        qs.append_pair("after", &cursor);
        format!("/dashboard/users?{}", qs.finish())
    });
    let p = UsersPage {
        c: console.chrome(&ctx, "users", &req),
        query,
        users: users.iter().map(line).collect(),
        next,
    };
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}

pub(super) struct Ident {
    pub value: String,
    pub verified: bool,
    pub primary: bool,
    pub note: String,
}

pub(super) struct SessionLine {
    pub id: String,
    pub started: String,
    pub last_active: String,
    pub factors: String,
}

pub(super) struct EventLine {
    pub kind: String,
    pub at: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "dashboard/user.html")]
struct UserPage {
    c: Chrome,
    u: UserLine,
    last_sign_in: String,
    emails: Vec<Ident>,
    phones: Vec<Ident>,
    wallets: Vec<String>,
    external: Vec<Ident>,
    totp: bool,
    backup_codes: usize,
    passkeys: Vec<String>,
    sessions: Vec<SessionLine>,
    events: Vec<EventLine>,
    is_admin: bool,
    is_self: bool,
}

async fn user_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    console: Console,
    id: web::Path<String>,
) -> HttpResponse {
    let id = UserId::from_stored(id.into_inner());
    let rendered = async {
        let u = admin::get_user(&ctx, &id).await?;
        let sessions = crate::store::sessions::active_for_user(&ctx.db, id.as_str())
            .await
            .map_err(anyhow::Error::new)?;
        let (events, _) = admin::audit_page(
            &ctx,
            AuditFilter {
                user_id: Some(id.as_str()),
                kind: None,
                since: None,
                until: None,
            },
            None,
            25,
        )
        .await?;
        let is_admin = crate::store::settings::is_admin(&ctx.db, id.as_str())
            .await
            .map_err(anyhow::Error::new)?;
        Ok::<_, FlowError>(UserPage {
            c: console.chrome(&ctx, "users", &req),
            last_sign_in: u.user.last_sign_in_at.map(timestamp).unwrap_or_default(),
            emails: u
                .emails
                .iter()
                .map(|e| Ident {
                    value: e.email_address.clone(),
                    verified: e.verified,
                    primary: Some(&e.id) == u.user.primary_email_address_id.as_ref(),
                    note: String::new(),
                })
                .collect(),
            phones: u
                .phones
                .iter()
                .map(|p| Ident {
                    value: p.phone_number.clone(),
                    verified: p.verified,
                    primary: Some(&p.id) == u.user.primary_phone_number_id.as_ref(),
                    note: if p.reserved_for_second_factor {
                        "second factor".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            wallets: u.wallets.iter().map(|w| w.web3_wallet.clone()).collect(),
            external: u
                .external
                .iter()
                .map(|x| Ident {
                    value: x.provider.clone(),
                    verified: x.email_verified,
                    primary: false,
                    note: x.email_address.clone().unwrap_or_default(),
                })
                .collect(),
            totp: u.totp,
            backup_codes: u.backup_codes,
            passkeys: u.passkeys.iter().map(|p| p.name.clone()).collect(),
            sessions: sessions
                .iter()
                .map(|s| SessionLine {
                    id: s.id.clone(),
                    started: timestamp(s.created_at),
                    last_active: timestamp(s.last_active_at),
                    factors: serde_json::from_str::<Vec<String>>(&s.factors)
                        .unwrap_or_default()
                        .join(", "),
                })
                .collect(),
            events: events
                .iter()
                .map(|e| EventLine {
                    kind: e.kind.clone(),
                    at: timestamp(e.created_at),
                    ip: e.ip.clone().unwrap_or_default(),
                })
                .collect(),
            is_admin,
            is_self: u.user.id == console.me.user().user.id,
            u: line(&u),
        })
    }
    .await;
    match rendered {
        Ok(p) => page(&ctx, &console, StatusCode::OK, p.render(), &req),
        Err(e) => refused(&e),
    }
}

/// `ban`, `unban`, `lock`, `unlock`, `revoke-sessions`, `grant-admin`, `revoke-admin`,
/// `delete`. All but lock, unlock and unban need the `confirm` box ticked.
async fn user_action(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    let id = UserId::from_stored(id);
    let a = &f.console.admin;
    let back = format!("/dashboard/users/{}", id.as_str());
    // Granting the role is confirmed too: a mis-click must not make an admin.
    let destructive = matches!(
        action.as_str(),
        "ban" | "revoke-sessions" | "grant-admin" | "revoke-admin" | "delete"
    );
    if destructive && let Some(page) = f.unconfirmed() {
        return page;
    }
    let outcome = match action.as_str() {
        "ban" => admin::set_banned(&ctx, a, &id, true)
            .await
            .map(|_| "banned"),
        "unban" => admin::set_banned(&ctx, a, &id, false)
            .await
            .map(|_| "unbanned"),
        "lock" => admin::set_locked(&ctx, a, &id, true)
            .await
            .map(|_| "locked"),
        "unlock" => admin::set_locked(&ctx, a, &id, false)
            .await
            .map(|_| "unlocked"),
        "revoke-sessions" => admin::revoke_all_sessions(&ctx, a, &id)
            .await
            .map(|_| "revoked"),
        "grant-admin" => admin::grant_admin(&ctx, a, &id).await.map(|_| "granted"),
        "revoke-admin" => admin::revoke_admin(&ctx, a, &id).await.map(|_| "ungranted"),
        "delete" => match admin::delete_user(&ctx, a, &id).await {
            Ok(()) => return f.done(&ctx, &req, "/dashboard/users", "deleted"),
            Err(e) => Err(e),
        },
        _ => Err(ApiError::not_found("dashboard action").into()),
    };
    match outcome {
        Ok(notice) => f.done(&ctx, &req, &back, notice),
        Err(e) => refused(&e),
    }
}

/// Revokes one session, which must be this user's: a session id from another user's page is
/// refused, so a stale or edited form cannot end someone else's session by mistake.
async fn session_revoke(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    f: ConsoleForm,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, sid) = path.into_inner();
    let owner = UserId::from_stored(id.clone());
    let session = SessionId::from_stored(sid);
    match admin::revoke_session_of(&ctx, &f.console.admin, Some(&owner), &session).await {
        Ok(_) => f.done(&ctx, &req, &format!("/dashboard/users/{id}"), "revoked"),
        Err(e) => refused(&e),
    }
}
