# Portcullis 的简体中文消息。参照:en.ftl(相同的 ID 和变量)。

## 语言

language-name = 简体中文
language-picker-label = 语言
language-picker-button = 切换
continue-to-app = 以继续使用 { $app }

## 托管页面

sign-in-title = 登录
sign-in-lead = 欢迎回来。请输入您的信息以继续。
or = 或
continue-button = 继续
no-account = 还没有账号?
sign-up-link = 注册
password-label = 密码
factor-password-title = 输入您的密码
factor-code-title = 查看您的消息
code-sent-to = 我们已将六位数验证码发送至
code-label = 验证码
resend-button = 发送新验证码
other-methods = 使用其他方式
use-password = 使用密码
email-code-to = 通过电子邮件发送验证码至
text-code-to = 通过短信发送验证码至
start-over = 使用其他账号
sign-up-title = 创建账号
sign-up-lead = 只需一分钟。
email-label = 电子邮件地址
phone-label = 手机号码
phone-hint = 使用国际格式,以 + 开头
username-label = 用户名
first-name-label = 名
last-name-label = 姓
new-password-label = 密码
legal-label = 我接受服务条款和隐私政策
optional = 可选
have-account = 已有账号?
sign-in-link = 登录
verify-email-title = 验证您的电子邮件地址
verify-phone-title = 验证您的手机号码
verify-button = 验证
continue-title = 还需要一些信息
sign-out-title = 要退出登录吗?
sign-out-lead = 您将退出此浏览器上的所有账号。
sign-out-button = 退出登录
signed-out = 您已退出登录。
account-title = 您的账号
emails-heading = 电子邮件地址
phones-heading = 手机号码
apps-heading = 已授权的应用
remove-access = 撤销访问权限
forgot-password = 忘记密码?
reset-title = 设置新密码
sign-out-others-label = 退出所有其他设备
reauth-note = 应用要求您重新登录。
form-expired = 此表单已过期,请重试。
wallet-sign-in = 使用钱包继续
passkey-sign-in = 使用通行密钥登录
passkeys-heading = 通行密钥
passkey-add = 添加通行密钥
email-link-to = 发送登录链接至
link-sent-to = 我们已将登录链接发送至
link-lead = 请在此设备上打开链接以继续。链接只能使用一次,十分钟内有效。
resend-link = 发送新链接
continue-with = 继续使用
or-divider = 或
connected-heading = 已关联的账号
connect-button = 关联
disconnect-button = 取消关联
link-failed = 该账号已关联到其他用户。
link-denied = 关联未完成。
factor-two-title = 两步验证
totp-lead = 输入身份验证器应用中的六位数验证码。
backup-code-lead = 输入一个备用码。
backup-code-label = 备用码
use-totp = 使用身份验证器应用
use-backup-code = 使用备用码
security-heading = 两步验证
totp-on = 身份验证器应用:已开启
set-up-totp = 设置身份验证器应用
remove-totp = 移除身份验证器应用
new-backup-codes = 生成新的备用码
totp-setup-title = 设置身份验证器应用
totp-setup-lead = 使用身份验证器应用扫描此二维码,或手动输入密钥。然后输入应用显示的六位数验证码。
secret-label = 密钥
backup-codes-title = 您的备用码
backup-codes-lead = 请妥善保管。如果您丢失了身份验证器应用,每个备用码可让您登录一次。这些备用码不会再次显示。
done-button = 完成
orgs-title = 组织
orgs-none = 您尚未加入任何组织。
acting-for = 当前代表
personal-account = 个人账号
no-org-chosen = 尚未选择组织
choose-org-task = 请选择一个组织以继续:切换到您的某个组织、接受邀请或新建一个组织。
switch-button = 切换到
manage-link = 管理
create-org-heading = 创建组织
org-name-label = 名称
org-slug-label = 短名称(可选)
create-button = 创建
org-invitations-heading = 发给您的邀请
accept-button = 接受
members-heading = 成员
role-label = 角色
change-role-button = 更改角色
invite-heading = 邀请他人
invite-button = 发送邀请
pending-heading = 待处理的邀请
revoke-button = 撤销
leave-button = 退出组织
org-profile-heading = 资料
delete-org-heading = 删除组织
delete-org-confirm = 我了解这会为所有成员删除该组织。
delete-org-button = 删除组织
invitation-title = 您收到了邀请
ticket-lead = 此链接将以此身份登录:
invited-to = 受邀加入
as-role = 角色为
join-button = 加入
sign-in-to-accept = 登录以接受
sign-up-to-accept = 使用此地址创建账号
back-to-orgs = 所有组织
you = 您
mfa-required-title = 保护您的账号
mfa-required-lead = 此处要求两步验证。请完成设置以完成登录。
password-heading = 密码
current-password-label = 当前密码
change-password-button = 更改密码
set-password-button = 设置密码
password-changed = 您的密码已更改。
add-email-label = 添加电子邮件地址
add-phone-label = 添加手机号码
add-button = 添加
unverified = 未验证
primary = 主要
remove-button = 移除
verify-now = 验证
use-for-2fa = 用于两步验证
stop-2fa = 停止用于两步验证
used-for-2fa = 已用于两步验证
devices-heading = 您的登录位置
this-session = 此浏览器
sign-out-device = 退出登录
verify-code-title = 输入验证码
profile-heading = 个人资料
save-button = 保存
cancel-button = 取消
reverify-title = 确认是您本人
reverify-lead = 此更改需要近期登录。请重新验证以继续。
reverified = 已验证。现在可以进行更改了。
delete-account-heading = 删除账号
delete-account-lead = 删除账号将移除您的个人资料、登录方式和会话。此操作无法撤销。
delete-account-button = 删除我的账号
no-way-to-sign-in = 此账号在这里没有可用的登录方式。
method-not-available = 该方式不可用。
last-method = 这是您唯一的登录方式。请先设置密码或添加其他方式。
orgs-disabled = 此实例未启用组织功能。
org-joined = 您已加入该组织。
org-left = 您已退出该组织。
org-deleted = 该组织已删除。
saved = 已保存。
org-delete-tick = 勾选此框以确认删除该组织。
backup-codes-remaining = 剩余 { $count } 个备用码

## OpenID 提供方页面

consent-title = 允许 { $app }?
consent-heading = 允许 { $app } 使用您的账号?
consent-asking = { $app } 请求:
consent-withdraw = 您之后可以在账号设置中撤销此授权。
consent-allow = 允许
consent-deny = 拒绝
device-title = 连接设备
device-lead = 请输入设备上显示的代码。
device-code-label = 代码
device-code-unknown = 该代码无效或已过期。请核对设备上的代码后重试。
device-confirm-heading = 要连接 { $app } 吗？
device-check-code = 只有当这是你在自己的设备上发起的，并且设备显示以下代码时，才继续：
device-allow = 连接
device-deny = 不连接
device-approved-heading = 设备已连接
device-approved-lead = 现在可以回到你的设备了。
device-denied-heading = 设备未连接
device-denied-lead = 你可以关闭此窗口。
scope-openid = 确认您的身份
scope-profile = 查看您的姓名和用户名
scope-email = 查看您的电子邮件地址
scope-phone = 查看您的手机号码
scope-offline_access = 在您未使用时保持访问权限
scope-other = 使用“{ $scope }”权限
logout-title = 要退出登录吗?
logout-asking-named = { $app } 请求您退出登录。
logout-asking = 某个应用请求您退出登录。
logout-lead = 您将从此浏览器退出登录。
signed-out-title = 已退出登录
signed-out-heading = 您已退出登录
signed-out-lead = 您可以关闭此窗口。
returning-title = 正在返回应用
returning-heading = 正在返回应用…
error-page-title = 出错了
error-page-heading = 无法继续
error-page-lead = 请返回您来自的应用并重试。如果问题持续出现,请将本页内容告知该应用的支持团队。
error-unavailable = 我们依赖的某项服务没有响应。请稍后重试。
error-unexpected = 我们这边出了问题,已记录在案。请重试。
link-incomplete = 此链接不完整。
form-incomplete = 此表单不完整。
bad-return-address = 应用的返回地址无效。

## 电子邮件和短信

purpose-sign-in = 登录
purpose-sign-up = 注册
purpose-reset-password = 重置密码
purpose-add-to-account = 将此地址添加到您的账号
email-code-subject = { $code } 是您的 { $app } 验证码
email-code-body =
    { $code } 是您的 { $app } 验证码。

    请在请求验证码的页面上输入。验证码将在 { $minutes } 分钟后过期。

    如果您没有尝试{ $purpose },可以忽略此邮件:没有验证码,什么也不会发生。
email-link-subject = 您的 { $app } 登录链接
email-link-body =
    打开此链接以在 { $app } 上{ $purpose }:

    { $link }

    此链接只能使用一次,将在 { $minutes } 分钟后过期。

    如果您没有尝试{ $purpose },可以忽略此邮件:只要不打开链接,什么也不会发生。
sms-code = { $code } 是您的 { $app } 验证码,{ $minutes } 分钟内有效。
email-invitation-subject = 您受邀加入 { $app }
email-invitation-body =
    您受邀在 { $app } 上创建账号。

    打开此链接进行注册:

    { $link }

    此链接只能使用一次,将在 { $days } 天后过期。请使用此电子邮件地址注册。

    如果您并未期待此邀请,可以忽略此邮件。
email-org-invitation-subject = 您受邀加入 { $app } 上的 { $organization }
email-org-invitation-body =
    { $inviter } 邀请您加入 { $app } 上的 { $organization }。

    打开此链接以接受:

    { $link }

    此链接只能使用一次,将在 { $days } 天后过期。如果您还没有账号,可以使用此电子邮件地址创建一个。

    如果您并未期待此邀请,可以忽略此邮件。
email-notice-subject = { $app } — { $what }
email-notice-body =
    您好:

    您的 { $app } 账号于 { $when }(UTC)发生了以下变更:{ $what }。

    如果是您本人操作,无需采取任何行动。

    如果不是您本人,请立即重置密码,并检查账号页面上的登录方式:可能有其他人能够访问您的账号。

    — { $app }
notice-password-changed = 您的密码已更改
notice-password-reset = 您的密码已重置
notice-totp-enabled = 已开启身份验证器应用
notice-totp-removed = 已移除身份验证器应用
notice-backup-codes = 已生成新的备用码
notice-passkey-added = 已添加通行密钥
notice-passkey-removed = 已移除通行密钥
notice-phone-2fa-on = 已将一个手机号码用于两步验证
notice-phone-2fa-off = 已停止将一个手机号码用于两步验证
notice-sign-up-attempt = 有人尝试使用此电子邮件地址注册

## 错误

field-email_address = 电子邮件地址
field-phone_number = 手机号码
field-username = 用户名
field-password = 密码
field-new_password = 新密码
field-current_password = 当前密码
field-first_name = 名
field-last_name = 姓
field-identifier = 账号标识
field-code = 验证码
field-name = 名称
field-slug = 短名称
field-legal_accepted = 条款同意
field-other = { $param }

error-form_identifier_not_found = 找不到您的账号
    .long = 没有与该标识匹配的账号。
error-form_password_incorrect = 密码错误
    .long = 密码错误。请重试,或使用其他方式。
error-form_code_incorrect = 验证码错误
    .long = 您输入的验证码不正确。请检查后重试。
error-form_identifier_exists = 已被占用
    .long = 该{ $field }已被占用。请换一个,或直接登录。
error-form_param_missing = 缺少{ $field }
    .long = 请输入{ $field }。
error-form_param_format_invalid = 无效
    .long = { $field }无效。请检查后重试。
error-form_param_unknown = 未知
    .long = { $field } 不是此请求可识别的参数。
error-form_param_value_invalid = 无效
    .long = { $field }无效。
error-form_password_length_too_short = 密码太短
    .long = 密码至少需要 { $min } 个字符。
error-form_password_length_too_long = 密码太长
    .long = 密码最多只能有 { $max } 个字符。
error-form_password_not_strong_enough = 密码强度不够
    .long = 请选择更长、更难猜到的密码。
error-form_password_pwned = 密码已泄露
    .long = 此密码曾出现在数据泄露中,或属于最常见的密码。请换一个。
error-form_username_invalid_length = 用户名长度不符合要求
    .long = 用户名长度须在 { $min } 到 { $max } 个字符之间。
error-form_username_invalid_character = 用户名包含不允许的字符
    .long = 用户名只能包含字母、数字、“_”和“-”。
error-verification_expired = 已过期
    .long = 此验证已过期。请重新获取验证码。
error-verification_failed = 尝试次数过多
    .long = 您使用此验证码尝试的次数过多。请重新获取。
error-verification_missing = 尚未验证
    .long = 请先完成验证,然后继续。
error-verification_not_sent = 尚未发送
    .long = 请先获取验证码。
error-verification_already_verified = 已验证
    .long = 此项已经验证过。
error-verification_strategy_invalid = 不允许的方式
    .long = 此处不能使用该方式。
error-strategy_for_user_invalid = 方式不可用
    .long = 您的账号无法使用该方式。
error-no_second_factors = 没有第二重验证
    .long = 此账号没有可验证的第二重验证方式。
error-session_exists = 已登录
    .long = 您已经登录。
error-client_state_invalid = 无法继续
    .long = 现在无法执行此步骤。请重新开始。
error-client_mismatch = 其他浏览器
    .long = 此操作是在其他浏览器中开始的。请在那里继续,或在此重新开始。
error-account_transfer_invalid = 无法转移
    .long = 没有可转移的账号。请重新开始。
error-authentication_invalid = 未登录
    .long = 请登录以继续。
error-clerk_key_invalid = 密钥无效
    .long = 该密钥无效。
error-sign_up_mode_restricted = 注册受限
    .long = 此处仅限受邀注册。
error-not_allowed_access = 不允许访问
    .long = 此标识不允许在此注册或登录。
error-user_locked = 账号已锁定
    .long = 由于失败次数过多,此账号已被锁定。请稍后再试。
error-user_banned = 账号已封禁
    .long = 此账号已被封禁。
error-resource_not_found = 未找到
    .long = 未找到您请求的内容。
error-external_account_not_found = 没有关联账号
    .long = 这里没有账号关联到该提供方账号。
error-external_account_exists = 已关联
    .long = 该账号已关联到其他用户。
error-oauth_access_denied = 访问被拒绝
    .long = 提供方不允许此次登录。
error-oauth_callback_invalid = 登录未完成
    .long = 提供方的响应无效。请重试。
error-oauth_provider_error = 提供方错误
    .long = 提供方无法完成登录。请稍后再试。
error-too_many_requests = 请求过多
    .long = 短时间内尝试次数过多。请在 { $seconds } 秒后重试。
error-verification_code_too_many_requests = 验证码请求过多
    .long = 请求的验证码过多。请稍等片刻再获取。
error-request_body_invalid = 请求无效
    .long = 无法读取该请求。
error-request_body_too_large = 请求过大
    .long = 请求过大。
error-origin_invalid = 来源不被允许
    .long = 此请求来自不被允许的网站。
error-session_reverification_required = 确认是您本人
    .long = 此更改需要近期登录。请重新验证以继续。
error-organization_not_enabled_in_instance = 组织功能已关闭
    .long = 此处未启用组织功能。
error-organization_not_found = 未找到组织
    .long = 未找到该组织。
error-already_a_member_in_organization = 已是成员
    .long = 此人已经是该组织的成员。
error-organization_membership_quota_exceeded = 组织已满
    .long = 该组织的成员数量已达上限。
error-organization_minimum_permissions_needed = 需要权限
    .long = 您没有在该组织中执行此操作的权限。
error-organization_quota_exceeded = 组织过多
    .long = 您的组织数量已达上限。
error-service_unavailable = 服务暂时不可用
    .long = 我们依赖的某项服务没有响应。请稍后重试。
error-internal_error = 出错了
    .long = 我们这边出了问题,已记录在案。请重试。
