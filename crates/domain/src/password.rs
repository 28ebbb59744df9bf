use secrecy::{ExposeSecret, SecretString};

use super::ParseError;

/// Length limits from `[auth]`.
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
}

/// A new password that meets the policy. Kept secret so it cannot reach a log line.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: &str, policy: PasswordPolicy) -> Result<Self, ParseError> {
        // Length in characters, as a person counts them.
        let n = raw.chars().count();
        if n < policy.min_length {
            return Err(ParseError::PasswordTooShort(policy.min_length));
        }
        if n > policy.max_length {
            return Err(ParseError::PasswordTooLong(policy.max_length));
        }
        if raw.chars().all(char::is_whitespace) {
            return Err(ParseError::PasswordWeak(
                "passwords cannot consist of white space only",
            ));
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: PasswordPolicy = PasswordPolicy {
        min_length: 8,
        max_length: 72,
    };

    #[test]
    fn enforces_the_policy() {
        assert!(matches!(
            Password::parse("short", POLICY),
            Err(ParseError::PasswordTooShort(8))
        ));
        assert!(matches!(
            Password::parse(&"x".repeat(73), POLICY),
            Err(ParseError::PasswordTooLong(72))
        ));
        assert!(matches!(
            Password::parse("          ", POLICY),
            Err(ParseError::PasswordWeak(_))
        ));
        assert_eq!(
            Password::parse("correct horse", POLICY).unwrap().expose(),
            "correct horse"
        );
        // Eight characters that are eight bytes more than eight in UTF-8.
        assert!(Password::parse("ééééééééé", POLICY).is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = Password::parse("hunter2hunter2", POLICY).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
