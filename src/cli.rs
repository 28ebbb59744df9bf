//! Administration from a shell on the server: `portcullis clients …`, `portcullis keys …`,
//! `portcullis users import`.
//! Each command opens the database, applies migrations, and does one thing.

use clap::Subcommand;
use migration::MigratorTrait;

use crate::clock::{Clock, SystemClock};
use crate::config::{ClientSettings, Settings};
use crate::store::{self, oauth};
use portcullis_core::clients::check_settings;
use portcullis_core::keys::{self, KeyEncryption};

#[derive(Subcommand)]
pub enum ClientsCommand {
    /// Adds a client and prints its secret, once.
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// Exact redirect URI; repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// A public client (SPA, native app): no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// Skip the consent screen.
        #[arg(long)]
        first_party: bool,
        /// Allowed scopes (default: openid profile email phone offline_access).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Also allow client_credentials (confidential clients only).
        #[arg(long)]
        client_credentials: bool,
        /// ES256 (default), RS256 or EdDSA.
        #[arg(long, default_value = "ES256")]
        id_token_alg: String,
    },
    /// Lists clients from config.toml and the database.
    List,
    /// Removes a stored client.
    Remove { id: String },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Adds new signing keys that start signing after `--publish-delay-secs` (so verifiers
    /// see them first); the current keys stay published until their tokens expire.
    Rotate {
        #[arg(long, default_value_t = 600)]
        publish_delay_secs: i64,
    },
    /// Lists the signing keys.
    List,
    /// Prints the public key that signs session tokens as PEM: `CLERK_JWT_KEY` for an app's
    /// backend SDK to verify tokens without fetching the JWKS. Print it again after a
    /// rotation.
    SessionPem,
}

/// The key that seals secrets at rest, when `[server] key_encryption_key` is set.
fn sealer(settings: &Settings) -> anyhow::Result<Option<KeyEncryption>> {
    settings
        .server
        .key_encryption_key
        .as_ref()
        .map(KeyEncryption::new)
        .transpose()
}

async fn open(settings: &Settings) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = store::connect(&settings.database).await?;
    migration::Migrator::up(&db, None).await?;
    Ok(db)
}

pub async fn clients(settings: &Settings, command: ClientsCommand) -> anyhow::Result<()> {
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    match command {
        ClientsCommand::Add {
            id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            public,
            first_party,
            scopes,
            client_credentials,
            id_token_alg,
        } => {
            anyhow::ensure!(
                !settings.clients.iter().any(|c| c.client_id == id),
                "{id:?} is declared in the config file; change it there"
            );
            let secret = (!public).then(crate::crypto::random_token);
            let mut c: ClientSettings = serde_json::from_value(serde_json::json!({
                "client_id": id,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
                "first_party": first_party,
                "name": name,
                "id_token_signed_response_alg": id_token_alg,
            }))?;
            if !scopes.is_empty() {
                c.scopes = scopes;
            }
            if client_credentials {
                c.grant_types.push("client_credentials".into());
            }
            c.client_secret = secret.clone().map(Into::into);
            check_settings(&c).map_err(|e| anyhow::anyhow!(e))?;
            let hasher = crate::startup::token_hasher(settings, &db, now).await?;
            let row = oauth::ClientRow {
                client_id: c.client_id.clone(),
                settings: serde_json::to_string(&c)?,
                secret_hash: secret.as_ref().map(|s| hasher.hash("client_secret", s)),
                registration_token_hash: None,
                created_at: now,
                updated_at: now,
            };
            // The client and the change count commit together: running servers see the
            // count move within a second.
            let txn = crate::store::begin(&db).await?;
            oauth::insert_client(&txn, row)
                .await
                .map_err(|e| anyhow::anyhow!("could not add {:?}: {e}", c.client_id))?;
            txn.commit().await?;
            println!("client_id: {}", c.client_id);
            match secret {
                Some(s) => println!("client_secret: {s}\n(shown once; only its hash is stored)"),
                None => println!("public client: no secret; it must use PKCE"),
            }
        }
        ClientsCommand::List => {
            for c in &settings.clients {
                println!("{}\tconfig\t{}", c.client_id, c.redirect_uris.join(" "));
            }
            for row in oauth::list_clients(&db).await? {
                let c: ClientSettings = serde_json::from_str(&row.settings)?;
                let kind = if row.secret_hash.is_some() {
                    "confidential"
                } else {
                    "public"
                };
                println!(
                    "{}\tstored {kind}\t{}",
                    c.client_id,
                    c.redirect_uris.join(" ")
                );
            }
        }
        ClientsCommand::Remove { id } => {
            let txn = crate::store::begin(&db).await?;
            anyhow::ensure!(
                oauth::delete_client(&txn, &id).await?,
                "no stored client {id:?}"
            );
            txn.commit().await?;
            println!("removed {id}");
        }
    }
    Ok(())
}

pub async fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    let kek = sealer(settings)?;
    match command {
        KeysCommand::Rotate { publish_delay_secs } => {
            anyhow::ensure!(
                publish_delay_secs >= 0,
                "--publish-delay-secs cannot be negative"
            );
            for kid in keys::rotate(&db, now, publish_delay_secs, kek.as_ref()).await? {
                println!("new key {kid} signs from {publish_delay_secs} s from now");
            }
        }
        KeysCommand::List => {
            for r in store::keys::keys_in_use(&db, 0).await? {
                let state = match r.retired_at {
                    Some(t) if t <= now => "retired",
                    Some(_) => "retiring",
                    None if r.activates_at > now => "published, not yet signing",
                    None => "signing",
                };
                println!("{}\t{}\t{state}", r.kid, r.alg);
            }
        }
        KeysCommand::SessionPem => print!("{}", keys::session_key_pem(&db, now).await?),
    }
    Ok(())
}

/// What `users import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Portcullis,
    Clerk,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Imports users from a JSON Lines file (`-` for standard input), one user per line, as
    /// `users export` writes them: {"email_addresses": ["…"], "phone_numbers": ["+…"],
    /// "username": "…", "first_name": "…", "last_name": "…", "password_digest": "…",
    /// "password_hasher": "bcrypt", "external_accounts": […], "totp_secret": "BASE32", …}.
    /// Hashers: argon2id, argon2i, bcrypt, scrypt, pbkdf2 (PHC strings), pbkdf2_sha256_django.
    /// Imported addresses count as verified. A user signs in with their old password and is
    /// rehashed to argon2id then. Lines that cannot be imported are reported and skipped.
    /// `--from clerk` reads Clerk's dashboard user export (CSV) instead: users keep their
    /// Clerk ids, verified addresses and numbers, passwords and authenticator apps.
    Import {
        file: std::path::PathBuf,
        /// `portcullis` (JSON Lines, the default) or `clerk` (Clerk's CSV export).
        #[arg(long, default_value = "portcullis")]
        from: ImportFormat,
    },
    /// Writes every user as JSON Lines to FILE (standard output without one). The file holds
    /// password hashes and authenticator secrets: keep it like the database.
    Export { file: Option<std::path::PathBuf> },
    /// Creates a user; prints its id alone on the last line.
    Create {
        #[arg(long = "email")]
        emails: Vec<String>,
        #[arg(long = "phone")]
        phones: Vec<String>,
        #[arg(long)]
        username: Option<String>,
        /// Read from PORTCULLIS_NEW_PASSWORD when not given (keeps it out of shell history).
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Accept a password the instance's rules would refuse.
        #[arg(long)]
        skip_password_checks: bool,
    },
    /// Lists users (id, primary email, username, name), oldest first.
    List {
        /// Only users whose email, phone, username or name contains this.
        #[arg(long)]
        query: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Deletes a user with everything they own.
    Delete { user_id: String },
    /// Invites EMAIL: prints a sign-up link carrying a single-use ticket (the ticket alone
    /// on the last line). The email counts as verified when the invitation is used.
    Invite {
        email: String,
        #[arg(long, default_value_t = 7)]
        expires_in_days: i64,
    },
    /// Makes the user with this verified email address an instance admin: the dashboard at
    /// /dashboard opens to them.
    GrantAdmin { email: String },
    /// Takes the instance-admin role away from the user with this email address.
    RevokeAdmin { email: String },
    /// Prints a single-use sign-in token for USER_ID (strategy "ticket").
    SignInToken {
        user_id: String,
        #[arg(long, default_value_t = 3600)]
        expires_in_secs: i64,
    },
}

#[derive(Subcommand)]
pub enum AdminKeysCommand {
    /// Makes an admin API key and prints it alone on the last line (shown once; only its
    /// hash is stored).
    Create {
        #[arg(long)]
        name: String,
    },
    /// Lists admin keys (never the keys themselves).
    List,
    /// Revokes a key by id or name.
    Revoke { id_or_name: String },
}

pub async fn admin_keys(settings: &Settings, command: AdminKeysCommand) -> anyhow::Result<()> {
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    match command {
        AdminKeysCommand::Create { name } => {
            let hasher = crate::startup::token_hasher(settings, &db, now).await?;
            let (row, key) = crate::flows::admin::create_key(&db, &hasher, &name, now)
                .await
                .map_err(|e| anyhow::anyhow!("could not create the key: {e}"))?;
            println!(
                "admin key {} ({}) created; it is shown once:",
                row.id, row.name
            );
            println!("{key}");
        }
        AdminKeysCommand::List => {
            for k in crate::store::admin::admin_keys(&db).await? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                let used = k.last_used_at.map_or_else(
                    || "never used".to_owned(),
                    |t| format!("last used {}", crate::flows::audit::utc_minute(t)),
                );
                println!("{}	{}	{state}	{used}", k.id, k.name);
            }
        }
        AdminKeysCommand::Revoke { id_or_name } => {
            anyhow::ensure!(
                crate::store::admin::revoke_admin_key(&db, &id_or_name, now).await?,
                "no active admin key {id_or_name:?}"
            );
            println!("revoked {id_or_name}");
        }
    }
    Ok(())
}

/// What `portcullis publishable-key` prints: a key for browser SDKs that want one before they
/// call the Frontend API. It carries no secret: `pk_live_` and the base64 of the public host
/// followed by `$`, which those SDKs decode and check (a dotted host, then `$`).
pub fn publishable_key(settings: &Settings) -> anyhow::Result<String> {
    use base64::Engine;
    let issuer = url::Url::parse(settings.issuer())
        .map_err(|e| anyhow::anyhow!("[server] public_url is not a URL: {e}"))?;
    let host = issuer
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("[server] public_url has no host"))?;
    if !host.contains('.') {
        anyhow::bail!(
            "browser SDKs accept a key only for a dotted host, and [server] public_url's \
             host is {host:?}: use a domain name or an address such as 127.0.0.1"
        );
    }
    let host = match issuer.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{host}$"));
    Ok(format!("pk_live_{encoded}"))
}

/// What `portcullis publishable-key --development` prints: `pk_test_` and the base64 of
/// `portcullis.accounts.dev$`. Browser SDKs switch to their development mode (a client named
/// by `?__clerk_db_jwt=`, see `[server] dev_browser`) only for a host under that suffix. The
/// host itself is never called as long as the app sets `proxyUrl` to Portcullis, which a
/// development key always needs.
pub const DEVELOPMENT_PUBLISHABLE_KEY: &str = "pk_test_cG9ydGN1bGxpcy5hY2NvdW50cy5kZXYk";

/// What `portcullis config check` prints: the settings file is valid, and what the server
/// would do with it.
/// What `config check` verifies beyond the settings themselves: each provider and enterprise
/// connection builds (certificates and inline metadata parse), and each SAML connection's
/// IdP metadata can be fetched and read.
pub async fn check_connections(settings: &Settings) -> anyhow::Result<()> {
    let federation = crate::federation::Federation::new(settings)?;
    let failures = federation.load_saml_metadata().await;
    if let Some((id, e)) = failures.into_iter().next() {
        anyhow::bail!("[[enterprise_connections]] {id:?}: {e}");
    }
    Ok(())
}

pub fn config_summary(settings: &Settings) -> String {
    use crate::config::{EmailDelivery, SmsDelivery};
    let mut out = String::new();
    let db = &settings.database.url;
    let store = if db.starts_with("postgres") {
        "PostgreSQL"
    } else if db.starts_with("sqlite") {
        "SQLite"
    } else {
        "unknown"
    };
    let redacted = crate::store::redact_url(db);
    let _ = std::fmt::Write::write_fmt(
        &mut out,
        format_args!(
            "issuer: {}\nlistening on: {}\ndatabase: {store} ({redacted})\nephemeral store: {}\n",
            settings.issuer(),
            settings.server.bind,
            if settings.redis.url.is_empty() {
                "in-process (one instance only)".to_owned()
            } else {
                "Redis (shared by every instance)".to_owned()
            },
        ),
    );
    let email = match settings.delivery.email {
        EmailDelivery::Smtp => format!(
            "SMTP via {}:{}",
            settings.delivery.smtp.host, settings.delivery.smtp.port
        ),
        other => format!("{other:?}").to_lowercase(),
    };
    let sms = match settings.delivery.sms {
        SmsDelivery::Http => format!("HTTP to {}", settings.delivery.http_sms.url),
        other => format!("{other:?}").to_lowercase(),
    };
    let a = &settings.auth;
    let identifiers: Vec<&str> = [
        ("email_address", a.email_address.enabled()),
        ("phone_number", a.phone_number.enabled()),
        ("username", a.username.enabled()),
        ("web3_wallet", a.web3_wallet.enabled()),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| *n)
    .collect();
    let providers: Vec<&str> = settings.providers.keys().map(String::as_str).collect();
    let _ = std::fmt::Write::write_fmt(
        &mut out,
        format_args!(
            "email delivery: {email}\nsms delivery: {sms}\nidentifiers: {}\nfirst factors: {}\nsecond factors: {}{}\nsign-up mode: {}\nproviders: {}\nenterprise connections: {}\nclients in config: {}\nwebhook endpoints: {}\nmetrics: {}\n",
            identifiers.join(", "),
            a.first_factors.join(", "),
            a.second_factors.join(", "),
            if a.mfa_required { " (required)" } else { "" },
            a.sign_up_mode.as_str(),
            if providers.is_empty() {
                "none".to_owned()
            } else {
                providers.join(", ")
            },
            settings.enterprise_connections.len(),
            settings.clients.len(),
            settings.webhooks.endpoints.len(),
            if settings.metrics.enabled {
                "/metrics"
            } else {
                "off"
            },
        ),
    );
    out
}

/// `users grant-admin EMAIL` / `users revoke-admin EMAIL`.
async fn admin_role(settings: &Settings, email: &str, grant: bool) -> anyhow::Result<()> {
    let ctx = crate::startup::build_ctx(settings.clone(), std::sync::Arc::new(SystemClock)).await?;
    let cli = crate::flows::admin::Admin::cli();
    let user = crate::flows::admin::user_by_email(&ctx, email)
        .await
        .map_err(|e| anyhow::anyhow!("{email}: {}", flow_message(e)))?;
    let id = crate::domain::UserId::from_stored(user.user.id.clone());
    let changed = if grant {
        crate::flows::admin::grant_admin(&ctx, &cli, &id).await
    } else {
        crate::flows::admin::revoke_admin(&ctx, &cli, &id).await
    }
    .map_err(|e| anyhow::anyhow!("{}", flow_message(e)))?;
    let id = id.as_str();
    match (grant, changed) {
        (true, true) => println!("{email} ({id}) is now an instance admin"),
        (true, false) => println!("{email} ({id}) was already an instance admin"),
        (false, true) => println!("{email} ({id}) is no longer an instance admin"),
        (false, false) => println!("{email} ({id}) was not an instance admin"),
    }
    Ok(())
}

pub async fn users(settings: &Settings, command: UsersCommand) -> anyhow::Result<()> {
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    let kek = sealer(settings)?;
    match command {
        UsersCommand::Import { file, from } => {
            let data = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
                buf
            } else {
                std::fs::read(&file)
                    .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?
            };
            // Each entry: where it is in the file, and the user or why it cannot be read.
            let mut entries: Vec<(String, anyhow::Result<crate::flows::portability::UserLine>)> =
                Vec::new();
            let mut left_out = 0usize;
            match from {
                ImportFormat::Portcullis => {
                    let text = String::from_utf8(data)
                        .map_err(|_| anyhow::anyhow!("the file is not UTF-8 text"))?;
                    for (n, line) in text.lines().enumerate() {
                        if !line.trim().is_empty() {
                            entries.push((
                                format!("line {}", n + 1),
                                serde_json::from_str(line).map_err(Into::into),
                            ));
                        }
                    }
                }
                ImportFormat::Clerk => {
                    for row in crate::flows::portability::clerk_csv::read(&data)
                        .map_err(|e| anyhow::anyhow!(e))?
                    {
                        left_out += row.unverified_left_out;
                        entries.push((
                            format!("row {}", row.line),
                            row.user.map_err(|e| anyhow::anyhow!(e)),
                        ));
                    }
                }
            }
            let (mut imported, mut skipped) = (0usize, 0usize);
            for (place, user) in entries {
                // One transaction per user: a taken address skips that user and nothing else.
                let result = match user {
                    Ok(u) => {
                        crate::flows::portability::import_user(
                            &db,
                            kek.as_ref(),
                            u,
                            SystemClock.now_ms(),
                        )
                        .await
                    }
                    Err(e) => Err(e),
                };
                match result {
                    Ok(_) => imported += 1,
                    Err(e) => {
                        eprintln!("{place}: skipped: {e}");
                        skipped += 1;
                    }
                }
            }
            if left_out > 0 {
                eprintln!(
                    "{left_out} unverified email addresses or phone numbers were left out: \
                     an imported one counts as verified"
                );
            }
            println!("imported {imported} users, skipped {skipped}");
        }
        UsersCommand::Export { file } => {
            let n = match file {
                Some(path) => {
                    let mut out = std::io::BufWriter::new(
                        std::fs::File::create(&path)
                            .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?,
                    );
                    let n = crate::flows::portability::export(&db, kek.as_ref(), &mut out).await?;
                    std::io::Write::flush(&mut out)?;
                    n
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    let n = crate::flows::portability::export(&db, kek.as_ref(), &mut out).await?;
                    std::io::Write::flush(&mut out)?;
                    n
                }
            };
            eprintln!("exported {n} users");
        }
        UsersCommand::Create {
            emails,
            phones,
            username,
            password,
            first_name,
            last_name,
            skip_password_checks,
        } => {
            let ctx = crate::startup::build_ctx(settings.clone(), std::sync::Arc::new(SystemClock))
                .await?;
            let password = password.or_else(|| std::env::var("PORTCULLIS_NEW_PASSWORD").ok());
            let input = crate::flows::admin::CreateUser {
                email_address: emails,
                phone_number: phones,
                username,
                password,
                first_name,
                last_name,
                skip_password_checks,
                skip_password_requirement: false,
                ..Default::default()
            };
            match crate::flows::admin::create_user(&ctx, &crate::flows::admin::Admin::cli(), input)
                .await
            {
                Ok(u) => println!("created user\n{}", u.user.id),
                Err(e) => anyhow::bail!("{}", flow_message(e)),
            }
        }
        UsersCommand::List { query, limit } => {
            let ctx = crate::startup::build_ctx(settings.clone(), std::sync::Arc::new(SystemClock))
                .await?;
            let (users, _) = crate::flows::admin::list_users(&ctx, query.as_deref(), None, limit)
                .await
                .map_err(|e| anyhow::anyhow!("{}", flow_message(e)))?;
            for u in users {
                let email = u.primary_email().map_or("-", |e| e.email_address.as_str());
                let name = u.full_name();
                println!(
                    "{}\t{email}\t{}\t{name}",
                    u.user.id,
                    u.user.username.as_deref().unwrap_or("-")
                );
            }
        }
        UsersCommand::GrantAdmin { email } => admin_role(settings, &email, true).await?,
        UsersCommand::RevokeAdmin { email } => admin_role(settings, &email, false).await?,
        UsersCommand::Delete { user_id } => {
            let ctx = crate::startup::build_ctx(settings.clone(), std::sync::Arc::new(SystemClock))
                .await?;
            let id = crate::domain::UserId::from_stored(user_id.clone());
            crate::flows::admin::delete_user(&ctx, &crate::flows::admin::Admin::cli(), &id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", flow_message(e)))?;
            println!("deleted {user_id}");
        }
        UsersCommand::Invite {
            email,
            expires_in_days,
        } => {
            let email = crate::domain::EmailAddress::parse(&email)
                .map_err(|e| anyhow::anyhow!("{email:?}: {e}"))?;
            anyhow::ensure!(expires_in_days > 0, "--expires-in-days must be positive");
            let hasher = crate::startup::token_hasher(settings, &db, now).await?;
            let token = crate::flows::tickets::create(
                &db,
                &hasher,
                crate::flows::tickets::INVITATION,
                Some(email.as_ref().to_owned()),
                None,
                expires_in_days * 86_400,
                now,
            )
            .await?;
            println!(
                "{}/sign-up?__clerk_ticket={token}\n{token}",
                settings.issuer()
            );
        }
        UsersCommand::SignInToken {
            user_id,
            expires_in_secs,
        } => {
            anyhow::ensure!(
                crate::store::users::get_user(&db, &user_id)
                    .await?
                    .is_some(),
                "no user {user_id:?}"
            );
            anyhow::ensure!(expires_in_secs > 0, "--expires-in-secs must be positive");
            let hasher = crate::startup::token_hasher(settings, &db, now).await?;
            let token = crate::flows::tickets::create(
                &db,
                &hasher,
                crate::flows::tickets::SIGN_IN,
                None,
                Some(user_id),
                expires_in_secs,
                now,
            )
            .await?;
            println!("{token}");
        }
    }
    Ok(())
}

/// A flow failure in words for the terminal.
fn flow_message(e: crate::flows::FlowError) -> String {
    match e {
        crate::flows::FlowError::Api(api) => match api.param {
            Some(p) => format!("{} ({p}): {}", api.code.as_str(), api.long_message),
            None => format!("{}: {}", api.code.as_str(), api.long_message),
        },
        other => format!("{other:#}"),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::publishable_key;
    use crate::config::Settings;

    fn key_for(public_url: &str) -> anyhow::Result<String> {
        let mut settings = Settings::default();
        settings.server.public_url = public_url.into();
        publishable_key(&settings)
    }

    fn decoded(key: &str) -> String {
        let b64 = key.strip_prefix("pk_live_").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        String::from_utf8(raw).unwrap()
    }

    #[test]
    fn publishable_keys_carry_the_public_host() {
        assert_eq!(
            decoded(&key_for("https://id.example.com").unwrap()),
            "id.example.com$"
        );
        assert_eq!(
            decoded(&key_for("http://127.0.0.1:3000/").unwrap()),
            "127.0.0.1:3000$"
        );
        // Worked out by hand: base64("clerk.example.com$"), padding and all.
        assert_eq!(
            key_for("https://clerk.example.com").unwrap(),
            "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"
        );
        assert_eq!(
            decoded(&super::DEVELOPMENT_PUBLISHABLE_KEY.replace("pk_test_", "pk_live_")),
            "portcullis.accounts.dev$"
        );
        assert!(
            key_for("http://localhost:3000").is_err(),
            "not a dotted host"
        );
    }
}
