# Komunikaty Portcullis po polsku. Wzorzec: en.ftl (te same identyfikatory i zmienne).

## Język

language-name = Polski
language-picker-label = Język
language-picker-button = Zmień
continue-to-app = aby przejść do { $app }

## Strony logowania

sign-in-title = Zaloguj się
sign-in-lead = Witaj ponownie. Podaj swoje dane, aby kontynuować.
or = {" "}lub{" "}
continue-button = Dalej
no-account = Nie masz jeszcze konta?
sign-up-link = Zarejestruj się
password-label = Hasło
factor-password-title = Wpisz hasło
factor-code-title = Sprawdź wiadomości
code-sent-to = Wysłaliśmy sześciocyfrowy kod na
code-label = Kod weryfikacyjny
resend-button = Wyślij nowy kod
other-methods = Użyj innej metody
use-password = Użyj hasła
email-code-to = Wyślij kod e-mailem na
text-code-to = Wyślij kod SMS-em na
start-over = Użyj innego konta
sign-up-title = Utwórz konto
sign-up-lead = To zajmie tylko minutę.
email-label = Adres e-mail
phone-label = Numer telefonu
phone-hint = W formacie międzynarodowym, zaczynając od +
username-label = Nazwa użytkownika
first-name-label = Imię
last-name-label = Nazwisko
new-password-label = Hasło
legal-label = Akceptuję warunki korzystania z usługi i politykę prywatności
optional = opcjonalnie
have-account = Masz już konto?
sign-in-link = Zaloguj się
verify-email-title = Potwierdź adres e-mail
verify-phone-title = Potwierdź numer telefonu
verify-button = Potwierdź
continue-title = Jeszcze kilka informacji
sign-out-title = Wylogować się?
sign-out-lead = Zostaniesz wylogowany ze wszystkich kont w tej przeglądarce.
sign-out-button = Wyloguj się
signed-out = Wylogowano.
account-title = Twoje konto
emails-heading = Adresy e-mail
phones-heading = Numery telefonów
apps-heading = Aplikacje, którym dałeś dostęp
remove-access = Odbierz dostęp
forgot-password = Nie pamiętasz hasła?
reset-title = Wybierz nowe hasło
sign-out-others-label = Wyloguj się ze wszystkich innych urządzeń
reauth-note = Aplikacja prosi o ponowne zalogowanie.
form-expired = Ten formularz wygasł. Spróbuj ponownie.
wallet-sign-in = Kontynuuj z portfelem
passkey-sign-in = Zaloguj się kluczem dostępu
passkeys-heading = Klucze dostępu
passkey-add = Dodaj klucz dostępu
email-link-to = Wyślij link logowania na
link-sent-to = Wysłaliśmy link logowania na
link-lead = Otwórz go na tym urządzeniu, aby kontynuować. Działa raz, przez dziesięć minut.
resend-link = Wyślij nowy link
continue-with = Kontynuuj z
or-divider = lub
connected-heading = Połączone konta
connect-button = Połącz
disconnect-button = Rozłącz
link-failed = To konto jest już połączone z innym użytkownikiem.
link-denied = Połączenie nie zostało ukończone.
factor-two-title = Weryfikacja dwuetapowa
totp-lead = Wpisz sześciocyfrowy kod z aplikacji uwierzytelniającej.
backup-code-lead = Wpisz jeden z kodów zapasowych.
backup-code-label = Kod zapasowy
use-totp = Użyj aplikacji uwierzytelniającej
use-backup-code = Użyj kodu zapasowego
security-heading = Weryfikacja dwuetapowa
totp-on = Aplikacja uwierzytelniająca: włączona
set-up-totp = Skonfiguruj aplikację uwierzytelniającą
remove-totp = Usuń aplikację uwierzytelniającą
new-backup-codes = Utwórz nowe kody zapasowe
totp-setup-title = Skonfiguruj aplikację uwierzytelniającą
totp-setup-lead = Zeskanuj ten kod QR w aplikacji uwierzytelniającej lub wpisz w niej klucz. Następnie wpisz sześciocyfrowy kod wyświetlony przez aplikację.
secret-label = Klucz
backup-codes-title = Twoje kody zapasowe
backup-codes-lead = Przechowuj je w bezpiecznym miejscu. Jeśli stracisz aplikację uwierzytelniającą, każdy kod pozwoli ci zalogować się raz. Nie zostaną pokazane ponownie.
done-button = Gotowe
orgs-title = Organizacje
orgs-none = Nie należysz jeszcze do żadnej organizacji.
acting-for = Działasz w imieniu
personal-account = Konto osobiste
no-org-chosen = Brak organizacji
choose-org-task = Wybierz organizację, aby kontynuować: przełącz się na jedną ze swoich, przyjmij zaproszenie lub utwórz nową.
switch-button = Przełącz na
manage-link = Zarządzaj
create-org-heading = Utwórz organizację
org-name-label = Nazwa
org-slug-label = Identyfikator (opcjonalnie)
create-button = Utwórz
org-invitations-heading = Zaproszenia dla ciebie
accept-button = Przyjmij
members-heading = Członkowie
role-label = Rola
change-role-button = Zmień rolę
invite-heading = Zaproś kogoś
invite-button = Wyślij zaproszenie
pending-heading = Oczekujące zaproszenia
revoke-button = Cofnij
leave-button = Opuść organizację
org-profile-heading = Profil
delete-org-heading = Usuń organizację
delete-org-confirm = Rozumiem, że organizacja zostanie usunięta dla wszystkich członków.
delete-org-button = Usuń organizację
invitation-title = Masz zaproszenie
ticket-lead = Ten link loguje cię jako
invited-to = otrzymuje zaproszenie do
as-role = jako
join-button = Dołącz
sign-in-to-accept = Zaloguj się, aby przyjąć
sign-up-to-accept = Utwórz konto z tym adresem
back-to-orgs = Wszystkie organizacje
you = ty
mfa-required-title = Chroń swoje konto
mfa-required-lead = Weryfikacja dwuetapowa jest tu wymagana. Skonfiguruj ją, aby dokończyć logowanie.
password-heading = Hasło
current-password-label = Obecne hasło
change-password-button = Zmień hasło
set-password-button = Ustaw hasło
password-changed = Hasło zostało zmienione.
add-email-label = Dodaj adres e-mail
add-phone-label = Dodaj numer telefonu
add-button = Dodaj
unverified = niepotwierdzony
primary = główny
remove-button = Usuń
verify-now = Potwierdź
use-for-2fa = Używaj do weryfikacji dwuetapowej
stop-2fa = Przestań używać do weryfikacji dwuetapowej
used-for-2fa = używany do weryfikacji dwuetapowej
devices-heading = Gdzie jesteś zalogowany
this-session = ta przeglądarka
sign-out-device = Wyloguj
verify-code-title = Wpisz kod
profile-heading = Profil
save-button = Zapisz
cancel-button = Anuluj
reverify-title = Potwierdź, że to ty
reverify-lead = Ta zmiana wymaga niedawnego logowania. Potwierdź ponownie, aby kontynuować.
reverified = Potwierdzono. Możesz teraz wprowadzić zmianę.
delete-account-heading = Usuń konto
delete-account-lead = Usunięcie konta usuwa twój profil, metody logowania i sesje. Tej operacji nie można cofnąć.
delete-account-button = Usuń moje konto
no-way-to-sign-in = To konto nie ma tu żadnego sposobu logowania.
method-not-available = Ta metoda jest niedostępna.
last-method = To twój jedyny sposób logowania. Najpierw ustaw hasło lub dodaj inną metodę.
orgs-disabled = Organizacje nie są włączone w tej instancji.
org-joined = Dołączyłeś do organizacji.
org-left = Opuściłeś organizację.
org-deleted = Organizacja została usunięta.
saved = Zapisano.
org-delete-tick = Zaznacz pole, aby potwierdzić usunięcie organizacji.
backup-codes-remaining = { $count ->
    [one] Pozostał { $count } kod zapasowy
    [few] Pozostały { $count } kody zapasowe
    [many] Pozostało { $count } kodów zapasowych
   *[other] Pozostało { $count } kodu zapasowego
}

## Strony dostawcy OpenID

consent-title = Zezwolić { $app }?
consent-heading = Zezwolić aplikacji { $app } na korzystanie z twojego konta?
consent-asking = { $app } prosi o:
consent-withdraw = Możesz później cofnąć tę zgodę w ustawieniach konta.
consent-allow = Zezwól
consent-deny = Odmów
device-title = Połącz urządzenie
device-lead = Wpisz kod wyświetlany na urządzeniu.
device-code-label = Kod
device-code-unknown = Ten kod jest nieprawidłowy lub wygasł. Sprawdź kod na urządzeniu i spróbuj ponownie.
device-confirm-heading = Połączyć { $app }?
device-check-code = Kontynuuj tylko, jeśli rozpoczęto to na Twoim urządzeniu i wyświetla ono ten kod:
device-allow = Połącz
device-deny = Nie łącz
device-approved-heading = Urządzenie jest połączone
device-approved-lead = Możesz wrócić do urządzenia.
device-denied-heading = Urządzenie nie zostało połączone
device-denied-lead = Możesz zamknąć to okno.
scope-openid = Potwierdzenie, kim jesteś
scope-profile = Wgląd w imię, nazwisko i nazwę użytkownika
scope-email = Wgląd w adres e-mail
scope-phone = Wgląd w numer telefonu
scope-offline_access = Zachowanie dostępu, gdy z niej nie korzystasz
scope-other = Korzystanie z uprawnienia „{ $scope }”
logout-title = Wylogować się?
logout-asking-named = { $app } prosi o wylogowanie.
logout-asking = Aplikacja prosi o wylogowanie.
logout-lead = Zostaniesz wylogowany w tej przeglądarce.
signed-out-title = Wylogowano
signed-out-heading = Wylogowano
signed-out-lead = Możesz zamknąć to okno.
returning-title = Powrót do aplikacji
returning-heading = Powrót do aplikacji…
error-page-title = Coś poszło nie tak
error-page-heading = Nie udało się kontynuować
error-page-lead = Wróć do aplikacji, z której przyszedłeś, i spróbuj ponownie. Jeśli problem się powtarza, przekaż zespołowi wsparcia aplikacji treść tej strony.
error-unavailable = Usługa, od której zależymy, nie odpowiada. Spróbuj ponownie za chwilę.
error-unexpected = Po naszej stronie coś poszło nie tak; zostało to zapisane. Spróbuj ponownie.
link-incomplete = Ten link jest niekompletny.
form-incomplete = Ten formularz jest niekompletny.
bad-return-address = Adres powrotny aplikacji jest nieprawidłowy.

## E-maile i SMS-y

purpose-sign-in = zalogować się
purpose-sign-up = zarejestrować się
purpose-reset-password = zresetować hasło
purpose-add-to-account = dodać ten adres do konta
email-code-subject = { $code } to twój kod weryfikacyjny { $app }
email-code-body =
    { $code } to twój kod weryfikacyjny { $app }.

    Wpisz go na stronie, która o niego poprosiła. Wygasa za { $minutes ->
        [one] { $minutes } minutę
        [few] { $minutes } minuty
       *[other] { $minutes } minut
    }.

    Jeśli nie próbowałeś { $purpose }, możesz zignorować tę wiadomość: bez kodu nic się nie stanie.
email-link-subject = Twój link logowania do { $app }
email-link-body =
    Otwórz ten link, aby { $purpose } w { $app }:

    { $link }

    Działa raz i wygasa za { $minutes ->
        [one] { $minutes } minutę
        [few] { $minutes } minuty
       *[other] { $minutes } minut
    }.

    Jeśli nie próbowałeś { $purpose }, możesz zignorować tę wiadomość: dopóki link nie zostanie otwarty, nic się nie stanie.
sms-code = { $code } to twój kod weryfikacyjny { $app }. Wygasa za { $minutes ->
        [one] { $minutes } minutę
        [few] { $minutes } minuty
       *[other] { $minutes } minut
    }.
email-invitation-subject = Zaproszenie do { $app }
email-invitation-body =
    Zapraszamy do utworzenia konta w { $app }.

    Otwórz ten link, aby się zarejestrować:

    { $link }

    Działa raz i wygasa za { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }. Zarejestruj się przy użyciu tego adresu e-mail.

    Jeśli nie spodziewałeś się tego zaproszenia, możesz zignorować tę wiadomość.
email-org-invitation-subject = Zaproszenie do { $organization } w { $app }
email-org-invitation-body =
    { $inviter } zaprasza cię do { $organization } w { $app }.

    Otwórz ten link, aby przyjąć zaproszenie:

    { $link }

    Działa raz i wygasa za { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }. Jeśli nie masz jeszcze konta, możesz je utworzyć przy użyciu tego adresu e-mail.

    Jeśli nie spodziewałeś się tego zaproszenia, możesz zignorować tę wiadomość.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Dzień dobry,

    { $what } na twoim koncie { $app } w dniu { $when } (UTC).

    Jeśli to ty, nie musisz nic robić.

    Jeśli to nie ty, zresetuj teraz hasło i sprawdź metody logowania na stronie konta: ktoś inny może mieć do niego dostęp.

    — { $app }
notice-password-changed = Zmieniono twoje hasło
notice-password-reset = Zresetowano twoje hasło
notice-totp-enabled = Włączono aplikację uwierzytelniającą
notice-totp-removed = Usunięto aplikację uwierzytelniającą
notice-backup-codes = Utworzono nowe kody zapasowe
notice-passkey-added = Dodano klucz dostępu
notice-passkey-removed = Usunięto klucz dostępu
notice-phone-2fa-on = Włączono numer telefonu do weryfikacji dwuetapowej
notice-phone-2fa-off = Wyłączono numer telefonu z weryfikacji dwuetapowej
notice-sign-up-attempt = Ktoś próbował zarejestrować się przy użyciu tego adresu e-mail

## Błędy

field-email_address = adres e-mail
field-phone_number = numer telefonu
field-username = nazwa użytkownika
field-password = hasło
field-new_password = nowe hasło
field-current_password = obecne hasło
field-first_name = imię
field-last_name = nazwisko
field-identifier = identyfikator
field-code = kod
field-name = nazwa
field-slug = identyfikator
field-legal_accepted = akceptacja warunków
field-other = { $param }

error-form_identifier_not_found = Nie znaleziono konta
    .long = Żadne konto nie pasuje do tego identyfikatora.
error-form_password_incorrect = Nieprawidłowe hasło
    .long = Hasło jest nieprawidłowe. Spróbuj ponownie lub użyj innej metody.
error-form_code_incorrect = Nieprawidłowy kod
    .long = Wpisany kod jest nieprawidłowy. Sprawdź go i spróbuj ponownie.
error-form_identifier_exists = Już zajęte
    .long = Ta wartość ({ $field }) jest już zajęta. Spróbuj innej lub zaloguj się.
error-form_param_missing = Brak: { $field }
    .long = Podaj: { $field }.
error-form_param_format_invalid = Nieprawidłowe
    .long = Pole { $field } jest nieprawidłowe. Sprawdź je i spróbuj ponownie.
error-form_param_unknown = Nieznane
    .long = { $field } nie jest rozpoznawanym parametrem tego żądania.
error-form_param_value_invalid = Nieprawidłowe
    .long = Pole { $field } jest nieprawidłowe.
error-form_password_length_too_short = Hasło jest za krótkie
    .long = Hasło musi mieć co najmniej { $min } znaków.
error-form_password_length_too_long = Hasło jest za długie
    .long = Hasło może mieć najwyżej { $max } znaków.
error-form_password_not_strong_enough = Hasło jest za słabe
    .long = Wybierz dłuższe hasło, trudniejsze do odgadnięcia.
error-form_password_pwned = Hasło z wycieku danych
    .long = To hasło pojawiło się w wycieku danych lub należy do najczęściej używanych. Wybierz inne.
error-form_username_invalid_length = Nieprawidłowa długość nazwy użytkownika
    .long = Nazwa użytkownika musi mieć od { $min } do { $max } znaków.
error-form_username_invalid_character = Nazwa użytkownika zawiera niedozwolone znaki
    .long = Nazwa użytkownika może zawierać tylko litery, cyfry, „_” i „-”.
error-verification_expired = Wygasło
    .long = Ta weryfikacja wygasła. Poproś o nowy kod.
error-verification_failed = Zbyt wiele nieudanych prób
    .long = Wykonano zbyt wiele prób z tym kodem. Poproś o nowy.
error-verification_missing = Jeszcze niepotwierdzone
    .long = Najpierw to potwierdź, a potem kontynuuj.
error-verification_not_sent = Jeszcze nic nie wysłano
    .long = Najpierw poproś o kod.
error-verification_already_verified = Już potwierdzone
    .long = To zostało już potwierdzone.
error-verification_strategy_invalid = Metoda niedozwolona
    .long = Tej metody nie można tu użyć.
error-strategy_for_user_invalid = Metoda niedostępna
    .long = Ta metoda jest niedostępna dla twojego konta.
error-no_second_factors = Brak drugiego składnika
    .long = To konto nie ma drugiego składnika do weryfikacji.
error-session_exists = Już zalogowano
    .long = Jesteś już zalogowany.
error-client_state_invalid = Nie można kontynuować
    .long = Tego kroku nie można teraz wykonać. Zacznij od nowa.
error-client_mismatch = Inna przeglądarka
    .long = Rozpoczęto to w innej przeglądarce. Kontynuuj tam lub zacznij tutaj od nowa.
error-account_transfer_invalid = Nie można przenieść
    .long = Nie ma konta do przeniesienia. Zacznij od nowa.
error-authentication_invalid = Nie zalogowano
    .long = Zaloguj się, aby kontynuować.
error-clerk_key_invalid = Nieprawidłowy klucz
    .long = Klucz jest nieprawidłowy.
error-sign_up_mode_restricted = Rejestracja ograniczona
    .long = Rejestracja jest tu możliwa tylko na zaproszenie.
error-not_allowed_access = Dostęp niedozwolony
    .long = Ten identyfikator nie może się tu zarejestrować ani zalogować.
error-user_locked = Konto zablokowane
    .long = To konto zostało zablokowane po zbyt wielu nieudanych próbach. Spróbuj później.
error-user_banned = Konto zbanowane
    .long = To konto zostało zbanowane.
error-resource_not_found = Nie znaleziono
    .long = Nie znaleziono tego, o co prosisz.
error-external_account_not_found = Brak powiązanego konta
    .long = Żadne konto tutaj nie jest powiązane z tym kontem dostawcy.
error-external_account_exists = Już połączone
    .long = To konto jest już połączone z innym użytkownikiem.
error-oauth_access_denied = Odmowa dostępu
    .long = Dostawca nie zezwolił na logowanie.
error-oauth_callback_invalid = Logowanie nieukończone
    .long = Odpowiedź dostawcy była nieprawidłowa. Spróbuj ponownie.
error-oauth_provider_error = Błąd dostawcy
    .long = Dostawca nie mógł dokończyć logowania. Spróbuj później.
error-too_many_requests = Zbyt wiele żądań
    .long = Zbyt wiele prób w krótkim czasie. Spróbuj ponownie za { $seconds ->
        [one] { $seconds } sekundę
        [few] { $seconds } sekundy
       *[other] { $seconds } sekund
    }.
error-verification_code_too_many_requests = Zbyt wiele kodów
    .long = Poproszono o zbyt wiele kodów. Poczekaj chwilę, zanim poprosisz o kolejny.
error-request_body_invalid = Nieprawidłowe żądanie
    .long = Nie udało się odczytać żądania.
error-request_body_too_large = Żądanie jest za duże
    .long = Żądanie jest za duże.
error-origin_invalid = Niedozwolone źródło
    .long = To żądanie pochodzi z niedozwolonej witryny.
error-session_reverification_required = Potwierdź, że to ty
    .long = Ta zmiana wymaga niedawnego logowania. Potwierdź ponownie, aby kontynuować.
error-organization_not_enabled_in_instance = Organizacje są wyłączone
    .long = Organizacje nie są tu włączone.
error-organization_not_found = Nie znaleziono organizacji
    .long = Nie znaleziono tej organizacji.
error-already_a_member_in_organization = Już członek
    .long = Ta osoba jest już członkiem organizacji.
error-organization_membership_quota_exceeded = Organizacja jest pełna
    .long = Ta organizacja osiągnęła limit członków.
error-organization_minimum_permissions_needed = Potrzebne uprawnienia
    .long = Nie masz uprawnień, aby zrobić to w organizacji.
error-organization_quota_exceeded = Zbyt wiele organizacji
    .long = Osiągnięto limit organizacji.
error-service_unavailable = Usługa chwilowo niedostępna
    .long = Usługa, od której zależymy, nie odpowiada. Spróbuj ponownie za chwilę.
error-internal_error = Coś poszło nie tak
    .long = Po naszej stronie coś poszło nie tak; zostało to zapisane. Spróbuj ponownie.
