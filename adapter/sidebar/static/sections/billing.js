// Refunds & coupons: the requester's charges, refund / coupon / credit with a preview and a confirm,
// this ticket's history, and for leads the requests waiting for their approval.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api } = V;
  const PILLS = { succeeded: "good", failed: "bad", declined: "bad", pending_approval: "warn", executing: "brand",
                  confirmed: "brand", cancelled: "" };
  const LABELS = { pending_approval: "waiting for approval", executing: "processing", confirmed: "processing" };
  let state = { customerId: null };

  const reload = () => V.reload("vd-billing");
  const day = (iso) => iso ? new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" }) : "";

  function reasonFields(policy, label) {
    const reason = el("select", { required: true, "aria-label": label },
      el("option", { value: "", text: "Reason…" }), policy.reasons.map((r) => el("option", { value: r.key, text: r.label })));
    const note = el("input", { type: "text", maxlength: 500, placeholder: "Note for the ticket (required for Other)", "aria-label": "Note" });
    return { reason, note, nodes: [reason, note] };
  }

  // Preview, then show what will happen with the verdict and the confirm button.
  async function previewInto(box, body) {
    let action;
    try { action = await api("POST", "/billing/preview", body); } catch (error) { V.toast(error.message); return; }
    const verb = action.verdict === "approval" ? "Ask a lead to approve"
      : action.kind === "coupon" ? "Create code" : (action.kind === "refund" ? "Refund " : "Credit ") + action.amount_text;
    const confirm = el("button", { class: "vd-btn primary", type: "button", text: verb, disabled: action.verdict === "deny" });
    confirm.addEventListener("click", async () => {
      confirm.disabled = true; // a double click still sends one confirm; the server would refuse a second anyway
      try { done(await api("POST", "/billing/actions/" + action.id + "/confirm", undefined, { timeoutMs: 60000 })); }
      catch (error) { V.toast(error.message); confirm.disabled = false; }
    });
    fill(box, el("div", { class: "vd-preview " + action.verdict, role: "status" },
      action.sandbox ? el("span", { class: "vd-pill warn", text: "Sandbox: no real money" }) : null,
      el("p", { text: action.summary }),
      action.remaining_text ? el("p", { class: "vd-note", text: action.remaining_text + " will still be refundable." }) : null,
      el("p", { class: "vd-note" }, el("b", { text: action.verdict === "allow" ? "Within your limits. " : action.verdict === "deny" ? "Not allowed. " : "Needs approval. " }),
        action.verdict === "allow" ? "" : action.verdict_reason),
      el("div", { class: "vd-actions" }, confirm,
        el("button", { class: "vd-btn link", type: "button", text: "Cancel", onclick: async () => {
          try { await api("POST", "/billing/actions/" + action.id + "/cancel"); } catch (error) { /* it expires anyway */ }
          fill(box);
        } }))));
    confirm.focus();
  }

  async function done(action) {
    for (let i = 0; i < 15 && (action.state === "confirmed" || action.state === "executing"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      action = await api("GET", "/billing/actions/" + action.id);
    }
    if (action.state === "succeeded") V.toast(action.kind === "coupon" ? "Code " + action.code + " created." : "Done: " + action.summary.replace(/\.$/, "") + ".");
    else if (action.state === "pending_approval") V.toast("Sent to a lead for approval. You'll see the answer here.");
    else if (action.state === "failed") V.toast(action.error);
    await reload();
  }

  function refundForm(charge, policy, box) {
    const amount = el("input", { type: "text", inputmode: "decimal", required: true, value: charge.refundable_major,
      "aria-label": "Amount in " + charge.currency.toUpperCase() });
    const why = reasonFields(policy, "Refund reason");
    const form = el("form", { class: "vd-add" }, el("label", { text: "Refund (" + charge.currency.toUpperCase() + ", at most " + charge.refundable_text + ")" }),
      amount, why.nodes, el("div", { class: "vd-actions" }, el("button", { class: "vd-btn", type: "submit", text: "Preview refund" })));
    const result = el("div");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      previewInto(result, { kind: "refund", ticket_id: V.ticketId(), customer_id: state.customerId, charge_id: charge.id,
        amount: amount.value.trim(), currency: charge.currency, reason: why.reason.value, reason_text: why.note.value || null });
    });
    fill(box, form, result);
    amount.focus();
  }

  function charges(list, policy) {
    if (!list.length) return el("p", { class: "vd-empty", text: "No charges for this customer." });
    return list.map((c) => {
      const box = el("div");
      return el("div", {},
        el("div", { class: "vd-charge" },
          el("span", { class: "what" }, c.description || c.id, el("small", { text: day(c.created_at) + " · " + c.amount_text +
            (c.status !== "succeeded" ? " · " + c.status : c.refundable < c.amount ? " · " + c.refundable_text + " left" : "") })),
          el("button", { class: "vd-btn", type: "button", text: "Refund", disabled: c.refundable <= 0,
            "aria-label": "Refund " + (c.description || c.id), onclick: () => refundForm(c, policy, box) })),
        box);
    });
  }

  function goodwill(policy, currency) {
    const kind = el("select", { "aria-label": "What to give" }, el("option", { value: "percent", text: "Coupon, % off" }),
      el("option", { value: "amount", text: "Coupon, amount off" }), policy.credits_enabled ? el("option", { value: "credit", text: "Credit on the account" }) : null);
    const value = el("input", { type: "text", inputmode: "decimal", required: true, placeholder: "20", "aria-label": "Value" });
    const cur = el("input", { type: "text", maxlength: 3, value: currency, "aria-label": "Currency" });
    const days = el("input", { type: "number", min: 1, max: 365, value: 30, "aria-label": "Valid for days" });
    const why = reasonFields(policy, "Coupon or credit reason");
    const result = el("div");
    const form = el("form", {}, el("div", { class: "vd-inline" }, kind, value), el("div", { class: "vd-inline" }, cur, days), why.nodes,
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn", type: "submit", text: "Preview" })));
    kind.addEventListener("change", () => { days.hidden = kind.value === "credit"; cur.hidden = kind.value === "percent"; });
    cur.hidden = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { kind: kind.value === "credit" ? "credit" : "coupon", ticket_id: V.ticketId(), customer_id: state.customerId,
        reason: why.reason.value, reason_text: why.note.value || null };
      if (kind.value === "percent") Object.assign(body, { percent_off: parseInt(value.value, 10) || 0, expires_days: parseInt(days.value, 10) });
      else Object.assign(body, { amount: value.value.trim(), currency: cur.value.trim().toLowerCase() });
      if (kind.value === "amount") body.expires_days = parseInt(days.value, 10);
      previewInto(result, body);
    });
    return el("details", { class: "vd-add" }, el("summary", { text: "Give a coupon or credit" }), form, result);
  }

  function actionRow(a, withTicket) {
    const buttons = [];
    if (a.state === "failed" && a.retryable) buttons.push(el("button", { class: "vd-btn", type: "button", text: "Retry",
      onclick: async () => { try { await done(await api("POST", "/billing/actions/" + a.id + "/retry")); } catch (e) { V.toast(e.message); } } }));
    if (a.state === "pending_approval" && a.mine) buttons.push(el("button", { class: "vd-btn link", type: "button", text: "Withdraw",
      onclick: async () => { try { await api("POST", "/billing/actions/" + a.id + "/cancel"); reload(); } catch (e) { V.toast(e.message); } } }));
    if (a.state === "succeeded" && a.code) buttons.push(el("button", { class: "vd-btn", type: "button", text: "Insert code into reply",
      onclick: () => V.host.insertText("Here is a code for " + (a.percent_off ? a.percent_off + "%" : a.amount_text) + " off your next invoice: " + a.code) }));
    return el("div", { class: "vd-item" },
      el("div", { class: "vd-row" }, el("span", { class: "vd-pill " + (PILLS[a.state] || ""), text: LABELS[a.state] || a.state }),
        el("span", { class: "vd-note", text: (a.amount_text || a.percent_off + "%") + " " + a.kind + " · " + a.reason_label + " · " + a.agent_name + (a.agent_verified ? "" : " (identity not verified by the helpdesk)") })),
      withTicket && a.ticket_url ? el("a", { href: a.ticket_url, target: "_blank", rel: "noopener", text: "Ticket #" + a.ticket_id }) : null,
      a.code ? el("p", { class: "vd-code", text: a.code }) : null,
      a.decline_reason ? el("p", { class: "vd-note", text: "Declined by " + a.approver_name + ": " + a.decline_reason }) : null,
      a.error ? el("p", { class: "vd-error", text: a.error }) : null,
      a.state === "pending_approval" && !a.mine && withTicket ? approvalButtons(a) : null,
      buttons.length ? el("div", { class: "vd-actions" }, buttons) : null);
  }

  function approvalButtons(a) {
    const box = el("div", { class: "vd-actions" });
    fill(box, el("button", { class: "vd-btn primary", type: "button", text: "Approve " + (a.amount_text || a.percent_off + "%"),
      onclick: async (event) => { event.target.disabled = true; try { await done(await api("POST", "/billing/actions/" + a.id + "/approve", undefined, { timeoutMs: 60000 })); } catch (e) { V.toast(e.message); event.target.disabled = false; } } }),
    el("button", { class: "vd-btn", type: "button", text: "Decline", onclick: () => {
      const reason = el("input", { type: "text", required: true, maxlength: 500, placeholder: "Why (the agent sees this)", "aria-label": "Decline reason" });
      const form = el("form", {}, reason, el("button", { class: "vd-btn", type: "submit", text: "Decline" }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try { await api("POST", "/billing/actions/" + a.id + "/decline", { reason: reason.value }); reload(); } catch (e) { V.toast(e.message); }
      });
      fill(box, form); reason.focus();
    } }));
    return box;
  }

  async function customerBody(panel) {
    const list = await api("GET", "/billing/customers/" + encodeURIComponent(state.customerId) + "/charges?ticket_id=" + encodeURIComponent(V.ticketId()));
    return [charges(list, panel.policy), goodwill(panel.policy, list.length ? list[0].currency : "usd")];
  }

  V.section({
    id: "vd-billing",
    async load(body) {
      if (!V.ticketId()) { fill(body, el("p", { class: "vd-empty", text: "Open a ticket to refund or reward its customer." })); return; }
      const panel = await api("GET", "/tickets/" + encodeURIComponent(V.ticketId()) + "/billing");
      const waiting = panel.can_approve ? await api("GET", "/billing/approvals") : [];
      const count = document.getElementById("vd-billing-count");
      count.textContent = waiting.length ? waiting.length + " to approve" : panel.sandbox ? "sandbox" : "";
      count.className = "vd-count vd-pill " + (waiting.length ? "warn" : panel.sandbox ? "" : "");
      const approvals = waiting.length ? el("details", { class: "vd-add", open: true },
        el("summary", { text: "Waiting for your approval (" + waiting.length + ")" }), waiting.map((a) => actionRow(a, true))) : null;
      const history = panel.actions.length ? el("div", {}, el("h3", { class: "vd-note", text: "On this ticket" }), panel.actions.map((a) => actionRow(a, false))) : null;
      // A lead's approvals come first: someone is waiting on them.
      if (!panel.connected) { fill(body, approvals, el("p", { class: "vd-empty", text: panel.message }), history); return; }
      if (!panel.customers.length) { fill(body, approvals, el("p", { class: "vd-empty", text: "No billing customer has this requester's email." }), history); return; }
      if (!panel.customers.some((c) => c.id === state.customerId)) state.customerId = panel.customers[0].id;
      const picker = panel.customers.length > 1 ? el("select", { "aria-label": "Billing customer", onchange: (event) => { state.customerId = event.target.value; reload(); } },
        panel.customers.map((c) => el("option", { value: c.id, selected: c.id === state.customerId, text: (c.name || c.id) + " · " + c.email + " · " + c.id }))) : null;
      fill(body, approvals, picker ? el("p", { class: "vd-note", text: panel.customers.length + " billing customers have this email; pick one:" }) : null, picker,
        ...(await customerBody(panel)), history);
    },
  });
})();
