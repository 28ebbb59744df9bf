# Mensajes de Portcullis en español. Referencia: en.ftl (mismos identificadores y variables).

## El idioma

language-name = Español
language-picker-label = Idioma
language-picker-button = Cambiar
continue-to-app = para continuar en { $app }

## Páginas alojadas

sign-in-title = Iniciar sesión
sign-in-lead = Te damos la bienvenida de nuevo. Introduce tus datos para continuar.
or = {" "}o{" "}
continue-button = Continuar
no-account = ¿Aún no tienes cuenta?
sign-up-link = Regístrate
password-label = Contraseña
factor-password-title = Introduce tu contraseña
factor-code-title = Revisa tus mensajes
code-sent-to = Hemos enviado un código de seis dígitos a
code-label = Código de verificación
resend-button = Enviar un código nuevo
other-methods = Usar otro método
use-password = Usar tu contraseña
email-code-to = Enviar un código por correo a
text-code-to = Enviar un código por SMS a
start-over = Usar otra cuenta
sign-up-title = Crea tu cuenta
sign-up-lead = Solo lleva un minuto.
email-label = Correo electrónico
phone-label = Número de teléfono
phone-hint = En formato internacional, empezando por +
username-label = Nombre de usuario
first-name-label = Nombre
last-name-label = Apellidos
new-password-label = Contraseña
legal-label = Acepto las condiciones del servicio y la política de privacidad
optional = opcional
have-account = ¿Ya tienes una cuenta?
sign-in-link = Inicia sesión
verify-email-title = Verifica tu correo electrónico
verify-phone-title = Verifica tu número de teléfono
verify-button = Verificar
continue-title = Unos datos más
sign-out-title = ¿Cerrar sesión?
sign-out-lead = Se cerrará la sesión de todas las cuentas de este navegador.
sign-out-button = Cerrar sesión
signed-out = Has cerrado la sesión.
account-title = Tu cuenta
emails-heading = Correos electrónicos
phones-heading = Números de teléfono
apps-heading = Aplicaciones autorizadas
remove-access = Quitar el acceso
forgot-password = ¿Has olvidado tu contraseña?
reset-title = Elige una contraseña nueva
sign-out-others-label = Cerrar sesión en todos los demás dispositivos
reauth-note = La aplicación te pide que vuelvas a iniciar sesión.
form-expired = Este formulario ha caducado. Inténtalo de nuevo.
wallet-sign-in = Continuar con una cartera
passkey-sign-in = Iniciar sesión con una llave de acceso
passkeys-heading = Llaves de acceso
passkey-add = Añadir una llave de acceso
email-link-to = Enviar un enlace de acceso a
link-sent-to = Hemos enviado un enlace de acceso a
link-lead = Ábrelo en este dispositivo para continuar. Funciona una vez, durante diez minutos.
resend-link = Enviar un enlace nuevo
continue-with = Continuar con
or-divider = o
connected-heading = Cuentas conectadas
connect-button = Conectar
disconnect-button = Desconectar
link-failed = Esa cuenta ya está conectada a otro usuario.
link-denied = La conexión no se completó.
factor-two-title = Verificación en dos pasos
totp-lead = Introduce el código de seis dígitos de tu aplicación de autenticación.
backup-code-lead = Introduce uno de tus códigos de respaldo.
backup-code-label = Código de respaldo
use-totp = Usar tu aplicación de autenticación
use-backup-code = Usar un código de respaldo
security-heading = Verificación en dos pasos
totp-on = Aplicación de autenticación: activada
set-up-totp = Configurar una aplicación de autenticación
remove-totp = Quitar la aplicación de autenticación
new-backup-codes = Crear códigos de respaldo nuevos
totp-setup-title = Configura tu aplicación de autenticación
totp-setup-lead = Escanea este código QR con tu aplicación de autenticación o escribe la clave en ella. Después introduce el código de seis dígitos que muestra la aplicación.
secret-label = Clave
backup-codes-title = Tus códigos de respaldo
backup-codes-lead = Guárdalos en un lugar seguro. Si pierdes tu aplicación de autenticación, cada código te permite iniciar sesión una vez. No se volverán a mostrar.
done-button = Listo
orgs-title = Organizaciones
orgs-none = Todavía no perteneces a ninguna organización.
acting-for = Actuando en nombre de
personal-account = Cuenta personal
no-org-chosen = Aún sin organización
choose-org-task = Elige una organización para continuar: cambia a una de las tuyas, acepta una invitación o crea una.
switch-button = Cambiar a
manage-link = Gestionar
create-org-heading = Crear una organización
org-name-label = Nombre
org-slug-label = Identificador (opcional)
create-button = Crear
org-invitations-heading = Invitaciones para ti
accept-button = Aceptar
members-heading = Miembros
role-label = Rol
change-role-button = Cambiar el rol
invite-heading = Invitar a alguien
invite-button = Enviar invitación
pending-heading = Invitaciones pendientes
revoke-button = Revocar
leave-button = Salir de la organización
org-profile-heading = Perfil
delete-org-heading = Eliminar la organización
delete-org-confirm = Entiendo que esto elimina la organización para todos sus miembros.
delete-org-button = Eliminar la organización
invitation-title = Tienes una invitación
ticket-lead = Este enlace inicia tu sesión como
invited-to = está invitado a unirse a
as-role = como
join-button = Unirse
sign-in-to-accept = Inicia sesión para aceptar
sign-up-to-accept = Crear una cuenta con esta dirección
back-to-orgs = Todas las organizaciones
you = tú
mfa-required-title = Protege tu cuenta
mfa-required-lead = Aquí la verificación en dos pasos es obligatoria. Configúrala para terminar de iniciar sesión.
password-heading = Contraseña
current-password-label = Contraseña actual
change-password-button = Cambiar la contraseña
set-password-button = Establecer una contraseña
password-changed = Tu contraseña se ha cambiado.
add-email-label = Añadir un correo electrónico
add-phone-label = Añadir un número de teléfono
add-button = Añadir
unverified = sin verificar
primary = principal
remove-button = Quitar
verify-now = Verificar
use-for-2fa = Usar para la verificación en dos pasos
stop-2fa = Dejar de usar para la verificación en dos pasos
used-for-2fa = se usa para la verificación en dos pasos
devices-heading = Dónde tienes la sesión iniciada
this-session = este navegador
sign-out-device = Cerrar sesión
verify-code-title = Introduce el código
profile-heading = Perfil
save-button = Guardar
cancel-button = Cancelar
reverify-title = Confirma que eres tú
reverify-lead = Este cambio requiere un inicio de sesión reciente. Verifícate de nuevo para continuar.
reverified = Verificado. Ya puedes hacer el cambio.
delete-account-heading = Eliminar la cuenta
delete-account-lead = Al eliminar tu cuenta se borran tu perfil, tus métodos de acceso y tus sesiones. No se puede deshacer.
delete-account-button = Eliminar mi cuenta
no-way-to-sign-in = Esta cuenta no tiene ninguna forma de iniciar sesión aquí.
method-not-available = Ese método no está disponible.
last-method = Es tu única forma de iniciar sesión. Primero establece una contraseña o añade otro método.
orgs-disabled = Las organizaciones no están activadas en esta instancia.
org-joined = Te has unido a la organización.
org-left = Has salido de la organización.
org-deleted = La organización se ha eliminado.
saved = Guardado.
org-delete-tick = Marca la casilla para confirmar que quieres eliminar la organización.
backup-codes-remaining = { $count ->
    [one] Queda { $count } código de respaldo
   *[other] Quedan { $count } códigos de respaldo
}

## Páginas del proveedor OpenID

consent-title = ¿Permitir { $app }?
consent-heading = ¿Permitir que { $app } use tu cuenta?
consent-asking = { $app } solicita:
consent-withdraw = Puedes retirar este permiso más adelante en la configuración de tu cuenta.
consent-allow = Permitir
consent-deny = Denegar
device-title = Conectar un dispositivo
device-lead = Introduce el código que muestra tu dispositivo.
device-code-label = Código
device-code-unknown = Ese código no es válido o ha caducado. Comprueba el código en tu dispositivo e inténtalo de nuevo.
device-confirm-heading = ¿Conectar { $app }?
device-check-code = Continúa solo si iniciaste esto en un dispositivo tuyo y muestra este código:
device-allow = Conectar
device-deny = No conectar
device-approved-heading = Tu dispositivo está conectado
device-approved-lead = Ya puedes volver a tu dispositivo.
device-denied-heading = El dispositivo no se ha conectado
device-denied-lead = Puedes cerrar esta ventana.
scope-openid = Confirmar quién eres
scope-profile = Ver tu nombre y nombre de usuario
scope-email = Ver tu correo electrónico
scope-phone = Ver tu número de teléfono
scope-offline_access = Mantener el acceso cuando no la estés usando
scope-other = Usar el permiso «{ $scope }»
logout-title = ¿Cerrar sesión?
logout-asking-named = { $app } te pide que cierres la sesión.
logout-asking = Una aplicación te pide que cierres la sesión.
logout-lead = Se cerrará la sesión en este navegador.
signed-out-title = Sesión cerrada
signed-out-heading = Has cerrado la sesión
signed-out-lead = Ya puedes cerrar esta ventana.
returning-title = Volviendo a la aplicación
returning-heading = Volviendo a la aplicación…
error-page-title = Algo ha salido mal
error-page-heading = No hemos podido continuar
error-page-lead = Vuelve a la aplicación de la que vienes e inténtalo de nuevo. Si sigue ocurriendo, comunica al equipo de soporte de la aplicación lo que dice esta página.
error-unavailable = Un servicio del que dependemos no responde. Inténtalo de nuevo en un momento.
error-unexpected = Algo ha fallado por nuestra parte y ha quedado registrado. Inténtalo de nuevo.
link-incomplete = Este enlace está incompleto.
form-incomplete = Este formulario está incompleto.
bad-return-address = La dirección de retorno de la aplicación no es válida.

## Correos y SMS

purpose-sign-in = iniciar sesión
purpose-sign-up = registrarte
purpose-reset-password = restablecer tu contraseña
purpose-add-to-account = añadir esta dirección a tu cuenta
email-code-subject = { $code } es tu código de verificación de { $app }
email-code-body =
    { $code } es tu código de verificación de { $app }.

    Introdúcelo en la página que te lo pidió. Caduca en { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.

    Si no has intentado { $purpose }, puedes ignorar este mensaje: no ocurre nada sin el código.
email-link-subject = Tu enlace de acceso a { $app }
email-link-body =
    Abre este enlace para { $purpose } en { $app }:

    { $link }

    Funciona una vez y caduca en { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.

    Si no has intentado { $purpose }, puedes ignorar este mensaje: no ocurre nada si no se abre el enlace.
sms-code = { $code } es tu código de verificación de { $app }. Caduca en { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.
email-invitation-subject = Tienes una invitación a { $app }
email-invitation-body =
    Te han invitado a crear una cuenta en { $app }.

    Abre este enlace para registrarte:

    { $link }

    Funciona una vez y caduca en { $days ->
        [one] { $days } día
       *[other] { $days } días
    }. Regístrate con esta dirección de correo.

    Si no esperabas esta invitación, puedes ignorar este mensaje.
email-org-invitation-subject = Te han invitado a unirte a { $organization } en { $app }
email-org-invitation-body =
    { $inviter } te ha invitado a unirte a { $organization } en { $app }.

    Abre este enlace para aceptar:

    { $link }

    Funciona una vez y caduca en { $days ->
        [one] { $days } día
       *[other] { $days } días
    }. Si aún no tienes cuenta, puedes crear una con esta dirección de correo.

    Si no esperabas esta invitación, puedes ignorar este mensaje.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Hola:

    { $what } en tu cuenta de { $app } el { $when } (UTC).

    Si fuiste tú, no tienes que hacer nada.

    Si no fuiste tú, restablece tu contraseña ahora y revisa los métodos de acceso en la página de tu cuenta: puede que otra persona tenga acceso a ella.

    — { $app }
notice-password-changed = Se ha cambiado tu contraseña
notice-password-reset = Se ha restablecido tu contraseña
notice-totp-enabled = Se ha activado una aplicación de autenticación
notice-totp-removed = Se ha quitado una aplicación de autenticación
notice-backup-codes = Se han creado códigos de respaldo nuevos
notice-passkey-added = Se ha añadido una llave de acceso
notice-passkey-removed = Se ha quitado una llave de acceso
notice-phone-2fa-on = Se ha activado un número de teléfono para la verificación en dos pasos
notice-phone-2fa-off = Se ha desactivado un número de teléfono para la verificación en dos pasos
notice-sign-up-attempt = Alguien ha intentado registrarse con esta dirección de correo

## Errores

field-email_address = correo electrónico
field-phone_number = número de teléfono
field-username = nombre de usuario
field-password = contraseña
field-new_password = contraseña nueva
field-current_password = contraseña actual
field-first_name = nombre
field-last_name = apellidos
field-identifier = identificador
field-code = código
field-name = nombre
field-slug = identificador
field-legal_accepted = aceptación de las condiciones
field-other = { $param }

error-form_identifier_not_found = No encontramos tu cuenta
    .long = Ninguna cuenta coincide con ese identificador.
error-form_password_incorrect = Contraseña incorrecta
    .long = La contraseña es incorrecta. Inténtalo de nuevo o usa otro método.
error-form_code_incorrect = Código incorrecto
    .long = El código que has introducido es incorrecto. Compruébalo e inténtalo de nuevo.
error-form_identifier_exists = Ya está en uso
    .long = Ese dato ({ $field }) ya está en uso. Prueba con otro o inicia sesión.
error-form_param_missing = Falta: { $field }
    .long = Introduce tu { $field }.
error-form_param_format_invalid = No es válido
    .long = El campo { $field } no es válido. Compruébalo e inténtalo de nuevo.
error-form_param_unknown = Desconocido
    .long = { $field } no es un parámetro reconocido para esta solicitud.
error-form_param_value_invalid = No es válido
    .long = El campo { $field } no es válido.
error-form_password_length_too_short = La contraseña es demasiado corta
    .long = Las contraseñas deben tener { $min } caracteres o más.
error-form_password_length_too_long = La contraseña es demasiado larga
    .long = Las contraseñas deben tener { $max } caracteres o menos.
error-form_password_not_strong_enough = La contraseña no es lo bastante segura
    .long = Elige una contraseña más larga y difícil de adivinar.
error-form_password_pwned = Contraseña filtrada
    .long = Esta contraseña ha aparecido en una filtración de datos o es de las más comunes. Elige otra.
error-form_username_invalid_length = Longitud del nombre de usuario incorrecta
    .long = Los nombres de usuario deben tener entre { $min } y { $max } caracteres.
error-form_username_invalid_character = El nombre de usuario tiene caracteres no permitidos
    .long = Los nombres de usuario solo pueden contener letras, dígitos, «_» y «-».
error-verification_expired = Caducado
    .long = Esta verificación ha caducado. Pide un código nuevo.
error-verification_failed = Demasiados intentos fallidos
    .long = Has hecho demasiados intentos con este código. Pide uno nuevo.
error-verification_missing = Aún sin verificar
    .long = Verifica esto primero y después continúa.
error-verification_not_sent = Aún no se ha enviado nada
    .long = Primero pide un código.
error-verification_already_verified = Ya verificado
    .long = Esto ya se ha verificado.
error-verification_strategy_invalid = Método no permitido
    .long = Este método no se puede usar aquí.
error-strategy_for_user_invalid = Método no disponible
    .long = Este método no está disponible para tu cuenta.
error-no_second_factors = Sin segundo factor
    .long = Esta cuenta no tiene ningún segundo factor que verificar.
error-session_exists = Ya has iniciado sesión
    .long = Ya tienes la sesión iniciada.
error-client_state_invalid = No se puede continuar
    .long = Este paso no se puede dar ahora. Empieza de nuevo.
error-client_mismatch = Otro navegador
    .long = Esto se empezó en otro navegador. Continúa allí o empieza de nuevo aquí.
error-account_transfer_invalid = No se puede transferir
    .long = No hay ninguna cuenta que transferir. Empieza de nuevo.
error-authentication_invalid = Sin sesión iniciada
    .long = Inicia sesión para continuar.
error-clerk_key_invalid = Clave no válida
    .long = La clave no es válida.
error-sign_up_mode_restricted = Registro restringido
    .long = Aquí solo es posible registrarse con invitación.
error-not_allowed_access = Acceso no permitido
    .long = Este identificador no puede registrarse ni iniciar sesión aquí.
error-user_locked = Cuenta bloqueada
    .long = Esta cuenta está bloqueada tras demasiados intentos fallidos. Inténtalo más tarde.
error-user_banned = Cuenta vetada
    .long = Esta cuenta ha sido vetada.
error-resource_not_found = No encontrado
    .long = No se ha encontrado lo que buscabas.
error-external_account_not_found = Sin cuenta vinculada
    .long = Ninguna cuenta de aquí está vinculada a esa cuenta del proveedor.
error-external_account_exists = Ya conectada
    .long = Esa cuenta ya está conectada a otro usuario.
error-oauth_access_denied = Acceso denegado
    .long = El proveedor no permitió el inicio de sesión.
error-oauth_callback_invalid = Inicio de sesión sin completar
    .long = La respuesta del proveedor no era válida. Inténtalo de nuevo.
error-oauth_provider_error = Error del proveedor
    .long = El proveedor no pudo completar el inicio de sesión. Inténtalo más tarde.
error-too_many_requests = Demasiadas solicitudes
    .long = Demasiados intentos en poco tiempo. Vuelve a intentarlo en { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    }.
error-verification_code_too_many_requests = Demasiados códigos
    .long = Se han pedido demasiados códigos. Espera un poco antes de pedir otro.
error-request_body_invalid = Solicitud no válida
    .long = No se pudo leer la solicitud.
error-request_body_too_large = Solicitud demasiado grande
    .long = La solicitud es demasiado grande.
error-origin_invalid = Origen no permitido
    .long = Esta solicitud procede de un sitio no permitido.
error-session_reverification_required = Confirma que eres tú
    .long = Este cambio requiere un inicio de sesión reciente. Verifícate de nuevo para continuar.
error-organization_not_enabled_in_instance = Organizaciones desactivadas
    .long = Las organizaciones no están activadas aquí.
error-organization_not_found = Organización no encontrada
    .long = No se ha encontrado esa organización.
error-already_a_member_in_organization = Ya es miembro
    .long = Esta persona ya es miembro de la organización.
error-organization_membership_quota_exceeded = Organización completa
    .long = Esta organización ha alcanzado su límite de miembros.
error-organization_minimum_permissions_needed = Se necesita permiso
    .long = No tienes permiso para hacer esto en la organización.
error-organization_quota_exceeded = Demasiadas organizaciones
    .long = Has alcanzado el límite de organizaciones.
error-service_unavailable = Servicio no disponible temporalmente
    .long = Un servicio del que dependemos no responde. Inténtalo de nuevo en un momento.
error-internal_error = Algo ha salido mal
    .long = Algo ha fallado por nuestra parte y ha quedado registrado. Inténtalo de nuevo.
