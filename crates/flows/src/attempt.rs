//! Sign-ins and sign-ups in progress ("attempts") live in the ephemeral store, one key each,
//! until they are abandoned. What the two share — where they are kept, and that a client only
//! ever finds its own — is here once.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::ClientCtx;
use crate::federation::Identity;
use crate::store::clients::ClientRow;
use crate::verification::{Status, Verification};
use crate::{ApiError, Ctx, ErrorCode, FlowResult, load_state, save_state};

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

/// An attempt whose upstream verification can end `transferable`: the provider vouched for
/// an account that belongs in the other flow (an unknown one found by a sign-in goes on as
/// a sign-up; a taken one found by a sign-up goes on as a sign-in).
pub(crate) trait Transferable: Attempt {
    /// What it transfers into (`sign-up`, `sign-in`), for the error that says there is none.
    const INTO: &'static str;
    /// The client's current attempt of this kind.
    fn current(client: &ClientRow) -> Option<&String>;
    /// The upstream identity it found and the verification that found it.
    fn upstream(&self) -> (Option<&Identity>, Option<&Verification>);
}

/// `account_transfer_invalid`: the client has no transferable attempt of kind `T`.
pub(crate) fn transfer_invalid<T: Transferable>() -> ApiError {
    ApiError::new(
        ErrorCode::AccountTransferInvalid,
        "Invalid transfer",
        format!(
            "There is no {} on this client to transfer into a {}.",
            T::NAME,
            T::INTO
        ),
    )
}

/// The upstream identity of the client's current attempt of kind `T`, and the strategy that
/// found it, when that attempt ended `transferable`.
pub(crate) async fn transferable<T: Transferable>(
    ctx: &Ctx,
    cc: &ClientCtx,
) -> FlowResult<(Identity, String)> {
    let id = cc
        .row
        .as_ref()
        .and_then(|r| T::current(r).cloned())
        .ok_or_else(transfer_invalid::<T>)?;
    let attempt = get::<T>(ctx, cc, &id).await?;
    match attempt.upstream() {
        (Some(identity), Some(v)) if v.status == Status::Transferable => {
            Ok((identity.clone(), v.strategy.clone()))
        }
        _ => Err(transfer_invalid::<T>().into()),
    }
}
