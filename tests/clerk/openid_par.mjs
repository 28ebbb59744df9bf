// A relying party written with openid-client 6 (panva), unchanged, against Portcullis's
// pushed authorization requests and DPoP (tests/api/oidc.rs). Two steps, each a fresh
// process that knows only the issuer and its client's credentials:
//   node openid_par.mjs par ISSUER CLIENT_ID SECRET REDIRECT_URI [dpop]
//     pushes the request (buildAuthorizationUrlWithPAR) and prints {url, verifier, state};
//     with `dpop`, it makes an ES256 key pair, proves it on the push (so the code is bound
//     to it) and prints the pair as JWKs too, for the next step;
//   node openid_par.mjs exchange ISSUER CLIENT_ID SECRET CALLBACK_URL VERIFIER STATE [KEYS]
//     redeems the code (authorizationCodeGrant: state, iss, PKCE and the ID token checked)
//     and calls userinfo; with KEYS, both through getDPoPHandle, which also answers a
//     server's use_dpop_nonce by retrying with the nonce. Prints {sub, email, access_token,
//     token_type, userinfo_email}.
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

const EC = { name: 'ECDSA', namedCurve: 'P-256' };

async function importPair(keys) {
  return {
    privateKey: await crypto.subtle.importKey('jwk', keys.private, EC, false, ['sign']),
    publicKey: await crypto.subtle.importKey('jwk', keys.public, EC, true, ['verify']),
  };
}

if (step === 'par') {
  const [redirectUri, mode] = rest;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  let keys;
  let options;
  if (mode === 'dpop') {
    const pair = await client.randomDPoPKeyPair('ES256', { extractable: true });
    keys = {
      private: await crypto.subtle.exportKey('jwk', pair.privateKey),
      public: await crypto.subtle.exportKey('jwk', pair.publicKey),
    };
    options = { DPoP: client.getDPoPHandle(config, pair) };
  }
  const url = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    },
    options,
  );
  console.log(JSON.stringify({ url: url.href, verifier, state, keys }));
} else if (step === 'exchange') {
  const [callback, verifier, state, keys] = rest;
  const DPoP = keys ? client.getDPoPHandle(config, await importPair(JSON.parse(keys))) : undefined;
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    { DPoP },
  );
  const claims = tokens.claims();
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP });
  console.log(JSON.stringify({
    sub: claims.sub,
    email: claims.email,
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    userinfo_email: info.email,
  }));
} else {
  throw new Error(`unknown step ${step}`);
}
