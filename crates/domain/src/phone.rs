use super::ParseError;

/// A phone number in E.164 form (`+15555550100`), parsed with libphonenumber's rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Numbers must be international (start with `+`): a sign-up form has no country to
    /// assume. The NANP range `NXX-555-0100..0199` is reserved for fiction and is accepted
    /// although libphonenumber calls it invalid, because test mode uses it.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        if !s.starts_with('+') || s.len() > 32 {
            return Err(ParseError::Format(
                "must be a phone number in international format, starting with +",
            ));
        }
        let parsed = phonenumber::parse(None, s)
            .map_err(|_| ParseError::Format("must be a valid phone number"))?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        if phonenumber::is_valid(&parsed) || is_fictional_nanp(&e164) {
            Ok(Self(e164))
        } else {
            Err(ParseError::Format("must be a valid phone number"))
        }
    }

    /// `+1 NXX 555 0100` to `0199`.
    pub fn is_fictional(&self) -> bool {
        is_fictional_nanp(&self.0)
    }

    /// `+1******0100`: country code and last four digits.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

pub fn mask_phone(e164: &str) -> String {
    let n = e164.len();
    if n <= 6 {
        return "***".into();
    }
    let tail = &e164[n - 4..];
    let head = if e164.starts_with("+1") {
        "+1"
    } else {
        &e164[..3]
    };
    format!("{head}{}{tail}", "*".repeat(n - 4 - head.len()))
}

fn is_fictional_nanp(e164: &str) -> bool {
    let b = e164.as_bytes();
    e164.len() == 12
        && e164.starts_with("+1")
        && b[2..].iter().all(u8::is_ascii_digit)
        && &e164[5..10] == "55501"
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_e164() {
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").unwrap().as_ref(),
            "+442079460958"
        );
        assert_eq!(
            PhoneNumber::parse("+1 (415) 555-2671").unwrap().as_ref(),
            "+14155552671"
        );
    }

    #[test]
    fn accepts_the_fictional_test_range() {
        let p = PhoneNumber::parse("+1 201 555 0123").unwrap();
        assert_eq!(p.as_ref(), "+12015550123");
        assert!(p.is_fictional());
        assert!(!PhoneNumber::parse("+14155552671").unwrap().is_fictional());
    }

    #[test]
    fn refuses_bad_numbers() {
        for bad in [
            "",
            "5555550100",
            "+",
            "+1 12",
            "+abc",
            "+999 1234567",
            "+1 201 555 0123 ext 5 and more text",
        ] {
            assert!(
                PhoneNumber::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_phone("+12015550123"), "+1******0123");
    }
}
