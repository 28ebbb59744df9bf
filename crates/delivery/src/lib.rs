//! Sending codes and notices: email over SMTP (lettre), SMS through an HTTP provider
//! (Twilio-compatible form POST). The `log` modes write the message to the log instead; they
//! are for development, where the developer reads codes from the console.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;

use std::time::Duration;

use anyhow::Context;
use askama::Template;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{DeliverySettings, EmailDelivery, SmsDelivery, SmtpTls};

#[derive(Template)]
#[template(path = "email/verification_code.txt")]
struct CodeEmail<'a> {
    code: &'a str,
    app_name: &'a str,
    minutes: i64,
    purpose: &'a str,
}

#[derive(Template)]
#[template(path = "email/sign_in_link.txt")]
struct LinkEmail<'a> {
    link: &'a str,
    app_name: &'a str,
    minutes: i64,
    purpose: &'a str,
}

/// A message as the test outbox keeps it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxMessage {
    pub channel: &'static str,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub sent_at_ms: u128,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct SignUpInvitationEmail<'a> {
    app_name: &'a str,
    link: &'a str,
    days: i64,
}

#[derive(Template)]
#[template(path = "email/organization_invitation.txt")]
struct InvitationEmail<'a> {
    inviter: &'a str,
    organization: &'a str,
    app_name: &'a str,
    link: &'a str,
    days: i64,
}

#[derive(Template)]
#[template(path = "email/security_notice.txt")]
struct NoticeEmail<'a> {
    what: &'a str,
    when: &'a str,
    app_name: &'a str,
}

#[derive(Template)]
#[template(path = "sms/verification_code.txt")]
struct CodeSms<'a> {
    code: &'a str,
    app_name: &'a str,
    minutes: i64,
}

pub struct Delivery {
    email: EmailSender,
    sms: SmsSender,
    /// `[branding] app_name`, which operators can change at run time.
    app_name: std::sync::RwLock<String>,
    /// The last messages sent, for apps' end-to-end tests (`[testing] enabled` only).
    outbox: Option<std::sync::Mutex<std::collections::VecDeque<OutboxMessage>>>,
}

enum EmailSender {
    Log,
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

enum SmsSender {
    Log,
    Http {
        client: reqwest::Client,
        url: String,
        username: String,
        password: Option<secrecy::SecretString>,
        from: String,
    },
}

/// Why a message could not be sent; the flows answer 503 so the user can retry.
#[derive(Debug, thiserror::Error)]
#[error("delivery failed: {0:#}")]
pub struct DeliveryError(#[from] anyhow::Error);

impl Delivery {
    /// `outbox`: keep the last messages for `GET /v1/testing/outbox` (test mode only).
    pub fn new(settings: &DeliverySettings, app_name: &str, outbox: bool) -> anyhow::Result<Self> {
        let email = match settings.email {
            EmailDelivery::Log => EmailSender::Log,
            EmailDelivery::Smtp => {
                let s = &settings.smtp;
                let mut builder = match s.tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    }
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
                }
                .port(s.port)
                .timeout(Some(Duration::from_secs(s.timeout_secs)));
                if !s.username.is_empty() {
                    let password = s
                        .password
                        .as_ref()
                        .map(|p| p.expose_secret().to_owned())
                        .unwrap_or_default();
                    builder = builder.credentials(Credentials::new(s.username.clone(), password));
                }
                EmailSender::Smtp {
                    transport: builder.build(),
                    from: s
                        .from
                        .parse()
                        .with_context(|| format!("[delivery.smtp] from {:?}", s.from))?,
                }
            }
        };
        let sms = match settings.sms {
            SmsDelivery::Log => SmsSender::Log,
            SmsDelivery::Http => {
                let h = &settings.http_sms;
                SmsSender::Http {
                    client: reqwest::Client::builder()
                        .timeout(Duration::from_secs(h.timeout_secs))
                        .build()?,
                    url: h.url.clone(),
                    username: h.username.clone(),
                    password: h.password.clone(),
                    from: h.from.clone(),
                }
            }
        };
        Ok(Self {
            email,
            sms,
            app_name: std::sync::RwLock::new(app_name.to_owned()),
            outbox: outbox.then(Default::default),
        })
    }

    pub fn logs_messages(&self) -> bool {
        matches!(self.email, EmailSender::Log) || matches!(self.sms, SmsSender::Log)
    }

    /// Emails a verification code. `purpose` completes "If you did not try to …".
    pub async fn send_email_code(
        &self,
        to: &str,
        code: &str,
        minutes: i64,
        purpose: &str,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = CodeEmail {
            code,
            app_name: &app_name,
            minutes,
            purpose,
        }
        .render()
        .context("rendering the code email")?;
        let subject = format!("{code} is your {app_name} verification code");
        self.send_email(to, &subject, body).await
    }

    /// Emails a sign-in (or verification) link.
    pub async fn send_email_link(
        &self,
        to: &str,
        link: &str,
        minutes: i64,
        purpose: &str,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = LinkEmail {
            link,
            app_name: &app_name,
            minutes,
            purpose,
        }
        .render()
        .context("rendering the link email")?;
        let subject = format!("Your {app_name} sign-in link");
        self.send_email(to, &subject, body).await
    }

    /// The name messages are signed with.
    pub fn app_name(&self) -> String {
        match self.app_name.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Follows a branding change made at run time.
    pub fn set_app_name(&self, name: &str) {
        let mut g = match self.app_name.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *g != name {
            name.clone_into(&mut g);
        }
    }

    /// The latest messages sent to `to` (newest last), when the outbox is kept.
    pub fn outbox_for(&self, to: &str) -> Option<Vec<OutboxMessage>> {
        let outbox = self.outbox.as_ref()?;
        let list = outbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(
            list.iter()
                .filter(|m| m.to.eq_ignore_ascii_case(to))
                .cloned()
                .collect(),
        )
    }

    /// Keeps a message for the test outbox, when it goes to a test destination. A real
    /// person's codes and links are never kept: the outbox is served without a key, and
    /// keeping them would hand anyone their sign-in.
    fn record(&self, channel: &'static str, to: &str, subject: Option<&str>, body: &str) {
        if !crate::domain::is_test_destination(to) {
            return;
        }
        if let Some(outbox) = &self.outbox {
            let mut list = outbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if list.len() >= 200 {
                list.pop_front();
            }
            list.push_back(OutboxMessage {
                channel,
                to: to.to_owned(),
                subject: subject.map(str::to_owned),
                body: body.to_owned(),
                sent_at_ms: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or_default(),
            });
        }
    }

    /// Tells the user of a change to their account's security ("Your password was changed").
    pub async fn send_security_notice(
        &self,
        to: &str,
        what: &str,
        when: &str,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = NoticeEmail {
            what,
            when,
            app_name: &app_name,
        }
        .render()
        .context("rendering the security notice")?;
        let subject = format!("{app_name} — {what}");
        self.send_email(to, &subject, body).await
    }

    /// Emails an invitation to sign up (an operator's invitation).
    pub async fn send_invitation(
        &self,
        to: &str,
        link: &str,
        days: i64,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = SignUpInvitationEmail {
            app_name: &app_name,
            link,
            days,
        }
        .render()
        .context("rendering the invitation email")?;
        let subject = format!("You are invited to {app_name}");
        self.send_email(to, &subject, body).await
    }

    /// Emails an invitation to join an organization.
    pub async fn send_organization_invitation(
        &self,
        to: &str,
        inviter: &str,
        organization: &str,
        link: &str,
        days: i64,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = InvitationEmail {
            inviter,
            organization,
            app_name: &app_name,
            link,
            days,
        }
        .render()
        .context("rendering the invitation email")?;
        let subject = format!("You are invited to join {organization} on {app_name}");
        self.send_email(to, &subject, body).await
    }

    pub async fn send_sms_code(
        &self,
        to: &str,
        code: &str,
        minutes: i64,
    ) -> Result<(), DeliveryError> {
        let app_name = self.app_name();
        let body = CodeSms {
            code,
            app_name: &app_name,
            minutes,
        }
        .render()
        .context("rendering the code SMS")?;
        self.send_sms(to, body.trim_end()).await
    }

    async fn send_email(&self, to: &str, subject: &str, body: String) -> Result<(), DeliveryError> {
        self.record("email", to, Some(subject), &body);
        match &self.email {
            EmailSender::Log => {
                tracing::info!(target: "portcullis::outbox", %to, %subject, "email (log delivery):\n{body}");
                Ok(())
            }
            EmailSender::Smtp { transport, from } => {
                let message = lettre::Message::builder()
                    .from(from.clone())
                    .to(to.parse().context("recipient address")?)
                    .subject(subject)
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(body)
                    .context("building the email")?;
                transport.send(message).await.context("SMTP send")?;
                Ok(())
            }
        }
    }

    async fn send_sms(&self, to: &str, body: &str) -> Result<(), DeliveryError> {
        self.record("sms", to, None, body);
        match &self.sms {
            SmsSender::Log => {
                tracing::info!(target: "portcullis::outbox", %to, "SMS (log delivery): {body}");
                Ok(())
            }
            SmsSender::Http {
                client,
                url,
                username,
                password,
                from,
            } => {
                let mut req = client
                    .post(url)
                    .form(&[("To", to), ("From", from), ("Body", body)]);
                if !username.is_empty() {
                    req = req.basic_auth(username, password.as_ref().map(|p| p.expose_secret()));
                }
                let resp = req.send().await.context("SMS provider unreachable")?;
                let status = resp.status();
                if !status.is_success() {
                    return Err(anyhow::anyhow!("SMS provider answered {status}").into());
                }
                Ok(())
            }
        }
    }
}
