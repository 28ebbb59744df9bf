// Passkeys on the hosted pages (progressive enhancement: the pages work without it).
// Sign-in: a button, and autofill ("conditional UI") on the identifier field. Account page:
// "Add a passkey". Both talk to the Frontend API of this same origin.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) {
    return;
  }
  function form(body) {
    return new URLSearchParams(body || {});
  }
  async function fapi(path, body) {
    const r = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form(body),
    });
    const json = await r.json();
    if (!r.ok) {
      const e = json.errors && json.errors[0];
      // An old session verifies again first, on the page that asks for it.
      if (e && e.code === "session_reverification_required") {
        window.location.assign("/user/reverify");
      }
      throw new Error((e && e.long_message) || "The passkey could not be used.");
    }
    return json;
  }
  function show(message) {
    const el = document.getElementById("passkey-error");
    if (el) {
      el.textContent = message;
      el.hidden = false;
    }
  }

  // One sign-in and one challenge, shared: the autofill request waits in the background until
  // the user picks a passkey; the button cancels it (unless it is already answering) and asks
  // with the same challenge.
  let started = null;
  function start() {
    if (!started) {
      started = fapi("/v1/client/sign_ins", { strategy: "passkey" }).then(function (created) {
        const si = created.response;
        return {
          id: si.id,
          options: PublicKeyCredential.parseRequestOptionsFromJSON(
            JSON.parse(si.first_factor_verification.nonce)),
        };
      });
    }
    return started;
  }
  let pending = null;
  let submitting = false;
  async function signIn(mediation, signal) {
    const si = await start();
    const credential = await navigator.credentials.get({ publicKey: si.options, mediation, signal });
    if (submitting) {
      return;
    }
    submitting = true;
    try {
      await fapi("/v1/client/sign_ins/" + si.id + "/attempt_first_factor", {
        strategy: "passkey",
        public_key_credential: JSON.stringify(credential.toJSON()),
      });
    } catch (e) {
      // The challenge is spent: the next try starts afresh.
      started = null;
      submitting = false;
      throw e;
    }
    const button = document.getElementById("passkey-sign-in");
    window.location.assign((button && button.dataset.next) || "/user");
  }

  const button = document.getElementById("passkey-sign-in");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (submitting) {
        return;
      }
      if (pending) {
        pending.abort();
        pending = null;
      }
      signIn("optional").catch(function (e) { show(e.message); });
    });
    const field = document.querySelector('input[autocomplete~="webauthn"]');
    if (field && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
        if (ok) {
          pending = new AbortController();
          signIn("conditional", pending.signal).catch(function () {});
        }
      });
    }
  }

  const add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("click", async function () {
      try {
        const created = await fapi("/v1/me/passkeys");
        const passkey = created.response;
        const options = PublicKeyCredential.parseCreationOptionsFromJSON(
          JSON.parse(passkey.verification.nonce));
        const credential = await navigator.credentials.create({ publicKey: options });
        await fapi("/v1/me/passkeys/" + passkey.id + "/attempt_verification", {
          strategy: "passkey",
          public_key_credential: JSON.stringify(credential.toJSON()),
        });
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  }
})();
