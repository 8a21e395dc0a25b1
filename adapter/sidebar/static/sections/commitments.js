// Follow-ups: promises on this ticket and my open ones, with done / snooze / edit, add by hand,
// the honest update drafted after a miss, and a pre-send note of what a draft promises.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api } = V;
  const STATES = { open: "brand", kept: "good", done: "good", missed: "bad", cancelled: "" };

  function relative(iso) {
    const minutes = Math.round((new Date(iso) - V.now()) / 60000);
    const size = Math.abs(minutes) < 60 ? minutes + " min" : Math.abs(minutes) < 2880 ? Math.round(minutes / 60) + " h" : Math.round(minutes / 1440) + " days";
    return minutes < 0 ? size.replace("-", "") + " ago" : "in " + size;
  }

  function localInput(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function dueForm(container, label, withReason, send) {
    const when = el("input", { type: "datetime-local", required: true, value: localInput(new Date(V.now().getTime() + 86400000)), "aria-label": "New due time" });
    const reason = withReason ? el("input", { type: "text", maxlength: 300, required: true, placeholder: "Why (for your notes)", "aria-label": "Reason" }) : null;
    const form = el("form", {}, el("label", { text: label }), when, reason,
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn primary", type: "submit", text: "Save" }),
        el("button", { class: "vd-btn link", type: "button", text: "Cancel", onclick: () => V.reload("vd-commitments") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await send(new Date(when.value).toISOString(), reason && reason.value); V.reload("vd-commitments"); }
      catch (error) { V.toast(error.message); }
    });
    fill(container, form);
    when.focus();
  }

  function item(c) {
    const actions = el("div", { class: "vd-actions" });
    const row = el("div", { class: "vd-item" },
      el("div", { class: "vd-row" }, el("span", { class: "vd-pill " + (STATES[c.state] || ""), text: c.state }),
        el("span", { class: "vd-note", text: "due " + V.formatTime(c.due_at) + (c.state === "open" ? " · " + relative(c.due_at) : "") })),
      el("blockquote", { class: "vd-quote", text: c.text }),
      el("p", { class: "vd-note", text: [c.mine ? "Your promise" : "Promised by " + (c.agent_name || "a teammate"),
        c.vague ? "no firm time, so the default applies" : !c.manual && !c.due_text ? "no time named, so the default applies" : null,
        c.conditional ? "conditional" : null,
        c.reminded && c.state === "open" ? "reminder sent" : null, c.snooze_reason ? "snoozed: " + c.snooze_reason : null].filter(Boolean).join(" · ") }),
      c.nudge && (c.state === "open" || c.state === "missed") ? el("div", { class: "vd-nudge" }, el("p", { class: "vd-note", text: c.state === "missed" ? "Missed, and that's okay. An honest update still helps:" : "Drafted for you:" }),
        el("blockquote", { class: "vd-quote", text: c.nudge }),
        el("button", { class: "vd-btn", type: "button", text: "Insert into reply", onclick: () => V.host.insertText(c.nudge) })) : null,
      actions);
    if (c.state === "open") {
      fill(actions,
        el("button", { class: "vd-btn", type: "button", text: "Done", onclick: async () => {
          try { await api("POST", "/commitments/" + c.id + "/done"); V.reload("vd-commitments"); } catch (e) { V.toast(e.message); } } }),
        el("button", { class: "vd-btn", type: "button", text: "Snooze", onclick: () => dueForm(actions, "Snooze until", true,
          (due, reason) => api("POST", "/commitments/" + c.id + "/snooze", { due_at: due, reason })) }),
        el("button", { class: "vd-btn link", type: "button", text: "Edit due time", onclick: () => dueForm(actions, "Due", false,
          (due) => api("PATCH", "/commitments/" + c.id, { due_at: due })) }));
    }
    return row;
  }

  function adder() {
    const text = el("input", { type: "text", maxlength: 1000, required: true, placeholder: "What did you promise?", "aria-label": "Promise" });
    const when = el("input", { type: "datetime-local", required: true, value: localInput(new Date(V.now().getTime() + 86400000)), "aria-label": "Due" });
    const form = el("form", {}, text, when, el("div", { class: "vd-actions" }, el("button", { class: "vd-btn", type: "submit", text: "Add follow-up" })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/tickets/" + encodeURIComponent(V.ticketId()) + "/commitments", { text: text.value, due_at: new Date(when.value).toISOString() });
        V.toast("Follow-up added. We'll remind you before it's due.");
        V.reload("vd-commitments");
      } catch (error) { V.toast(error.message); }
    });
    return el("details", { class: "vd-add" }, el("summary", { text: "Add a follow-up by hand" }), form);
  }

  function mine(list) {
    const others = list.filter((c) => c.ticket_id !== String(V.ticketId()));
    if (!others.length) return null;
    return el("details", { class: "vd-add" }, el("summary", { text: "My open follow-ups (" + others.length + ")" }),
      others.map((c) => el("div", { class: "vd-row vd-mine" },
        el("span", { class: "vd-pill " + (STATES[c.state] || ""), text: c.state === "missed" ? "missed" : relative(c.due_at) }),
        c.ticket_url ? el("a", { href: c.ticket_url, target: "_blank", rel: "noopener", text: "#" + c.ticket_id + " " + c.text })
          : el("span", { text: "#" + c.ticket_id + " " + c.text }))));
  }

  V.section({
    id: "vd-commitments",
    async load(body) {
      if (!V.ticketId()) { fill(body, el("p", { class: "vd-empty", text: "Open a ticket to see its follow-ups." })); return; }
      const [here, my] = await Promise.all([api("GET", "/tickets/" + encodeURIComponent(V.ticketId()) + "/commitments"), api("GET", "/commitments/mine")]);
      const attention = here.filter((c) => c.state === "missed" || (c.state === "open" && c.reminded)).length;
      document.getElementById("vd-commitments-count").textContent = attention ? attention + (attention === 1 ? " needs" : " need") + " attention" : "";
      document.getElementById("vd-commitments-count").className = "vd-count" + (attention ? " vd-pill bad" : "");
      fill(body, here.length ? here.map(item) : el("p", { class: "vd-empty", text: "No promises on this ticket." }), adder(), mine(my));
    },
  });

  V.beforeSend(async (text) => {
    const found = await api("POST", "/commitments/preview", { text }, { timeoutMs: 800 });
    if (!found.promise) return null;
    const due = V.formatTime(found.due_at);
    const why = found.vague ? " (no firm time, so the default applies)" : found.timed ? "" : " (no time named, so the default applies)";
    return { notice: "You're promising a follow-up by " + due + why + ": \u201c" + found.sentence + "\u201d Valuedesk will remind you." };
  });
})();
