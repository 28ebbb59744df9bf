//! The one place that decides where a sign-in goes next, as pure functions of its state:
//! `status` for what the sign-in is waiting for, `step` for what a browser should do about it.
//! The code around them writes (and, before `Complete`, creates the session); these only
//! decide, so every transition of the seeds is tested below without storage.

use super::{Factor, SignIn, SignInStatus};
use crate::domain::Strategy;
use crate::verification::{Status, Verification};

fn verified(v: Option<&Verification>) -> bool {
    v.is_some_and(|v| v.status == Status::Verified)
}

/// A first factor that proves the user but asks for a new password before anything else.
pub fn is_reset_strategy(strategy: &str) -> bool {
    Strategy::parse(strategy).is_some_and(|s| s.is_password_reset())
}

/// What the sign-in waits for, from what it holds:
///
/// - nobody identified (and no passkey or stand-in offered instead): the identifier;
/// - a reset code checked, the new password not yet set: `needs_new_password`;
/// - the first factor not yet proven and accounted: the first factor;
/// - second factors on the account and none proven: the second factor;
/// - otherwise (or once a session exists): complete.
pub fn status(si: &SignIn) -> SignInStatus {
    if si.created_session_id.is_some() {
        return SignInStatus::Complete;
    }
    let first = si.first_factor_verification.as_ref();
    let first_proven = verified(first);
    if first_proven
        && first.is_some_and(|v| is_reset_strategy(&v.strategy))
        && si.first_factor_at.is_none()
    {
        return SignInStatus::NeedsNewPassword;
    }
    if si.user_id.is_none() && !si.phantom && si.supported_first_factors.is_empty() {
        return SignInStatus::NeedsIdentifier;
    }
    if !first_proven || si.first_factor_at.is_none() {
        return SignInStatus::NeedsFirstFactor;
    }
    if !si.supported_second_factors.is_empty() && !verified(si.second_factor_verification.as_ref())
    {
        return SignInStatus::NeedsSecondFactor;
    }
    SignInStatus::Complete
}

/// What a browser should do next with a sign-in. The hosted pages follow it; an app driving
/// the Frontend API makes the same choices from the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Signed in: on to wherever the user was going.
    Done,
    /// Ask for the identifier.
    Identify,
    /// Ask for a new password (after a reset code).
    NewPassword,
    /// Ask for a first factor: `offer` is the one to show first (the default, right after
    /// identification; otherwise the user picks), and `send` says to prepare it at once (a
    /// code or link; never a password).
    FirstFactor { offer: Option<Factor>, send: bool },
    /// Ask for a second factor; `send` likewise.
    SecondFactor { send: Option<Factor> },
    /// Identified, but the account has no factor this instance offers.
    NoFactor,
}

/// The step after the sign-in's last change. `just_identified`: the identifier was given in
/// this very request, so the default first factor (unless it is a password) is sent now; on
/// any later visit the user picks.
pub fn step(si: &SignIn, just_identified: bool) -> Step {
    match si.status {
        SignInStatus::Complete => Step::Done,
        SignInStatus::NeedsIdentifier | SignInStatus::Abandoned => Step::Identify,
        SignInStatus::NeedsNewPassword => Step::NewPassword,
        SignInStatus::NeedsFirstFactor if just_identified => {
            match si.supported_first_factors.first() {
                None => Step::NoFactor,
                Some(f) => Step::FirstFactor {
                    send: f.strategy != "password",
                    offer: Some(f.clone()),
                },
            }
        }
        SignInStatus::NeedsFirstFactor => Step::FirstFactor {
            offer: None,
            send: false,
        },
        SignInStatus::NeedsSecondFactor => Step::SecondFactor {
            // A code-based default is sent at once, as the first factor's is; only once.
            send: si
                .supported_second_factors
                .first()
                .filter(|f| matches!(f.strategy.as_str(), "phone_code" | "email_code"))
                .filter(|_| si.second_factor_verification.is_none())
                .cloned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> SignIn {
        SignIn::new("sia_1".into(), "client_1", 0, 0)
    }

    fn identified() -> SignIn {
        let mut si = fresh();
        si.identifier = Some("ada@example.com".into());
        si.user_id = Some("user_1".into());
        si.supported_first_factors = vec![Factor::plain("password"), Factor::plain("email_code")];
        si
    }

    fn proven(strategy: &str) -> Verification {
        Verification::verified(strategy, 0)
    }

    fn pending(strategy: &str) -> Verification {
        let mut v = proven(strategy);
        v.status = Status::Unverified;
        v
    }

    /// Applies the decision the way the flow does, and returns it.
    fn settle(si: &mut SignIn) -> SignInStatus {
        si.status = status(si);
        si.status
    }

    #[test]
    fn identify_then_first_factor_then_complete() {
        let mut si = fresh();
        assert_eq!(settle(&mut si), SignInStatus::NeedsIdentifier);
        si = identified();
        assert_eq!(settle(&mut si), SignInStatus::NeedsFirstFactor);
        si.first_factor_verification = Some(pending("email_code"));
        assert_eq!(
            settle(&mut si),
            SignInStatus::NeedsFirstFactor,
            "a code sent proves nothing"
        );
        si.first_factor_verification = Some(proven("email_code"));
        assert_eq!(
            settle(&mut si),
            SignInStatus::NeedsFirstFactor,
            "proven but not yet accounted (second factors unknown)"
        );
        si.first_factor_at = Some(1);
        assert_eq!(settle(&mut si), SignInStatus::Complete);
        si.created_session_id = Some("sess_1".into());
        assert_eq!(settle(&mut si), SignInStatus::Complete);
    }

    #[test]
    fn a_second_factor_comes_between_the_first_and_completion() {
        let mut si = identified();
        si.first_factor_verification = Some(proven("password"));
        si.first_factor_at = Some(1);
        si.supported_second_factors = vec![Factor::plain("totp"), Factor::plain("backup_code")];
        assert_eq!(settle(&mut si), SignInStatus::NeedsSecondFactor);
        si.second_factor_verification = Some(pending("phone_code"));
        assert_eq!(settle(&mut si), SignInStatus::NeedsSecondFactor);
        si.second_factor_verification = Some(proven("totp"));
        assert_eq!(settle(&mut si), SignInStatus::Complete);
    }

    #[test]
    fn a_failed_first_factor_stays_on_the_first_factor() {
        let mut si = identified();
        let mut v = pending("password");
        v.status = Status::Failed;
        si.first_factor_verification = Some(v);
        assert_eq!(settle(&mut si), SignInStatus::NeedsFirstFactor);
        let mut v = pending("email_code");
        v.status = Status::Expired;
        si.first_factor_verification = Some(v);
        assert_eq!(settle(&mut si), SignInStatus::NeedsFirstFactor);
    }

    #[test]
    fn a_reset_code_asks_for_a_new_password_then_goes_on() {
        let mut si = identified();
        si.supported_second_factors = vec![Factor::plain("totp")];
        si.first_factor_verification = Some(pending("reset_password_email_code"));
        assert_eq!(settle(&mut si), SignInStatus::NeedsFirstFactor);
        si.first_factor_verification = Some(proven("reset_password_email_code"));
        assert_eq!(settle(&mut si), SignInStatus::NeedsNewPassword);
        // The new password is set; the first factor is accounted for.
        si.first_factor_at = Some(1);
        assert_eq!(
            settle(&mut si),
            SignInStatus::NeedsSecondFactor,
            "a reset does not skip the second factor"
        );
        si.second_factor_verification = Some(proven("totp"));
        assert_eq!(settle(&mut si), SignInStatus::Complete);
        let mut phone = identified();
        phone.first_factor_verification = Some(proven("reset_password_phone_code"));
        assert_eq!(settle(&mut phone), SignInStatus::NeedsNewPassword);
    }

    #[test]
    fn a_passkey_or_a_stand_in_needs_no_identifier() {
        // A discoverable passkey names its user when it is used.
        let mut si = fresh();
        si.supported_first_factors = vec![Factor::plain("passkey")];
        assert_eq!(settle(&mut si), SignInStatus::NeedsFirstFactor);
        si.user_id = Some("user_1".into());
        si.first_factor_verification = Some(proven("passkey"));
        si.first_factor_at = Some(1);
        assert_eq!(settle(&mut si), SignInStatus::Complete);
        // An identifier nobody has looks like one that somebody has, and never gets further.
        let mut phantom = fresh();
        phantom.phantom = true;
        phantom.identifier = Some("nobody@example.com".into());
        assert_eq!(settle(&mut phantom), SignInStatus::NeedsFirstFactor);
        phantom.first_factor_verification = Some(pending("email_code"));
        assert_eq!(settle(&mut phantom), SignInStatus::NeedsFirstFactor);
    }

    #[test]
    fn an_upstream_sign_in_waits_for_its_account_or_a_transfer() {
        // `oauth_…` / `enterprise_sso`: the provider names the user; until it has, nobody is
        // identified, and an account it did not find is `transferable` to a sign-up.
        let mut si = fresh();
        si.first_factor_verification = Some(pending("oauth_google"));
        assert_eq!(settle(&mut si), SignInStatus::NeedsIdentifier);
        let mut v = pending("oauth_google");
        v.status = Status::Transferable;
        si.first_factor_verification = Some(v);
        assert_eq!(settle(&mut si), SignInStatus::NeedsIdentifier);
        si.user_id = Some("user_1".into());
        si.first_factor_verification = Some(proven("oauth_google"));
        si.first_factor_at = Some(1);
        assert_eq!(settle(&mut si), SignInStatus::Complete);
    }

    #[test]
    fn a_ticket_or_a_transfer_is_a_proven_first_factor() {
        for strategy in ["ticket", "oauth_github"] {
            let mut si = identified();
            si.first_factor_verification = Some(proven(strategy));
            si.first_factor_at = Some(1);
            assert_eq!(settle(&mut si), SignInStatus::Complete, "{strategy}");
            si.supported_second_factors = vec![Factor::plain("totp")];
            si.created_session_id = None;
            assert_eq!(
                settle(&mut si),
                SignInStatus::NeedsSecondFactor,
                "{strategy}"
            );
        }
    }

    #[test]
    fn the_browser_is_sent_where_the_status_says() {
        let mut si = fresh();
        assert_eq!(step(&si, false), Step::Identify);
        si = identified();
        settle(&mut si);
        assert_eq!(
            step(&si, false),
            Step::FirstFactor {
                offer: None,
                send: false
            }
        );
        // Just identified: the default is offered; a password is asked for, anything else is
        // sent at once.
        assert_eq!(
            step(&si, true),
            Step::FirstFactor {
                offer: Some(Factor::plain("password")),
                send: false
            }
        );
        si.supported_first_factors.reverse();
        assert_eq!(
            step(&si, true),
            Step::FirstFactor {
                offer: Some(Factor::plain("email_code")),
                send: true
            }
        );
        si.supported_first_factors.clear();
        assert_eq!(step(&si, true), Step::NoFactor);
        si.status = SignInStatus::NeedsNewPassword;
        assert_eq!(step(&si, false), Step::NewPassword);
        si.status = SignInStatus::Complete;
        assert_eq!(step(&si, false), Step::Done);
    }

    #[test]
    fn a_code_second_factor_is_sent_once() {
        let mut si = identified();
        si.first_factor_verification = Some(proven("password"));
        si.first_factor_at = Some(1);
        si.supported_second_factors = vec![Factor::plain("phone_code"), Factor::plain("totp")];
        settle(&mut si);
        assert_eq!(
            step(&si, false),
            Step::SecondFactor {
                send: Some(Factor::plain("phone_code"))
            }
        );
        si.second_factor_verification = Some(pending("phone_code"));
        assert_eq!(step(&si, false), Step::SecondFactor { send: None });
        // An app's code is never "sent".
        si.second_factor_verification = None;
        si.supported_second_factors.reverse();
        assert_eq!(step(&si, false), Step::SecondFactor { send: None });
    }
}
