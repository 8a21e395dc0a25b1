// Host shim for Freshdesk (FDK 3.0): the session and every API call go through the app's request
// templates, which add the installation token and our session server-side.
window.ValuedeskHost = (function () {
  "use strict";
  const TEMPLATES = { GET: "valuedeskGet", POST: "valuedeskPost", PATCH: "valuedeskPatch", PUT: "valuedeskPut", DELETE: "valuedeskDelete" };
  const updated = [];
  let client = null;
  let beforeSend = null;
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

  return {
    name: "freshdesk",
    async bootstrap() {
      await initialized;
      const [{ loggedInUser }, { ticket }] = await Promise.all([client.data.get("loggedInUser"), client.data.get("ticket")]);
      const result = await client.request.invokeTemplate("valuedeskSession", { body: JSON.stringify({ agent_id: String(loggedInUser.id) }) });
      const data = parse(result.response);
      return { token: data.token, agent: data.agent, verified: data.verified, host: "freshdesk",
               installation: data.installation_info, ticketId: String(ticket.id) };
    },
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
