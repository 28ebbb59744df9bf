//! Clerk's Backend API under `/bapi/v1`, so an app's server code written with Clerk's backend
//! SDKs (`@clerk/backend` and the framework SDKs built on it) runs against Portcullis with
//! only its keys and API URL changed. The secret key is a Portcullis admin key
//! (`Authorization: Bearer sk_live_…`). Paths, query parameters, shapes and error codes follow
//! Clerk's public description of the API (`bapi/2026-05-12.yml`); the handlers call the same
//! flows as the admin API and differ only in the shapes they read and write.
//!
//! Clerk's SDK reads a body as JSON only when `Content-Type` is exactly `application/json`,
//! which is what every answer here (errors included) carries.

mod organizations;
mod resources;
mod tokens;
mod users;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use organizations::*;
use resources::*;
use serde_json::{Value, json};
use tokens::*;
use users::*;

use super::admin::call::{Call, Operator};
use super::admin::organizations::*;
use super::admin::{Out, ok, respond};
use super::fapi::extract::error_response;
use super::openapi::{Api, api_table};
use crate::flows::{ApiError, Ctx, ErrorCode, FlowError};

/// The Backend API under `/bapi/v1`; any other path there is `resource_not_found`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/bapi/v1")
            .configure(register_routes)
            .default_service(web::to(not_found)),
    );
}

// One line per operation: the routes and their part of `/openapi.json`.
api_table! { Api::Backend, "/bapi/v1", register_routes, operations;
    get "/users" => users_list, "List users (a bare array; `/users/count` counts them)", query USER_QUERY, returns Array;
    get "/users/count" => users_count, "Count the users a listing would return", query USER_QUERY;
    post "/users" => user_create, "Create a user", json NewUser;
    get "/users/{user_id}" => user_get, "Get a user";
    patch "/users/{user_id}" => user_update, "Update a user", json UserChange;
    delete "/users/{user_id}" => user_delete, "Delete a user";
    patch "/users/{user_id}/metadata" => metadata_merge, "Merge into a user's metadata (null removes a key)", json Metadata;
    put "/users/{user_id}/metadata" => metadata_replace, "Replace a user's metadata documents", json Metadata;
    post "/users/{user_id}/ban" => user_ban, "Ban a user: every session revoked, no sign-in";
    post "/users/{user_id}/unban" => user_unban, "Lift a ban";
    post "/users/{user_id}/lock" => user_lock, "Lock a user";
    post "/users/{user_id}/unlock" => user_unlock, "Unlock a user and clear failed attempts";
    post "/users/{user_id}/verify_password" => verify_password, "Check a user's password (counts toward the lockout)", json PasswordCheck;
    post "/users/{user_id}/verify_totp" => verify_totp, "Check an authenticator or backup code (counts toward the lockout)", json CodeCheck;
    delete "/users/{user_id}/mfa" => disable_mfa, "Turn off every second factor of a user";
    get "/users/{user_id}/organization_memberships" => user_memberships, "The organizations a user belongs to", query &["limit", "offset"];
    get "/sessions" => sessions_list, "A user's or a client's sessions", query &["user_id", "client_id", "status", "limit", "offset", "paginated"];
    get "/sessions/{session_id}" => session_get, "Get a session";
    post "/sessions/{session_id}/revoke" => session_revoke, "Revoke a session";
    post "/sessions/{session_id}/tokens" => session_token, "A fresh session token for an active session";
    post "/sessions/{session_id}/tokens/{template_name}" => session_template_token, "A token of a JWT template for an active session";
    get "/jwt_templates" => templates_list, "List JWT templates", query &["paginated"];
    post "/jwt_templates" => template_create, "Create a JWT template", json crate::flows::jwt_templates::TemplateInput;
    get "/jwt_templates/{template_id}" => template_get, "Get a JWT template";
    patch "/jwt_templates/{template_id}" => template_update, "Change a JWT template", json crate::flows::jwt_templates::TemplateInput;
    delete "/jwt_templates/{template_id}" => template_delete, "Delete a JWT template";
    post "/actor_tokens" => actor_token_create, "A single-use link that signs an operator in as a user (impersonation)", json NewActor;
    post "/actor_tokens/{actor_token_id}/revoke" => actor_token_revoke, "Revoke an unused actor token";
    get "/clients" => clients_list, "List clients, newest first", query &["limit", "offset", "paginated"];
    get "/clients/{client_id}" => client_get, "Get a client";
    get "/invitations" => invitations_list, "List invitations, newest first", query &["status", "query", "limit", "offset", "paginated"];
    post "/invitations" => invitation_create, "Invite an email address to sign up", json NewInvitation;
    post "/invitations/bulk" => invitations_bulk, "Invite up to 100 addresses at once: all or none", json Vec<NewInvitation>, returns Array;
    post "/invitations/{invitation_id}/revoke" => invitation_revoke, "Revoke a pending invitation";
    get "/allowlist_identifiers" => allowlist_list, "The sign-up allowlist", query &["paginated"];
    post "/allowlist_identifiers" => allowlist_add, "Add to the sign-up allowlist", json super::admin::NewRule;
    delete "/allowlist_identifiers/{identifier_id}" => allowlist_remove, "Remove from the sign-up allowlist";
    get "/blocklist_identifiers" => blocklist_list, "The sign-up blocklist";
    post "/blocklist_identifiers" => blocklist_add, "Add to the sign-up blocklist", json super::admin::NewRule;
    delete "/blocklist_identifiers/{identifier_id}" => blocklist_remove, "Remove from the sign-up blocklist";
    post "/sign_in_tokens" => sign_in_token_create, "A single-use link that signs a user in", json NewSignInToken;
    post "/sign_in_tokens/{sign_in_token_id}/revoke" => sign_in_token_revoke, "Revoke an unused sign-in token";
    post "/email_addresses" => email_create, "Add an email address to a user", json NewEmail;
    get "/email_addresses/{email_address_id}" => identification_get, "Get an email address";
    patch "/email_addresses/{email_address_id}" => identification_update, "Mark an email address verified or primary", json IdentificationChange;
    delete "/email_addresses/{email_address_id}" => identification_delete, "Remove an email address";
    post "/phone_numbers" => phone_create, "Add a phone number to a user", json NewPhone;
    get "/phone_numbers/{phone_number_id}" => identification_get, "Get a phone number";
    patch "/phone_numbers/{phone_number_id}" => identification_update, "Mark a phone number verified, primary or a second factor", json IdentificationChange;
    delete "/phone_numbers/{phone_number_id}" => identification_delete, "Remove a phone number";
    get "/jwks" => jwks, "The keys that sign session tokens (JWKS)";
    get "/organization_memberships" => all_memberships, "Every membership of every organization, newest first", query crate::flows::organizations::operator::ALL_MEMBERS_QUERY;
    get "/organizations" => organizations_list, "List organizations, newest first", query crate::flows::organizations::operator::LIST_QUERY;
    post "/organizations" => organization_create, "Create an organization", json crate::flows::organizations::operator::CreateOrganization;
    get "/organizations/{organization_id}" => organization_get, "Get an organization by id or slug";
    patch "/organizations/{organization_id}" => organization_update, "Change an organization", json crate::flows::organizations::OrganizationChange;
    delete "/organizations/{organization_id}" => organization_delete, "Delete an organization";
    patch "/organizations/{organization_id}/metadata" => org_metadata_merge, "Merge into an organization's metadata (null removes a key)", json crate::flows::organizations::operator::Metadata;
    put "/organizations/{organization_id}/metadata" => org_metadata_replace, "Replace an organization's metadata documents", json crate::flows::organizations::operator::Metadata;
    put "/organizations/{organization_id}/logo" => org_logo_put, "Set an organization's logo: a PNG, JPEG, GIF or WebP image of at most 2 MiB", upload crate::flows::images::MAX_BYTES;
    delete "/organizations/{organization_id}/logo" => org_logo_delete, "Remove an organization's logo";
    get "/organizations/{organization_id}/memberships" => org_members_list, "An organization's members", query crate::flows::organizations::MEMBERS_QUERY;
    post "/organizations/{organization_id}/memberships" => org_member_add, "Add a user to an organization", json crate::flows::organizations::operator::NewMembership;
    patch "/organizations/{organization_id}/memberships/{user_id}" => org_member_update, "Change a member's role or metadata", json crate::flows::organizations::MembershipChange;
    delete "/organizations/{organization_id}/memberships/{user_id}" => org_member_remove, "Remove a member";
    patch "/organizations/{organization_id}/memberships/{user_id}/metadata" => org_member_metadata, "Merge into a member's metadata", json crate::flows::organizations::operator::Metadata;
    get "/organizations/{organization_id}/invitations" => org_invitations_list, "An organization's invitations", query &["limit", "offset", "status"];
    post "/organizations/{organization_id}/invitations" => org_invitation_create, "Invite an email address to an organization", json crate::flows::organizations::NewInvitation;
    get "/organizations/{organization_id}/invitations/{invitation_id}" => org_invitation_get, "Get an organization invitation";
    get "/organizations/{organization_id}/domains" => org_domains_list, "An organization's domains", query crate::flows::organizations::domains::DOMAINS_QUERY;
    post "/organizations/{organization_id}/domains" => org_domain_add, "Add a domain to an organization (verified unless `verified: false`)", json crate::flows::organizations::operator::NewDomain;
    patch "/organizations/{organization_id}/domains/{domain_id}" => org_domain_update, "Change a domain's enrollment mode or verification", json crate::flows::organizations::operator::DomainChange;
    delete "/organizations/{organization_id}/domains/{domain_id}" => org_domain_remove, "Remove a domain";
    post "/organizations/{organization_id}/invitations/{invitation_id}/revoke" => org_invitation_revoke, "Revoke an organization invitation";
}

/// Any other path under `/bapi/v1`: 404 for an operator, 401 for anyone else.
async fn not_found(_: Operator) -> HttpResponse {
    respond(Err(ApiError::new(
        ErrorCode::ResourceNotFound,
        "not found",
        "There is no Backend API endpoint at this path and method.",
    )
    .into()))
}

/// A Backend API query: Clerk's SDKs repeat a key for a list (`email_address=a&email_address=b`).
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn of(req: &HttpRequest) -> Self {
        Self(
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// Every value of `name`, in order, empty ones left out.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `name`; more than one is refused.
    pub(crate) fn one(&self, name: &str) -> Result<Option<String>, FlowError> {
        let mut all = self.all(name);
        if all.len() > 1 {
            return Err(ApiError::invalid_value(name, "Give this parameter once.").into());
        }
        Ok(all.pop())
    }

    /// A whole number of at most `max`, or `default`.
    pub(crate) fn number(&self, name: &str, default: u64, max: u64) -> Result<u64, FlowError> {
        match self.one(name)? {
            None => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(ApiError::new(
                    ErrorCode::FormParamFormatInvalid,
                    "is invalid",
                    format!("`{name}` must be a whole number from 0 to {max}."),
                )
                .param(name)
                .into()),
            },
        }
    }

    /// `limit` (1 to 500, 10 by default, as Clerk) and `offset`.
    pub(crate) fn page(&self) -> Result<(u64, u64), FlowError> {
        let limit = self
            .number("limit", 10, crate::flows::admin::MAX_PAGE)?
            .max(1);
        Ok((limit, self.number("offset", 0, 10_000_000)?))
    }

    /// `true` / `false`.
    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, FlowError> {
        match self.one(name)?.as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::invalid_value(name, "`true` or `false`.").into()),
        }
    }
}

/// A list as Clerk pages one: `{data, total_count}`.
fn paginated(data: Vec<Value>, total: u64) -> Out {
    ok(
        StatusCode::OK,
        json!({ "data": data, "total_count": total }),
    )
}

/// Renders a flow's result as the resource it returns.
fn answer(result: Result<Value, FlowError>) -> HttpResponse {
    match result {
        Ok(body) => respond(ok(StatusCode::OK, body)),
        Err(e) => error_response(&e),
    }
}
