//! Web3 wallets: sign up and sign in by signing an EIP-4361 message with a key made here.

use k256::ecdsa::SigningKey;
use portcullis::config::FieldMode;
use reqwest::StatusCode;
use sha3::{Digest, Keccak256};

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

pub(crate) struct Wallet {
    pub(crate) key: SigningKey,
    pub(crate) address: String,
}

impl Wallet {
    pub(crate) fn new() -> Self {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let point = key.verifying_key().to_encoded_point(false);
        let hash = Keccak256::digest(&point.as_bytes()[1..]);
        let lower: String = hash[12..].iter().map(|b| format!("{b:02x}")).collect();
        let address = portcullis::domain::web3::Address::parse(&format!("0x{lower}"))
            .unwrap()
            .as_ref()
            .to_owned();
        Self { key, address }
    }

    /// `personal_sign` (EIP-191): r || s || v, hex.
    pub(crate) fn sign(&self, message: &str) -> String {
        let prefixed = format!("\x19Ethereum Signed Message:\n{}{message}", message.len());
        let digest = Keccak256::digest(prefixed.as_bytes());
        let (sig, rec) = self.key.sign_prehash_recoverable(&digest).unwrap();
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(27 + rec.to_byte());
        format!(
            "0x{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    }
}

fn with_wallets(s: &mut portcullis::config::Settings) {
    s.auth.web3_wallet = FieldMode::Optional;
    s.auth.email_address = FieldMode::Optional;
    s.auth.password = FieldMode::Optional;
}

backend_tests! {
    async fn sign_up_and_in_with_a_wallet(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_wallets).await else { return };
        let wallet = Wallet::new();
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("web3_wallet", &wallet.address.to_lowercase())]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["web3_wallet"], wallet.address.as_str(), "stored checksummed");
        assert_eq!(r.body["response"]["unverified_fields"], serde_json::json!(["web3_wallet"]));
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "web3_metamask_signature")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = &r.body["response"]["verifications"]["web3_wallet"];
        let message = v["message"].as_str().unwrap().to_owned();
        let nonce = v["nonce"].as_str().unwrap().to_owned();
        assert!(message.contains("wants you to sign in with your Ethereum account:"), "{message}");
        assert!(message.contains(&wallet.address) && message.contains(&format!("Nonce: {nonce}")), "{message}");
        // Another key's signature is refused.
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "web3_metamask_signature"), ("signature", &Wallet::new().sign(&message))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_param(), "signature");
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "web3_metamask_signature"), ("signature", &wallet.sign(&message))]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let user = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(user["web3_wallets"][0]["web3_wallet"], wallet.address.as_str());
        assert_eq!(user["password_enabled"], false);

        // Sign in by address.
        let b2 = browser();
        let r = app.post_as(&b2, "/v1/client/sign_ins", &[("identifier", &wallet.address)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let si = &r.body["response"];
        let factor = si["supported_first_factors"].as_array().unwrap().iter().find(|f| f["strategy"] == "web3_okx_wallet_signature").unwrap().clone();
        let sid = si["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{sid}/prepare_first_factor"), &[("strategy", "web3_okx_wallet_signature"), ("web3_wallet_id", factor["web3_wallet_id"].as_str().unwrap())]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let message = r.body["response"]["first_factor_verification"]["message"].as_str().unwrap().to_owned();
        assert_ne!(message, "", "a fresh message");
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "web3_okx_wallet_signature"), ("signature", &Wallet::new().sign(&message))]).await;
        assert_eq!(r.error_param(), "signature");
        let signature = wallet.sign(&message);
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "web3_okx_wallet_signature"), ("signature", &signature)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        // The nonce is single use: the same signature does not open another sign-in.
        let b3 = browser();
        let r = app.post_as(&b3, "/v1/client/sign_ins", &[("identifier", &wallet.address)]).await;
        let sid = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post_as(&b3, &format!("/v1/client/sign_ins/{sid}/prepare_first_factor"), &[("strategy", "web3_okx_wallet_signature")]).await;
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "web3_okx_wallet_signature"), ("signature", &signature)]).await;
        assert_eq!(r.error_param(), "signature", "{}", r.body);
    }

    async fn a_badly_checksummed_address_is_refused(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_wallets).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("web3_wallet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_param(), "web3_wallet");
    }
}
