# Messaggi di Portcullis in italiano. Riferimento: en.ftl (stessi identificativi e variabili).

## La lingua

language-name = Italiano
language-picker-label = Lingua
language-picker-button = Cambia
continue-to-app = per continuare su { $app }

## Pagine ospitate

sign-in-title = Accedi
sign-in-lead = Bentornato. Inserisci i tuoi dati per continuare.
or = {" "}o{" "}
continue-button = Continua
no-account = Non hai ancora un account?
sign-up-link = Registrati
password-label = Password
factor-password-title = Inserisci la password
factor-code-title = Controlla i tuoi messaggi
code-sent-to = Abbiamo inviato un codice di sei cifre a
code-label = Codice di verifica
resend-button = Invia un nuovo codice
other-methods = Usa un altro metodo
use-password = Usa la password
email-code-to = Invia un codice via email a
text-code-to = Invia un codice via SMS a
start-over = Usa un altro account
sign-up-title = Crea il tuo account
sign-up-lead = Ci vuole un minuto.
email-label = Indirizzo email
phone-label = Numero di telefono
phone-hint = In formato internazionale, iniziando con +
username-label = Nome utente
first-name-label = Nome
last-name-label = Cognome
new-password-label = Password
legal-label = Accetto i termini di servizio e l’informativa sulla privacy
optional = facoltativo
have-account = Hai già un account?
sign-in-link = Accedi
verify-email-title = Verifica il tuo indirizzo email
verify-phone-title = Verifica il tuo numero di telefono
verify-button = Verifica
continue-title = Ancora qualche dettaglio
sign-out-title = Uscire?
sign-out-lead = Uscirai da tutti gli account di questo browser.
sign-out-button = Esci
signed-out = Sei uscito.
account-title = Il tuo account
emails-heading = Indirizzi email
phones-heading = Numeri di telefono
apps-heading = App autorizzate
remove-access = Revoca l’accesso
forgot-password = Password dimenticata?
reset-title = Scegli una nuova password
sign-out-others-label = Esci da tutti gli altri dispositivi
reauth-note = L’applicazione ti chiede di accedere di nuovo.
form-expired = Questo modulo è scaduto. Riprova.
wallet-sign-in = Continua con un wallet
passkey-sign-in = Accedi con una passkey
passkeys-heading = Passkey
passkey-add = Aggiungi una passkey
email-link-to = Invia un link di accesso a
link-sent-to = Abbiamo inviato un link di accesso a
link-lead = Aprilo su questo dispositivo per continuare. Funziona una volta, per dieci minuti.
resend-link = Invia un nuovo link
continue-with = Continua con
or-divider = oppure
connected-heading = Account collegati
connect-button = Collega
disconnect-button = Scollega
link-failed = Questo account è già collegato a un altro utente.
link-denied = Il collegamento non è stato completato.
factor-two-title = Verifica in due passaggi
totp-lead = Inserisci il codice di sei cifre della tua app di autenticazione.
backup-code-lead = Inserisci uno dei tuoi codici di backup.
backup-code-label = Codice di backup
use-totp = Usa l’app di autenticazione
use-backup-code = Usa un codice di backup
security-heading = Verifica in due passaggi
totp-on = App di autenticazione: attiva
set-up-totp = Configura un’app di autenticazione
remove-totp = Rimuovi l’app di autenticazione
new-backup-codes = Crea nuovi codici di backup
totp-setup-title = Configura la tua app di autenticazione
totp-setup-lead = Scansiona questo codice QR con l’app di autenticazione oppure digita la chiave. Poi inserisci il codice di sei cifre mostrato dall’app.
secret-label = Chiave
backup-codes-title = I tuoi codici di backup
backup-codes-lead = Conservali in un posto sicuro. Se perdi l’app di autenticazione, ogni codice ti fa accedere una volta. Non verranno mostrati di nuovo.
done-button = Fatto
orgs-title = Organizzazioni
orgs-none = Non fai ancora parte di nessuna organizzazione.
acting-for = Agisci per
personal-account = Account personale
no-org-chosen = Nessuna organizzazione per ora
choose-org-task = Scegli un’organizzazione per continuare: passa a una delle tue, accetta un invito o creane una.
switch-button = Passa a
manage-link = Gestisci
create-org-heading = Crea un’organizzazione
org-name-label = Nome
org-slug-label = Slug (facoltativo)
create-button = Crea
org-invitations-heading = Inviti per te
accept-button = Accetta
members-heading = Membri
role-label = Ruolo
change-role-button = Cambia ruolo
invite-heading = Invita qualcuno
invite-button = Invia invito
pending-heading = Inviti in sospeso
revoke-button = Revoca
leave-button = Lascia l’organizzazione
org-profile-heading = Profilo
delete-org-heading = Elimina l’organizzazione
delete-org-confirm = Ho capito che questo elimina l’organizzazione per tutti i membri.
delete-org-button = Elimina l’organizzazione
invitation-title = Hai ricevuto un invito
ticket-lead = Questo link ti fa accedere come
invited-to = è invitato a unirsi a
as-role = come
join-button = Unisciti
sign-in-to-accept = Accedi per accettare
sign-up-to-accept = Crea un account con questo indirizzo
back-to-orgs = Tutte le organizzazioni
you = tu
mfa-required-title = Proteggi il tuo account
mfa-required-lead = Qui la verifica in due passaggi è obbligatoria. Configurala per completare l’accesso.
password-heading = Password
current-password-label = Password attuale
change-password-button = Cambia password
set-password-button = Imposta una password
password-changed = La tua password è stata cambiata.
add-email-label = Aggiungi un indirizzo email
add-phone-label = Aggiungi un numero di telefono
add-button = Aggiungi
unverified = non verificato
primary = principale
remove-button = Rimuovi
verify-now = Verifica
use-for-2fa = Usa per la verifica in due passaggi
stop-2fa = Non usare più per la verifica in due passaggi
used-for-2fa = usato per la verifica in due passaggi
devices-heading = Dove hai effettuato l’accesso
this-session = questo browser
sign-out-device = Esci
verify-code-title = Inserisci il codice
profile-heading = Profilo
save-button = Salva
cancel-button = Annulla
reverify-title = Conferma che sei tu
reverify-lead = Questa modifica richiede un accesso recente. Verifica di nuovo per continuare.
reverified = Verificato. Ora puoi apportare la modifica.
delete-account-heading = Elimina l’account
delete-account-lead = Eliminando l’account rimuovi profilo, metodi di accesso e sessioni. L’operazione non può essere annullata.
delete-account-button = Elimina il mio account
no-way-to-sign-in = Questo account non ha alcun modo di accedere qui.
method-not-available = Questo metodo non è disponibile.
last-method = È il tuo unico modo per accedere. Imposta prima una password o aggiungi un altro metodo.
orgs-disabled = Le organizzazioni non sono attive su questa istanza.
org-joined = Ti sei unito all’organizzazione.
org-left = Hai lasciato l’organizzazione.
org-deleted = L’organizzazione è stata eliminata.
saved = Salvato.
org-delete-tick = Spunta la casella per confermare l’eliminazione dell’organizzazione.
backup-codes-remaining = { $count ->
    [one] { $count } codice di backup rimasto
   *[other] { $count } codici di backup rimasti
}

## Pagine del provider OpenID

consent-title = Consentire { $app }?
consent-heading = Consentire a { $app } di usare il tuo account?
consent-asking = { $app } chiede di:
consent-withdraw = Potrai revocare l’autorizzazione in seguito dalle impostazioni dell’account.
consent-allow = Consenti
consent-deny = Nega
device-title = Collega un dispositivo
device-lead = Inserisci il codice mostrato dal tuo dispositivo.
device-code-label = Codice
device-code-unknown = Questo codice non è valido o è scaduto. Controlla il codice sul tuo dispositivo e riprova.
device-confirm-heading = Collegare { $app }?
device-check-code = Continua solo se hai avviato tu questa operazione su un tuo dispositivo e mostra questo codice:
device-allow = Collega
device-deny = Non collegare
device-approved-heading = Il tuo dispositivo è collegato
device-approved-lead = Ora puoi tornare al tuo dispositivo.
device-denied-heading = Il dispositivo non è stato collegato
device-denied-lead = Puoi chiudere questa finestra.
scope-openid = Confermare chi sei
scope-profile = Vedere il tuo nome e nome utente
scope-email = Vedere il tuo indirizzo email
scope-phone = Vedere il tuo numero di telefono
scope-offline_access = Mantenere l’accesso quando non la usi
scope-other = Usare l’autorizzazione “{ $scope }”
logout-title = Uscire?
logout-asking-named = { $app } ti chiede di uscire.
logout-asking = Un’applicazione ti chiede di uscire.
logout-lead = Uscirai da questo browser.
signed-out-title = Uscita effettuata
signed-out-heading = Sei uscito
signed-out-lead = Puoi chiudere questa finestra.
returning-title = Ritorno all’applicazione
returning-heading = Ritorno all’applicazione…
error-page-title = Si è verificato un problema
error-page-heading = Non è stato possibile continuare
error-page-lead = Torna all’applicazione da cui provieni e riprova. Se continua a succedere, comunica al supporto dell’applicazione cosa dice questa pagina.
error-unavailable = Un servizio da cui dipendiamo non risponde. Riprova tra un momento.
error-unexpected = Si è verificato un problema da parte nostra ed è stato registrato. Riprova.
link-incomplete = Questo link è incompleto.
form-incomplete = Questo modulo è incompleto.
bad-return-address = L’indirizzo di ritorno dell’applicazione non è valido.

## Email e SMS

purpose-sign-in = accedere
purpose-sign-up = registrarti
purpose-reset-password = reimpostare la password
purpose-add-to-account = aggiungere questo indirizzo al tuo account
email-code-subject = { $code } è il tuo codice di verifica di { $app }
email-code-body =
    { $code } è il tuo codice di verifica di { $app }.

    Inseriscilo nella pagina che lo ha richiesto. Scade tra { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minuti
    }.

    Se non hai provato a { $purpose }, puoi ignorare questo messaggio: senza il codice non succede nulla.
email-link-subject = Il tuo link di accesso a { $app }
email-link-body =
    Apri questo link per { $purpose } su { $app }:

    { $link }

    Funziona una volta e scade tra { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minuti
    }.

    Se non hai provato a { $purpose }, puoi ignorare questo messaggio: non succede nulla se il link non viene aperto.
sms-code = { $code } è il tuo codice di verifica di { $app }. Scade tra { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minuti
    }.
email-invitation-subject = Sei invitato su { $app }
email-invitation-body =
    Sei invitato a creare un account su { $app }.

    Apri questo link per registrarti:

    { $link }

    Funziona una volta e scade tra { $days ->
        [one] { $days } giorno
       *[other] { $days } giorni
    }. Registrati con questo indirizzo email.

    Se non ti aspettavi questo invito, puoi ignorare questo messaggio.
email-org-invitation-subject = Sei invitato a unirti a { $organization } su { $app }
email-org-invitation-body =
    { $inviter } ti ha invitato a unirti a { $organization } su { $app }.

    Apri questo link per accettare:

    { $link }

    Funziona una volta e scade tra { $days ->
        [one] { $days } giorno
       *[other] { $days } giorni
    }. Se non hai ancora un account, puoi crearne uno con questo indirizzo email.

    Se non ti aspettavi questo invito, puoi ignorare questo messaggio.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Ciao,

    { $what } sul tuo account { $app } il { $when } (UTC).

    Se sei stato tu, non devi fare nulla.

    Se non sei stato tu, reimposta subito la password e controlla i metodi di accesso nella pagina del tuo account: qualcun altro potrebbe avervi accesso.

    — { $app }
notice-password-changed = La tua password è stata cambiata
notice-password-reset = La tua password è stata reimpostata
notice-totp-enabled = È stata attivata un’app di autenticazione
notice-totp-removed = È stata rimossa un’app di autenticazione
notice-backup-codes = Sono stati creati nuovi codici di backup
notice-passkey-added = È stata aggiunta una passkey
notice-passkey-removed = È stata rimossa una passkey
notice-phone-2fa-on = Un numero di telefono è stato attivato per la verifica in due passaggi
notice-phone-2fa-off = Un numero di telefono è stato disattivato per la verifica in due passaggi
notice-sign-up-attempt = Qualcuno ha provato a registrarsi con questo indirizzo email

## Errori

field-email_address = indirizzo email
field-phone_number = numero di telefono
field-username = nome utente
field-password = password
field-new_password = nuova password
field-current_password = password attuale
field-first_name = nome
field-last_name = cognome
field-identifier = identificativo
field-code = codice
field-name = nome
field-slug = slug
field-legal_accepted = accettazione dei termini
field-other = { $param }

error-form_identifier_not_found = Account non trovato
    .long = Nessun account corrisponde a questo identificativo.
error-form_password_incorrect = Password errata
    .long = La password è errata. Riprova o usa un altro metodo.
error-form_code_incorrect = Codice errato
    .long = Il codice inserito è errato. Controllalo e riprova.
error-form_identifier_exists = Già in uso
    .long = Questo valore ({ $field }) è già in uso. Provane un altro o accedi.
error-form_param_missing = Manca: { $field }
    .long = Inserisci: { $field }.
error-form_param_format_invalid = Non valido
    .long = Il campo { $field } non è valido. Controllalo e riprova.
error-form_param_unknown = Sconosciuto
    .long = { $field } non è un parametro riconosciuto per questa richiesta.
error-form_param_value_invalid = Non valido
    .long = Il campo { $field } non è valido.
error-form_password_length_too_short = Password troppo corta
    .long = La password deve avere almeno { $min } caratteri.
error-form_password_length_too_long = Password troppo lunga
    .long = La password deve avere al massimo { $max } caratteri.
error-form_password_not_strong_enough = Password non abbastanza sicura
    .long = Scegli una password più lunga e più difficile da indovinare.
error-form_password_pwned = Password compromessa
    .long = Questa password è comparsa in una violazione di dati o è tra le più comuni. Scegline un’altra.
error-form_username_invalid_length = Lunghezza del nome utente non valida
    .long = Il nome utente deve avere tra { $min } e { $max } caratteri.
error-form_username_invalid_character = Il nome utente contiene caratteri non consentiti
    .long = Il nome utente può contenere solo lettere, cifre, “_” e “-”.
error-verification_expired = Scaduto
    .long = Questa verifica è scaduta. Richiedi un nuovo codice.
error-verification_failed = Troppi tentativi non riusciti
    .long = Hai fatto troppi tentativi con questo codice. Richiedine uno nuovo.
error-verification_missing = Non ancora verificato
    .long = Verifica prima questo, poi continua.
error-verification_not_sent = Non è stato ancora inviato nulla
    .long = Richiedi prima un codice.
error-verification_already_verified = Già verificato
    .long = È già stato verificato.
error-verification_strategy_invalid = Metodo non consentito
    .long = Questo metodo non può essere usato qui.
error-strategy_for_user_invalid = Metodo non disponibile
    .long = Questo metodo non è disponibile per il tuo account.
error-no_second_factors = Nessun secondo fattore
    .long = Questo account non ha un secondo fattore da verificare.
error-session_exists = Accesso già effettuato
    .long = Hai già effettuato l’accesso.
error-client_state_invalid = Impossibile continuare
    .long = Questo passaggio non può essere eseguito ora. Ricomincia.
error-client_mismatch = Un altro browser
    .long = L’operazione è iniziata in un altro browser. Continua lì o ricomincia qui.
error-account_transfer_invalid = Trasferimento impossibile
    .long = Non c’è alcun account da trasferire. Ricomincia.
error-authentication_invalid = Accesso non effettuato
    .long = Accedi per continuare.
error-clerk_key_invalid = Chiave non valida
    .long = La chiave non è valida.
error-sign_up_mode_restricted = Registrazioni limitate
    .long = Qui ci si registra solo su invito.
error-not_allowed_access = Accesso non consentito
    .long = Questo identificativo non può registrarsi né accedere qui.
error-user_locked = Account bloccato
    .long = Questo account è bloccato dopo troppi tentativi non riusciti. Riprova più tardi.
error-user_banned = Account bandito
    .long = Questo account è stato bandito.
error-resource_not_found = Non trovato
    .long = Ciò che hai richiesto non è stato trovato.
error-external_account_not_found = Nessun account collegato
    .long = Nessun account qui è collegato a quell’account del provider.
error-external_account_exists = Già collegato
    .long = Questo account è già collegato a un altro utente.
error-oauth_access_denied = Accesso negato
    .long = Il provider non ha consentito l’accesso.
error-oauth_callback_invalid = Accesso non completato
    .long = La risposta del provider non era valida. Riprova.
error-oauth_provider_error = Errore del provider
    .long = Il provider non è riuscito a completare l’accesso. Riprova più tardi.
error-too_many_requests = Troppe richieste
    .long = Troppi tentativi in poco tempo. Riprova tra { $seconds ->
        [one] { $seconds } secondo
       *[other] { $seconds } secondi
    }.
error-verification_code_too_many_requests = Troppi codici
    .long = Sono stati richiesti troppi codici. Attendi un po’ prima di richiederne un altro.
error-request_body_invalid = Richiesta non valida
    .long = Impossibile leggere la richiesta.
error-request_body_too_large = Richiesta troppo grande
    .long = La richiesta è troppo grande.
error-origin_invalid = Origine non consentita
    .long = Questa richiesta proviene da un sito non consentito.
error-session_reverification_required = Conferma che sei tu
    .long = Questa modifica richiede un accesso recente. Verifica di nuovo per continuare.
error-organization_not_enabled_in_instance = Organizzazioni disattivate
    .long = Le organizzazioni non sono attive qui.
error-organization_not_found = Organizzazione non trovata
    .long = Questa organizzazione non è stata trovata.
error-already_a_member_in_organization = Già membro
    .long = Questa persona è già membro dell’organizzazione.
error-organization_membership_quota_exceeded = Organizzazione al completo
    .long = Questa organizzazione ha raggiunto il limite di membri.
error-organization_minimum_permissions_needed = Autorizzazione necessaria
    .long = Non hai l’autorizzazione per farlo nell’organizzazione.
error-organization_quota_exceeded = Troppe organizzazioni
    .long = Hai raggiunto il limite di organizzazioni.
error-service_unavailable = Servizio temporaneamente non disponibile
    .long = Un servizio da cui dipendiamo non risponde. Riprova tra un momento.
error-internal_error = Si è verificato un problema
    .long = Si è verificato un problema da parte nostra ed è stato registrato. Riprova.
