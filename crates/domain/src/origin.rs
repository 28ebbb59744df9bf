//! Web origins (`scheme://host[:port]`, RFC 6454 §6.2), parsed where they are configured
//! (`[server] cors_origins`, `allowed_redirect_origins`) so every comparison afterwards is
//! between two strings in the one form browsers send in `Origin`.

use std::fmt;
use std::str::FromStr;

/// An http or https origin in its serialized form: lower-case scheme and host, the port
/// only when it is not the scheme's default, no path and no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Origin(String);

impl Origin {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a URL (a redirect target, say) is on this origin.
    pub fn serves(&self, url: &url::Url) -> bool {
        url.origin().ascii_serialization() == self.0
    }
}

impl FromStr for Origin {
    type Err = String;

    /// `https://app.example.com` or `https://app.example.com/`; anything with a path, query,
    /// credentials or another scheme is refused, since it would never equal a browser's
    /// `Origin` and so would silently allow nothing.
    fn from_str(raw: &str) -> Result<Self, String> {
        let u = url::Url::parse(raw.trim()).map_err(|e| format!("{raw:?}: {e}"))?;
        if !matches!(u.scheme(), "https" | "http") {
            return Err(format!("{raw:?} is not an http or https origin"));
        }
        let bare = u.host().is_some()
            && u.path() == "/"
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
            && u.password().is_none();
        if !bare {
            return Err(format!("{raw:?} must be an origin (scheme://host[:port])"));
        }
        Ok(Self(u.origin().ascii_serialization()))
    }
}

impl TryFrom<String> for Origin {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        raw.parse()
    }
}

impl From<Origin> for String {
    fn from(o: Origin) -> Self {
        o.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Origin {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Origin {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_kept_in_the_form_browsers_send() {
        let o: Origin = "https://App.Example.com/".parse().unwrap();
        assert_eq!(o.as_str(), "https://app.example.com");
        assert_eq!(o, "https://app.example.com");
        let o: Origin = "http://localhost:3000".parse().unwrap();
        assert_eq!(o.as_str(), "http://localhost:3000");
        let o: Origin = "https://app.example.com:443".parse().unwrap();
        assert_eq!(o.as_str(), "https://app.example.com");
    }

    #[test]
    fn anything_that_is_not_an_origin_is_refused() {
        for bad in [
            "https://app.example.com/path",
            "https://app.example.com/?q=1",
            "https://app.example.com/#top",
            "https://:secret@app.example.com",
            "https://user@app.example.com",
            "ftp://app.example.com",
            "javascript:alert(1)",
            "app.example.com",
            "",
            "null",
        ] {
            assert!(bad.parse::<Origin>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_origin_serves_urls_on_it_only() {
        let o: Origin = "https://app.example.com".parse().unwrap();
        assert!(o.serves(&url::Url::parse("https://app.example.com/cb?x=1").unwrap()));
        assert!(!o.serves(&url::Url::parse("https://app.example.com.evil.test/").unwrap()));
        assert!(!o.serves(&url::Url::parse("http://app.example.com/").unwrap()));
    }
}
