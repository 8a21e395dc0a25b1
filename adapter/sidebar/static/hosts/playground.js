// Host shim for the playground: talks to the playground page (the parent window) with postMessage.
window.ValuedeskHost = (function () {
  "use strict";
  const origin = window.location.origin;
  const updated = [];
  let beforeSend = null;
  let clockMoved = null;
  let cancelSend = null;

  window.addEventListener("message", async (event) => {
    if (event.origin !== origin || event.source !== window.parent) return;
    const data = event.data || {};
    if (data.type === "valuedesk:ticket-updated") {
      if (data.now && clockMoved) clockMoved(data.now);
      updated.forEach((fn) => fn());
    } else if (data.type === "valuedesk:before-send-cancel") {
      if (cancelSend) cancelSend(); // Escape in the composer while we ask: back to the reply
    } else if (data.type === "valuedesk:before-send") {
      if (!beforeSend) return; // no acknowledgement: the page sends after its short wait
      window.parent.postMessage({ type: "valuedesk:before-send-ack", id: data.id }, origin);
      let proceed = true;
      try { proceed = await beforeSend(data.text); } catch (error) { proceed = true; }
      window.parent.postMessage({ type: "valuedesk:before-send-result", id: data.id, proceed: proceed !== false }, origin);
    }
  });

  return {
    name: "playground",
    ready() { window.parent.postMessage({ type: "valuedesk:ready" }, origin); },
    async ticketId() { return null; /* the playground passes the ticket id in the page config */ },
    resize() { /* the playground gives the sidebar the full column height */ },
    insertText(text) { window.parent.postMessage({ type: "valuedesk:insert-text", text }, origin); },
    onBeforeSend(fn) { beforeSend = fn; },
    onTicketUpdated(fn) { updated.push(fn); },
    onClock(fn) { clockMoved = fn; },
    onCancelSend(fn) { cancelSend = fn; },
    ticketChanged() { window.parent.postMessage({ type: "valuedesk:refresh-ticket" }, origin); },
  };
})();
