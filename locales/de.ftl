# Portcullis-Meldungen auf Deutsch. Referenz: en.ftl (gleiche IDs, gleiche Variablen).

## Die Sprache

language-name = Deutsch
language-picker-label = Sprache
language-picker-button = Ändern
continue-to-app = weiter zu { $app }

## Gehostete Seiten

sign-in-title = Anmelden
sign-in-lead = Willkommen zurück. Geben Sie Ihre Daten ein, um fortzufahren.
or = {" "}oder{" "}
continue-button = Weiter
no-account = Noch kein Konto?
sign-up-link = Registrieren
password-label = Passwort
factor-password-title = Geben Sie Ihr Passwort ein
factor-code-title = Sehen Sie in Ihren Nachrichten nach
code-sent-to = Wir haben einen sechsstelligen Code gesendet an
code-label = Bestätigungscode
resend-button = Neuen Code senden
other-methods = Andere Methode verwenden
use-password = Passwort verwenden
email-code-to = Code per E-Mail senden an
text-code-to = Code per SMS senden an
start-over = Anderes Konto verwenden
sign-up-title = Konto erstellen
sign-up-lead = Es dauert nur eine Minute.
email-label = E-Mail-Adresse
phone-label = Telefonnummer
phone-hint = Im internationalen Format, beginnend mit +
username-label = Benutzername
first-name-label = Vorname
last-name-label = Nachname
new-password-label = Passwort
legal-label = Ich akzeptiere die Nutzungsbedingungen und die Datenschutzerklärung
optional = optional
have-account = Sie haben bereits ein Konto?
sign-in-link = Anmelden
verify-email-title = Bestätigen Sie Ihre E-Mail-Adresse
verify-phone-title = Bestätigen Sie Ihre Telefonnummer
verify-button = Bestätigen
continue-title = Noch ein paar Angaben
sign-out-title = Abmelden?
sign-out-lead = Sie werden von allen Konten in diesem Browser abgemeldet.
sign-out-button = Abmelden
signed-out = Sie sind abgemeldet.
account-title = Ihr Konto
emails-heading = E-Mail-Adressen
phones-heading = Telefonnummern
apps-heading = Zugelassene Apps
remove-access = Zugriff entziehen
forgot-password = Passwort vergessen?
reset-title = Neues Passwort wählen
sign-out-others-label = Von allen anderen Geräten abmelden
reauth-note = Die Anwendung bittet Sie, sich erneut anzumelden.
form-expired = Dieses Formular ist abgelaufen. Bitte versuchen Sie es erneut.
wallet-sign-in = Mit einer Wallet fortfahren
passkey-sign-in = Mit einem Passkey anmelden
passkeys-heading = Passkeys
passkey-add = Passkey hinzufügen
email-link-to = Anmeldelink per E-Mail senden an
link-sent-to = Wir haben einen Anmeldelink gesendet an
link-lead = Öffnen Sie ihn auf diesem Gerät, um fortzufahren. Er funktioniert einmal und zehn Minuten lang.
resend-link = Neuen Link senden
continue-with = Weiter mit
or-divider = oder
connected-heading = Verbundene Konten
connect-button = Verbinden
disconnect-button = Trennen
link-failed = Dieses Konto ist bereits mit einem anderen Benutzer verbunden.
link-denied = Die Verbindung wurde nicht hergestellt.
factor-two-title = Bestätigung in zwei Schritten
totp-lead = Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein.
backup-code-lead = Geben Sie einen Ihrer Backup-Codes ein.
backup-code-label = Backup-Code
use-totp = Authenticator-App verwenden
use-backup-code = Backup-Code verwenden
security-heading = Bestätigung in zwei Schritten
totp-on = Authenticator-App: aktiv
set-up-totp = Authenticator-App einrichten
remove-totp = Authenticator-App entfernen
new-backup-codes = Neue Backup-Codes erstellen
totp-setup-title = Authenticator-App einrichten
totp-setup-lead = Scannen Sie diesen QR-Code mit Ihrer Authenticator-App oder geben Sie den Schlüssel dort ein. Geben Sie dann den sechsstelligen Code ein, den die App anzeigt.
secret-label = Schlüssel
backup-codes-title = Ihre Backup-Codes
backup-codes-lead = Bewahren Sie sie sicher auf. Wenn Sie Ihre Authenticator-App verlieren, meldet Sie jeder Code einmal an. Sie werden nicht noch einmal angezeigt.
done-button = Fertig
orgs-title = Organisationen
orgs-none = Sie gehören noch keiner Organisation an.
acting-for = Handelt für
personal-account = Persönliches Konto
no-org-chosen = Noch keine Organisation
choose-org-task = Wählen Sie eine Organisation, um fortzufahren: Wechseln Sie zu einer Ihrer Organisationen, nehmen Sie eine Einladung an oder erstellen Sie eine.
switch-button = Wechseln zu
manage-link = Verwalten
create-org-heading = Organisation erstellen
org-name-label = Name
org-slug-label = Kurzname (optional)
create-button = Erstellen
org-invitations-heading = Einladungen an Sie
accept-button = Annehmen
members-heading = Mitglieder
role-label = Rolle
change-role-button = Rolle ändern
invite-heading = Jemanden einladen
invite-button = Einladung senden
pending-heading = Offene Einladungen
revoke-button = Widerrufen
leave-button = Organisation verlassen
org-profile-heading = Profil
delete-org-heading = Organisation löschen
delete-org-confirm = Mir ist bewusst, dass dies die Organisation für alle Mitglieder löscht.
delete-org-button = Organisation löschen
invitation-title = Sie sind eingeladen
ticket-lead = Dieser Link meldet Sie an als
invited-to = ist eingeladen beizutreten:
as-role = als
join-button = Beitreten
sign-in-to-accept = Zum Annehmen anmelden
sign-up-to-accept = Konto mit dieser Adresse erstellen
back-to-orgs = Alle Organisationen
you = Sie
mfa-required-title = Schützen Sie Ihr Konto
mfa-required-lead = Die Bestätigung in zwei Schritten ist hier Pflicht. Richten Sie sie ein, um die Anmeldung abzuschließen.
password-heading = Passwort
current-password-label = Aktuelles Passwort
change-password-button = Passwort ändern
set-password-button = Passwort festlegen
password-changed = Ihr Passwort wurde geändert.
add-email-label = E-Mail-Adresse hinzufügen
add-phone-label = Telefonnummer hinzufügen
add-button = Hinzufügen
unverified = nicht bestätigt
primary = primär
remove-button = Entfernen
verify-now = Bestätigen
use-for-2fa = Für die Bestätigung in zwei Schritten verwenden
stop-2fa = Nicht mehr für die Bestätigung in zwei Schritten verwenden
used-for-2fa = für die Bestätigung in zwei Schritten verwendet
devices-heading = Wo Sie angemeldet sind
this-session = dieser Browser
sign-out-device = Abmelden
verify-code-title = Code eingeben
profile-heading = Profil
save-button = Speichern
cancel-button = Abbrechen
reverify-title = Bestätigen Sie, dass Sie es sind
reverify-lead = Diese Änderung erfordert eine kürzliche Anmeldung. Bestätigen Sie sich erneut, um fortzufahren.
reverified = Bestätigt. Sie können die Änderung jetzt vornehmen.
delete-account-heading = Konto löschen
delete-account-lead = Beim Löschen Ihres Kontos werden Ihr Profil, Ihre Anmeldemethoden und Sitzungen entfernt. Dies kann nicht rückgängig gemacht werden.
delete-account-button = Mein Konto löschen
no-way-to-sign-in = Dieses Konto hat hier keine Möglichkeit zur Anmeldung.
method-not-available = Diese Methode ist nicht verfügbar.
last-method = Dies ist Ihre einzige Anmeldemöglichkeit. Legen Sie zuerst ein Passwort fest oder fügen Sie eine andere Methode hinzu.
orgs-disabled = Organisationen sind auf dieser Instanz nicht aktiviert.
org-joined = Sie sind der Organisation beigetreten.
org-left = Sie haben die Organisation verlassen.
org-deleted = Die Organisation wurde gelöscht.
saved = Gespeichert.
org-delete-tick = Setzen Sie das Häkchen, um das Löschen der Organisation zu bestätigen.
backup-codes-remaining = { $count ->
    [one] { $count } Backup-Code übrig
   *[other] { $count } Backup-Codes übrig
}

## Seiten des OpenID-Anbieters

consent-title = { $app } zulassen?
consent-heading = { $app } erlauben, Ihr Konto zu verwenden?
consent-asking = { $app } möchte:
consent-withdraw = Sie können dies später in Ihren Kontoeinstellungen widerrufen.
consent-allow = Zulassen
consent-deny = Ablehnen
device-title = Gerät verbinden
device-lead = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-code-label = Code
device-code-unknown = Dieser Code ist ungültig oder abgelaufen. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.
device-confirm-heading = { $app } verbinden?
device-check-code = Fahren Sie nur fort, wenn Sie dies auf einem Ihrer Geräte gestartet haben und es diesen Code anzeigt:
device-allow = Verbinden
device-deny = Nicht verbinden
device-approved-heading = Ihr Gerät ist verbunden
device-approved-lead = Sie können jetzt zu Ihrem Gerät zurückkehren.
device-denied-heading = Das Gerät wurde nicht verbunden
device-denied-lead = Sie können dieses Fenster schließen.
scope-openid = Bestätigen, wer Sie sind
scope-profile = Ihren Namen und Benutzernamen sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-phone = Ihre Telefonnummer sehen
scope-offline_access = Zugriff behalten, während Sie die App nicht verwenden
scope-other = Die Berechtigung „{ $scope }“ verwenden
logout-title = Abmelden?
logout-asking-named = { $app } bittet Sie, sich abzumelden.
logout-asking = Eine Anwendung bittet Sie, sich abzumelden.
logout-lead = Sie werden in diesem Browser abgemeldet.
signed-out-title = Abgemeldet
signed-out-heading = Sie sind abgemeldet
signed-out-lead = Sie können dieses Fenster schließen.
returning-title = Zurück zur Anwendung
returning-heading = Zurück zur Anwendung …
error-page-title = Etwas ist schiefgelaufen
error-page-heading = Wir konnten nicht fortfahren
error-page-lead = Kehren Sie zur Anwendung zurück, von der Sie gekommen sind, und versuchen Sie es erneut. Wenn das weiterhin passiert, teilen Sie dem Support der Anwendung mit, was auf dieser Seite steht.
error-unavailable = Ein Dienst, auf den wir angewiesen sind, antwortet nicht. Bitte versuchen Sie es gleich noch einmal.
error-unexpected = Auf unserer Seite ist etwas schiefgelaufen; es wurde protokolliert. Bitte versuchen Sie es erneut.
link-incomplete = Dieser Link ist unvollständig.
form-incomplete = Dieses Formular ist unvollständig.
bad-return-address = Die Rücksprungadresse der Anwendung ist ungültig.

## E-Mails und SMS

purpose-sign-in = sich anzumelden
purpose-sign-up = sich zu registrieren
purpose-reset-password = Ihr Passwort zurückzusetzen
purpose-add-to-account = diese Adresse zu Ihrem Konto hinzuzufügen
email-code-subject = { $code } ist Ihr Bestätigungscode für { $app }
email-code-body =
    { $code } ist Ihr Bestätigungscode für { $app }.

    Geben Sie ihn auf der Seite ein, die danach gefragt hat. Er läuft in { $minutes ->
        [one] { $minutes } Minute
       *[other] { $minutes } Minuten
    } ab.

    Wenn Sie nicht versucht haben, { $purpose }, können Sie diese Nachricht ignorieren: Ohne den Code passiert nichts.
email-link-subject = Ihr Anmeldelink für { $app }
email-link-body =
    Öffnen Sie diesen Link, um { $purpose } ({ $app }):

    { $link }

    Er funktioniert einmal und läuft in { $minutes ->
        [one] { $minutes } Minute
       *[other] { $minutes } Minuten
    } ab.

    Wenn Sie nicht versucht haben, { $purpose }, können Sie diese Nachricht ignorieren: Solange der Link nicht geöffnet wird, passiert nichts.
sms-code = { $code } ist Ihr Bestätigungscode für { $app }. Er läuft in { $minutes ->
        [one] { $minutes } Minute
       *[other] { $minutes } Minuten
    } ab.
email-invitation-subject = Sie sind zu { $app } eingeladen
email-invitation-body =
    Sie sind eingeladen, ein Konto bei { $app } zu erstellen.

    Öffnen Sie diesen Link, um sich zu registrieren:

    { $link }

    Er funktioniert einmal und läuft in { $days ->
        [one] { $days } Tag
       *[other] { $days } Tagen
    } ab. Registrieren Sie sich mit dieser E-Mail-Adresse.

    Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.
email-org-invitation-subject = Sie sind eingeladen, { $organization } bei { $app } beizutreten
email-org-invitation-body =
    { $inviter } hat Sie eingeladen, { $organization } bei { $app } beizutreten.

    Öffnen Sie diesen Link, um anzunehmen:

    { $link }

    Er funktioniert einmal und läuft in { $days ->
        [one] { $days } Tag
       *[other] { $days } Tagen
    } ab. Wenn Sie noch kein Konto haben, können Sie eines mit dieser E-Mail-Adresse erstellen.

    Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Hallo,

    { $what } – in Ihrem Konto bei { $app } am { $when } (UTC).

    Wenn Sie das waren, müssen Sie nichts tun.

    Wenn nicht, setzen Sie jetzt Ihr Passwort zurück und prüfen Sie die Anmeldemethoden auf Ihrer Kontoseite: Möglicherweise hat jemand anderes Zugriff.

    — { $app }
notice-password-changed = Ihr Passwort wurde geändert
notice-password-reset = Ihr Passwort wurde zurückgesetzt
notice-totp-enabled = Eine Authenticator-App wurde aktiviert
notice-totp-removed = Eine Authenticator-App wurde entfernt
notice-backup-codes = Neue Backup-Codes wurden erstellt
notice-passkey-added = Ein Passkey wurde hinzugefügt
notice-passkey-removed = Ein Passkey wurde entfernt
notice-phone-2fa-on = Eine Telefonnummer wurde für die Bestätigung in zwei Schritten aktiviert
notice-phone-2fa-off = Eine Telefonnummer wurde für die Bestätigung in zwei Schritten deaktiviert
notice-sign-up-attempt = Jemand hat versucht, sich mit dieser E-Mail-Adresse zu registrieren

## Fehler

field-email_address = E-Mail-Adresse
field-phone_number = Telefonnummer
field-username = Benutzername
field-password = Passwort
field-new_password = neues Passwort
field-current_password = aktuelles Passwort
field-first_name = Vorname
field-last_name = Nachname
field-identifier = Kennung
field-code = Code
field-name = Name
field-slug = Kurzname
field-legal_accepted = Zustimmung zu den Bedingungen
field-other = { $param }

error-form_identifier_not_found = Konto nicht gefunden
    .long = Zu dieser Kennung gibt es kein Konto.
error-form_password_incorrect = Passwort ist falsch
    .long = Das Passwort ist falsch. Versuchen Sie es erneut oder verwenden Sie eine andere Methode.
error-form_code_incorrect = Falscher Code
    .long = Der eingegebene Code ist falsch. Prüfen Sie ihn und versuchen Sie es erneut.
error-form_identifier_exists = Bereits vergeben
    .long = Diese Angabe ({ $field }) ist bereits vergeben. Versuchen Sie eine andere oder melden Sie sich an.
error-form_param_missing = { $field } fehlt
    .long = Geben Sie Folgendes ein: { $field }.
error-form_param_format_invalid = Ungültig
    .long = Die Angabe „{ $field }“ ist ungültig. Prüfen Sie sie und versuchen Sie es erneut.
error-form_param_unknown = Unbekannt
    .long = { $field } ist für diese Anfrage kein bekannter Parameter.
error-form_param_value_invalid = Ungültig
    .long = Die Angabe „{ $field }“ ist ungültig.
error-form_password_length_too_short = Passwort ist zu kurz
    .long = Passwörter müssen mindestens { $min } Zeichen lang sein.
error-form_password_length_too_long = Passwort ist zu lang
    .long = Passwörter dürfen höchstens { $max } Zeichen lang sein.
error-form_password_not_strong_enough = Passwort ist nicht sicher genug
    .long = Wählen Sie ein längeres Passwort, das schwerer zu erraten ist.
error-form_password_pwned = Passwort in einem Datenleck gefunden
    .long = Dieses Passwort ist in einem Datenleck aufgetaucht oder gehört zu den häufigsten Passwörtern. Wählen Sie ein anderes.
error-form_username_invalid_length = Benutzername hat die falsche Länge
    .long = Benutzernamen müssen zwischen { $min } und { $max } Zeichen lang sein.
error-form_username_invalid_character = Benutzername enthält unzulässige Zeichen
    .long = Benutzernamen dürfen nur Buchstaben, Ziffern, „_“ und „-“ enthalten.
error-verification_expired = Abgelaufen
    .long = Diese Bestätigung ist abgelaufen. Fordern Sie einen neuen Code an.
error-verification_failed = Zu viele Fehlversuche
    .long = Sie haben es mit diesem Code zu oft versucht. Fordern Sie einen neuen an.
error-verification_missing = Noch nicht bestätigt
    .long = Bestätigen Sie dies zuerst und fahren Sie dann fort.
error-verification_not_sent = Noch nichts gesendet
    .long = Fordern Sie zuerst einen Code an.
error-verification_already_verified = Bereits bestätigt
    .long = Dies wurde bereits bestätigt.
error-verification_strategy_invalid = Methode nicht erlaubt
    .long = Diese Methode kann hier nicht verwendet werden.
error-strategy_for_user_invalid = Methode nicht verfügbar
    .long = Diese Methode ist für Ihr Konto nicht verfügbar.
error-no_second_factors = Kein zweiter Faktor
    .long = Dieses Konto hat keinen zweiten Faktor zum Bestätigen.
error-session_exists = Bereits angemeldet
    .long = Sie sind bereits angemeldet.
error-client_state_invalid = Fortfahren nicht möglich
    .long = Dieser Schritt ist jetzt nicht möglich. Beginnen Sie von vorn.
error-client_mismatch = Anderer Browser
    .long = Dies wurde in einem anderen Browser begonnen. Fahren Sie dort fort oder beginnen Sie hier neu.
error-account_transfer_invalid = Übertragung nicht möglich
    .long = Es gibt kein Konto zu übertragen. Beginnen Sie von vorn.
error-authentication_invalid = Nicht angemeldet
    .long = Melden Sie sich an, um fortzufahren.
error-clerk_key_invalid = Ungültiger Schlüssel
    .long = Der Schlüssel ist ungültig.
error-sign_up_mode_restricted = Registrierung eingeschränkt
    .long = Registrierungen sind hier nur mit Einladung möglich.
error-not_allowed_access = Zugriff nicht erlaubt
    .long = Mit dieser Kennung ist hier keine Registrierung oder Anmeldung erlaubt.
error-user_locked = Konto gesperrt
    .long = Dieses Konto wurde nach zu vielen Fehlversuchen gesperrt. Versuchen Sie es später erneut.
error-user_banned = Konto gesperrt
    .long = Dieses Konto wurde dauerhaft gesperrt.
error-resource_not_found = Nicht gefunden
    .long = Das Angeforderte wurde nicht gefunden.
error-external_account_not_found = Kein verknüpftes Konto
    .long = Kein Konto hier ist mit diesem Anbieterkonto verknüpft.
error-external_account_exists = Bereits verbunden
    .long = Dieses Konto ist bereits mit einem anderen Benutzer verbunden.
error-oauth_access_denied = Zugriff verweigert
    .long = Der Anbieter hat die Anmeldung nicht erlaubt.
error-oauth_callback_invalid = Anmeldung nicht abgeschlossen
    .long = Die Antwort des Anbieters war ungültig. Versuchen Sie es erneut.
error-oauth_provider_error = Fehler beim Anbieter
    .long = Der Anbieter konnte die Anmeldung nicht abschließen. Versuchen Sie es später erneut.
error-too_many_requests = Zu viele Anfragen
    .long = Zu viele Versuche in kurzer Zeit. Versuchen Sie es in { $seconds ->
        [one] { $seconds } Sekunde
       *[other] { $seconds } Sekunden
    } erneut.
error-verification_code_too_many_requests = Zu viele Codes
    .long = Es wurden zu viele Codes angefordert. Warten Sie etwas, bevor Sie einen weiteren anfordern.
error-request_body_invalid = Ungültige Anfrage
    .long = Die Anfrage konnte nicht gelesen werden.
error-request_body_too_large = Anfrage zu groß
    .long = Die Anfrage ist zu groß.
error-origin_invalid = Herkunft nicht erlaubt
    .long = Diese Anfrage kam von einer nicht zugelassenen Website.
error-session_reverification_required = Bestätigen Sie, dass Sie es sind
    .long = Diese Änderung erfordert eine kürzliche Anmeldung. Bestätigen Sie sich erneut, um fortzufahren.
error-organization_not_enabled_in_instance = Organisationen sind deaktiviert
    .long = Organisationen sind hier nicht aktiviert.
error-organization_not_found = Organisation nicht gefunden
    .long = Diese Organisation wurde nicht gefunden.
error-already_a_member_in_organization = Bereits Mitglied
    .long = Diese Person ist bereits Mitglied der Organisation.
error-organization_membership_quota_exceeded = Organisation voll
    .long = Diese Organisation hat die maximale Anzahl an Mitgliedern erreicht.
error-organization_minimum_permissions_needed = Berechtigung erforderlich
    .long = Sie haben in der Organisation keine Berechtigung dafür.
error-organization_quota_exceeded = Zu viele Organisationen
    .long = Sie haben die maximale Anzahl an Organisationen erreicht.
error-service_unavailable = Dienst vorübergehend nicht verfügbar
    .long = Ein Dienst, auf den wir angewiesen sind, antwortet nicht. Versuchen Sie es gleich noch einmal.
error-internal_error = Etwas ist schiefgelaufen
    .long = Auf unserer Seite ist etwas schiefgelaufen; es wurde protokolliert. Bitte versuchen Sie es erneut.
