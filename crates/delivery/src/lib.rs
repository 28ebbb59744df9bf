//! Sending codes and notices: email over SMTP (lettre), SMS through an HTTP provider
//! (Twilio-compatible form POST). The `log` modes write the message to the log instead; they
//! are for development, where the developer reads codes from the console.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;
use portcullis_i18n as i18n;

use std::time::Duration;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{DeliverySettings, EmailDelivery, SmsDelivery, SmtpTls};
use crate::i18n::{Arg, Locale};

/// A message as the test outbox keeps it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxMessage {
    pub channel: &'static str,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub sent_at_ms: u128,
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

    /// Emails a verification code, in the recipient's language. `purpose` is the id of the
    /// words completing "If you did not try to …" (`purpose-sign-in`).
    pub async fn send_email_code(
        &self,
        to: &str,
        locale: Locale,
        code: &str,
        minutes: i64,
        purpose: &str,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let purpose = locale.text(purpose);
        let args = [
            ("code", Arg::from(code)),
            ("app", Arg::from(app.as_str())),
            ("minutes", Arg::from(minutes)),
            ("purpose", Arg::from(purpose)),
        ];
        let subject = locale.format("email-code-subject", &args);
        let body = locale.format("email-code-body", &args);
        self.send_email(to, &subject, body).await
    }

    /// Emails a sign-in (or verification) link, in the recipient's language.
    pub async fn send_email_link(
        &self,
        to: &str,
        locale: Locale,
        link: &str,
        minutes: i64,
        purpose: &str,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let purpose = locale.text(purpose);
        let args = [
            ("link", Arg::from(link)),
            ("app", Arg::from(app.as_str())),
            ("minutes", Arg::from(minutes)),
            ("purpose", Arg::from(purpose)),
        ];
        let subject = locale.format("email-link-subject", &args);
        let body = locale.format("email-link-body", &args);
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

    /// Tells the user of a change to their account's security, in their language. `notice`
    /// is the id of what happened (`notice-password-changed`).
    pub async fn send_security_notice(
        &self,
        to: &str,
        locale: Locale,
        notice: &str,
        when: &str,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let args = [
            ("what", Arg::from(locale.text(notice))),
            ("app", Arg::from(app.as_str())),
            ("when", Arg::from(when)),
        ];
        let subject = locale.format("email-notice-subject", &args);
        let body = locale.format("email-notice-body", &args);
        self.send_email(to, &subject, body).await
    }

    /// Emails an invitation to sign up (an operator's invitation).
    pub async fn send_invitation(
        &self,
        to: &str,
        locale: Locale,
        link: &str,
        days: i64,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let args = [
            ("app", Arg::from(app.as_str())),
            ("link", Arg::from(link)),
            ("days", Arg::from(days)),
        ];
        let subject = locale.format("email-invitation-subject", &args);
        let body = locale.format("email-invitation-body", &args);
        self.send_email(to, &subject, body).await
    }

    /// Emails an invitation to join an organization.
    #[allow(
        clippy::too_many_arguments,
        reason = "each is a distinct part of the message"
    )]
    pub async fn send_organization_invitation(
        &self,
        to: &str,
        locale: Locale,
        inviter: &str,
        organization: &str,
        link: &str,
        days: i64,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let args = [
            ("inviter", Arg::from(inviter)),
            ("organization", Arg::from(organization)),
            ("app", Arg::from(app.as_str())),
            ("link", Arg::from(link)),
            ("days", Arg::from(days)),
        ];
        let subject = locale.format("email-org-invitation-subject", &args);
        let body = locale.format("email-org-invitation-body", &args);
        self.send_email(to, &subject, body).await
    }

    /// Texts a verification code, in the recipient's language.
    pub async fn send_sms_code(
        &self,
        to: &str,
        locale: Locale,
        code: &str,
        minutes: i64,
    ) -> Result<(), DeliveryError> {
        let app = self.app_name();
        let args = [
            ("code", Arg::from(code)),
            ("app", Arg::from(app.as_str())),
            ("minutes", Arg::from(minutes)),
        ];
        self.send_sms(to, &locale.format("sms-code", &args)).await
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
