//! The instance settings in effect: `config.toml` (and the environment) as the starting point,
//! with the changes operators made at run time laid over it. The changes are one JSON document
//! (`{"auth": {…}, "branding": {…}}`), kept in the database with a version; every instance
//! holds the effective settings of the newest version it has seen and swaps them whole, so a
//! request reads one consistent picture.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

use crate::config::Settings;

/// The sections an operator may change at run time. Everything else (database, bind address,
/// keys, secrets) stays in the file.
pub const RUNTIME_SECTIONS: [&str; 3] = ["auth", "branding", "organizations"];

/// Keys of those sections that only the file may set: process settings and secrets.
pub const FILE_ONLY: [(&str, &str); 2] = [
    ("auth", "password_pepper"),
    ("auth", "password_hash_concurrency"),
];

/// The settings every request reads, and the version they come from (0: the file alone).
pub struct LiveSettings {
    file: Arc<Settings>,
    current: RwLock<Arc<Settings>>,
    version: AtomicI64,
    /// The newest stored version found not to apply here (so it is reported once).
    refused: AtomicI64,
}

impl LiveSettings {
    pub fn new(file: Settings) -> Self {
        let file = Arc::new(file);
        Self {
            current: RwLock::new(file.clone()),
            file,
            version: AtomicI64::new(0),
            refused: AtomicI64::new(0),
        }
    }

    /// The settings in effect now. Take it once per step of a flow and read from that.
    pub fn get(&self) -> Arc<Settings> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The settings as loaded from the file and the environment at start-up.
    pub fn file(&self) -> &Arc<Settings> {
        &self.file
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// Notes that stored `version` does not apply here; true the first time.
    pub fn refuse(&self, version: i64) -> bool {
        self.refused.swap(version, Ordering::AcqRel) != version
    }

    /// Whether stored `version` was already found not to apply here.
    pub fn refused(&self, version: i64) -> bool {
        self.refused.load(Ordering::Acquire) == version
    }

    /// Puts `settings` (of `version`) in effect, unless a newer version already is: two
    /// appliers racing (the subscriber and the poller) can never move an instance backwards.
    pub fn install(&self, version: i64, settings: Settings) -> bool {
        let mut g = match self.current.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if version <= self.version.load(Ordering::Acquire) {
            return false;
        }
        *g = Arc::new(settings);
        self.version.store(version, Ordering::Release);
        true
    }
}

/// The runtime sections of `settings`, as JSON keyed like config.toml.
pub fn runtime_json(settings: &Settings) -> Value {
    serde_json::json!({
        "auth": serde_json::to_value(&settings.auth).unwrap_or(Value::Null),
        "branding": serde_json::to_value(&settings.branding).unwrap_or(Value::Null),
        "organizations": serde_json::to_value(&settings.organizations).unwrap_or(Value::Null),
    })
}

/// Why a document of changes cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// A section or key that cannot be changed at run time (`auth.password_pepper`,
    /// `database`), named by its dotted path.
    #[error("{0} cannot be changed at run time; it is set in config.toml")]
    FileOnly(String),
    /// Not an object where one is needed.
    #[error("{0} must be an object")]
    NotObject(String),
    /// The merged settings do not read (an unknown key, a wrong type).
    #[error("{0}")]
    Invalid(String),
}

/// Checks that `changes` only touches what may change at run time.
pub fn check_changes(changes: &Value) -> Result<(), OverlayError> {
    let top = changes
        .as_object()
        .ok_or_else(|| OverlayError::NotObject("the settings document".into()))?;
    for (section, v) in top {
        if !RUNTIME_SECTIONS.contains(&section.as_str()) {
            return Err(OverlayError::FileOnly(section.clone()));
        }
        let Some(keys) = v.as_object() else {
            if v.is_null() {
                continue;
            }
            return Err(OverlayError::NotObject(section.clone()));
        };
        for key in keys.keys() {
            if FILE_ONLY.contains(&(section.as_str(), key.as_str())) {
                return Err(OverlayError::FileOnly(format!("{section}.{key}")));
            }
        }
    }
    Ok(())
}

/// JSON Merge Patch (RFC 7396 §2): objects merge key by key, `null` removes a key, anything
/// else replaces what was there.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Some(patch) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Some(t) = target.as_object_mut() {
        for (k, v) in patch {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// `file` with the stored `changes` laid over its runtime sections, checked as the file is
/// checked at start-up.
pub fn apply(file: &Settings, changes: &Value) -> Result<Settings, OverlayError> {
    check_changes(changes)?;
    let mut doc = runtime_json(file);
    merge_patch(&mut doc, changes);
    let invalid =
        |section: &str, e: serde_json::Error| OverlayError::Invalid(format!("{section}: {e}"));
    let mut settings = file.clone();
    let mut auth: crate::config::AuthSettings =
        serde_json::from_value(doc["auth"].clone()).map_err(|e| invalid("auth", e))?;
    // Never serialized, so carried over from the file.
    auth.password_pepper = file.auth.password_pepper.clone();
    auth.password_hash_concurrency = file.auth.password_hash_concurrency;
    settings.auth = auth;
    settings.branding =
        serde_json::from_value(doc["branding"].clone()).map_err(|e| invalid("branding", e))?;
    settings.organizations = serde_json::from_value(doc["organizations"].clone())
        .map_err(|e| invalid("organizations", e))?;
    settings
        .check()
        .map_err(|e| OverlayError::Invalid(format!("{e:#}")))?;
    Ok(settings)
}

/// What changed between two runtime documents, as `{"auth.first_factors": {"from": …,
/// "to": …}}`, for the audit trail.
pub fn diff(before: &Value, after: &Value) -> Value {
    let mut out = Map::new();
    diff_into(&mut out, "", before, after);
    Value::Object(out)
}

fn diff_into(out: &mut Map<String, Value>, path: &str, before: &Value, after: &Value) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff_into(
                    out,
                    &p,
                    b.get(k).unwrap_or(&Value::Null),
                    a.get(k).unwrap_or(&Value::Null),
                );
            }
        }
        (b, a) if b != a => {
            out.insert(path.to_owned(), serde_json::json!({ "from": b, "to": a }));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // RFC 7396 Appendix A, a few of its cases.
        let mut t = json!({"a": "b"});
        merge_patch(&mut t, &json!({"a": "c"}));
        assert_eq!(t, json!({"a": "c"}));
        let mut t = json!({"a": "b", "b": "c"});
        merge_patch(&mut t, &json!({"a": null}));
        assert_eq!(t, json!({"b": "c"}));
        let mut t = json!({"a": [{"b": "c"}]});
        merge_patch(&mut t, &json!({"a": [1]}));
        assert_eq!(t, json!({"a": [1]}));
        let mut t = json!({"e": null});
        merge_patch(&mut t, &json!({"a": 1}));
        assert_eq!(t, json!({"e": null, "a": 1}));
    }

    #[test]
    fn changes_lay_over_the_file_and_are_checked_whole() {
        let file = Settings::default();
        let s = apply(&file, &json!({"auth": {"first_factors": ["password"]}})).unwrap();
        assert_eq!(s.auth.first_factors, vec!["password".to_owned()]);
        assert_eq!(s.auth.password_min_length, file.auth.password_min_length);
        // Unknown keys, wrong types and rules the file obeys are refused.
        assert!(apply(&file, &json!({"auth": {"first_factor": ["password"]}})).is_err());
        assert!(apply(&file, &json!({"auth": {"mfa_required": "yes"}})).is_err());
        assert!(apply(&file, &json!({"auth": {"password_min_length": 4}})).is_err());
        assert!(
            apply(
                &file,
                &json!({"auth": {"email_address": "off", "password": "off"}})
            )
            .is_err()
        );
        assert!(apply(&file, &json!({"branding": {"primary_color": "red"}})).is_err());
        // What only the file may hold.
        assert!(matches!(
            apply(&file, &json!({"auth": {"password_pepper": "x"}})),
            Err(OverlayError::FileOnly(p)) if p == "auth.password_pepper"
        ));
        assert!(matches!(
            apply(&file, &json!({"database": {"url": "sqlite::memory:"}})),
            Err(OverlayError::FileOnly(p)) if p == "database"
        ));
    }

    #[test]
    fn the_pepper_is_never_serialized_and_survives_an_overlay() {
        let mut file = Settings::default();
        file.auth.password_pepper = Some("pepper-from-the-file".to_owned().into());
        let shown = runtime_json(&file).to_string();
        assert!(!shown.contains("pepper"), "{shown}");
        let s = apply(&file, &json!({"auth": {"lockout_attempts": 3}})).unwrap();
        assert!(s.auth.password_pepper.is_some());
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let live = LiveSettings::new(Settings::default());
        let mut two = Settings::default();
        two.auth.lockout_attempts = 2;
        let mut one = Settings::default();
        one.auth.lockout_attempts = 1;
        assert!(live.install(2, two));
        assert!(!live.install(1, one));
        assert_eq!(live.version(), 2);
        assert_eq!(live.get().auth.lockout_attempts, 2);
        // A version that does not apply here is reported once.
        assert!(!live.refused(3));
        assert!(live.refuse(3));
        assert!(!live.refuse(3));
        assert!(live.refused(3) && !live.refused(4));
    }

    #[test]
    fn the_diff_names_each_changed_key() {
        let d = diff(
            &json!({"auth": {"a": 1, "b": [1]}}),
            &json!({"auth": {"a": 1, "b": [2], "c": true}}),
        );
        assert_eq!(
            d,
            json!({"auth.b": {"from": [1], "to": [2]}, "auth.c": {"from": null, "to": true}})
        );
    }
}
