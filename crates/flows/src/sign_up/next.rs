//! Where a sign-up goes next, as pure functions of its state and the settings: `status` for the
//! wire, `step` for what a browser (or the flow itself) does about it. What a sign-up still
//! lacks is `requirements`; these read it and decide, and the code around them writes.

use super::{SignUp, SignUpStatus, requirements};
use crate::config::AuthSettings;
use crate::verification::Status;

/// `complete` once the sign-up has become a user and a session; until then it is missing
/// something (a field, a verification, or only the moment of completion).
pub fn status(su: &SignUp) -> SignUpStatus {
    if su.created_user_id.is_some() && su.created_session_id.is_some() {
        SignUpStatus::Complete
    } else {
        SignUpStatus::MissingRequirements
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A user and session exist: on to wherever the user was going.
    Done,
    /// An email address or phone number was given and is not verified yet. `send`: no code
    /// is on its way (none was sent, or the last one failed or expired), so one is sent now.
    Verify {
        field: &'static str,
        strategy: &'static str,
        send: bool,
    },
    /// Fields the settings require are missing, or a wallet still has to sign: the form.
    Continue,
    /// Nothing missing and nothing unverified: the sign-up becomes a user now.
    Ready,
}

pub fn step(auth: &AuthSettings, su: &SignUp) -> Step {
    if status(su) == SignUpStatus::Complete {
        return Step::Done;
    }
    let req = requirements(auth, su);
    for (field, strategy, v) in [
        ("email_address", "email_code", &su.email_verification),
        ("phone_number", "phone_code", &su.phone_verification),
    ] {
        if req.unverified.contains(&field) {
            let pending = v.as_ref().is_some_and(|v| v.status == Status::Unverified);
            return Step::Verify {
                field,
                strategy,
                send: !pending,
            };
        }
    }
    if req.missing.is_empty() && req.unverified.is_empty() {
        Step::Ready
    } else {
        Step::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FieldMode;
    use crate::verification::Verification;

    /// An email address and a password required, names optional.
    fn settings() -> AuthSettings {
        AuthSettings {
            email_address: FieldMode::Required,
            password: FieldMode::Required,
            phone_number: FieldMode::Off,
            username: FieldMode::Off,
            first_name: FieldMode::Optional,
            last_name: FieldMode::Optional,
            web3_wallet: FieldMode::Off,
            email_address_or_phone_number: false,
            legal_consent: false,
            ..AuthSettings::default()
        }
    }

    fn fresh() -> SignUp {
        SignUp::new("sua_1".into(), "client_1", 0, 0)
    }

    fn proven(strategy: &str) -> Verification {
        Verification::verified(strategy, 0)
    }

    fn with_status(strategy: &str, status: Status) -> Verification {
        let mut v = proven(strategy);
        v.status = status;
        v
    }

    #[test]
    fn fields_then_verification_then_ready_then_done() {
        let auth = settings();
        let mut su = fresh();
        assert_eq!(step(&auth, &su), Step::Continue);
        su.email_address = Some("ada@example.com".into());
        assert_eq!(
            step(&auth, &su),
            Step::Verify {
                field: "email_address",
                strategy: "email_code",
                send: true
            },
            "an address is verified before the rest is asked for"
        );
        su.email_verification = Some(with_status("email_code", Status::Unverified));
        assert_eq!(
            step(&auth, &su),
            Step::Verify {
                field: "email_address",
                strategy: "email_code",
                send: false
            },
            "a code on its way is not sent again"
        );
        su.email_verification = Some(proven("email_code"));
        assert_eq!(
            step(&auth, &su),
            Step::Continue,
            "the password is still missing"
        );
        su.password_hash = Some("$argon2id$…".into());
        assert_eq!(step(&auth, &su), Step::Ready);
        assert_eq!(status(&su), SignUpStatus::MissingRequirements);
        su.created_user_id = Some("user_1".into());
        su.created_session_id = Some("sess_1".into());
        assert_eq!(status(&su), SignUpStatus::Complete);
        assert_eq!(step(&auth, &su), Step::Done);
    }

    #[test]
    fn a_failed_or_expired_code_is_sent_again() {
        let auth = settings();
        for s in [Status::Failed, Status::Expired] {
            let mut su = fresh();
            su.email_address = Some("ada@example.com".into());
            su.email_verification = Some(with_status("email_code", s));
            assert_eq!(
                step(&auth, &su),
                Step::Verify {
                    field: "email_address",
                    strategy: "email_code",
                    send: true
                },
                "{s:?}"
            );
        }
    }

    #[test]
    fn email_before_phone_and_both_before_completion() {
        let mut auth = settings();
        auth.phone_number = FieldMode::Required;
        let mut su = fresh();
        su.email_address = Some("ada@example.com".into());
        su.phone_number = Some("+15555550100".into());
        su.password_hash = Some("h".into());
        assert!(matches!(
            step(&auth, &su),
            Step::Verify {
                field: "email_address",
                ..
            }
        ));
        su.email_verification = Some(proven("email_code"));
        assert_eq!(
            step(&auth, &su),
            Step::Verify {
                field: "phone_number",
                strategy: "phone_code",
                send: true
            }
        );
        su.phone_verification = Some(proven("phone_code"));
        assert_eq!(step(&auth, &su), Step::Ready);
    }

    #[test]
    fn an_upstream_account_needs_no_password() {
        let auth = settings();
        let mut su = fresh();
        su.email_address = Some("ada@example.com".into());
        su.email_verification = Some(proven("from_oauth_google"));
        su.external_verification = Some(with_status("oauth_google", Status::Transferable));
        assert_eq!(
            step(&auth, &su),
            Step::Continue,
            "not yet: the upstream is unproven"
        );
        su.external_verification = Some(proven("oauth_google"));
        assert_eq!(step(&auth, &su), Step::Ready);
    }

    #[test]
    fn a_wallet_signs_on_the_form_and_needs_no_password() {
        let mut auth = settings();
        auth.email_address = FieldMode::Off;
        auth.web3_wallet = FieldMode::Required;
        let mut su = fresh();
        su.web3_wallet = Some("0x52908400098527886E0F7030069857D2E4169EE7".into());
        assert_eq!(
            step(&auth, &su),
            Step::Continue,
            "the wallet has not signed"
        );
        su.web3_verification = Some(proven("web3_metamask_signature"));
        assert_eq!(step(&auth, &su), Step::Ready);
    }

    #[test]
    fn an_optional_field_left_out_does_not_hold_completion() {
        let auth = settings();
        let mut su = fresh();
        su.email_address = Some("ada@example.com".into());
        su.email_verification = Some(proven("email_code"));
        su.password_hash = Some("h".into());
        assert_eq!(su.first_name, None);
        assert_eq!(step(&auth, &su), Step::Ready);
    }
}
