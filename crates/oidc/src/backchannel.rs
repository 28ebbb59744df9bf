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
        let http = if client.self_registered() {
            public_only_http()?
        } else {
            ctx.http.clone()
        };
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

/// Resolves names as the system does, keeping only addresses outside this machine and its
/// network (`clients::is_internal`); a name with no other address fails to resolve.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<std::net::SocketAddr> =
                found.filter(|a| !clients::is_internal(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client for URIs that self-registered clients chose: public addresses only.
fn public_only_http() -> anyhow::Result<reqwest::Client> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(std::sync::Arc::new(PublicOnly))
        .build()?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    #[tokio::test]
    async fn names_that_resolve_inside_are_refused() {
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }

    #[tokio::test]
    async fn a_self_registered_client_cannot_reach_a_local_server_by_name() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let http = public_only_http().unwrap();
        let sent = http
            .post(format!("http://localhost:{port}/internal"))
            .send()
            .await;
        assert!(sent.is_err(), "{sent:?}");
    }
}
