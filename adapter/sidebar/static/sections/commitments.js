// Follow-ups: promises on this ticket and my open ones, with done / snooze / edit, add by hand,
// the honest update drafted after a miss, follow-ups Valuedesk suggests, private reminders and thank-yous,
// and a pre-send note of what a draft promises.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api } = V;
  const STATES = { open: "brand", kept: "good", done: "good", missed: "bad", closed: "", cancelled: "" };
  const REMINDER_POLL_MS = 2 * 60 * 1000;
  const ID = "vd-commitments";

  function relative(iso) {
    const minutes = Math.round((new Date(iso) - V.now()) / 60000);
    const size = Math.abs(minutes) < 60 ? minutes + " min" : Math.abs(minutes) < 2880 ? Math.round(minutes / 60) + " h" : Math.round(minutes / 1440) + " days";
    return el("span", { class: "vd-rel", text: minutes < 0 ? size.replace("-", "") + " ago" : "in " + size });
  }

  function localInput(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // Snooze / edit the due time in place of the item's buttons; Cancel puts them back, focus on the one pressed.
  function dueForm(container, key, label, back, withReason, send) {
    const when = el("input", { type: "datetime-local", required: true, value: localInput(new Date(V.now().getTime() + 86400000)) });
    const reason = withReason ? el("input", { type: "text", maxlength: 300, required: true, placeholder: "Why (for your notes)", "aria-label": "Reason" }) : null;
    const before = [...container.childNodes];
    const form = el("form", { "data-work": "" }, el("label", {}, label, when), reason,
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn primary", type: "submit", text: "Save" }),
        el("button", { class: "vd-btn link", type: "button", text: "Cancel", onclick: () => {
          fill(container, before);
          before.find((n) => n.textContent === back).focus();
        } })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await send(new Date(when.value).toISOString(), reason && reason.value); V.reload(ID, { done: form, focus: [key, back] }); }
      catch (error) { V.toast(error.message); }
    });
    fill(container, form);
    when.focus();
  }

  function item(c) {
    const key = "c:" + c.id;
    const actions = el("div", { class: "vd-actions" });
    const who = c.task ? "Suggested by Valuedesk (not a promise; never counted)"
      : c.mine ? "Your promise" : "Promised by " + (c.agent_name || "a teammate");
    const row = el("div", { class: "vd-item", "data-key": key },
      el("div", { class: "vd-row" }, el("span", { class: "vd-pill " + (STATES[c.state] || ""), text: c.task && c.state === "open" ? "suggested" : c.state }),
        el("span", { class: "vd-note" }, "due " + V.formatTime(c.due_at), c.state === "open" ? [" · ", relative(c.due_at)] : null)),
      el("blockquote", { class: "vd-quote", text: c.text }),
      el("p", { class: "vd-note", text: [who,
        c.vague ? "no firm time, so the default applies (not counted)" : null, c.conditional ? "conditional" : null,
        c.reminded && c.state === "open" ? "due soon" : null,
        c.updates ? "moved out by your " + (c.updates === 1 ? "reply" : c.updates + " replies") : null,
        c.state === "closed" ? "the ticket was solved first; counted neither way" : null,
        c.snooze_reason ? "snoozed: " + c.snooze_reason : null].filter(Boolean).join(" · ") }),
      c.nudge && (c.state === "open" || c.state === "missed") ? el("div", { class: "vd-nudge" }, el("p", { class: "vd-note", text: c.state === "missed" ? "Missed, and that's okay. An honest update still helps:" : "Drafted for you:" }),
        el("blockquote", { class: "vd-quote", text: c.nudge }),
        el("button", { class: "vd-btn", type: "button", text: "Insert into reply", onclick: () => V.host.insertText(c.nudge) })) : null,
      actions);
    const done = el("button", { class: "vd-btn", type: "button", text: "Done", onclick: async () => {
      try { await api("POST", "/commitments/" + c.id + "/done"); V.reload(ID, { focus: key }); } catch (e) { V.toast(e.message); } } });
    if (c.state === "open" && c.task) fill(actions, done);
    else if (c.state === "open") {
      fill(actions, done,
        el("button", { class: "vd-btn", type: "button", text: "Snooze", onclick: () => dueForm(actions, key, "Snooze until", "Snooze", true,
          (due, reason) => api("POST", "/commitments/" + c.id + "/snooze", { due_at: due, reason })) }),
        el("button", { class: "vd-btn link", type: "button", text: "Edit due time", onclick: () => dueForm(actions, key, "Due", "Edit due time", false,
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
        const made = await api("POST", "/tickets/" + encodeURIComponent(V.ticketId()) + "/commitments", { text: text.value, due_at: new Date(when.value).toISOString() });
        V.toast("Follow-up added. We'll remind you before it's due.");
        V.reload(ID, { done: form, focus: "c:" + made.id });
      } catch (error) { V.toast(error.message); }
    });
    return el("details", { class: "vd-add", "data-key": "add-followup" }, el("summary", { text: "Add a follow-up by hand" }), form);
  }

  function mine(list) {
    const others = list.filter((c) => c.ticket_id !== String(V.ticketId()));
    if (!others.length) return null;
    return el("details", { class: "vd-add", "data-key": "mine" }, el("summary", { text: "My open follow-ups (" + others.length + ")" }),
      others.map((c) => el("div", { class: "vd-row vd-mine" },
        el("span", { class: "vd-pill " + (STATES[c.state] || "") }, c.state === "missed" ? "missed" : relative(c.due_at)),
        c.ticket_url ? el("a", { href: c.ticket_url, target: "_blank", rel: "noopener", text: "#" + c.ticket_id + " " + c.text })
          : el("span", { text: "#" + c.ticket_id + " " + c.text }))));
  }

  // Thank-yous and other notices for this agent alone.
  function noticeItem(n) {
    const item = el("div", { class: "vd-item vd-thanks", role: "status", "data-key": "n:" + n.id },
      el("p", { text: n.text }),
      el("div", { class: "vd-actions" },
        n.url ? el("a", { href: n.url, target: "_blank", rel: "noopener", text: "See the issue" }) : null,
        el("button", { class: "vd-btn link", type: "button", text: "Dismiss", onclick: async () => {
          try { await api("POST", "/notices/" + n.id + "/dismiss"); V.reload(ID, { focus: V.beside(item) }); } catch (e) { V.toast(e.message); } } })));
    return item;
  }

  // Reminders and misses reach the agent alone: in the helpdesk's own notification where it has one.
  const told = new Set(JSON.parse(sessionStorage.getItem("vd-told") || "[]"));
  function tellPrivately(list) {
    for (const c of list) {
      const key = c.id + ":" + c.state + ":" + (c.reminded ? 1 : 0);
      if (told.has(key) || !(c.state === "missed" || (c.state === "open" && c.reminded))) continue;
      told.add(key);
      const message = (c.state === "missed" ? "A follow-up passed its time on #" : "A follow-up is due soon on #") + c.ticket_id + ": " + c.text;
      if (V.host.notify) V.host.notify(message); else V.toast(message);
    }
    sessionStorage.setItem("vd-told", JSON.stringify([...told].slice(-200)));
  }

  V.section({
    id: ID,
    async load(body) {
      if (!V.ticketId()) { fill(body, el("p", { class: "vd-empty", text: "Open a ticket to see its follow-ups." })); return; }
      const [here, my, notes] = await Promise.all([api("GET", "/tickets/" + encodeURIComponent(V.ticketId()) + "/commitments"),
        api("GET", "/commitments/mine"), api("GET", "/notices")]);
      const attention = here.filter((c) => c.mine && (c.state === "missed" || (c.state === "open" && c.reminded))).length;
      document.getElementById("vd-commitments-count").textContent = attention ? attention + (attention === 1 ? " needs" : " need") + " attention" : "";
      document.getElementById("vd-commitments-count").className = "vd-count" + (attention ? " vd-pill bad" : "");
      fill(body, notes.map(noticeItem), here.length ? here.map(item) : el("p", { class: "vd-empty", text: "No promises on this ticket." }), adder(), mine(my));
      tellPrivately(my);
    },
  });
  setInterval(async () => { try { tellPrivately(await api("GET", "/commitments/mine")); } catch (error) { /* next time */ } }, REMINDER_POLL_MS);

  V.beforeSend(async (text) => {
    const found = await api("POST", "/commitments/preview", { text }, { timeoutMs: 800 });
    if (!found.promise) return null;
    const due = V.formatTime(found.due_at);
    return { notice: "You're promising a follow-up by " + due + (found.vague ? " (no firm time, so the default applies)" : "") + ". Valuedesk will remind you." };
  });
})();
