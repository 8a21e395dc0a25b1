// Host shim for Zendesk (ZAF v2): ticket context, the pre-send hook on ticket.save, and text insertion.
window.ValuedeskHost = (function () {
  "use strict";
  const client = window.ZAFClient.init();
  const updated = [];
  let beforeSend = null;

  // ticket.save is cancelled when the handler resolves to false or a string (ZAF SDK lib/utils.js);
  // we only ever hold a public reply while the agent reads a warning, and let everything else through.
  client.on("ticket.save", async () => {
    if (!beforeSend) return true;
    try {
      const data = await client.get(["ticket.comment.text", "ticket.comment.type"]);
      const text = data["ticket.comment.text"] || "";
      if (data["ticket.comment.type"] !== "publicReply" || !text.trim()) return true;
      const proceed = await beforeSend(text);
      return proceed === false ? "Not sent: edit your reply, then submit again." : true;
    } catch (error) {
      return true; // fail open: a Valuedesk problem never blocks a reply
    }
  });
  client.on("ticket.submit.done", () => updated.forEach((fn) => fn()));
  client.on("ticket.updated", () => updated.forEach((fn) => fn()));

  return {
    name: "zendesk",
    ready() {},
    async ticketId() {
      const data = await client.get("ticket.id");
      return data["ticket.id"] ? String(data["ticket.id"]) : null;
    },
    resize(height) { client.invoke("resize", { width: "100%", height: Math.min(Math.max(height, 120), 900) + "px" }); },
    insertText(text) { client.invoke("comment.appendText", text); },
    onBeforeSend(fn) { beforeSend = fn; },
    onTicketUpdated(fn) { updated.push(fn); },
    notify(text) { client.invoke("notify", text, "notice", { sticky: true }); },
    ticketChanged() {},
  };
})();
