// An app's server code written with Clerk's backend SDK (`@clerk/backend`, from npm,
// unchanged), run against Portcullis by tests/api/clerk_backend.rs, which starts the server,
// prepares a signed-in session and passes what it made in the environment. Each step checks
// what the SDK returns; the first failed check stops the script with a message and exit
// code 1. The last line printed is a JSON object of values the Rust test checks further.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { createClerkClient, verifyToken } from '@clerk/backend';
import * as jose from 'jose';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const apiUrl = env('BAPI_URL');
const secretKey = env('SECRET_KEY');
const publishableKey = env('PUBLISHABLE_KEY');
const appOrigin = env('APP_ORIGIN');
const sessionId = env('SESSION_ID');
const sessionJwt = env('SESSION_JWT');
const clientId = env('CLIENT_ID');
const totpUserId = env('TOTP_USER_ID');
const totpCode = env('TOTP_CODE');
const bcryptDigest = env('BCRYPT_DIGEST');
const organizations = process.env.ORGANIZATIONS === '1';

const clerk = createClerkClient({ secretKey, publishableKey, apiUrl });
const out = {};
let step = '';

/** Runs `fn`, which must throw Clerk's API error with this status and code. */
async function refused(fn, status, code) {
  try {
    await fn();
  } catch (e) {
    assert.equal(e.status, status, `${step}: status of ${JSON.stringify(e.errors)}`);
    assert.equal(e.errors?.[0]?.code, code, `${step}: code`);
    return e;
  }
  assert.fail(`${step}: expected ${status} ${code}, but it succeeded`);
}

try {
  step = 'a wrong secret key is refused';
  const stranger = createClerkClient({ secretKey: 'sk_live_not_a_key', apiUrl });
  await refused(() => stranger.users.getUserList(), 401, 'clerk_key_invalid');

  step = 'createUser with a password';
  const ada = await clerk.users.createUser({
    emailAddress: ['ada@example.com'],
    password: 'correct horse battery staple',
    firstName: 'Ada',
    lastName: 'Lovelace',
    externalId: 'crm-17',
    publicMetadata: { plan: 'pro' },
    privateMetadata: { stripe: 'cus_secret_42' },
    unsafeMetadata: { theme: 'dark' },
  });
  assert.match(ada.id, /^user_/);
  assert.equal(ada.firstName, 'Ada');
  assert.equal(ada.externalId, 'crm-17');
  assert.equal(ada.passwordEnabled, true);
  assert.deepEqual(ada.publicMetadata, { plan: 'pro' });
  assert.deepEqual(ada.privateMetadata, { stripe: 'cus_secret_42' });
  assert.equal(ada.emailAddresses[0].emailAddress, 'ada@example.com');
  assert.equal(ada.emailAddresses[0].verification.status, 'verified');
  assert.deepEqual(ada.emailAddresses[0].linkedTo, []);
  assert.equal(ada.primaryEmailAddressId, ada.emailAddresses[0].id);
  out.ada = ada.id;

  step = 'createUser with a bcrypt digest from another system';
  const bob = await clerk.users.createUser({
    emailAddress: ['bob@example.com'],
    phoneNumber: ['+14155550123'],
    username: 'bobby',
    passwordDigest: bcryptDigest,
    passwordHasher: 'bcrypt',
  });
  assert.equal(bob.passwordEnabled, true);
  assert.equal(bob.username, 'bobby');
  assert.equal(bob.phoneNumbers[0].phoneNumber, '+14155550123');
  out.bob = bob.id;

  step = 'createUser: a taken address and a bad address are refused';
  await refused(() => clerk.users.createUser({ emailAddress: ['ada@example.com'], password: 'another long password 1' }), 422, 'form_identifier_exists');
  await refused(() => clerk.users.createUser({ emailAddress: ['not an address'] }), 422, 'form_param_format_invalid');

  step = 'getUser, and a missing user';
  const again = await clerk.users.getUser(ada.id);
  assert.equal(again.lastName, 'Lovelace');
  assert.deepEqual(again.privateMetadata, { stripe: 'cus_secret_42' });
  await refused(() => clerk.users.getUser('user_missing'), 404, 'resource_not_found');

  step = 'getUserList filters';
  let list = await clerk.users.getUserList({ emailAddress: ['ada@example.com', 'bob@example.com'] });
  assert.equal(list.totalCount, 2);
  assert.deepEqual(new Set(list.data.map((u) => u.id)), new Set([ada.id, bob.id]));
  list = await clerk.users.getUserList({ phoneNumber: ['+14155550123'] });
  assert.deepEqual(list.data.map((u) => u.id), [bob.id]);
  list = await clerk.users.getUserList({ username: ['bobby'] });
  assert.deepEqual(list.data.map((u) => u.id), [bob.id]);
  list = await clerk.users.getUserList({ userId: [ada.id] });
  assert.deepEqual(list.data.map((u) => u.id), [ada.id]);
  assert.equal(list.totalCount, 1);
  list = await clerk.users.getUserList({ externalId: ['crm-17'] });
  assert.deepEqual(list.data.map((u) => u.id), [ada.id]);
  list = await clerk.users.getUserList({ query: 'lovelace' });
  assert.deepEqual(list.data.map((u) => u.id), [ada.id]);
  list = await clerk.users.getUserList({ emailAddress: ['nobody@example.com'] });
  assert.equal(list.totalCount, 0);
  assert.deepEqual(list.data, []);

  step = 'getUserList order, limit and offset';
  const everyone = await clerk.users.getUserList({ orderBy: '+created_at', limit: 100 });
  assert.ok(everyone.totalCount >= 3, `${everyone.totalCount} users`);
  const firstTwo = await clerk.users.getUserList({ orderBy: '+created_at', limit: 2 });
  const nextOne = await clerk.users.getUserList({ orderBy: '+created_at', limit: 1, offset: 2 });
  assert.deepEqual(firstTwo.data.map((u) => u.id), everyone.data.slice(0, 2).map((u) => u.id));
  assert.deepEqual(nextOne.data.map((u) => u.id), everyone.data.slice(2, 3).map((u) => u.id));
  const newestFirst = await clerk.users.getUserList({ orderBy: '-created_at', limit: 100 });
  assert.deepEqual(newestFirst.data.map((u) => u.id), everyone.data.map((u) => u.id).reverse());
  await refused(() => clerk.users.getUserList({ orderBy: 'password' }), 422, 'form_param_value_invalid');
  await refused(() => clerk.users.getUserList({ limit: 501 }), 422, 'form_param_format_invalid');

  step = 'getCount';
  assert.equal(await clerk.users.getCount(), everyone.totalCount);
  assert.equal(await clerk.users.getCount({ emailAddress: ['ada@example.com'] }), 1);

  step = 'updateUser';
  const renamed = await clerk.users.updateUser(ada.id, { firstName: 'Augusta', externalId: 'crm-18' });
  assert.equal(renamed.firstName, 'Augusta');
  assert.equal(renamed.lastName, 'Lovelace');
  assert.equal(renamed.externalId, 'crm-18');
  await refused(() => clerk.users.updateUser(bob.id, { externalId: 'crm-18' }), 422, 'form_identifier_exists');

  step = 'updateUserMetadata merges, and null removes a key';
  const merged = await clerk.users.updateUserMetadata(ada.id, {
    publicMetadata: { seats: 3 },
    privateMetadata: { stripe: null, notes: 'vip' },
  });
  assert.deepEqual(merged.publicMetadata, { plan: 'pro', seats: 3 });
  assert.deepEqual(merged.privateMetadata, { notes: 'vip' });
  assert.deepEqual(merged.unsafeMetadata, { theme: 'dark' });
  const replaced = await clerk.users.replaceUserMetadata(ada.id, { unsafeMetadata: { theme: 'light' } });
  assert.deepEqual(replaced.unsafeMetadata, { theme: 'light' });
  assert.deepEqual(replaced.publicMetadata, { plan: 'pro', seats: 3 });
  await refused(() => clerk.users.updateUserMetadata(ada.id, { publicMetadata: { big: 'x'.repeat(9000) } }), 422, 'form_param_value_invalid');

  step = 'verifyPassword';
  assert.deepEqual(await clerk.users.verifyPassword({ userId: ada.id, password: 'correct horse battery staple' }), { verified: true });
  await refused(() => clerk.users.verifyPassword({ userId: ada.id, password: 'wrong password' }), 422, 'form_password_incorrect');
  assert.deepEqual(await clerk.users.verifyPassword({ userId: bob.id, password: 'hunter2 from the old system' }), { verified: true });

  step = 'verifyTOTP and disableUserMFA';
  await refused(() => clerk.users.verifyTOTP({ userId: totpUserId, code: '000000' }), 422, 'form_code_incorrect');
  assert.deepEqual(await clerk.users.verifyTOTP({ userId: totpUserId, code: totpCode }), { verified: true, code_type: 'totp' });
  await refused(() => clerk.users.verifyTOTP({ userId: totpUserId, code: totpCode }), 422, 'form_code_incorrect');
  await refused(() => clerk.users.verifyTOTP({ userId: ada.id, code: '123456' }), 400, 'strategy_for_user_invalid');
  assert.equal((await clerk.users.getUser(totpUserId)).totpEnabled, true);
  assert.deepEqual(await clerk.users.disableUserMFA(totpUserId), { user_id: totpUserId });
  const noMfa = await clerk.users.getUser(totpUserId);
  assert.equal(noMfa.totpEnabled, false);
  assert.equal(noMfa.twoFactorEnabled, false);

  step = 'banUser / unbanUser, lockUser / unlockUser';
  assert.equal((await clerk.users.banUser(bob.id)).banned, true);
  assert.equal((await clerk.users.unbanUser(bob.id)).banned, false);
  assert.equal((await clerk.users.lockUser(bob.id)).locked, true);
  assert.equal((await clerk.users.unlockUser(bob.id)).locked, false);
  await refused(() => clerk.users.banUser('user_missing'), 404, 'resource_not_found');

  step = 'emailAddresses';
  const extra = await clerk.emailAddresses.createEmailAddress({ userId: ada.id, emailAddress: 'ada@work.example.com', verified: true, primary: false });
  assert.equal(extra.emailAddress, 'ada@work.example.com');
  assert.equal(extra.verification.status, 'verified');
  assert.equal((await clerk.emailAddresses.getEmailAddress(extra.id)).id, extra.id);
  await clerk.emailAddresses.updateEmailAddress(extra.id, { primary: true });
  assert.equal((await clerk.users.getUser(ada.id)).primaryEmailAddressId, extra.id);
  await refused(() => clerk.emailAddresses.createEmailAddress({ userId: bob.id, emailAddress: 'ada@work.example.com' }), 422, 'form_identifier_exists');
  await refused(() => clerk.phoneNumbers.getPhoneNumber(extra.id), 404, 'resource_not_found');
  const gone = await clerk.emailAddresses.deleteEmailAddress(extra.id);
  assert.equal(gone.deleted, true);
  const afterDelete = await clerk.users.getUser(ada.id);
  assert.equal(afterDelete.emailAddresses.length, 1);
  assert.equal(afterDelete.primaryEmailAddressId, afterDelete.emailAddresses[0].id);
  await refused(() => clerk.emailAddresses.deleteEmailAddress(afterDelete.emailAddresses[0].id), 422, 'form_param_value_invalid');

  step = 'phoneNumbers';
  const phone = await clerk.phoneNumbers.createPhoneNumber({ userId: ada.id, phoneNumber: '+1 (415) 555-0142', verified: true, reservedForSecondFactor: true });
  assert.equal(phone.phoneNumber, '+14155550142');
  assert.equal(phone.reservedForSecondFactor, true);
  assert.equal((await clerk.users.getUser(ada.id)).primaryPhoneNumberId, phone.id, 'the first verified number is primary');
  await refused(() => clerk.phoneNumbers.updatePhoneNumber(phone.id, { verified: false }), 422, 'form_param_value_invalid');
  const second = await clerk.phoneNumbers.createPhoneNumber({ userId: ada.id, phoneNumber: '+14155550143', verified: false });
  assert.equal(second.verification.status, 'unverified');
  await refused(() => clerk.phoneNumbers.updatePhoneNumber(second.id, { primary: true }), 422, 'form_param_value_invalid');
  assert.equal((await clerk.phoneNumbers.updatePhoneNumber(second.id, { verified: true })).verification.status, 'verified');
  assert.equal((await clerk.phoneNumbers.deletePhoneNumber(second.id)).deleted, true);
  assert.equal((await clerk.phoneNumbers.deletePhoneNumber(phone.id)).deleted, true);
  assert.equal((await clerk.users.getUser(ada.id)).primaryPhoneNumberId, null);

  step = 'jwks';
  const jwks = await clerk.jwks.getJwks();
  const header = JSON.parse(Buffer.from(sessionJwt.split('.')[0], 'base64url').toString());
  assert.equal(header.alg, 'RS256');
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the session token key is published');
  assert.equal(jwk.kty, 'RSA');

  step = 'verifyToken with the JWKS from the API';
  const claims = await verifyToken(sessionJwt, { secretKey, apiUrl, authorizedParties: [appOrigin] });
  assert.equal(claims.sid, sessionId);
  assert.equal(claims.azp, appOrigin);

  step = 'verifyToken without the network (jwtKey)';
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const offline = await verifyToken(sessionJwt, { jwtKey: pem, authorizedParties: [appOrigin] });
  assert.equal(offline.sub, claims.sub);

  step = 'verifyToken with the PEM of `portcullis keys session-pem` (CLERK_JWT_KEY)';
  assert.equal((await verifyToken(sessionJwt, { jwtKey: env('JWT_KEY_PEM') })).sid, sessionId);

  step = 'verifyToken refuses another app, a forged token and an unsigned one';
  await assert.rejects(verifyToken(sessionJwt, { jwtKey: pem, authorizedParties: ['https://evil.example'] }));
  const [h, p, s] = sessionJwt.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: ada.id })).toString('base64url');
  await assert.rejects(verifyToken(`${h}.${forgedPayload}.${s}`, { jwtKey: pem }));
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: header.kid })).toString('base64url');
  await assert.rejects(verifyToken(`${none}.${p}.`, { secretKey, apiUrl }));

  step = 'authenticateRequest with the token in a header';
  let state = await clerk.authenticateRequest(
    new Request(`${appOrigin}/dashboard`, { headers: { Authorization: `Bearer ${sessionJwt}` } }),
    { authorizedParties: [appOrigin] },
  );
  assert.equal(state.isSignedIn, true, `${state.reason} ${state.message}`);
  assert.equal(state.toAuth().sessionId, sessionId);
  out.userId = state.toAuth().userId;

  step = 'authenticateRequest with the __session cookie';
  state = await clerk.authenticateRequest(
    new Request(`${appOrigin}/dashboard`, {
      headers: { Cookie: `__session=${sessionJwt}; __client_uat=${claims.iat}`, 'Sec-Fetch-Dest': 'empty' },
    }),
    { authorizedParties: [appOrigin] },
  );
  assert.equal(state.isSignedIn, true, `${state.reason} ${state.message}`);
  assert.equal(state.toAuth().userId, out.userId);

  step = 'authenticateRequest signed out with a forged token';
  state = await clerk.authenticateRequest(
    new Request(`${appOrigin}/dashboard`, { headers: { Authorization: `Bearer ${h}.${forgedPayload}.${s}` } }),
    { authorizedParties: [appOrigin] },
  );
  assert.equal(state.isSignedIn, false);

  step = 'sessions';
  const sessions = await clerk.sessions.getSessionList({ userId: out.userId });
  assert.equal(sessions.totalCount, 1);
  assert.equal(sessions.data[0].id, sessionId);
  assert.equal(sessions.data[0].status, 'active');
  assert.equal(sessions.data[0].clientId, clientId);
  const session = await clerk.sessions.getSession(sessionId);
  assert.equal(session.userId, out.userId);
  const fresh = await clerk.sessions.getToken(sessionId);
  const freshClaims = await verifyToken(fresh.jwt, { jwtKey: pem });
  assert.equal(freshClaims.sid, sessionId);
  assert.equal(freshClaims.azp, undefined);
  await refused(() => clerk.sessions.getSessionList({}), 422, 'form_param_missing');
  await refused(() => clerk.sessions.getSession('sess_missing'), 404, 'resource_not_found');

  step = 'clients';
  const clients = await clerk.clients.getClientList({ limit: 10 });
  assert.ok(clients.totalCount >= 1);
  const client = await clerk.clients.getClient(clientId);
  assert.deepEqual(client.sessionIds, [sessionId]);
  assert.equal(client.lastActiveSessionId, sessionId);

  step = 'invitations';
  const invitation = await clerk.invitations.createInvitation({ emailAddress: 'carol@example.com', notify: true });
  assert.equal(invitation.status, 'pending');
  assert.match(invitation.url, /__clerk_ticket=/);
  const invitations = await clerk.invitations.getInvitationList({ status: 'pending' });
  assert.ok(invitations.data.some((i) => i.id === invitation.id));
  const revoked = await clerk.invitations.revokeInvitation(invitation.id);
  assert.equal(revoked.revoked, true);
  assert.equal(revoked.status, 'revoked');
  assert.equal((await clerk.invitations.getInvitationList({ status: 'pending' })).data.some((i) => i.id === invitation.id), false);
  await refused(() => clerk.invitations.revokeInvitation(invitation.id), 404, 'resource_not_found');
  const kept = await clerk.invitations.createInvitation({ emailAddress: 'dave@example.com', notify: false, publicMetadata: { role: 'editor' } });
  assert.deepEqual(kept.publicMetadata, { role: 'editor' });
  out.invitationUrl = kept.url;
  const bulk = await clerk.invitations.createInvitationBulk([
    { emailAddress: 'frank@example.com', notify: false },
    { emailAddress: 'gina@example.com', notify: false, publicMetadata: { team: 'blue' } },
  ]);
  assert.deepEqual(bulk.map((i) => i.emailAddress), ['frank@example.com', 'gina@example.com']);
  const before = (await clerk.invitations.getInvitationList({ status: 'pending' })).totalCount;
  await refused(() => clerk.invitations.createInvitationBulk([{ emailAddress: 'hank@example.com' }, { emailAddress: 'not an address' }]), 422, 'form_param_format_invalid');
  assert.equal((await clerk.invitations.getInvitationList({ status: 'pending' })).totalCount, before, 'a bad address leaves none of its batch');
  await refused(() => clerk.invitations.createInvitation({ emailAddress: 'eve@example.com', publicMetadata: ['not', 'an', 'object'] }), 422, 'form_param_value_invalid');

  step = 'allowlist and blocklist';
  const allowed = await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: '*@partner.example', notify: false });
  assert.equal(allowed.identifier, '*@partner.example');
  assert.equal(allowed.identifierType, 'domain');
  const allowlist = await clerk.allowlistIdentifiers.getAllowlistIdentifierList();
  assert.equal(allowlist.totalCount, 1);
  assert.equal((await clerk.allowlistIdentifiers.deleteAllowlistIdentifier(allowed.id)).deleted, true);
  const blocked = await clerk.blocklistIdentifiers.createBlocklistIdentifier({ identifier: 'mallory@example.com' });
  assert.equal(blocked.identifierType, 'email_address');
  assert.equal((await clerk.blocklistIdentifiers.getBlocklistIdentifierList()).totalCount, 1);
  assert.equal((await clerk.blocklistIdentifiers.deleteBlocklistIdentifier(blocked.id)).deleted, true);
  await refused(() => clerk.blocklistIdentifiers.deleteBlocklistIdentifier(blocked.id), 404, 'resource_not_found');

  step = 'signInTokens';
  const signInToken = await clerk.signInTokens.createSignInToken({ userId: ada.id, expiresInSeconds: 600 });
  assert.equal(signInToken.userId, ada.id);
  assert.equal(signInToken.status, 'pending');
  assert.ok(signInToken.token.length >= 20);
  assert.match(signInToken.url, /__clerk_ticket=/);
  out.signInToken = signInToken.token;
  const spare = await clerk.signInTokens.createSignInToken({ userId: ada.id, expiresInSeconds: 600 });
  assert.equal((await clerk.signInTokens.revokeSignInToken(spare.id)).status, 'revoked');
  out.revokedSignInToken = spare.token;
  await refused(() => clerk.signInTokens.createSignInToken({ userId: bob.id, expiresInSeconds: 31 * 86400 }), 422, 'form_param_value_invalid');
  await refused(() => clerk.signInTokens.createSignInToken({ userId: 'user_missing' }), 404, 'resource_not_found');

  if (organizations) {
    step = 'organizations';
    const org = await clerk.organizations.createOrganization({ name: 'Analytical Engines', createdBy: ada.id });
    assert.equal(org.name, 'Analytical Engines');
    const byId = await clerk.organizations.getOrganization({ organizationId: org.id });
    assert.equal(byId.slug, org.slug);
    const membership = await clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: bob.id, role: 'org:member' });
    assert.equal(membership.role, 'org:member');
    const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
    assert.equal(members.totalCount, 2);
    const everywhere = await clerk.organizations.getInstanceOrganizationMembershipList({ orderBy: '+created_at', limit: 10 });
    assert.equal(everywhere.totalCount, 2);
    // Both joined in the same millisecond of the server's clock: any order.
    assert.deepEqual(new Set(everywhere.data.map((m) => m.publicUserData.userId)), new Set([ada.id, bob.id]));
    const mine = await clerk.users.getOrganizationMembershipList({ userId: bob.id });
    assert.deepEqual(mine.data.map((m) => m.organization.id), [org.id]);
    const orgs = await clerk.organizations.getOrganizationList();
    assert.ok(orgs.data.some((o) => o.id === org.id));
    assert.equal((await clerk.organizations.updateOrganization(org.id, { name: 'Difference Engines' })).name, 'Difference Engines');
    await clerk.organizations.replaceOrganizationMetadata(org.id, { publicMetadata: { tier: 'gold', seats: 10 }, privateMetadata: { crm: 'acct_9' } });
    const orgMerged = await clerk.organizations.updateOrganizationMetadata(org.id, { publicMetadata: { seats: null, region: 'eu' } });
    assert.deepEqual(orgMerged.publicMetadata, { tier: 'gold', region: 'eu' });
    assert.deepEqual(orgMerged.privateMetadata, { crm: 'acct_9' });
    const memberMeta = await clerk.organizations.updateOrganizationMembershipMetadata({ organizationId: org.id, userId: bob.id, publicMetadata: { team: 'red' } });
    assert.deepEqual(memberMeta.publicMetadata, { team: 'red' });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const withLogo = await clerk.organizations.updateOrganizationLogo(org.id, { file: new Blob([png], { type: 'image/png' }) });
    assert.ok(withLogo.hasImage || withLogo.imageUrl, JSON.stringify(withLogo));
    await refused(() => clerk.organizations.updateOrganizationLogo(org.id, { file: new Blob([Buffer.from('<svg/>')], { type: 'image/svg+xml' }) }), 422, 'form_param_value_invalid');
    await clerk.organizations.deleteOrganizationLogo(org.id);
    const orgInvite = await clerk.organizations.createOrganizationInvitation({ organizationId: org.id, emailAddress: 'erin@example.com', role: 'org:member', inviterUserId: ada.id });
    assert.equal(orgInvite.status, 'pending');
    assert.equal((await clerk.organizations.getOrganizationInvitation({ organizationId: org.id, invitationId: orgInvite.id })).emailAddress, 'erin@example.com');
    assert.equal((await clerk.organizations.getOrganizationInvitationList({ organizationId: org.id })).totalCount, 1);
    assert.equal((await clerk.organizations.revokeOrganizationInvitation({ organizationId: org.id, invitationId: orgInvite.id })).status, 'revoked');
    await refused(() => clerk.organizations.getOrganization({ organizationId: 'org_missing' }), 404, 'organization_not_found');
    const domain = await clerk.organizations.createOrganizationDomain({ organizationId: org.id, name: 'engines.example', enrollmentMode: 'automatic_suggestion' });
    // The SDK hands organization domains back as the raw JSON (it has no class for them).
    assert.equal(domain.name, 'engines.example');
    assert.equal(domain.enrollment_mode, 'automatic_suggestion');
    assert.equal(domain.verification?.status, 'verified');
    assert.equal((await clerk.organizations.getOrganizationDomainList({ organizationId: org.id })).totalCount, 1);
    const manual = await clerk.organizations.updateOrganizationDomain({ organizationId: org.id, domainId: domain.id, enrollmentMode: 'manual_invitation' });
    assert.equal(manual.enrollment_mode, 'manual_invitation');
    await refused(() => clerk.organizations.createOrganizationDomain({ organizationId: org.id, name: 'gmail.com' }), 422, 'form_param_value_invalid');
    await refused(() => clerk.organizations.createOrganizationDomain({ organizationId: org.id, name: 'engines.example' }), 422, 'form_identifier_exists');
    assert.equal((await clerk.organizations.deleteOrganizationDomain({ organizationId: org.id, domainId: domain.id })).deleted, true);
    await clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: bob.id });
    assert.equal((await clerk.organizations.deleteOrganization(org.id)).deleted, true);
  }

  step = 'jwtTemplates with an HS256 key, verified by a third party (jose)';
  const sharedKey = 'a shared secret of at least thirty-two bytes';
  const supabase = await clerk.jwtTemplates.create({
    name: 'supabase',
    claims: {
      role: 'authenticated',
      email: '{{user.primary_email_address}}',
      plan: "{{user.public_metadata.plan || 'free'}}",
      app_metadata: { org: '{{org.slug}}' },
      greeting: 'Hello {{user.primary_email_address}}',
    },
    lifetime: 120,
    allowedClockSkew: 10,
    customSigningKey: true,
    signingAlgorithm: 'HS256',
    signingKey: sharedKey,
  });
  assert.equal(supabase.name, 'supabase');
  assert.equal(supabase.customSigningKey, true);
  assert.equal(supabase.signingAlgorithm, 'HS256');
  assert.equal((await clerk.jwtTemplates.list()).totalCount, 1);
  assert.equal((await clerk.jwtTemplates.get(supabase.id)).lifetime, 120);
  assert.equal((await clerk.jwtTemplates.update({ templateId: supabase.id, lifetime: 300 })).lifetime, 300);
  await refused(() => clerk.jwtTemplates.create({ name: 'supabase', claims: {} }), 422, 'form_identifier_exists');
  await refused(() => clerk.jwtTemplates.create({ name: 'evil', claims: { sub: 'user_admin' } }), 422, 'form_param_value_invalid');
  await refused(() => clerk.jwtTemplates.create({ name: 'weak', claims: {}, customSigningKey: true, signingAlgorithm: 'HS256', signingKey: 'short' }), 422, 'form_param_value_invalid');
  await refused(() => clerk.jwtTemplates.create({ name: 'none', claims: {}, customSigningKey: true, signingAlgorithm: 'none', signingKey: sharedKey }), 422, 'form_param_value_invalid');
  const templated = await clerk.sessions.getToken(sessionId, 'supabase');
  const { payload: tp, protectedHeader } = await jose.jwtVerify(templated.jwt, new TextEncoder().encode(sharedKey), { algorithms: ['HS256'] });
  assert.equal(protectedHeader.alg, 'HS256');
  assert.equal(tp.sub, claims.sub);
  assert.equal(tp.sid, sessionId);
  assert.equal(tp.role, 'authenticated');
  assert.equal(tp.email, 'grace@example.com');
  assert.equal(tp.plan, 'free');
  assert.deepEqual(tp.app_metadata, { org: null });
  assert.equal(tp.greeting, 'Hello grace@example.com');
  assert.equal(tp.exp - tp.iat, 300);
  assert.equal(tp.iat - tp.nbf, 10);
  await assert.rejects(jose.jwtVerify(templated.jwt, new TextEncoder().encode('another secret of at least thirty-two bytes')));
  const plain = await clerk.jwtTemplates.create({ name: 'plain', claims: { uid: '{{user.id}}' } });
  assert.equal(plain.signingAlgorithm, 'RS256');
  const rs = await clerk.sessions.getToken(sessionId, 'plain');
  const { payload: rp } = await jose.jwtVerify(rs.jwt, jose.createLocalJWKSet(jwks), { algorithms: ['RS256'] });
  assert.equal(rp.uid, claims.sub);
  await refused(() => clerk.sessions.getToken(sessionId, 'missing'), 404, 'resource_not_found');
  assert.equal((await clerk.jwtTemplates.delete(plain.id)).deleted, true);
  out.templateName = supabase.name;
  out.templateKey = sharedKey;

  step = 'actorTokens';
  const actorToken = await clerk.actorTokens.create({
    userId: ada.id,
    actor: { sub: 'user_operator_1' },
    expiresInSeconds: 600,
    sessionMaxDurationInSeconds: 120,
  });
  assert.equal(actorToken.status, 'pending');
  assert.equal(actorToken.userId, ada.id);
  assert.deepEqual(actorToken.actor, { sub: 'user_operator_1' });
  assert.match(actorToken.url, /__clerk_ticket=/);
  out.actorToken = actorToken.token;
  const spareActor = await clerk.actorTokens.create({ userId: ada.id, actor: { sub: 'user_operator_1' } });
  assert.equal((await clerk.actorTokens.revoke(spareActor.id)).status, 'revoked');
  out.revokedActorToken = spareActor.token;
  await refused(() => clerk.actorTokens.create({ userId: ada.id, actor: {} }), 422, 'form_param_value_invalid');
  await refused(() => clerk.actorTokens.create({ userId: 'user_missing', actor: { sub: 'x' } }), 404, 'resource_not_found');

  step = 'revokeSession ends the session and its tokens';
  const ended = await clerk.sessions.revokeSession(sessionId);
  assert.equal(ended.status, 'revoked');
  await refused(() => clerk.sessions.getToken(sessionId), 404, 'resource_not_found');

  step = 'deleteUser';
  const deleted = await clerk.users.deleteUser(bob.id);
  assert.equal(deleted.id, bob.id);
  assert.equal(deleted.deleted, true);
  await refused(() => clerk.users.getUser(bob.id), 404, 'resource_not_found');
  out.deletedUser = bob.id;
} catch (e) {
  console.error(`FAILED at "${step}": ${e?.stack ?? e}`);
  if (e?.errors) console.error(JSON.stringify(e.errors));
  process.exit(1);
}

console.log(JSON.stringify(out));
