# Berichten van Portcullis in het Nederlands. Referentie: en.ftl (zelfde id's en variabelen).

## De taal

language-name = Nederlands
language-picker-label = Taal
language-picker-button = Wijzigen
continue-to-app = om verder te gaan naar { $app }

## Gehoste pagina's

sign-in-title = Inloggen
sign-in-lead = Welkom terug. Vul je gegevens in om verder te gaan.
or = {" "}of{" "}
continue-button = Doorgaan
no-account = Nog geen account?
sign-up-link = Registreren
password-label = Wachtwoord
factor-password-title = Voer je wachtwoord in
factor-code-title = Bekijk je berichten
code-sent-to = We hebben een code van zes cijfers gestuurd naar
code-label = Verificatiecode
resend-button = Nieuwe code sturen
other-methods = Een andere methode gebruiken
use-password = Je wachtwoord gebruiken
email-code-to = Een code e-mailen naar
text-code-to = Een code sms'en naar
start-over = Een ander account gebruiken
sign-up-title = Maak je account aan
sign-up-lead = Het duurt maar een minuut.
email-label = E-mailadres
phone-label = Telefoonnummer
phone-hint = In internationale notatie, beginnend met +
username-label = Gebruikersnaam
first-name-label = Voornaam
last-name-label = Achternaam
new-password-label = Wachtwoord
legal-label = Ik ga akkoord met de servicevoorwaarden en het privacybeleid
optional = optioneel
have-account = Heb je al een account?
sign-in-link = Inloggen
verify-email-title = Bevestig je e-mailadres
verify-phone-title = Bevestig je telefoonnummer
verify-button = Bevestigen
continue-title = Nog een paar gegevens
sign-out-title = Uitloggen?
sign-out-lead = Je wordt uitgelogd bij alle accounts in deze browser.
sign-out-button = Uitloggen
signed-out = Je bent uitgelogd.
account-title = Je account
emails-heading = E-mailadressen
phones-heading = Telefoonnummers
apps-heading = Apps die je toegang hebt gegeven
remove-access = Toegang intrekken
forgot-password = Wachtwoord vergeten?
reset-title = Kies een nieuw wachtwoord
sign-out-others-label = Uitloggen op alle andere apparaten
reauth-note = De applicatie vraagt je opnieuw in te loggen.
form-expired = Dit formulier is verlopen. Probeer het opnieuw.
wallet-sign-in = Doorgaan met een wallet
passkey-sign-in = Inloggen met een passkey
passkeys-heading = Passkeys
passkey-add = Een passkey toevoegen
email-link-to = Een inloglink e-mailen naar
link-sent-to = We hebben een inloglink gestuurd naar
link-lead = Open hem op dit apparaat om verder te gaan. Hij werkt één keer, tien minuten lang.
resend-link = Nieuwe link sturen
continue-with = Doorgaan met
or-divider = of
connected-heading = Gekoppelde accounts
connect-button = Koppelen
disconnect-button = Ontkoppelen
link-failed = Dat account is al gekoppeld aan een andere gebruiker.
link-denied = De koppeling is niet voltooid.
factor-two-title = Verificatie in twee stappen
totp-lead = Voer de code van zes cijfers uit je authenticator-app in.
backup-code-lead = Voer een van je back-upcodes in.
backup-code-label = Back-upcode
use-totp = Je authenticator-app gebruiken
use-backup-code = Een back-upcode gebruiken
security-heading = Verificatie in twee stappen
totp-on = Authenticator-app: aan
set-up-totp = Een authenticator-app instellen
remove-totp = De authenticator-app verwijderen
new-backup-codes = Nieuwe back-upcodes maken
totp-setup-title = Stel je authenticator-app in
totp-setup-lead = Scan deze QR-code met je authenticator-app of typ de sleutel erin. Voer daarna de code van zes cijfers in die de app toont.
secret-label = Sleutel
backup-codes-title = Je back-upcodes
backup-codes-lead = Bewaar ze op een veilige plek. Als je je authenticator-app kwijtraakt, logt elke code je één keer in. Ze worden niet nog eens getoond.
done-button = Klaar
orgs-title = Organisaties
orgs-none = Je hoort nog bij geen enkele organisatie.
acting-for = Namens
personal-account = Persoonlijk account
no-org-chosen = Nog geen organisatie
choose-org-task = Kies een organisatie om verder te gaan: schakel over naar een van de jouwe, accepteer een uitnodiging of maak er een aan.
switch-button = Overschakelen naar
manage-link = Beheren
create-org-heading = Een organisatie aanmaken
org-name-label = Naam
org-slug-label = Slug (optioneel)
create-button = Aanmaken
org-invitations-heading = Uitnodigingen voor jou
accept-button = Accepteren
members-heading = Leden
role-label = Rol
change-role-button = Rol wijzigen
invite-heading = Iemand uitnodigen
invite-button = Uitnodiging sturen
pending-heading = Openstaande uitnodigingen
revoke-button = Intrekken
leave-button = Organisatie verlaten
org-profile-heading = Profiel
delete-org-heading = Organisatie verwijderen
delete-org-confirm = Ik begrijp dat dit de organisatie voor alle leden verwijdert.
delete-org-button = Organisatie verwijderen
invitation-title = Je bent uitgenodigd
ticket-lead = Met deze link log je in als
invited-to = is uitgenodigd voor
as-role = als
join-button = Lid worden
sign-in-to-accept = Log in om te accepteren
sign-up-to-accept = Een account maken met dit adres
back-to-orgs = Alle organisaties
you = jij
mfa-required-title = Bescherm je account
mfa-required-lead = Verificatie in twee stappen is hier verplicht. Stel het in om het inloggen af te ronden.
password-heading = Wachtwoord
current-password-label = Huidig wachtwoord
change-password-button = Wachtwoord wijzigen
set-password-button = Een wachtwoord instellen
password-changed = Je wachtwoord is gewijzigd.
add-email-label = Een e-mailadres toevoegen
add-phone-label = Een telefoonnummer toevoegen
add-button = Toevoegen
unverified = niet bevestigd
primary = primair
remove-button = Verwijderen
verify-now = Bevestigen
use-for-2fa = Gebruiken voor verificatie in twee stappen
stop-2fa = Niet meer gebruiken voor verificatie in twee stappen
used-for-2fa = gebruikt voor verificatie in twee stappen
devices-heading = Waar je bent ingelogd
this-session = deze browser
sign-out-device = Uitloggen
verify-code-title = Voer de code in
profile-heading = Profiel
save-button = Opslaan
cancel-button = Annuleren
reverify-title = Bevestig dat jij het bent
reverify-lead = Voor deze wijziging moet je recent zijn ingelogd. Bevestig opnieuw om verder te gaan.
reverified = Bevestigd. Je kunt de wijziging nu doorvoeren.
delete-account-heading = Account verwijderen
delete-account-lead = Als je je account verwijdert, worden je profiel, inlogmethoden en sessies verwijderd. Dit kan niet ongedaan worden gemaakt.
delete-account-button = Mijn account verwijderen
no-way-to-sign-in = Dit account kan hier op geen enkele manier inloggen.
method-not-available = Die methode is niet beschikbaar.
last-method = Dit is je enige manier om in te loggen. Stel eerst een wachtwoord in of voeg een andere methode toe.
orgs-disabled = Organisaties zijn op deze installatie niet ingeschakeld.
org-joined = Je bent lid geworden van de organisatie.
org-left = Je hebt de organisatie verlaten.
org-deleted = De organisatie is verwijderd.
saved = Opgeslagen.
org-delete-tick = Vink het vakje aan om te bevestigen dat de organisatie moet worden verwijderd.
backup-codes-remaining = { $count ->
    [one] { $count } back-upcode over
   *[other] { $count } back-upcodes over
}

## Pagina's van de OpenID-provider

consent-title = { $app } toestaan?
consent-heading = { $app } toestaan je account te gebruiken?
consent-asking = { $app } vraagt om:
consent-withdraw = Je kunt dit later intrekken in je accountinstellingen.
consent-allow = Toestaan
consent-deny = Weigeren
device-title = Een apparaat koppelen
device-lead = Voer de code in die je apparaat toont.
device-code-label = Code
device-code-unknown = Deze code is ongeldig of verlopen. Controleer de code op je apparaat en probeer het opnieuw.
device-confirm-heading = { $app } koppelen?
device-check-code = Ga alleen verder als je dit op een eigen apparaat hebt gestart en het deze code toont:
device-allow = Koppelen
device-deny = Niet koppelen
device-approved-heading = Je apparaat is gekoppeld
device-approved-lead = Je kunt nu teruggaan naar je apparaat.
device-denied-heading = Het apparaat is niet gekoppeld
device-denied-lead = Je kunt dit venster sluiten.
scope-openid = Bevestigen wie je bent
scope-profile = Je naam en gebruikersnaam zien
scope-email = Je e-mailadres zien
scope-phone = Je telefoonnummer zien
scope-offline_access = Toegang houden terwijl je de app niet gebruikt
scope-other = De toestemming ‘{ $scope }’ gebruiken
logout-title = Uitloggen?
logout-asking-named = { $app } vraagt je uit te loggen.
logout-asking = Een applicatie vraagt je uit te loggen.
logout-lead = Je wordt in deze browser uitgelogd.
signed-out-title = Uitgelogd
signed-out-heading = Je bent uitgelogd
signed-out-lead = Je kunt dit venster sluiten.
returning-title = Terug naar de applicatie
returning-heading = Terug naar de applicatie…
error-page-title = Er is iets misgegaan
error-page-heading = We konden niet verder
error-page-lead = Ga terug naar de applicatie waar je vandaan kwam en probeer het opnieuw. Blijft dit gebeuren, vertel het supportteam van de applicatie dan wat deze pagina zegt.
error-unavailable = Een dienst waarvan we afhankelijk zijn, reageert niet. Probeer het zo opnieuw.
error-unexpected = Er is bij ons iets misgegaan; het is vastgelegd. Probeer het opnieuw.
link-incomplete = Deze link is onvolledig.
form-incomplete = Dit formulier is onvolledig.
bad-return-address = Het terugkeeradres van de applicatie is ongeldig.

## E-mails en sms'jes

purpose-sign-in = in te loggen
purpose-sign-up = je te registreren
purpose-reset-password = je wachtwoord opnieuw in te stellen
purpose-add-to-account = dit adres aan je account toe te voegen
email-code-subject = { $code } is je verificatiecode voor { $app }
email-code-body =
    { $code } is je verificatiecode voor { $app }.

    Voer hem in op de pagina die erom vroeg. Hij verloopt over { $minutes ->
        [one] { $minutes } minuut
       *[other] { $minutes } minuten
    }.

    Als je niet hebt geprobeerd { $purpose }, kun je dit bericht negeren: zonder de code gebeurt er niets.
email-link-subject = Je inloglink voor { $app }
email-link-body =
    Open deze link om { $purpose } bij { $app }:

    { $link }

    Hij werkt één keer en verloopt over { $minutes ->
        [one] { $minutes } minuut
       *[other] { $minutes } minuten
    }.

    Als je niet hebt geprobeerd { $purpose }, kun je dit bericht negeren: er gebeurt niets zolang de link niet wordt geopend.
sms-code = { $code } is je verificatiecode voor { $app }. Hij verloopt over { $minutes ->
        [one] { $minutes } minuut
       *[other] { $minutes } minuten
    }.
email-invitation-subject = Je bent uitgenodigd voor { $app }
email-invitation-body =
    Je bent uitgenodigd om een account aan te maken bij { $app }.

    Open deze link om je te registreren:

    { $link }

    Hij werkt één keer en verloopt over { $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    }. Registreer je met dit e-mailadres.

    Als je deze uitnodiging niet verwachtte, kun je dit bericht negeren.
email-org-invitation-subject = Je bent uitgenodigd voor { $organization } bij { $app }
email-org-invitation-body =
    { $inviter } heeft je uitgenodigd voor { $organization } bij { $app }.

    Open deze link om te accepteren:

    { $link }

    Hij werkt één keer en verloopt over { $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    }. Heb je nog geen account, dan kun je er een aanmaken met dit e-mailadres.

    Als je deze uitnodiging niet verwachtte, kun je dit bericht negeren.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Hallo,

    { $what } bij je account van { $app } op { $when } (UTC).

    Was jij dit, dan hoef je niets te doen.

    Was jij het niet, stel dan nu je wachtwoord opnieuw in en controleer de inlogmethoden op je accountpagina: iemand anders heeft mogelijk toegang.

    — { $app }
notice-password-changed = Je wachtwoord is gewijzigd
notice-password-reset = Je wachtwoord is opnieuw ingesteld
notice-totp-enabled = Er is een authenticator-app ingeschakeld
notice-totp-removed = Er is een authenticator-app verwijderd
notice-backup-codes = Er zijn nieuwe back-upcodes gemaakt
notice-passkey-added = Er is een passkey toegevoegd
notice-passkey-removed = Er is een passkey verwijderd
notice-phone-2fa-on = Er is een telefoonnummer ingeschakeld voor verificatie in twee stappen
notice-phone-2fa-off = Er is een telefoonnummer uitgeschakeld voor verificatie in twee stappen
notice-sign-up-attempt = Iemand heeft geprobeerd zich met dit e-mailadres te registreren

## Fouten

field-email_address = e-mailadres
field-phone_number = telefoonnummer
field-username = gebruikersnaam
field-password = wachtwoord
field-new_password = nieuw wachtwoord
field-current_password = huidig wachtwoord
field-first_name = voornaam
field-last_name = achternaam
field-identifier = gebruikers-id
field-code = code
field-name = naam
field-slug = slug
field-legal_accepted = akkoord met de voorwaarden
field-other = { $param }

error-form_identifier_not_found = Account niet gevonden
    .long = Er is geen account met die gegevens.
error-form_password_incorrect = Wachtwoord onjuist
    .long = Het wachtwoord is onjuist. Probeer het opnieuw of gebruik een andere methode.
error-form_code_incorrect = Onjuiste code
    .long = De code die je hebt ingevoerd, is onjuist. Controleer hem en probeer het opnieuw.
error-form_identifier_exists = Al in gebruik
    .long = Dit gegeven ({ $field }) is al in gebruik. Probeer een ander of log in.
error-form_param_missing = Ontbreekt: { $field }
    .long = Vul in: { $field }.
error-form_param_format_invalid = Ongeldig
    .long = Het veld { $field } is ongeldig. Controleer het en probeer het opnieuw.
error-form_param_unknown = Onbekend
    .long = { $field } is geen bekende parameter voor dit verzoek.
error-form_param_value_invalid = Ongeldig
    .long = Het veld { $field } is ongeldig.
error-form_password_length_too_short = Wachtwoord is te kort
    .long = Wachtwoorden moeten minstens { $min } tekens lang zijn.
error-form_password_length_too_long = Wachtwoord is te lang
    .long = Wachtwoorden mogen hoogstens { $max } tekens lang zijn.
error-form_password_not_strong_enough = Wachtwoord is niet sterk genoeg
    .long = Kies een langer wachtwoord dat moeilijker te raden is.
error-form_password_pwned = Gelekt wachtwoord
    .long = Dit wachtwoord is in een datalek opgedoken of hoort bij de meest gebruikte. Kies een ander.
error-form_username_invalid_length = Gebruikersnaam heeft een verkeerde lengte
    .long = Gebruikersnamen moeten tussen { $min } en { $max } tekens lang zijn.
error-form_username_invalid_character = Gebruikersnaam bevat niet-toegestane tekens
    .long = Gebruikersnamen mogen alleen letters, cijfers, ‘_’ en ‘-’ bevatten.
error-verification_expired = Verlopen
    .long = Deze verificatie is verlopen. Vraag een nieuwe code aan.
error-verification_failed = Te veel mislukte pogingen
    .long = Je hebt te vaak geprobeerd met deze code. Vraag een nieuwe aan.
error-verification_missing = Nog niet bevestigd
    .long = Bevestig dit eerst en ga dan verder.
error-verification_not_sent = Er is nog niets verstuurd
    .long = Vraag eerst een code aan.
error-verification_already_verified = Al bevestigd
    .long = Dit is al bevestigd.
error-verification_strategy_invalid = Methode niet toegestaan
    .long = Deze methode kan hier niet worden gebruikt.
error-strategy_for_user_invalid = Methode niet beschikbaar
    .long = Deze methode is niet beschikbaar voor je account.
error-no_second_factors = Geen tweede factor
    .long = Dit account heeft geen tweede factor om te controleren.
error-session_exists = Al ingelogd
    .long = Je bent al ingelogd.
error-client_state_invalid = Kan niet verder
    .long = Deze stap kan nu niet worden gezet. Begin opnieuw.
error-client_mismatch = Andere browser
    .long = Dit is in een andere browser begonnen. Ga daar verder of begin hier opnieuw.
error-account_transfer_invalid = Overzetten niet mogelijk
    .long = Er is geen account om over te zetten. Begin opnieuw.
error-authentication_invalid = Niet ingelogd
    .long = Log in om verder te gaan.
error-clerk_key_invalid = Ongeldige sleutel
    .long = De sleutel is ongeldig.
error-sign_up_mode_restricted = Registratie beperkt
    .long = Registreren kan hier alleen op uitnodiging.
error-not_allowed_access = Toegang niet toegestaan
    .long = Met deze gegevens kun je je hier niet registreren of inloggen.
error-user_locked = Account vergrendeld
    .long = Dit account is vergrendeld na te veel mislukte pogingen. Probeer het later opnieuw.
error-user_banned = Account geblokkeerd
    .long = Dit account is geblokkeerd.
error-resource_not_found = Niet gevonden
    .long = Wat je zocht, is niet gevonden.
error-external_account_not_found = Geen gekoppeld account
    .long = Er is hier geen account gekoppeld aan dat account van de provider.
error-external_account_exists = Al gekoppeld
    .long = Dat account is al gekoppeld aan een andere gebruiker.
error-oauth_access_denied = Toegang geweigerd
    .long = De provider heeft het inloggen niet toegestaan.
error-oauth_callback_invalid = Inloggen niet voltooid
    .long = Het antwoord van de provider was ongeldig. Probeer het opnieuw.
error-oauth_provider_error = Fout bij de provider
    .long = De provider kon het inloggen niet voltooien. Probeer het later opnieuw.
error-too_many_requests = Te veel verzoeken
    .long = Te veel pogingen in korte tijd. Probeer het over { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } seconden
    } opnieuw.
error-verification_code_too_many_requests = Te veel codes
    .long = Er zijn te veel codes aangevraagd. Wacht even voordat je een nieuwe aanvraagt.
error-request_body_invalid = Ongeldig verzoek
    .long = Het verzoek kon niet worden gelezen.
error-request_body_too_large = Verzoek te groot
    .long = Het verzoek is te groot.
error-origin_invalid = Herkomst niet toegestaan
    .long = Dit verzoek komt van een site die niet is toegestaan.
error-session_reverification_required = Bevestig dat jij het bent
    .long = Voor deze wijziging moet je recent zijn ingelogd. Bevestig opnieuw om verder te gaan.
error-organization_not_enabled_in_instance = Organisaties staan uit
    .long = Organisaties zijn hier niet ingeschakeld.
error-organization_not_found = Organisatie niet gevonden
    .long = Die organisatie is niet gevonden.
error-already_a_member_in_organization = Al lid
    .long = Deze persoon is al lid van de organisatie.
error-organization_membership_quota_exceeded = Organisatie vol
    .long = Deze organisatie heeft het maximumaantal leden bereikt.
error-organization_minimum_permissions_needed = Toestemming nodig
    .long = Je hebt geen toestemming om dit in de organisatie te doen.
error-organization_quota_exceeded = Te veel organisaties
    .long = Je hebt het maximumaantal organisaties bereikt.
error-service_unavailable = Dienst tijdelijk niet beschikbaar
    .long = Een dienst waarvan we afhankelijk zijn, reageert niet. Probeer het zo opnieuw.
error-internal_error = Er is iets misgegaan
    .long = Er is bij ons iets misgegaan; het is vastgelegd. Probeer het opnieuw.
