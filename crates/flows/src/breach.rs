//! Breached and common passwords. A new password is refused when it is in the bundled list
//! of the most common passwords, or when a k-anonymity range API (the interface of
//! api.pwnedpasswords.com) lists it: only the first five hex digits of its SHA-1 leave the
//! server, and the answer is every known suffix under that prefix.

use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

use sha1::{Digest, Sha1};

use super::{ApiError, Ctx, ErrorCode, FlowResult};

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("data/common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// Whether `password` is one of the bundled most common passwords (case-insensitive).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

fn pwned() -> ApiError {
    ApiError::new(
        ErrorCode::FormPasswordPwned,
        "Password has been found in an online data breach. For account safety, please use a different password.",
        "This password has appeared in a data breach or is among the most common passwords, so it is among the first an attacker tries. Choose a different one.",
    )
    .param("password")
}

/// Refuses a new password that is common or known breached. The range API is asked with a
/// timeout; when it cannot answer, the password is accepted and the failure logged, so an
/// outage there never stops users from setting a password.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn check_new_password(ctx: &Ctx, password: &str) -> FlowResult<()> {
    let auth = &ctx.settings().auth;
    if auth.reject_common_passwords && is_common(password) {
        return Err(pwned().into());
    }
    if auth.pwned_passwords_url.is_empty() {
        return Ok(());
    }
    let digest = crate::crypto::hex_encode(&Sha1::digest(password.as_bytes())).to_uppercase();
    let (prefix, suffix) = digest.split_at(5);
    let url = format!(
        "{}/range/{prefix}",
        auth.pwned_passwords_url.trim_end_matches('/')
    );
    let answer = ctx
        .http
        .get(&url)
        .header("Add-Padding", "true")
        .timeout(Duration::from_millis(auth.pwned_passwords_timeout_ms))
        .send()
        .await;
    let body = match answer {
        Ok(r) if r.status().is_success() => r.text().await,
        Ok(r) => {
            tracing::warn!(status = %r.status(), "breached-password check unavailable; accepting");
            return Ok(());
        }
        Err(e) => Err(e),
    };
    match body {
        Ok(body) => {
            if listed(&body, suffix) {
                return Err(pwned().into());
            }
            Ok(())
        }
        Err(e) => {
            tracing::warn!(error = %e, "breached-password check unavailable; accepting");
            Ok(())
        }
    }
}

/// Whether a range answer (`SUFFIX:COUNT` lines) lists `suffix` with a count above zero
/// (padding lines carry a count of zero).
fn listed(body: &str, suffix: &str) -> bool {
    body.lines().any(|line| {
        let mut parts = line.trim().splitn(2, ':');
        let s = parts.next().unwrap_or("");
        let count: u64 = parts
            .next()
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0);
        count > 0 && s.eq_ignore_ascii_case(suffix)
    })
}

/// A new password from `field`, checked against the length rules, then against the common
/// and breached lists.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn accept_new_password(
    ctx: &Ctx,
    field: &str,
    raw: &str,
) -> FlowResult<crate::domain::Password> {
    let password = crate::domain::Password::parse(raw, ctx.password_policy())
        .map_err(|e| ApiError::from_parse(field, &e))?;
    check_new_password(ctx, password.expose())
        .await
        .map_err(|e| match e {
            super::FlowError::Api(mut api) => {
                api.param = Some(field.to_owned());
                super::FlowError::Api(api)
            }
            other => other,
        })?;
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_list_is_case_insensitive() {
        assert!(is_common("password"));
        assert!(is_common("Password123"));
        assert!(is_common("QWERTYUIOP"));
        assert!(!is_common("correct horse battery staple"));
    }

    #[test]
    fn range_answers_are_read_with_padding() {
        let body =
            "0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0\r\n";
        assert!(listed(body, "0018A45C4D1DEF81644B54AB7F969B88D65"));
        assert!(listed(body, "0018a45c4d1def81644b54ab7f969b88d65"));
        // A padding line (count 0) is not a hit.
        assert!(!listed(body, "00D4F6E8FA6EECAD2A3AA415EEC418D38EC"));
        assert!(!listed(body, "FFFF"));
    }
}
