// config/assets/iparams.js: the install page checks what the admin types, the domain's form and then, with one call
// to Valuedesk (which asks Freshdesk), whether the key is an administrator's of that account. A callback's non-empty
// answer is shown as the field's error (Freshworks' dynamic-iparams pattern); whether that alone blocks the Install
// button is UNVERIFIED, so onAppInstall checks again on the service and refuses the installation there.
let client = null;
const ready = app.initialized().then(function (c) { client = c; return c; });
const DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}(\.freshdesk\.com)?$/i;

// eslint-disable-next-line no-unused-vars
async function domainChange(value) {
  const domain = String(value || "").trim();
  if (!DOMAIN.test(domain)) return "Enter your helpdesk's address, like acme.freshdesk.com.";
  return check(domain, utils.get("freshdesk_api_key"));
}

// eslint-disable-next-line no-unused-vars
async function apiKeyChange(value) {
  const domain = String(utils.get("freshdesk_domain") || "").trim();
  return DOMAIN.test(domain) ? check(domain, value) : "";
}

async function check(domain, key) {
  if (!key) return "";
  await ready;
  try {
    await client.request.invokeTemplate("valuedeskCheckKey", { body: JSON.stringify({ domain: domain, api_key: key }) });
    return "";
  } catch (error) {
    let answer = {};
    try { answer = JSON.parse(error.response || "{}").error || {}; } catch (ignored) { answer = {}; }
    return answer.message || "Valuedesk could not check the key (" + (error.status || "no connection") + "); try again.";
  }
}
