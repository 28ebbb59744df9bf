//! Redirect URIs: the rules a registered one follows, and the one matcher that decides whether
//! a URI a request names is registered. The OpenID provider's `redirect_uri`, RP-initiated
//! logout's `post_logout_redirect_uri` and the flows' `redirect_url` all ask it.

/// RFC 6749 §3.1.2.3 and the OAuth 2.0 Security BCP: the URI must equal a registered one
/// character for character. The one exception is RFC 8252 §7.3: a native app (a public
/// client, `native`) redirecting to a loopback IP may use any port.
pub fn uri_registered(registered: &[String], given: &str, native: bool) -> bool {
    if registered.iter().any(|r| r == given) {
        return true;
    }
    if !native {
        return false;
    }
    let Ok(g) = url::Url::parse(given) else {
        return false;
    };
    registered.iter().any(|r| {
        let Ok(r) = url::Url::parse(r) else {
            return false;
        };
        let loopback = matches!(r.host_str(), Some("127.0.0.1" | "[::1]"));
        loopback
            && r.scheme() == "http"
            && g.scheme() == "http"
            && r.host_str() == g.host_str()
            && r.path() == g.path()
            && r.query() == g.query()
            && g.fragment().is_none()
            && g.username().is_empty()
            && g.password().is_none()
    })
}

/// Absolute, no fragment (RFC 6749 §3.1.2), and plain http only for the loopback host.
pub fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let u = url::Url::parse(uri).map_err(|e| format!("redirect URI {uri:?}: {e}"))?;
    if u.fragment().is_some() {
        return Err(format!("redirect URI {uri:?} has a fragment"));
    }
    if u.scheme() == "http" && !matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost")) {
        return Err(format!(
            "redirect URI {uri:?}: http is only allowed for loopback hosts"
        ));
    }
    if matches!(u.scheme(), "javascript" | "data" | "file" | "vbscript") {
        return Err(format!("redirect URI {uri:?}: scheme not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_exactly_except_loopback_ports() {
        let reg = vec![
            "https://app.example.com/callback".to_string(),
            "http://127.0.0.1/native".to_string(),
        ];
        assert!(uri_registered(
            &reg,
            "https://app.example.com/callback",
            false
        ));
        assert!(
            !uri_registered(&reg, "http://127.0.0.1:51234/native", false),
            "web clients match exactly"
        );
        for bad in [
            "https://app.example.com.evil.com/callback",
            "https://app.example.com/callback/",
            "https://app.example.com:8443/callback",
            "https://app.example.com/callback?x=1",
            "https://app.example.com/callback#frag",
            "http://app.example.com/callback",
            "https://APP.example.com/Callback",
            "http://127.0.0.1:5000/native/extra",
            "http://localhost:5000/native",
        ] {
            assert!(!uri_registered(&reg, bad, true), "{bad} must not match");
        }
        assert!(uri_registered(&reg, "http://127.0.0.1:51234/native", true));
    }
}
