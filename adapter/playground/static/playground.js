// The playground helpdesk page: sends messages, and plays the host for the Valuedesk sidebar
// (the same role the Zendesk and Freshdesk host shims play inside a real helpdesk).
(function () {
  "use strict";
  const main = document.getElementById("ticket");
  const ticketId = main.dataset.ticketId;
  const frame = document.getElementById("sidebar");
  const form = document.getElementById("composer");
  const draft = document.getElementById("draft");
  const statusLine = document.getElementById("composer-status");
  const agentSelect = document.getElementById("agent");
  const ACK_TIMEOUT_MS = 1000;
  let pendingSend = null;

  const savedAgent = sessionStorage.getItem("vd-playground-agent");
  if (savedAgent) agentSelect.value = savedAgent;
  agentSelect.addEventListener("change", () => {
    sessionStorage.setItem("vd-playground-agent", agentSelect.value);
    frame.src = frame.src.replace(/([?&])agent=[^&]*/, "$1").replace(/[?&]$/, "") + "&agent=" + encodeURIComponent(agentSelect.value);
  });
  if (savedAgent) frame.src += "&agent=" + encodeURIComponent(savedAgent);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The same "26 Nov 15:48 UTC" the server renders, so times keep their format after a refresh.
  function messageTime(when) {
    const pad = (n) => String(n).padStart(2, "0");
    const month = when.toLocaleDateString("en-GB", { month: "short", timeZone: "UTC" });
    return pad(when.getUTCDate()) + " " + month + " " + pad(when.getUTCHours()) + ":" + pad(when.getUTCMinutes()) + " UTC";
  }

  function renderTicket(ticket) {
    const thread = document.getElementById("thread");
    thread.replaceChildren(...ticket.comments.map((c) => {
      const article = el("article", "msg msg-" + c.author_role + (c.public ? "" : " msg-private"));
      const header = el("header");
      header.append(el("b", "", c.author_name), el("span", "", c.public ? c.author_role : "internal note"));
      const time = el("time", "", messageTime(new Date(c.created_at)));
      time.dateTime = c.created_at;
      header.append(time);
      article.append(header, el("div", "body", c.body));
      return article;
    }));
    thread.scrollTop = thread.scrollHeight;
    const status = document.getElementById("ticket-status");
    status.textContent = ticket.status;
    status.className = "pill pill-" + ticket.status;
    document.getElementById("status").value = ticket.status;
    document.getElementById("ticket-tags").replaceChildren(...ticket.tags.map((t) => el("span", "", t)));
  }

  async function call(method, path, body) {
    const response = await fetch("/playground/api" + path, {
      method, headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
    return data;
  }

  function tellSidebar(message) {
    frame.contentWindow && frame.contentWindow.postMessage(message, window.location.origin);
  }

  // Ask the sidebar whether to send. It acknowledges at once and may hold the send while the agent
  // reads a warning; without an acknowledgement the send goes ahead (fail open).
  function askSidebar(text) {
    return new Promise((resolve) => {
      const id = Math.random().toString(36).slice(2);
      const timer = setTimeout(() => { pendingSend = null; resolve(true); }, ACK_TIMEOUT_MS);
      pendingSend = { id, timer, resolve };
      tellSidebar({ type: "valuedesk:before-send", id, text });
    });
  }

  // Escape while the sidebar holds a reply (its "Before you send" dialog, or a slow answer) goes back to the reply.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !pendingSend) return;
    const { id, timer, resolve } = pendingSend;
    clearTimeout(timer);
    pendingSend = null;
    tellSidebar({ type: "valuedesk:before-send-cancel", id });
    resolve(false);
  });

  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin || event.source !== frame.contentWindow) return;
    const data = event.data || {};
    if (data.type === "valuedesk:insert-text") {
      draft.value = draft.value ? draft.value.replace(/\s*$/, "") + "\n\n" + data.text : data.text;
      draft.focus();
    } else if (data.type === "valuedesk:before-send-ack" && pendingSend && data.id === pendingSend.id) {
      clearTimeout(pendingSend.timer);
    } else if (data.type === "valuedesk:before-send-result" && pendingSend && data.id === pendingSend.id) {
      clearTimeout(pendingSend.timer);
      const { resolve } = pendingSend;
      pendingSend = null;
      resolve(Boolean(data.proceed));
    } else if (data.type === "valuedesk:refresh-ticket") {
      refresh();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = draft.value.trim();
    if (!body) { statusLine.textContent = "Write something first."; return; }
    const role = form.elements.author_role.value;
    const isPublic = form.elements.visibility.value === "public";
    const send = document.getElementById("send");
    send.disabled = true;
    try {
      if (role === "agent" && isPublic) {
        statusLine.textContent = "Checking with Valuedesk…";
        const proceed = await askSidebar(body);
        if (!proceed) { statusLine.textContent = "Not sent; edit your reply."; draft.focus(); return; }
      }
      statusLine.textContent = "Sending…";
      const ticket = await call("POST", "/tickets/" + ticketId + "/comments",
        { author_role: role, body, public: isPublic, agent_id: agentSelect.value });
      draft.value = "";
      renderTicket(ticket);
      statusLine.textContent = "Sent.";
      tellSidebar({ type: "valuedesk:ticket-updated" });
    } catch (error) {
      statusLine.textContent = "Could not send: " + error.message;
    } finally {
      send.disabled = false;
    }
  });

  document.getElementById("macro").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    if (option && option.dataset.body) {
      draft.value = option.dataset.body;
      draft.focus();
    }
    event.target.value = "";
  });

  document.getElementById("status").addEventListener("change", async (event) => {
    try {
      renderTicket(await call("POST", "/tickets/" + ticketId + "/status", { status: event.target.value }));
      tellSidebar({ type: "valuedesk:ticket-updated" });
    } catch (error) {
      statusLine.textContent = "Could not change status: " + error.message;
    }
  });

  const newTicket = document.getElementById("new-ticket");
  newTicket.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(newTicket).entries());
    try {
      const ticket = await call("POST", "/tickets", data);
      window.location.href = "/playground/tickets/" + ticket.id;
    } catch (error) {
      document.getElementById("nt-error").textContent = error.message;
    }
  });

  // The fast clock moves the service's time forward, so reminders and misses show up in seconds.
  const clockNow = document.getElementById("clock-now");
  const clockReset = document.getElementById("clock-reset");
  function showClock(result) {
    const when = new Date(result.now);
    const pad = (n) => String(n).padStart(2, "0");
    const day = when.toLocaleDateString("en-GB", { weekday: "short", day: "2-digit", month: "short", timeZone: "UTC" });
    const hours = Math.floor(result.ahead_minutes / 60);
    clockNow.dateTime = result.now;
    clockNow.textContent = day.replace(",", "") + " " + pad(when.getUTCHours()) + ":" + pad(when.getUTCMinutes()) + " UTC" +
      (result.ahead_minutes ? " (" + hours + " h ahead)" : "");
    clockReset.hidden = !result.ahead_minutes;
  }
  async function moveClock(path, body, label) {
    try {
      const result = await call("POST", path, body);
      showClock(result);
      statusLine.textContent = label + ": " + result.reminded + " reminder(s), " + result.missed + " missed.";
      refresh();
      tellSidebar({ type: "valuedesk:ticket-updated", now: result.now });
    } catch (error) { statusLine.textContent = "Could not move the clock: " + error.message; }
  }
  document.querySelectorAll("[data-skip]").forEach((button) => button.addEventListener("click", () =>
    moveClock("/clock/skip", { minutes: Number(button.dataset.skip) }, "Skipped ahead " + button.textContent.slice(1))));
  clockReset.addEventListener("click", () => moveClock("/clock/reset", undefined, "Back to the real time"));

  // The worker adds tags and internal notes in the background; pick them up while the page is visible.
  let lastSeen = "";
  async function refresh() {
    if (document.hidden) return;
    try {
      const ticket = await call("GET", "/tickets/" + ticketId);
      const fingerprint = JSON.stringify([ticket.status, ticket.tags, ticket.comments.length]);
      if (lastSeen && fingerprint !== lastSeen) {
        renderTicket(ticket);
        tellSidebar({ type: "valuedesk:ticket-updated" });
      }
      lastSeen = fingerprint;
    } catch (error) { /* the next poll tries again */ }
  }
  setInterval(refresh, 4000);
  refresh();
  document.getElementById("thread").scrollTop = 1e9;
})();
