//! OpenID Connect Back-Channel Logout 1.0: when a session ends, every relying party that
//! received tokens in it and registered a `backchannel_logout_uri` gets a logout token.
//! Delivery runs in the background (a sign-out never waits on a client), with a few retries.

use std::time::Duration;

use serde_json::json;

use super::claims::subject;
use super::clients;
use crate::crypto;
use crate::flows::Ctx;
use crate::store::oauth as repo;
use portcullis_core::events::{Event, Handled, SessionEnded, Subscriber};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
const ATTEMPTS: u32 = 3;

/// Sends logout tokens for the sessions the flows announce as ended.
pub struct BackchannelLogout;

impl Subscriber<Ctx> for BackchannelLogout {
    fn name(&self) -> &'static str {
        "backchannel_logout"
    }

    fn handle<'a>(&'a self, ctx: &'a Ctx, event: &'a Event) -> Handled<'a> {
        Box::pin(async move {
            match event {
                Event::SessionsEnded(ended) => {
                    if let Err(e) = notify(ctx, ended).await {
                        tracing::warn!(error = %format!("{e:#}"), "back-channel logout not sent");
                    }
                }
            }
        })
    }
}

async fn notify(ctx: &Ctx, ended: &[SessionEnded]) -> anyhow::Result<()> {
    let ids: Vec<String> = ended.iter().map(|e| e.session.to_string()).collect();
    for (session_id, client_id) in repo::clients_of_sessions(&ctx.db, &ids).await? {
        let Some(client) = clients::find(ctx, &client_id)
            .await
            .map_err(|e| anyhow::anyhow!(e.description))?
        else {
            continue;
        };
        let Some(uri) = client.settings.backchannel_logout_uri.clone() else {
            continue;
        };
        let Some(user_id) = ended
            .iter()
            .find(|e| e.session == *session_id.as_str())
            .map(|e| e.user.as_str())
        else {
            continue;
        };
        let now = ctx.now() / 1000;
        // §2.4: sub and sid, the logout event, and never a nonce.
        let claims = json!({
            "iss": ctx.settings().issuer(),
            "sub": subject(ctx, &client, user_id),
            "aud": client.id(),
            "iat": now,
            "exp": now + 120,
            "jti": crypto::random_token(),
            "sid": session_id,
            "events": { EVENT: {} },
        });
        let token = ctx.keys.current().sign_with(
            &claims,
            "logout+jwt",
            &client.settings.id_token_signed_response_alg,
        )?;
        // A client that registered itself chose this URI: its host must not resolve into
        // Portcullis's own network either (a name checked at registration may point anywhere
        // later).
        let http = super::outbound::http_for(ctx, &client)?;
        let client_id = client_id.clone();
        tokio::spawn(async move {
            for attempt in 1..=ATTEMPTS {
                let sent = http
                    .post(&uri)
                    .form(&[("logout_token", token.as_str())])
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => return,
                    Ok(r) => {
                        tracing::warn!(%client_id, status = %r.status(), attempt, "back-channel logout refused")
                    }
                    Err(e) => {
                        tracing::warn!(%client_id, error = %e, attempt, "back-channel logout failed")
                    }
                }
                tokio::time::sleep(Duration::from_secs(u64::from(attempt * attempt))).await;
            }
        });
    }
    Ok(())
}
