// Sign in (or up) with an Ethereum wallet on the hosted sign-in page, through an injected
// EIP-1193 provider (window.ethereum) when there is one. Progressive enhancement only.
(function () {
  "use strict";
  const button = document.getElementById("wallet-sign-in");
  if (!button) {
    return;
  }
  async function fapi(path, body) {
    const r = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body || {}),
    });
    const json = await r.json();
    return { ok: r.ok, json: json };
  }
  function fail(json) {
    const e = json && json.errors && json.errors[0];
    return new Error((e && e.long_message) || "The wallet could not be used.");
  }
  function hex(text) {
    return "0x" + Array.from(new TextEncoder().encode(text))
      .map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function show(message) {
    const el = document.getElementById("wallet-error");
    if (el) {
      el.textContent = message;
      el.hidden = false;
    }
  }
  async function sign(provider, address, message) {
    return provider.request({ method: "personal_sign", params: [hex(message), address] });
  }
  async function go(provider) {
    const accounts = await provider.request({ method: "eth_requestAccounts" });
    const address = accounts[0];
    const strategy = "web3_metamask_signature";
    // An account with this wallet signs in; otherwise the wallet signs up.
    const si = await fapi("/v1/client/sign_ins", { identifier: address });
    if (si.ok && si.json.response.supported_first_factors.some(function (f) { return f.strategy === strategy; })) {
      const id = si.json.response.id;
      const prepared = await fapi("/v1/client/sign_ins/" + id + "/prepare_first_factor", { strategy: strategy });
      if (!prepared.ok) { throw fail(prepared.json); }
      const message = prepared.json.response.first_factor_verification.message;
      const signature = await sign(provider, address, message);
      const done = await fapi("/v1/client/sign_ins/" + id + "/attempt_first_factor", { strategy: strategy, signature: signature });
      if (!done.ok) { throw fail(done.json); }
      window.location.assign(button.dataset.next || "/user");
      return;
    }
    const su = await fapi("/v1/client/sign_ups", { web3_wallet: address });
    if (!su.ok) { throw fail(su.json); }
    const id = su.json.response.id;
    const prepared = await fapi("/v1/client/sign_ups/" + id + "/prepare_verification", { strategy: strategy });
    if (!prepared.ok) { throw fail(prepared.json); }
    const message = prepared.json.response.verifications.web3_wallet.message;
    const signature = await sign(provider, address, message);
    const done = await fapi("/v1/client/sign_ups/" + id + "/attempt_verification", { strategy: strategy, signature: signature });
    if (!done.ok) { throw fail(done.json); }
    window.location.assign((button.dataset.next || "/user").replace("flow=sign_in", "flow=sign_up"));
  }
  function offer() {
    if (window.ethereum && typeof window.ethereum.request === "function") {
      button.hidden = false;
    }
  }
  offer();
  window.addEventListener("ethereum#initialized", offer);
  button.addEventListener("click", function () {
    go(window.ethereum).catch(function (e) { show(e.message); });
  });
})();
