// config/assets/iparams.js: the install page checks what the admin types. A callback's non-empty answer is shown as the
// field's error (Freshworks' dynamic-iparams pattern; whether it alone blocks the Install button is UNVERIFIED, so
// onAppInstall checks again on the service and refuses the installation there).
let client = null;
const ready = app.initialized().then(function (c) { client = c; return c; });
const DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}(\.freshdesk\.com)?$/i;

// eslint-disable-next-line no-unused-vars
function domainChange(value) {
  return DOMAIN.test(String(value || "").trim()) ? "" : "Enter your helpdesk's address, like acme.freshdesk.com.";
}

// eslint-disable-next-line no-unused-vars
async function apiKeyChange(value) {
  const domain = String(utils.get("freshdesk_domain") || "").trim();
  if (!value || !DOMAIN.test(domain)) return "";
  await ready;
  try {
    await client.request.invokeTemplate("valuedeskCheckKey", { body: JSON.stringify({ domain: domain, api_key: value }) });
    return "";
  } catch (error) {
    let answer = {};
    try { answer = JSON.parse(error.response || "{}").error || {}; } catch (ignored) { answer = {}; }
    return answer.message || "Valuedesk could not check the key (" + (error.status || "no connection") + "); try again.";
  }
}
