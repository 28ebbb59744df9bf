# Mensagens do Portcullis em português do Brasil. Referência: en.ftl (mesmos IDs e variáveis).

## O idioma

language-name = Português (Brasil)
language-picker-label = Idioma
language-picker-button = Alterar
continue-to-app = para continuar em { $app }

## Páginas hospedadas

sign-in-title = Entrar
sign-in-lead = Que bom ver você de novo. Informe seus dados para continuar.
or = {" "}ou{" "}
continue-button = Continuar
no-account = Ainda não tem conta?
sign-up-link = Cadastre-se
password-label = Senha
factor-password-title = Digite sua senha
factor-code-title = Confira suas mensagens
code-sent-to = Enviamos um código de seis dígitos para
code-label = Código de verificação
resend-button = Enviar um novo código
other-methods = Usar outro método
use-password = Usar sua senha
email-code-to = Enviar um código por e-mail para
text-code-to = Enviar um código por SMS para
start-over = Usar outra conta
sign-up-title = Crie sua conta
sign-up-lead = Leva só um minuto.
email-label = Endereço de e-mail
phone-label = Número de telefone
phone-hint = No formato internacional, começando com +
username-label = Nome de usuário
first-name-label = Nome
last-name-label = Sobrenome
new-password-label = Senha
legal-label = Aceito os termos de serviço e a política de privacidade
optional = opcional
have-account = Já tem uma conta?
sign-in-link = Entrar
verify-email-title = Confirme seu endereço de e-mail
verify-phone-title = Confirme seu número de telefone
verify-button = Confirmar
continue-title = Só mais alguns dados
sign-out-title = Sair?
sign-out-lead = Você vai sair de todas as contas deste navegador.
sign-out-button = Sair
signed-out = Você saiu.
account-title = Sua conta
emails-heading = Endereços de e-mail
phones-heading = Números de telefone
apps-heading = Apps que você autorizou
remove-access = Remover acesso
forgot-password = Esqueceu a senha?
reset-title = Escolha uma nova senha
sign-out-others-label = Sair de todos os outros dispositivos
reauth-note = O aplicativo pede que você entre novamente.
form-expired = Este formulário expirou. Tente novamente.
wallet-sign-in = Continuar com uma carteira
passkey-sign-in = Entrar com uma chave de acesso
passkeys-heading = Chaves de acesso
passkey-add = Adicionar uma chave de acesso
email-link-to = Enviar um link de acesso para
link-sent-to = Enviamos um link de acesso para
link-lead = Abra-o neste dispositivo para continuar. Ele funciona uma vez, por dez minutos.
resend-link = Enviar um novo link
continue-with = Continuar com
or-divider = ou
connected-heading = Contas conectadas
connect-button = Conectar
disconnect-button = Desconectar
link-failed = Essa conta já está conectada a outro usuário.
link-denied = A conexão não foi concluída.
factor-two-title = Verificação em duas etapas
totp-lead = Digite o código de seis dígitos do seu app autenticador.
backup-code-lead = Digite um dos seus códigos de backup.
backup-code-label = Código de backup
use-totp = Usar seu app autenticador
use-backup-code = Usar um código de backup
security-heading = Verificação em duas etapas
totp-on = App autenticador: ativado
set-up-totp = Configurar um app autenticador
remove-totp = Remover o app autenticador
new-backup-codes = Criar novos códigos de backup
totp-setup-title = Configure seu app autenticador
totp-setup-lead = Escaneie este QR code com seu app autenticador ou digite a chave nele. Depois, informe o código de seis dígitos que o app mostra.
secret-label = Chave
backup-codes-title = Seus códigos de backup
backup-codes-lead = Guarde-os em um lugar seguro. Se você perder seu app autenticador, cada código permite entrar uma vez. Eles não serão mostrados novamente.
done-button = Concluir
orgs-title = Organizações
orgs-none = Você ainda não faz parte de nenhuma organização.
acting-for = Agindo por
personal-account = Conta pessoal
no-org-chosen = Nenhuma organização ainda
choose-org-task = Escolha uma organização para continuar: mude para uma das suas, aceite um convite ou crie uma.
switch-button = Mudar para
manage-link = Gerenciar
create-org-heading = Criar uma organização
org-name-label = Nome
org-slug-label = Slug (opcional)
create-button = Criar
org-invitations-heading = Convites para você
accept-button = Aceitar
members-heading = Membros
role-label = Função
change-role-button = Alterar função
invite-heading = Convidar alguém
invite-button = Enviar convite
pending-heading = Convites pendentes
revoke-button = Revogar
leave-button = Sair da organização
org-profile-heading = Perfil
delete-org-heading = Excluir organização
delete-org-confirm = Entendo que isso exclui a organização para todos os membros.
delete-org-button = Excluir organização
invitation-title = Você recebeu um convite
ticket-lead = Este link faz você entrar como
invited-to = foi convidado para participar de
as-role = como
join-button = Participar
sign-in-to-accept = Entre para aceitar
sign-up-to-accept = Criar uma conta com este endereço
back-to-orgs = Todas as organizações
you = você
mfa-required-title = Proteja sua conta
mfa-required-lead = A verificação em duas etapas é obrigatória aqui. Configure-a para terminar de entrar.
password-heading = Senha
current-password-label = Senha atual
change-password-button = Alterar senha
set-password-button = Definir uma senha
password-changed = Sua senha foi alterada.
add-email-label = Adicionar um endereço de e-mail
add-phone-label = Adicionar um número de telefone
add-button = Adicionar
unverified = não confirmado
primary = principal
remove-button = Remover
verify-now = Confirmar
use-for-2fa = Usar na verificação em duas etapas
stop-2fa = Parar de usar na verificação em duas etapas
used-for-2fa = usado na verificação em duas etapas
devices-heading = Onde você está conectado
this-session = este navegador
sign-out-device = Sair
verify-code-title = Digite o código
profile-heading = Perfil
save-button = Salvar
cancel-button = Cancelar
reverify-title = Confirme que é você
reverify-lead = Esta alteração exige um acesso recente. Confirme novamente para continuar.
reverified = Confirmado. Agora você pode fazer a alteração.
delete-account-heading = Excluir conta
delete-account-lead = Excluir sua conta remove seu perfil, seus métodos de acesso e suas sessões. Isso não pode ser desfeito.
delete-account-button = Excluir minha conta
no-way-to-sign-in = Esta conta não tem como entrar aqui.
method-not-available = Esse método não está disponível.
last-method = Esta é sua única forma de entrar. Defina uma senha ou adicione outro método primeiro.
orgs-disabled = As organizações não estão ativadas nesta instância.
org-joined = Você entrou na organização.
org-left = Você saiu da organização.
org-deleted = A organização foi excluída.
saved = Salvo.
org-delete-tick = Marque a caixa para confirmar a exclusão da organização.
backup-codes-remaining = { $count ->
    [one] { $count } código de backup restante
   *[other] { $count } códigos de backup restantes
}

## Páginas do provedor OpenID

consent-title = Permitir { $app }?
consent-heading = Permitir que { $app } use sua conta?
consent-asking = { $app } está pedindo para:
consent-withdraw = Você pode retirar essa permissão depois nas configurações da sua conta.
consent-allow = Permitir
consent-deny = Negar
device-title = Conectar um dispositivo
device-lead = Digite o código exibido no seu dispositivo.
device-code-label = Código
device-code-unknown = Esse código não é válido ou expirou. Confira o código no seu dispositivo e tente novamente.
device-confirm-heading = Conectar { $app }?
device-check-code = Só continue se você iniciou isso em um dispositivo seu e ele mostra este código:
device-allow = Conectar
device-deny = Não conectar
device-approved-heading = Seu dispositivo está conectado
device-approved-lead = Você já pode voltar ao seu dispositivo.
device-denied-heading = O dispositivo não foi conectado
device-denied-lead = Você pode fechar esta janela.
scope-openid = Confirmar quem você é
scope-profile = Ver seu nome e nome de usuário
scope-email = Ver seu endereço de e-mail
scope-phone = Ver seu número de telefone
scope-offline_access = Manter o acesso enquanto você não estiver usando
scope-other = Usar a permissão “{ $scope }”
logout-title = Sair?
logout-asking-named = { $app } está pedindo que você saia.
logout-asking = Um aplicativo está pedindo que você saia.
logout-lead = Você vai sair deste navegador.
signed-out-title = Você saiu
signed-out-heading = Você saiu
signed-out-lead = Você pode fechar esta janela.
returning-title = Voltando ao aplicativo
returning-heading = Voltando ao aplicativo…
error-page-title = Algo deu errado
error-page-heading = Não foi possível continuar
error-page-lead = Volte ao aplicativo de onde você veio e tente novamente. Se isso continuar acontecendo, informe à equipe de suporte do aplicativo o que esta página diz.
error-unavailable = Um serviço do qual dependemos não está respondendo. Tente novamente em instantes.
error-unexpected = Algo deu errado do nosso lado; isso foi registrado. Tente novamente.
link-incomplete = Este link está incompleto.
form-incomplete = Este formulário está incompleto.
bad-return-address = O endereço de retorno do aplicativo não é válido.

## E-mails e SMS

purpose-sign-in = entrar
purpose-sign-up = se cadastrar
purpose-reset-password = redefinir sua senha
purpose-add-to-account = adicionar este endereço à sua conta
email-code-subject = { $code } é seu código de verificação do { $app }
email-code-body =
    { $code } é seu código de verificação do { $app }.

    Digite-o na página que o pediu. Ele expira em { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.

    Se você não tentou { $purpose }, pode ignorar esta mensagem: nada acontece sem o código.
email-link-subject = Seu link de acesso ao { $app }
email-link-body =
    Abra este link para { $purpose } no { $app }:

    { $link }

    Ele funciona uma vez e expira em { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.

    Se você não tentou { $purpose }, pode ignorar esta mensagem: nada acontece se o link não for aberto.
sms-code = { $code } é seu código de verificação do { $app }. Ele expira em { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }.
email-invitation-subject = Você foi convidado para o { $app }
email-invitation-body =
    Você foi convidado para criar uma conta no { $app }.

    Abra este link para se cadastrar:

    { $link }

    Ele funciona uma vez e expira em { $days ->
        [one] { $days } dia
       *[other] { $days } dias
    }. Cadastre-se com este endereço de e-mail.

    Se você não esperava este convite, pode ignorar esta mensagem.
email-org-invitation-subject = Você foi convidado para participar de { $organization } no { $app }
email-org-invitation-body =
    { $inviter } convidou você para participar de { $organization } no { $app }.

    Abra este link para aceitar:

    { $link }

    Ele funciona uma vez e expira em { $days ->
        [one] { $days } dia
       *[other] { $days } dias
    }. Se você ainda não tem uma conta, pode criar uma com este endereço de e-mail.

    Se você não esperava este convite, pode ignorar esta mensagem.
email-notice-subject = { $app } — { $what }
email-notice-body =
    Olá,

    { $what } na sua conta do { $app } em { $when } (UTC).

    Se foi você, não é preciso fazer nada.

    Se não foi você, redefina sua senha agora e confira os métodos de acesso na página da sua conta: outra pessoa pode ter acesso a ela.

    — { $app }
notice-password-changed = Sua senha foi alterada
notice-password-reset = Sua senha foi redefinida
notice-totp-enabled = Um app autenticador foi ativado
notice-totp-removed = Um app autenticador foi removido
notice-backup-codes = Novos códigos de backup foram criados
notice-passkey-added = Uma chave de acesso foi adicionada
notice-passkey-removed = Uma chave de acesso foi removida
notice-phone-2fa-on = Um número de telefone foi ativado para a verificação em duas etapas
notice-phone-2fa-off = Um número de telefone foi desativado para a verificação em duas etapas
notice-sign-up-attempt = Alguém tentou se cadastrar com este endereço de e-mail

## Erros

field-email_address = endereço de e-mail
field-phone_number = número de telefone
field-username = nome de usuário
field-password = senha
field-new_password = nova senha
field-current_password = senha atual
field-first_name = nome
field-last_name = sobrenome
field-identifier = identificador
field-code = código
field-name = nome
field-slug = slug
field-legal_accepted = aceite dos termos
field-other = { $param }

error-form_identifier_not_found = Não encontramos sua conta
    .long = Nenhuma conta corresponde a esse identificador.
error-form_password_incorrect = Senha incorreta
    .long = A senha está incorreta. Tente novamente ou use outro método.
error-form_code_incorrect = Código incorreto
    .long = O código que você digitou está incorreto. Confira e tente novamente.
error-form_identifier_exists = Já está em uso
    .long = Esse dado ({ $field }) já está em uso. Tente outro ou entre.
error-form_param_missing = Falta: { $field }
    .long = Informe: { $field }.
error-form_param_format_invalid = Inválido
    .long = O campo { $field } não é válido. Confira e tente novamente.
error-form_param_unknown = Desconhecido
    .long = { $field } não é um parâmetro reconhecido para esta solicitação.
error-form_param_value_invalid = Inválido
    .long = O campo { $field } não é válido.
error-form_password_length_too_short = Senha muito curta
    .long = A senha deve ter { $min } caracteres ou mais.
error-form_password_length_too_long = Senha muito longa
    .long = A senha deve ter { $max } caracteres ou menos.
error-form_password_not_strong_enough = Senha fraca demais
    .long = Escolha uma senha mais longa e mais difícil de adivinhar.
error-form_password_pwned = Senha vazada
    .long = Esta senha apareceu em um vazamento de dados ou está entre as mais comuns. Escolha outra.
error-form_username_invalid_length = Tamanho do nome de usuário inválido
    .long = O nome de usuário deve ter entre { $min } e { $max } caracteres.
error-form_username_invalid_character = O nome de usuário tem caracteres não permitidos
    .long = O nome de usuário só pode conter letras, números, “_” e “-”.
error-verification_expired = Expirado
    .long = Esta verificação expirou. Peça um novo código.
error-verification_failed = Tentativas demais
    .long = Você fez tentativas demais com este código. Peça um novo.
error-verification_missing = Ainda não confirmado
    .long = Confirme isto primeiro e depois continue.
error-verification_not_sent = Nada foi enviado ainda
    .long = Peça um código primeiro.
error-verification_already_verified = Já confirmado
    .long = Isto já foi confirmado.
error-verification_strategy_invalid = Método não permitido
    .long = Este método não pode ser usado aqui.
error-strategy_for_user_invalid = Método indisponível
    .long = Este método não está disponível para sua conta.
error-no_second_factors = Sem segundo fator
    .long = Esta conta não tem um segundo fator para verificar.
error-session_exists = Você já entrou
    .long = Você já está conectado.
error-client_state_invalid = Não é possível continuar
    .long = Esta etapa não pode ser feita agora. Comece de novo.
error-client_mismatch = Outro navegador
    .long = Isto foi iniciado em outro navegador. Continue lá ou comece de novo aqui.
error-account_transfer_invalid = Não é possível transferir
    .long = Não há conta para transferir. Comece de novo.
error-authentication_invalid = Não conectado
    .long = Entre para continuar.
error-clerk_key_invalid = Chave inválida
    .long = A chave não é válida.
error-sign_up_mode_restricted = Cadastros restritos
    .long = Os cadastros aqui são apenas por convite.
error-not_allowed_access = Acesso não permitido
    .long = Este identificador não pode se cadastrar nem entrar aqui.
error-user_locked = Conta bloqueada
    .long = Esta conta está bloqueada após tentativas malsucedidas demais. Tente mais tarde.
error-user_banned = Conta banida
    .long = Esta conta foi banida.
error-resource_not_found = Não encontrado
    .long = O que você pediu não foi encontrado.
error-external_account_not_found = Nenhuma conta vinculada
    .long = Nenhuma conta aqui está vinculada a essa conta do provedor.
error-external_account_exists = Já conectada
    .long = Essa conta já está conectada a outro usuário.
error-oauth_access_denied = Acesso negado
    .long = O provedor não permitiu o acesso.
error-oauth_callback_invalid = Acesso não concluído
    .long = A resposta do provedor não era válida. Tente novamente.
error-oauth_provider_error = Erro do provedor
    .long = O provedor não conseguiu concluir o acesso. Tente mais tarde.
error-too_many_requests = Solicitações demais
    .long = Tentativas demais em pouco tempo. Tente novamente em { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    }.
error-verification_code_too_many_requests = Códigos demais
    .long = Foram pedidos códigos demais. Aguarde um pouco antes de pedir outro.
error-request_body_invalid = Solicitação inválida
    .long = Não foi possível ler a solicitação.
error-request_body_too_large = Solicitação grande demais
    .long = A solicitação é grande demais.
error-origin_invalid = Origem não permitida
    .long = Esta solicitação veio de um site não permitido.
error-session_reverification_required = Confirme que é você
    .long = Esta alteração exige um acesso recente. Confirme novamente para continuar.
error-organization_not_enabled_in_instance = Organizações desativadas
    .long = As organizações não estão ativadas aqui.
error-organization_not_found = Organização não encontrada
    .long = Essa organização não foi encontrada.
error-already_a_member_in_organization = Já é membro
    .long = Esta pessoa já é membro da organização.
error-organization_membership_quota_exceeded = Organização cheia
    .long = Esta organização atingiu o limite de membros.
error-organization_minimum_permissions_needed = Permissão necessária
    .long = Você não tem permissão para fazer isso na organização.
error-organization_quota_exceeded = Organizações demais
    .long = Você atingiu o limite de organizações.
error-service_unavailable = Serviço temporariamente indisponível
    .long = Um serviço do qual dependemos não está respondendo. Tente novamente em instantes.
error-internal_error = Algo deu errado
    .long = Algo deu errado do nosso lado; isso foi registrado. Tente novamente.
