// Follow-ups: promises here and mine, honest updates, suggested tasks, private reminders and thanks, a pre-send note.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api, btn } = V;
  const STATES = { open: "brand", kept: "good", done: "good", missed: "bad", closed: "", cancelled: "" };
  const REMINDER_POLL_MS = 2 * 60 * 1000;
  const ID = "vd-commitments";

  function relative(iso) {
    const minutes = Math.round((new Date(iso) - V.now()) / 60000);
    const size = Math.abs(minutes) < 60 ? minutes + " min" : Math.abs(minutes) < 2880 ? Math.round(minutes / 60) + " h" : Math.round(minutes / 1440) + " days";
    return el("span", "vd-rel", minutes < 0 ? size.replace("-", "") + " ago" : "in " + size);
  }

  // A datetime-local value for this time tomorrow.
  function tomorrow() {
    const date = new Date(V.now().getTime() + 86400000);
    const pad = (n) => String(n).padStart(2, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // Snooze / edit the due time in place of the item's buttons.
  function dueForm(container, key, label, back, withReason, send) {
    const when = el("input", { type: "datetime-local", required: true, value: tomorrow() });
    const reason = withReason ? el("input", { maxlength: 300, required: true, placeholder: "Why (for your notes)", "aria-label": "Reason" }) : null;
    const form = el("form", { "data-work": "", onsubmit: async () => {
      await send(new Date(when.value).toISOString(), reason && reason.value);
      V.reload(ID, { done: form, focus: [key, back] });
    } }, el("label", {}, label, when), reason,
      el("div", "vd-actions", btn("Save", null, "primary", "submit"),
        btn("Cancel", () => cancel(), "link")));
    const cancel = V.swap(container, form, back);
    when.focus();
  }

  function item(c) {
    const key = "c:" + c.id;
    const actions = el("div", "vd-actions");
    const who = c.task ? "Suggested by Valuedesk (not a promise; never counted)"
      : c.mine ? "Your promise" : "Promised by " + (c.agent_name || "a teammate");
    const row = el("div", { class: "vd-item", "data-key": key },
      el("div", "vd-row", el("span", "vd-pill " + (STATES[c.state] || ""), c.task && c.state === "open" ? "suggested" : c.state),
        el("span", "vd-note", "due " + V.formatTime(c.due_at), c.state === "open" ? [" · ", relative(c.due_at)] : null)),
      el("blockquote", "vd-quote", c.text),
      el("p", "vd-note", [who,
        c.vague || !(c.manual || c.task || c.due_text) ? "no " + (c.vague ? "firm time" : "time named") + ", so the default applies (not counted)" : null, c.conditional ? "conditional" : null,
        c.reminded && c.state === "open" ? "due soon" : null,
        c.updates ? "moved out by your " + (c.updates === 1 ? "reply" : c.updates + " replies") : null,
        c.state === "closed" ? "the ticket was solved first; counted neither way" : null,
        c.snooze_reason ? "snoozed: " + c.snooze_reason : null].filter(Boolean).join(" · ")),
      c.nudge && (c.state === "open" || c.state === "missed") ? el("div", "vd-nudge", el("p", "vd-note", c.state === "missed" ? "Missed, and that's okay. An honest update still helps:" : "Drafted for you:"),
        el("blockquote", "vd-quote", c.nudge),
        btn("Insert into reply", () => V.host.insertText(c.nudge))) : null,
      actions);
    const done = btn("Done", V.act(async () => { await api("POST", "/commitments/" + c.id + "/done"); V.reload(ID, { focus: key }); }));
    if (c.state === "open" && c.task) fill(actions, done);
    else if (c.state === "open") {
      fill(actions, done,
        btn("Snooze", () => dueForm(actions, key, "Snooze until", "Snooze", true,
          (due, reason) => api("POST", "/commitments/" + c.id + "/snooze", { due_at: due, reason }))),
        btn("Edit due time", () => dueForm(actions, key, "Due", "Edit due time", false,
          (due) => api("PATCH", "/commitments/" + c.id, { due_at: due })), "link"));
    }
    return row;
  }

  function adder() {
    const text = el("input", { maxlength: 1000, required: true, placeholder: "What did you promise?", "aria-label": "Promise" });
    const when = el("input", { type: "datetime-local", required: true, value: tomorrow(), "aria-label": "Due" });
    const form = el("form", { onsubmit: async () => {
      const made = await api("POST", V.ticket() + "/commitments", { text: text.value, due_at: new Date(when.value).toISOString() });
      V.toast("Follow-up added. We'll remind you before it's due.");
      V.reload(ID, { done: form, focus: "c:" + made.id });
    } }, text, when, el("div", "vd-actions", btn("Add follow-up", null, "", "submit")));
    return V.more("add-followup", "Add a follow-up by hand", form);
  }

  function mine(list) {
    const others = list.filter((c) => c.ticket_id !== String(V.ticketId()));
    if (!others.length) return null;
    return V.more("mine", "My open follow-ups (" + others.length + ")",
      others.map((c) => el("div", "vd-row vd-mine",
        el("span", { class: "vd-pill " + (STATES[c.state] || "") }, c.state === "missed" ? "missed" : relative(c.due_at)),
        c.ticket_url ? el("a", { href: c.ticket_url, target: "_blank", rel: "noopener", text: "#" + c.ticket_id + " " + c.text })
          : el("span", { text: "#" + c.ticket_id + " " + c.text }))));
  }

  // Thank-yous and other notices for this agent alone.
  function noticeItem(n) {
    const item = el("div", { class: "vd-item vd-thanks", role: "status", "data-key": "n:" + n.id },
      el("p", { text: n.text }),
      el("div", "vd-actions",
        n.url ? el("a", { href: n.url, target: "_blank", rel: "noopener", text: "See the issue" }) : null,
        btn("Dismiss", V.act(async () => { await api("POST", "/notices/" + n.id + "/dismiss"); V.reload(ID, { focus: V.beside(item) }); }), "link")));
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
    empty: "Open a ticket to see its follow-ups.",
    async load(body) {
      const [here, my, notes] = await Promise.all([api("GET", V.ticket() + "/commitments"),
        api("GET", "/commitments/mine"), api("GET", "/notices")]);
      const attention = here.filter((c) => c.mine && (c.state === "missed" || (c.state === "open" && c.reminded))).length;
      const count = document.getElementById("vd-commitments-count");
      count.textContent = attention ? attention + (attention === 1 ? " needs" : " need") + " attention" : "";
      count.className = "vd-count" + (attention ? " vd-pill bad" : "");
      fill(body, notes.map(noticeItem), here.length ? here.map(item) : el("p", "vd-empty", "No promises on this ticket."), adder(), mine(my));
      tellPrivately(my);
    },
  });
  setInterval(async () => { try { tellPrivately(await api("GET", "/commitments/mine")); } catch (error) { /* next time */ } }, REMINDER_POLL_MS);

  V.beforeSend(async (text) => {
    const found = await api("POST", "/commitments/preview", { text }, { timeoutMs: 800 });
    if (!found.promise) return null;
    const due = V.formatTime(found.due_at);
    const why = found.vague ? " (no firm time, so the default applies)" : found.timed ? "" : " (no time named, so the default applies)";
    return { notice: "You're promising a follow-up by " + due + why + ": \u201c" + found.sentence + "\u201d Valuedesk will remind you." };
  });
})();
