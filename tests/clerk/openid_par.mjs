// A relying party written with openid-client 6 (panva), unchanged, against Portcullis's
// pushed authorization requests (tests/api/oidc.rs). Two steps, each a fresh process that
// knows only the issuer and its client's credentials:
//   node openid_par.mjs par ISSUER CLIENT_ID SECRET REDIRECT_URI
//     pushes the request (buildAuthorizationUrlWithPAR) and prints {url, verifier, state};
//   node openid_par.mjs exchange ISSUER CLIENT_ID SECRET CALLBACK_URL VERIFIER STATE
//     redeems the code (authorizationCodeGrant: state, iss, PKCE and the ID token checked)
//     and prints {sub, email, access_token}.
import * as client from 'openid-client';

const [step, issuer, clientId, secret, ...rest] = process.argv.slice(2);
// Portcullis signs ID tokens with ES256 unless the client asks otherwise; the tests run on
// plain http on the loopback address.
const config = await client.discovery(
  new URL(issuer),
  clientId,
  { client_secret: secret, id_token_signed_response_alg: 'ES256' },
  undefined,
  { execute: [client.allowInsecureRequests] },
);

if (step === 'par') {
  const [redirectUri] = rest;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  console.log(JSON.stringify({ url: url.href, verifier, state }));
} else if (step === 'exchange') {
  const [callback, verifier, state] = rest;
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const claims = tokens.claims();
  console.log(JSON.stringify({ sub: claims.sub, email: claims.email, access_token: tokens.access_token }));
} else {
  throw new Error(`unknown step ${step}`);
}
