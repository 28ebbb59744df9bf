//! The JSON shapes of the Frontend API live with the flows (`portcullis_flows::wire`), where
//! webhooks use them too; this module keeps their name for the handlers.

pub use crate::flows::wire::*;
