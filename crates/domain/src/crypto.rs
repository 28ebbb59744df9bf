//! Secrets: random tokens and codes, their keyed hashes, and password hashing.

use std::sync::Arc;

use std::sync::Mutex;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2): BASE64URL(SHA256(verifier)).
pub fn pkce_s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    Sha256::digest(bytes).into()
}

/// Unpadded base64url (RFC 4648 §5).
pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// 32 random bytes, base64url: client tokens and other bearer secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A six-digit one-time code from the OS CSPRNG, uniform over 000000–999999.
pub fn random_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// `len` characters drawn uniformly from `alphabet` by the OS CSPRNG (for codes a person
/// types, such as the device grant's user codes).
pub fn random_from(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[rand::rngs::OsRng.gen_range(0..alphabet.len())]))
        .collect()
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Keyed hash (HMAC-SHA256) for high-entropy tokens and short-lived codes. A slow hash buys
/// nothing for a 256-bit token, and a code lives ten minutes behind an attempt limit; the key
/// keeps a leaked table useless without the instance secret.
#[derive(Clone)]
pub struct KeyedHasher {
    key: Arc<[u8]>,
}

impl KeyedHasher {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.into() }
    }

    /// `purpose` separates domains, so a client token's hash can never match a code's.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex_encode(&mac.finalize().into_bytes())
    }

    /// Constant-time check of `value` against a stored hash.
    pub fn verify(&self, purpose: &str, value: &str, stored: &str) -> bool {
        let computed = self.hash(purpose, value);
        computed.as_bytes().ct_eq(stored.as_bytes()).into()
    }
}

// HMAC accepts keys of any length, so `new_from_slice` cannot fail.
fn unreachable_hmac() -> Hmac<Sha256> {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of every length")]
    <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("HMAC key of 32 bytes")
}

pub fn hex_encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// argon2id on the blocking pool, at most `permits` at once, so a burst of sign-ins can
/// neither starve the async executor nor queue unbounded CPU work.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<HasherInner>,
}

struct HasherInner {
    pepper: Option<SecretString>,
    permits: Semaphore,
    params: Params,
    /// A real hash of a random password: unknown identifiers are checked against it so they
    /// take as long as known ones.
    dummy: String,
    /// argon2 work areas (19 MiB each), reused: at most one per permit ever exists. Fresh
    /// allocations per hash would stay resident in the allocator's per-thread arenas and grow
    /// the process by tens of megabytes under load.
    work_areas: Mutex<Vec<Vec<Block>>>,
}

/// OWASP's argon2id floor (m=19 MiB, t=2, p=1).
pub fn default_params() -> Params {
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

/// A well-formed argon2id hash with the standard parameters and random salt and output.
/// Checking a password against it costs exactly what a real check costs, and can never
/// succeed; nothing needs hashing at start-up to make it.
fn dummy_hash(params: &Params) -> anyhow::Result<String> {
    let salt =
        SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&random_bytes::<32>()).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(phc.to_string())
}

impl PasswordHasher {
    pub fn new(pepper: Option<SecretString>, concurrency: usize) -> anyhow::Result<Self> {
        let permits = if concurrency == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            concurrency
        };
        let params = default_params();
        let dummy = dummy_hash(&params)?;
        Ok(Self {
            inner: Arc::new(HasherInner {
                pepper,
                permits: Semaphore::new(permits),
                params,
                dummy,
                work_areas: Mutex::new(Vec::new()),
            }),
        })
    }

    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        self.on_pool(move |inner| inner.hash_blocking(password.expose_secret()))
            .await
    }

    /// Runs `f` on the blocking pool once a permit is free, counting the queue and the hashes
    /// in progress for `/metrics`.
    async fn on_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce(&HasherInner) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let metrics = crate::metrics::global();
        metrics.argon2_waiting(1);
        let permit = self.inner.permits.acquire().await;
        metrics.argon2_waiting(-1);
        let _permit = permit?;
        let inner = self.inner.clone();
        metrics.argon2_running(1);
        let result = tokio::task::spawn_blocking(move || f(&inner)).await;
        metrics.argon2_running(-1);
        result?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown user, or a user
    /// without a password) it spends the same time and answers false.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
    ) -> anyhow::Result<bool> {
        self.on_pool(move |inner| {
            let (hash, real) = match stored {
                Some(h) => (h, true),
                None => (inner.dummy.clone(), false),
            };
            let ok = inner.verify_blocking(password.expose_secret(), &hash)?;
            Ok(ok && real)
        })
        .await
    }
}

impl PasswordHasher {
    /// Whether `stored` should be replaced by a fresh hash once the password is known: it
    /// was imported, or made with other parameters (or without the pepper).
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let ours = match ParamsString::try_from(&self.inner.params) {
            Ok(p) => format!("$argon2id$v=19${p}$"),
            Err(_) => return false,
        };
        ImportedHash::detect(stored).is_some() || !stored.starts_with(&ours)
    }
}

/// The foreign hash formats `portcullis users import` accepts. A user whose password is
/// stored in one of them signs in with the old password and is rehashed to argon2id then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedHash {
    /// `$2a$` / `$2b$` / `$2y$` (OpenBSD bcrypt, as most frameworks store it).
    Bcrypt,
    /// PHC `$scrypt$ln=…,r=…,p=…$salt$hash`.
    Scrypt,
    /// PHC `$pbkdf2-sha256$i=…,l=…$salt$hash` (also `-sha512`, plain `$pbkdf2$` for SHA-1).
    Pbkdf2Phc,
    /// Django's `pbkdf2_sha256$iterations$salt$base64hash`.
    Pbkdf2Django,
}

impl ImportedHash {
    pub fn detect(stored: &str) -> Option<Self> {
        if ["$2a$", "$2b$", "$2y$", "$2x$"]
            .iter()
            .any(|p| stored.starts_with(p))
        {
            Some(Self::Bcrypt)
        } else if stored.starts_with("$scrypt$") {
            Some(Self::Scrypt)
        } else if stored.starts_with("$pbkdf2") {
            Some(Self::Pbkdf2Phc)
        } else if stored.starts_with("pbkdf2_sha256$") {
            Some(Self::Pbkdf2Django)
        } else {
            None
        }
    }

    /// Whether `stored` is well formed for this kind (checked at import, not at sign-in).
    pub fn well_formed(self, stored: &str) -> bool {
        match self {
            Self::Bcrypt => stored.len() == 60,
            Self::Scrypt | Self::Pbkdf2Phc => PasswordHash::new(stored).is_ok(),
            Self::Pbkdf2Django => django_parts(stored).is_some(),
        }
    }

    fn verify(self, password: &str, stored: &str) -> anyhow::Result<bool> {
        use argon2::password_hash::PasswordVerifier;
        Ok(match self {
            Self::Bcrypt => bcrypt::verify(password, stored)
                .map_err(|e| anyhow::anyhow!("stored bcrypt hash: {e}"))?,
            Self::Scrypt => {
                let parsed = PasswordHash::new(stored)
                    .map_err(|e| anyhow::anyhow!("stored scrypt hash: {e}"))?;
                scrypt::Scrypt
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            }
            Self::Pbkdf2Phc => {
                let parsed = PasswordHash::new(stored)
                    .map_err(|e| anyhow::anyhow!("stored PBKDF2 hash: {e}"))?;
                pbkdf2::Pbkdf2
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            }
            Self::Pbkdf2Django => {
                let (iterations, salt, expected) = django_parts(stored)
                    .ok_or_else(|| anyhow::anyhow!("stored Django PBKDF2 hash malformed"))?;
                let mut out = vec![0u8; expected.len()];
                pbkdf2::pbkdf2_hmac::<Sha256>(
                    password.as_bytes(),
                    salt.as_bytes(),
                    iterations,
                    &mut out,
                );
                out.ct_eq(&expected).into()
            }
        })
    }
}

/// `pbkdf2_sha256$iterations$salt$hash` → its parts, with a sane iteration bound.
fn django_parts(stored: &str) -> Option<(u32, &str, Vec<u8>)> {
    let mut parts = stored.split('$');
    let (Some("pbkdf2_sha256"), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let iterations: u32 = iter.parse().ok().filter(|i| (1..=10_000_000).contains(i))?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(hash)
        .ok()?;
    (!expected.is_empty() && expected.len() <= 64).then_some((iterations, salt, expected))
}

impl HasherInner {
    fn argon2(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
    ) -> anyhow::Result<Argon2<'_>> {
        Ok(match &self.pepper {
            Some(p) => {
                Argon2::new_with_secret(p.expose_secret().as_bytes(), algorithm, version, params)
                    .map_err(|e| anyhow::anyhow!("argon2 pepper: {e}"))?
            }
            None => Argon2::new(algorithm, version, params),
        })
    }

    /// Runs `f` on a work area of `blocks` blocks, from the pool when one fits.
    fn with_work_area<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let pooled = self
            .work_areas
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .filter(|area| area.len() == blocks);
        let mut area = pooled.unwrap_or_else(|| vec![Block::default(); blocks]);
        let result = f(&mut area);
        // Only the standard size is kept; a stored hash with other parameters is rare.
        if blocks == self.params.block_count() {
            self.work_areas
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(area);
        }
        result
    }

    /// argon2id, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
    fn hash_blocking(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::encode_b64(&random_bytes::<16>())
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt
            .as_salt()
            .decode_b64(&mut salt_buf)
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let mut out = [0u8; 32];
        let argon2 = self.argon2(Algorithm::Argon2id, Version::V0x13, self.params.clone())?;
        self.with_work_area(self.params.block_count(), |area| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, area)
        })
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
        let phc = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params)
                .map_err(|e| anyhow::anyhow!("params: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
        };
        Ok(phc.to_string())
    }

    /// Checks a password against a stored hash: ours (argon2), or one imported from another
    /// system (bcrypt, scrypt, PBKDF2), told apart by its format.
    fn verify_blocking(&self, password: &str, stored: &str) -> anyhow::Result<bool> {
        match ImportedHash::detect(stored) {
            Some(kind) => kind.verify(password, stored),
            None => self.verify_argon2(password, stored),
        }
    }

    /// Checks a password against any argon2 PHC string, with the parameters it names.
    fn verify_argon2(&self, password: &str, stored: &str) -> anyhow::Result<bool> {
        let parsed = PasswordHash::new(stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let algorithm = Algorithm::try_from(parsed.algorithm)
            .map_err(|e| anyhow::anyhow!("stored hash algorithm: {e}"))?;
        let version = match parsed.version {
            Some(v) => {
                Version::try_from(v).map_err(|e| anyhow::anyhow!("stored hash version: {e}"))?
            }
            None => Version::V0x13,
        };
        let params =
            Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("stored hash params: {e}"))?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            anyhow::bail!("stored hash lacks salt or hash");
        };
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt
            .decode_b64(&mut salt_buf)
            .map_err(|e| anyhow::anyhow!("stored salt: {e}"))?;
        let mut out = vec![0u8; expected.len()];
        let blocks = params.block_count();
        let argon2 = self.argon2(algorithm, version, params)?;
        self.with_work_area(blocks, |area| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, area)
        })
        .map_err(|e| anyhow::anyhow!("argon2 verify: {e}"))?;
        Ok(out.as_slice().ct_eq(expected.as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn imported_hashes_verify_and_ask_for_rehash() {
        use argon2::password_hash::PasswordHasher as _;
        let h = PasswordHasher::new(None, 1).unwrap();
        let salt = SaltString::encode_b64(b"imported-salt-16").unwrap();
        let bcrypt = bcrypt::hash("old secret", 4).unwrap();
        let scrypt = scrypt::Scrypt
            .hash_password_customized(
                b"old secret",
                None,
                None,
                scrypt::Params::new(10, 8, 1, 32).unwrap(),
                &salt,
            )
            .unwrap()
            .to_string();
        let pbkdf2 = pbkdf2::Pbkdf2
            .hash_password_customized(
                b"old secret",
                Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                None,
                pbkdf2::Params {
                    rounds: 1000,
                    output_length: 32,
                },
                &salt,
            )
            .unwrap()
            .to_string();
        // Made by Python's hashlib.pbkdf2_hmac as Django stores it, password "old django pass".
        let django =
            "pbkdf2_sha256$260000$Zs9bYkpQ2xRv$TJz7vcOlooxroe31KzjpgC7sV+SskWnPNIAk89R0ExQ=";
        for (stored, password, kind) in [
            (bcrypt.as_str(), "old secret", ImportedHash::Bcrypt),
            (scrypt.as_str(), "old secret", ImportedHash::Scrypt),
            (pbkdf2.as_str(), "old secret", ImportedHash::Pbkdf2Phc),
            (django, "old django pass", ImportedHash::Pbkdf2Django),
        ] {
            assert_eq!(ImportedHash::detect(stored), Some(kind), "{stored}");
            assert!(kind.well_formed(stored));
            assert!(h.needs_rehash(stored));
            assert!(
                h.verify(SecretString::from(password), Some(stored.to_owned()))
                    .await
                    .unwrap(),
                "{kind:?}"
            );
            assert!(
                !h.verify(SecretString::from("wrong"), Some(stored.to_owned()))
                    .await
                    .unwrap(),
                "{kind:?}"
            );
        }
        let ours = h.hash(SecretString::from("new secret")).await.unwrap();
        assert!(!h.needs_rehash(&ours));
        assert!(!ImportedHash::Pbkdf2Django.well_formed("pbkdf2_sha256$0$salt$AAAA"));
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let c = random_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn keyed_hash_separates_purposes_and_verifies() {
        let h = KeyedHasher::new(b"k");
        let a = h.hash("client", "tok");
        assert_ne!(a, h.hash("code", "tok"));
        assert_ne!(a, KeyedHasher::new(b"other").hash("client", "tok"));
        assert!(h.verify("client", "tok", &a));
        assert!(!h.verify("client", "tok2", &a));
    }

    #[tokio::test]
    async fn passwords_hash_and_verify_with_pepper() {
        let h = PasswordHasher::new(Some(SecretString::from("pepper")), 2).unwrap();
        let stored = h.hash(SecretString::from("correct horse")).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            h.verify(SecretString::from("correct horse"), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(SecretString::from("wrong horse"), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(SecretString::from("correct horse"), None)
                .await
                .unwrap()
        );
        // Hashes made by the argon2 crate's own API verify, and ours verify there.
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let standard = Argon2::default()
            .hash_password(
                b"s3cret pass",
                &SaltString::encode_b64(b"0123456789abcdef").unwrap(),
            )
            .unwrap()
            .to_string();
        let plain = PasswordHasher::new(None, 1).unwrap();
        assert!(
            plain
                .verify(SecretString::from("s3cret pass"), Some(standard))
                .await
                .unwrap()
        );
        let ours = plain.hash(SecretString::from("s3cret pass")).await.unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"s3cret pass", &PasswordHash::new(&ours).unwrap())
                .is_ok()
        );
        // Without the pepper the same hash does not verify.
        let plain = PasswordHasher::new(None, 1).unwrap();
        assert!(
            !plain
                .verify(SecretString::from("correct horse"), Some(stored))
                .await
                .unwrap()
        );
    }
}
