// Valuedesk sidebar core: the session, API calls, a small DOM builder that never parses HTML,
// and the sections registry. Each feature adds a section script; the host shim hides the helpdesk.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("vd-config").textContent);
  const host = window.ValuedeskHost;
  const sections = [];
  let token = config.token;

  // el("div", {class: "x", text: "hi", onclick: fn, "aria-label": "y"}, child, "text", ...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text" || (key === "value" && tag === "textarea")) node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      // value, checked and selected go in as attributes: they are the defaults that tell typed work from a fresh form
      else if (key in node && typeof value !== "string" && !/^(value|checked|selected)$/.test(key)) node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
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
    const timeoutMs = (options && options.timeoutMs) || 15000;
    const controller = new AbortController();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => { controller.abort(); reject(new ApiFailure(0, "timeout", "Valuedesk took too long to answer.")); }, timeoutMs);
    });
    let result;
    try {
      result = await Promise.race([send(method, path, body, controller.signal), timeout]);
    } catch (error) {
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure(0, "network", "Valuedesk could not be reached.");
    } finally {
      clearTimeout(timer);
    }
    if (result.status < 200 || result.status >= 300) {
      const error = (result.data && result.data.error) || {};
      if (result.status === 401) banner(error.message || "Your session ended; reopen the ticket.");
      throw new ApiFailure(result.status, error.code || "error", error.message || "Request failed (" + result.status + ").", error.fields);
    }
    return result.data;
  }

  function banner(message) {
    const node = document.getElementById("vd-banner");
    node.textContent = message || "";
    node.hidden = !message;
  }

  let toastTimer = null;
  function toast(message) {
    let node = document.getElementById("vd-toast");
    if (!node) {
      node = el("div", { id: "vd-toast", class: "vd-toast", role: "status" });
      document.body.append(node);
    }
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

  function bodyOf(sectionId) { return document.querySelector("#" + sectionId + " .vd-body"); }
  const byKey = (root, key) => root.querySelector('[data-key="' + CSS.escape(key) + '"]');
  const FOCUSABLE = "button:not([disabled]),a[href],input,select,textarea,summary";
  const typed = (n) => n.type === "radio" || n.type === "checkbox" ? n.checked !== n.defaultChecked
    : n.tagName === "SELECT" ? [...n.options].some((o) => o.selected !== o.defaultSelected) : n.value !== n.defaultValue;
  // What an item says, less its relative times ("in 3 h"), which change by themselves.
  const said = (n) => [...n.querySelectorAll(".vd-rel")].reduce((t, r) => t.replace(r.textContent, ""), n.textContent);

  // Updating in place. A section renders its new data off-screen, then keeps what the agent is in the middle
  // of: each item (an element with data-key) that holds an open form ([data-work]), typed text or the focus
  // in a field is carried over as it is into the new content, in its item's place; open <details> stay open
  // and the focus returns to the same control. If such work is outside any item, or its item has gone from
  // the new data, the section keeps what it shows (saying an update waits) and renders when the work ends.
  // `how.done` is a form the agent just finished (its work is over); `how.focus` a key (and label) to focus.
  function render(section, body, next, how) {
    const active = document.activeElement;
    const work = [...body.querySelectorAll("[data-work],input,select,textarea")]
      .filter((n) => (n.dataset.work !== undefined || typed(n) || n === active) && !(how.done && how.done.contains(n)));
    const roots = [];
    for (const node of work) {
      const root = node.closest("[data-key]");
      if (!root || !body.contains(root)) return false;
      if (!roots.includes(root)) roots.push(root);
    }
    const moves = [];
    for (const root of roots) {
      if (roots.some((r) => r !== root && r.contains(root))) continue;
      const twin = byKey(next, root.dataset.key);
      if (!twin) return false;
      moves.push([twin, root]);
    }
    const old = new Map([...body.querySelectorAll("[data-key]")].map((n) => [n.dataset.key, n]));
    const from = body.contains(active) && active !== body ? active : null;
    const mark = from && [from.closest("[data-key]"), from.getAttribute("aria-label") || from.textContent.trim()];
    const caret = from && from.selectionEnd != null ? [from.selectionStart, from.selectionEnd] : null;
    next.querySelectorAll("details[data-key]").forEach((d) => { if (old.has(d.dataset.key)) d.open = old.get(d.dataset.key).open; });
    const before = how.update && body.dataset.shown ? said(body) : null;
    for (const [twin, root] of moves) twin.replaceWith(root);
    const changed = before !== null && before !== said(next);
    if (changed) { // mark the items that are new or say something new
      for (const n of next.querySelectorAll(".vd-item[data-key]")) {
        if (!old.has(n.dataset.key) || said(old.get(n.dataset.key)) !== said(n)) n.classList.add("vd-fresh");
      }
    }
    body.replaceChildren(...next.childNodes);
    body.dataset.shown = "1";
    if (how.focus) focusIn(body, how.focus);
    else if (from && document.activeElement !== from) {
      if (body.contains(from)) { from.focus(); if (caret) from.setSelectionRange(...caret); }
      else focusIn(body, [mark[0] && mark[0].dataset.key, mark[1]]);
    }
    if (changed) flag(section, "updated");
    return true;
  }

  // Focus the control named `label` in the item `key`, else the item's first control, else the section's heading.
  function focusIn(body, target) {
    const [key, label] = [].concat(target);
    const item = key ? byKey(body, key) : null;
    const controls = item ? [item, ...item.querySelectorAll(FOCUSABLE)].filter((n) => n.matches(FOCUSABLE)) : [];
    let node = controls.find((n) => (n.getAttribute("aria-label") || n.textContent.trim()) === label) || controls[0];
    if (!node) { node = body.parentElement.querySelector("h2"); node.tabIndex = -1; }
    node.focus();
  }

  // A quiet word in the section's heading ("updated", "update waits"), read out once by the live region.
  function flag(section, word) {
    const h = document.querySelector("#" + section.id + " h2");
    let tag = h.querySelector(".vd-flag");
    if (!word) { if (tag && tag.textContent !== "updated") tag.remove(); return; } // a wait or a failure is over
    if (!tag) h.append(tag = el("span", { class: "vd-flag" }));
    tag.textContent = word;
    document.getElementById("vd-live").textContent = h.firstChild.textContent.trim() + ": " + word;
    clearTimeout(section.flagTimer);
    if (word === "updated") section.flagTimer = setTimeout(() => tag.remove(), 8000);
  }

  async function loadSection(section, how = {}) {
    const body = bodyOf(section.id);
    if (!body) return;
    // A load that overtakes one still running keeps its focus and finished form (a Cancel racing a retry).
    if (section.inflight) how = { ...section.inflight, ...how, update: how.update && section.inflight.update };
    section.inflight = how;
    const seq = section.seq = (section.seq || 0) + 1;
    if (!section.watched) {
      section.watched = true; // an update that waited goes in once the agent leaves the form
      body.addEventListener("focusout", () => setTimeout(() => { if (section.waiting) loadSection(section, section.waiting); }));
    }
    body.dataset.state = "loading";
    body.setAttribute("aria-busy", "true");
    try {
      const next = el("div");
      await section.load(next);
      if (seq !== section.seq) return;
      flag(section);
      section.waiting = render(section, body, next, how) ? null : { update: true };
      if (section.waiting) flag(section, "update waits until you finish");
      body.dataset.state = "ready";
    } catch (error) {
      if (seq !== section.seq) return;
      body.dataset.state = "error";
      if (body.dataset.shown && how.update) { flag(section, "could not update"); return; } // keep what the agent sees
      body.dataset.shown = "1";
      body.replaceChildren(el("p", { class: "vd-error", text: error.message || "Something went wrong." }),
        el("button", { class: "vd-btn", type: "button", text: "Try again", onclick: () => loadSection(section, { focus: [] }) }));
    } finally {
      if (seq === section.seq) { section.inflight = null; body.removeAttribute("aria-busy"); }
    }
  }

  function refresh(how) { return Promise.all(sections.map((s) => loadSection(s, how))); }

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

  // "Before you send": a modal that holds the focus (Tab cycles inside it; the rest of the sidebar is inert) and
  // closes on Escape as "Edit reply", giving the focus back. The host may also close it (Escape in the composer).
  let closeDialog = null;
  function askAboutWarnings(warnings) {
    return new Promise((resolve) => {
      const previous = document.activeElement;
      const app = document.getElementById("vd-app");
      const keys = (event) => {
        const buttons = [...dialog.querySelectorAll("button")];
        const at = buttons.indexOf(document.activeElement);
        if (event.key === "Escape") { event.preventDefault(); done(false); }
        else if (event.key === "Tab" && (at < 0 || (event.shiftKey ? at === 0 : at === buttons.length - 1))) {
          event.preventDefault();
          buttons.at(event.shiftKey ? -1 : 0).focus();
        }
      };
      const done = (proceed) => {
        closeDialog = null;
        document.removeEventListener("keydown", keys, true);
        dialog.remove();
        app.inert = false;
        if (previous && document.hasFocus()) previous.focus(); // not when the host took the focus back (Escape there)
        resolve(proceed);
      };
      const edit = el("button", { class: "vd-btn primary", type: "button", text: "Edit reply", onclick: () => done(false) });
      const dialog = el("div", { class: "vd-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "vd-warn-h" },
        el("div", {},
          el("h2", { id: "vd-warn-h", text: "Before you send" }),
          el("p", { class: "vd-note", text: "Only you see this. It's a nudge, not a rule. Escape goes back to your reply." }),
          warnings.map((w) => el("div", { class: "vd-item" }, el("b", { text: w.title }),
            w.detail ? el("p", { text: w.detail }) : null,
            w.suggestion ? el("p", { class: "vd-note", text: w.suggestion }) : null,
            (w.examples || []).map((x) => el("blockquote", { class: "vd-quote", text: x })))),
          el("div", { class: "vd-actions" }, edit,
            el("button", { class: "vd-btn", type: "button", text: "Send anyway", onclick: () => done(true) }))));
      app.inert = true;
      document.body.append(dialog);
      document.addEventListener("keydown", keys, true);
      closeDialog = done;
      edit.focus();
    });
  }

  const Valuedesk = {
    config, host, api, el, fill, banner, toast, formatTime, ApiFailure, refresh, now, setNow,
    ticketId: () => config.ticketId,
    section(definition) { sections.push(definition); },
    beforeSend(check) { checks.push(check); },
    // how: {focus: key or [key, label] to focus afterwards, done: the form just finished}
    reload(sectionId, how) {
      const section = sections.find((s) => s.id === sectionId);
      return section ? loadSection(section, how) : Promise.resolve();
    },
    // The key of the item beside `node`'s item, to move the focus to when that item goes away.
    beside(node) {
      const item = node.closest("[data-key]");
      const other = item && (item.nextElementSibling || item.previousElementSibling);
      return other && other.dataset.key ? other.dataset.key : null;
    },
  };
  window.Valuedesk = Valuedesk;

  Valuedesk.section({
    id: "vd-customer",
    async load(body) {
      if (!config.ticketId) { body.replaceChildren(el("p", { class: "vd-empty", text: "Open a ticket to see its customer." })); return; }
      const t = await api("GET", "/tickets/" + encodeURIComponent(config.ticketId));
      const row = (k, v) => v ? el("div", { class: "vd-row" }, el("span", { class: "k", text: k }), el("span", { class: "v", text: v })) : null;
      fill(body,
        row("Requester", t.requester_name + (t.requester_email ? " <" + t.requester_email + ">" : "")),
        row("Company", t.organization),
        row("Status", t.status),
        row("Assignee", t.assignee_name || "Unassigned"),
        t.tags.length ? el("div", { class: "vd-tags", role: "group", "aria-label": "Ticket tags" }, t.tags.map((tag) => el("span", { class: "vd-tag", text: tag }))) : null,
      );
    },
  });

  async function renewSession() {
    try { token = (await api("POST", "/session/refresh")).token; } catch (error) { /* banner already shown on 401 */ }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!config.token && host.bootstrap) {
      try {
        Object.assign(config, await host.bootstrap());
        token = config.token;
        document.getElementById("vd-who").textContent = (config.agent && config.agent.name) || "";
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
    if (config.agent && config.agent.role === "admin") { // in the page already unless the host told us who signed in
      const button = document.getElementById("vd-console") || document.querySelector(".vd-head")
        .appendChild(el("button", { id: "vd-console", class: "vd-btn link", type: "button", text: "Admin console" }));
      button.addEventListener("click", async () => {
        try { window.open((await api("POST", "/admin/console-link")).url, "_blank", "noopener"); } catch (error) { toast(error.message); }
      });
    }
    if (!config.ticketId && host.ticketId) {
      try { config.ticketId = await host.ticketId(); } catch (error) { config.ticketId = null; }
    }
    refresh().then(() => host.resize(document.getElementById("vd-app").scrollHeight));
    setInterval(renewSession, 30 * 60 * 1000);
  });
})();
