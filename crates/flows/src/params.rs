//! Request parameters as the flows see them: names to values, from a form or a JSON body.
//! Each flow names the parameters it accepts; anything else is `form_param_unknown`.

use std::collections::BTreeMap;

use super::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Text(String),
    /// A JSON object or array (e.g. `unsafe_metadata` sent as JSON).
    Json(serde_json::Value),
}

#[derive(Debug, Default, Clone)]
pub struct Params(BTreeMap<String, ParamValue>);

impl Params {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ApiError> {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            if map.insert(k.clone(), ParamValue::Text(v)).is_some() {
                return Err(ApiError::invalid_value(
                    &k,
                    format!("{k} was given more than once."),
                ));
            }
        }
        Ok(Self(map))
    }

    /// A JSON object body; scalars become text, objects and arrays stay JSON.
    pub fn from_json(value: serde_json::Value) -> Result<Self, ApiError> {
        let serde_json::Value::Object(obj) = value else {
            return Err(ApiError::new(
                super::ErrorCode::RequestBodyInvalid,
                "is invalid",
                "The request body must be a JSON object.",
            ));
        };
        let map = obj
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let pv = match v {
                    serde_json::Value::String(s) => ParamValue::Text(s),
                    serde_json::Value::Bool(b) => ParamValue::Text(b.to_string()),
                    serde_json::Value::Number(n) => ParamValue::Text(n.to_string()),
                    other => ParamValue::Json(other),
                };
                (k, pv)
            })
            .collect();
        Ok(Self(map))
    }

    /// Refuses any parameter not in `allowed` (with the first one found, in name order).
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.0.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ApiError::unknown(k)),
            None => Ok(()),
        }
    }

    /// A text parameter, trimmed; an empty value counts as absent.
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(ParamValue::Text(s)) => {
                let t = s.trim();
                Ok((!t.is_empty()).then(|| t.to_owned()))
            }
            Some(ParamValue::Json(_)) => Err(ApiError::new(
                super::ErrorCode::FormParamFormatInvalid,
                "is invalid",
                format!("{name} must be a string."),
            )
            .param(name)),
        }
    }

    /// A secret parameter (password): taken as given, not trimmed.
    pub fn raw(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(ParamValue::Text(s)) if s.is_empty() => Ok(None),
            Some(ParamValue::Text(s)) => Ok(Some(s.clone())),
            Some(ParamValue::Json(_)) => Err(ApiError::new(
                super::ErrorCode::FormParamFormatInvalid,
                "is invalid",
                format!("{name} must be a string."),
            )
            .param(name)),
        }
    }

    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.text(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// `strategy`, with the deprecated `saml` read as the `enterprise_sso` it became.
    pub fn strategy(&self) -> Result<Option<String>, ApiError> {
        Ok(self.text("strategy")?.map(|s| {
            if s == "saml" {
                "enterprise_sso".into()
            } else {
                s
            }
        }))
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.text(name)?.as_deref() {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(ApiError::new(
                super::ErrorCode::FormParamFormatInvalid,
                "is invalid",
                format!("{name} must be true or false."),
            )
            .param(name)),
        }
    }

    /// A JSON object parameter, given as JSON or as a string holding JSON (form bodies).
    pub fn json_object(&self, name: &str) -> Result<Option<serde_json::Value>, ApiError> {
        let bad = || {
            ApiError::new(
                super::ErrorCode::FormParamFormatInvalid,
                "is invalid",
                format!("{name} must be a JSON object."),
            )
            .param(name)
        };
        let value = match self.0.get(name) {
            None => return Ok(None),
            Some(ParamValue::Json(v)) => v.clone(),
            Some(ParamValue::Text(s)) if s.trim().is_empty() => return Ok(None),
            Some(ParamValue::Text(s)) => serde_json::from_str(s).map_err(|_| bad())?,
        };
        if !value.is_object() {
            return Err(bad());
        }
        if value.to_string().len() > 8192 {
            return Err(ApiError::new(
                super::ErrorCode::FormParamValueInvalid,
                "is too large",
                format!("{name} may hold at most 8 KiB."),
            )
            .param(name));
        }
        Ok(Some(value))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// What browser SDKs add to every sign-in and sign-up creation besides its own fields:
/// captcha results, locale and time zone, what the Frontend API description lists for
/// strategies Portcullis does not offer (`oauth_token_*`, `google_one_tap`, bot-protection
/// proofs), all accepted and not used; and `oidc_login_hint` / `oidc_prompt`, which go on to
/// an OpenID provider's sign-in page.
pub const CREATION_EXTRAS: [&str; 10] = [
    "captcha_token",
    "captcha_error",
    "captcha_widget_type",
    "locale",
    "timezone",
    "code",
    "token",
    "proof_token",
    "oidc_login_hint",
    "oidc_prompt",
];

/// `a` then `b`, as one list (`N` must be their total length): parameter lists built from
/// shared parts, at compile time.
pub const fn join<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "join: N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = b[j];
        j += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn refuses_unknown_and_duplicate_params() {
        let e = p(&[("identifier", "x"), ("bogus", "1")])
            .only(&["identifier"])
            .unwrap_err();
        assert_eq!(e.code.as_str(), "form_param_unknown");
        assert_eq!(e.param.as_deref(), Some("bogus"));
        let dup = Params::from_pairs(vec![("a".into(), "1".into()), ("a".into(), "2".into())]);
        assert!(dup.is_err());
    }

    #[test]
    fn reads_text_bool_and_json() {
        let params = p(&[("a", "  x "), ("b", "true"), ("m", r#"{"k":1}"#), ("e", "")]);
        assert_eq!(params.text("a").unwrap().as_deref(), Some("x"));
        assert_eq!(params.text("e").unwrap(), None);
        assert_eq!(params.bool("b").unwrap(), Some(true));
        assert!(params.bool("a").is_err());
        assert_eq!(params.json_object("m").unwrap().unwrap()["k"], 1);
        assert!(p(&[("m", "[1]")]).json_object("m").is_err());
        assert_eq!(
            params.required("z").unwrap_err().code.as_str(),
            "form_param_missing"
        );
    }

    #[test]
    fn json_bodies_must_be_objects() {
        assert!(Params::from_json(serde_json::json!([1])).is_err());
        let params =
            Params::from_json(serde_json::json!({"a": "b", "n": 3, "o": {"x": 1}, "z": null}))
                .unwrap();
        assert_eq!(params.text("n").unwrap().as_deref(), Some("3"));
        assert!(params.json_object("o").unwrap().is_some());
        assert!(!params.contains("z"));
    }
}
