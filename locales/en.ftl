# Portcullis's messages in English: the reference every other locale is checked against.
#
# Each locale is one file named by its BCP 47 tag (fr.ftl, pt-BR.ftl). A translator copies
# this file, translates the text after each "=" and keeps every id, every attribute
# (".long") and every placeable ({ $name }) as they are. The test
# `every_locale_has_every_message` (crates/i18n) fails when a file lacks an id, has one
# English lacks, or uses other placeables. Syntax: https://projectfluent.org/fluent/guide/

## The language itself

# The language's name for itself, shown in the language picker.
language-name = English
language-picker-label = Language
language-picker-button = Change
# Under the application's name on a page reached from an application's sign-in request.
continue-to-app = to continue to { $app }

## Hosted pages: sign-in, sign-up, factors, account, organizations

sign-in-title = Sign in
sign-in-lead = Welcome back. Enter your details to continue.
or = {" "}or{" "}
continue-button = Continue
no-account = No account yet?
sign-up-link = Sign up
password-label = Password
factor-password-title = Enter your password
factor-code-title = Check your messages
code-sent-to = We sent a six-digit code to
code-label = Verification code
resend-button = Send a new code
other-methods = Use another method
use-password = Use your password
email-code-to = Email a code to
text-code-to = Text a code to
start-over = Use another account
sign-up-title = Create your account
sign-up-lead = It takes a minute.
email-label = Email address
phone-label = Phone number
phone-hint = In international format, starting with +
username-label = Username
first-name-label = First name
last-name-label = Last name
new-password-label = Password
legal-label = I accept the terms of service and the privacy policy
optional = optional
have-account = Already have an account?
sign-in-link = Sign in
verify-email-title = Verify your email address
verify-phone-title = Verify your phone number
verify-button = Verify
continue-title = A few more details
sign-out-title = Sign out?
sign-out-lead = You will be signed out of every account on this browser.
sign-out-button = Sign out
signed-out = You're signed out.
account-title = Your account
emails-heading = Email addresses
phones-heading = Phone numbers
apps-heading = Apps you have allowed
remove-access = Remove access
forgot-password = Forgot your password?
reset-title = Choose a new password
sign-out-others-label = Sign out of every other device
reauth-note = The application asks you to sign in again.
form-expired = This form has expired. Please try again.
wallet-sign-in = Continue with a wallet
passkey-sign-in = Sign in with a passkey
passkeys-heading = Passkeys
passkey-add = Add a passkey
email-link-to = Email a sign-in link to
link-sent-to = We sent a sign-in link to
link-lead = Open it on this device to continue. It works once, for ten minutes.
resend-link = Send a new link
continue-with = Continue with
or-divider = or
connected-heading = Connected accounts
connect-button = Connect
disconnect-button = Disconnect
link-failed = That account is already connected to another user.
link-denied = The connection was not completed.
factor-two-title = Two-step verification
totp-lead = Enter the six-digit code from your authenticator app.
backup-code-lead = Enter one of your backup codes.
backup-code-label = Backup code
use-totp = Use your authenticator app
use-backup-code = Use a backup code
security-heading = Two-step verification
totp-on = Authenticator app: on
set-up-totp = Set up an authenticator app
remove-totp = Remove the authenticator app
new-backup-codes = Create new backup codes
totp-setup-title = Set up your authenticator app
totp-setup-lead = Scan this QR code with your authenticator app, or type the key into it. Then enter the six-digit code the app shows.
secret-label = Key
backup-codes-title = Your backup codes
backup-codes-lead = Keep these somewhere safe. If you lose your authenticator app, each code signs you in once. They are not shown again.
done-button = Done
orgs-title = Organizations
orgs-none = You do not belong to any organization yet.
acting-for = Acting for
personal-account = Personal account
no-org-chosen = No organization yet
choose-org-task = Choose an organization to continue: switch to one of yours, accept an invitation or create one.
switch-button = Switch to
manage-link = Manage
create-org-heading = Create an organization
org-name-label = Name
org-slug-label = Slug (optional)
create-button = Create
org-invitations-heading = Invitations to you
accept-button = Accept
members-heading = Members
role-label = Role
change-role-button = Change role
invite-heading = Invite someone
invite-button = Send invitation
pending-heading = Pending invitations
revoke-button = Revoke
leave-button = Leave organization
org-profile-heading = Profile
delete-org-heading = Delete organization
delete-org-confirm = I understand this deletes the organization for every member.
delete-org-button = Delete organization
invitation-title = You are invited
ticket-lead = This link signs you in as
invited-to = is invited to join
as-role = as
join-button = Join
sign-in-to-accept = Sign in to accept
sign-up-to-accept = Create an account with this address
back-to-orgs = All organizations
you = you
mfa-required-title = Protect your account
mfa-required-lead = Two-step verification is required here. Set it up to finish signing in.
password-heading = Password
current-password-label = Current password
change-password-button = Change password
set-password-button = Set a password
password-changed = Your password was changed.
add-email-label = Add an email address
add-phone-label = Add a phone number
add-button = Add
unverified = unverified
primary = primary
remove-button = Remove
verify-now = Verify
use-for-2fa = Use for two-step verification
stop-2fa = Stop using for two-step verification
used-for-2fa = used for two-step verification
devices-heading = Where you're signed in
this-session = this browser
sign-out-device = Sign out
verify-code-title = Enter the code
profile-heading = Profile
save-button = Save
cancel-button = Cancel
reverify-title = Confirm it's you
reverify-lead = This change needs a recent sign-in. Verify again to continue.
reverified = Verified. You can make the change now.
delete-account-heading = Delete account
delete-account-lead = Deleting your account removes your profile, sign-in methods and sessions. This cannot be undone.
delete-account-button = Delete my account
no-way-to-sign-in = This account has no way to sign in here.
method-not-available = That method is not available.
last-method = This is your only way to sign in. Set a password or add another method first.
orgs-disabled = Organizations are not enabled on this instance.
org-joined = You joined the organization.
org-left = You left the organization.
org-deleted = The organization was deleted.
saved = Saved.
org-delete-tick = Tick the box to confirm the organization should be deleted.
backup-codes-remaining = { $count ->
    [one] { $count } backup code left
   *[other] { $count } backup codes left
}

## Pages of the OpenID provider: consent, sign-out, errors

consent-title = Allow { $app }?
consent-heading = Allow { $app } to use your account?
consent-asking = { $app } is asking to:
consent-withdraw = You can withdraw this later from your account settings.
consent-allow = Allow
consent-deny = Deny
device-title = Connect a device
device-lead = Enter the code your device shows.
device-code-label = Code
device-code-unknown = That code is not valid, or it has expired. Check the code on your device and try again.
device-confirm-heading = Connect { $app }?
device-check-code = Only go on if you started this on a device of yours and it shows this code:
device-allow = Connect
device-deny = Don't connect
device-approved-heading = Your device is connected
device-approved-lead = You can go back to your device now.
device-denied-heading = The device was not connected
device-denied-lead = You can close this window.
scope-openid = Confirm who you are
scope-profile = See your name and username
scope-email = See your email address
scope-phone = See your phone number
scope-offline_access = Keep access while you are not using it
scope-other = Use the “{ $scope }” permission
logout-title = Sign out?
logout-asking-named = { $app } is asking you to sign out.
logout-asking = An application is asking you to sign out.
logout-lead = You will be signed out of this browser.
signed-out-title = Signed out
signed-out-heading = You're signed out
signed-out-lead = You can close this window.
returning-title = Returning to the application
returning-heading = Returning to the application…
error-page-title = Something went wrong
error-page-heading = We couldn't continue
error-page-lead = Go back to the application you came from and try again. If this keeps happening, tell the application's support team what this page says.
error-unavailable = A service we depend on is not answering. Please try again in a moment.
error-unexpected = Something went wrong on our side; it has been logged. Please try again.
link-incomplete = This link is incomplete.
form-incomplete = This form is incomplete.
bad-return-address = The application's return address is not valid.

## Emails and text messages. Plain text; { $app } is the application's name.

purpose-sign-in = sign in
purpose-sign-up = sign up
purpose-reset-password = reset your password
purpose-add-to-account = add this address to your account
email-code-subject = { $code } is your { $app } verification code
email-code-body =
    { $code } is your { $app } verification code.

    Enter it on the page that asked for it. It expires in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.

    If you did not try to { $purpose }, you can ignore this message: nothing happens without the code.
email-link-subject = Your { $app } sign-in link
email-link-body =
    Open this link to { $purpose } on { $app }:

    { $link }

    It works once and expires in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.

    If you did not try to { $purpose }, you can ignore this message: nothing happens unless the link is opened.
sms-code = { $code } is your { $app } verification code. It expires in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
email-invitation-subject = You are invited to { $app }
email-invitation-body =
    You are invited to create an account on { $app }.

    Open this link to sign up:

    { $link }

    It works once and expires in { $days ->
        [one] { $days } day
       *[other] { $days } days
    }. Sign up with this email address.

    If you were not expecting this invitation, you can ignore this message.
email-org-invitation-subject = You are invited to join { $organization } on { $app }
email-org-invitation-body =
    { $inviter } invited you to join { $organization } on { $app }.

    Open this link to accept:

    { $link }

    It works once and expires in { $days ->
        [one] { $days } day
       *[other] { $days } days
    }. If you do not have an account yet, you can create one with this email address.

    If you were not expecting this invitation, you can ignore this message.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Hello,

    { $what } on your { $app } account on { $when } (UTC).

    If this was you, there is nothing to do.

    If it was not you, reset your password now and check the sign-in methods on your account page: someone else may have access to it.

    — { $app }
notice-password-changed = Your password was changed
notice-password-reset = Your password was reset
notice-totp-enabled = An authenticator app was turned on
notice-totp-removed = An authenticator app was removed
notice-backup-codes = New backup codes were created
notice-passkey-added = A passkey was added
notice-passkey-removed = A passkey was removed
notice-phone-2fa-on = A phone number was turned on for two-step verification
notice-phone-2fa-off = A phone number was turned off for two-step verification
notice-sign-up-attempt = Someone tried to sign up with this email address

## Errors of the Frontend API and the pages, by error code. The code never changes; the
## message (short) and its .long attribute are what a person reads. English pages and
## answers keep the more specific wording of the code that raised the error; other
## languages use these.

field-email_address = email address
field-phone_number = phone number
field-username = username
field-password = password
field-new_password = new password
field-current_password = current password
field-first_name = first name
field-last_name = last name
field-identifier = identifier
field-code = code
field-name = name
field-slug = slug
field-legal_accepted = terms acceptance
field-other = { $param }

error-form_identifier_not_found = Couldn't find your account
    .long = No account matches that identifier.
error-form_password_incorrect = Password is incorrect
    .long = Password is incorrect. Try again, or use another method.
error-form_code_incorrect = Incorrect code
    .long = The code you entered is incorrect. Check it and try again.
error-form_identifier_exists = That identifier is taken
    .long = That { $field } is taken. Please try another, or sign in.
error-form_param_missing = { $field } is missing
    .long = Enter your { $field }.
error-form_param_format_invalid = Is invalid
    .long = The { $field } is not valid. Check it and try again.
error-form_param_unknown = Is unknown
    .long = { $field } is not a recognized parameter for this request.
error-form_param_value_invalid = Is invalid
    .long = The { $field } is not valid.
error-form_password_length_too_short = Password is too short
    .long = Passwords must be { $min } characters or more.
error-form_password_length_too_long = Password is too long
    .long = Passwords must be { $max } characters or fewer.
error-form_password_not_strong_enough = Password is not strong enough
    .long = Choose a longer password that is harder to guess.
error-form_password_pwned = Password found in a data breach
    .long = This password has appeared in a data breach or is among the most common passwords. Choose a different one.
error-form_username_invalid_length = Username has the wrong length
    .long = Usernames must be between { $min } and { $max } characters long.
error-form_username_invalid_character = Username has characters that are not allowed
    .long = Usernames may contain only letters, digits, "_" and "-".
error-verification_expired = Expired
    .long = This verification has expired. Ask for a new code.
error-verification_failed = Too many failed attempts
    .long = You have made too many attempts with this code. Ask for a new one.
error-verification_missing = Not verified yet
    .long = Verify this first, then continue.
error-verification_not_sent = Nothing was sent yet
    .long = Ask for a code first.
error-verification_already_verified = Already verified
    .long = This has already been verified.
error-verification_strategy_invalid = Method not allowed
    .long = This method cannot be used here.
error-strategy_for_user_invalid = Method not available
    .long = This method is not available for your account.
error-no_second_factors = No second factor
    .long = This account has no second factor to verify.
error-session_exists = Already signed in
    .long = You are already signed in.
error-client_state_invalid = Cannot continue
    .long = This step cannot be taken now. Start again.
error-client_mismatch = Another browser
    .long = This was started in another browser. Continue there, or start again here.
error-account_transfer_invalid = Cannot transfer
    .long = There is no account to transfer. Start again.
error-authentication_invalid = Not signed in
    .long = Sign in to continue.
error-clerk_key_invalid = Invalid key
    .long = The key is not valid.
error-sign_up_mode_restricted = Sign-ups are restricted
    .long = Sign-ups here are by invitation only.
error-not_allowed_access = Access not allowed
    .long = This identifier is not allowed to sign up or sign in here.
error-user_locked = Account locked
    .long = This account is locked after too many failed attempts. Try again later.
error-user_banned = Account banned
    .long = This account has been banned.
error-resource_not_found = Not found
    .long = What you asked for was not found.
error-external_account_not_found = No linked account
    .long = No account here is linked to that provider account.
error-external_account_exists = Already connected
    .long = That account is already connected to another user.
error-oauth_access_denied = Access denied
    .long = The provider did not allow the sign-in.
error-oauth_callback_invalid = Sign-in not completed
    .long = The answer from the provider was not valid. Try again.
error-oauth_provider_error = Provider error
    .long = The provider could not complete the sign-in. Try again later.
error-too_many_requests = Too many requests
    .long = Too many attempts in a short time. Try again in { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }.
error-verification_code_too_many_requests = Too many codes
    .long = Too many codes were requested. Wait a little before asking for another.
error-request_body_invalid = Invalid request
    .long = The request could not be read.
error-request_body_too_large = Request too large
    .long = The request is too large.
error-origin_invalid = Origin not allowed
    .long = This request came from a site that is not allowed.
error-session_reverification_required = Confirm it's you
    .long = This change needs a recent sign-in. Verify again to continue.
error-organization_not_enabled_in_instance = Organizations are off
    .long = Organizations are not enabled here.
error-organization_not_found = Organization not found
    .long = No such organization was found.
error-already_a_member_in_organization = Already a member
    .long = This person is already a member of the organization.
error-organization_membership_quota_exceeded = Organization full
    .long = This organization has reached its limit of members.
error-organization_minimum_permissions_needed = Permission needed
    .long = You do not have permission to do this in the organization.
error-organization_quota_exceeded = Too many organizations
    .long = You have reached the limit of organizations.
error-service_unavailable = Service temporarily unavailable
    .long = A service we depend on is not answering. Try again in a moment.
error-internal_error = Something went wrong
    .long = Something went wrong on our side; it has been logged. Please try again.
