# رسائل Portcullis باللغة العربية. المرجع: en.ftl (المعرّفات نفسها والمتغيرات نفسها).

## اللغة

language-name = العربية
language-picker-label = اللغة
language-picker-button = تغيير
continue-to-app = للمتابعة إلى { $app }

## الصفحات المستضافة

sign-in-title = تسجيل الدخول
sign-in-lead = مرحبًا بعودتك. أدخل بياناتك للمتابعة.
or = {" "}أو{" "}
continue-button = متابعة
no-account = ليس لديك حساب بعد؟
sign-up-link = إنشاء حساب
password-label = كلمة المرور
factor-password-title = أدخل كلمة المرور
factor-code-title = تحقّق من رسائلك
code-sent-to = أرسلنا رمزًا من ستة أرقام إلى
code-label = رمز التحقق
resend-button = إرسال رمز جديد
other-methods = استخدام طريقة أخرى
use-password = استخدام كلمة المرور
email-code-to = إرسال رمز بالبريد الإلكتروني إلى
text-code-to = إرسال رمز برسالة نصية إلى
start-over = استخدام حساب آخر
sign-up-title = أنشئ حسابك
sign-up-lead = لن يستغرق الأمر سوى دقيقة.
email-label = البريد الإلكتروني
phone-label = رقم الهاتف
phone-hint = بالصيغة الدولية، بدءًا بالعلامة +
username-label = اسم المستخدم
first-name-label = الاسم الأول
last-name-label = اسم العائلة
new-password-label = كلمة المرور
legal-label = أوافق على شروط الخدمة وسياسة الخصوصية
optional = اختياري
have-account = لديك حساب بالفعل؟
sign-in-link = تسجيل الدخول
verify-email-title = تحقّق من بريدك الإلكتروني
verify-phone-title = تحقّق من رقم هاتفك
verify-button = تحقّق
continue-title = بعض التفاصيل الإضافية
sign-out-title = تسجيل الخروج؟
sign-out-lead = سيتم تسجيل خروجك من كل الحسابات على هذا المتصفح.
sign-out-button = تسجيل الخروج
signed-out = تم تسجيل خروجك.
account-title = حسابك
emails-heading = عناوين البريد الإلكتروني
phones-heading = أرقام الهاتف
apps-heading = التطبيقات التي سمحت لها
remove-access = إزالة الوصول
forgot-password = هل نسيت كلمة المرور؟
reset-title = اختر كلمة مرور جديدة
sign-out-others-label = تسجيل الخروج من كل الأجهزة الأخرى
reauth-note = يطلب منك التطبيق تسجيل الدخول مرة أخرى.
form-expired = انتهت صلاحية هذا النموذج. يُرجى المحاولة مرة أخرى.
wallet-sign-in = المتابعة باستخدام محفظة
passkey-sign-in = تسجيل الدخول بمفتاح مرور
passkeys-heading = مفاتيح المرور
passkey-add = إضافة مفتاح مرور
email-link-to = إرسال رابط تسجيل الدخول إلى
link-sent-to = أرسلنا رابط تسجيل الدخول إلى
link-lead = افتحه على هذا الجهاز للمتابعة. يعمل مرة واحدة خلال عشر دقائق.
resend-link = إرسال رابط جديد
continue-with = المتابعة باستخدام
or-divider = أو
connected-heading = الحسابات المرتبطة
connect-button = ربط
disconnect-button = إلغاء الربط
link-failed = هذا الحساب مرتبط بالفعل بمستخدم آخر.
link-denied = لم يكتمل الربط.
factor-two-title = التحقق بخطوتين
totp-lead = أدخل الرمز المكوّن من ستة أرقام من تطبيق المصادقة.
backup-code-lead = أدخل أحد الرموز الاحتياطية.
backup-code-label = رمز احتياطي
use-totp = استخدام تطبيق المصادقة
use-backup-code = استخدام رمز احتياطي
security-heading = التحقق بخطوتين
totp-on = تطبيق المصادقة: مفعّل
set-up-totp = إعداد تطبيق مصادقة
remove-totp = إزالة تطبيق المصادقة
new-backup-codes = إنشاء رموز احتياطية جديدة
totp-setup-title = إعداد تطبيق المصادقة
totp-setup-lead = امسح رمز QR هذا بتطبيق المصادقة، أو اكتب المفتاح فيه. ثم أدخل الرمز المكوّن من ستة أرقام الذي يعرضه التطبيق.
secret-label = المفتاح
backup-codes-title = رموزك الاحتياطية
backup-codes-lead = احفظها في مكان آمن. إذا فقدت تطبيق المصادقة، فكل رمز يتيح لك تسجيل الدخول مرة واحدة. لن تُعرض مرة أخرى.
done-button = تم
orgs-title = المؤسسات
orgs-none = لا تنتمي إلى أي مؤسسة بعد.
acting-for = تعمل باسم
personal-account = حساب شخصي
no-org-chosen = لا توجد مؤسسة بعد
choose-org-task = اختر مؤسسة للمتابعة: انتقل إلى إحدى مؤسساتك، أو اقبل دعوة، أو أنشئ مؤسسة.
switch-button = الانتقال إلى
manage-link = إدارة
create-org-heading = إنشاء مؤسسة
org-name-label = الاسم
org-slug-label = المعرّف المختصر (اختياري)
create-button = إنشاء
org-invitations-heading = الدعوات الموجهة إليك
accept-button = قبول
members-heading = الأعضاء
role-label = الدور
change-role-button = تغيير الدور
invite-heading = دعوة شخص
invite-button = إرسال الدعوة
pending-heading = الدعوات المعلّقة
revoke-button = إلغاء
leave-button = مغادرة المؤسسة
org-profile-heading = الملف التعريفي
delete-org-heading = حذف المؤسسة
delete-org-confirm = أفهم أن هذا يحذف المؤسسة لجميع الأعضاء.
delete-org-button = حذف المؤسسة
invitation-title = لقد تمت دعوتك
ticket-lead = هذا الرابط يسجّل دخولك باسم
invited-to = مدعوّ للانضمام إلى
as-role = بصفة
join-button = انضمام
sign-in-to-accept = سجّل الدخول للقبول
sign-up-to-accept = إنشاء حساب بهذا العنوان
back-to-orgs = كل المؤسسات
you = أنت
mfa-required-title = احمِ حسابك
mfa-required-lead = التحقق بخطوتين مطلوب هنا. أعدّه لإكمال تسجيل الدخول.
password-heading = كلمة المرور
current-password-label = كلمة المرور الحالية
change-password-button = تغيير كلمة المرور
set-password-button = تعيين كلمة مرور
password-changed = تم تغيير كلمة المرور.
add-email-label = إضافة بريد إلكتروني
add-phone-label = إضافة رقم هاتف
add-button = إضافة
unverified = غير مُتحقَّق منه
primary = أساسي
remove-button = إزالة
verify-now = تحقّق
use-for-2fa = الاستخدام للتحقق بخطوتين
stop-2fa = التوقف عن الاستخدام للتحقق بخطوتين
used-for-2fa = مستخدم للتحقق بخطوتين
devices-heading = الأماكن التي سجّلت الدخول منها
this-session = هذا المتصفح
sign-out-device = تسجيل الخروج
verify-code-title = أدخل الرمز
profile-heading = الملف الشخصي
save-button = حفظ
cancel-button = إلغاء
reverify-title = أكّد هويتك
reverify-lead = يتطلب هذا التغيير تسجيل دخول حديثًا. تحقّق مرة أخرى للمتابعة.
reverified = تم التحقق. يمكنك إجراء التغيير الآن.
delete-account-heading = حذف الحساب
delete-account-lead = يؤدي حذف حسابك إلى إزالة ملفك الشخصي وطرق تسجيل الدخول والجلسات. لا يمكن التراجع عن ذلك.
delete-account-button = حذف حسابي
no-way-to-sign-in = لا توجد لهذا الحساب طريقة لتسجيل الدخول هنا.
method-not-available = هذه الطريقة غير متاحة.
last-method = هذه هي طريقتك الوحيدة لتسجيل الدخول. عيّن كلمة مرور أو أضف طريقة أخرى أولًا.
orgs-disabled = المؤسسات غير مفعّلة على هذا الخادم.
org-joined = انضممت إلى المؤسسة.
org-left = غادرت المؤسسة.
org-deleted = تم حذف المؤسسة.
saved = تم الحفظ.
org-delete-tick = حدّد المربع لتأكيد حذف المؤسسة.
backup-codes-remaining = { $count ->
    [zero] لم يتبقَّ أي رمز احتياطي
    [one] تبقّى رمز احتياطي واحد
    [two] تبقّى رمزان احتياطيان
    [few] تبقّت { $count } رموز احتياطية
    [many] تبقّى { $count } رمزًا احتياطيًا
   *[other] تبقّى { $count } رمز احتياطي
}

## صفحات مزوّد OpenID

consent-title = السماح لـ { $app }؟
consent-heading = هل تسمح لـ { $app } باستخدام حسابك؟
consent-asking = يطلب { $app } ما يلي:
consent-withdraw = يمكنك سحب هذا الإذن لاحقًا من إعدادات حسابك.
consent-allow = سماح
consent-deny = رفض
device-title = ربط جهاز
device-lead = أدخل الرمز الظاهر على جهازك.
device-code-label = الرمز
device-code-unknown = هذا الرمز غير صالح أو انتهت صلاحيته. تحقق من الرمز على جهازك وحاول مرة أخرى.
device-confirm-heading = هل تريد ربط { $app }؟
device-check-code = لا تتابع إلا إذا بدأت هذا بنفسك على جهاز تملكه وكان يعرض هذا الرمز:
device-allow = ربط
device-deny = عدم الربط
device-approved-heading = تم ربط جهازك
device-approved-lead = يمكنك العودة إلى جهازك الآن.
device-denied-heading = لم يتم ربط الجهاز
device-denied-lead = يمكنك إغلاق هذه النافذة.
scope-openid = تأكيد هويتك
scope-profile = الاطلاع على اسمك واسم المستخدم
scope-email = الاطلاع على بريدك الإلكتروني
scope-phone = الاطلاع على رقم هاتفك
scope-offline_access = الاحتفاظ بالوصول أثناء عدم استخدامك له
scope-other = استخدام الإذن «{ $scope }»
logout-title = تسجيل الخروج؟
logout-asking-named = يطلب منك { $app } تسجيل الخروج.
logout-asking = يطلب منك تطبيق تسجيل الخروج.
logout-lead = سيتم تسجيل خروجك من هذا المتصفح.
signed-out-title = تم تسجيل الخروج
signed-out-heading = تم تسجيل خروجك
signed-out-lead = يمكنك إغلاق هذه النافذة.
returning-title = العودة إلى التطبيق
returning-heading = جارٍ العودة إلى التطبيق…
error-page-title = حدث خطأ ما
error-page-heading = تعذّرت المتابعة
error-page-lead = ارجع إلى التطبيق الذي أتيت منه وحاول مرة أخرى. إذا تكرر ذلك، فأخبر فريق دعم التطبيق بما تقوله هذه الصفحة.
error-unavailable = إحدى الخدمات التي نعتمد عليها لا تستجيب. يُرجى المحاولة بعد لحظات.
error-unexpected = حدث خطأ من جهتنا وتم تسجيله. يُرجى المحاولة مرة أخرى.
link-incomplete = هذا الرابط غير مكتمل.
form-incomplete = هذا النموذج غير مكتمل.
bad-return-address = عنوان العودة الخاص بالتطبيق غير صالح.

## رسائل البريد الإلكتروني والرسائل النصية

purpose-sign-in = تسجيل الدخول
purpose-sign-up = إنشاء حساب
purpose-reset-password = إعادة تعيين كلمة المرور
purpose-add-to-account = إضافة هذا العنوان إلى حسابك
email-code-subject = { $code } هو رمز التحقق الخاص بك في { $app }
email-code-body =
    { $code } هو رمز التحقق الخاص بك في { $app }.

    أدخله في الصفحة التي طلبته. تنتهي صلاحيته خلال { $minutes ->
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $minutes } دقائق
       *[other] { $minutes } دقيقة
    }.

    إذا لم تحاول { $purpose }، يمكنك تجاهل هذه الرسالة: لن يحدث شيء دون الرمز.
email-link-subject = رابط تسجيل الدخول إلى { $app }
email-link-body =
    افتح هذا الرابط من أجل { $purpose } في { $app }:

    { $link }

    يعمل مرة واحدة وتنتهي صلاحيته خلال { $minutes ->
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $minutes } دقائق
       *[other] { $minutes } دقيقة
    }.

    إذا لم تحاول { $purpose }، يمكنك تجاهل هذه الرسالة: لن يحدث شيء ما لم يُفتح الرابط.
sms-code = { $code } هو رمز التحقق الخاص بك في { $app }. تنتهي صلاحيته خلال { $minutes ->
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $minutes } دقائق
       *[other] { $minutes } دقيقة
    }.
email-invitation-subject = أنت مدعوّ إلى { $app }
email-invitation-body =
    أنت مدعوّ لإنشاء حساب في { $app }.

    افتح هذا الرابط للتسجيل:

    { $link }

    يعمل مرة واحدة وتنتهي صلاحيته خلال { $days ->
        [one] يوم واحد
        [two] يومين
        [few] { $days } أيام
       *[other] { $days } يومًا
    }. سجّل باستخدام عنوان البريد الإلكتروني هذا.

    إذا لم تكن تتوقع هذه الدعوة، يمكنك تجاهل هذه الرسالة.
email-org-invitation-subject = أنت مدعوّ للانضمام إلى { $organization } في { $app }
email-org-invitation-body =
    دعاك { $inviter } للانضمام إلى { $organization } في { $app }.

    افتح هذا الرابط للقبول:

    { $link }

    يعمل مرة واحدة وتنتهي صلاحيته خلال { $days ->
        [one] يوم واحد
        [two] يومين
        [few] { $days } أيام
       *[other] { $days } يومًا
    }. إذا لم يكن لديك حساب بعد، يمكنك إنشاء حساب بعنوان البريد الإلكتروني هذا.

    إذا لم تكن تتوقع هذه الدعوة، يمكنك تجاهل هذه الرسالة.
email-notice-subject = { $app } — { $what }
email-notice-body =
    مرحبًا،

    { $what } في حسابك على { $app } بتاريخ { $when } (بالتوقيت العالمي).

    إذا كنت أنت من قام بذلك، فلا داعي لأي إجراء.

    إذا لم تكن أنت، فأعد تعيين كلمة المرور الآن وراجع طرق تسجيل الدخول في صفحة حسابك: ربما يتمكن شخص آخر من الوصول إليه.

    — { $app }
notice-password-changed = تم تغيير كلمة المرور
notice-password-reset = تمت إعادة تعيين كلمة المرور
notice-totp-enabled = تم تفعيل تطبيق مصادقة
notice-totp-removed = تمت إزالة تطبيق مصادقة
notice-backup-codes = تم إنشاء رموز احتياطية جديدة
notice-passkey-added = تمت إضافة مفتاح مرور
notice-passkey-removed = تمت إزالة مفتاح مرور
notice-phone-2fa-on = تم تفعيل رقم هاتف للتحقق بخطوتين
notice-phone-2fa-off = تم إيقاف رقم هاتف عن التحقق بخطوتين
notice-sign-up-attempt = حاول شخص ما إنشاء حساب بعنوان البريد الإلكتروني هذا

## الأخطاء

field-email_address = البريد الإلكتروني
field-phone_number = رقم الهاتف
field-username = اسم المستخدم
field-password = كلمة المرور
field-new_password = كلمة المرور الجديدة
field-current_password = كلمة المرور الحالية
field-first_name = الاسم الأول
field-last_name = اسم العائلة
field-identifier = المعرّف
field-code = الرمز
field-name = الاسم
field-slug = المعرّف المختصر
field-legal_accepted = الموافقة على الشروط
field-other = { $param }

error-form_identifier_not_found = تعذّر العثور على حسابك
    .long = لا يوجد حساب يطابق هذا المعرّف.
error-form_password_incorrect = كلمة المرور غير صحيحة
    .long = كلمة المرور غير صحيحة. حاول مرة أخرى أو استخدم طريقة أخرى.
error-form_code_incorrect = الرمز غير صحيح
    .long = الرمز الذي أدخلته غير صحيح. تحقّق منه وحاول مرة أخرى.
error-form_identifier_exists = مستخدَم بالفعل
    .long = هذا الحقل ({ $field }) مستخدَم بالفعل. جرّب قيمة أخرى أو سجّل الدخول.
error-form_param_missing = الحقل ناقص: { $field }
    .long = أدخل { $field }.
error-form_param_format_invalid = غير صالح
    .long = قيمة { $field } غير صالحة. تحقّق منها وحاول مرة أخرى.
error-form_param_unknown = غير معروف
    .long = { $field } ليس معاملًا معروفًا لهذا الطلب.
error-form_param_value_invalid = غير صالح
    .long = قيمة { $field } غير صالحة.
error-form_password_length_too_short = كلمة المرور قصيرة جدًا
    .long = يجب ألا تقل كلمة المرور عن { $min } حرفًا.
error-form_password_length_too_long = كلمة المرور طويلة جدًا
    .long = يجب ألا تزيد كلمة المرور على { $max } حرفًا.
error-form_password_not_strong_enough = كلمة المرور ليست قوية بما يكفي
    .long = اختر كلمة مرور أطول يصعب تخمينها.
error-form_password_pwned = كلمة مرور مسرّبة
    .long = ظهرت كلمة المرور هذه في تسريب بيانات أو هي من أكثر كلمات المرور شيوعًا. اختر كلمة أخرى.
error-form_username_invalid_length = طول اسم المستخدم غير مناسب
    .long = يجب أن يتراوح طول اسم المستخدم بين { $min } و{ $max } حرفًا.
error-form_username_invalid_character = يحتوي اسم المستخدم على أحرف غير مسموح بها
    .long = يمكن أن يحتوي اسم المستخدم على الحروف والأرقام و«_» و«-» فقط.
error-verification_expired = انتهت الصلاحية
    .long = انتهت صلاحية هذا التحقق. اطلب رمزًا جديدًا.
error-verification_failed = محاولات فاشلة كثيرة
    .long = أجريت محاولات كثيرة جدًا بهذا الرمز. اطلب رمزًا جديدًا.
error-verification_missing = لم يتم التحقق بعد
    .long = تحقّق من هذا أولًا ثم تابع.
error-verification_not_sent = لم يُرسل شيء بعد
    .long = اطلب رمزًا أولًا.
error-verification_already_verified = تم التحقق مسبقًا
    .long = تم التحقق من هذا بالفعل.
error-verification_strategy_invalid = طريقة غير مسموح بها
    .long = لا يمكن استخدام هذه الطريقة هنا.
error-strategy_for_user_invalid = طريقة غير متاحة
    .long = هذه الطريقة غير متاحة لحسابك.
error-no_second_factors = لا يوجد عامل ثانٍ
    .long = لا يملك هذا الحساب عاملًا ثانيًا للتحقق منه.
error-session_exists = سجّلت الدخول بالفعل
    .long = أنت مسجّل الدخول بالفعل.
error-client_state_invalid = تعذّرت المتابعة
    .long = لا يمكن تنفيذ هذه الخطوة الآن. ابدأ من جديد.
error-client_mismatch = متصفح آخر
    .long = بدأت هذه العملية في متصفح آخر. تابع هناك أو ابدأ من جديد هنا.
error-account_transfer_invalid = تعذّر النقل
    .long = لا يوجد حساب لنقله. ابدأ من جديد.
error-authentication_invalid = لم تسجّل الدخول
    .long = سجّل الدخول للمتابعة.
error-clerk_key_invalid = مفتاح غير صالح
    .long = المفتاح غير صالح.
error-sign_up_mode_restricted = التسجيل مقيّد
    .long = التسجيل هنا بالدعوة فقط.
error-not_allowed_access = الوصول غير مسموح به
    .long = لا يُسمح لهذا المعرّف بالتسجيل أو تسجيل الدخول هنا.
error-user_locked = الحساب مقفل
    .long = هذا الحساب مقفل بعد محاولات فاشلة كثيرة. حاول لاحقًا.
error-user_banned = الحساب محظور
    .long = تم حظر هذا الحساب.
error-resource_not_found = غير موجود
    .long = لم يتم العثور على ما طلبته.
error-external_account_not_found = لا يوجد حساب مرتبط
    .long = لا يوجد حساب هنا مرتبط بحساب المزوّد هذا.
error-external_account_exists = مرتبط بالفعل
    .long = هذا الحساب مرتبط بالفعل بمستخدم آخر.
error-oauth_access_denied = تم رفض الوصول
    .long = لم يسمح المزوّد بتسجيل الدخول.
error-oauth_callback_invalid = لم يكتمل تسجيل الدخول
    .long = كان رد المزوّد غير صالح. حاول مرة أخرى.
error-oauth_provider_error = خطأ لدى المزوّد
    .long = تعذّر على المزوّد إكمال تسجيل الدخول. حاول لاحقًا.
error-too_many_requests = طلبات كثيرة جدًا
    .long = محاولات كثيرة جدًا في وقت قصير. حاول مرة أخرى بعد { $seconds ->
        [one] ثانية واحدة
        [two] ثانيتين
        [few] { $seconds } ثوانٍ
       *[other] { $seconds } ثانية
    }.
error-verification_code_too_many_requests = رموز كثيرة جدًا
    .long = طُلبت رموز كثيرة جدًا. انتظر قليلًا قبل طلب رمز آخر.
error-request_body_invalid = طلب غير صالح
    .long = تعذّرت قراءة الطلب.
error-request_body_too_large = الطلب كبير جدًا
    .long = الطلب كبير جدًا.
error-origin_invalid = المصدر غير مسموح به
    .long = جاء هذا الطلب من موقع غير مسموح به.
error-session_reverification_required = أكّد هويتك
    .long = يتطلب هذا التغيير تسجيل دخول حديثًا. تحقّق مرة أخرى للمتابعة.
error-organization_not_enabled_in_instance = المؤسسات معطّلة
    .long = المؤسسات غير مفعّلة هنا.
error-organization_not_found = المؤسسة غير موجودة
    .long = لم يتم العثور على هذه المؤسسة.
error-already_a_member_in_organization = عضو بالفعل
    .long = هذا الشخص عضو في المؤسسة بالفعل.
error-organization_membership_quota_exceeded = المؤسسة ممتلئة
    .long = بلغت هذه المؤسسة الحد الأقصى لعدد الأعضاء.
error-organization_minimum_permissions_needed = يلزم إذن
    .long = ليس لديك إذن بفعل ذلك في المؤسسة.
error-organization_quota_exceeded = مؤسسات كثيرة جدًا
    .long = بلغت الحد الأقصى لعدد المؤسسات.
error-service_unavailable = الخدمة غير متاحة مؤقتًا
    .long = إحدى الخدمات التي نعتمد عليها لا تستجيب. حاول بعد لحظات.
error-internal_error = حدث خطأ ما
    .long = حدث خطأ من جهتنا وتم تسجيله. يُرجى المحاولة مرة أخرى.
