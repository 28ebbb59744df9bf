use std::str::FromStr;

use super::ParseError;

/// The subaddress (`ada+portcullis_test@example.com`) that marks a test mode address.
pub const TEST_SUBADDRESS: &str = "portcullis_test";

/// A syntactically valid email address, lower-cased (addresses are matched without case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        if s.len() > 254 {
            return Err(ParseError::Format("email address is too long"));
        }
        let parsed = email_address::EmailAddress::from_str(s)
            .map_err(|_| ParseError::Format("must be a valid email address"))?;
        let domain = parsed.domain();
        // A bare host ("user@localhost") is legal in RFC 5321 but never what a person means
        // on a sign-up form, and an IP literal cannot receive our mail reliably.
        if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
            return Err(ParseError::Format("must be a valid email address"));
        }
        Ok(Self(s.to_lowercase()))
    }

    /// `local+tag@domain`: the part after `+`, used by test mode.
    pub fn has_subaddress(&self, tag: &str) -> bool {
        self.0
            .split_once('@')
            .map(|(local, _)| local.split('+').skip(1).any(|t| t == tag))
            .unwrap_or(false)
    }

    /// `j***@example.com`, for showing which address a code went to.
    pub fn masked(&self) -> String {
        mask_email(&self.0)
    }
}

pub fn mask_email(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_valid_addresses() {
        let e = EmailAddress::parse(" Jane.Doe+x@Example.COM ").unwrap();
        assert_eq!(e.as_ref(), "jane.doe+x@example.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@@example.com",
            "a@[127.0.0.1]",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn finds_the_test_subaddress() {
        let e = EmailAddress::parse("jane+portcullis_test@example.com").unwrap();
        assert!(e.has_subaddress("portcullis_test"));
        let e = EmailAddress::parse("portcullis_test@example.com").unwrap();
        assert!(!e.has_subaddress("portcullis_test"));
    }

    #[test]
    fn masks_all_but_the_first_letter() {
        let e = EmailAddress::parse("jane@example.com").unwrap();
        assert_eq!(e.masked(), "j***@example.com");
    }
}
