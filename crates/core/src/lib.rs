//! What every layer above the store shares and none of them owns: the signing keys and the
//! sealing of secrets at rest, the rules for relying-party client settings, documents rendered
//! once for publishing, the instance settings in effect (the file and the changes made at run
//! time), and the event bus the flows announce on.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain::crypto;
use portcullis_store as store;

pub mod clients;
pub mod events;
pub mod jwks;
pub mod keys;
pub mod published;
pub mod settings;
