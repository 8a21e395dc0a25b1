// Valuedesk sidebar core: the session, API calls, a small DOM builder that never parses HTML,
// and the sections registry. Each feature adds a section script; the host shim hides the helpdesk.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("vd-config").textContent);
  const host = window.ValuedeskHost;
  const sections = [];
  let token = config.token;

  // el("div", {class: "x", text: "hi", onclick: fn, "aria-label": "y"}, child, "text", ...); el("p", "x", "hi").
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(typeof attrs === "string" ? { class: attrs } : attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text" || (key === "value" && tag === "textarea")) node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key === "onsubmit") node.addEventListener("submit", (event) => { event.preventDefault(); act(value)(event); });
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      // value, checked, selected go in as attributes: the defaults that tell typed work from a fresh form
      else if (key in node && typeof value !== "string" && !/^(value|checked|selected)$/.test(key)) node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(9)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiFailure extends Error {
    constructor(status, code, message, fields) {
      super(message);
      this.status = status; this.code = code; this.fields = fields || {};
    }
  }

  // Returns {status, data}. Hosts that cannot call us directly (Freshdesk's request templates)
  // provide host.request with the same contract.
  async function send(method, path, body, signal) {
    if (host.request) return host.request(method, path, body, token);
    const response = await fetch("/api" + path, {
      method,
      signal,
      headers: { "Authorization": "Bearer " + token, "Accept": "application/json",
                 ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, data: response.status === 204 ? null : await response.json().catch(() => null) };
  }

  async function api(method, path, body, options) {
    const controller = new AbortController();
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => {
      controller.abort();
      reject(new ApiFailure(0, "timeout", "Valuedesk took too long to answer."));
    }, (options && options.timeoutMs) || 15000); });
    const result = await Promise.race([send(method, path, body, controller.signal), timeout]).catch((error) => {
      throw error instanceof ApiFailure ? error : new ApiFailure(0, "network", "Valuedesk could not be reached.");
    }).finally(() => clearTimeout(timer));
    if (result.status < 200 || result.status >= 300) {
      const error = (result.data && result.data.error) || {};
      if (result.status === 401) banner(error.message || "Your session ended; reopen the ticket.");
      throw new ApiFailure(result.status, error.code || "error", error.message || "Request failed (" + result.status + ").", error.fields);
    }
    return result.data;
  }

  function banner(message) {
    const node = $("vd-banner");
    node.textContent = message || "";
    node.hidden = !message;
  }

  let toastTimer = null;
  function toast(message) {
    const node = $("vd-toast") || document.body.appendChild(el("div", { id: "vd-toast", class: "vd-toast", role: "status" }));
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, 3500);
  }

  // The service's clock can run ahead of this browser's (the playground's fast clock); times are relative to it.
  let skewMs = config.now ? Date.parse(config.now) - Date.now() : 0;
  function now() { return new Date(Date.now() + skewMs); }
  function setNow(iso) { skewMs = Date.parse(iso) - Date.now(); }

  const timeFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  function formatTime(iso) { return iso ? timeFormat.format(new Date(iso)) : ""; }

  // replaceChildren() that skips null/false children, like el().
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }
  // An event handler that shows what went wrong in a toast.
  function act(fn) { return async (event) => { try { await fn(event); } catch (error) { toast(error.message); } }; }
  const btn = (text, onclick, kind, type = "button") => el("button", { class: "vd-btn " + (kind || ""), type, text, onclick });

  const byKey = (root, key) => root.querySelector('[data-key="' + CSS.escape(key) + '"]');
  const typed = (n) => n.type === "radio" ? n.checked !== n.defaultChecked
    : n.tagName === "SELECT" ? [...n.options].some((o) => o.selected !== o.defaultSelected) : n.value !== n.defaultValue;
  // What an item says, less its relative times ("in 3 h"), which change by themselves.
  const said = (n) => [...n.querySelectorAll(".vd-rel")].reduce((t, r) => t.replace(r.textContent, ""), n.textContent);
  const named = (n) => (n.getAttribute("aria-label") || n.textContent).trim();

  // Updating in place: new data renders off-screen, then each item ([data-key]) holding the agent's work (an open
  // form [data-work], typed text, a focused field) moves over as it is, in its item's place; open <details> stay
  // open, the focus returns to its control. Work outside an item, or in an item gone from the new data, keeps the
  // section as it is ("update waits") until the work ends. how: {update: from the host, focus: key or [key,
  // label] to focus after, done: a form just finished}.
  function render(section, body, next, how) {
    const from = body.contains(document.activeElement) ? document.activeElement : null;
    const roots = new Set();
    for (const n of body.querySelectorAll("[data-work],input,select,textarea")) {
      if ((n.dataset.work == null && !typed(n) && n !== from) || (how.done && how.done.contains(n))) continue;
      const root = n.closest("[data-key]");
      if (!root) return false;
      roots.add(root);
    }
    const moves = [...roots].filter((r) => ![...roots].some((o) => o !== r && o.contains(r))).map((r) => [byKey(next, r.dataset.key), r]);
    if (moves.some(([twin]) => !twin)) return false;
    const old = new Map([...body.querySelectorAll("[data-key]")].map((n) => [n.dataset.key, n]));
    const mark = from && [(from.closest("[data-key]") || {}).dataset?.key, named(from)];
    next.querySelectorAll("details[data-key]").forEach((d) => { if (old.has(d.dataset.key)) d.open = old.get(d.dataset.key).open; });
    const before = how.update && body.dataset.shown ? said(body) : null;
    moves.forEach(([twin, root]) => twin.replaceWith(root));
    const changed = before != null && before !== said(next);
    if (changed) next.querySelectorAll(".vd-item[data-key]").forEach((n) => { // mark what is new or changed
      if (!old.has(n.dataset.key) || said(old.get(n.dataset.key)) !== said(n)) n.classList.add("vd-fresh");
    });
    body.replaceChildren(...next.childNodes);
    body.dataset.shown = 1;
    if (!document.hasFocus()) { /* the agent is in the helpdesk's own page: leave the focus there */ }
    else if (how.focus || (from && !from.isConnected)) focusIn(body, how.focus || mark);
    else if (from) from.focus();
    if (changed) flag(section, "updated");
    return true;
  }

  // Focus the control named `label` in item `key`, else its first control, else the section's heading.
  function focusIn(body, target) {
    const [key, label] = [].concat(target);
    const item = key && byKey(body, key);
    const controls = item ? [item, ...item.querySelectorAll("*")].filter((n) => n.tabIndex >= 0 && !n.disabled) : [];
    let node = controls.find((n) => named(n) === label) || controls[0];
    if (!node) (node = body.parentElement.querySelector("h2")).tabIndex = -1;
    node.focus();
  }

  // A quiet word in the section's heading ("updated"…), said once by the live region.
  function flag(section, word) {
    const h = document.querySelector("#" + section.id + " h2");
    let tag = h.querySelector(".vd-flag");
    if (!word) return tag && tag.textContent !== "updated" && tag.remove(); // a wait or a failure is over
    if (!tag) h.append(tag = el("span", "vd-flag vd-pill brand"));
    tag.textContent = word;
    $("vd-live").textContent = h.firstChild.textContent + ": " + word;
    clearTimeout(section.flagged);
    if (word === "updated") section.flagged = setTimeout(() => tag.remove(), 8000);
  }

  async function loadSection(section, how = {}) {
    const body = document.querySelector("#" + section.id + " .vd-body");
    if (!body) return;
    // A load overtaking one still running keeps its focus and done form (a Cancel racing a waiting update).
    if (section.inflight) how = { ...section.inflight, ...how, update: how.update && section.inflight.update };
    const seq = section.seq = (section.seq || 0) + 1;
    section.inflight = how;
    body.dataset.state = "loading";
    body.setAttribute("aria-busy", "true");
    try {
      const next = el("div");
      if (config.ticketId) await section.load(next); else fill(next, el("p", "vd-empty", section.empty));
      if (seq !== section.seq) return;
      flag(section);
      section.waiting = !render(section, body, next, how) && { update: true };
      if (section.waiting) flag(section, "update waits until you finish");
      body.dataset.state = "ready";
    } catch (error) {
      if (seq !== section.seq) return;
      body.dataset.state = "error";
      if (body.dataset.shown && how.update) return flag(section, "could not update"); // keep what the agent sees
      body.dataset.shown = 1;
      fill(body, el("p", "vd-error", error.message || "Something went wrong."), btn("Try again", () => loadSection(section, { focus: [] })));
    } finally {
      if (seq === section.seq) { section.inflight = null; body.removeAttribute("aria-busy"); }
    }
  }

  function refresh(how) { return Promise.all(sections.map((s) => loadSection(s, how))); }
  // An update that waits goes in when the agent leaves the form.
  document.addEventListener("focusout", () => setTimeout(() => sections.forEach((s) => s.waiting && loadSection(s, s.waiting))));

  // Pre-send checks: each returns {notice?, warnings?, onOutcome?}. A check that errors or is slower than
  // CHECK_TIMEOUT_MS is skipped, so a Valuedesk problem never blocks a reply (fail open).
  const CHECK_TIMEOUT_MS = 800;
  const checks = [];
  async function runChecks(text) {
    const results = await Promise.all(checks.map((check) => Promise.race([
      Promise.resolve().then(() => check(text)).catch(() => null),
      new Promise((resolve) => setTimeout(() => resolve(null), CHECK_TIMEOUT_MS)),
    ])));
    const notices = results.filter((r) => r && r.notice).map((r) => r.notice);
    const warnings = results.flatMap((r) => (r && r.warnings) || []);
    if (notices.length) toast(notices.join(" "));
    if (!warnings.length) return true;
    const proceed = await askAboutWarnings(warnings);
    results.forEach((r) => { if (r && r.onOutcome) r.onOutcome(proceed); });
    return proceed;
  }

  // "Before you send" holds the focus (Tab cycles in it, the sidebar behind is inert); Escape means Edit reply.
  // The host may close it too (Escape in its composer) and keeps the focus then.
  let closeDialog = null;
  function askAboutWarnings(warnings) {
    return new Promise((resolve) => {
      const previous = document.activeElement;
      const app = $("vd-app");
      const keys = (event) => {
        const buttons = [...dialog.querySelectorAll("button")];
        const at = buttons.indexOf(document.activeElement);
        if (event.key === "Escape") done(false);
        else if (event.key !== "Tab" || (at >= 0 && at !== (event.shiftKey ? 0 : buttons.length - 1))) return;
        else buttons.at(event.shiftKey ? -1 : 0).focus();
        event.preventDefault();
      };
      const done = (proceed) => {
        closeDialog = null;
        document.removeEventListener("keydown", keys, true);
        dialog.remove();
        app.inert = false;
        if (document.hasFocus()) previous.focus();
        resolve(proceed);
      };
      const edit = btn("Edit reply", () => done(false), "primary");
      const dialog = el("div", { class: "vd-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "vd-warn-h" },
        el("div", {},
          el("h2", { id: "vd-warn-h", text: "Before you send" }),
          el("p", "vd-note", "Only you see this. It's a nudge, not a rule."),
          warnings.map((w) => el("div", "vd-item", el("b", { text: w.title }),
            w.detail ? el("p", { text: w.detail }) : null,
            w.suggestion ? el("p", "vd-note", w.suggestion) : null,
            (w.examples || []).map((x) => el("blockquote", "vd-quote", x)))),
          el("div", "vd-actions", edit, btn("Send anyway", () => done(true)))));
      app.inert = true;
      document.body.append(dialog);
      document.addEventListener("keydown", keys, true);
      closeDialog = done;
      edit.focus();
    });
  }

  const Valuedesk = {
    config, host, api, el, fill, btn, banner, toast, formatTime, ApiFailure, refresh, now, setNow,
    ticketId: () => config.ticketId,
    ticket: () => "/tickets/" + encodeURIComponent(config.ticketId),
    act,
    section(definition) { sections.push(definition); },
    beforeSend(check) { checks.push(check); },
    reload(sectionId, how) { return loadSection(sections.find((s) => s.id === sectionId), how); },
    // Show `form` in `container`; the function returned puts back what was there, focus on `back`.
    swap(container, form, back) {
      const before = [...container.childNodes];
      fill(container, form);
      return () => { fill(container, before); (before.find((n) => n.textContent === back) || container).focus(); };
    },
    // A <details class="vd-add"> whose open state survives updates.
    more: (key, summary, ...children) => el("details", { class: "vd-add", "data-key": key }, el("summary", { text: summary }), children),
    // The key of the item beside `node`'s, to focus when that item goes away.
    beside(node) {
      const item = node.closest("[data-key]");
      return (item.nextElementSibling || item.previousElementSibling || item).dataset.key;
    },
  };
  window.Valuedesk = Valuedesk;

  Valuedesk.section({
    id: "vd-customer",
    empty: "Open a ticket to see its customer.",
    async load(body) {
      const t = await api("GET", Valuedesk.ticket());
      const row = (k, v) => v ? el("div", "vd-row", el("span", "k", k), el("span", "v", v)) : null;
      fill(body,
        row("Requester", t.requester_name + (t.requester_email ? " <" + t.requester_email + ">" : "")),
        row("Company", t.organization),
        row("Status", t.status),
        row("Assignee", t.assignee_name || "Unassigned"),
        t.tags.length ? el("div", { class: "vd-tags", role: "group", "aria-label": "Ticket tags" }, t.tags.map((tag) => el("span", "vd-tag", tag))) : null,
      );
    },
  });

  // The server asks the helpdesk for the agent's role again every 15 minutes; a renewed token carries the answer.
  async function renewSession() {
    try {
      const fresh = await api("POST", "/session/refresh");
      token = fresh.token;
      Object.assign(config, { agent: fresh.agent, verified: fresh.verified });
      showIdentity();
    } catch (error) { /* banner already shown on 401 */ }
  }

  // Whether the helpdesk vouched for who is signed in and, where it has not (Freshdesk), the one step that does.
  function showIdentity() {
    const who = $("vd-who");
    who.textContent = (config.agent && config.agent.name) || "";
    if ($("vd-trust")) $("vd-trust").remove();
    if (config.host === "freshdesk") who.after(el("span", { id: "vd-trust", class: "vd-pill " + (config.verified ? "good" : "warn"),
      text: config.verified ? "Verified" : "Not verified" }));
    adminLink();
    const box = $("vd-verify");
    box.hidden = config.verified !== false || !host.verify;
    if (box.hidden) return;
    const key = el("input", { type: "password", autocomplete: "off", required: true, "aria-label": "Your Freshdesk API key" });
    const note = el("p", "vd-note", { expired: "This browser's verification ended (expired or revoked).",
      other_agent: "This browser was verified for another agent." }[config.verification]);
    const submit = btn("Verify", null, "primary", "submit");
    const form = el("form", { class: "vd-add", onsubmit: async () => {
      submit.disabled = true;
      try {
        Object.assign(config, await host.verify(key.value.trim()));
        token = config.token;
        showIdentity();
        toast("Verified by Freshdesk.");
        refresh();
      } catch (error) {
        note.textContent = error.message || "Verification failed.";
      } finally { submit.disabled = false; key.value = ""; }
    } }, key, el("div", "vd-actions", submit));
    fill(box, el("h2", { id: "vd-verify-h", text: "Verify it's you" }),
      el("p", null, "Until Freshdesk confirms who you are, you can preview and ask for approval, but not approve or " +
        "change settings."),
      el("p", "vd-note", "Paste your API key (Freshdesk: Profile settings › View API key). It is checked once, not kept."), note, form);
  }

  // The console link, for administrators the helpdesk vouched for (the server may have rendered it already).
  function adminLink() {
    const link = $("vd-console");
    if (!config.agent || config.agent.role !== "admin" || config.verified === false) { if (link) link.remove(); return; }
    (link || document.querySelector(".vd-head").appendChild(el("button", { id: "vd-console", class: "vd-btn link", type: "button", text: "Admin console" })))
      .onclick = act(async () => window.open((await api("POST", "/admin/console-link")).url, "_blank", "noopener"));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!config.token && host.bootstrap) {
      try {
        Object.assign(config, await host.bootstrap());
        token = config.token;
      } catch (error) {
        banner("Valuedesk could not start: " + ((error && error.message) || "check the app's settings."));
        return;
      }
    }
    host.onTicketUpdated(() => refresh({ update: true }));
    if (host.onCancelSend) host.onCancelSend(() => closeDialog && closeDialog(false));
    if (host.onClock) host.onClock(setNow);
    host.onBeforeSend(runChecks);
    host.ready();
    showIdentity();
    if (!config.ticketId && host.ticketId) {
      try { config.ticketId = await host.ticketId(); } catch (error) { config.ticketId = null; }
    }
    refresh().then(() => host.resize($("vd-app").scrollHeight));
    setInterval(renewSession, 10 * 60 * 1000);
  });
})();
