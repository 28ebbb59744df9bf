//! The factors a sign-in offers: those of the identified account that this instance enables,
//! or, for an identifier nobody has, a stand-in set shaped like a real one.

use super::*;

/// A sign-in for an identifier nobody has, shaped like a real one: the factors an account with
/// a password and that address would have, with stable made-up ids.
pub(super) fn set_phantom(ctx: &Ctx, si: &mut SignIn, identifier: &str) {
    let digest = ctx
        .tokens
        .hash("phantom", &identifier.trim().to_lowercase());
    let fake_id = crate::domain::derived_id("idn", &digest);
    let mut factors = Vec::new();
    let factor = |strategy: &str, masked: Option<String>, email: bool| Factor {
        strategy: strategy.into(),
        safe_identifier: masked,
        email_address_id: email.then(|| fake_id.clone()),
        phone_number_id: (!email).then(|| fake_id.clone()),
        web3_wallet_id: None,
        primary: true,
        default: false,
    };
    let has_password = enabled(ctx, "password");
    if has_password {
        factors.push(Factor::plain("password"));
    }
    if let Ok(e) = EmailAddress::parse(identifier) {
        let masked = Some(crate::domain::mask_email(e.as_ref()));
        if enabled(ctx, "email_code") {
            factors.push(factor("email_code", masked.clone(), true));
        }
        if has_password {
            factors.push(factor("reset_password_email_code", masked, true));
        }
    } else if let Ok(p) = PhoneNumber::parse(identifier) {
        let masked = Some(crate::domain::mask_phone(p.as_ref()));
        if enabled(ctx, "phone_code") {
            factors.push(factor("phone_code", masked.clone(), false));
        }
        if has_password {
            factors.push(factor("reset_password_phone_code", masked, false));
        }
    }
    if let Some(first) = factors.first_mut() {
        first.default = true;
    }
    si.identifier = Some(identifier.to_owned());
    si.user_id = None;
    si.phantom = true;
    si.user_data = Some(UserData::default());
    si.supported_first_factors = factors;
    si.status = next::status(si);
}

pub(super) fn passkey_factor() -> Factor {
    Factor::plain("passkey")
}

/// A factor that sends a code to one of the user's email addresses.
pub(super) fn email_factor(
    strategy: &str,
    e: &crate::store::entities::email_address::Model,
    user: &UserRecord,
) -> Factor {
    Factor {
        strategy: strategy.into(),
        safe_identifier: Some(crate::domain::mask_email(&e.email_address)),
        email_address_id: Some(e.id.clone()),
        phone_number_id: None,
        web3_wallet_id: None,
        primary: user.user.primary_email_address_id.as_deref() == Some(&e.id),
        default: false,
    }
}

/// A factor that texts a code to one of the user's phone numbers.
pub(super) fn phone_factor(
    strategy: &str,
    p: &crate::store::entities::phone_number::Model,
    user: &UserRecord,
) -> Factor {
    Factor {
        strategy: strategy.into(),
        safe_identifier: Some(crate::domain::mask_phone(&p.phone_number)),
        email_address_id: None,
        phone_number_id: Some(p.id.clone()),
        web3_wallet_id: None,
        primary: user.user.primary_phone_number_id.as_deref() == Some(&p.id),
        default: false,
    }
}

/// The user's first factors, in the order a page offers them; the first is the default.
pub(super) fn first_factors(ctx: &Ctx, user: &UserRecord) -> Vec<Factor> {
    let mut factors = Vec::new();
    let has_password = enabled(ctx, "password") && user.user.password_hash.is_some();
    if has_password {
        factors.push(Factor::plain("password"));
    }
    let emails: Vec<_> = user.emails.iter().filter(|e| e.verified).collect();
    // A number kept for the second factor never serves the first (nor a reset): with both
    // factors on one SIM, a SIM swap would be the whole account.
    let phones = user.first_factor_phones();
    if enabled(ctx, "email_code") {
        factors.extend(emails.iter().map(|e| email_factor("email_code", e, user)));
    }
    if enabled(ctx, "email_link") {
        factors.extend(emails.iter().map(|e| email_factor("email_link", e, user)));
    }
    if enabled(ctx, "phone_code") {
        factors.extend(phones.iter().map(|p| phone_factor("phone_code", p, user)));
    }
    if enabled(ctx, "passkey") && !user.passkeys.is_empty() {
        factors.push(passkey_factor());
    }
    // Each verified wallet, by any of the wallet strategies.
    if ctx.settings().auth.web3_wallet.enabled() {
        for w in user.wallets.iter().filter(|w| w.verified) {
            for strategy in crate::web3::STRATEGIES {
                factors.push(Factor {
                    strategy: strategy.into(),
                    safe_identifier: Some(w.web3_wallet.clone()),
                    email_address_id: None,
                    phone_number_id: None,
                    web3_wallet_id: Some(w.id.clone()),
                    primary: false,
                    default: false,
                });
            }
        }
    }
    // Upstream accounts the user has connected, and the enterprise connection of their domain.
    for x in &user.external {
        let strategy = format!("oauth_{}", x.provider);
        if enabled(ctx, &strategy) && !factors.iter().any(|f: &Factor| f.strategy == strategy) {
            factors.push(Factor {
                strategy,
                safe_identifier: x.email_address.as_deref().map(crate::domain::mask_email),
                email_address_id: None,
                phone_number_id: None,
                web3_wallet_id: None,
                primary: false,
                default: false,
            });
        }
    }
    if let Some(e) = emails.first()
        && ctx.federation.for_email(&e.email_address).is_some()
    {
        factors.push(email_factor("enterprise_sso", e, user));
    }
    // A forgotten password is reset with a code to a verified address or number.
    if has_password {
        factors.extend(
            emails
                .iter()
                .map(|e| email_factor("reset_password_email_code", e, user)),
        );
        factors.extend(
            phones
                .iter()
                .map(|p| phone_factor("reset_password_phone_code", p, user)),
        );
    }
    if let Some(first) = factors.first_mut() {
        first.default = true;
    }
    factors
}
