// An app's custom sign-up and sign-in flows, written against Clerk's browser SDK the way its
// custom-flow documentation shows them. The only Portcullis-specific part is the two settings
// `load` passes: the publishable key and `proxyUrl`. tests/api/clerk_sdk.rs calls these
// functions in headless Chromium; each answers a plain object (the SDK's error code on failure).
import { Clerk } from '/sdk/clerk.mjs';

const settings = new URLSearchParams(location.search);
let clerk;

// The two settings an app moving from Clerk changes: its publishable key and `proxyUrl`.
async function load() {
  clerk = new Clerk(settings.get('pk'), { proxyUrl: settings.get('proxy') });
  await clerk.load();
}

export async function start() {
  await load();
  return state();
}

export function state() {
  const user = clerk?.user;
  return {
    loaded: !!clerk?.loaded,
    signedIn: !!user,
    userId: user?.id ?? null,
    sessionId: clerk?.session?.id ?? null,
    email: user?.primaryEmailAddress?.emailAddress ?? null,
    emails: user?.emailAddresses?.map((e) => e.emailAddress) ?? [],
    firstName: user?.firstName ?? null,
    totpEnabled: user?.totpEnabled ?? null,
    externalAccounts: user?.externalAccounts?.map((a) => a.provider) ?? [],
    enterpriseAccounts: user?.enterpriseAccounts?.map((a) => `${a.protocol}:${a.enterpriseConnection?.name}:${a.emailAddress}`) ?? [],
    orgId: clerk?.organization?.id ?? null,
    orgName: clerk?.organization?.name ?? null,
  };
}

async function run(step) {
  try {
    return { ok: true, ...(await step()), state: state() };
  } catch (e) {
    const first = e?.errors?.[0];
    return { ok: false, error: first?.code ?? e?.code ?? String(e), message: first?.longMessage ?? e?.message ?? null, state: state() };
  }
}

// Sign-up: email and password, then the emailed code.
export const signUp = (emailAddress, password) => run(async () => {
  const signUp = await clerk.client.signUp.create({ emailAddress, password });
  await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
  return { status: signUp.status, unverified: signUp.unverifiedFields };
});

export const verifySignUp = (code) => run(async () => {
  const signUp = await clerk.client.signUp.attemptEmailAddressVerification({ code });
  if (signUp.status === 'complete') await clerk.setActive({ session: signUp.createdSessionId });
  return { status: signUp.status };
});

// The session token an app sends to its backend; `fresh` skips the SDK's cache.
export const token = (fresh) => run(async () => ({ jwt: await clerk.session.getToken(fresh ? { skipCache: true } : undefined) }));

export const signOut = () => run(async () => {
  await clerk.signOut(() => {});
  return {};
});

// Sign-in: identify, then the password.
export const signInWithPassword = (identifier, password) => run(async () => {
  const signIn = await clerk.client.signIn.create({ identifier });
  const attempt = await signIn.attemptFirstFactor({ strategy: 'password', password });
  if (attempt.status === 'complete') await clerk.setActive({ session: attempt.createdSessionId });
  return { status: attempt.status, secondFactors: attempt.supportedSecondFactors?.map((f) => f.strategy) ?? [] };
});

// Sign-in: identify, then a code sent to the email address.
export const sendSignInCode = (identifier) => run(async () => {
  const signIn = await clerk.client.signIn.create({ identifier });
  const factor = signIn.supportedFirstFactors.find((f) => f.strategy === 'email_code');
  const prepared = await signIn.prepareFirstFactor({ strategy: 'email_code', emailAddressId: factor.emailAddressId });
  return { status: prepared.status };
});

export const signInWithCode = (code) => run(async () => {
  const attempt = await clerk.client.signIn.attemptFirstFactor({ strategy: 'email_code', code });
  if (attempt.status === 'complete') await clerk.setActive({ session: attempt.createdSessionId });
  return { status: attempt.status };
});

// The second step for a user with an authenticator app.
export const secondFactor = (code) => run(async () => {
  const attempt = await clerk.client.signIn.attemptSecondFactor({ strategy: 'totp', code });
  if (attempt.status === 'complete') await clerk.setActive({ session: attempt.createdSessionId });
  return { status: attempt.status };
});

// Continue with an upstream provider: the browser leaves for it and comes back to callback.html.
const page = (name) => new URL(`/app/${name}${location.search}`, location.href).href;

export const signInWithProvider = (strategy) => run(async () => {
  await clerk.client.signIn.authenticateWithRedirect({
    strategy, redirectUrl: page('callback.html'), redirectUrlComplete: page('index.html'),
  });
  return {};
});

// Enterprise SSO: the connection of the address's domain (SAML here) signs the user in.
export const signInWithEnterprise = (identifier) => run(async () => {
  await clerk.client.signIn.authenticateWithRedirect({
    strategy: 'enterprise_sso', identifier,
    redirectUrl: page('callback.html'), redirectUrlComplete: page('index.html'),
  });
  return {};
});

// The callback page: a new account from the provider becomes a sign-up (a transfer) here.
export async function finishRedirect() {
  await load();
  await clerk.handleRedirectCallback({
    signInFallbackRedirectUrl: page('index.html'),
    signUpFallbackRedirectUrl: page('index.html'),
  });
}

// The account: names, another email address, an authenticator app.
export const rename = (firstName) => run(async () => {
  await clerk.user.update({ firstName });
  return {};
});

export const addEmail = (email) => run(async () => {
  const address = await clerk.user.createEmailAddress({ email });
  await address.prepareVerification({ strategy: 'email_code' });
  return { id: address.id };
});

export const verifyEmail = (id, code) => run(async () => {
  const address = clerk.user.emailAddresses.find((e) => e.id === id);
  const verified = await address.attemptVerification({ code });
  return { verification: verified.verification.status };
});

export const addAuthenticatorApp = () => run(async () => {
  const totp = await clerk.user.createTOTP();
  return { secret: totp.secret };
});

export const confirmAuthenticatorApp = (code) => run(async () => {
  const totp = await clerk.user.verifyTOTP({ code });
  await clerk.user.reload();
  return { verified: totp.verified };
});

// A sensitive change: the password. On a session whose proof is old it answers
// `session_reverification_required`, which the app meets with the SDK's reverification.
export const changePassword = (currentPassword, newPassword) => run(async () => {
  await clerk.user.updatePassword({ currentPassword, newPassword });
  return {};
});

// Reverification as Clerk's custom-flow guide writes it: start at a level, then prove the
// factor the session asks for (the password, or a code from the authenticator app).
export const reverify = (level, password, totpCode) => run(async () => {
  let verification = await clerk.session.startVerification({ level });
  const started = verification.status;
  if (verification.status === 'needs_first_factor') {
    verification = await clerk.session.attemptFirstFactorVerification({ strategy: 'password', password });
  }
  if (verification.status === 'needs_second_factor') {
    verification = await clerk.session.attemptSecondFactorVerification({ strategy: 'totp', code: totpCode });
  }
  return { started, status: verification.status, age: verification.session?.factorVerificationAge ?? null };
});

// Organizations, the way a B2B app's team switcher and member page use them.
export const createOrganization = (name) => run(async () => {
  const org = await clerk.createOrganization({ name });
  return { id: org.id, slug: org.slug };
});

export const setActiveOrganization = (id) => run(async () => {
  await clerk.setActive({ organization: id });
  return {};
});

// What a button gated on a permission sees: the SDK's `has`, and the session token's claims.
export const can = (permission) => run(async () => ({
  allowed: clerk.session.checkAuthorization({ permission }),
  jwt: await clerk.session.getToken({ skipCache: true }),
}));

export const renameOrganization = (name) => run(async () => {
  const org = await clerk.organization.update({ name });
  return { name: org.name };
});

export const inviteMember = (emailAddress, role) => run(async () => {
  const inv = await clerk.organization.inviteMember({ emailAddress, role });
  return { id: inv.id, status: inv.status };
});

export const organizationLists = () => run(async () => {
  const members = await clerk.organization.getMemberships();
  const invitations = await clerk.organization.getInvitations({ status: ['pending'] });
  return {
    members: members.data.map((m) => `${m.publicUserData.identifier}:${m.role}`),
    invitations: invitations.data.map((i) => `${i.emailAddress}:${i.status}`),
  };
});

export const acceptInvitation = () => run(async () => {
  const list = await clerk.user.getOrganizationInvitations({ status: 'pending' });
  if (list.data.length !== 1) throw new Error(`expected one invitation, found ${list.data.length}`);
  const accepted = await list.data[0].accept();
  await clerk.user.reload();
  return { status: accepted.status, organizationId: accepted.publicOrganizationData.id };
});

export const myMemberships = () => run(async () => {
  const list = await clerk.user.getOrganizationMemberships();
  return { memberships: list.data.map((m) => `${m.organization.name}:${m.role}`) };
});

export const leaveOrganization = (id) => run(async () => {
  const list = await clerk.user.getOrganizationMemberships();
  const membership = list.data.find((m) => m.organization.id === id);
  await membership.destroy();
  await clerk.user.reload();
  return {};
});

export const deleteOrganization = () => run(async () => {
  await clerk.organization.destroy();
  return {};
});
