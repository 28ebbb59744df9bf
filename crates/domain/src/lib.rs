//! The bottom layer: parsed values that cannot hold an invalid state, the clock, hashing and
//! randomness primitives, and the process's counters. No I/O, and nothing else of ours.
//! Everything from a request becomes one of these at the edge; the flows never see a raw
//! string where one of these is meant.

pub mod clock;
pub mod crypto;
pub mod memo;
pub mod metrics;
mod origin;
pub mod redirect;

mod email;
mod ids;
mod net;
mod password;
mod phone;
mod session_status;
mod strategy;
pub mod totp;
pub mod username;
pub mod web3;

pub use email::{EmailAddress, TEST_SUBADDRESS, mask_email};
pub use ids::{SessionId, UserId, derived_id, new_id};
pub use net::Cidr;
pub use origin::Origin;
pub use password::{Password, PasswordPolicy};
pub use phone::{PhoneNumber, mask_phone};
pub use session_status::SessionStatus;
pub use strategy::Strategy;
pub use username::Username;

/// Why a value was refused; the flows turn this into the matching FAPI error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Format(&'static str),
    #[error("must be between {min} and {max} characters long")]
    Length { min: usize, max: usize },
    #[error("{0}")]
    Characters(&'static str),
    #[error("passwords must be {0} characters or more")]
    PasswordTooShort(usize),
    #[error("passwords must be {0} characters or fewer")]
    PasswordTooLong(usize),
    #[error("{0}")]
    PasswordWeak(&'static str),
}

/// Whether a destination is one test mode reserves: an email address with the
/// `+portcullis_test` subaddress, or a phone number in the fictional `555-01XX` range. Such
/// destinations reach nobody, so what is sent to them may be shown to anyone.
pub fn is_test_destination(destination: &str) -> bool {
    if destination.contains('@') {
        EmailAddress::parse(destination).is_ok_and(|e| e.has_subaddress(TEST_SUBADDRESS))
    } else {
        PhoneNumber::parse(destination).is_ok_and(|p| p.is_fictional())
    }
}
