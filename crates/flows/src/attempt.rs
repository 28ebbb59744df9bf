//! Sign-ins and sign-ups in progress ("attempts") live in the ephemeral store, one key each,
//! until they are abandoned. What the two share — where they are kept, and that a client only
//! ever finds its own — is here once.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::ClientCtx;
use crate::{ApiError, Ctx, FlowResult, load_state, save_state};

pub(crate) trait Attempt: Serialize + DeserializeOwned {
    /// What the API calls it in a "not found" error (`sign-in`, `sign-up`).
    const NAME: &'static str;
    /// Its key in the ephemeral store.
    fn key(id: &str) -> String;
    fn id(&self) -> &str;
    fn client_id(&self) -> &str;
    /// When it is forgotten (unix ms): the key's expiry.
    fn abandon_at(&self) -> i64;
}

/// `impl Attempt` for a type with `id`, `client_id` and `abandon_at` fields.
macro_rules! stored_attempt {
    ($ty:ty, $name:literal, $key:path) => {
        impl $crate::attempt::Attempt for $ty {
            const NAME: &'static str = $name;
            fn key(id: &str) -> String {
                $key(id)
            }
            fn id(&self) -> &str {
                &self.id
            }
            fn client_id(&self) -> &str {
                &self.client_id
            }
            fn abandon_at(&self) -> i64 {
                self.abandon_at
            }
        }
    };
}
pub(crate) use stored_attempt;

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub(crate) async fn load<T: Attempt>(ctx: &Ctx, id: &str) -> FlowResult<Option<T>> {
    load_state(ctx, &T::key(id)).await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn save<T: Attempt>(ctx: &Ctx, attempt: &T) -> FlowResult<()> {
    save_state(ctx, &T::key(attempt.id()), attempt, attempt.abandon_at()).await
}

/// The client's attempt `id`. Another client's is not found, exactly as a missing one is, so
/// an id learnt elsewhere reveals nothing and moves nothing.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub(crate) async fn get<T: Attempt>(ctx: &Ctx, cc: &ClientCtx, id: &str) -> FlowResult<T> {
    let client_id = cc.id().ok_or_else(|| ApiError::not_found(T::NAME))?;
    load::<T>(ctx, id)
        .await?
        .filter(|a| a.client_id() == client_id)
        .ok_or_else(|| ApiError::not_found(T::NAME).into())
}
