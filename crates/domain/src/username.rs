use super::ParseError;

pub const MIN_LEN: usize = 4;
pub const MAX_LEN: usize = 64;

/// 4–64 characters of `a-z 0-9 _ - .`, matched without case (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim().to_lowercase();
        let n = s.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&n) {
            return Err(ParseError::Length {
                min: MIN_LEN,
                max: MAX_LEN,
            });
        }
        if !s
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        {
            return Err(ParseError::Characters(
                "can contain only letters, digits, '_', '-' and '.'",
            ));
        }
        Ok(Self(s))
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(Username::parse("Jane_Doe").unwrap().as_ref(), "jane_doe");
    }

    #[test]
    fn enforces_length_and_characters() {
        assert!(matches!(
            Username::parse("abc"),
            Err(ParseError::Length { .. })
        ));
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(matches!(
            Username::parse("jane doe"),
            Err(ParseError::Characters(_))
        ));
        assert!(Username::parse("jané").is_err());
        assert!(Username::parse("a@b.c").is_err());
    }
}
