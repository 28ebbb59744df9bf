//! Web3 wallet strategies (`web3_metamask_signature`, `web3_coinbase_wallet_signature`,
//! `web3_okx_wallet_signature`): the wallet signs an EIP-4361 message with a single-use
//! nonce, and the signature (EIP-191 `personal_sign`) must recover to the wallet's address.

use super::verification::{CODE_LIFETIME_SECS, Status, Verification};
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::crypto;
use crate::domain::web3::{Address, recover_personal_sign, siwe_message};

pub const STRATEGIES: [&str; 3] = [
    "web3_metamask_signature",
    "web3_coinbase_wallet_signature",
    "web3_okx_wallet_signature",
];

pub fn is_strategy(s: &str) -> bool {
    crate::domain::Strategy::parse(s).is_some_and(|s| s.is_web3())
}

/// A fresh message for `address` to sign: ten minutes, one use.
pub fn challenge(ctx: &Ctx, strategy: &str, address: &str) -> FlowResult<Verification> {
    let address = Address::parse(address).map_err(|e| ApiError::from_parse("web3_wallet", &e))?;
    let issuer = url::Url::parse(ctx.settings().issuer()).map_err(anyhow::Error::new)?;
    let domain = match issuer.port() {
        Some(p) => format!("{}:{p}", issuer.host_str().unwrap_or("localhost")),
        None => issuer.host_str().unwrap_or("localhost").to_owned(),
    };
    // EIP-4361 asks for at least 8 alphanumeric characters.
    let nonce: String = crypto::random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(17)
        .collect();
    let now = ctx.now();
    let message = siwe_message(
        &domain,
        &address,
        ctx.settings().issuer(),
        &nonce,
        &crate::audit::rfc3339(now),
    );
    Ok(Verification {
        status: Status::Unverified,
        strategy: strategy.to_owned(),
        attempts: 0,
        expire_at: Some(now + CODE_LIFETIME_SECS * 1000),
        error: None,
        nonce: crypto::random_token(),
        code_hash: None,
        target_id: None,
        external_url: None,
        message: Some(message),
        public_nonce: Some(nonce),
    })
}

fn invalid_signature() -> ApiError {
    ApiError::new(
        ErrorCode::FormParamValueInvalid,
        "Invalid signature",
        "The signature does not come from this wallet, or is not for this message.",
    )
    .param("signature")
}

/// Checks a signature of the verification's message; on success the verification is
/// verified and its message can never be signed for again.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn check(
    ctx: &Ctx,
    v: &mut Verification,
    address: &str,
    signature: &str,
) -> FlowResult<()> {
    if v.status == Status::Verified {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already verified",
            "This wallet is already verified.",
        )
        .into());
    }
    let Some(message) = v.message.clone() else {
        return Err(super::verification::not_sent().into());
    };
    if v.expire_at.is_some_and(|t| t <= ctx.now()) || v.status == Status::Failed {
        v.status = Status::Expired;
        return Err(super::verification::expired().into());
    }
    super::verification::count_attempt(ctx, v).await?;
    let signer = recover_personal_sign(&message, signature);
    if signer.as_ref().map(AsRef::as_ref) == Some(address) {
        v.status = Status::Verified;
        v.error = None;
        v.message = None;
        return Ok(());
    }
    v.error = Some(invalid_signature());
    Err(invalid_signature().into())
}
