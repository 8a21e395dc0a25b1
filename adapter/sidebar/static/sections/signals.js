// Signals: suggestions with the customer's words, confirm (with a theme) / edit / reject, undo, add from a selection.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api } = V;
  let types = {};

  function pill(typeKey) {
    const type = types[typeKey] || { name: typeKey, color: "#52606d" };
    const node = el("span", { class: "vd-pill vd-type", text: type.name });
    node.style.setProperty("--vd-type", type.color);
    return node;
  }

  async function chooseTheme(container, quote, onDone) {
    const form = el("form", { class: "vd-theme-form", "aria-label": "Attach to a theme" });
    fill(container, form);
    form.append(el("p", { class: "vd-note", text: "Finding similar themes…" }));
    let matches = [];
    try { matches = await api("POST", "/themes/similar", { text: quote }); } catch (error) { matches = []; }
    const name = "theme-" + Math.random().toString(36).slice(2);
    const options = matches.map((m, i) => el("label", { class: "vd-choice" },
      el("input", { type: "radio", name, value: String(m.theme_id), checked: i === 0 }),
      el("span", { text: m.title }), el("span", { class: "vd-note", text: " · " + m.signals + " signal" + (m.signals === 1 ? "" : "s") })));
    const title = el("input", { type: "text", maxlength: 200, value: quote.slice(0, 80), "aria-label": "New theme title" });
    const fresh = el("label", { class: "vd-choice" }, el("input", { type: "radio", name, value: "new", checked: !matches.length }),
      el("span", { text: "New theme:" }));
    const none = el("label", { class: "vd-choice" }, el("input", { type: "radio", name, value: "none" }), el("span", { text: "No theme for now" }));
    fill(form, el("p", { class: "vd-note", text: matches.length ? "Same problem as an existing theme?" : "Start a theme for this problem:" }),
      options, fresh, title, none,
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn primary", type: "submit", text: "Save signal" }),
        el("button", { class: "vd-btn link", type: "button", text: "Cancel", onclick: () => V.reload("vd-signals") })));
    title.addEventListener("focus", () => { fresh.querySelector("input").checked = true; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const choice = form.querySelector("input[type=radio]:checked").value;
      const body = choice === "new" ? { new_theme_title: title.value } : choice === "none" ? {} : { theme_id: Number(choice) };
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try { await onDone(body); } catch (error) { button.disabled = false; V.toast(error.message); }
    });
    const first = form.querySelector("input");
    if (first) first.focus();
  }

  function suggestionItem(s) {
    const quote = el("blockquote", { class: "vd-quote", text: s.quote });
    const actions = el("div", { class: "vd-actions" });
    const item = el("div", { class: "vd-item" },
      el("div", { class: "vd-row" }, pill(s.type_key), el("span", { class: "vd-note", text: Math.round(s.score * 100) + "% · suggested" })),
      quote, actions);
    const confirm = (text) => chooseTheme(actions, text, async (theme) => {
      await api("POST", "/suggestions/" + s.id + "/confirm", { ...theme, quote: text });
      V.toast("Signal saved and the ticket tagged.");
      V.reload("vd-signals");
    });
    fill(actions,
      el("button", { class: "vd-btn primary", type: "button", text: "Confirm", onclick: () => confirm(s.quote) }),
      el("button", { class: "vd-btn", type: "button", text: "Edit quote", onclick: () => {
        const editor = el("textarea", { "aria-label": "Customer's words", maxlength: 2000, value: s.quote });
        quote.replaceWith(editor);
        editor.focus();
        fill(actions, el("button", { class: "vd-btn primary", type: "button", text: "Use these words", onclick: () => confirm(editor.value) }),
          el("button", { class: "vd-btn link", type: "button", text: "Cancel", onclick: () => V.reload("vd-signals") }));
      } }),
      el("button", { class: "vd-btn link", type: "button", text: "Not a signal", onclick: async () => {
        try { await api("POST", "/suggestions/" + s.id + "/reject"); V.reload("vd-signals"); } catch (error) { V.toast(error.message); }
      } }));
    return item;
  }

  function issueRow(s, trackerName) {
    const t = s.tracker;
    if (t && t.state === "creating") return el("p", { class: "vd-note", role: "status", text: "Creating the issue in " + t.tracker_name + "…" });
    if (t) {
      const shipped = t.category === "done" ? " · shipped" : t.category === "cancelled" ? " · closed without a fix" : "";
      return el("p", { class: "vd-note" }, el("a", { href: t.issue_url || "#", target: "_blank", rel: "noopener", text: t.issue_key }),
        " " + (t.status || "") + shipped + " · " + t.tickets + " ticket" + (t.tickets === 1 ? "" : "s"));
    }
    if (!trackerName || !s.theme_id) return null;
    const box = el("div", { class: "vd-actions" });
    const linkForm = () => {
      const input = el("input", { type: "text", maxlength: 500, placeholder: "SUP-42 or the issue's link", "aria-label": "Existing issue key or link" });
      const form = el("form", { class: "vd-inline-form" }, input, el("button", { class: "vd-btn", type: "submit", text: "Link" }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try { await api("PUT", "/themes/" + s.theme_id + "/tracker", { issue: input.value }); V.reload("vd-signals"); } catch (error) { V.toast(error.message); }
      });
      fill(box, form);
      input.focus();
    };
    fill(box,
      el("button", { class: "vd-btn", type: "button", text: "Send to " + trackerName, onclick: async () => {
        try { await api("POST", "/themes/" + s.theme_id + "/tracker"); V.toast("Sent. The issue appears in a moment."); V.reload("vd-signals"); } catch (error) { V.toast(error.message); }
      } }),
      el("button", { class: "vd-btn link", type: "button", text: "Link an existing issue", onclick: linkForm }));
    return box;
  }

  function signalItem(s, trackerName) {
    return el("div", { class: "vd-item" },
      el("div", { class: "vd-row" }, pill(s.type_key), el("span", { class: "vd-note", text: s.theme_title ? "Theme: " + s.theme_title : "No theme" })),
      el("blockquote", { class: "vd-quote", text: s.quote }),
      issueRow(s, trackerName),
      el("div", { class: "vd-actions" }, el("button", { class: "vd-btn link", type: "button", text: "Undo", onclick: async () => {
        try { await api("DELETE", "/signals/" + s.id); V.toast("Signal removed."); V.reload("vd-signals"); } catch (error) { V.toast(error.message); }
      } })));
  }

  function adder(data) {
    const select = el("select", { "aria-label": "Signal type" }, data.types.map((t) => el("option", { value: t.key, text: t.name })));
    const messages = el("div", { class: "vd-messages", tabindex: "0", "aria-label": "Customer's recent messages; select words to quote" },
      data.messages.map((m) => el("p", { text: m.text, "data-comment": m.comment_id })));
    const status = el("p", { class: "vd-note", text: "Select the customer's words above, then add." });
    const box = el("div", { class: "vd-actions" });
    const add = el("button", { class: "vd-btn", type: "button", text: "Add signal", onclick: () => {
      const selection = String(window.getSelection ? window.getSelection() : "").trim();
      if (!selection) { status.textContent = "Select some of the customer's words first."; return; }
      const anchor = window.getSelection().anchorNode;
      const paragraph = anchor && (anchor.nodeType === 1 ? anchor : anchor.parentElement).closest("[data-comment]");
      chooseTheme(box, selection, async (theme) => {
        await api("POST", "/tickets/" + encodeURIComponent(V.ticketId()) + "/signals",
          { ...theme, type: select.value, quote: selection, comment_id: paragraph ? paragraph.dataset.comment : null });
        V.toast("Signal added.");
        V.reload("vd-signals");
      });
    } });
    fill(box, select, add);
    return el("details", { class: "vd-add" }, el("summary", { text: "Add a signal from the customer's words" }), messages, box, status);
  }

  // While an issue is being created in the tracker, look again every few seconds (for up to a minute).
  const CREATING_POLL_MS = 2500;
  let creatingPolls = 0;
  let creatingTimer = null;

  V.section({
    id: "vd-signals",
    async load(body) {
      clearTimeout(creatingTimer);
      if (!V.ticketId()) { fill(body, el("p", { class: "vd-empty", text: "Open a ticket to see its signals." })); return; }
      const data = await api("GET", "/tickets/" + encodeURIComponent(V.ticketId()) + "/signals");
      types = Object.fromEntries(data.types.map((t) => [t.key, t]));
      document.getElementById("vd-signals-count").textContent = data.suggestions.length ? data.suggestions.length + " to review" : "";
      fill(body,
        data.suggestions.map(suggestionItem),
        data.signals.map((signal) => signalItem(signal, data.tracker_name)),
        !data.suggestions.length && !data.signals.length ? el("p", { class: "vd-empty", text: "Nothing suggested for this ticket." }) : null,
        data.messages.length ? adder(data) : null);
      const creating = data.signals.some((signal) => signal.tracker && signal.tracker.state === "creating");
      creatingPolls = creating ? creatingPolls + 1 : 0;
      if (creating && creatingPolls <= 24) creatingTimer = setTimeout(() => V.reload("vd-signals"), CREATING_POLL_MS);
    },
  });
})();
