// Signals: suggestions with the customer's words, confirm (with a theme) / edit / reject, undo, add from the messages.
(function () {
  "use strict";
  const V = window.Valuedesk;
  const { el, fill, api, btn } = V;
  const ID = "vd-signals";
  let types = {};

  function pill(typeKey) {
    const type = types[typeKey] || { name: typeKey, color: "#52606d" };
    const node = el("span", "vd-pill vd-type", type.name);
    node.style.setProperty("--vd-type", type.color);
    return node;
  }

  // The theme step. Only typing a title picks "New theme": the focus passing through the box changes nothing.
  async function chooseTheme(container, quote, onDone, back) {
    const form = el("form", { class: "vd-theme-form", "data-work": "", "aria-label": "Attach to a theme" });
    const cancel = V.swap(container, form, back);
    form.append(el("p", { class: "vd-note", role: "status", text: "Finding similar themes…" }));
    let matches = [];
    try { matches = await api("POST", "/themes/similar", { text: quote }); } catch (error) { matches = []; }
    const name = "theme-" + Math.random().toString(36).slice(2);
    const radio = (value, checked, ...label) => el("label", "vd-choice", el("input", { type: "radio", name, value, checked }), label);
    const title = el("input", { maxlength: 200, value: quote.slice(0, 80), "aria-label": "New theme title" });
    const fresh = radio("new", !matches.length, el("span", { text: "New theme:" }));
    title.addEventListener("input", () => { fresh.firstChild.checked = true; });
    fill(form, el("fieldset", {}, el("legend", "vd-note", matches.length ? "Same problem as an existing theme?" : "Start a theme for this problem:"),
      matches.map((m, i) => radio(String(m.theme_id), i === 0, el("span", { text: m.title }),
        el("span", "vd-note", " · " + m.signals + " signal" + (m.signals === 1 ? "" : "s")))),
      fresh, title, radio("none", false, el("span", { text: "No theme for now" }))),
    el("div", "vd-actions", btn("Save signal", null, "primary", "submit"),
      btn("Cancel", cancel, "link")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const choice = form.querySelector("input:checked").value;
      const body = choice === "new" ? { new_theme_title: title.value } : choice === "none" ? {} : { theme_id: Number(choice) };
      const button = form.querySelector("[type=submit]");
      button.disabled = true;
      try { await onDone(body); } catch (error) { button.disabled = false; V.toast(error.message); }
    });
    form.querySelector("input").focus();
  }

  // After a save, the focus goes to the saved signal.
  const saved = (item) => (signal) => { V.toast("Signal saved and the ticket tagged."); return V.reload(ID, { done: item, focus: "sig:" + signal.id }); };

  function suggestionItem(s) {
    const key = "s:" + s.id;
    const quote = el("blockquote", "vd-quote", s.quote);
    const actions = el("div", "vd-actions");
    const item = el("div", { class: "vd-item", "data-key": key },
      el("div", "vd-row", pill(s.type_key), el("span", "vd-note", Math.round(s.score * 100) + "% · suggested")),
      quote, actions);
    const confirm = (text, back) => chooseTheme(actions, text, async (theme) =>
      saved(item)(await api("POST", "/suggestions/" + s.id + "/confirm", { ...theme, quote: text })), back);
    fill(actions,
      btn("Confirm", () => confirm(s.quote, "Confirm"), "primary"),
      btn("Edit quote", () => {
        const editor = el("textarea", { "aria-label": "Customer's words", maxlength: 2000, value: s.quote, "data-work": "" });
        quote.replaceWith(editor);
        editor.focus();
        fill(actions, btn("Use these words", () => confirm(editor.value, "Edit quote"), "primary"),
          btn("Cancel", () => V.reload(ID, { done: item, focus: [key, "Edit quote"] }), "link"));
      }),
      btn("Not a signal", V.act(async () => { await api("POST", "/suggestions/" + s.id + "/reject"); V.reload(ID, { focus: V.beside(item) }); }), "link"));
    return item;
  }

  function issueRow(s, trackerName) {
    const t = s.tracker;
    const key = "sig:" + s.id;
    if (t && t.state === "creating") return el("p", { class: "vd-note", role: "status", text: "Creating the issue in " + t.tracker_name + "…" });
    if (t) {
      const shipped = t.category === "done" ? " · shipped" : t.category === "cancelled" ? " · closed without a fix" : "";
      return el("p", "vd-note", el("a", { href: t.issue_url || "#", target: "_blank", rel: "noopener", text: t.issue_key }),
        " " + (t.status || "") + shipped + " · " + t.tickets + " ticket" + (t.tickets === 1 ? "" : "s"));
    }
    if (!trackerName || !s.theme_id) return null;
    const box = el("div", "vd-actions");
    const linkForm = () => {
      const input = el("input", { maxlength: 500, placeholder: "SUP-42 or the issue's link", "aria-label": "Existing issue key or link" });
      const form = el("form", { class: "vd-inline-form", "data-work": "", onsubmit: async () => {
        await api("PUT", "/themes/" + s.theme_id + "/tracker", { issue: input.value });
        V.reload(ID, { done: form, focus: key });
      } }, input, btn("Link", null, "", "submit"));
      fill(box, form);
      input.focus();
    };
    fill(box,
      btn("Send to " + trackerName, V.act(async () => { await api("POST", "/themes/" + s.theme_id + "/tracker"); V.toast("Sent. The issue appears in a moment."); V.reload(ID, { focus: key }); })),
      btn("Link an existing issue", linkForm, "link"));
    return box;
  }

  function signalItem(s, trackerName) {
    const item = el("div", { class: "vd-item", "data-key": "sig:" + s.id },
      el("div", "vd-row", pill(s.type_key), el("span", "vd-note", s.theme_title ? "Theme: " + s.theme_title : "No theme")),
      el("blockquote", "vd-quote", s.quote),
      issueRow(s, trackerName),
      el("div", "vd-actions", btn("Undo", V.act(async () => { await api("DELETE", "/signals/" + s.id); V.toast("Signal removed."); V.reload(ID, { focus: V.beside(item) }); }), "link")));
    return item;
  }

  // The customer's words come from the quote box: filled by selecting inside the messages (nowhere else), by
  // a message's Quote button, or typed; the box can always be edited from the keyboard.
  function adder(data) {
    const select = el("select", { "aria-label": "Signal type" }, data.types.map((t) => el("option", { value: t.key, text: t.name })));
    const words = el("textarea", { class: "vd-words", maxlength: 2000, "aria-label": "Customer's words to quote" });
    const messages = el("div", { class: "vd-messages", role: "region", tabindex: "0", "aria-label": "Customer's recent messages",
      onkeydown: (event) => { // select all means all of these messages, not the whole sidebar
        if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") { event.preventDefault(); getSelection().selectAllChildren(messages); }
      } },
    data.messages.map((m, i) => el("div", "vd-msg", el("p", { text: m.text }),
      el("button", { class: "vd-btn link", type: "button", text: "Quote", "aria-label": "Quote message " + (i + 1),
        onclick: () => { words.value = m.text; words.focus(); } }))));
    const box = el("div", "vd-actions");
    const add = btn("Add signal", () => {
      const quote = words.value.trim();
      if (!quote) { status.textContent = "Select or type the customer's words first."; words.focus(); return; }
      const from = data.messages.find((m) => m.text.includes(quote));
      chooseTheme(box, quote, async (theme) => {
        const signal = await api("POST", V.ticket() + "/signals",
          { ...theme, type: select.value, quote, comment_id: from ? String(from.comment_id) : null });
        V.toast("Signal added.");
        V.reload(ID, { done: details, focus: "sig:" + signal.id });
      }, "Add signal");
    });
    const status = el("p", { class: "vd-note", role: "status", text: "Select words in a message, press Quote, or type them; then add." });
    fill(box, select, add);
    const details = V.more("add-signal", "Add a signal from the customer's words",
      messages, words, status, box);
    return details;
  }

  document.addEventListener("selectionchange", () => {
    const selection = getSelection();
    const inside = (node) => node && (node.nodeType === 1 ? node : node.parentElement).closest(".vd-messages");
    const region = inside(selection.anchorNode);
    const text = String(selection).trim();
    if (text && region && region === inside(selection.focusNode)) region.parentElement.querySelector(".vd-words").value = text;
  });

  // While an issue is being created in the tracker, look again every few seconds (for up to a minute).
  const CREATING_POLL_MS = 2500;
  let creatingPolls = 0;
  let creatingTimer = null;

  V.section({
    id: ID,
    empty: "Open a ticket to see its signals.",
    async load(body) {
      clearTimeout(creatingTimer);
      const data = await api("GET", V.ticket() + "/signals");
      types = Object.fromEntries(data.types.map((t) => [t.key, t]));
      document.getElementById("vd-signals-count").textContent = data.suggestions.length ? data.suggestions.length + " to review" : "";
      fill(body,
        data.suggestions.map(suggestionItem),
        data.signals.map((signal) => signalItem(signal, data.tracker_name)),
        !data.suggestions.length && !data.signals.length ? el("p", "vd-empty", "Nothing suggested for this ticket.") : null,
        data.messages.length ? adder(data) : null);
      const creating = data.signals.some((signal) => signal.tracker && signal.tracker.state === "creating");
      creatingPolls = creating ? creatingPolls + 1 : 0;
      if (creating && creatingPolls <= 24) creatingTimer = setTimeout(() => V.reload(ID), CREATING_POLL_MS);
    },
  });
})();
