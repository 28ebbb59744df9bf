// A command-line app written with openid-client 6 (panva), unchanged, signing in through
// Portcullis's device authorization grant (tests/api/device.rs):
//   node openid_device.mjs ISSUER CLIENT_ID
// It starts the grant as a public client (initiateDeviceAuthorization) and prints
// {user_code, verification_uri, verification_uri_complete, interval} on its first line, as
// a CLI shows them to its user; then it polls (pollDeviceAuthorizationGrant, which waits the
// interval and backs off on slow_down) until the user answers on the /device page, checks
// the ID token, calls userinfo and prints {sub, email, userinfo_email, token_type,
// refresh_token} on its last line. A refusal prints {error} instead.
import * as client from 'openid-client';

const [issuer, clientId] = process.argv.slice(2);
const config = await client.discovery(
  new URL(issuer),
  clientId,
  { id_token_signed_response_alg: 'ES256' },
  client.None(),
  { execute: [client.allowInsecureRequests] },
);

const started = await client.initiateDeviceAuthorization(config, {
  scope: 'openid email offline_access',
});
console.log(JSON.stringify({
  user_code: started.user_code,
  verification_uri: started.verification_uri,
  verification_uri_complete: started.verification_uri_complete,
  interval: started.interval,
}));

try {
  const tokens = await client.pollDeviceAuthorizationGrant(config, started);
  const claims = tokens.claims();
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  console.log(JSON.stringify({
    sub: claims.sub,
    email: claims.email,
    userinfo_email: info.email,
    token_type: tokens.token_type,
    refresh_token: typeof tokens.refresh_token === 'string',
  }));
} catch (e) {
  console.log(JSON.stringify({ error: e.error ?? e.code ?? String(e) }));
}
