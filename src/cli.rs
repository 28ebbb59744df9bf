//! Administration from a shell on the server: `portcullis clients …`, `portcullis keys …`,
//! `portcullis users import`.
//! Each command opens the database, applies migrations, and does one thing.

use clap::Subcommand;
use migration::MigratorTrait;

use crate::clock::{Clock, SystemClock};
use crate::config::{ClientSettings, Settings};
use crate::oidc::clients::check_settings;
use crate::oidc::keys::{self, KeyEncryption};
use crate::store::{self, oauth};

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
            oauth::insert_client(&db, row)
                .await
                .map_err(|e| anyhow::anyhow!("could not add {:?}: {e}", c.client_id))?;
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
            anyhow::ensure!(
                oauth::delete_client(&db, &id).await?,
                "no stored client {id:?}"
            );
            println!("removed {id}");
        }
    }
    Ok(())
}

pub async fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    let kek = settings
        .server
        .key_encryption_key
        .as_ref()
        .map(KeyEncryption::new);
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
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Imports users from a JSON Lines file, one user per line:
    /// {"email_address": "…", "phone_number": "+…", "username": "…", "first_name": "…",
    ///  "last_name": "…", "password_digest": "…", "password_hasher": "bcrypt"}.
    /// Hashers: argon2id, argon2i, bcrypt, scrypt, pbkdf2 (PHC strings), pbkdf2_sha256_django.
    /// Imported addresses count as verified. A user signs in with their old password and is
    /// rehashed to argon2id then. Lines that cannot be imported are reported and skipped.
    Import { file: std::path::PathBuf },
    /// Invites EMAIL: prints a sign-up link carrying a single-use ticket (the ticket alone
    /// on the last line). The email counts as verified when the invitation is used.
    Invite {
        email: String,
        #[arg(long, default_value_t = 7)]
        expires_in_days: i64,
    },
    /// Prints a single-use sign-in token for USER_ID (strategy "ticket").
    SignInToken {
        user_id: String,
        #[arg(long, default_value_t = 3600)]
        expires_in_secs: i64,
    },
}

/// One line of an import file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedUser {
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default)]
    email_addresses: Vec<String>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    password_digest: Option<String>,
    #[serde(default)]
    password_hasher: Option<String>,
}

/// Checks a digest against the hasher its line names.
fn check_digest(hasher: &str, digest: &str) -> anyhow::Result<()> {
    use crate::crypto::ImportedHash;
    let ok = match hasher {
        "argon2id" => digest.starts_with("$argon2id$"),
        "argon2i" => digest.starts_with("$argon2i$"),
        "bcrypt" => ImportedHash::detect(digest) == Some(ImportedHash::Bcrypt),
        "scrypt" => ImportedHash::detect(digest) == Some(ImportedHash::Scrypt),
        "pbkdf2" | "pbkdf2_sha256" | "pbkdf2_sha512" => {
            ImportedHash::detect(digest) == Some(ImportedHash::Pbkdf2Phc)
        }
        "pbkdf2_sha256_django" => ImportedHash::detect(digest) == Some(ImportedHash::Pbkdf2Django),
        other => anyhow::bail!("unknown password_hasher {other:?}"),
    };
    anyhow::ensure!(ok, "password_digest is not a {hasher} hash");
    if let Some(kind) = ImportedHash::detect(digest) {
        anyhow::ensure!(kind.well_formed(digest), "password_digest is malformed");
    } else {
        argon2::password_hash::PasswordHash::new(digest)
            .map_err(|e| anyhow::anyhow!("password_digest is malformed: {e}"))?;
    }
    Ok(())
}

fn import_line(line: &str, now: i64) -> anyhow::Result<crate::store::users::NewUser> {
    use crate::domain::{EmailAddress, PhoneNumber, Username, new_id};
    let u: ImportedUser = serde_json::from_str(line)?;
    let mut emails = Vec::new();
    for raw in u.email_address.iter().chain(u.email_addresses.iter()) {
        let e = EmailAddress::parse(raw).map_err(|e| anyhow::anyhow!("email {raw:?}: {e}"))?;
        emails.push((
            new_id("idn_email"),
            e.as_ref().to_owned(),
            "imported".to_owned(),
        ));
    }
    let mut phones = Vec::new();
    if let Some(raw) = &u.phone_number {
        let p = PhoneNumber::parse(raw).map_err(|e| anyhow::anyhow!("phone {raw:?}: {e}"))?;
        phones.push((
            new_id("idn_phone"),
            p.as_ref().to_owned(),
            "imported".to_owned(),
        ));
    }
    let username = match &u.username {
        Some(raw) => Some(
            Username::parse(raw)
                .map_err(|e| anyhow::anyhow!("username {raw:?}: {e}"))?
                .as_ref()
                .to_owned(),
        ),
        None => None,
    };
    anyhow::ensure!(
        !emails.is_empty() || !phones.is_empty() || username.is_some(),
        "a user needs an email address, phone number or username"
    );
    let password_hash = match (&u.password_digest, &u.password_hasher) {
        (Some(d), Some(h)) => {
            check_digest(h, d)?;
            Some(d.clone())
        }
        (None, None) => None,
        _ => anyhow::bail!("password_digest and password_hasher come together"),
    };
    Ok(crate::store::users::NewUser {
        id: new_id("user"),
        username,
        first_name: u.first_name,
        last_name: u.last_name,
        password_hash,
        unsafe_metadata: "{}".into(),
        legal_accepted_at: None,
        emails,
        phones,
        wallets: Vec::new(),
        now,
    })
}

pub async fn users(settings: &Settings, command: UsersCommand) -> anyhow::Result<()> {
    use sea_orm::TransactionTrait;
    let db = open(settings).await?;
    let now = SystemClock.now_ms();
    let file = match command {
        UsersCommand::Import { file } => file,
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
            return Ok(());
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
            return Ok(());
        }
    };
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let (mut imported, mut skipped) = (0usize, 0usize);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let now = SystemClock.now_ms();
        let new = match import_line(line, now) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("line {}: skipped: {e}", n + 1);
                skipped += 1;
                continue;
            }
        };
        // One transaction per user: a taken address skips that user and nothing else.
        let txn = db.begin().await?;
        match crate::store::users::insert_user(&txn, new).await {
            Ok(()) => {
                txn.commit().await?;
                imported += 1;
            }
            Err(e) => {
                txn.rollback().await?;
                let why = if store::is_unique_violation(&e) {
                    "an email address, phone number or username is already taken".to_owned()
                } else {
                    e.to_string()
                };
                eprintln!("line {}: skipped: {why}", n + 1);
                skipped += 1;
            }
        }
    }
    println!("imported {imported} users, skipped {skipped}");
    Ok(())
}
