# Portcullis 한국어 메시지. 기준: en.ftl(같은 ID, 같은 변수).

## 언어

language-name = 한국어
language-picker-label = 언어
language-picker-button = 변경
continue-to-app = { $app }(으)로 계속하려면

## 호스팅 페이지

sign-in-title = 로그인
sign-in-lead = 다시 오신 것을 환영합니다. 계속하려면 정보를 입력하세요.
or = {" "}또는{" "}
continue-button = 계속
no-account = 아직 계정이 없으신가요?
sign-up-link = 가입하기
password-label = 비밀번호
factor-password-title = 비밀번호를 입력하세요
factor-code-title = 메시지를 확인하세요
code-sent-to = 다음 주소로 6자리 코드를 보냈습니다:
code-label = 인증 코드
resend-button = 새 코드 보내기
other-methods = 다른 방법 사용
use-password = 비밀번호 사용
email-code-to = 이메일로 코드 보내기:
text-code-to = 문자로 코드 보내기:
start-over = 다른 계정 사용
sign-up-title = 계정 만들기
sign-up-lead = 1분이면 됩니다.
email-label = 이메일 주소
phone-label = 전화번호
phone-hint = +로 시작하는 국제 형식으로 입력하세요
username-label = 사용자 이름
first-name-label = 이름
last-name-label = 성
new-password-label = 비밀번호
legal-label = 서비스 약관과 개인정보 처리방침에 동의합니다
optional = 선택 사항
have-account = 이미 계정이 있으신가요?
sign-in-link = 로그인
verify-email-title = 이메일 주소 인증
verify-phone-title = 전화번호 인증
verify-button = 인증
continue-title = 몇 가지 정보가 더 필요합니다
sign-out-title = 로그아웃할까요?
sign-out-lead = 이 브라우저의 모든 계정에서 로그아웃됩니다.
sign-out-button = 로그아웃
signed-out = 로그아웃되었습니다.
account-title = 내 계정
emails-heading = 이메일 주소
phones-heading = 전화번호
apps-heading = 허용한 앱
remove-access = 액세스 제거
forgot-password = 비밀번호를 잊으셨나요?
reset-title = 새 비밀번호 설정
sign-out-others-label = 다른 모든 기기에서 로그아웃
reauth-note = 애플리케이션에서 다시 로그인하도록 요청합니다.
form-expired = 이 양식이 만료되었습니다. 다시 시도하세요.
wallet-sign-in = 지갑으로 계속
passkey-sign-in = 패스키로 로그인
passkeys-heading = 패스키
passkey-add = 패스키 추가
email-link-to = 로그인 링크 보내기:
link-sent-to = 다음 주소로 로그인 링크를 보냈습니다:
link-lead = 계속하려면 이 기기에서 링크를 여세요. 링크는 10분 동안 한 번만 사용할 수 있습니다.
resend-link = 새 링크 보내기
continue-with = 다음으로 계속:
or-divider = 또는
connected-heading = 연결된 계정
connect-button = 연결
disconnect-button = 연결 해제
link-failed = 이 계정은 이미 다른 사용자와 연결되어 있습니다.
link-denied = 연결이 완료되지 않았습니다.
factor-two-title = 2단계 인증
totp-lead = 인증 앱에 표시된 6자리 코드를 입력하세요.
backup-code-lead = 백업 코드 중 하나를 입력하세요.
backup-code-label = 백업 코드
use-totp = 인증 앱 사용
use-backup-code = 백업 코드 사용
security-heading = 2단계 인증
totp-on = 인증 앱: 사용 중
set-up-totp = 인증 앱 설정
remove-totp = 인증 앱 제거
new-backup-codes = 새 백업 코드 만들기
totp-setup-title = 인증 앱 설정
totp-setup-lead = 인증 앱으로 이 QR 코드를 스캔하거나 키를 직접 입력하세요. 그런 다음 앱에 표시된 6자리 코드를 입력하세요.
secret-label = 키
backup-codes-title = 백업 코드
backup-codes-lead = 안전한 곳에 보관하세요. 인증 앱을 잃어버리면 각 코드로 한 번씩 로그인할 수 있습니다. 다시 표시되지 않습니다.
done-button = 완료
orgs-title = 조직
orgs-none = 아직 소속된 조직이 없습니다.
acting-for = 현재 대리 중:
personal-account = 개인 계정
no-org-chosen = 아직 조직 없음
choose-org-task = 계속하려면 조직을 선택하세요. 내 조직으로 전환하거나, 초대를 수락하거나, 새로 만드세요.
switch-button = 전환:
manage-link = 관리
create-org-heading = 조직 만들기
org-name-label = 이름
org-slug-label = 슬러그(선택 사항)
create-button = 만들기
org-invitations-heading = 받은 초대
accept-button = 수락
members-heading = 구성원
role-label = 역할
change-role-button = 역할 변경
invite-heading = 구성원 초대
invite-button = 초대 보내기
pending-heading = 대기 중인 초대
revoke-button = 취소
leave-button = 조직 나가기
org-profile-heading = 프로필
delete-org-heading = 조직 삭제
delete-org-confirm = 모든 구성원에게서 이 조직이 삭제된다는 것을 이해합니다.
delete-org-button = 조직 삭제
invitation-title = 초대를 받았습니다
ticket-lead = 이 링크로 로그인할 계정:
invited-to = 님이 다음 조직에 초대되었습니다:
as-role = 역할:
join-button = 참여
sign-in-to-accept = 로그인하여 수락
sign-up-to-accept = 이 주소로 계정 만들기
back-to-orgs = 모든 조직
you = 나
mfa-required-title = 계정 보호
mfa-required-lead = 여기서는 2단계 인증이 필수입니다. 로그인을 마치려면 설정하세요.
password-heading = 비밀번호
current-password-label = 현재 비밀번호
change-password-button = 비밀번호 변경
set-password-button = 비밀번호 설정
password-changed = 비밀번호가 변경되었습니다.
add-email-label = 이메일 주소 추가
add-phone-label = 전화번호 추가
add-button = 추가
unverified = 미인증
primary = 기본
remove-button = 제거
verify-now = 인증
use-for-2fa = 2단계 인증에 사용
stop-2fa = 2단계 인증에 사용 안 함
used-for-2fa = 2단계 인증에 사용 중
devices-heading = 로그인된 곳
this-session = 이 브라우저
sign-out-device = 로그아웃
verify-code-title = 코드 입력
profile-heading = 프로필
save-button = 저장
cancel-button = 취소
reverify-title = 본인 확인
reverify-lead = 이 변경에는 최근 로그인이 필요합니다. 계속하려면 다시 인증하세요.
reverified = 인증되었습니다. 이제 변경할 수 있습니다.
delete-account-heading = 계정 삭제
delete-account-lead = 계정을 삭제하면 프로필, 로그인 방법, 세션이 제거됩니다. 되돌릴 수 없습니다.
delete-account-button = 내 계정 삭제
no-way-to-sign-in = 이 계정은 여기서 로그인할 방법이 없습니다.
method-not-available = 해당 방법은 사용할 수 없습니다.
last-method = 유일한 로그인 방법입니다. 먼저 비밀번호를 설정하거나 다른 방법을 추가하세요.
orgs-disabled = 이 인스턴스에서는 조직이 활성화되어 있지 않습니다.
org-joined = 조직에 참여했습니다.
org-left = 조직에서 나갔습니다.
org-deleted = 조직이 삭제되었습니다.
saved = 저장되었습니다.
org-delete-tick = 조직 삭제를 확인하려면 체크박스를 선택하세요.
backup-codes-remaining = 남은 백업 코드 { $count }개

## OpenID 제공자 페이지

consent-title = { $app }을(를) 허용할까요?
consent-heading = { $app }에서 내 계정을 사용하도록 허용할까요?
consent-asking = { $app }에서 다음을 요청합니다:
consent-withdraw = 나중에 계정 설정에서 철회할 수 있습니다.
consent-allow = 허용
consent-deny = 거부
device-title = 기기 연결
device-lead = 기기에 표시된 코드를 입력하세요.
device-code-label = 코드
device-code-unknown = 코드가 올바르지 않거나 만료되었습니다. 기기의 코드를 확인하고 다시 시도하세요.
device-confirm-heading = { $app }을(를) 연결할까요?
device-check-code = 본인 기기에서 직접 시작했고 기기에 이 코드가 표시될 때만 계속하세요:
device-allow = 연결
device-deny = 연결 안 함
device-approved-heading = 기기가 연결되었습니다
device-approved-lead = 이제 기기로 돌아가세요.
device-denied-heading = 기기가 연결되지 않았습니다
device-denied-lead = 이 창을 닫아도 됩니다.
scope-openid = 본인 확인
scope-profile = 이름과 사용자 이름 보기
scope-email = 이메일 주소 보기
scope-phone = 전화번호 보기
scope-offline_access = 사용하지 않는 동안에도 액세스 유지
scope-other = '{ $scope }' 권한 사용
logout-title = 로그아웃할까요?
logout-asking-named = { $app }에서 로그아웃을 요청합니다.
logout-asking = 애플리케이션에서 로그아웃을 요청합니다.
logout-lead = 이 브라우저에서 로그아웃됩니다.
signed-out-title = 로그아웃됨
signed-out-heading = 로그아웃되었습니다
signed-out-lead = 이 창을 닫아도 됩니다.
returning-title = 애플리케이션으로 돌아가는 중
returning-heading = 애플리케이션으로 돌아가는 중…
error-page-title = 문제가 발생했습니다
error-page-heading = 계속할 수 없습니다
error-page-lead = 원래 애플리케이션으로 돌아가 다시 시도하세요. 문제가 계속되면 이 페이지의 내용을 애플리케이션 지원팀에 알려 주세요.
error-unavailable = 의존하는 서비스가 응답하지 않습니다. 잠시 후 다시 시도하세요.
error-unexpected = 저희 쪽에서 문제가 발생했으며 기록되었습니다. 다시 시도하세요.
link-incomplete = 이 링크는 불완전합니다.
form-incomplete = 이 양식은 불완전합니다.
bad-return-address = 애플리케이션의 반환 주소가 올바르지 않습니다.

## 이메일과 문자 메시지

purpose-sign-in = 로그인
purpose-sign-up = 가입
purpose-reset-password = 비밀번호 재설정
purpose-add-to-account = 계정에 이 주소 추가
email-code-subject = { $app } 인증 코드는 { $code }입니다
email-code-body =
    { $app } 인증 코드는 { $code }입니다.

    코드를 요청한 페이지에 입력하세요. 코드는 { $minutes }분 후에 만료됩니다.

    { $purpose }을(를) 시도하지 않았다면 이 메시지를 무시하셔도 됩니다. 코드 없이는 아무 일도 일어나지 않습니다.
email-link-subject = { $app } 로그인 링크
email-link-body =
    { $app }에서 { $purpose }을(를) 하려면 이 링크를 여세요:

    { $link }

    링크는 한 번만 사용할 수 있으며 { $minutes }분 후에 만료됩니다.

    { $purpose }을(를) 시도하지 않았다면 이 메시지를 무시하셔도 됩니다. 링크를 열지 않으면 아무 일도 일어나지 않습니다.
sms-code = { $app } 인증 코드는 { $code }입니다. { $minutes }분 후에 만료됩니다.
email-invitation-subject = { $app }에 초대되었습니다
email-invitation-body =
    { $app }에서 계정을 만들도록 초대되었습니다.

    가입하려면 이 링크를 여세요:

    { $link }

    링크는 한 번만 사용할 수 있으며 { $days }일 후에 만료됩니다. 이 이메일 주소로 가입하세요.

    예상하지 못한 초대라면 이 메시지를 무시하셔도 됩니다.
email-org-invitation-subject = { $app }의 { $organization }에 초대되었습니다
email-org-invitation-body =
    { $inviter } 님이 { $app }의 { $organization }에 초대했습니다.

    수락하려면 이 링크를 여세요:

    { $link }

    링크는 한 번만 사용할 수 있으며 { $days }일 후에 만료됩니다. 아직 계정이 없다면 이 이메일 주소로 만들 수 있습니다.

    예상하지 못한 초대라면 이 메시지를 무시하셔도 됩니다.
email-notice-subject = { $app } — { $what }
email-notice-body =
    안녕하세요.

    { $when }(UTC)에 { $app } 계정에서 다음 변경이 있었습니다: { $what }

    본인이 한 것이라면 아무것도 하지 않으셔도 됩니다.

    본인이 아니라면 지금 비밀번호를 재설정하고 계정 페이지에서 로그인 방법을 확인하세요. 다른 사람이 계정에 접근했을 수 있습니다.

    — { $app }
notice-password-changed = 비밀번호가 변경되었습니다
notice-password-reset = 비밀번호가 재설정되었습니다
notice-totp-enabled = 인증 앱이 사용 설정되었습니다
notice-totp-removed = 인증 앱이 제거되었습니다
notice-backup-codes = 새 백업 코드가 만들어졌습니다
notice-passkey-added = 패스키가 추가되었습니다
notice-passkey-removed = 패스키가 제거되었습니다
notice-phone-2fa-on = 전화번호가 2단계 인증에 사용되도록 설정되었습니다
notice-phone-2fa-off = 전화번호가 2단계 인증에서 해제되었습니다
notice-sign-up-attempt = 누군가 이 이메일 주소로 가입하려고 했습니다

## 오류

field-email_address = 이메일 주소
field-phone_number = 전화번호
field-username = 사용자 이름
field-password = 비밀번호
field-new_password = 새 비밀번호
field-current_password = 현재 비밀번호
field-first_name = 이름
field-last_name = 성
field-identifier = 식별자
field-code = 코드
field-name = 이름
field-slug = 슬러그
field-legal_accepted = 약관 동의
field-other = { $param }

error-form_identifier_not_found = 계정을 찾을 수 없습니다
    .long = 해당 식별자와 일치하는 계정이 없습니다.
error-form_password_incorrect = 비밀번호가 올바르지 않습니다
    .long = 비밀번호가 올바르지 않습니다. 다시 시도하거나 다른 방법을 사용하세요.
error-form_code_incorrect = 코드가 올바르지 않습니다
    .long = 입력한 코드가 올바르지 않습니다. 확인 후 다시 시도하세요.
error-form_identifier_exists = 이미 사용 중입니다
    .long = 이 { $field }은(는) 이미 사용 중입니다. 다른 값을 입력하거나 로그인하세요.
error-form_param_missing = { $field } 누락
    .long = { $field }을(를) 입력하세요.
error-form_param_format_invalid = 올바르지 않음
    .long = { $field }이(가) 올바르지 않습니다. 확인 후 다시 시도하세요.
error-form_param_unknown = 알 수 없음
    .long = { $field }은(는) 이 요청에서 인식되는 매개변수가 아닙니다.
error-form_param_value_invalid = 올바르지 않음
    .long = { $field }이(가) 올바르지 않습니다.
error-form_password_length_too_short = 비밀번호가 너무 짧습니다
    .long = 비밀번호는 { $min }자 이상이어야 합니다.
error-form_password_length_too_long = 비밀번호가 너무 깁니다
    .long = 비밀번호는 { $max }자 이하여야 합니다.
error-form_password_not_strong_enough = 비밀번호가 충분히 안전하지 않습니다
    .long = 더 길고 추측하기 어려운 비밀번호를 선택하세요.
error-form_password_pwned = 유출된 비밀번호입니다
    .long = 이 비밀번호는 데이터 유출에서 발견되었거나 가장 흔한 비밀번호 중 하나입니다. 다른 비밀번호를 선택하세요.
error-form_username_invalid_length = 사용자 이름 길이가 올바르지 않습니다
    .long = 사용자 이름은 { $min }자에서 { $max }자 사이여야 합니다.
error-form_username_invalid_character = 사용자 이름에 허용되지 않는 문자가 있습니다
    .long = 사용자 이름에는 문자, 숫자, '_', '-'만 사용할 수 있습니다.
error-verification_expired = 만료됨
    .long = 이 인증이 만료되었습니다. 새 코드를 요청하세요.
error-verification_failed = 시도 횟수 초과
    .long = 이 코드로 너무 많이 시도했습니다. 새 코드를 요청하세요.
error-verification_missing = 아직 인증되지 않음
    .long = 먼저 인증한 후 계속하세요.
error-verification_not_sent = 아직 보낸 것이 없습니다
    .long = 먼저 코드를 요청하세요.
error-verification_already_verified = 이미 인증됨
    .long = 이미 인증되었습니다.
error-verification_strategy_invalid = 허용되지 않는 방법
    .long = 이 방법은 여기서 사용할 수 없습니다.
error-strategy_for_user_invalid = 사용할 수 없는 방법
    .long = 이 방법은 내 계정에서 사용할 수 없습니다.
error-no_second_factors = 2단계 수단 없음
    .long = 이 계정에는 인증할 2단계 수단이 없습니다.
error-session_exists = 이미 로그인됨
    .long = 이미 로그인되어 있습니다.
error-client_state_invalid = 계속할 수 없음
    .long = 지금은 이 단계를 진행할 수 없습니다. 처음부터 다시 시작하세요.
error-client_mismatch = 다른 브라우저
    .long = 다른 브라우저에서 시작된 작업입니다. 그곳에서 계속하거나 여기서 다시 시작하세요.
error-account_transfer_invalid = 이전할 수 없음
    .long = 이전할 계정이 없습니다. 처음부터 다시 시작하세요.
error-authentication_invalid = 로그인되지 않음
    .long = 계속하려면 로그인하세요.
error-clerk_key_invalid = 잘못된 키
    .long = 키가 올바르지 않습니다.
error-sign_up_mode_restricted = 가입 제한
    .long = 여기서는 초대를 받은 경우에만 가입할 수 있습니다.
error-not_allowed_access = 접근이 허용되지 않음
    .long = 이 식별자로는 여기서 가입하거나 로그인할 수 없습니다.
error-user_locked = 계정 잠김
    .long = 실패한 시도가 너무 많아 이 계정이 잠겼습니다. 나중에 다시 시도하세요.
error-user_banned = 계정 차단됨
    .long = 이 계정은 차단되었습니다.
error-resource_not_found = 찾을 수 없음
    .long = 요청한 항목을 찾을 수 없습니다.
error-external_account_not_found = 연결된 계정 없음
    .long = 해당 제공자 계정과 연결된 계정이 없습니다.
error-external_account_exists = 이미 연결됨
    .long = 이 계정은 이미 다른 사용자와 연결되어 있습니다.
error-oauth_access_denied = 액세스 거부됨
    .long = 제공자가 로그인을 허용하지 않았습니다.
error-oauth_callback_invalid = 로그인이 완료되지 않음
    .long = 제공자의 응답이 올바르지 않습니다. 다시 시도하세요.
error-oauth_provider_error = 제공자 오류
    .long = 제공자가 로그인을 완료하지 못했습니다. 나중에 다시 시도하세요.
error-too_many_requests = 요청이 너무 많음
    .long = 짧은 시간에 너무 많이 시도했습니다. { $seconds }초 후에 다시 시도하세요.
error-verification_code_too_many_requests = 코드 요청이 너무 많음
    .long = 코드를 너무 많이 요청했습니다. 잠시 기다린 후 다시 요청하세요.
error-request_body_invalid = 잘못된 요청
    .long = 요청을 읽을 수 없습니다.
error-request_body_too_large = 요청이 너무 큼
    .long = 요청이 너무 큽니다.
error-origin_invalid = 허용되지 않는 출처
    .long = 허용되지 않는 사이트에서 온 요청입니다.
error-session_reverification_required = 본인 확인
    .long = 이 변경에는 최근 로그인이 필요합니다. 계속하려면 다시 인증하세요.
error-organization_not_enabled_in_instance = 조직 사용 안 함
    .long = 여기서는 조직이 활성화되어 있지 않습니다.
error-organization_not_found = 조직을 찾을 수 없음
    .long = 해당 조직을 찾을 수 없습니다.
error-already_a_member_in_organization = 이미 구성원임
    .long = 이 사람은 이미 조직의 구성원입니다.
error-organization_membership_quota_exceeded = 조직 정원 초과
    .long = 이 조직은 구성원 수 한도에 도달했습니다.
error-organization_minimum_permissions_needed = 권한 필요
    .long = 조직에서 이 작업을 할 권한이 없습니다.
error-organization_quota_exceeded = 조직이 너무 많음
    .long = 조직 수 한도에 도달했습니다.
error-service_unavailable = 서비스를 일시적으로 사용할 수 없음
    .long = 의존하는 서비스가 응답하지 않습니다. 잠시 후 다시 시도하세요.
error-internal_error = 문제가 발생했습니다
    .long = 저희 쪽에서 문제가 발생했으며 기록되었습니다. 다시 시도하세요.
