#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]
//! Property tests for the parsers of untrusted input: whatever arrives, they answer (never
//! panic), and what they accept is canonical and parses to itself again.

use portcullis::domain::web3::{Address, recover_personal_sign};
use portcullis::domain::{EmailAddress, Password, PasswordPolicy, PhoneNumber, Username};
use portcullis::domain::{derived_id, mask_email, totp};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn email_addresses_are_canonical(raw in "\\PC{0,300}") {
        if let Ok(e) = EmailAddress::parse(&raw) {
            let s = e.as_ref().to_owned();
            prop_assert_eq!(s.clone(), s.to_lowercase());
            prop_assert_eq!(EmailAddress::parse(&s).unwrap().as_ref().to_owned(), s.clone());
            prop_assert!(s.len() <= 254);
            let masked = mask_email(&s);
            prop_assert!(masked.ends_with(&s[s.find('@').unwrap()..]));
        }
    }

    #[test]
    fn plausible_email_addresses(local in "[a-z0-9._+-]{1,30}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
        let raw = format!("{local}@{domain}");
        if let Ok(e) = EmailAddress::parse(&raw.to_uppercase()) {
            prop_assert_eq!(e.as_ref().to_owned(), raw);
        }
    }

    #[test]
    fn phone_numbers_are_e164(raw in "\\PC{0,40}") {
        if let Ok(p) = PhoneNumber::parse(&raw) {
            let s = p.as_ref().to_owned();
            prop_assert!(s.starts_with('+') && s[1..].bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(PhoneNumber::parse(&s).unwrap().as_ref().to_owned(), s);
        }
    }

    #[test]
    fn usernames_never_panic_and_round_trip(raw in "\\PC{0,80}") {
        if let Ok(u) = Username::parse(&raw) {
            let s = u.as_ref().to_owned();
            prop_assert_eq!(Username::parse(&s).unwrap().as_ref().to_owned(), s);
        }
    }

    #[test]
    fn passwords_respect_the_policy(raw in "\\PC{0,120}") {
        let policy = PasswordPolicy { min_length: 8, max_length: 72 };
        if let Ok(p) = Password::parse(&raw, policy) {
            let n = p.expose().chars().count();
            prop_assert!((8..=72).contains(&n));
        }
    }

    #[test]
    fn wallet_addresses_are_checksummed_once(hex in "[0-9a-fA-F]{40}", junk in "\\PC{0,50}") {
        let _ = Address::parse(&junk);
        let lower = format!("0x{}", hex.to_lowercase());
        let a = Address::parse(&lower).unwrap();
        prop_assert_eq!(Address::parse(a.as_ref()).unwrap(), a.clone());
        prop_assert_eq!(a.as_ref().to_lowercase(), lower);
    }

    #[test]
    fn signatures_of_any_shape_are_answered(message in "\\PC{0,100}", sig in "(0x)?[0-9a-f]{0,140}", junk in "(0x)?[0-9a-fé]{0,66}") {
        let _ = recover_personal_sign(&message, &sig);
        // Multi-byte characters among the hex digits (the fuzzer found a panic there).
        let _ = recover_personal_sign(&message, &format!("{junk}{junk}"));
    }

    #[test]
    fn totp_codes_are_six_digits_and_match_only_their_step(secret in proptest::collection::vec(any::<u8>(), 10..40), step in 0i64..100_000_000, code in "\\PC{0,12}") {
        let c = totp::code_at_step(&secret, step);
        prop_assert_eq!(c.len(), 6);
        prop_assert!(c.bytes().all(|b| b.is_ascii_digit()));
        let now = step * 30_000 + 15_000;
        prop_assert_eq!(totp::matching_step(&secret, &c, now, Some(step)), None);
        if let Some(found) = totp::matching_step(&secret, &code, now, None) {
            prop_assert!((step - 1..=step + 1).contains(&found));
        }
    }

    #[test]
    fn derived_ids_have_the_shape_of_ids(hex in "[0-9a-f]{0,80}") {
        let id = derived_id("idn", &hex);
        prop_assert_eq!(id.len(), "idn_".len() + 27);
        prop_assert!(id[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
