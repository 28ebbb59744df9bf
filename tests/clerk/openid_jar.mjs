// A relying party written with openid-client 6 (panva), unchanged, sending its authorization
// request as a signed request object (RFC 9101) and authenticating with private_key_jwt, both
// with one ES256 key registered at Portcullis (tests/api/jar.rs). Two steps, each a fresh
// process that knows only the issuer, its client_id and its private key (a JWK):
//   node openid_jar.mjs url ISSUER CLIENT_ID PRIVATE_JWK REDIRECT_URI
//     builds the URL (buildAuthorizationUrlWithJAR, with PKCE) and prints {url, verifier, state};
//   node openid_jar.mjs exchange ISSUER CLIENT_ID PRIVATE_JWK CALLBACK_URL VERIFIER STATE
//     redeems the code (authorizationCodeGrant: state, iss, PKCE and the ID token checked)
//     and prints {sub, email}.
import * as client from 'openid-client';

const [step, issuer, clientId, privateJwk, ...rest] = process.argv.slice(2);
const jwk = JSON.parse(privateJwk);
const key = {
  key: await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']),
  kid: jwk.kid,
};
const config = await client.discovery(
  new URL(issuer),
  clientId,
  { id_token_signed_response_alg: 'ES256' },
  client.PrivateKeyJwt(key),
  { execute: [client.allowInsecureRequests] },
);

if (step === 'url') {
  const [redirectUri] = rest;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = await client.buildAuthorizationUrlWithJAR(
    config,
    {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    },
    key,
  );
  console.log(JSON.stringify({ url: url.href, verifier, state }));
} else if (step === 'exchange') {
  const [callback, verifier, state] = rest;
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state },
  );
  const claims = tokens.claims();
  console.log(JSON.stringify({ sub: claims.sub, email: claims.email }));
} else {
  throw new Error(`unknown step ${step}`);
}
