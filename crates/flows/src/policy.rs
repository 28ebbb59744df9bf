//! Who may sign up: `[auth] sign_up_mode` (public, restricted to invitations, or a waitlist
//! that admins invite from), the allowlist and blocklist (from config and from the admin
//! API), and optional refusal of email subaddresses and disposable email domains.
//!
//! Patterns are case-insensitive: a whole identifier (`ada@example.com`, `+15550100`,
//! `ada`, a wallet address), `*@domain` (that domain only) or `*@*.domain` (its
//! subdomains). The checks run when a sign-up gets an identifier and again just before the
//! user is written, so no path (OAuth, transfer, web3) goes around them.

use crate::Context as _;
use std::collections::HashSet;
use std::sync::LazyLock;

use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::config::SignUpMode;
use crate::store::admin as repo;

static DISPOSABLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("data/disposable_domains.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `domain` (or a parent of it) is a known disposable-address provider.
pub fn is_disposable(domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    let mut d = domain.as_str();
    loop {
        if DISPOSABLE.contains(d) {
            return true;
        }
        match d.split_once('.') {
            Some((_, parent)) if parent.contains('.') => d = parent,
            _ => return false,
        }
    }
}

/// A list pattern, normalised (lower case, trimmed); `None` when it is not one we can match.
pub fn normalise_pattern(raw: &str) -> Option<String> {
    let p = raw.trim().to_lowercase();
    if p.is_empty() || p.len() > 320 || p.chars().any(char::is_whitespace) {
        return None;
    }
    if let Some(domain) = p.strip_prefix("*@") {
        let bare = domain.strip_prefix("*.").unwrap_or(domain);
        let ok = bare.contains('.')
            && bare.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        return ok.then_some(p);
    }
    if p.contains('*') {
        return None;
    }
    Some(p)
}

/// Whether `identifier` matches the normalised `pattern`.
pub fn matches(pattern: &str, identifier: &str) -> bool {
    let id = identifier.trim().to_lowercase();
    let Some(domain_pattern) = pattern.strip_prefix("*@") else {
        return id == pattern;
    };
    let Some((_, domain)) = id.rsplit_once('@') else {
        return false;
    };
    match domain_pattern.strip_prefix("*.") {
        Some(parent) => domain
            .strip_suffix(parent)
            .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
        None => domain == domain_pattern,
    }
}

fn not_allowed(param: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotAllowedAccess,
        "You do not have permission to sign up",
        "This identifier may not be used to sign up on this instance.",
    )
    .param(param)
}

/// The identifiers a sign-up carries, with the parameter each came from.
pub struct Identifiers<'a> {
    pub email_address: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub username: Option<&'a str>,
    pub web3_wallet: Option<&'a str>,
}

impl Identifiers<'_> {
    fn each(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("email_address", self.email_address),
            ("phone_number", self.phone_number),
            ("username", self.username),
            ("web3_wallet", self.web3_wallet),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
    }
}

/// Refuses a sign-up the instance's policy does not allow. `invited` is true when the
/// sign-up came with an invitation (which passes the sign-up mode, not the blocklist).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn check_sign_up(ctx: &Ctx, ids: &Identifiers<'_>, invited: bool) -> FlowResult<()> {
    let auth = &ctx.settings().auth;
    match auth.sign_up_mode {
        SignUpMode::Public => {}
        SignUpMode::Restricted | SignUpMode::Waitlist if invited => {}
        SignUpMode::Restricted => {
            return Err(ApiError::new(
                ErrorCode::SignUpModeRestricted,
                "Sign-ups are restricted",
                "Sign-ups on this instance are by invitation only.",
            )
            .into());
        }
        SignUpMode::Waitlist => {
            return Err(ApiError::new(
                ErrorCode::SignUpModeRestricted,
                "Sign-ups are restricted",
                "Sign-ups on this instance are by invitation only. Join the waitlist to be invited.",
            )
            .into());
        }
    }
    if let Some(email) = ids.email_address {
        let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
        if auth.block_email_subaddresses && local.contains(['+', '=', '#']) {
            return Err(ApiError::new(
                ErrorCode::NotAllowedAccess,
                "Email subaddresses are not allowed",
                "Sign up with your address without a +tag.",
            )
            .param("email_address")
            .into());
        }
        if auth.block_disposable_email_domains && is_disposable(domain) {
            return Err(ApiError::new(
                ErrorCode::NotAllowedAccess,
                "Disposable email addresses are not allowed",
                "Sign up with a permanent email address.",
            )
            .param("email_address")
            .into());
        }
    }
    if ids.each().next().is_none() {
        return Ok(());
    }
    let stored = repo::sign_up_rules(&ctx.db)
        .await
        .context("repo::sign_up_rules")?;
    let pattern_lists = |list: &str, configured: &[String]| -> Vec<String> {
        configured
            .iter()
            .filter_map(|p| normalise_pattern(p))
            .chain(
                stored
                    .iter()
                    .filter(|r| r.list == list)
                    .map(|r| r.pattern.clone()),
            )
            .collect()
    };
    let blocklist = pattern_lists(repo::BLOCK, &auth.blocklist);
    for (param, id) in ids.each() {
        if blocklist.iter().any(|p| matches(p, id)) {
            return Err(not_allowed(param).into());
        }
    }
    let allowlist = pattern_lists(repo::ALLOW, &auth.allowlist);
    // With an allowlist, an invitation still has to name an allowed identifier: the list is
    // the operator's word on who may have an account at all.
    if !allowlist.is_empty() {
        for (param, id) in ids.each() {
            if !allowlist.iter().any(|p| matches(p, id)) {
                return Err(not_allowed(param).into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_case_insensitively() {
        let p = |s: &str| normalise_pattern(s).unwrap();
        assert!(matches(&p("*@Example.com"), "Ada@EXAMPLE.com"));
        assert!(!matches(&p("*@example.com"), "ada@mail.example.com"));
        assert!(!matches(&p("*@example.com"), "ada@badexample.com"));
        assert!(matches(&p("*@*.example.com"), "ada@mail.example.com"));
        assert!(matches(&p("*@*.example.com"), "ada@a.b.example.com"));
        assert!(!matches(&p("*@*.example.com"), "ada@example.com"));
        assert!(!matches(&p("*@*.example.com"), "ada@notexample.com"));
        assert!(matches(&p("ADA@example.com"), "ada@example.com"));
        assert!(!matches(&p("ada@example.com"), "ada2@example.com"));
        assert!(matches(&p("+15550100"), "+15550100"));
        for bad in [
            "",
            "*",
            "*@",
            "*@com",
            "a*b@example.com",
            "*@exa mple.com",
            "*@*.",
        ] {
            assert!(normalise_pattern(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn disposable_domains_and_their_subdomains() {
        assert!(is_disposable("mailinator.com"));
        assert!(is_disposable("MAILINATOR.com"));
        assert!(is_disposable("x.mailinator.com"));
        assert!(!is_disposable("example.com"));
        assert!(!is_disposable("com"));
    }
}
