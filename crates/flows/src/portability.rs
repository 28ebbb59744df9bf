//! Users in and out as JSON Lines, one user per line: `portcullis users export` writes what
//! `portcullis users import` reads, so a user base moves between instances (or from another
//! system) with identifications, names, metadata, password hashes, linked accounts and
//! authenticator apps intact.
//!
//! An export holds password hashes and authenticator secrets in the clear (secrets sealed
//! with `[server] key_encryption_key` are opened): treat the file like the database.
//! Backup codes are not exported: they are keyed to the instance, so users make new ones.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto::ImportedHash;
use crate::domain::{EmailAddress, PhoneNumber, Username, new_id};
use crate::store::admin::{self as repo, Cursor};
use crate::store::external::ExternalAccountRow;
use crate::store::users::{self, NewUser, UserRecord};
use portcullis_core::keys::KeyEncryption;

pub mod clerk_csv;

/// One line of an export or import file. Every field is optional but one identifier.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserLine {
    /// Kept on import when it is free, so references from other systems stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// One address (older import files); `email_addresses` holds any number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web3_wallets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Value>,
    /// The app's own id for the user (Clerk's `external_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The language the user reads (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_accounts: Vec<ExternalLine>,
    /// The base32 secret of a verified authenticator app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub banned: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalLine {
    pub provider: String,
    pub provider_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Checks a digest against the hasher its line names.
pub fn check_digest(hasher: &str, digest: &str) -> anyhow::Result<()> {
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

/// The hasher name of a stored digest.
fn hasher_of(digest: &str) -> &'static str {
    match ImportedHash::detect(digest) {
        Some(ImportedHash::Bcrypt) => "bcrypt",
        Some(ImportedHash::Scrypt) => "scrypt",
        Some(ImportedHash::Pbkdf2Phc) => "pbkdf2",
        Some(ImportedHash::Pbkdf2Django) => "pbkdf2_sha256_django",
        None if digest.starts_with("$argon2i$") => "argon2i",
        None => "argon2id",
    }
}

fn metadata(raw: &str) -> Option<Value> {
    serde_json::from_str::<Value>(raw)
        .ok()
        .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()))
}

fn line_of(u: &UserRecord, totp_secret: Option<String>) -> UserLine {
    let m = &u.user;
    let verified_first = |primary: &Option<String>, id: &str| primary.as_deref() != Some(id);
    let mut emails: Vec<_> = u.emails.iter().filter(|e| e.verified).collect();
    emails.sort_by_key(|e| verified_first(&m.primary_email_address_id, &e.id));
    let mut phones: Vec<_> = u.phones.iter().filter(|p| p.verified).collect();
    phones.sort_by_key(|p| verified_first(&m.primary_phone_number_id, &p.id));
    UserLine {
        id: Some(m.id.clone()),
        email_address: None,
        email_addresses: emails.iter().map(|e| e.email_address.clone()).collect(),
        phone_number: None,
        phone_numbers: phones.iter().map(|p| p.phone_number.clone()).collect(),
        web3_wallets: u
            .wallets
            .iter()
            .filter(|w| w.verified)
            .map(|w| w.web3_wallet.clone())
            .collect(),
        username: m.username.clone(),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        password_hasher: m.password_hash.as_deref().map(|d| hasher_of(d).to_owned()),
        password_digest: m.password_hash.clone(),
        public_metadata: metadata(&m.public_metadata),
        private_metadata: metadata(&m.private_metadata),
        external_id: m.external_id.clone(),
        locale: m.locale.clone(),
        unsafe_metadata: metadata(&m.unsafe_metadata),
        external_accounts: u
            .external
            .iter()
            .map(|x| ExternalLine {
                provider: x.provider.clone(),
                provider_user_id: x.provider_user_id.clone(),
                email_address: x.email_address.clone(),
                email_verified: x.email_verified,
                first_name: x.first_name.clone(),
                last_name: x.last_name.clone(),
                username: x.username.clone(),
            })
            .collect(),
        totp_secret,
        banned: m.banned,
        locked: m.locked,
        created_at: Some(m.created_at),
    }
}

/// Writes every user, oldest first, one JSON line each, to `out`; returns how many.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(
    db: &DatabaseConnection,
    kek: Option<&KeyEncryption>,
    out: &mut impl std::io::Write,
) -> anyhow::Result<usize> {
    let mut after: Option<Cursor> = None;
    let mut n = 0;
    loop {
        let page = repo::user_ids_page(db, None, after.as_ref(), 500).await?;
        let Some((last_id, last_at)) = page.last().cloned() else {
            break;
        };
        let ids: Vec<String> = page.into_iter().map(|(id, _)| id).collect();
        let totp = crate::store::factors::verified_totp_secrets(db, &ids).await?;
        for u in users::load_users(db, &ids).await? {
            let secret = match totp.get(&u.user.id) {
                Some(stored) => Some(portcullis_core::keys::open_if_sealed(
                    stored,
                    kek,
                    "authenticator secrets",
                )?),
                None => None,
            };
            serde_json::to_writer(&mut *out, &line_of(&u, secret))?;
            out.write_all(b"\n")?;
            n += 1;
        }
        after = Some(Cursor {
            created_at: last_at,
            id: last_id,
        });
    }
    Ok(n)
}

/// Imports one JSON line (a `UserLine`) in its own transaction; returns the new user's id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn import_line(
    db: &DatabaseConnection,
    kek: Option<&KeyEncryption>,
    line: &str,
    now: i64,
) -> anyhow::Result<String> {
    import_user(db, kek, serde_json::from_str(line)?, now).await
}

/// Imports one user in its own transaction; returns its id (the given one when it is free).
/// A taken identifier fails the user and leaves nothing behind.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn import_user(
    db: &DatabaseConnection,
    kek: Option<&KeyEncryption>,
    u: UserLine,
    now: i64,
) -> anyhow::Result<String> {
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
    for raw in u.phone_number.iter().chain(u.phone_numbers.iter()) {
        let p = PhoneNumber::parse(raw).map_err(|e| anyhow::anyhow!("phone {raw:?}: {e}"))?;
        phones.push((
            new_id("idn_phone"),
            p.as_ref().to_owned(),
            "imported".to_owned(),
        ));
    }
    let mut wallets = Vec::new();
    for raw in &u.web3_wallets {
        let w = crate::domain::web3::Address::parse(raw)
            .map_err(|e| anyhow::anyhow!("wallet {raw:?}: {e}"))?;
        wallets.push((
            new_id("idn_web3"),
            w.as_ref().to_owned(),
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
        !emails.is_empty() || !phones.is_empty() || username.is_some() || !wallets.is_empty(),
        "a user needs an email address, phone number, username or wallet"
    );
    let password_hash = match (&u.password_digest, &u.password_hasher) {
        (Some(d), Some(h)) => {
            check_digest(h, d)?;
            Some(d.clone())
        }
        (None, None) => None,
        _ => anyhow::bail!("password_digest and password_hasher come together"),
    };
    let as_object = |v: &Option<Value>, name: &str| -> anyhow::Result<Option<String>> {
        match v {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v.to_string())),
            Some(_) => anyhow::bail!("{name} must be a JSON object"),
        }
    };
    let public_metadata = as_object(&u.public_metadata, "public_metadata")?;
    let unsafe_metadata = as_object(&u.unsafe_metadata, "unsafe_metadata")?;
    let private_metadata = as_object(&u.private_metadata, "private_metadata")?;
    let external_id = match u.external_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(x) if x.len() <= 255 => Some(x.to_owned()),
        Some(_) => anyhow::bail!("external_id is longer than 255 characters"),
    };
    let totp_secret = match &u.totp_secret {
        Some(s) => {
            let normalised = s.trim().to_uppercase();
            anyhow::ensure!(
                crate::domain::totp::decode_secret(&normalised).is_some_and(|b| b.len() >= 10),
                "totp_secret is not a base32 secret of at least 80 bits"
            );
            Some(portcullis_core::keys::seal_if(kek, normalised)?)
        }
        None => None,
    };
    let id = match &u.id {
        Some(id)
            if id.starts_with("user_")
                && id.len() <= 64
                && users::load_user(db, id).await?.is_none() =>
        {
            id.clone()
        }
        _ => new_id("user"),
    };
    let created_at = u.created_at.filter(|t| *t > 0 && *t <= now).unwrap_or(now);
    let new = NewUser {
        id: id.clone(),
        username,
        first_name: u.first_name,
        last_name: u.last_name,
        password_hash,
        unsafe_metadata: unsafe_metadata.unwrap_or_else(|| "{}".into()),
        public_metadata: public_metadata.unwrap_or_else(|| "{}".into()),
        private_metadata: private_metadata.unwrap_or_else(|| "{}".into()),
        external_id,
        locale: crate::admin::locale_tag(u.locale)?,
        legal_accepted_at: None,
        signed_in: false,
        emails,
        phones,
        wallets,
        now: created_at,
    };
    let txn = crate::store::begin(db).await?;
    let written = write(
        &txn,
        new,
        &u.external_accounts,
        totp_secret,
        (u.banned, u.locked),
        created_at,
    )
    .await;
    match written {
        Ok(()) => {
            txn.commit().await?;
            Ok(id)
        }
        Err(e) => {
            txn.rollback().await?;
            match e.downcast_ref::<sea_orm::DbErr>() {
                Some(db) if crate::store::is_unique_violation(db) => anyhow::bail!(
                    "an email address, phone number, username, wallet, external id or linked account is already taken"
                ),
                _ => Err(e),
            }
        }
    }
}

async fn write(
    txn: &impl ConnectionTrait,
    new: NewUser,
    external: &[ExternalLine],
    totp_secret: Option<String>,
    (banned, locked): (bool, bool),
    now: i64,
) -> anyhow::Result<()> {
    let id = new.id.clone();
    users::insert_user(txn, new).await?;
    for x in external {
        anyhow::ensure!(
            !x.provider.is_empty() && !x.provider_user_id.is_empty(),
            "external accounts need provider and provider_user_id"
        );
        crate::store::external::insert(
            txn,
            ExternalAccountRow {
                id: new_id("eac"),
                user_id: id.clone(),
                provider: x.provider.clone(),
                provider_user_id: x.provider_user_id.clone(),
                email_address: x.email_address.clone(),
                email_verified: x.email_verified,
                first_name: x.first_name.clone(),
                last_name: x.last_name.clone(),
                username: x.username.clone(),
                image_url: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    }
    if let Some(secret) = totp_secret {
        crate::store::factors::replace_totp(
            txn,
            crate::store::factors::TotpRow {
                id: new_id("totp"),
                user_id: id.clone(),
                secret,
                verified: true,
                last_used_step: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    }
    if banned || locked {
        repo::set_user_flag(txn, &id, Some(banned), Some(locked), now).await?;
    }
    Ok(())
}
