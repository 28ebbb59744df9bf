//! Organizations, memberships, invitations and roles in the Frontend API's shapes. Private
//! metadata is shown only where `private` says so (webhooks, the admin API).

use serde_json::{Value, json};

use super::roles::{self, Role};
use crate::Ctx;
use crate::store::organizations::{InvitationRow, MembershipRecord, OrganizationRow, PENDING};
use crate::store::users::UserRecord;
use crate::wire::metadata;

/// Who may see what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Members, through the Frontend API.
    Members,
    /// The operator: webhooks and the admin API, private metadata included.
    Operator,
}

pub fn organization(org: &OrganizationRow, pending: Option<u64>, to: Audience) -> Value {
    let mut v = json!({
        "object": "organization",
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "image_url": org.image_url.clone().unwrap_or_default(),
        "has_image": org.image_url.is_some(),
        "members_count": org.members_count,
        "max_allowed_memberships": org.max_allowed_memberships,
        "admin_delete_enabled": org.admin_delete_enabled,
        "self_serve_sso_enabled": false,
        "public_metadata": metadata(&org.public_metadata),
        "created_at": org.created_at,
        "updated_at": org.updated_at,
    });
    if let Some(n) = pending {
        v["pending_invitations_count"] = json!(n);
    }
    if to == Audience::Operator {
        v["private_metadata"] = metadata(&org.private_metadata);
        v["created_by"] = json!(org.created_by);
    }
    v
}

/// What other members see of a user.
pub fn public_user_data(u: &UserRecord) -> Value {
    let identifier = u
        .primary_email()
        .map(|e| e.email_address.clone())
        .or_else(|| u.phones.first().map(|p| p.phone_number.clone()))
        .or_else(|| u.user.username.clone())
        .unwrap_or_default();
    json!({
        "user_id": u.user.id,
        "first_name": u.user.first_name,
        "last_name": u.user.last_name,
        "username": u.user.username,
        "image_url": "",
        "has_image": false,
        "identifier": identifier,
        "banned": u.user.banned,
    })
}

fn role_of(ctx: &Ctx, key: &str) -> Role {
    roles::find(&ctx.settings().organizations, key).unwrap_or_else(|| Role {
        // A role removed from config since: it keeps its key and grants nothing.
        key: key.to_owned(),
        name: key.to_owned(),
        description: String::new(),
        permissions: Vec::new(),
    })
}

pub fn membership(
    ctx: &Ctx,
    m: &MembershipRecord,
    user: Option<&UserRecord>,
    to: Audience,
) -> Value {
    let role = role_of(ctx, &m.membership.role);
    let mut v = json!({
        "object": "organization_membership",
        "id": m.membership.id,
        "public_metadata": metadata(&m.membership.public_metadata),
        "role": role.key,
        "role_name": role.name,
        "permissions": role.permissions,
        "organization": organization(&m.organization, None, to),
        "public_user_data": user.map(public_user_data),
        "created_at": m.membership.created_at,
        "updated_at": m.membership.updated_at,
    });
    if to == Audience::Operator {
        v["private_metadata"] = metadata(&m.membership.private_metadata);
    }
    v
}

/// An invitation's status as of now: a pending one past its expiry is `expired`.
pub fn invitation_status(inv: &InvitationRow, now: i64) -> &str {
    if inv.status == PENDING && inv.expires_at <= now {
        "expired"
    } else {
        &inv.status
    }
}

pub fn invitation(ctx: &Ctx, inv: &InvitationRow, org: &OrganizationRow, to: Audience) -> Value {
    let role = role_of(ctx, &inv.role);
    let mut v = json!({
        "object": "organization_invitation",
        "id": inv.id,
        "email_address": inv.email_address,
        "role": role.key,
        "role_name": role.name,
        "organization_id": org.id,
        "public_organization_data": {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "image_url": org.image_url.clone().unwrap_or_default(),
            "has_image": org.image_url.is_some(),
        },
        "status": invitation_status(inv, ctx.now()),
        "public_metadata": metadata(&inv.public_metadata),
        "url": null,
        "expires_at": inv.expires_at,
        "created_at": inv.created_at,
        "updated_at": inv.updated_at,
    });
    if to == Audience::Operator {
        v["private_metadata"] = metadata(&inv.private_metadata);
        v["inviter_user_id"] = json!(inv.inviter_user_id);
    }
    v
}

pub fn role(r: &Role, creator_role: &str) -> Value {
    json!({
        "object": "role",
        "id": r.key,
        "key": r.key,
        "name": r.name,
        "description": r.description,
        "is_creator_eligible": r.key == creator_role || r.key == roles::ADMIN,
        "permissions": r.permissions.iter().map(|p| json!({
            "object": "permission",
            "id": p,
            "key": p,
            "name": p,
            "description": "",
            "type": if p.starts_with("org:sys_") { "system" } else { "user" },
            "created_at": 0,
            "updated_at": 0,
        })).collect::<Vec<_>>(),
        "created_at": 0,
        "updated_at": 0,
    })
}

/// `{data, total_count}`, or the bare array when the caller did not ask for pages (older
/// SDKs).
pub fn page(data: Vec<Value>, total: u64, paginated: bool) -> Value {
    if paginated {
        json!({ "data": data, "total_count": total })
    } else {
        Value::Array(data)
    }
}
