//! Organizations: creation, roles enforced on every endpoint, invitations, the member quota,
//! the last-admin rule, and the active organization in the session and its token.

use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::{Backend, Res, TestApp};
use crate::pages::{get, post, submit};
use portcullis::config::{OrganizationRole, Settings};

const PASSWORD: &str = "correct horse battery";

fn payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn enabled(s: &mut Settings) {
    s.organizations.enabled = true;
    s.organizations.roles = vec![OrganizationRole {
        key: "org:billing_manager".into(),
        name: "Billing manager".into(),
        description: "Pays the bills".into(),
        permissions: vec!["org:billing:manage".into(), "org:billing:read".into()],
    }];
}

async fn spawn(backend: Backend, more: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        enabled(s);
        more(s);
    })
    .await
}

/// A signed-in user in a new browser, with their session id.
async fn user(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let b = crate::helpers::browser();
    let r = app.sign_up_with_email(&b, email, PASSWORD).await;
    let sid = r.body["client"]["last_active_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (b, sid)
}

async fn create(app: &TestApp, b: &reqwest::Client, name: &str) -> String {
    let r = app.post_as(b, "/v1/organizations", &[("name", name)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["response"]["id"].as_str().unwrap().to_owned()
}

async fn token(app: &TestApp, b: &reqwest::Client, sid: &str) -> Value {
    let r = app
        .post_as(b, &format!("/v1/client/sessions/{sid}/tokens"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    payload(r.body["jwt"].as_str().unwrap())
}

/// `owner` invites `email` as `role`; the invitee accepts.
async fn join(
    app: &TestApp,
    owner: &reqwest::Client,
    org: &str,
    invitee: &reqwest::Client,
    email: &str,
    role: &str,
) {
    let r = app
        .post_as(
            owner,
            &format!("/v1/organizations/{org}/invitations"),
            &[("email_address", email), ("role", role)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
    let r = app
        .post_as(
            invitee,
            &format!("/v1/me/organization_invitations/{inv}/accept"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// The invitation link in the latest email to `to` (undoing quoted-printable line breaks).
pub(crate) fn invitation_link(app: &TestApp, to: &str) -> String {
    let mail = app
        .mail
        .all()
        .into_iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == to))
        .expect("an invitation email");
    let text = mail.data.replace("=\n", "").replace("=3D", "=");
    let at = text
        .find("/organizations/invitation?ticket=")
        .expect("an invitation link");
    let from = text[..at].rfind("http").unwrap();
    text[from..].split_whitespace().next().unwrap().to_owned()
}

fn assert_code(r: &Res, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.error_code(), code, "{}", r.body);
}

backend_tests! {
    async fn organizations_are_off_unless_enabled(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["organization_settings"]["enabled"], false);
        let (b, sid) = user(&app, "ada@example.com").await;
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Acme")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_not_enabled_in_instance");
        let r = app.get_as(&b, "/v1/me/organization_memberships").await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_not_enabled_in_instance");
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", "org_x")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_not_enabled_in_instance");
    }

    async fn a_creator_is_admin_and_the_active_organization_is_in_the_token(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.max_allowed_memberships = 7).await else { return };
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["organization_settings"]["enabled"], true);
        assert_eq!(env.body["organization_settings"]["max_allowed_memberships"], 7);
        assert_eq!(env.body["user_settings"]["actions"]["create_organization"], true);
        let (b, sid) = user(&app, "ada@example.com").await;
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Acme Corp.")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let org = &r.body["response"];
        assert_eq!(org["object"], "organization");
        assert_eq!(org["slug"], "acme-corp");
        assert_eq!(org["members_count"], 1);
        assert_eq!(org["max_allowed_memberships"], 7);
        assert!(org.get("private_metadata").is_none(), "private metadata stays private");
        let id = org["id"].as_str().unwrap().to_owned();
        // The user object lists the membership with the role's permissions.
        let m = &r.body["client"]["sessions"][0]["user"]["organization_memberships"][0];
        assert_eq!(m["role"], "org:admin", "{}", r.body);
        assert_eq!(m["organization"]["id"], id.as_str());
        let perms: Vec<&str> = m["permissions"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(perms.contains(&"org:sys_memberships:manage") && perms.contains(&"org:billing:manage"), "{perms:?}");
        assert_eq!(m["public_user_data"]["identifier"], "ada@example.com");
        // No organization is active until the session chooses one.
        let t = token(&app, &b, &sid).await;
        assert!(t.get("o").is_none(), "{t}");
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", &id), ("intent", "select_org")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["last_active_organization_id"], id.as_str());
        let t = token(&app, &b, &sid).await;
        assert_eq!(t["o"]["id"], id.as_str(), "{t}");
        assert_eq!(t["o"]["rol"], "admin");
        assert_eq!(t["o"]["slg"], "acme-corp");
        assert_eq!(t["o"]["per"], "manage,read");
        assert_eq!(t["o"]["fpm"], "3");
        assert_eq!(t["fea"], "o:billing");
        // By slug too; and back to the personal account with an empty value.
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", "")]).await;
        assert_eq!(r.body["response"]["last_active_organization_id"], Value::Null, "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", "acme-corp")]).await;
        assert_eq!(r.body["response"]["last_active_organization_id"], id.as_str(), "{}", r.body);
        let r = app.get_as(&b, &format!("/v1/organizations/{id}/roles")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["total_count"], 3);
    }

    async fn v1_claims_name_the_organization_in_flat_claims(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.session_token_claims = "v1".into()).await else { return };
        let (b, sid) = user(&app, "ada@example.com").await;
        let id = create(&app, &b, "Acme").await;
        app.post_as(&b, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", &id)]).await;
        let t = token(&app, &b, &sid).await;
        assert_eq!(t["org_id"], id.as_str(), "{t}");
        assert_eq!(t["org_role"], "org:admin");
        assert_eq!(t["org_slug"], "acme");
        assert_eq!(t["org_permissions"], serde_json::json!(["org:billing:manage", "org:billing:read"]));
        assert!(t.get("o").is_none());
    }

    async fn an_invitation_is_accepted_once_and_only_by_its_address(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, bob_sid) = user(&app, "bob@example.com").await;
        let (eve, _) = user(&app, "eve@example.com").await;
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "Bob@Example.com"), ("role", "org:billing_manager")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "pending");
        assert_eq!(r.body["response"]["email_address"], "bob@example.com");
        let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
        // The email names the organization.
        let mail = app.mail.all().into_iter().rev().find(|m| m.to.iter().any(|t| t.contains("bob@example.com"))).expect("invitation email");
        assert!(mail.data.contains("Acme"), "{}", mail.data);


        // A second pending invitation to the same address is refused.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_eq!(r.error_param(), "email_address", "{}", r.body);
        // An unknown role is refused.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "x@example.com"), ("role", "org:owner")]).await;
        assert_eq!(r.error_param(), "role", "{}", r.body);
        // Eve neither sees nor accepts Bob's invitation.
        let r = app.get_as(&eve, "/v1/me/organization_invitations?paginated=true").await;
        assert_eq!(r.body["response"]["total_count"], 0, "{}", r.body);
        let r = app.post_as(&eve, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_code(&r, StatusCode::NOT_FOUND, "resource_not_found");
        let r = app.get_as(&bob, "/v1/me/organization_invitations?status=pending&paginated=true").await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        assert_eq!(r.body["response"]["data"][0]["public_organization_data"]["name"], "Acme");
        let r = app.post_as(&bob, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "accepted");
        let m = &r.body["client"]["sessions"][0]["user"]["organization_memberships"][0];
        assert_eq!(m["role"], "org:billing_manager", "{}", r.body);
        // Replayed: refused, and no second membership.
        let r = app.post_as(&bob, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/memberships?paginated=true")).await;
        assert_eq!(r.body["response"]["total_count"], 2, "{}", r.body);
        // Bob's token in Acme carries his custom permissions, and only his.
        app.post_as(&bob, &format!("/v1/client/sessions/{bob_sid}/touch"), &[("active_organization_id", &org)]).await;
        let t = token(&app, &bob, &bob_sid).await;
        assert_eq!(t["o"]["rol"], "billing_manager", "{t}");
        assert_eq!(t["o"]["per"], "manage,read");
        // Inviting a member again is refused.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "already_a_member_in_organization");
    }

    async fn an_expired_or_revoked_invitation_cannot_be_accepted(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.invitation_lifetime_secs = 3600).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, _) = user(&app, "bob@example.com").await;
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.clock.advance_secs(3601);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/invitations?status=expired&paginated=true")).await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        assert_eq!(r.body["response"]["data"][0]["status"], "expired");
        let r = app.post_as(&bob, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
        // A new one, revoked, is as dead.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_eq!(r.status, StatusCode::OK, "an expired invitation holds no seat: {}", r.body);
        let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations/{inv}/revoke"), &[]).await;
        assert_eq!(r.body["response"]["status"], "revoked", "{}", r.body);
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations/{inv}/revoke"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
        let r = app.post_as(&bob, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
    }

    async fn roles_are_enforced_on_every_endpoint(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, bob_sid) = user(&app, "bob@example.com").await;
        join(&app, &owner, &org, &bob, "bob@example.com", "org:member").await;
        let owner_id = app.get_as(&owner, "/v1/me").await.body["response"]["id"].as_str().unwrap().to_owned();
        // A member reads the organization and its members...
        assert_eq!(app.get_as(&bob, &format!("/v1/organizations/{org}")).await.status, StatusCode::OK);
        assert_eq!(app.get_as(&bob, &format!("/v1/organizations/{org}/memberships")).await.status, StatusCode::OK);
        // ...and changes nothing.
        let denied = [
            app.patch_as(&bob, &format!("/v1/organizations/{org}"), &[("name", "Mine")]).await,
            app.delete_as(&bob, &format!("/v1/organizations/{org}")).await,
            app.post_as(&bob, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "x@example.com"), ("role", "org:admin")]).await,
            app.get_as(&bob, &format!("/v1/organizations/{org}/invitations")).await,
            app.patch_as(&bob, &format!("/v1/organizations/{org}/memberships/{owner_id}"), &[("role", "org:member")]).await,
            app.delete_as(&bob, &format!("/v1/organizations/{org}/memberships/{owner_id}")).await,
            app.post_as(&bob, &format!("/v1/organizations/{org}/invitations/orginv_x/revoke"), &[]).await,
        ];
        for r in &denied {
            assert_code(r, StatusCode::FORBIDDEN, "not_allowed_access");
        }
        // Someone outside learns nothing, not even that it exists, by id or by slug.
        let (eve, eve_sid) = user(&app, "eve@example.com").await;
        for r in [
            app.get_as(&eve, &format!("/v1/organizations/{org}")).await,
            app.get_as(&eve, "/v1/organizations/acme").await,
            app.get_as(&eve, &format!("/v1/organizations/{org}/memberships")).await,
            app.delete_as(&eve, &format!("/v1/organizations/{org}")).await,
            app.delete_as(&eve, &format!("/v1/me/organization_memberships/{org}")).await,
            app.post_as(&eve, &format!("/v1/client/sessions/{eve_sid}/touch"), &[("active_organization_id", &org)]).await,
        ] {
            assert_code(&r, StatusCode::NOT_FOUND, "organization_not_found");
        }
        // Signed out: no organization call at all.
        let r = app.get_as(&crate::helpers::browser(), &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // A member may leave on their own, through either path.
        let r = app.delete_as(&bob, &format!("/v1/organizations/{org}/memberships/{}", app.get_as(&bob, "/v1/me").await.body["response"]["id"].as_str().unwrap())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get_as(&bob, &format!("/v1/organizations/{org}")).await;
        assert_code(&r, StatusCode::NOT_FOUND, "organization_not_found");
        // A session acting for an organization it left acts for none.
        let t = token(&app, &bob, &bob_sid).await;
        assert!(t.get("o").is_none(), "{t}");
    }

    async fn the_last_admin_cannot_leave_or_be_demoted(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let owner_id = app.get_as(&owner, "/v1/me").await.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.delete_as(&owner, &format!("/v1/me/organization_memberships/{org}")).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_minimum_permissions_needed");
        let r = app.patch_as(&owner, &format!("/v1/organizations/{org}/memberships/{owner_id}"), &[("role", "org:member")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_minimum_permissions_needed");
        let (bob, _) = user(&app, "bob@example.com").await;
        join(&app, &owner, &org, &bob, "bob@example.com", "org:member").await;
        let bob_id = app.get_as(&bob, "/v1/me").await.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.patch_as(&owner, &format!("/v1/organizations/{org}/memberships/{bob_id}"), &[("role", "org:admin")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["role"], "org:admin");
        let r = app.delete_as(&owner, &format!("/v1/me/organization_memberships/{org}")).await;
        assert_eq!(r.status, StatusCode::OK, "with another admin the owner may leave: {}", r.body);
        let r = app.delete_as(&bob, &format!("/v1/organizations/{org}/memberships/{bob_id}")).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_minimum_permissions_needed");
    }

    async fn the_member_quota_counts_pending_invitations(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.max_allowed_memberships = 2).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "carol@example.com"), ("role", "org:member")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_membership_quota_exceeded");
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.body["response"]["pending_invitations_count"], 1, "{}", r.body);
        app.post_as(&owner, &format!("/v1/organizations/{org}/invitations/{inv}/revoke"), &[]).await;
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "carol@example.com"), ("role", "org:member")]).await;
        assert_eq!(r.status, StatusCode::OK, "a revoked invitation frees its seat: {}", r.body);
    }

    async fn names_and_slugs_are_checked_and_slugs_unique(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.max_created_per_user = 3).await else { return };
        let (b, _) = user(&app, "ada@example.com").await;
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Acme"), ("slug", "acme")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Other"), ("slug", "acme")]).await;
        assert_code(&r, StatusCode::UNPROCESSABLE_ENTITY, "form_identifier_exists");
        assert_eq!(r.error_param(), "slug");
        // A slug made from a taken name's slug gets a suffix instead.
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Acme")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["response"]["slug"].as_str().unwrap().starts_with("acme-"), "{}", r.body);
        for (name, slug) in [("<script>x</script>", "ok"), ("Visit https://evil.example", "ok2"), ("Fine", "Not Valid"), ("Fine", "org_abc")] {
            let r = app.post_as(&b, "/v1/organizations", &[("name", name), ("slug", slug)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} / {slug}: {}", r.body);
        }
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Acme"), ("owner", "x")]).await;
        assert_code(&r, StatusCode::UNPROCESSABLE_ENTITY, "form_param_unknown");
        let r = app.patch_as(&b, &format!("/v1/organizations/{id}"), &[("name", "Acme Two"), ("slug", "acme-two")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["slug"], "acme-two");
        // The creation limit: three made, the fourth refused.
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Third")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["client"]["sessions"][0]["user"]["create_organization_enabled"], false, "{}", r.body);
        let r = app.post_as(&b, "/v1/organizations", &[("name", "Fourth")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_quota_exceeded");
    }

    async fn deleting_an_organization_ends_it_everywhere(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, bob_sid) = user(&app, "bob@example.com").await;
        join(&app, &owner, &org, &bob, "bob@example.com", "org:member").await;
        app.post_as(&bob, &format!("/v1/client/sessions/{bob_sid}/touch"), &[("active_organization_id", &org)]).await;
        assert_eq!(token(&app, &bob, &bob_sid).await["o"]["id"], org.as_str());
        let r = app.delete_as(&owner, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["deleted"], true);
        assert!(token(&app, &bob, &bob_sid).await.get("o").is_none());
        let r = app.get_as(&bob, "/v1/me").await;
        assert_eq!(r.body["response"]["organization_memberships"], serde_json::json!([]), "{}", r.body);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}")).await;
        assert_code(&r, StatusCode::NOT_FOUND, "organization_not_found");
    }

    async fn changes_are_queued_as_webhooks_with_their_change(backend) {
        let Some(app) = spawn(backend, |s| {
            s.webhooks.endpoints = vec![portcullis::config::WebhookEndpoint {
                url: "http://127.0.0.1:9/hooks".into(),
                secret: "whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ=".to_string().into(),
                events: vec![],
            }];
        }).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, _) = user(&app, "bob@example.com").await;
        join(&app, &owner, &org, &bob, "bob@example.com", "org:member").await;
        // A refused change queues nothing.
        let r = app.delete_as(&bob, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let queued = portcullis::flows::webhooks::recent(&app.app, 100).await.unwrap();
        let of = |t: &str| -> Vec<Value> {
            queued.iter().filter(|d| d.event_type == t).map(|d| serde_json::from_str(&d.payload).unwrap()).collect()
        };
        assert_eq!(of("organization.created").len(), 1);
        assert_eq!(of("organizationMembership.created").len(), 2, "the creator and the invitee");
        assert_eq!(of("organizationInvitation.created").len(), 1);
        assert_eq!(of("organizationInvitation.accepted").len(), 1);
        assert!(of("organization.deleted").is_empty());
        let created = &of("organization.created")[0];
        assert_eq!(created["data"]["id"], org.as_str());
        assert_eq!(created["data"]["private_metadata"], serde_json::json!({}), "operators see private metadata");
    }

    async fn operators_manage_every_organization_through_the_admin_api(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let admin = Admin::new(&app).await;
        let ada = admin.create_user("ada@example.com", PASSWORD).await;
        let bob = admin.create_user("bob@example.com", PASSWORD).await;
        let r = admin.post("/organizations", serde_json::json!({ "name": "Acme", "created_by": ada, "private_metadata": { "plan": "pro" } })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["members_count"], 1);
        assert_eq!(r.body["private_metadata"]["plan"], "pro");
        let org = r.body["id"].as_str().unwrap().to_owned();
        let r = admin.post("/organizations", serde_json::json!({ "name": "X", "owner": ada })).await;
        assert_code(&r, StatusCode::UNPROCESSABLE_ENTITY, "form_param_unknown");
        let r = admin.post("/organizations", serde_json::json!({ "name": "X", "created_by": "user_nobody" })).await;
        assert_eq!(r.error_param(), "created_by", "{}", r.body);
        let r = admin.get("/organizations?query=acm").await;
        assert_eq!(r.body["total_count"], 1, "{}", r.body);
        assert_eq!(admin.get("/organizations/acme").await.body["id"], org.as_str(), "by slug too");
        // Members: added once, roles changed, an admin always left.
        let r = admin.post(&format!("/organizations/{org}/memberships"), serde_json::json!({ "user_id": bob, "role": "org:member" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = admin.post(&format!("/organizations/{org}/memberships"), serde_json::json!({ "user_id": bob, "role": "org:member" })).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "already_a_member_in_organization");
        let r = admin.send("PATCH", &format!("/organizations/{org}/memberships/{ada}"), Some(serde_json::json!({ "role": "org:member" }))).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_minimum_permissions_needed");
        let r = admin.send("PATCH", &format!("/organizations/{org}/memberships/{bob}"), Some(serde_json::json!({ "role": "org:admin", "private_metadata": { "seat": 2 } }))).await;
        assert_eq!(r.body["role"], "org:admin", "{}", r.body);
        assert_eq!(r.body["private_metadata"]["seat"], 2);
        let r = admin.get(&format!("/organizations/{org}/memberships")).await;
        assert_eq!(r.body["total_count"], 2, "{}", r.body);
        // Members never see private metadata.
        let (b, _) = app.password_sign_in("bob@example.com", PASSWORD).await;
        let r = app.get_as(&b, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["response"].get("private_metadata").is_none(), "{}", r.body);
        let r = app.get_as(&b, &format!("/v1/organizations/{org}/memberships?paginated=true")).await;
        assert!(r.body["response"]["data"][0].get("private_metadata").is_none(), "{}", r.body);
        // The quota binds operators too.
        let r = admin.send("PATCH", &format!("/organizations/{org}"), Some(serde_json::json!({ "max_allowed_memberships": 2 }))).await;
        assert_eq!(r.body["max_allowed_memberships"], 2, "{}", r.body);
        let r = admin.post(&format!("/organizations/{org}/invitations"), serde_json::json!({ "email_address": "carol@example.com", "role": "org:member" })).await;
        assert_code(&r, StatusCode::FORBIDDEN, "organization_membership_quota_exceeded");
        admin.send("PATCH", &format!("/organizations/{org}"), Some(serde_json::json!({ "max_allowed_memberships": 0 }))).await;
        let r = admin.post(&format!("/organizations/{org}/invitations"), serde_json::json!({ "email_address": "carol@example.com", "role": "org:member", "inviter_user_id": bob })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let inv = r.body["id"].as_str().unwrap().to_owned();
        let r = admin.post(&format!("/organizations/{org}/invitations"), serde_json::json!({ "email_address": "dan@example.com", "role": "org:member", "inviter_user_id": "user_stranger" })).await;
        assert_eq!(r.error_param(), "inviter_user_id", "{}", r.body);
        let r = admin.post(&format!("/organizations/{org}/invitations/{inv}/revoke"), serde_json::json!({})).await;
        assert_eq!(r.body["status"], "revoked", "{}", r.body);
        let r = admin.send("DELETE", &format!("/organizations/{org}/memberships/{ada}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Only an operator's key opens these.
        let r = Res::from(reqwest::Client::new().get(app.url("/admin/v1/organizations")).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = admin.send("DELETE", &format!("/organizations/{org}"), None).await;
        assert_eq!(r.body["deleted"], true, "{}", r.body);
        let r = admin.get(&format!("/organizations/{org}")).await;
        assert_code(&r, StatusCode::NOT_FOUND, "organization_not_found");
    }

    async fn an_invitation_link_joins_once_signed_in_with_the_invited_address(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let link = invitation_link(&app, "bob@example.com");
        assert!(link.starts_with(&app.address), "{link}");
        // Signed out: who is invited where, and the way to sign in or up and come back.
        let stranger = crate::helpers::browser();
        let p = get(&app, &stranger, &link).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("bob@example.com") && p.body.contains("Acme"), "{}", p.body);
        assert!(p.body.contains("/sign-up?redirect_url=%2Forganizations%2Finvitation%3Fticket%3D"), "{}", p.body);
        // A forged or altered ticket shows nothing.
        let p = get(&app, &stranger, &format!("{link}x")).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
        assert!(!p.body.contains("Acme"));
        // Someone else signed in, holding the link, cannot use it.
        let (eve, _) = user(&app, "eve@example.com").await;
        let ticket = link.split("ticket=").nth(1).unwrap().to_owned();
        let p = submit(&app, &eve, &link, "/organizations/invitation", &[("ticket", &ticket)]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
        assert!(p.body.contains("This invitation is for bob@example.com"), "{}", p.body);
        // Bob signs up with the address, comes back, joins, and acts for Acme.
        let (bob, bob_sid) = user(&app, "bob@example.com").await;
        let p = submit(&app, &bob, &link, "/organizations/invitation", &[("ticket", &ticket)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), "/organizations?done=joined");
        let t = token(&app, &bob, &bob_sid).await;
        assert_eq!(t["o"]["id"], org.as_str(), "{t}");
        let p = get(&app, &bob, "/organizations?done=joined").await;
        assert!(p.body.contains("You joined the organization.") && p.body.contains("Acme"), "{}", p.body);
        // The link is spent.
        let p = get(&app, &bob, &link).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    }

    async fn the_hosted_pages_follow_the_same_rules(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        // Signed out, the page asks to sign in and comes back.
        let p = get(&app, &crate::helpers::browser(), "/organizations").await;
        assert_eq!(p.location(), "/sign-in?redirect_url=%2Forganizations");
        let (owner, _) = user(&app, "ada@example.com").await;
        let p = submit(&app, &owner, "/organizations", "/organizations/create", &[("name", "Acme")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let org_page = p.location();
        let org = org_page.trim_start_matches("/organizations/").to_owned();
        let p = get(&app, &owner, &org_page).await;
        assert!(p.body.contains("name=\"email_address\""), "an admin sees the invite form: {}", p.body);
        let p = submit(&app, &owner, &org_page, &format!("{org_page}/invitations"), &[("email_address", "not an address"), ("role", "org:member")]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert!(p.body.contains("aria-invalid=\"true\""), "{}", p.body);
        let p = submit(&app, &owner, &org_page, &format!("{org_page}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:member")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (bob, _) = user(&app, "bob@example.com").await;
        let p = get(&app, &bob, "/organizations").await;
        let inv = p.hidden("invitation_id");
        let p = submit(&app, &bob, "/organizations", "/organizations/invitations/accept", &[("invitation_id", &inv)]).await;
        assert_eq!(p.location(), "/organizations?done=joined", "{}", p.body);
        // A member sees the members but no invite form, and cannot post one either.
        let p = get(&app, &bob, &org_page).await;
        assert!(p.body.contains("ada@example.com") && !p.body.contains("name=\"email_address\""), "{}", p.body);
        let p = submit(&app, &bob, &org_page, &format!("{org_page}/invitations"), &[("email_address", "eve@example.com"), ("role", "org:admin")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
        // Someone outside sees nothing of it.
        let (eve, _) = user(&app, "eve@example.com").await;
        let p = get(&app, &eve, &org_page).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
        assert!(!p.body.contains("Acme"));
        let p = submit(&app, &eve, "/organizations", "/organizations/switch", &[("organization_id", &org)]).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
        // A form without its CSRF token changes nothing.
        let p = post(&app, &owner, &format!("{org_page}/delete"), &[("confirm", "yes")]).await;
        assert_ne!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        // Deleting needs the box ticked.
        let p = submit(&app, &owner, &org_page, &format!("{org_page}/delete"), &[]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        let p = submit(&app, &owner, &org_page, &format!("{org_page}/delete"), &[("confirm", "yes")]).await;
        assert_eq!(p.location(), "/organizations?done=deleted", "{}", p.body);
        // Organizations off: the pages are not there.
        let Some(off) = TestApp::spawn(backend).await else { return };
        let (someone, _) = user(&off, "ada@example.com").await;
        assert_eq!(get(&off, &someone, "/organizations").await.status, StatusCode::NOT_FOUND);
    }

    async fn verified_domains_suggest_or_invite_users_with_an_address_there(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@acme.com").await;
        let org = create(&app, &owner, "Acme").await;
        // The owner has a verified address at acme.com: verified at once.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/domains"), &[("name", "Acme.com"), ("enrollment_mode", "automatic_suggestion")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["name"], "acme.com");
        assert_eq!(r.body["response"]["affiliation_verification"]["status"], "verified", "{}", r.body);
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/domains"), &[("name", "gmail.com")]).await;
        assert_eq!(r.error_param(), "name", "free mail cannot be claimed: {}", r.body);
        let (eve, _) = user(&app, "eve@example.org").await;
        let other = create(&app, &eve, "Other").await;
        let r = app.post_as(&eve, &format!("/v1/organizations/{other}/domains"), &[("name", "acme.com")]).await;
        assert_code(&r, StatusCode::UNPROCESSABLE_ENTITY, "form_identifier_exists");
        // A user whose address there is not verified is offered nothing.
        let (dave, _) = user(&app, "dave@example.org").await;
        let r = app.post_as(&dave, "/v1/me/email_addresses", &[("email_address", "dave@acme.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get_as(&dave, "/v1/me/organization_suggestions").await;
        assert_eq!(r.body["response"]["total_count"], 0, "{}", r.body);
        // Bob, verified at acme.com, gets a suggestion; accepting it asks the admins.
        let (bob, _) = user(&app, "bob@acme.com").await;
        let r = app.get_as(&bob, "/v1/me/organization_suggestions?status=pending").await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        assert_eq!(r.body["response"]["data"][0]["public_organization_data"]["name"], "Acme");
        let sug = r.body["response"]["data"][0]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&dave, &format!("/v1/me/organization_suggestions/{sug}/accept"), &[]).await;
        assert_code(&r, StatusCode::NOT_FOUND, "resource_not_found");
        let r = app.post_as(&bob, &format!("/v1/me/organization_suggestions/{sug}/accept"), &[]).await;
        assert_eq!(r.body["response"]["status"], "accepted", "{}", r.body);
        let r = app.post_as(&bob, &format!("/v1/me/organization_suggestions/{sug}/accept"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
        let r = app.get_as(&bob, &format!("/v1/organizations/{org}")).await;
        assert_code(&r, StatusCode::NOT_FOUND, "organization_not_found");
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/membership_requests?status=pending")).await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        assert_eq!(r.body["response"]["data"][0]["public_user_data"]["identifier"], "bob@acme.com");
        let req = r.body["response"]["data"][0]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/membership_requests/{req}/accept"), &[]).await;
        assert_eq!(r.body["response"]["status"], "accepted", "{}", r.body);
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/membership_requests/{req}/reject"), &[]).await;
        assert_code(&r, StatusCode::BAD_REQUEST, "client_state_invalid");
        let r = app.get_as(&bob, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.body["response"]["members_count"], 2, "{}", r.body);
        // Members neither see nor change domains.
        let r = app.get_as(&bob, &format!("/v1/organizations/{org}/domains")).await;
        assert_code(&r, StatusCode::FORBIDDEN, "not_allowed_access");
        // A second domain, proved with a code to an address there, invites automatically.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/domains"), &[("name", "acme.org")]).await;
        let dom = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["response"]["affiliation_verification"], Value::Null, "{}", r.body);
        let base = format!("/v1/organizations/{org}/domains/{dom}");
        let r = app.post_as(&owner, &format!("{base}/prepare_affiliation_verification"), &[("affiliation_email_address", "it@elsewhere.org")]).await;
        assert_eq!(r.error_param(), "affiliation_email_address", "{}", r.body);
        let r = app.post_as(&owner, &format!("{base}/prepare_affiliation_verification"), &[("affiliation_email_address", "it@acme.org")]).await;
        assert_eq!(r.body["response"]["affiliation_verification"]["status"], "unverified", "{}", r.body);
        let r = app.post_as(&owner, &format!("{base}/attempt_affiliation_verification"), &[("code", "000000")]).await;
        assert_code(&r, StatusCode::UNPROCESSABLE_ENTITY, "form_code_incorrect");
        let code = app.mail.code_for("it@acme.org").await;
        let r = app.post_as(&owner, &format!("{base}/attempt_affiliation_verification"), &[("code", &code)]).await;
        assert_eq!(r.body["response"]["affiliation_verification"]["status"], "verified", "{}", r.body);
        let r = app.post_as(&owner, &format!("{base}/update_enrollment_mode"), &[("enrollment_mode", "automatic_invitation")]).await;
        assert_eq!(r.body["response"]["enrollment_mode"], "automatic_invitation", "{}", r.body);
        let r = app.post_as(&owner, &format!("{base}/update_enrollment_mode"), &[("enrollment_mode", "everyone")]).await;
        assert_eq!(r.error_param(), "enrollment_mode", "{}", r.body);
        let (carol, _) = user(&app, "carol@acme.org").await;
        let r = app.get_as(&carol, "/v1/me/organization_invitations?status=pending").await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        let inv = r.body["response"]["data"][0]["id"].as_str().unwrap().to_owned();
        // Looking again does not invite twice.
        let r = app.get_as(&carol, "/v1/me/organization_invitations").await;
        assert_eq!(r.body["response"]["total_count"], 1, "{}", r.body);
        let r = app.post_as(&carol, &format!("/v1/me/organization_invitations/{inv}/accept"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/domains?verified=true")).await;
        assert_eq!(r.body["response"]["total_count"], 2, "{}", r.body);
        let r = app.delete_as(&owner, &base).await;
        assert_eq!(r.body["response"]["deleted"], true, "{}", r.body);
    }

    async fn without_personal_accounts_a_session_chooses_an_organization_first(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.force_organization_selection = true).await else { return };
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["organization_settings"]["force_organization_selection"], true, "{}", env.body);
        // Bob is invited before he has an account; Ada will own the organization.
        let (ada, ada_sid) = user(&app, "ada@example.com").await;
        let r = app.get_as(&ada, "/v1/client").await;
        let s = &r.body["response"]["sessions"][0];
        assert_eq!(s["status"], "pending", "{}", r.body);
        assert_eq!(s["tasks"][0]["key"], "choose-organization", "{}", r.body);
        assert!(s["last_active_token"].is_null(), "no session token while the task is open");
        let r = app.post_as(&ada, &format!("/v1/client/sessions/{ada_sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // The account beyond the task stays closed; what the task needs is open.
        let r = app.get_as(&ada, "/v1/me/sessions/active").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = app.get_as(&ada, "/v1/me/organization_memberships").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let org = create(&app, &ada, "Acme").await;
        // The personal account is not a choice.
        let touch = format!("/v1/client/sessions/{ada_sid}/touch");
        let r = app.post_as(&ada, &touch, &[("active_organization_id", "")]).await;
        assert_code(&r, StatusCode::FORBIDDEN, "not_allowed_access");
        let r = app.post_as(&ada, &touch, &[("active_organization_id", "org_someone_elses")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = app.post_as(&ada, &touch, &[("active_organization_id", &org)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let s = &r.body["client"]["sessions"][0];
        assert_eq!(s["status"], "active", "{}", r.body);
        assert_eq!(s["tasks"].as_array().map(Vec::len), Some(0), "{}", r.body);
        let claims = token(&app, &ada, &ada_sid).await;
        assert_eq!(claims["o"]["id"], org.as_str(), "{claims}");
        // Leaving (here: the organization is deleted) opens the task again.
        let r = app.delete_as(&ada, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post_as(&ada, &format!("/v1/client/sessions/{ada_sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = app.get_as(&ada, "/v1/client").await;
        assert_eq!(r.body["response"]["sessions"][0]["tasks"][0]["key"], "choose-organization", "{}", r.body);
        // Another user's organization cannot be chosen, even by id.
        let org2 = create(&app, &ada, "Second").await;
        let (eve, eve_sid) = user(&app, "eve@example.com").await;
        let r = app.post_as(&eve, &format!("/v1/client/sessions/{eve_sid}/touch"), &[("active_organization_id", &org2)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = app.post_as(&eve, &format!("/v1/client/sessions/{eve_sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }

    async fn the_choose_organization_task_on_the_pages(backend) {
        let Some(app) = spawn(backend, |s| s.organizations.force_organization_selection = true).await else { return };
        let (b, _) = user(&app, "ada@example.com").await;
        // Every account page, and the sign-in page, send the pending session to its task.
        let p = get(&app, &b, "/user").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), "/organizations");
        let p = get(&app, &b, "/sign-in?redirect_url=%2Fuser%2Fsecurity").await;
        assert_eq!(p.location(), "/organizations?redirect_url=%2Fuser%2Fsecurity");
        let page = get(&app, &b, "/organizations?redirect_url=%2Fuser%2Fsecurity").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("id=\"choose-organization\""), "{}", page.body);
        assert!(!page.body.contains("name=\"organization_id\" value=\"\""), "no personal account to switch to");
        assert!(page.body.contains("action=\"/organizations/create?redirect_url=%2Fuser%2Fsecurity\""), "{}", page.body);
        // A form without its CSRF token is refused.
        let p = post(&app, &b, "/organizations/create?redirect_url=%2Fuser%2Fsecurity", &[("name", "Acme")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
        // Creating one completes the task, and the user goes back where they were going.
        let p = submit(&app, &b, "/organizations?redirect_url=%2Fuser%2Fsecurity", "/organizations/create?redirect_url=%2Fuser%2Fsecurity", &[("name", "Acme")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), "/user/security");
        let p = get(&app, &b, "/user").await;
        assert_eq!(p.status, StatusCode::OK, "the session is active now");
        let page = get(&app, &b, "/organizations").await;
        assert!(!page.body.contains("id=\"choose-organization\""), "{}", page.body);
    }


    async fn an_organizations_enterprise_connection_signs_its_people_into_it(backend) {
        use crate::federation::{external_url, through_provider};
        use crate::upstream::{CLIENT_ID, CLIENT_SECRET, Upstream, UpstreamUser};
        let idp = Upstream::start(UpstreamUser::new("acme-dev", Some("dev@acme.com"), true)).await;
        let Some(app) = spawn(backend, |s| s.organizations.force_organization_selection = true).await else { return };
        let (owner, owner_sid) = user(&app, "ada@acme.com").await;
        let org = create(&app, &owner, "Acme").await;
        app.post_as(&owner, &format!("/v1/client/sessions/{owner_sid}/touch"), &[("active_organization_id", &org)]).await;
        let admin = Admin::new(&app).await;
        let conn = |org: &str, domains: &[&str]| serde_json::json!({
            "id": "acme", "name": "Acme SSO", "domains": domains, "issuer": idp.url,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "organization_id": org,
        });
        // Only domains the organization has verified, of an organization that exists.
        let r = admin.post("/enterprise_connections", conn(&org, &["acme.com"])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_param(), "organization_id", "{}", r.body);
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/domains"), &[("name", "acme.com")]).await;
        assert_eq!(r.body["response"]["affiliation_verification"]["status"], "verified", "{}", r.body);
        let r = admin.post("/enterprise_connections", conn("org_nobody", &["acme.com"])).await;
        assert_eq!(r.error_param(), "organization_id", "{}", r.body);
        let r = admin.post("/enterprise_connections", conn(&org, &["acme.com", "acme-partner.com"])).await;
        assert_eq!(r.error_param(), "organization_id", "another company's domain: {}", r.body);
        let r = admin.post("/enterprise_connections", conn(&org, &["acme.com"])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["organization_id"], org.as_str(), "{}", r.body);
        // A new user signs up through it: a member in the default role, acting for Acme.
        let b = crate::helpers::browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "dev@acme.com"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        through_provider(&b, &external_url(&r.body)).await;
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let claims = token(&app, &b, &sid).await;
        assert_eq!(claims["o"]["id"], org.as_str(), "{claims}");
        assert_eq!(claims["o"]["rol"], "member", "{claims}");
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/memberships?paginated=true")).await;
        assert_eq!(r.body["response"]["total_count"], 2, "{}", r.body);
        // Signing in again through it: still one membership, and the session acts for Acme.
        let again = crate::helpers::browser();
        let r = app.post_as(&again, "/v1/client/sign_ins", &[("identifier", "dev@acme.com"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        through_provider(&again, &external_url(&r.body)).await;
        let r = app.get_as(&again, "/v1/client").await;
        assert!(r.body["response"]["sign_in"].is_null() || r.body["response"]["sign_in"]["status"] == "complete", "{}", r.body);
        let sid = r.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        assert_eq!(token(&app, &again, &sid).await["o"]["id"], org.as_str());
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/memberships?paginated=true")).await;
        assert_eq!(r.body["response"]["total_count"], 2, "{}", r.body);
    }


    async fn roles_change_at_run_time_but_a_held_role_stays(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let admin = Admin::new(&app).await;
        let (owner, owner_sid) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        app.post_as(&owner, &format!("/v1/client/sessions/{owner_sid}/touch"), &[("active_organization_id", &org)]).await;
        // An operator adds a role; it is offered at once, with its permissions.
        let auditor = serde_json::json!({"key": "org:auditor", "name": "Auditor", "permissions": ["org:reports:read"]});
        let billing = serde_json::json!({"key": "org:billing_manager", "name": "Billing manager", "permissions": ["org:billing:manage", "org:billing:read"]});
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"roles": [billing, auditor]}}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["organizations"]["roles"][1]["key"], "org:auditor", "{}", r.body);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/roles")).await;
        assert!(r.body.to_string().contains("org:auditor"), "{}", r.body);
        // A malformed role is refused and nothing changes.
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"roles": [{"key": "auditor", "name": "Auditor"}]}}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"default_role": "org:nobody"}}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Once someone is invited in the role, it cannot be taken away.
        let r = app.post_as(&owner, &format!("/v1/organizations/{org}/invitations"), &[("email_address", "bob@example.com"), ("role", "org:auditor")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let inv = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"roles": [billing]}}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body["errors"][0]["long_message"].as_str().unwrap().contains("org:auditor"), "{}", r.body);
        // Revoked, the role is free to go.
        app.post_as(&owner, &format!("/v1/organizations/{org}/invitations/{inv}/revoke"), &[]).await;
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"roles": [billing]}}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}/roles")).await;
        assert!(!r.body.to_string().contains("org:auditor"), "{}", r.body);
        // The feature itself can be switched off at run time.
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"organizations": {"enabled": false}}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.get_as(&owner, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }


    async fn the_logo_is_a_checked_image_served_from_portcullis(backend) {
        let Some(app) = spawn(backend, |_| {}).await else { return };
        let (owner, _) = user(&app, "ada@example.com").await;
        let org = create(&app, &owner, "Acme").await;
        let (bob, _) = user(&app, "bob@example.com").await;
        join(&app, &owner, &org, &bob, "bob@example.com", "org:member").await;
        let path = format!("/v1/organizations/{org}/logo");
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        // Sent as Clerk's SDK sends a file: a multipart body with a `file` part.
        let put = |b: reqwest::Client, bytes: Vec<u8>, origin: Option<&'static str>| {
            let url = app.url(&path);
            async move {
                let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
                body.extend_from_slice(&bytes);
                body.extend_from_slice(b"\r\n--XyZ--\r\n");
                let mut r = b.put(url).header("content-type", "multipart/form-data; boundary=XyZ").body(body);
                if let Some(o) = origin {
                    r = r.header("origin", o);
                }
                Res::from(r.send().await.unwrap()).await
            }
        };
        // A member without org:sys_profile:manage cannot; nor can another origin with the owner's cookie.
        let r = put(bob.clone(), png.to_vec(), None).await;
        assert_code(&r, StatusCode::FORBIDDEN, "not_allowed_access");
        // Signed out, the body is not even read: 401 whatever it holds.
        let r = Res::from(crate::helpers::browser().put(app.url(&path)).header("content-type", "text/plain").body("not an upload").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = put(owner.clone(), png.to_vec(), Some("https://evil.example")).await;
        assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::UNAUTHORIZED, "{} {}", r.status, r.body);
        // Not an image (an SVG can carry script), empty, or one byte past the limit: refused.
        let r = put(owner.clone(), b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec(), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_param(), "file");
        let r = put(owner.clone(), Vec::new(), None).await;
        assert_eq!(r.error_param(), "file", "{}", r.body);
        let mut big = png.to_vec();
        big.resize(2 * 1024 * 1024 + 1, 0);
        let r = put(owner.clone(), big.clone(), None).await;
        assert_eq!(r.error_param(), "file", "{}", r.body);
        big.truncate(2 * 1024 * 1024);
        let r = put(owner.clone(), big, None).await;
        assert_eq!(r.status, StatusCode::OK, "exactly the limit is taken: {}", r.body);
        // A real one: the organization shows it, served by Portcullis as an image only.
        let r = put(owner.clone(), png.to_vec(), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["has_image"], true, "{}", r.body);
        let url = r.body["response"]["image_url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&app.url("/images/img_")), "{url}");
        let img = reqwest::get(&url).await.unwrap();
        assert_eq!(img.status(), StatusCode::OK);
        assert_eq!(img.headers()["content-type"], "image/png");
        assert_eq!(img.headers()["x-content-type-options"], "nosniff");
        assert!(img.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
        assert_eq!(img.bytes().await.unwrap().as_ref(), png);
        // Replacing it removes the old image; so does removing the logo.
        let r = Res::from(owner.put(app.url(&path)).header("content-type", "application/octet-stream").body("data:image/gif;base64,R0lGODlhAQABAAAAACw=").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let second = r.body["response"]["image_url"].as_str().unwrap().to_owned();
        assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::NOT_FOUND, "the old logo is gone");
        assert_eq!(reqwest::get(&second).await.unwrap().headers()["content-type"], "image/gif");
        let r = app.delete_as(&owner, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["has_image"], false, "{}", r.body);
        assert_eq!(reqwest::get(&second).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(reqwest::get(app.url("/images/../../etc/passwd")).await.unwrap().status(), StatusCode::NOT_FOUND);
    }

}
