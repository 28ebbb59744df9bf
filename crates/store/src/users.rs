//! Users and their email addresses and phone numbers.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entities::{
    backup_code, email_address, passkey, phone_number, totp_factor, user, web3_wallet,
};

/// A user with its identifications, as the flows and the API render it.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: user::Model,
    pub emails: Vec<email_address::Model>,
    pub phones: Vec<phone_number::Model>,
    /// A verified authenticator app.
    pub totp: bool,
    /// Backup codes not yet spent.
    pub backup_codes: usize,
    /// Accounts at upstream providers linked to this user.
    pub external: Vec<super::external::ExternalAccountRow>,
    /// Ethereum wallets.
    pub wallets: Vec<web3_wallet::Model>,
    /// Passkeys.
    pub passkeys: Vec<passkey::Model>,
    /// The organizations the user belongs to, oldest membership first.
    pub memberships: Vec<super::organizations::MembershipRecord>,
}

impl UserRecord {
    /// Verified phone numbers the user keeps for SMS second factors, the default first.
    pub fn second_factor_phones(&self) -> Vec<&phone_number::Model> {
        let mut phones: Vec<_> = self
            .phones
            .iter()
            .filter(|p| p.verified && p.reserved_for_second_factor)
            .collect();
        phones.sort_by_key(|p| !p.default_second_factor);
        phones
    }

    /// Verified phone numbers that may serve as a first factor: those not kept for the second.
    pub fn first_factor_phones(&self) -> Vec<&phone_number::Model> {
        self.phones
            .iter()
            .filter(|p| p.verified && !p.reserved_for_second_factor)
            .collect()
    }

    /// The primary email address, if the user has one.
    pub fn primary_email(&self) -> Option<&email_address::Model> {
        self.emails
            .iter()
            .find(|e| Some(&e.id) == self.user.primary_email_address_id.as_ref())
    }

    /// First and last name, as far as they are known ("" when neither is).
    pub fn full_name(&self) -> String {
        [
            self.user.first_name.as_deref(),
            self.user.last_name.as_deref(),
        ]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Whether the user has any second factor at all.
    pub fn two_factor_enabled(&self) -> bool {
        self.totp || self.backup_codes > 0 || !self.second_factor_phones().is_empty()
    }
}

/// Which kind of identifier a sign-in names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierKind {
    Email,
    Phone,
    Username,
}

/// The user a sign-in identifier names: a verified address or number, if any. A phone number
/// kept for the second factor never identifies: it is the second factor's channel, and one
/// channel must not stand for both factors.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_user_id_by_identifier(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    value: &str,
) -> Result<Option<String>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(named_by(kind, value))
        .into_tuple::<String>()
        .one(db)
        .await
}

/// The condition on `users` of [`find_user_id_by_identifier`]: the one place that says which
/// addresses, numbers and usernames name an account.
fn named_by(kind: IdentifierKind, value: &str) -> sea_orm::Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let owner = match kind {
        IdentifierKind::Username => {
            return sea_orm::Condition::all().add(user::Column::Username.eq(value));
        }
        IdentifierKind::Email => Query::select()
            .column(email_address::Column::UserId)
            .from(email_address::Entity)
            .and_where(Expr::col(email_address::Column::EmailAddress).eq(value))
            .and_where(Expr::col(email_address::Column::Verified).eq(true))
            .to_owned(),
        IdentifierKind::Phone => Query::select()
            .column(phone_number::Column::UserId)
            .from(phone_number::Entity)
            .and_where(Expr::col(phone_number::Column::PhoneNumber).eq(value))
            .and_where(Expr::col(phone_number::Column::Verified).eq(true))
            .and_where(Expr::col(phone_number::Column::ReservedForSecondFactor).eq(false))
            .to_owned(),
    };
    sea_orm::Condition::all().add(user::Column::Id.in_subquery(owner))
}

/// The user a sign-in identifier names ([`find_user_id_by_identifier`]), read whole as
/// [`read_users`] reads users: the lookup is the first statement's filter, so a user with
/// nothing but email addresses and a password takes that one statement.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn get_user_by_identifier(
    db: &DatabaseConnection,
    kind: IdentifierKind,
    value: &str,
) -> Result<Option<UserRecord>, DbErr> {
    let mut first = users_with_emails(db, Which::Identifier(kind, value), None).await?;
    // One at most: addresses, numbers and usernames are each unique.
    first.truncate(1);
    let ids: Vec<String> = first.iter().map(|(c, _)| c.user.id.clone()).collect();
    if first.iter().all(|(c, _)| c.only_emails()) {
        return Ok(assemble(&ids, first).pop());
    }
    let txn = super::begin_read(db).await?;
    let user = load_users(&txn, &ids).await?.pop();
    txn.commit().await?;
    Ok(user)
}

/// Holds the user's row for the rest of the transaction (a write that changes nothing), so
/// checks on what the user owns and the change they guard run one request at a time.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn lock_user(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::UpdatedAt,
            sea_orm::sea_query::Expr::col(user::Column::UpdatedAt),
        )
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether any user already holds this identifier.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn identifier_taken(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    value: &str,
) -> Result<bool, DbErr> {
    Ok(match kind {
        IdentifierKind::Email => email_address::Entity::find()
            .filter(email_address::Column::EmailAddress.eq(value))
            .one(db)
            .await?
            .is_some(),
        IdentifierKind::Phone => phone_number::Entity::find()
            .filter(phone_number::Column::PhoneNumber.eq(value))
            .one(db)
            .await?
            .is_some(),
        IdentifierKind::Username => user::Entity::find()
            .filter(user::Column::Username.eq(value))
            .one(db)
            .await?
            .is_some(),
    })
}

/// One user, as [`read_users`] reads them.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_user(db: &DatabaseConnection, id: &str) -> Result<Option<UserRecord>, DbErr> {
    Ok(read_users_with(db, &[id.to_owned()], None).await?.0.pop())
}

/// One user, as [`read_users`] reads them, and the stored status of session `session_id`
/// (anyone's; `None` when there is no such session or none is asked about), read in the user's first statement: a
/// token's holder and its session checked for the cost of the user alone.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_user_and_session_status(
    db: &DatabaseConnection,
    id: &str,
    session_id: Option<&str>,
) -> Result<(Option<UserRecord>, Option<String>), DbErr> {
    let (mut users, status) = read_users_with(db, &[id.to_owned()], session_id).await?;
    Ok((users.pop(), status))
}

/// One user, on the caller's connection or transaction.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn load_user(db: &impl ConnectionTrait, id: &str) -> Result<Option<UserRecord>, DbErr> {
    Ok(load_users(db, &[id.to_owned()]).await?.pop())
}

/// [`load_users`], each user seen in one picture of the database (never a user row from
/// before a change and their addresses from after it). The user rows come with their email
/// addresses in one statement; when no user has rows in any other table, that statement is
/// all it takes (most users: an address and a password). Otherwise the users are read again
/// in a read-only transaction of their own, on one pooled connection: one statement more than
/// that transaction alone, and as many round trips as the read cost before addresses were
/// joined in (the transaction's own address query is gone).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn read_users(db: &DatabaseConnection, ids: &[String]) -> Result<Vec<UserRecord>, DbErr> {
    Ok(read_users_with(db, ids, None).await?.0)
}

/// [`read_users`], and with `session_id` that session's stored status, from the first
/// statement.
async fn read_users_with(
    db: &DatabaseConnection,
    ids: &[String],
    session_id: Option<&str>,
) -> Result<(Vec<UserRecord>, Option<String>), DbErr> {
    if ids.is_empty() {
        return Ok((Vec::new(), None));
    }
    let first = users_with_emails(db, Which::Ids(ids), session_id).await?;
    let status = first.iter().find_map(|(c, _)| c.session_status.clone());
    if first.iter().all(|(c, _)| c.only_emails()) {
        return Ok((assemble(ids, first), status));
    }
    let txn = super::begin_read(db).await?;
    let users = load_users(&txn, ids).await?;
    txn.commit().await?;
    Ok((users, status))
}

/// How many rows each user has in the tables around it (the email addresses come joined in),
/// read with the user row itself: the authenticator-app and backup-code figures are all a
/// [`UserRecord`] keeps of those, and a table the user has nothing in is not read at all.
#[derive(Debug)]
struct Counted {
    user: user::Model,
    phones: i64,
    totp: i64,
    backup_codes: i64,
    wallets: i64,
    passkeys: i64,
    external: i64,
    memberships: i64,
    /// The status of the session the read was asked about, if it exists.
    session_status: Option<String>,
}

/// The column of [`Counted::session_status`].
const SESSION_STATUS: &str = "session_status";

/// The column names of [`Counted`]'s figures, each a correlated `COUNT(*)` over an index on
/// `user_id`.
const COUNTS: [&str; 7] = [
    "n_phones",
    "n_totp",
    "n_backup_codes",
    "n_wallets",
    "n_passkeys",
    "n_external",
    "n_memberships",
];

impl Counted {
    /// Whether the user has rows in no table but the email addresses.
    fn only_emails(&self) -> bool {
        self.phones == 0
            && self.wallets == 0
            && self.passkeys == 0
            && self.external == 0
            && self.memberships == 0
    }
}

impl sea_orm::FromQueryResult for Counted {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, DbErr> {
        let n = |i: usize| res.try_get::<i64>(pre, COUNTS[i]);
        Ok(Self {
            user: user::Model::from_query_result(res, pre)?,
            phones: n(0)?,
            totp: n(1)?,
            backup_codes: n(2)?,
            wallets: n(3)?,
            passkeys: n(4)?,
            external: n(5)?,
            memberships: n(6)?,
            session_status: res.try_get(pre, SESSION_STATUS)?,
        })
    }
}

/// `(SELECT status FROM sessions WHERE id = $1)`: NULL when there is no such session. Asked
/// about none, a NULL of the same type, and no lookup.
fn session_status(session_id: Option<&str>) -> sea_orm::sea_query::Expr {
    use super::entities::session;
    use sea_orm::sea_query::{Expr, ExprTrait, Query, QueryStatementBuilder};
    let Some(session_id) = session_id else {
        return Expr::val(Option::<String>::None);
    };
    let mut q = Query::select();
    q.column((session::Entity, session::Column::Status))
        .from(session::Entity)
        .and_where(Expr::col((session::Entity, session::Column::Id)).eq(session_id));
    Expr::SubQuery(None, Box::new(q.into_sub_query_statement()))
}

/// `(SELECT COUNT(*) FROM table WHERE table.user_id = users.id [AND extra])`.
fn count_of<T, C>(
    table: T,
    user_id: C,
    extra: Option<sea_orm::sea_query::Expr>,
) -> sea_orm::sea_query::Expr
where
    T: sea_orm::sea_query::IntoTableRef + sea_orm::sea_query::Iden + Copy + 'static,
    C: sea_orm::sea_query::IntoIden + Copy + 'static,
{
    use sea_orm::sea_query::{Expr, ExprTrait, Query, QueryStatementBuilder};
    let mut q = Query::select();
    q.expr(Expr::cust("COUNT(*)"))
        .from(table)
        .and_where(Expr::col((table, user_id)).equals((user::Entity, user::Column::Id)));
    if let Some(extra) = extra {
        q.and_where(extra);
    }
    Expr::SubQuery(None, Box::new(q.into_sub_query_statement()))
}

/// The user rows with how many rows each has in every other table (an authenticator app and
/// backup codes are known from that alone), and their email addresses, oldest first, joined
/// in: one statement. Each row also carries the status of session `session_id` (a lookup by
/// primary key; NULL with none asked for).
async fn users_with_emails(
    db: &impl ConnectionTrait,
    which: Which<'_>,
    session_id: Option<&str>,
) -> Result<Vec<(Counted, Vec<email_address::Model>)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{JoinType, RelationDef};
    let counts = [
        count_of(phone_number::Entity, phone_number::Column::UserId, None),
        count_of(
            totp_factor::Entity,
            totp_factor::Column::UserId,
            Some(Expr::col((totp_factor::Entity, totp_factor::Column::Verified)).eq(true)),
        ),
        count_of(
            backup_code::Entity,
            backup_code::Column::UserId,
            Some(Expr::col((backup_code::Entity, backup_code::Column::UsedAt)).is_null()),
        ),
        count_of(web3_wallet::Entity, web3_wallet::Column::UserId, None),
        count_of(passkey::Entity, passkey::Column::UserId, None),
        count_of(
            super::entities::external_account::Entity,
            super::entities::external_account::Column::UserId,
            None,
        ),
        count_of(
            super::entities::organization_membership::Entity,
            super::entities::organization_membership::Column::UserId,
            None,
        ),
    ];
    let mut select = match which {
        Which::Ids(ids) => user::Entity::find().filter(user::Column::Id.is_in(ids.iter().cloned())),
        Which::Identifier(kind, value) => user::Entity::find().filter(named_by(kind, value)),
    };
    for (expr, name) in counts.into_iter().zip(COUNTS) {
        select = select.column_as(expr, name);
    }
    select = select.column_as(session_status(session_id), SESSION_STATUS);
    // users -> email_addresses on email_addresses.user_id = users.id.
    let addresses: RelationDef = email_address::Entity::belongs_to(user::Entity)
        .from(email_address::Column::UserId)
        .to(user::Column::Id)
        .into();
    let rows: Vec<(Counted, Option<email_address::Model>)> = select
        .select_also(email_address::Entity)
        .join(JoinType::LeftJoin, addresses.rev())
        .order_by_asc(email_address::Column::CreatedAt)
        .into_model::<Counted, email_address::Model>()
        .all(db)
        .await?;
    // One row per address (one with none for a user without any), a user's rows together
    // or not: gathered by user id, in the order the addresses came.
    let mut users: Vec<(Counted, Vec<email_address::Model>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (counted, email) in rows {
        let i = *at.entry(counted.user.id.clone()).or_insert_with(|| {
            users.push((counted, Vec::new()));
            users.len() - 1
        });
        users[i].1.extend(email);
    }
    Ok(users)
}

/// Which users [`users_with_emails`] reads.
#[derive(Clone, Copy)]
enum Which<'a> {
    Ids(&'a [String]),
    /// The one a sign-in identifier names.
    Identifier(IdentifierKind, &'a str),
}

/// [`UserRecord`]s in the caller's order, from the users and addresses read so far.
fn assemble(ids: &[String], users: Vec<(Counted, Vec<email_address::Model>)>) -> Vec<UserRecord> {
    let mut by_user = records(users);
    ids.iter().filter_map(|id| by_user.remove(id)).collect()
}

fn records(users: Vec<(Counted, Vec<email_address::Model>)>) -> HashMap<String, UserRecord> {
    users
        .into_iter()
        .map(|(c, emails)| {
            (
                c.user.id.clone(),
                UserRecord {
                    user: c.user,
                    emails,
                    phones: Vec::new(),
                    totp: c.totp > 0,
                    backup_codes: usize::try_from(c.backup_codes).unwrap_or(0),
                    external: Vec::new(),
                    wallets: Vec::new(),
                    passkeys: Vec::new(),
                    memberships: Vec::new(),
                },
            )
        })
        .collect()
}

/// Loads users with their identifications, second factors, wallets, passkeys, upstream
/// accounts and organization memberships: the user rows and email addresses first
/// ([`users_with_emails`]), then only the tables where some user has rows. A user with an
/// email address and a password costs one statement, and no number of users costs more
/// than seven.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn load_users(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<UserRecord>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let users = users_with_emails(db, Which::Ids(ids), None).await?;
    // The users that have rows in a table: only they are asked for there.
    let having = |n: fn(&Counted) -> i64| -> Vec<String> {
        users
            .iter()
            .filter(|(u, _)| n(u) > 0)
            .map(|(u, _)| u.user.id.clone())
            .collect()
    };
    let (with_phones, with_wallets, with_passkeys, with_external, with_memberships) = (
        having(|u| u.phones),
        having(|u| u.wallets),
        having(|u| u.passkeys),
        having(|u| u.external),
        having(|u| u.memberships),
    );
    let mut by_user = records(users);
    if !with_phones.is_empty() {
        for p in phone_number::Entity::find()
            .filter(phone_number::Column::UserId.is_in(with_phones))
            .order_by_asc(phone_number::Column::CreatedAt)
            .all(db)
            .await?
        {
            if let Some(r) = by_user.get_mut(&p.user_id) {
                r.phones.push(p);
            }
        }
    }
    if !with_wallets.is_empty() {
        for w in web3_wallet::Entity::find()
            .filter(web3_wallet::Column::UserId.is_in(with_wallets))
            .order_by_asc(web3_wallet::Column::CreatedAt)
            .all(db)
            .await?
        {
            if let Some(r) = by_user.get_mut(&w.user_id) {
                r.wallets.push(w);
            }
        }
    }
    if !with_passkeys.is_empty() {
        for p in passkey::Entity::find()
            .filter(passkey::Column::UserId.is_in(with_passkeys))
            .order_by_asc(passkey::Column::CreatedAt)
            .all(db)
            .await?
        {
            if let Some(r) = by_user.get_mut(&p.user_id) {
                r.passkeys.push(p);
            }
        }
    }
    if !with_external.is_empty() {
        for x in super::external::of_users(db, &with_external).await? {
            if let Some(r) = by_user.get_mut(&x.user_id) {
                r.external.push(x);
            }
        }
    }
    if !with_memberships.is_empty() {
        for m in super::organizations::memberships_of_users(db, &with_memberships).await? {
            if let Some(r) = by_user.get_mut(&m.membership.user_id) {
                r.memberships.push(m);
            }
        }
    }
    // Keep the caller's order.
    Ok(ids.iter().filter_map(|id| by_user.remove(id)).collect())
}

pub struct NewUser {
    pub id: String,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: String,
    pub public_metadata: String,
    pub private_metadata: String,
    pub external_id: Option<String>,
    pub locale: Option<String>,
    pub legal_accepted_at: Option<i64>,
    /// Signed in as it is created (a sign-up), as opposed to made by an operator or an import.
    pub signed_in: bool,
    /// `(id, address, verification strategy)`; the first one becomes primary.
    pub emails: Vec<(String, String, String)>,
    pub phones: Vec<(String, String, String)>,
    /// `(id, checksummed address, verification strategy)`.
    pub wallets: Vec<(String, String, String)>,
    pub now: i64,
}

/// Inserts a user and its identifications. Call inside a transaction: a unique violation on
/// any identifier must leave nothing behind.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_user(db: &impl ConnectionTrait, new: NewUser) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(new.id.clone()),
        username: Set(new.username),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        password_hash: Set(new.password_hash),
        primary_email_address_id: Set(new.emails.first().map(|e| e.0.clone())),
        primary_phone_number_id: Set(new.phones.first().map(|p| p.0.clone())),
        unsafe_metadata: Set(new.unsafe_metadata),
        public_metadata: Set(new.public_metadata),
        private_metadata: Set(new.private_metadata),
        external_id: Set(new.external_id),
        locale: Set(new.locale),
        legal_accepted_at: Set(new.legal_accepted_at),
        last_sign_in_at: Set(new.signed_in.then_some(new.now)),
        banned: Set(false),
        locked: Set(false),
        created_at: Set(new.now),
        updated_at: Set(new.now),
    }
    .insert(db)
    .await?;
    for (id, address, strategy) in new.emails {
        email_address::ActiveModel {
            id: Set(id),
            user_id: Set(new.id.clone()),
            email_address: Set(address),
            verified: Set(true),
            verification_strategy: Set(Some(strategy)),
            created_at: Set(new.now),
            updated_at: Set(new.now),
        }
        .insert(db)
        .await?;
    }
    for (id, address, strategy) in new.wallets {
        web3_wallet::ActiveModel {
            id: Set(id),
            user_id: Set(new.id.clone()),
            web3_wallet: Set(address),
            verified: Set(true),
            verification_strategy: Set(Some(strategy)),
            created_at: Set(new.now),
            updated_at: Set(new.now),
        }
        .insert(db)
        .await?;
    }
    for (id, number, strategy) in new.phones {
        phone_number::ActiveModel {
            id: Set(id),
            user_id: Set(new.id.clone()),
            phone_number: Set(number),
            verified: Set(true),
            verification_strategy: Set(Some(strategy)),
            reserved_for_second_factor: Set(false),
            default_second_factor: Set(false),
            created_at: Set(new.now),
            updated_at: Set(new.now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A session is about to be made for the user: records the sign-in time unless the user is
/// banned or locked, and answers whether they are (`None`: no such user), in one statement.
///
/// Being an update, it holds the user's row until the caller's transaction ends. An operator's
/// ban updates the same row first and then revokes the user's sessions, so of a ban and a
/// sign-in at the same moment one waits for the other: either the sign-in sees the ban, or
/// the ban sees the new session (on PostgreSQL a waiting update reads the row as the other
/// transaction left it; SQLite runs one writer at a time).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn mark_signed_in(
    db: &impl ConnectionTrait,
    user_id: &str,
    now: i64,
) -> Result<Option<(bool, bool)>, DbErr> {
    let rows = mark_signed_in_query(user_id, now)
        .exec_with_returning(db)
        .await?;
    Ok(rows.first().map(|u| (u.banned, u.locked)))
}

/// [`mark_signed_in`]'s update, also written inside `sessions::open`'s single statement.
pub(crate) fn mark_signed_in_query(user_id: &str, now: i64) -> sea_orm::UpdateMany<user::Entity> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let unchanged = Expr::col(user::Column::Banned).or(Expr::col(user::Column::Locked));
    user::Entity::update_many()
        .col_expr(
            user::Column::LastSignInAt,
            Expr::case(unchanged, Expr::col(user::Column::LastSignInAt))
                .finally(Expr::value(now))
                .into(),
        )
        .filter(user::Column::Id.eq(user_id))
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn set_password(
    db: &impl ConnectionTrait,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .col_expr(
            user::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Adds an unverified email address to a user.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id), err(level = "debug"))]
pub async fn add_email(
    db: &impl ConnectionTrait,
    user_id: &str,
    id: &str,
    address: &str,
    now: i64,
) -> Result<(), DbErr> {
    email_address::ActiveModel {
        id: Set(id.to_owned()),
        user_id: Set(user_id.to_owned()),
        email_address: Set(address.to_owned()),
        verified: Set(false),
        verification_strategy: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Adds an unverified phone number to a user.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id), err(level = "debug"))]
pub async fn add_phone(
    db: &impl ConnectionTrait,
    user_id: &str,
    id: &str,
    number: &str,
    now: i64,
) -> Result<(), DbErr> {
    phone_number::ActiveModel {
        id: Set(id.to_owned()),
        user_id: Set(user_id.to_owned()),
        phone_number: Set(number.to_owned()),
        verified: Set(false),
        verification_strategy: Set(None),
        reserved_for_second_factor: Set(false),
        default_second_factor: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Marks an identification verified, and makes it primary when the user has none yet.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id, strategy = %strategy), err(level = "debug"))]
pub async fn mark_verified(
    db: &impl ConnectionTrait,
    user_id: &str,
    kind: IdentifierKind,
    id: &str,
    strategy: &str,
    now: i64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    let (primary_col, current) = match kind {
        IdentifierKind::Email => {
            email_address::Entity::update_many()
                .col_expr(email_address::Column::Verified, Expr::value(true))
                .col_expr(
                    email_address::Column::VerificationStrategy,
                    Expr::value(strategy),
                )
                .col_expr(email_address::Column::UpdatedAt, Expr::value(now))
                .filter(email_address::Column::Id.eq(id))
                .filter(email_address::Column::UserId.eq(user_id))
                .exec(db)
                .await?;
            (user::Column::PrimaryEmailAddressId, id)
        }
        IdentifierKind::Phone => {
            phone_number::Entity::update_many()
                .col_expr(phone_number::Column::Verified, Expr::value(true))
                .col_expr(
                    phone_number::Column::VerificationStrategy,
                    Expr::value(strategy),
                )
                .col_expr(phone_number::Column::UpdatedAt, Expr::value(now))
                .filter(phone_number::Column::Id.eq(id))
                .filter(phone_number::Column::UserId.eq(user_id))
                .exec(db)
                .await?;
            (user::Column::PrimaryPhoneNumberId, id)
        }
        IdentifierKind::Username => return Ok(()),
    };
    user::Entity::update_many()
        .col_expr(primary_col, Expr::value(current))
        .filter(user::Column::Id.eq(user_id))
        .filter(primary_col.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The user owning an email address or phone number, and which kind it is.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn identification_owner(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<(String, IdentifierKind)>, DbErr> {
    if let Some(e) = email_address::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    {
        return Ok(Some((e.user_id, IdentifierKind::Email)));
    }
    Ok(phone_number::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(|p| (p.user_id, IdentifierKind::Phone)))
}

/// Marks an email address or phone number unverified again (an operator's correction).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn mark_unverified(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    id: &str,
    now: i64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    match kind {
        IdentifierKind::Email => {
            email_address::Entity::update_many()
                .col_expr(email_address::Column::Verified, Expr::value(false))
                .col_expr(email_address::Column::UpdatedAt, Expr::value(now))
                .filter(email_address::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
        IdentifierKind::Phone => {
            phone_number::Entity::update_many()
                .col_expr(phone_number::Column::Verified, Expr::value(false))
                .col_expr(
                    phone_number::Column::ReservedForSecondFactor,
                    Expr::value(false),
                )
                .col_expr(
                    phone_number::Column::DefaultSecondFactor,
                    Expr::value(false),
                )
                .col_expr(phone_number::Column::UpdatedAt, Expr::value(now))
                .filter(phone_number::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
        IdentifierKind::Username => {}
    }
    Ok(())
}

/// Makes a verified identification the user's primary one.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn set_primary(
    db: &impl ConnectionTrait,
    user_id: &str,
    kind: IdentifierKind,
    id: Option<&str>,
    now: i64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    let col = match kind {
        IdentifierKind::Email => user::Column::PrimaryEmailAddressId,
        IdentifierKind::Phone => user::Column::PrimaryPhoneNumberId,
        IdentifierKind::Username => return Ok(()),
    };
    user::Entity::update_many()
        .col_expr(col, Expr::value(id.map(str::to_owned)))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes an email address or phone number of the user's; false when there was none.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id), err(level = "debug"))]
pub async fn remove_identification(
    db: &impl ConnectionTrait,
    user_id: &str,
    kind: IdentifierKind,
    id: &str,
) -> Result<bool, DbErr> {
    let n = match kind {
        IdentifierKind::Email => {
            email_address::Entity::delete_many()
                .filter(email_address::Column::Id.eq(id))
                .filter(email_address::Column::UserId.eq(user_id))
                .exec(db)
                .await?
                .rows_affected
        }
        IdentifierKind::Phone => {
            phone_number::Entity::delete_many()
                .filter(phone_number::Column::Id.eq(id))
                .filter(phone_number::Column::UserId.eq(user_id))
                .exec(db)
                .await?
                .rows_affected
        }
        IdentifierKind::Username => 0,
    };
    Ok(n == 1)
}

/// Profile fields a user may change themselves; `None` leaves one as it is.
#[derive(Debug, Default)]
pub struct ProfileChange {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub unsafe_metadata: Option<String>,
    pub public_metadata: Option<String>,
    pub private_metadata: Option<String>,
    pub external_id: Option<Option<String>>,
    pub locale: Option<Option<String>>,
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn update_profile(
    db: &impl ConnectionTrait,
    user_id: &str,
    change: ProfileChange,
    now: i64,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    let mut q = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id));
    if let Some(v) = change.first_name {
        q = q.col_expr(user::Column::FirstName, Expr::value(v));
    }
    if let Some(v) = change.last_name {
        q = q.col_expr(user::Column::LastName, Expr::value(v));
    }
    if let Some(v) = change.username {
        q = q.col_expr(user::Column::Username, Expr::value(v));
    }
    if let Some(v) = change.unsafe_metadata {
        q = q.col_expr(user::Column::UnsafeMetadata, Expr::value(v));
    }
    if let Some(v) = change.public_metadata {
        q = q.col_expr(user::Column::PublicMetadata, Expr::value(v));
    }
    if let Some(v) = change.private_metadata {
        q = q.col_expr(user::Column::PrivateMetadata, Expr::value(v));
    }
    if let Some(v) = change.external_id {
        q = q.col_expr(user::Column::ExternalId, Expr::value(v));
    }
    if let Some(v) = change.locale {
        q = q.col_expr(user::Column::Locale, Expr::value(v));
    }
    q.exec(db).await?;
    Ok(())
}

/// The user owning a verified wallet, if any.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_user_id_by_wallet(
    db: &impl ConnectionTrait,
    address: &str,
) -> Result<Option<String>, DbErr> {
    Ok(web3_wallet::Entity::find()
        .filter(web3_wallet::Column::Web3Wallet.eq(address))
        .filter(web3_wallet::Column::Verified.eq(true))
        .one(db)
        .await?
        .map(|w| w.user_id))
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn wallet_taken(db: &impl ConnectionTrait, address: &str) -> Result<bool, DbErr> {
    Ok(web3_wallet::Entity::find()
        .filter(web3_wallet::Column::Web3Wallet.eq(address))
        .one(db)
        .await?
        .is_some())
}

/// Frees an email address or phone number that another user added but never verified
/// before `older_than` (unix ms): an unverified claim must not hold an address forever.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn release_stale_claim(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    value: &str,
    older_than: i64,
) -> Result<u64, DbErr> {
    Ok(match kind {
        IdentifierKind::Email => {
            email_address::Entity::delete_many()
                .filter(email_address::Column::EmailAddress.eq(value))
                .filter(email_address::Column::Verified.eq(false))
                .filter(email_address::Column::CreatedAt.lt(older_than))
                .exec(db)
                .await?
                .rows_affected
        }
        IdentifierKind::Phone => {
            phone_number::Entity::delete_many()
                .filter(phone_number::Column::PhoneNumber.eq(value))
                .filter(phone_number::Column::Verified.eq(false))
                .filter(phone_number::Column::CreatedAt.lt(older_than))
                .exec(db)
                .await?
                .rows_affected
        }
        IdentifierKind::Username => 0,
    })
}

/// Whether the user is banned or locked by an operator, `(banned, locked)`, and the stored
/// status of session `session_id` (anyone's; `None` when there is no such session or none is
/// asked about), in one statement.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn flags_and_session_status(
    db: &impl ConnectionTrait,
    user_id: &str,
    session_id: Option<&str>,
) -> Result<Option<(bool, bool, Option<String>)>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Banned)
        .column(user::Column::Locked)
        .column_as(session_status(session_id), SESSION_STATUS)
        .filter(user::Column::Id.eq(user_id))
        .into_tuple()
        .one(db)
        .await
}
