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
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key in node && typeof value !== "string") node[key] = value;
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

  async function loadSection(section) {
    const body = bodyOf(section.id);
    if (!body) return;
    body.dataset.state = "loading";
    body.setAttribute("aria-busy", "true");
    try {
      await section.load(body);
      body.dataset.state = "ready";
    } catch (error) {
      body.dataset.state = "error";
      body.replaceChildren(el("p", { class: "vd-error", text: error.message || "Something went wrong." }),
        el("button", { class: "vd-btn", type: "button", text: "Try again", onclick: () => loadSection(section) }));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  function refresh() { return Promise.all(sections.map(loadSection)); }

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

  function askAboutWarnings(warnings) {
    return new Promise((resolve) => {
      const previous = document.activeElement;
      const done = (proceed) => { dialog.remove(); if (previous) previous.focus(); resolve(proceed); };
      const edit = el("button", { class: "vd-btn primary", type: "button", text: "Edit reply", onclick: () => done(false) });
      const dialog = el("div", { class: "vd-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "vd-warn-h",
        onkeydown: (event) => { if (event.key === "Escape") done(false); } },
        el("div", {},
          el("h2", { id: "vd-warn-h", text: "Before you send" }),
          el("p", { class: "vd-note", text: "Only you see this. It's a nudge, not a rule." }),
          warnings.map((w) => el("div", { class: "vd-item" }, el("b", { text: w.title }),
            w.detail ? el("p", { text: w.detail }) : null,
            w.suggestion ? el("p", { class: "vd-note", text: w.suggestion }) : null,
            (w.examples || []).map((x) => el("blockquote", { class: "vd-quote", text: x })))),
          el("div", { class: "vd-actions" }, edit,
            el("button", { class: "vd-btn", type: "button", text: "Send anyway", onclick: () => done(true) }))));
      document.body.append(dialog);
      edit.focus();
    });
  }

  const Valuedesk = {
    config, host, api, el, fill, banner, toast, formatTime, ApiFailure, refresh, now, setNow,
    ticketId: () => config.ticketId,
    section(definition) { sections.push(definition); },
    beforeSend(check) { checks.push(check); },
    reload(sectionId) {
      const section = sections.find((s) => s.id === sectionId);
      return section ? loadSection(section) : Promise.resolve();
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
        t.tags.length ? el("div", { class: "vd-tags", "aria-label": "Ticket tags" }, t.tags.map((tag) => el("span", { class: "vd-tag", text: tag }))) : null,
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
    const who = document.getElementById("vd-who");
    who.textContent = (config.agent && config.agent.name) || "";
    const trust = document.getElementById("vd-trust");
    if (trust) trust.remove();
    if (config.host === "freshdesk") {
      who.after(el("span", { id: "vd-trust", class: "vd-pill " + (config.verified ? "good" : "warn"),
        text: config.verified ? "Verified" : "Not verified",
        title: config.verified ? "Freshdesk confirmed who you are" : "Freshdesk has not confirmed who you are yet" }));
    }
    const box = document.getElementById("vd-verify");
    box.hidden = config.verified !== false || !host.verify;
    if (box.hidden) return;
    const key = el("input", { type: "password", autocomplete: "off", required: true, "aria-label": "Your Freshdesk API key" });
    const note = el("p", { class: "vd-note", text: { expired: "This browser's verification ended (expired or revoked).",
      other_agent: "This browser was verified for another agent." }[config.verification] || "" });
    const form = el("form", { class: "vd-add" }, key,
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn primary", type: "submit", text: "Verify" })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      try {
        Object.assign(config, await host.verify(key.value.trim()));
        token = config.token;
        showIdentity();
        adminLink();
        toast("Verified by Freshdesk.");
        refresh();
      } catch (error) {
        note.textContent = error.message || "Verification failed.";
        form.querySelector("button").disabled = false;
      }
      key.value = "";
    });
    fill(box, el("h2", { id: "vd-verify-h", text: "Verify it's you" }),
      el("p", { text: "Freshdesk has not confirmed to Valuedesk who you are. You can preview refunds and coupons and ask " +
        "for approval; approving requests and admin settings need this one step." }),
      el("p", { class: "vd-note", text: "Paste your Freshdesk API key (Profile settings › View API key). Valuedesk shows " +
        "it to Freshdesk once to learn who you are, and does not keep it." }), note, form);
  }

  function adminLink() {
    if (!config.agent || config.agent.role !== "admin" || config.verified === false || document.getElementById("vd-console")) return;
    document.querySelector(".vd-head").append(el("button", { id: "vd-console", class: "vd-btn link", type: "button",
      text: "Admin console", onclick: async () => {
        try { window.open((await api("POST", "/admin/console-link")).url, "_blank", "noopener"); }
        catch (error) { toast(error.message); }
      } }));
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
    host.onTicketUpdated(() => refresh());
    if (host.onClock) host.onClock(setNow);
    host.onBeforeSend(runChecks);
    host.ready();
    showIdentity();
    adminLink();
    if (!config.ticketId && host.ticketId) {
      try { config.ticketId = await host.ticketId(); } catch (error) { config.ticketId = null; }
    }
    refresh().then(() => host.resize(document.getElementById("vd-app").scrollHeight));
    setInterval(renewSession, 10 * 60 * 1000);
  });
})();
