//! Every user-facing string of the hosted pages, in the page's language. The text lives in
//! `locales/*.ftl` (one Fluent file per language, ids like `sign-in-title` for the field
//! `sign_in_title`); each locale's table is built once, on first use, and shared.

use std::sync::OnceLock;

use crate::i18n::{Arg, Locale};

/// Declares the table: one `String` field per message, filled from the message whose id is
/// the field's name with `-` for `_`.
macro_rules! strings {
    ($($field:ident),* $(,)?) => {
        pub struct Table {
            $(pub $field: String,)*
            /// The locale the table is in.
            pub locale: Locale,
            /// `<html lang>`: the locale's BCP 47 tag.
            pub lang: &'static str,
            /// `<html dir>`: `ltr` or `rtl`.
            pub dir: &'static str,
            /// The language picker's choices: each shipped locale's tag and own name.
            pub languages: Vec<(&'static str, String)>,
        }

        impl Table {
            fn load(locale: Locale) -> Self {
                Table {
                    $($field: locale.text(&stringify!($field).replace('_', "-")),)*
                    locale,
                    lang: locale.tag(),
                    dir: locale.dir(),
                    languages: portcullis_i18n::all().map(|l| (l.tag(), l.name())).collect(),
                }
            }
        }

        /// The message ids the table reads, for the test that English has them all.
        #[cfg(test)]
        const IDS: &[&str] = &[$(stringify!($field)),*];
    };
}

strings! {
    sign_in_title,
    sign_in_lead,
    or,
    continue_button,
    no_account,
    sign_up_link,
    password_label,
    factor_password_title,
    factor_code_title,
    code_sent_to,
    code_label,
    resend_button,
    other_methods,
    use_password,
    email_code_to,
    text_code_to,
    start_over,
    sign_up_title,
    sign_up_lead,
    email_label,
    phone_label,
    phone_hint,
    username_label,
    first_name_label,
    last_name_label,
    new_password_label,
    legal_label,
    optional,
    have_account,
    sign_in_link,
    verify_email_title,
    verify_phone_title,
    verify_button,
    continue_title,
    sign_out_title,
    sign_out_lead,
    sign_out_button,
    signed_out,
    account_title,
    emails_heading,
    phones_heading,
    apps_heading,
    remove_access,
    forgot_password,
    reset_title,
    sign_out_others_label,
    reauth_note,
    form_expired,
    wallet_sign_in,
    passkey_sign_in,
    passkeys_heading,
    passkey_add,
    email_link_to,
    link_sent_to,
    link_lead,
    resend_link,
    continue_with,
    or_divider,
    connected_heading,
    connect_button,
    disconnect_button,
    link_failed,
    link_denied,
    factor_two_title,
    totp_lead,
    backup_code_lead,
    backup_code_label,
    use_totp,
    use_backup_code,
    security_heading,
    totp_on,
    set_up_totp,
    remove_totp,
    new_backup_codes,
    totp_setup_title,
    totp_setup_lead,
    secret_label,
    backup_codes_title,
    backup_codes_lead,
    done_button,
    orgs_title,
    orgs_none,
    acting_for,
    personal_account,
    no_org_chosen,
    choose_org_task,
    switch_button,
    manage_link,
    create_org_heading,
    org_name_label,
    org_slug_label,
    create_button,
    org_invitations_heading,
    accept_button,
    members_heading,
    role_label,
    change_role_button,
    invite_heading,
    invite_button,
    pending_heading,
    revoke_button,
    leave_button,
    org_profile_heading,
    delete_org_heading,
    delete_org_confirm,
    delete_org_button,
    invitation_title,
    ticket_lead,
    invited_to,
    as_role,
    join_button,
    sign_in_to_accept,
    sign_up_to_accept,
    back_to_orgs,
    you,
    mfa_required_title,
    mfa_required_lead,
    password_heading,
    current_password_label,
    change_password_button,
    set_password_button,
    password_changed,
    add_email_label,
    add_phone_label,
    add_button,
    unverified,
    primary,
    remove_button,
    verify_now,
    use_for_2fa,
    stop_2fa,
    used_for_2fa,
    devices_heading,
    this_session,
    sign_out_device,
    verify_code_title,
    profile_heading,
    save_button,
    cancel_button,
    reverify_title,
    reverify_lead,
    reverified,
    delete_account_heading,
    delete_account_lead,
    delete_account_button,
    no_way_to_sign_in,
    method_not_available,
    last_method,
    orgs_disabled,
    org_joined,
    org_left,
    org_deleted,
    saved,
    org_delete_tick,
    language_picker_label,
    language_picker_button,
    consent_withdraw,
    consent_allow,
    consent_deny,
    device_title,
    device_lead,
    device_code_label,
    device_code_unknown,
    device_check_code,
    device_allow,
    device_deny,
    device_approved_heading,
    device_approved_lead,
    device_denied_heading,
    device_denied_lead,
    logout_title,
    logout_asking,
    logout_lead,
    signed_out_title,
    signed_out_heading,
    signed_out_lead,
    returning_title,
    returning_heading,
    error_page_title,
    error_page_heading,
    error_page_lead,
    error_unavailable,
    error_unexpected,
    link_incomplete,
    form_incomplete,
    bad_return_address,
}

impl Table {
    /// "to continue to {app}", under an application's name on pages it sent the user to.
    pub fn continue_to(&self, app: &str) -> String {
        self.locale
            .format("continue-to-app", &[("app", Arg::from(app))])
    }

    fn with_app(&self, id: &str, app: &str) -> String {
        self.locale.format(id, &[("app", Arg::from(app))])
    }

    /// "Allow {app}?" (the consent page's title).
    pub fn consent_title(&self, app: &str) -> String {
        self.with_app("consent-title", app)
    }

    pub fn consent_heading(&self, app: &str) -> String {
        self.with_app("consent-heading", app)
    }

    pub fn consent_asking(&self, app: &str) -> String {
        self.with_app("consent-asking", app)
    }

    /// "Connect {app}?" (the device page's question).
    pub fn device_confirm_heading(&self, app: &str) -> String {
        self.with_app("device-confirm-heading", app)
    }

    /// "{app} is asking you to sign out."
    pub fn logout_asking_named(&self, app: &str) -> String {
        self.with_app("logout-asking-named", app)
    }

    /// What a scope lets the application do, in plain words.
    pub fn scope(&self, scope: &str) -> String {
        let id = format!("scope-{scope}");
        self.locale
            .lookup(&id, None, &[])
            .or_else(|| Locale::EN.lookup(&id, None, &[]))
            .unwrap_or_else(|| {
                self.locale
                    .format("scope-other", &[("scope", Arg::from(scope))])
            })
    }

    /// "3 backup codes left", with the language's plural rules.
    pub fn backup_codes_remaining(&self, count: usize) -> String {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        self.locale
            .format("backup-codes-remaining", &[("count", Arg::from(count))])
    }
}

/// The table for `locale`, built on first use.
pub fn for_locale(locale: Locale) -> &'static Table {
    static TABLES: OnceLock<Vec<OnceLock<Table>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| portcullis_i18n::all().map(|_| OnceLock::new()).collect());
    let index = portcullis_i18n::all()
        .position(|l| l == locale)
        .unwrap_or_default();
    match tables.get(index) {
        Some(cell) => cell.get_or_init(|| Table::load(locale)),
        None => tables
            .first()
            .map(|cell| cell.get_or_init(|| Table::load(Locale::EN)))
            .unwrap_or_else(|| unreachable!("English is always shipped")),
    }
}

/// What every page template reads as `s`: the strings of the page's language (through
/// `Deref`, so `s.sign_in_title`), and the few things the shared layout needs from the
/// request: the stylesheet with the page's colour, and the way back to keep in the
/// language picker.
pub struct Strings {
    table: &'static Table,
    /// `?color=%23rrggbb` when the page wears an application's colour, else "".
    pub brand_query: String,
    /// The validated `redirect_url` the picker carries, if any.
    pub redirect: Option<String>,
    /// Whether the page shows the language picker. Pages that answer a protocol request
    /// (consent, logout, errors) cannot be reloaded with only `?lang=`, so they go without.
    pub picker: bool,
}

impl Strings {
    pub fn new(locale: Locale) -> Self {
        Strings {
            table: for_locale(locale),
            brand_query: String::new(),
            redirect: None,
            picker: true,
        }
    }

    /// For a page rendered without its request in hand: `preferred` (the relying party's
    /// `ui_locales`), else the language the request asked for, else English; no picker.
    pub fn for_protocol_page(preferred: Option<Locale>) -> Self {
        let locale = preferred
            .or_else(portcullis_i18n::request::current)
            .unwrap_or(Locale::EN);
        Strings {
            picker: false,
            ..Strings::new(locale)
        }
    }
}

impl std::ops::Deref for Strings {
    type Target = Table;

    fn deref(&self) -> &Table {
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_has_every_page_string() {
        for id in IDS {
            let id = id.replace('_', "-");
            assert!(Locale::EN.has(&id), "locales/en.ftl lacks {id}");
        }
    }

    #[test]
    fn tables_are_per_locale() {
        let fr = for_locale(Locale::parse("fr").unwrap_or_default());
        assert_eq!(fr.lang, "fr");
        assert_eq!(fr.sign_in_title, "Se connecter");
        let ar = for_locale(Locale::parse("ar").unwrap_or_default());
        assert_eq!(ar.dir, "rtl");
        assert_eq!(for_locale(Locale::EN).sign_in_title, "Sign in");
        assert_eq!(fr.languages.len(), portcullis_i18n::all().count());
    }
}
