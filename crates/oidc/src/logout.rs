//! RP-Initiated Logout 1.0: `/oauth/end_session`.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::authorize::current_session;
use super::clients;
use super::error::OAuthResult;
use crate::crypto;
use crate::flows::client::ClientCtx;
use crate::flows::{Ctx, session};

pub enum LogoutOutcome {
    ErrorPage {
        message: String,
    },
    /// No proof that the application asked: the user confirms (§2, "SHOULD ask the End-User").
    Confirm {
        id: String,
        csrf: String,
        client_name: Option<String>,
    },
    /// Signed out; back to the application when it named a registered address. `frames` are
    /// the front-channel logout URLs of the clients that got tokens in the ended session, to
    /// be loaded by the page before it moves on.
    Done {
        redirect: Option<String>,
        frames: Vec<String>,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    csrf: String,
    redirect: Option<String>,
    client_id: String,
}

fn pending_key(id: &str) -> String {
    format!("logout:{id}")
}

/// `GET|POST /oauth/end_session`.
pub async fn start(
    ctx: &Ctx,
    p: &HashMap<String, String>,
    cc: &ClientCtx,
) -> OAuthResult<LogoutOutcome> {
    let get = |k: &str| p.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let hint = match get("id_token_hint") {
        Some(h) => match ctx
            .keys
            .current()
            .verify(h, ctx.settings().issuer(), "JWT", false)
        {
            Some(c) => Some(c),
            None => {
                return Ok(LogoutOutcome::ErrorPage {
                    message: "The sign-out request carried an ID token that was not issued here."
                        .into(),
                });
            }
        },
        None => None,
    };
    let hinted_client = hint
        .as_ref()
        .and_then(|c| c.get("aud"))
        .and_then(|a| match a {
            Value::String(s) => Some(s.clone()),
            Value::Array(v) => v.first().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        });
    let client_id = match (get("client_id"), &hinted_client) {
        (Some(a), Some(b)) if a != b => {
            return Ok(LogoutOutcome::ErrorPage {
                message: "client_id does not match the ID token.".into(),
            });
        }
        (Some(a), _) => Some(a.to_owned()),
        (None, b) => b.clone(),
    };
    let client = match &client_id {
        Some(id) => clients::find(ctx, id).await?,
        None => None,
    };
    let redirect = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            // §3: only to an address registered for the identified client.
            let Some(c) = &client else {
                return Ok(LogoutOutcome::ErrorPage {
                    message:
                        "The application did not identify itself, so it cannot be returned to."
                            .into(),
                });
            };
            if !c.post_logout_uri_registered(uri) {
                return Ok(LogoutOutcome::ErrorPage {
                    message:
                        "The application asked to return you to an address it has not registered."
                            .into(),
                });
            }
            let mut u = url::Url::parse(uri).map_err(|e| anyhow::anyhow!("registered URI: {e}"))?;
            if let Some(s) = get("state") {
                u.query_pairs_mut().append_pair("state", s);
            }
            Some(u.to_string())
        }
    };
    let current = current_session(ctx, cc).await?;
    let hint_matches = match (&hint, &current, &client) {
        (Some(c), Some(s), Some(cl)) => {
            c.get("sub").and_then(Value::as_str)
                == Some(super::claims::subject(ctx, cl, &s.user_id).as_str())
        }
        _ => false,
    };
    match current {
        None => Ok(LogoutOutcome::Done {
            redirect,
            frames: Vec::new(),
        }),
        Some(s) if hint_matches => {
            let frames = frontchannel_frames(ctx, &s.id).await?;
            session::finish(
                ctx,
                &s.client_id,
                &crate::domain::SessionId::from_stored(s.id.clone()),
                crate::store::sessions::SessionStatus::Ended,
            )
            .await?;
            Ok(LogoutOutcome::Done { redirect, frames })
        }
        Some(_) => {
            let id = crate::domain::new_id("logout");
            let pending = Pending {
                csrf: crypto::random_token(),
                redirect,
                client_id: cc.id().unwrap_or_default().to_owned(),
            };
            let raw = serde_json::to_string(&pending).map_err(anyhow::Error::new)?;
            ctx.eph
                .put(&pending_key(&id), &raw, Duration::from_secs(600))
                .await?;
            Ok(LogoutOutcome::Confirm {
                id,
                csrf: pending.csrf,
                client_name: client.map(|c| c.name().to_owned()),
            })
        }
    }
}

/// The confirmation form's answer: sign out of this browser's active session.
pub async fn confirm(
    ctx: &Ctx,
    id: &str,
    csrf: &str,
    cc: &ClientCtx,
) -> OAuthResult<LogoutOutcome> {
    let Some(raw) = ctx.eph.take(&pending_key(id)).await? else {
        return Ok(LogoutOutcome::ErrorPage {
            message: "This sign-out request has expired.".into(),
        });
    };
    let pending: Pending =
        serde_json::from_str(&raw).map_err(|e| anyhow::anyhow!("stored logout unreadable: {e}"))?;
    let same_browser = cc.id() == Some(pending.client_id.as_str());
    if !bool::from(csrf.as_bytes().ct_eq(pending.csrf.as_bytes())) || !same_browser {
        return Ok(LogoutOutcome::ErrorPage {
            message: "This form has expired or was not sent from this page.".into(),
        });
    }
    let mut frames = Vec::new();
    if let Some(s) = current_session(ctx, cc).await? {
        frames = frontchannel_frames(ctx, &s.id).await?;
        session::finish(
            ctx,
            &s.client_id,
            &crate::domain::SessionId::from_stored(s.id.clone()),
            crate::store::sessions::SessionStatus::Ended,
        )
        .await?;
    }
    Ok(LogoutOutcome::Done {
        redirect: pending.redirect,
        frames,
    })
}

/// Front-Channel Logout 1.0 §2-§3: the `frontchannel_logout_uri` of every client that received
/// tokens in this session, with `iss` and `sid` added when the client asked for them (and
/// always allowed: §2 says a client must accept them). Clients that registered none are
/// skipped; each URL appears once.
async fn frontchannel_frames(ctx: &Ctx, session_id: &str) -> OAuthResult<Vec<String>> {
    let pairs = crate::store::oauth::clients_of_sessions(&ctx.db, &[session_id.to_owned()])
        .await
        .map_err(anyhow::Error::new)?;
    let mut frames = Vec::new();
    for (_, client_id) in pairs {
        let Some(client) = clients::find(ctx, &client_id).await? else {
            continue;
        };
        let Some(uri) = &client.settings.frontchannel_logout_uri else {
            continue;
        };
        let Ok(mut url) = url::Url::parse(uri) else {
            continue;
        };
        if client.settings.frontchannel_logout_session_required {
            url.query_pairs_mut()
                .append_pair("iss", ctx.settings().issuer())
                .append_pair("sid", session_id);
        }
        frames.push(url.to_string());
    }
    frames.sort();
    frames.dedup();
    Ok(frames)
}
