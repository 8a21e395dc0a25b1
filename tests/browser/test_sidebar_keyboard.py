"""The sidebar from the keyboard alone: confirm with a theme, add a follow-up, preview and cancel a refund, the
"Before you send" dialog, and quoting the customer's words; the focus lands somewhere sensible after each."""

import pytest

ACTIVE = """() => { const a = document.activeElement;
  return { tag: a.tagName, text: (a.getAttribute("aria-label") || a.textContent || "").trim(), value: a.value ?? null,
           checked: a.checked ?? null, item: (a.closest("[data-key]") || {}).dataset?.key ?? null }; }"""


def active(target):
    return target.evaluate(ACTIVE)


def tab_to(target, keyboard, name, limit=80, shift=False):
    """Press Tab (or Shift+Tab) until the control named `name` has the focus, as a keyboard user would."""
    for _ in range(limit):
        keyboard.press("Shift+Tab" if shift else "Tab")
        if active(target)["text"] == name:
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


def sidebar(page, ticket):
    page.goto(page.base_url + f"/sidebar/playground?ticket_id={ticket}")
    for section in ("vd-signals", "vd-commitments", "vd-billing"):
        page.locator(f"#{section} .vd-body[data-state=ready]").wait_for()


def test_confirm_keeps_the_chosen_theme_when_tab_passes_the_title_box(page):
    sidebar(page, 1)
    tab_to(page, page.keyboard, "Confirm")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save signal").wait_for()
    first = active(page)
    assert first["tag"] == "INPUT" and first["checked"] and first["value"] not in ("new", "none"), first
    theme = page.locator(".vd-theme-form .vd-choice", has=page.locator("input:checked")).locator("span").first.inner_text()
    page.keyboard.press("Tab")
    assert active(page)["text"] == "New theme title"
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Save signal"
    assert page.locator(".vd-theme-form input:checked").get_attribute("value") == first["value"]  # not "new"
    page.keyboard.press("Enter")
    page.locator("#vd-toast", has_text="Signal saved").wait_for()
    page.wait_for_function("() => document.activeElement.closest('[data-key^=\"sig:\"]')")
    saved = page.locator(f'[data-key="{active(page)["item"]}"]')
    assert f"Theme: {theme}" in saved.inner_text()


def test_add_a_follow_up_by_keyboard_and_land_on_it(page):
    sidebar(page, 1)
    tab_to(page, page.keyboard, "Add a follow-up by hand")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Promise"
    page.keyboard.type("I'll call you on Friday about the export")
    tab_to(page, page.keyboard, "Add follow-up")
    page.keyboard.press("Enter")
    page.locator("#vd-toast", has_text="Follow-up added").wait_for()
    page.wait_for_function("() => document.activeElement.closest('[data-key^=\"c:\"]')")
    item = page.locator(f'[data-key="{active(page)["item"]}"]')
    assert "I'll call you on Friday about the export" in item.inner_text()
    assert active(page)["text"] == "Done"  # the new promise's first action; the next Tab goes on from there
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Snooze"


def test_refund_preview_and_cancel_by_keyboard(page):
    sidebar(page, 3)
    tab_to(page, page.keyboard, "Refund Ledgerly Pro, monthly (duplicate)")
    page.keyboard.press("Enter")
    assert active(page)["text"] == "Amount in USD"
    page.keyboard.press("Control+A")
    page.keyboard.type("20.00")
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Refund reason"
    page.keyboard.type("Duplicate")  # type-ahead picks "Duplicate charge"
    assert active(page)["value"] == "duplicate_charge"
    tab_to(page, page.keyboard, "Preview refund")
    page.keyboard.press("Enter")
    page.locator(".vd-preview").wait_for()
    assert active(page)["text"] == "Refund $20.00"
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Cancel"
    page.keyboard.press("Enter")
    page.locator(".vd-preview").wait_for(state="detached")
    assert active(page)["text"] == "Preview refund"  # back where the agent asked, to adjust and preview again
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Refund $20.00").wait_for()
    page.keyboard.press("Enter")
    page.locator("#vd-billing .vd-item .vd-pill.good").wait_for()
    page.wait_for_function("() => document.activeElement.closest('[data-key^=\"a:\"]') || document.activeElement.tagName === 'H2'")
    assert active(page)["tag"] != "BODY"


def test_the_dialog_holds_the_focus_and_escape_returns_to_the_reply(page):
    page.goto(page.base_url + "/playground/tickets/1")
    frame = page.frame_locator("#sidebar")
    frame.locator("#vd-signals .vd-body[data-state=ready]").wait_for()
    inner = page.frame(url=lambda url: "/sidebar/playground" in url)
    comments = page.locator("#thread .msg").count()

    page.select_option("#macro", label="Refund policy")
    page.focus("#send")
    page.keyboard.press("Enter")
    frame.get_by_role("dialog", name="Before you send").wait_for()
    assert active(inner)["text"] == "Edit reply"
    for expected in ("Send anyway", "Edit reply", "Send anyway", "Edit reply"):
        page.keyboard.press("Tab")
        assert active(inner)["text"] == expected  # Tab cycles inside the dialog
    page.keyboard.press("Shift+Tab")
    assert active(inner)["text"] == "Send anyway"
    assert inner.evaluate("document.getElementById('vd-app').inert")  # the sidebar behind cannot be reached
    page.keyboard.press("Escape")
    frame.locator(".vd-dialog").wait_for(state="detached")
    page.get_by_text("Not sent; edit your reply.").wait_for()
    assert page.evaluate("document.activeElement.id") == "draft" and page.is_enabled("#send")
    assert page.locator("#thread .msg").count() == comments

    # Escape in the composer (the focus left the dialog with the mouse) also goes back to the reply.
    page.click("#send")
    frame.get_by_role("dialog", name="Before you send").wait_for()
    page.focus("#draft")
    page.keyboard.press("Escape")
    frame.locator(".vd-dialog").wait_for(state="detached")
    page.get_by_text("Not sent; edit your reply.").wait_for()
    assert page.evaluate("document.activeElement.id") == "draft" and page.is_enabled("#send")

    page.focus("#send")
    page.keyboard.press("Enter")
    frame.get_by_role("dialog", name="Before you send").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send anyway
    page.get_by_text("Sent.", exact=True).wait_for()
    assert page.locator("#thread .msg").count() == comments + 1


def test_the_customers_words_from_the_keyboard_and_only_from_the_messages(page):
    sidebar(page, 1)
    tab_to(page, page.keyboard, "Add a signal from the customer's words")
    page.keyboard.press("Enter")
    words = page.get_by_label("Customer's words to quote")
    messages = page.get_by_role("region", name="Customer's recent messages")
    first_message = messages.locator("p").first.inner_text()

    # Selecting outside the messages (here the whole sidebar) puts nothing in the quote box.
    page.evaluate("getSelection().selectAllChildren(document.body)")
    assert words.input_value() == ""
    # Select-all inside the messages selects the messages, not the sidebar, and not the Quote buttons.
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Customer's recent messages"
    page.keyboard.press("Control+A")
    page.wait_for_function("() => document.querySelector('.vd-words').value !== ''")
    assert first_message in words.input_value() and "Quote" not in words.input_value()
    assert "Customer" not in words.input_value() and "Requester" not in words.input_value()

    # The keyboard path: Quote a message, trim it in the box, add.
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Quote message 1"
    page.keyboard.press("Enter")
    assert active(page)["text"] == "Customer's words to quote" and words.input_value() == first_message
    page.keyboard.press("Control+End")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Delete")
    quote = first_message[:-3].strip()
    tab_to(page, page.keyboard, "Add signal")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save signal").wait_for()
    tab_to(page, page.keyboard, "Save signal")
    page.keyboard.press("Enter")
    page.locator("#vd-toast", has_text="Signal added").wait_for()
    page.wait_for_function("() => document.activeElement.closest('[data-key^=\"sig:\"]')")
    saved = page.locator(f'[data-key="{active(page)["item"]}"] .vd-quote').inner_text()
    assert " ".join(saved.split()) == " ".join(quote.split())  # the trimmed words, as edited in the box


@pytest.mark.parametrize("label", ["Snooze", "Edit due time"])
def test_due_time_forms_give_the_focus_back_on_cancel(page, label):
    sidebar(page, 1)
    card = page.locator("#vd-commitments")
    card.get_by_text("Add a follow-up by hand").click()
    card.get_by_label("Promise").fill("I'll write tomorrow")
    card.get_by_role("button", name="Add follow-up").click()
    page.wait_for_function("() => document.activeElement.closest('[data-key^=\"c:\"]')")
    tab_to(page, page.keyboard, label)
    page.keyboard.press("Enter")
    assert active(page)["tag"] == "INPUT"
    tab_to(page, page.keyboard, "Cancel")
    page.keyboard.press("Enter")
    assert active(page)["text"] == label
