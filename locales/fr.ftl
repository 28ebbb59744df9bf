# Messages de Portcullis en français. Référence : en.ftl (mêmes identifiants, mêmes variables).

## La langue

language-name = Français
language-picker-label = Langue
language-picker-button = Changer
continue-to-app = pour continuer vers { $app }

## Pages hébergées

sign-in-title = Se connecter
sign-in-lead = Bon retour parmi nous. Saisissez vos informations pour continuer.
or = {" "}ou{" "}
continue-button = Continuer
no-account = Pas encore de compte ?
sign-up-link = Créer un compte
password-label = Mot de passe
factor-password-title = Saisissez votre mot de passe
factor-code-title = Consultez vos messages
code-sent-to = Nous avons envoyé un code à six chiffres à
code-label = Code de vérification
resend-button = Envoyer un nouveau code
other-methods = Utiliser une autre méthode
use-password = Utiliser votre mot de passe
email-code-to = Envoyer un code par e-mail à
text-code-to = Envoyer un code par SMS au
start-over = Utiliser un autre compte
sign-up-title = Créez votre compte
sign-up-lead = Cela ne prend qu’une minute.
email-label = Adresse e-mail
phone-label = Numéro de téléphone
phone-hint = Au format international, en commençant par +
username-label = Nom d’utilisateur
first-name-label = Prénom
last-name-label = Nom
new-password-label = Mot de passe
legal-label = J’accepte les conditions d’utilisation et la politique de confidentialité
optional = facultatif
have-account = Vous avez déjà un compte ?
sign-in-link = Se connecter
verify-email-title = Vérifiez votre adresse e-mail
verify-phone-title = Vérifiez votre numéro de téléphone
verify-button = Vérifier
continue-title = Encore quelques informations
sign-out-title = Se déconnecter ?
sign-out-lead = Vous serez déconnecté de tous les comptes de ce navigateur.
sign-out-button = Se déconnecter
signed-out = Vous êtes déconnecté.
account-title = Votre compte
emails-heading = Adresses e-mail
phones-heading = Numéros de téléphone
apps-heading = Applications autorisées
remove-access = Retirer l’accès
forgot-password = Mot de passe oublié ?
reset-title = Choisissez un nouveau mot de passe
sign-out-others-label = Se déconnecter de tous les autres appareils
reauth-note = L’application vous demande de vous reconnecter.
form-expired = Ce formulaire a expiré. Veuillez réessayer.
wallet-sign-in = Continuer avec un portefeuille
passkey-sign-in = Se connecter avec une clé d’accès
passkeys-heading = Clés d’accès
passkey-add = Ajouter une clé d’accès
email-link-to = Envoyer un lien de connexion à
link-sent-to = Nous avons envoyé un lien de connexion à
link-lead = Ouvrez-le sur cet appareil pour continuer. Il fonctionne une fois, pendant dix minutes.
resend-link = Envoyer un nouveau lien
continue-with = Continuer avec
or-divider = ou
connected-heading = Comptes connectés
connect-button = Connecter
disconnect-button = Déconnecter
link-failed = Ce compte est déjà associé à un autre utilisateur.
link-denied = La connexion n’a pas abouti.
factor-two-title = Validation en deux étapes
totp-lead = Saisissez le code à six chiffres de votre application d’authentification.
backup-code-lead = Saisissez l’un de vos codes de secours.
backup-code-label = Code de secours
use-totp = Utiliser votre application d’authentification
use-backup-code = Utiliser un code de secours
security-heading = Validation en deux étapes
totp-on = Application d’authentification : activée
set-up-totp = Configurer une application d’authentification
remove-totp = Supprimer l’application d’authentification
new-backup-codes = Créer de nouveaux codes de secours
totp-setup-title = Configurez votre application d’authentification
totp-setup-lead = Scannez ce code QR avec votre application d’authentification ou saisissez-y la clé. Saisissez ensuite le code à six chiffres affiché par l’application.
secret-label = Clé
backup-codes-title = Vos codes de secours
backup-codes-lead = Conservez-les en lieu sûr. Si vous perdez votre application d’authentification, chaque code vous connecte une fois. Ils ne seront plus affichés.
done-button = Terminé
orgs-title = Organisations
orgs-none = Vous n’appartenez encore à aucune organisation.
acting-for = Vous agissez pour
personal-account = Compte personnel
no-org-chosen = Aucune organisation pour l’instant
choose-org-task = Choisissez une organisation pour continuer : passez à l’une des vôtres, acceptez une invitation ou créez-en une.
switch-button = Passer à
manage-link = Gérer
create-org-heading = Créer une organisation
org-name-label = Nom
org-slug-label = Identifiant (facultatif)
create-button = Créer
org-invitations-heading = Vos invitations
accept-button = Accepter
members-heading = Membres
role-label = Rôle
change-role-button = Changer le rôle
invite-heading = Inviter quelqu’un
invite-button = Envoyer l’invitation
pending-heading = Invitations en attente
revoke-button = Révoquer
leave-button = Quitter l’organisation
org-profile-heading = Profil
delete-org-heading = Supprimer l’organisation
delete-org-confirm = Je comprends que cela supprime l’organisation pour tous ses membres.
delete-org-button = Supprimer l’organisation
invitation-title = Vous êtes invité
ticket-lead = Ce lien vous connecte en tant que
invited-to = est invité à rejoindre
as-role = en tant que
join-button = Rejoindre
sign-in-to-accept = Se connecter pour accepter
sign-up-to-accept = Créer un compte avec cette adresse
back-to-orgs = Toutes les organisations
you = vous
mfa-required-title = Protégez votre compte
mfa-required-lead = La validation en deux étapes est obligatoire ici. Configurez-la pour terminer la connexion.
password-heading = Mot de passe
current-password-label = Mot de passe actuel
change-password-button = Changer le mot de passe
set-password-button = Définir un mot de passe
password-changed = Votre mot de passe a été modifié.
add-email-label = Ajouter une adresse e-mail
add-phone-label = Ajouter un numéro de téléphone
add-button = Ajouter
unverified = non vérifiée
primary = principale
remove-button = Supprimer
verify-now = Vérifier
use-for-2fa = Utiliser pour la validation en deux étapes
stop-2fa = Ne plus utiliser pour la validation en deux étapes
used-for-2fa = utilisé pour la validation en deux étapes
devices-heading = Où vous êtes connecté
this-session = ce navigateur
sign-out-device = Se déconnecter
verify-code-title = Saisissez le code
profile-heading = Profil
save-button = Enregistrer
cancel-button = Annuler
reverify-title = Confirmez votre identité
reverify-lead = Cette modification nécessite une connexion récente. Vérifiez de nouveau votre identité pour continuer.
reverified = Identité vérifiée. Vous pouvez maintenant effectuer la modification.
delete-account-heading = Supprimer le compte
delete-account-lead = La suppression de votre compte efface votre profil, vos méthodes de connexion et vos sessions. Cette action est irréversible.
delete-account-button = Supprimer mon compte
no-way-to-sign-in = Ce compte n’a aucun moyen de se connecter ici.
method-not-available = Cette méthode n’est pas disponible.
last-method = C’est votre seul moyen de connexion. Définissez d’abord un mot de passe ou ajoutez une autre méthode.
orgs-disabled = Les organisations ne sont pas activées sur cette instance.
org-joined = Vous avez rejoint l’organisation.
org-left = Vous avez quitté l’organisation.
org-deleted = L’organisation a été supprimée.
saved = Enregistré.
org-delete-tick = Cochez la case pour confirmer la suppression de l’organisation.
backup-codes-remaining = { $count ->
    [one] { $count } code de secours restant
   *[other] { $count } codes de secours restants
}

## Pages du fournisseur OpenID

consent-title = Autoriser { $app } ?
consent-heading = Autoriser { $app } à utiliser votre compte ?
consent-asking = { $app } demande à :
consent-withdraw = Vous pourrez retirer cette autorisation plus tard dans les paramètres de votre compte.
consent-allow = Autoriser
consent-deny = Refuser
device-title = Connecter un appareil
device-lead = Saisissez le code affiché sur votre appareil.
device-code-label = Code
device-code-unknown = Ce code n'est pas valide ou a expiré. Vérifiez le code sur votre appareil et réessayez.
device-confirm-heading = Connecter { $app } ?
device-check-code = Ne continuez que si vous avez lancé cette connexion sur l'un de vos appareils et qu'il affiche ce code :
device-allow = Connecter
device-deny = Ne pas connecter
device-approved-heading = Votre appareil est connecté
device-approved-lead = Vous pouvez revenir à votre appareil.
device-denied-heading = L'appareil n'a pas été connecté
device-denied-lead = Vous pouvez fermer cette fenêtre.
scope-openid = Confirmer votre identité
scope-profile = Voir votre nom et votre nom d’utilisateur
scope-email = Voir votre adresse e-mail
scope-phone = Voir votre numéro de téléphone
scope-offline_access = Garder l’accès lorsque vous ne l’utilisez pas
scope-other = Utiliser l’autorisation « { $scope } »
logout-title = Se déconnecter ?
logout-asking-named = { $app } vous demande de vous déconnecter.
logout-asking = Une application vous demande de vous déconnecter.
logout-lead = Vous serez déconnecté de ce navigateur.
signed-out-title = Déconnecté
signed-out-heading = Vous êtes déconnecté
signed-out-lead = Vous pouvez fermer cette fenêtre.
returning-title = Retour à l’application
returning-heading = Retour à l’application…
error-page-title = Une erreur s’est produite
error-page-heading = Impossible de continuer
error-page-lead = Revenez à l’application d’où vous venez et réessayez. Si le problème persiste, transmettez le contenu de cette page à l’équipe d’assistance de l’application.
error-unavailable = Un service dont nous dépendons ne répond pas. Veuillez réessayer dans un instant.
error-unexpected = Une erreur s’est produite de notre côté ; elle a été enregistrée. Veuillez réessayer.
link-incomplete = Ce lien est incomplet.
form-incomplete = Ce formulaire est incomplet.
bad-return-address = L’adresse de retour de l’application n’est pas valide.

## E-mails et SMS

purpose-sign-in = vous connecter
purpose-sign-up = créer un compte
purpose-reset-password = réinitialiser votre mot de passe
purpose-add-to-account = ajouter cette adresse à votre compte
email-code-subject = { $code } est votre code de vérification { $app }
email-code-body =
    { $code } est votre code de vérification { $app }.

    Saisissez-le sur la page qui vous l’a demandé. Il expire dans { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.

    Si vous n’avez pas essayé de { $purpose }, vous pouvez ignorer ce message : rien ne se passe sans le code.
email-link-subject = Votre lien de connexion { $app }
email-link-body =
    Ouvrez ce lien pour { $purpose } sur { $app } :

    { $link }

    Il fonctionne une fois et expire dans { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.

    Si vous n’avez pas essayé de { $purpose }, vous pouvez ignorer ce message : rien ne se passe tant que le lien n’est pas ouvert.
sms-code = { $code } est votre code de vérification { $app }. Il expire dans { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
email-invitation-subject = Vous êtes invité sur { $app }
email-invitation-body =
    Vous êtes invité à créer un compte sur { $app }.

    Ouvrez ce lien pour vous inscrire :

    { $link }

    Il fonctionne une fois et expire dans { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }. Inscrivez-vous avec cette adresse e-mail.

    Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.
email-org-invitation-subject = Vous êtes invité à rejoindre { $organization } sur { $app }
email-org-invitation-body =
    { $inviter } vous a invité à rejoindre { $organization } sur { $app }.

    Ouvrez ce lien pour accepter :

    { $link }

    Il fonctionne une fois et expire dans { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }. Si vous n’avez pas encore de compte, vous pouvez en créer un avec cette adresse e-mail.

    Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Bonjour,

    { $what } sur votre compte { $app } le { $when } (UTC).

    Si c’était vous, vous n’avez rien à faire.

    Si ce n’était pas vous, réinitialisez votre mot de passe dès maintenant et vérifiez les méthodes de connexion sur la page de votre compte : quelqu’un d’autre y a peut-être accès.

    — { $app }
notice-password-changed = Votre mot de passe a été modifié
notice-password-reset = Votre mot de passe a été réinitialisé
notice-totp-enabled = Une application d’authentification a été activée
notice-totp-removed = Une application d’authentification a été supprimée
notice-backup-codes = De nouveaux codes de secours ont été créés
notice-passkey-added = Une clé d’accès a été ajoutée
notice-passkey-removed = Une clé d’accès a été supprimée
notice-phone-2fa-on = Un numéro de téléphone a été activé pour la validation en deux étapes
notice-phone-2fa-off = Un numéro de téléphone a été désactivé pour la validation en deux étapes
notice-sign-up-attempt = Quelqu’un a essayé de créer un compte avec cette adresse e-mail

## Erreurs

field-email_address = adresse e-mail
field-phone_number = numéro de téléphone
field-username = nom d’utilisateur
field-password = mot de passe
field-new_password = nouveau mot de passe
field-current_password = mot de passe actuel
field-first_name = prénom
field-last_name = nom
field-identifier = identifiant
field-code = code
field-name = nom
field-slug = identifiant
field-legal_accepted = acceptation des conditions
field-other = { $param }

error-form_identifier_not_found = Compte introuvable
    .long = Aucun compte ne correspond à cet identifiant.
error-form_password_incorrect = Mot de passe incorrect
    .long = Le mot de passe est incorrect. Réessayez ou utilisez une autre méthode.
error-form_code_incorrect = Code incorrect
    .long = Le code saisi est incorrect. Vérifiez-le et réessayez.
error-form_identifier_exists = Identifiant déjà utilisé
    .long = Ce champ ({ $field }) est déjà utilisé. Essayez-en un autre ou connectez-vous.
error-form_param_missing = { $field } manquant
    .long = Saisissez votre { $field }.
error-form_param_format_invalid = Non valide
    .long = Le champ { $field } n’est pas valide. Vérifiez-le et réessayez.
error-form_param_unknown = Inconnu
    .long = { $field } n’est pas un paramètre reconnu pour cette requête.
error-form_param_value_invalid = Non valide
    .long = Le champ { $field } n’est pas valide.
error-form_password_length_too_short = Mot de passe trop court
    .long = Le mot de passe doit comporter au moins { $min } caractères.
error-form_password_length_too_long = Mot de passe trop long
    .long = Le mot de passe doit comporter au plus { $max } caractères.
error-form_password_not_strong_enough = Mot de passe trop faible
    .long = Choisissez un mot de passe plus long et plus difficile à deviner.
error-form_password_pwned = Mot de passe compromis
    .long = Ce mot de passe est apparu dans une fuite de données ou fait partie des plus courants. Choisissez-en un autre.
error-form_username_invalid_length = Longueur du nom d’utilisateur incorrecte
    .long = Le nom d’utilisateur doit comporter entre { $min } et { $max } caractères.
error-form_username_invalid_character = Caractères non autorisés dans le nom d’utilisateur
    .long = Le nom d’utilisateur ne peut contenir que des lettres, des chiffres, « _ » et « - ».
error-verification_expired = Expiré
    .long = Cette vérification a expiré. Demandez un nouveau code.
error-verification_failed = Trop de tentatives
    .long = Vous avez fait trop de tentatives avec ce code. Demandez-en un nouveau.
error-verification_missing = Pas encore vérifié
    .long = Vérifiez d’abord cet élément, puis continuez.
error-verification_not_sent = Rien n’a encore été envoyé
    .long = Demandez d’abord un code.
error-verification_already_verified = Déjà vérifié
    .long = Cet élément a déjà été vérifié.
error-verification_strategy_invalid = Méthode non autorisée
    .long = Cette méthode ne peut pas être utilisée ici.
error-strategy_for_user_invalid = Méthode indisponible
    .long = Cette méthode n’est pas disponible pour votre compte.
error-no_second_factors = Aucun second facteur
    .long = Ce compte n’a aucun second facteur à vérifier.
error-session_exists = Déjà connecté
    .long = Vous êtes déjà connecté.
error-client_state_invalid = Impossible de continuer
    .long = Cette étape ne peut pas être effectuée maintenant. Recommencez.
error-client_mismatch = Autre navigateur
    .long = Cette opération a commencé dans un autre navigateur. Continuez-la là-bas ou recommencez ici.
error-account_transfer_invalid = Transfert impossible
    .long = Il n’y a aucun compte à transférer. Recommencez.
error-authentication_invalid = Non connecté
    .long = Connectez-vous pour continuer.
error-clerk_key_invalid = Clé non valide
    .long = La clé n’est pas valide.
error-sign_up_mode_restricted = Inscriptions restreintes
    .long = Les inscriptions se font ici uniquement sur invitation.
error-not_allowed_access = Accès non autorisé
    .long = Cet identifiant n’est pas autorisé à s’inscrire ou à se connecter ici.
error-user_locked = Compte verrouillé
    .long = Ce compte est verrouillé après trop de tentatives infructueuses. Réessayez plus tard.
error-user_banned = Compte banni
    .long = Ce compte a été banni.
error-resource_not_found = Introuvable
    .long = L’élément demandé est introuvable.
error-external_account_not_found = Aucun compte associé
    .long = Aucun compte ici n’est associé à ce compte du fournisseur.
error-external_account_exists = Déjà connecté
    .long = Ce compte est déjà associé à un autre utilisateur.
error-oauth_access_denied = Accès refusé
    .long = Le fournisseur n’a pas autorisé la connexion.
error-oauth_callback_invalid = Connexion non terminée
    .long = La réponse du fournisseur n’est pas valide. Réessayez.
error-oauth_provider_error = Erreur du fournisseur
    .long = Le fournisseur n’a pas pu terminer la connexion. Réessayez plus tard.
error-too_many_requests = Trop de requêtes
    .long = Trop de tentatives en peu de temps. Réessayez dans { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } secondes
    }.
error-verification_code_too_many_requests = Trop de codes
    .long = Trop de codes ont été demandés. Patientez un peu avant d’en demander un autre.
error-request_body_invalid = Requête non valide
    .long = La requête n’a pas pu être lue.
error-request_body_too_large = Requête trop volumineuse
    .long = La requête est trop volumineuse.
error-origin_invalid = Origine non autorisée
    .long = Cette requête provient d’un site non autorisé.
error-session_reverification_required = Confirmez votre identité
    .long = Cette modification nécessite une connexion récente. Vérifiez de nouveau votre identité pour continuer.
error-organization_not_enabled_in_instance = Organisations désactivées
    .long = Les organisations ne sont pas activées ici.
error-organization_not_found = Organisation introuvable
    .long = Cette organisation est introuvable.
error-already_a_member_in_organization = Déjà membre
    .long = Cette personne est déjà membre de l’organisation.
error-organization_membership_quota_exceeded = Organisation complète
    .long = Cette organisation a atteint son nombre maximal de membres.
error-organization_minimum_permissions_needed = Autorisation requise
    .long = Vous n’avez pas l’autorisation de faire cela dans l’organisation.
error-organization_quota_exceeded = Trop d’organisations
    .long = Vous avez atteint le nombre maximal d’organisations.
error-service_unavailable = Service temporairement indisponible
    .long = Un service dont nous dépendons ne répond pas. Réessayez dans un instant.
error-internal_error = Une erreur s’est produite
    .long = Une erreur s’est produite de notre côté ; elle a été enregistrée. Veuillez réessayer.
