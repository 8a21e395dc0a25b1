// Host shim for Freshdesk (FDK 3.0): every call goes through the app's request templates (they add the installation
// token server-side). Freshdesk does not sign who the agent is: they verify once with their API key, then this
// browser keeps the credential Valuedesk issued.
window.ValuedeskHost = (function () {
  "use strict";
  const TEMPLATES = { GET: "valuedeskGet", POST: "valuedeskPost", PATCH: "valuedeskPatch", PUT: "valuedeskPut", DELETE: "valuedeskDelete" };
  const KEPT = "valuedesk.credentials";
  const updated = [];
  let client = null;
  let beforeSend = null;
  let agentId = null;
  let ticketId = null;
  const initialized = window.app.initialized().then((c) => {
    client = c;
    client.events.on("app.activated", () => updated.forEach((fn) => fn()));
    client.events.on("ticket.propertiesUpdated", () => updated.forEach((fn) => fn()));
    // Intercepting sendReply is not confirmed for every Freshdesk plan; without it there is simply no pre-send check.
    try {
      client.events.on("ticket.sendReply", async (event) => {
        if (!beforeSend) return event.helper.done();
        try {
          const data = event.helper.getData() || {};
          const text = data.text || data.body || "";
          const proceed = text.trim() ? await beforeSend(text) : true;
          return proceed === false ? event.helper.fail("Not sent: edit your reply, then send again.") : event.helper.done();
        } catch (error) {
          return event.helper.done(); // fail open
        }
      }, { intercept: true });
    } catch (error) { /* no interception available */ }
    return c;
  });

  function parse(text) {
    try { return text ? JSON.parse(text) : null; } catch (error) { return null; }
  }

  // Credentials by agent, in this browser only (never in the app's shared storage, which every agent can read).
  function kept() {
    try { return JSON.parse(window.localStorage.getItem(KEPT) || "{}"); } catch (error) { return {}; }
  }
  function keep(credential) {
    try {
      const all = kept();
      if (credential) all[agentId] = credential; else delete all[agentId];
      window.localStorage.setItem(KEPT, JSON.stringify(all));
    } catch (error) { /* no storage: verify again next time */ }
  }

  async function open(template, body) {
    let data;
    try {
      data = parse((await client.request.invokeTemplate(template, { body: JSON.stringify(body) })).response);
    } catch (error) {
      const detail = (parse(error && error.response) || {}).error || {};
      throw new Error(detail.message || "Valuedesk did not answer (" + ((error && error.status) || "no connection") + ").");
    }
    if (data.credential || data.verification !== "verified") keep(data.credential);
    return { token: data.token, agent: data.agent, verified: data.verified, verification: data.verification,
             host: "freshdesk", installation: data.installation_info, ticketId };
  }

  return {
    name: "freshdesk",
    async bootstrap() {
      await initialized;
      const [{ loggedInUser }, { ticket }] = await Promise.all([client.data.get("loggedInUser"), client.data.get("ticket")]);
      agentId = String(loggedInUser.id);
      ticketId = String(ticket.id);
      return open("valuedeskSession", { agent_id: agentId, credential: kept()[agentId] || null });
    },
    verify(apiKey) { return open("valuedeskVerify", { agent_id: agentId, api_key: apiKey }); },
    async request(method, path, body, session) {
      await initialized;
      const options = { context: { path: path.replace(/^\//, ""), session } };
      if (body !== undefined) options.body = JSON.stringify(body);
      try {
        const result = await client.request.invokeTemplate(TEMPLATES[method], options);
        return { status: result.status, data: parse(result.response) };
      } catch (error) {
        return { status: (error && error.status) || 0, data: parse(error && error.response) };
      }
    },
    ready() {},
    async ticketId() { await initialized; return String((await client.data.get("ticket")).ticket.id); },
    resize(height) { if (client) client.instance.resize({ height: Math.min(Math.max(height, 120), 900) + "px" }); },
    insertText(text) { if (client) client.interface.trigger("setValue", { id: "editor", text, replace: false }); },
    onBeforeSend(fn) { beforeSend = fn; },
    onTicketUpdated(fn) { updated.push(fn); },
    notify(text) { if (client) client.interface.trigger("showNotify", { type: "info", message: text }); },
    ticketChanged() {},
  };
})();
