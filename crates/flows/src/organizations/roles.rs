//! Roles and permissions: the one place that says what a member may do.
//!
//! System roles are `org:admin` (every permission) and `org:member` (reading the member
//! list); `[[organizations.roles]]` adds roles with custom permissions (`org:FEATURE:ACTION`)
//! or gives the system roles custom permissions too. System permissions (`org:sys_*`) guard
//! Portcullis's own endpoints and never appear in session tokens.

use crate::config::OrganizationSettings;

pub const ADMIN: &str = "org:admin";
pub const MEMBER: &str = "org:member";

/// The system permissions, each guarding a group of endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Rename, change the slug or the logo.
    ProfileManage,
    /// Delete the organization.
    ProfileDelete,
    /// List members and roles.
    MembershipsRead,
    /// Add, remove and change members; invite; answer membership requests.
    MembershipsManage,
    /// See the organization's domains.
    DomainsRead,
    /// Add, verify and remove domains, and choose how they enroll users.
    DomainsManage,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::ProfileManage,
        Permission::ProfileDelete,
        Permission::MembershipsRead,
        Permission::MembershipsManage,
        Permission::DomainsRead,
        Permission::DomainsManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ProfileManage => "org:sys_profile:manage",
            Permission::ProfileDelete => "org:sys_profile:delete",
            Permission::MembershipsRead => "org:sys_memberships:read",
            Permission::MembershipsManage => "org:sys_memberships:manage",
            Permission::DomainsRead => "org:sys_domains:read",
            Permission::DomainsManage => "org:sys_domains:manage",
        }
    }
}

/// A role as members see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub key: String,
    pub name: String,
    pub description: String,
    /// System permissions first, then custom ones, each once.
    pub permissions: Vec<String>,
}

impl Role {
    pub fn permits(&self, p: Permission) -> bool {
        self.permissions.iter().any(|x| x == p.as_str())
    }

    /// The permissions a session token carries: the custom ones.
    pub fn custom_permissions(&self) -> impl Iterator<Item = &str> {
        self.permissions
            .iter()
            .map(String::as_str)
            .filter(|p| !p.starts_with("org:sys_"))
    }
}

/// Every role of the instance: the two system roles, then the configured ones.
pub fn all(settings: &OrganizationSettings) -> Vec<Role> {
    let configured = |key: &str| settings.roles.iter().find(|r| r.key == key);
    let system = |key: &str, name: &str, description: &str, sys: &[Permission]| {
        let custom = configured(key);
        let mut permissions: Vec<String> = sys.iter().map(|p| p.as_str().to_owned()).collect();
        for p in custom.map(|c| c.permissions.as_slice()).unwrap_or_default() {
            if !permissions.contains(p) {
                permissions.push(p.clone());
            }
        }
        Role {
            key: key.to_owned(),
            name: custom.map_or(name, |c| c.name.as_str()).to_owned(),
            description: custom
                .map_or(description, |c| c.description.as_str())
                .to_owned(),
            permissions,
        }
    };
    let mut roles = vec![
        system(
            ADMIN,
            "Admin",
            "Manages the organization and its members.",
            &Permission::ALL,
        ),
        system(
            MEMBER,
            "Member",
            "Belongs to the organization and sees its members.",
            &[Permission::MembershipsRead],
        ),
    ];
    for r in &settings.roles {
        if r.key == ADMIN || r.key == MEMBER {
            continue;
        }
        let mut permissions: Vec<String> = Vec::new();
        for p in &r.permissions {
            if !permissions.contains(p) {
                permissions.push(p.clone());
            }
        }
        roles.push(Role {
            key: r.key.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            permissions,
        });
    }
    // An admin holds every custom permission of the instance as well.
    let custom: Vec<String> = roles
        .iter()
        .flat_map(|r| {
            r.custom_permissions()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    for p in custom {
        if !roles[0].permissions.contains(&p) {
            roles[0].permissions.push(p);
        }
    }
    roles
}

/// The role with this key. `org:basic_member`, Clerk's older name, reads as `org:member`.
pub fn find(settings: &OrganizationSettings, key: &str) -> Option<Role> {
    let key = if key == "org:basic_member" {
        MEMBER
    } else {
        key
    };
    all(settings).into_iter().find(|r| r.key == key)
}

/// The active organization's custom permissions in the compact form of Clerk's v2 session
/// token: `fea` names the features (`o:billing,o:reports`), `per` the actions
/// (`manage,read`), and `fpm` one number per feature whose bit `i` (least significant first)
/// says the role holds `org:FEATURE:<action i>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompactPermissions {
    pub fea: String,
    pub per: String,
    pub fpm: String,
}

pub fn compact<'a>(permissions: impl Iterator<Item = &'a str>) -> CompactPermissions {
    let mut features: Vec<&str> = Vec::new();
    let mut actions: Vec<&str> = Vec::new();
    let mut held: Vec<(usize, usize)> = Vec::new();
    for p in permissions {
        let mut parts = p.splitn(3, ':');
        let (Some("org"), Some(feature), Some(action)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let f = features
            .iter()
            .position(|x| *x == feature)
            .unwrap_or_else(|| {
                features.push(feature);
                features.len() - 1
            });
        let a = actions
            .iter()
            .position(|x| *x == action)
            .unwrap_or_else(|| {
                actions.push(action);
                actions.len() - 1
            });
        held.push((f, a));
    }
    // Decimal strings, so any number of actions fits (the SDK reads them as big decimals).
    let masks: Vec<String> = (0..features.len())
        .map(|f| {
            let bits: Vec<usize> = held
                .iter()
                .filter(|(x, _)| *x == f)
                .map(|(_, a)| *a)
                .collect();
            decimal_of_bits(&bits)
        })
        .collect();
    CompactPermissions {
        fea: features
            .iter()
            .map(|f| format!("o:{f}"))
            .collect::<Vec<_>>()
            .join(","),
        per: actions.join(","),
        fpm: masks.join(","),
    }
}

/// The decimal string of the number with these bits set.
fn decimal_of_bits(bits: &[usize]) -> String {
    // Little-endian base-10^9 digits.
    let mut digits: Vec<u64> = vec![0];
    let top = bits.iter().copied().max().unwrap_or(0);
    let mut power: Vec<u64> = vec![1];
    for i in 0..=top {
        if bits.contains(&i) {
            let mut carry = 0;
            for (j, d) in power.iter().enumerate() {
                if j == digits.len() {
                    digits.push(0);
                }
                let sum = digits[j] + d + carry;
                digits[j] = sum % 1_000_000_000;
                carry = sum / 1_000_000_000;
            }
            let mut j = power.len();
            while carry > 0 {
                if j == digits.len() {
                    digits.push(0);
                }
                let sum = digits[j] + carry;
                digits[j] = sum % 1_000_000_000;
                carry = sum / 1_000_000_000;
                j += 1;
            }
        }
        let mut carry = 0;
        for d in &mut power {
            let v = *d * 2 + carry;
            *d = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            power.push(carry);
        }
    }
    let mut out = String::new();
    for (i, d) in digits.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&d.to_string());
        } else {
            out.push_str(&format!("{d:09}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OrganizationRole;

    fn settings() -> OrganizationSettings {
        OrganizationSettings {
            roles: vec![
                OrganizationRole {
                    key: "org:billing_manager".into(),
                    name: "Billing manager".into(),
                    description: String::new(),
                    permissions: vec!["org:billing:manage".into(), "org:billing:read".into()],
                },
                OrganizationRole {
                    key: MEMBER.into(),
                    name: "Colleague".into(),
                    description: String::new(),
                    permissions: vec!["org:billing:read".into()],
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn admin_holds_every_permission_member_reads_members() {
        let s = settings();
        let admin = find(&s, ADMIN).expect("admin");
        for p in Permission::ALL {
            assert!(admin.permits(p), "{p:?}");
        }
        assert!(admin.permissions.iter().any(|p| p == "org:billing:manage"));
        let member = find(&s, "org:basic_member").expect("member");
        assert_eq!(member.name, "Colleague");
        assert!(member.permits(Permission::MembershipsRead));
        assert!(!member.permits(Permission::MembershipsManage));
        assert!(!member.permits(Permission::ProfileManage));
        assert_eq!(
            member.custom_permissions().collect::<Vec<_>>(),
            ["org:billing:read"]
        );
        let billing = find(&s, "org:billing_manager").expect("custom");
        assert!(!billing.permits(Permission::MembershipsRead));
        assert!(find(&s, "org:nobody").is_none());
    }

    #[test]
    fn compact_permissions_round_trip_as_the_sdk_reads_them() {
        let c = compact(
            [
                "org:billing:manage",
                "org:billing:read",
                "org:reports:read",
                "org:sys_x:y",
            ]
            .into_iter()
            .filter(|p| !p.starts_with("org:sys_")),
        );
        assert_eq!(c.fea, "o:billing,o:reports");
        assert_eq!(c.per, "manage,read");
        // billing: manage (bit 0) + read (bit 1) = 3; reports: read (bit 1) = 2.
        assert_eq!(c.fpm, "3,2");
        assert_eq!(compact(std::iter::empty()), CompactPermissions::default());
    }

    #[test]
    fn masks_past_64_actions_stay_exact() {
        assert_eq!(decimal_of_bits(&[]), "0");
        assert_eq!(decimal_of_bits(&[0, 2]), "5");
        assert_eq!(decimal_of_bits(&[64]), "18446744073709551616");
        assert_eq!(decimal_of_bits(&[70, 0]), "1180591620717411303425");
    }
}
