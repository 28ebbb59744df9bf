//! A client's registered JSON Web Key Set (RFC 7517), read into keys usable for checking its
//! `private_key_jwt` assertions. Only asymmetric keys are taken.

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// The registered keys, each with the one algorithm it may be used with.
pub fn client_keys(jwks: &Value) -> Result<Vec<(Option<String>, Algorithm, DecodingKey)>, String> {
    let set: JwkSet =
        serde_json::from_value(jwks.clone()).map_err(|e| format!("not a JWK Set: {e}"))?;
    if set.keys.is_empty() {
        return Err("no keys".into());
    }
    set.keys
        .iter()
        .map(|jwk| {
            let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::OctetKey(_), _) => {
                    return Err("symmetric keys are not accepted".to_owned());
                }
                (_, Some(KeyAlgorithm::RS256)) | (AlgorithmParameters::RSA(_), None) => {
                    Algorithm::RS256
                }
                (_, Some(KeyAlgorithm::PS256)) => Algorithm::PS256,
                (_, Some(KeyAlgorithm::ES256)) | (AlgorithmParameters::EllipticCurve(_), None) => {
                    Algorithm::ES256
                }
                (_, Some(KeyAlgorithm::ES384)) => Algorithm::ES384,
                (_, Some(KeyAlgorithm::EdDSA)) | (AlgorithmParameters::OctetKeyPair(_), None) => {
                    Algorithm::EdDSA
                }
                (_, Some(other)) => return Err(format!("algorithm {other:?} is not accepted")),
                (_, None) => {
                    return Err("the key's algorithm cannot be told; give it an \"alg\"".to_owned());
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
            Ok((jwk.common.key_id.clone(), alg, key))
        })
        .collect()
}
