//! A session's status, by its wire names (Clerk's `Session.status`).

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Signed in.
    Active,
    /// Signed in, with a task left before the session counts (setting up a second factor).
    Pending,
    /// Signed out by the user.
    Ended,
    /// Past its lifetime or inactivity limit.
    Expired,
    /// Removed by the user from the client's list.
    Removed,
    /// Revoked: by the user from another device, by an operator, or by a ban.
    Revoked,
    Abandoned,
}

impl SessionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Ended => "ended",
            Self::Expired => "expired",
            Self::Removed => "removed",
            Self::Revoked => "revoked",
            Self::Abandoned => "abandoned",
        }
    }

    /// The status of a stored row. A value Portcullis never writes reads as `expired`: such a
    /// session signs nobody in.
    pub fn from_stored(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "pending" => Self::Pending,
            "ended" => Self::Ended,
            "removed" => Self::Removed,
            "revoked" => Self::Revoked,
            "abandoned" => Self::Abandoned,
            _ => Self::Expired,
        }
    }

    /// Still signed in (active, or pending its task).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Active | Self::Pending)
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_unknown_ones_sign_nobody_in() {
        for s in [
            SessionStatus::Active,
            SessionStatus::Pending,
            SessionStatus::Ended,
            SessionStatus::Expired,
            SessionStatus::Removed,
            SessionStatus::Revoked,
            SessionStatus::Abandoned,
        ] {
            assert_eq!(SessionStatus::from_stored(s.as_str()), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(SessionStatus::from_stored("ACTIVE"), SessionStatus::Expired);
        assert!(!SessionStatus::from_stored("").is_live());
        assert!(SessionStatus::Pending.is_live() && !SessionStatus::Revoked.is_live());
    }
}
