# Portcullis のメッセージ(日本語)。基準は en.ftl(同じ ID、同じ変数)。

## 言語

language-name = 日本語
language-picker-label = 言語
language-picker-button = 変更
continue-to-app = { $app } に進みます

## ホストされたページ

sign-in-title = サインイン
sign-in-lead = おかえりなさい。続けるには情報を入力してください。
or = または
continue-button = 続ける
no-account = アカウントをお持ちでない場合
sign-up-link = 新規登録
password-label = パスワード
factor-password-title = パスワードを入力してください
factor-code-title = メッセージを確認してください
code-sent-to = 6 桁のコードを送信しました。送信先:
code-label = 確認コード
resend-button = 新しいコードを送信
other-methods = 別の方法を使う
use-password = パスワードを使う
email-code-to = コードをメールで送信:
text-code-to = コードを SMS で送信:
start-over = 別のアカウントを使う
sign-up-title = アカウントを作成
sign-up-lead = 1 分で完了します。
email-label = メールアドレス
phone-label = 電話番号
phone-hint = + から始まる国際形式で入力してください
username-label = ユーザー名
first-name-label = 名
last-name-label = 姓
new-password-label = パスワード
legal-label = 利用規約とプライバシーポリシーに同意します
optional = 任意
have-account = すでにアカウントをお持ちの場合
sign-in-link = サインイン
verify-email-title = メールアドレスを確認
verify-phone-title = 電話番号を確認
verify-button = 確認
continue-title = あと少しだけ入力してください
sign-out-title = サインアウトしますか?
sign-out-lead = このブラウザのすべてのアカウントからサインアウトします。
sign-out-button = サインアウト
signed-out = サインアウトしました。
account-title = アカウント
emails-heading = メールアドレス
phones-heading = 電話番号
apps-heading = 許可したアプリ
remove-access = アクセスを取り消す
forgot-password = パスワードをお忘れですか?
reset-title = 新しいパスワードを設定
sign-out-others-label = 他のすべてのデバイスからサインアウトする
reauth-note = アプリケーションから再度のサインインが求められています。
form-expired = このフォームの有効期限が切れました。もう一度お試しください。
wallet-sign-in = ウォレットで続ける
passkey-sign-in = パスキーでサインイン
passkeys-heading = パスキー
passkey-add = パスキーを追加
email-link-to = サインインリンクをメールで送信:
link-sent-to = サインインリンクを送信しました。送信先:
link-lead = 続けるには、このデバイスでリンクを開いてください。リンクは 1 回だけ、10 分間有効です。
resend-link = 新しいリンクを送信
continue-with = 次で続ける:
or-divider = または
connected-heading = 連携済みアカウント
connect-button = 連携する
disconnect-button = 連携を解除
link-failed = そのアカウントはすでに別のユーザーと連携しています。
link-denied = 連携は完了しませんでした。
factor-two-title = 2 段階認証
totp-lead = 認証アプリに表示された 6 桁のコードを入力してください。
backup-code-lead = バックアップコードを 1 つ入力してください。
backup-code-label = バックアップコード
use-totp = 認証アプリを使う
use-backup-code = バックアップコードを使う
security-heading = 2 段階認証
totp-on = 認証アプリ: オン
set-up-totp = 認証アプリを設定
remove-totp = 認証アプリを削除
new-backup-codes = 新しいバックアップコードを作成
totp-setup-title = 認証アプリを設定
totp-setup-lead = 認証アプリでこの QR コードを読み取るか、キーを入力してください。次に、アプリに表示される 6 桁のコードを入力してください。
secret-label = キー
backup-codes-title = バックアップコード
backup-codes-lead = 安全な場所に保管してください。認証アプリを紛失した場合、各コードで 1 回サインインできます。再表示はされません。
done-button = 完了
orgs-title = 組織
orgs-none = まだどの組織にも所属していません。
acting-for = 操作対象:
personal-account = 個人アカウント
no-org-chosen = 組織は未選択です
choose-org-task = 続けるには組織を選択してください。所属する組織に切り替えるか、招待を承諾するか、新しく作成します。
switch-button = 切り替え:
manage-link = 管理
create-org-heading = 組織を作成
org-name-label = 名前
org-slug-label = スラッグ(任意)
create-button = 作成
org-invitations-heading = あなたへの招待
accept-button = 承諾
members-heading = メンバー
role-label = ロール
change-role-button = ロールを変更
invite-heading = メンバーを招待
invite-button = 招待を送信
pending-heading = 保留中の招待
revoke-button = 取り消す
leave-button = 組織から退出
org-profile-heading = プロフィール
delete-org-heading = 組織を削除
delete-org-confirm = すべてのメンバーにとって組織が削除されることを理解しました。
delete-org-button = 組織を削除
invitation-title = 招待が届いています
ticket-lead = このリンクでサインインするアカウント:
invited-to = が次の組織に招待されています:
as-role = ロール:
join-button = 参加
sign-in-to-accept = サインインして承諾
sign-up-to-accept = このアドレスでアカウントを作成
back-to-orgs = すべての組織
you = あなた
mfa-required-title = アカウントを保護
mfa-required-lead = ここでは 2 段階認証が必須です。設定してサインインを完了してください。
password-heading = パスワード
current-password-label = 現在のパスワード
change-password-button = パスワードを変更
set-password-button = パスワードを設定
password-changed = パスワードを変更しました。
add-email-label = メールアドレスを追加
add-phone-label = 電話番号を追加
add-button = 追加
unverified = 未確認
primary = メイン
remove-button = 削除
verify-now = 確認
use-for-2fa = 2 段階認証に使う
stop-2fa = 2 段階認証に使わない
used-for-2fa = 2 段階認証に使用中
devices-heading = サインイン中の場所
this-session = このブラウザ
sign-out-device = サインアウト
verify-code-title = コードを入力
profile-heading = プロフィール
save-button = 保存
cancel-button = キャンセル
reverify-title = ご本人確認
reverify-lead = この変更には最近のサインインが必要です。続けるにはもう一度確認してください。
reverified = 確認しました。変更できるようになりました。
delete-account-heading = アカウントを削除
delete-account-lead = アカウントを削除すると、プロフィール、サインイン方法、セッションが削除されます。元に戻すことはできません。
delete-account-button = アカウントを削除する
no-way-to-sign-in = このアカウントにはここでサインインする方法がありません。
method-not-available = その方法は利用できません。
last-method = これが唯一のサインイン方法です。先にパスワードを設定するか、別の方法を追加してください。
orgs-disabled = このインスタンスでは組織が有効になっていません。
org-joined = 組織に参加しました。
org-left = 組織から退出しました。
org-deleted = 組織を削除しました。
saved = 保存しました。
org-delete-tick = 組織を削除するには、チェックボックスをオンにして確認してください。
backup-codes-remaining = バックアップコードの残り: { $count } 個

## OpenID プロバイダのページ

consent-title = { $app } を許可しますか?
consent-heading = { $app } にアカウントの使用を許可しますか?
consent-asking = { $app } が次の許可を求めています:
consent-withdraw = この許可は後でアカウント設定から取り消せます。
consent-allow = 許可
consent-deny = 拒否
device-title = デバイスを接続
device-lead = デバイスに表示されているコードを入力してください。
device-code-label = コード
device-code-unknown = このコードは無効か、有効期限が切れています。デバイスのコードを確認して、もう一度お試しください。
device-confirm-heading = { $app } を接続しますか？
device-check-code = ご自身のデバイスでこの操作を始め、次のコードが表示されている場合にのみ続けてください:
device-allow = 接続する
device-deny = 接続しない
device-approved-heading = デバイスが接続されました
device-approved-lead = デバイスに戻ってください。
device-denied-heading = デバイスは接続されませんでした
device-denied-lead = このウィンドウを閉じてかまいません。
scope-openid = あなたが誰であるかを確認する
scope-profile = 名前とユーザー名を表示する
scope-email = メールアドレスを表示する
scope-phone = 電話番号を表示する
scope-offline_access = 使用していない間もアクセスを保持する
scope-other = 「{ $scope }」の権限を使用する
logout-title = サインアウトしますか?
logout-asking-named = { $app } がサインアウトを求めています。
logout-asking = アプリケーションがサインアウトを求めています。
logout-lead = このブラウザからサインアウトします。
signed-out-title = サインアウト済み
signed-out-heading = サインアウトしました
signed-out-lead = このウィンドウは閉じてかまいません。
returning-title = アプリケーションに戻っています
returning-heading = アプリケーションに戻っています…
error-page-title = 問題が発生しました
error-page-heading = 続行できませんでした
error-page-lead = 元のアプリケーションに戻って、もう一度お試しください。問題が続く場合は、このページの内容をアプリケーションのサポートチームにお伝えください。
error-unavailable = 依存しているサービスが応答していません。しばらくしてからもう一度お試しください。
error-unexpected = こちら側で問題が発生しました。記録済みです。もう一度お試しください。
link-incomplete = このリンクは不完全です。
form-incomplete = このフォームは不完全です。
bad-return-address = アプリケーションの戻り先アドレスが無効です。

## メールと SMS

purpose-sign-in = サインイン
purpose-sign-up = 新規登録
purpose-reset-password = パスワードの再設定
purpose-add-to-account = アカウントへのこのアドレスの追加
email-code-subject = { $app } の確認コードは { $code } です
email-code-body =
    { $app } の確認コードは { $code } です。

    コードを求めたページに入力してください。有効期限は { $minutes } 分です。

    { $purpose }をしようとしていない場合は、このメッセージを無視してください。コードがなければ何も起こりません。
email-link-subject = { $app } のサインインリンク
email-link-body =
    { $app } で{ $purpose }をするには、このリンクを開いてください:

    { $link }

    リンクは 1 回だけ使用でき、{ $minutes } 分後に期限切れになります。

    { $purpose }をしようとしていない場合は、このメッセージを無視してください。リンクを開かなければ何も起こりません。
sms-code = { $app } の確認コードは { $code } です。有効期限は { $minutes } 分です。
email-invitation-subject = { $app } への招待
email-invitation-body =
    { $app } でアカウントを作成するよう招待されています。

    登録するには、このリンクを開いてください:

    { $link }

    リンクは 1 回だけ使用でき、{ $days } 日後に期限切れになります。このメールアドレスで登録してください。

    この招待に心当たりがない場合は、このメッセージを無視してください。
email-org-invitation-subject = { $app } の { $organization } への招待
email-org-invitation-body =
    { $inviter } さんから { $app } の { $organization } に招待されました。

    承諾するには、このリンクを開いてください:

    { $link }

    リンクは 1 回だけ使用でき、{ $days } 日後に期限切れになります。まだアカウントをお持ちでない場合は、このメールアドレスで作成できます。

    この招待に心当たりがない場合は、このメッセージを無視してください。
email-notice-subject = { $app } — { $what }
email-notice-body =
    こんにちは。

    { $when }(UTC)、{ $app } のアカウントで次の変更がありました: { $what }

    ご自身による操作であれば、対応は不要です。

    心当たりがない場合は、今すぐパスワードを再設定し、アカウントページのサインイン方法を確認してください。第三者がアクセスしている可能性があります。

    — { $app }
notice-password-changed = パスワードが変更されました
notice-password-reset = パスワードが再設定されました
notice-totp-enabled = 認証アプリが有効になりました
notice-totp-removed = 認証アプリが削除されました
notice-backup-codes = 新しいバックアップコードが作成されました
notice-passkey-added = パスキーが追加されました
notice-passkey-removed = パスキーが削除されました
notice-phone-2fa-on = 電話番号が 2 段階認証に使用されるようになりました
notice-phone-2fa-off = 電話番号が 2 段階認証に使用されなくなりました
notice-sign-up-attempt = 誰かがこのメールアドレスで登録しようとしました

## エラー

field-email_address = メールアドレス
field-phone_number = 電話番号
field-username = ユーザー名
field-password = パスワード
field-new_password = 新しいパスワード
field-current_password = 現在のパスワード
field-first_name = 名
field-last_name = 姓
field-identifier = ID
field-code = コード
field-name = 名前
field-slug = スラッグ
field-legal_accepted = 規約への同意
field-other = { $param }

error-form_identifier_not_found = アカウントが見つかりません
    .long = その ID に一致するアカウントはありません。
error-form_password_incorrect = パスワードが正しくありません
    .long = パスワードが正しくありません。もう一度試すか、別の方法を使ってください。
error-form_code_incorrect = コードが正しくありません
    .long = 入力したコードが正しくありません。確認してもう一度お試しください。
error-form_identifier_exists = すでに使用されています
    .long = その{ $field }はすでに使用されています。別のものを試すか、サインインしてください。
error-form_param_missing = { $field }がありません
    .long = { $field }を入力してください。
error-form_param_format_invalid = 無効です
    .long = { $field }が無効です。確認してもう一度お試しください。
error-form_param_unknown = 不明です
    .long = { $field } はこのリクエストで認識されるパラメータではありません。
error-form_param_value_invalid = 無効です
    .long = { $field }が無効です。
error-form_password_length_too_short = パスワードが短すぎます
    .long = パスワードは { $min } 文字以上にしてください。
error-form_password_length_too_long = パスワードが長すぎます
    .long = パスワードは { $max } 文字以下にしてください。
error-form_password_not_strong_enough = パスワードの強度が不十分です
    .long = より長く、推測されにくいパスワードを選んでください。
error-form_password_pwned = 漏洩したパスワードです
    .long = このパスワードはデータ漏洩で見つかったか、よく使われるパスワードです。別のパスワードを選んでください。
error-form_username_invalid_length = ユーザー名の長さが正しくありません
    .long = ユーザー名は { $min } 文字以上 { $max } 文字以下にしてください。
error-form_username_invalid_character = ユーザー名に使用できない文字が含まれています
    .long = ユーザー名には英字、数字、「_」、「-」のみ使用できます。
error-verification_expired = 期限切れです
    .long = この確認の有効期限が切れました。新しいコードをリクエストしてください。
error-verification_failed = 試行回数が多すぎます
    .long = このコードでの試行回数が多すぎます。新しいコードをリクエストしてください。
error-verification_missing = まだ確認されていません
    .long = 先にこれを確認してから続けてください。
error-verification_not_sent = まだ何も送信されていません
    .long = 先にコードをリクエストしてください。
error-verification_already_verified = 確認済みです
    .long = これはすでに確認されています。
error-verification_strategy_invalid = 許可されていない方法です
    .long = この方法はここでは使用できません。
error-strategy_for_user_invalid = 利用できない方法です
    .long = この方法はお使いのアカウントでは利用できません。
error-no_second_factors = 2 つ目の要素がありません
    .long = このアカウントには確認する 2 つ目の要素がありません。
error-session_exists = すでにサインインしています
    .long = すでにサインインしています。
error-client_state_invalid = 続行できません
    .long = この手順は今は実行できません。最初からやり直してください。
error-client_mismatch = 別のブラウザです
    .long = これは別のブラウザで開始されました。そちらで続けるか、ここで最初からやり直してください。
error-account_transfer_invalid = 移行できません
    .long = 移行するアカウントがありません。最初からやり直してください。
error-authentication_invalid = サインインしていません
    .long = 続けるにはサインインしてください。
error-clerk_key_invalid = 無効なキーです
    .long = キーが無効です。
error-sign_up_mode_restricted = 登録は制限されています
    .long = ここでは招待された方のみ登録できます。
error-not_allowed_access = アクセスは許可されていません
    .long = この ID ではここで登録またはサインインすることはできません。
error-user_locked = アカウントがロックされています
    .long = 失敗が多すぎたため、このアカウントはロックされています。しばらくしてからお試しください。
error-user_banned = アカウントが停止されています
    .long = このアカウントは停止されています。
error-resource_not_found = 見つかりません
    .long = リクエストされたものは見つかりませんでした。
error-external_account_not_found = 連携されたアカウントがありません
    .long = そのプロバイダのアカウントと連携しているアカウントはありません。
error-external_account_exists = すでに連携済みです
    .long = そのアカウントはすでに別のユーザーと連携しています。
error-oauth_access_denied = アクセスが拒否されました
    .long = プロバイダがサインインを許可しませんでした。
error-oauth_callback_invalid = サインインが完了しませんでした
    .long = プロバイダからの応答が無効でした。もう一度お試しください。
error-oauth_provider_error = プロバイダのエラー
    .long = プロバイダがサインインを完了できませんでした。しばらくしてからお試しください。
error-too_many_requests = リクエストが多すぎます
    .long = 短時間に試行が多すぎます。{ $seconds } 秒後にもう一度お試しください。
error-verification_code_too_many_requests = コードのリクエストが多すぎます
    .long = コードのリクエストが多すぎます。少し待ってから、もう一度リクエストしてください。
error-request_body_invalid = 無効なリクエストです
    .long = リクエストを読み取れませんでした。
error-request_body_too_large = リクエストが大きすぎます
    .long = リクエストが大きすぎます。
error-origin_invalid = 許可されていないオリジンです
    .long = このリクエストは許可されていないサイトから送信されました。
error-session_reverification_required = ご本人確認
    .long = この変更には最近のサインインが必要です。続けるにはもう一度確認してください。
error-organization_not_enabled_in_instance = 組織はオフです
    .long = ここでは組織が有効になっていません。
error-organization_not_found = 組織が見つかりません
    .long = その組織は見つかりませんでした。
error-already_a_member_in_organization = すでにメンバーです
    .long = この方はすでに組織のメンバーです。
error-organization_membership_quota_exceeded = 組織の定員に達しています
    .long = この組織はメンバー数の上限に達しています。
error-organization_minimum_permissions_needed = 権限が必要です
    .long = 組織でこの操作を行う権限がありません。
error-organization_quota_exceeded = 組織が多すぎます
    .long = 組織数の上限に達しています。
error-service_unavailable = サービスが一時的に利用できません
    .long = 依存しているサービスが応答していません。しばらくしてからもう一度お試しください。
error-internal_error = 問題が発生しました
    .long = こちら側で問題が発生しました。記録済みです。もう一度お試しください。
