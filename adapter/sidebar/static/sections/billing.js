// Refunds & coupons: the requester's charges, refund / coupon / credit with a preview and a confirm,
// this ticket's history, and for leads the requests waiting for their approval.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api, btn } = V;
  const PILLS = { succeeded: "good", failed: "bad", declined: "bad", pending_approval: "warn", executing: "brand",
                  confirmed: "brand", cancelled: "" };
  const LABELS = { pending_approval: "waiting for approval", executing: "processing", confirmed: "processing" };
  let state = { customerId: null };

  const reload = (how) => V.reload("vd-billing", how);
  const act = (id, verb, body) => api("POST", "/billing/actions/" + id + "/" + verb, body, { timeoutMs: 60000 });
  const day = (iso) => iso ? new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) : "";

  function reasonFields(policy, label) {
    const reason = el("select", { required: true, "aria-label": label },
      el("option", { value: "", text: "Reason…" }), policy.reasons.map((r) => el("option", { value: r.key, text: r.label })));
    const note = el("input", { maxlength: 500, placeholder: "Note for the ticket (required for Other)", "aria-label": "Note" });
    return { reason, note, nodes: [reason, note] };
  }

  // Preview: what will happen, the verdict, confirm. Cancel gives the focus `back`; a confirm finishes `finished`.
  async function previewInto(box, body, back, finished) {
    let action;
    try { action = await api("POST", "/billing/preview", body); } catch (error) { V.toast(error.message); return; }
    const verb = action.verdict === "approval" ? "Ask a lead to approve"
      : action.kind === "coupon" ? "Create code" : (action.kind === "refund" ? "Refund " : "Credit ") + action.amount_text;
    const confirm = btn(verb, async () => {
      confirm.disabled = true; // a double click still sends one confirm; the server would refuse a second anyway
      try { done(await act(action.id, "confirm"), finished); } catch (error) { V.toast(error.message); confirm.disabled = false; }
    }, "primary");
    confirm.disabled = action.verdict === "deny";
    fill(box, el("div", { class: "vd-preview " + action.verdict, role: "status", "data-work": "" },
      action.sandbox ? el("span", "vd-pill warn", "Sandbox: no real money") : null,
      el("p", { text: action.summary }),
      action.remaining_text ? el("p", "vd-note", action.remaining_text + " will still be refundable.") : null,
      el("p", "vd-note", el("b", { text: action.verdict === "allow" ? "Within your limits. " : action.verdict === "deny" ? "Not allowed. " : "Needs approval. " }),
        action.verdict === "allow" ? "" : action.verdict_reason),
      el("div", "vd-actions", confirm,
        btn("Cancel", async () => {
          try { await act(action.id, "cancel"); } catch (error) { /* it expires anyway */ }
          fill(box);
          back.focus();
        }, "link"))));
    confirm.focus();
  }

  async function done(action, finished) {
    for (let i = 0; i < 15 && (action.state === "confirmed" || action.state === "executing"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      action = await api("GET", "/billing/actions/" + action.id);
    }
    if (action.state === "succeeded") V.toast(action.kind === "coupon" ? "Code " + action.code + " created." : "Done: " + action.summary.replace(/\.$/, "") + ".");
    else if (action.state === "pending_approval") V.toast("Sent to a lead for approval. You'll see the answer here.");
    else if (action.state === "failed") V.toast(action.error);
    await reload({ done: finished, focus: "a:" + action.id });
  }

  function refundForm(charge, policy, box) {
    const amount = el("input", { inputmode: "decimal", required: true, value: charge.refundable_major,
      "aria-label": "Amount in " + charge.currency.toUpperCase() });
    const why = reasonFields(policy, "Refund reason");
    const preview = btn("Preview refund", null, "", "submit");
    const form = el("form", { class: "vd-add", "data-work": "", onsubmit: () =>
      previewInto(result, { kind: "refund", ticket_id: V.ticketId(), customer_id: state.customerId, charge_id: charge.id,
        amount: amount.value.trim(), currency: charge.currency, reason: why.reason.value, reason_text: why.note.value || null }, preview, box) }, el("p", "vd-label", "Refund (" + charge.currency.toUpperCase() + ", at most " + charge.refundable_text + ")"),
      amount, why.nodes, el("div", "vd-actions", preview));
    const result = el("div");
    fill(box, form, result);
    amount.focus();
  }

  function charges(list, policy) {
    if (!list.length) return el("p", "vd-empty", "No charges for this customer.");
    return list.map((c) => {
      const box = el("div");
      return el("div", { "data-key": "ch:" + c.id },
        el("div", "vd-charge",
          el("span", "what", c.description || c.id, el("small", { text: day(c.created_at) + " · " + c.amount_text +
            (c.status !== "succeeded" ? " · " + c.status : c.refundable < c.amount ? " · " + c.refundable_text + " left" : "") })),
          el("button", { class: "vd-btn", type: "button", text: "Refund", disabled: c.refundable <= 0,
            "aria-label": "Refund " + (c.description || c.id), onclick: () => refundForm(c, policy, box) })),
        box);
    });
  }

  function goodwill(policy, currency) {
    const kind = el("select", { "aria-label": "What to give" }, el("option", { value: "percent", text: "Coupon, % off" }),
      el("option", { value: "amount", text: "Coupon, amount off" }), policy.credits_enabled ? el("option", { value: "credit", text: "Credit on the account" }) : null);
    const value = el("input", { inputmode: "decimal", required: true, placeholder: "20", "aria-label": "Value" });
    const cur = el("input", { maxlength: 3, value: currency, "aria-label": "Currency" });
    const days = el("input", { type: "number", min: 1, max: 365, value: 30, "aria-label": "Valid for days" });
    const why = reasonFields(policy, "Coupon or credit reason");
    const result = el("div");
    const preview = btn("Preview", null, "", "submit");
    const form = el("form", {}, el("div", "vd-inline", kind, value), el("div", "vd-inline", cur, days), why.nodes,
      el("div", "vd-actions", preview));
    kind.addEventListener("change", () => { days.hidden = kind.value === "credit"; cur.hidden = kind.value === "percent"; });
    cur.hidden = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { kind: kind.value === "credit" ? "credit" : "coupon", ticket_id: V.ticketId(), customer_id: state.customerId,
        reason: why.reason.value, reason_text: why.note.value || null };
      if (kind.value === "percent") Object.assign(body, { percent_off: parseInt(value.value, 10) || 0, expires_days: parseInt(days.value, 10) });
      else Object.assign(body, { amount: value.value.trim(), currency: cur.value.trim().toLowerCase() });
      if (kind.value === "amount") body.expires_days = parseInt(days.value, 10);
      previewInto(result, body, preview, details);
    });
    const details = V.more("goodwill", "Give a coupon or credit", form, result);
    return details;
  }

  function actionRow(a, withTicket) {
    const buttons = [];
    if (a.state === "failed" && a.retryable) buttons.push(btn("Retry", V.act(async () => { await done(await act(a.id, "retry")); })));
    if (a.state === "pending_approval" && a.mine) buttons.push(btn("Withdraw", V.act(async () => { await act(a.id, "cancel"); reload({ focus: "a:" + a.id }); }), "link"));
    if (a.state === "succeeded" && a.code) buttons.push(btn("Insert code into reply", () => V.host.insertText("Here is a code for " + (a.percent_off ? a.percent_off + "%" : a.amount_text) + " off your next invoice: " + a.code)));
    return el("div", { class: "vd-item", "data-key": (withTicket ? "w:" : "a:") + a.id },
      el("div", "vd-row", el("span", "vd-pill " + (PILLS[a.state] || ""), LABELS[a.state] || a.state),
        el("span", "vd-note", (a.amount_text || a.percent_off + "%") + " " + a.kind + " · " + a.reason_label + " · " + a.agent_name + (a.agent_verified === false ? " (sign-in not confirmed)" : ""))),
      withTicket && a.ticket_url ? el("a", { href: a.ticket_url, target: "_blank", rel: "noopener", text: "Ticket #" + a.ticket_id }) : null,
      a.code ? el("p", "vd-code", a.code) : null,
      a.decline_reason ? el("p", "vd-note", "Declined by " + a.approver_name + ": " + a.decline_reason) : null,
      a.error ? el("p", "vd-error", a.error) : null,
      a.state === "pending_approval" && !a.mine && withTicket ? approvalButtons(a) : null,
      buttons.length ? el("div", "vd-actions", buttons) : null);
  }

  function approvalButtons(a) {
    const box = el("div", "vd-actions");
    fill(box, btn("Approve " + (a.amount_text || a.percent_off + "%"), async (event) => { event.target.disabled = true; try { await done(await act(a.id, "approve")); } catch (e) { V.toast(e.message); event.target.disabled = false; } }, "primary"),
    btn("Decline", () => {
      const reason = el("input", { required: true, maxlength: 500, placeholder: "Why (the agent sees this)", "aria-label": "Decline reason" });
      const form = el("form", { class: "vd-inline-form", "data-work": "", onsubmit: async () => {
        await act(a.id, "decline", { reason: reason.value });
        reload({ done: form, focus: "a:" + a.id });
      } }, reason, btn("Decline", null, "", "submit"));
      fill(box, form); reason.focus();
    }));
    return box;
  }

  async function customerBody(panel) {
    const list = await api("GET", "/billing/customers/" + encodeURIComponent(state.customerId) + "/charges?ticket_id=" + encodeURIComponent(V.ticketId()));
    return [charges(list, panel.policy), goodwill(panel.policy, list.length ? list[0].currency : "usd")];
  }

  V.section({
    id: "vd-billing",
    empty: "Open a ticket to refund or reward its customer.",
    async load(body) {
      const panel = await api("GET", V.ticket() + "/billing");
      const waiting = panel.can_approve ? await api("GET", "/billing/approvals") : [];
      const count = document.getElementById("vd-billing-count");
      count.textContent = waiting.length ? waiting.length + " to approve" : panel.sandbox ? "sandbox" : "";
      count.className = "vd-count vd-pill " + (waiting.length ? "warn" : panel.sandbox ? "" : "");
      const approvals = waiting.length ? el("details", { class: "vd-add", open: true, "data-key": "approvals" },
        el("summary", { text: "Waiting for your approval (" + waiting.length + ")" }), waiting.map((a) => actionRow(a, true))) : null;
      const history = panel.actions.length ? el("div", {}, el("h3", "vd-note", "On this ticket"), panel.actions.map((a) => actionRow(a, false))) : null;
      // A lead's approvals come first: someone is waiting on them.
      if (!panel.connected) { fill(body, approvals, el("p", "vd-empty", panel.message), history); return; }
      if (!panel.customers.length) { fill(body, approvals, el("p", "vd-empty", "No billing customer has this requester's email."), history); return; }
      if (!panel.customers.some((c) => c.id === state.customerId)) state.customerId = panel.customers[0].id;
      const picker = panel.customers.length > 1 ? el("select", { "aria-label": "Billing customer", "data-key": "customer",
        onchange: (event) => { state.customerId = event.target.value; reload({ done: event.target, focus: "customer" }); } },
        panel.customers.map((c) => el("option", { value: c.id, selected: c.id === state.customerId, text: (c.name || c.id) + " · " + c.email + " · " + c.id }))) : null;
      fill(body, approvals, picker ? el("p", "vd-note", panel.customers.length + " billing customers have this email; pick one:") : null, picker,
        ...(await customerBody(panel)), history);
    },
  });
})();
