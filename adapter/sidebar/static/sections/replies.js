// Copy-paste warnings: before a public reply goes out, ask Valuedesk whether it is a near-copy,
// an unedited macro, or misses what the customer asked. Only this agent sees the answer.
(function () {
  "use strict";
  const V = window.Valuedesk;

  V.beforeSend(async (text) => {
    const result = await V.api("POST", "/replies/check", { draft: text, ticket_id: V.ticketId() ? String(V.ticketId()) : undefined }, { timeoutMs: 800 });
    if (!result.warnings.length) return null;
    return {
      warnings: result.warnings,
      // Team-level count only: did the nudge lead to an edit?
      onOutcome(proceed) { V.api("POST", "/replies/outcome", { outcome: proceed ? "sent_anyway" : "edited" }).catch(() => {}); },
    };
  });
})();
