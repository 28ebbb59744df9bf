//! Verification strategies by their wire names (Clerk's): how a sign-in, a sign-up or a
//! reverification proves something. Parsed once where a name comes in (a request, the
//! settings), so the code that decides matches on a type, not on string literals.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Strategy {
    Password,
    EmailCode,
    PhoneCode,
    EmailLink,
    Passkey,
    Ticket,
    EnterpriseSso,
    Saml,
    ResetPasswordEmailCode,
    ResetPasswordPhoneCode,
    Web3MetamaskSignature,
    Web3CoinbaseWalletSignature,
    Web3OkxWalletSignature,
    Totp,
    BackupCode,
    /// `oauth_{provider}`: an upstream provider named in `[providers.*]` (or `oauth_custom_…`).
    OAuth(String),
}

impl Strategy {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "password" => Self::Password,
            "email_code" => Self::EmailCode,
            "phone_code" => Self::PhoneCode,
            "email_link" => Self::EmailLink,
            "passkey" => Self::Passkey,
            "ticket" => Self::Ticket,
            "enterprise_sso" => Self::EnterpriseSso,
            "saml" => Self::Saml,
            "reset_password_email_code" => Self::ResetPasswordEmailCode,
            "reset_password_phone_code" => Self::ResetPasswordPhoneCode,
            "web3_metamask_signature" => Self::Web3MetamaskSignature,
            "web3_coinbase_wallet_signature" => Self::Web3CoinbaseWalletSignature,
            "web3_okx_wallet_signature" => Self::Web3OkxWalletSignature,
            "totp" => Self::Totp,
            "backup_code" => Self::BackupCode,
            other => {
                let provider = other.strip_prefix("oauth_")?;
                // The rule for `[providers.KEY]` keys.
                let ok = !provider.is_empty()
                    && provider
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                return ok.then(|| Self::OAuth(provider.to_owned()));
            }
        })
    }

    pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow::Borrowed;
        match self {
            Self::Password => Borrowed("password"),
            Self::EmailCode => Borrowed("email_code"),
            Self::PhoneCode => Borrowed("phone_code"),
            Self::EmailLink => Borrowed("email_link"),
            Self::Passkey => Borrowed("passkey"),
            Self::Ticket => Borrowed("ticket"),
            Self::EnterpriseSso => Borrowed("enterprise_sso"),
            Self::Saml => Borrowed("saml"),
            Self::ResetPasswordEmailCode => Borrowed("reset_password_email_code"),
            Self::ResetPasswordPhoneCode => Borrowed("reset_password_phone_code"),
            Self::Web3MetamaskSignature => Borrowed("web3_metamask_signature"),
            Self::Web3CoinbaseWalletSignature => Borrowed("web3_coinbase_wallet_signature"),
            Self::Web3OkxWalletSignature => Borrowed("web3_okx_wallet_signature"),
            Self::Totp => Borrowed("totp"),
            Self::BackupCode => Borrowed("backup_code"),
            Self::OAuth(p) => std::borrow::Cow::Owned(format!("oauth_{p}")),
        }
    }

    /// Proves who is signing in (a sign-in's first factor), as opposed to a second factor.
    pub fn is_first_factor(&self) -> bool {
        !matches!(self, Self::Totp | Self::BackupCode)
    }

    /// What `[auth] first_factors` may list; the others are enabled by their own settings
    /// (providers, enterprise connections, wallets, tickets) or follow the password.
    pub fn is_configurable_first_factor(&self) -> bool {
        matches!(
            self,
            Self::Password | Self::EmailCode | Self::PhoneCode | Self::EmailLink | Self::Passkey
        )
    }

    /// What `[auth] second_factors` may list.
    pub fn is_second_factor(&self) -> bool {
        matches!(
            self,
            Self::Totp | Self::BackupCode | Self::PhoneCode | Self::EmailCode
        )
    }

    /// Proves the user, then asks for a new password before anything else.
    pub fn is_password_reset(&self) -> bool {
        matches!(
            self,
            Self::ResetPasswordEmailCode | Self::ResetPasswordPhoneCode
        )
    }

    pub fn is_web3(&self) -> bool {
        matches!(
            self,
            Self::Web3MetamaskSignature
                | Self::Web3CoinbaseWalletSignature
                | Self::Web3OkxWalletSignature
        )
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_name_round_trips() {
        for name in [
            "password",
            "email_code",
            "phone_code",
            "email_link",
            "passkey",
            "ticket",
            "enterprise_sso",
            "saml",
            "reset_password_email_code",
            "reset_password_phone_code",
            "web3_metamask_signature",
            "web3_coinbase_wallet_signature",
            "web3_okx_wallet_signature",
            "totp",
            "backup_code",
            "oauth_google",
            "oauth_custom_acme",
        ] {
            let s = Strategy::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(s.as_str(), name);
        }
    }

    #[test]
    fn unknown_names_are_refused() {
        for bad in [
            "",
            "Password",
            "email-code",
            "oauth_",
            "oauth_Google",
            "oauth_a b",
            "oauth_../x",
            "sms",
        ] {
            assert_eq!(Strategy::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn kinds() {
        let p = |s: &str| Strategy::parse(s).unwrap();
        assert!(!p("totp").is_first_factor() && p("totp").is_second_factor());
        assert!(p("email_code").is_first_factor() && p("email_code").is_second_factor());
        assert!(p("reset_password_phone_code").is_password_reset());
        assert!(!p("phone_code").is_password_reset());
        assert!(p("passkey").is_configurable_first_factor());
        assert!(!p("oauth_google").is_configurable_first_factor());
        assert!(p("web3_okx_wallet_signature").is_web3());
    }
}
