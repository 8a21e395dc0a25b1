"""A ticket update while the agent works in the sidebar: the data is refreshed in place, and open forms, typed text,
open sections and the focus are kept; what changed says "updated"."""

from adapter.installations import PLAYGROUND_ID
from tests.support import bearer

FEATURE = "Could you add an option to export one quarter at a time? That feature would really help us."


def sidebar_in_playground(page):
    page.goto(page.base_url + "/playground/tickets/1")
    frame = page.frame_locator("#sidebar")
    for section in ("vd-signals", "vd-commitments", "vd-billing"):
        frame.locator(f"#{section} .vd-body[data-state=ready]").wait_for()
    return frame, page.frame(url=lambda url: "/sidebar/playground" in url)


def tell_sidebar_the_ticket_changed(page):
    """What the playground page does when its poll sees a change (and the Zendesk/Freshdesk shims on ticket events)."""
    page.evaluate("() => document.getElementById('sidebar').contentWindow.postMessage("
                  "{ type: 'valuedesk:ticket-updated' }, location.origin)")


def test_an_update_keeps_every_open_form_its_typed_text_and_the_focus(page):
    frame, inner = sidebar_in_playground(page)
    signals, followups, billing = (frame.locator(f"#vd-{name}") for name in ("signals", "commitments", "billing"))

    # Set up: a promise to snooze and a confirmed signal with a theme (to link an issue to).
    followups.get_by_text("Add a follow-up by hand").click()
    followups.get_by_label("Promise").fill("I'll check with billing tomorrow")
    followups.get_by_role("button", name="Add follow-up").click()
    followups.get_by_role("button", name="Snooze").wait_for()
    signals.get_by_role("button", name="Confirm").nth(2).click()
    signals.get_by_label("New theme title").fill("Exports time out")
    signals.get_by_role("button", name="Save signal").click()
    signals.get_by_role("button", name="Link an existing issue").wait_for()
    assert signals.get_by_role("button", name="Confirm").count() == 2

    # Every form of the sidebar, open with something typed in it.
    typed = {}
    signals.get_by_role("button", name="Edit quote").first.click()
    signals.get_by_label("Customer's words", exact=True).press("End")
    signals.get_by_label("Customer's words", exact=True).type(" (edited)")
    typed["Customer's words"] = signals.get_by_label("Customer's words", exact=True).input_value()
    signals.get_by_role("button", name="Confirm").last.click()
    signals.get_by_label("New theme title").fill("Typed theme title")
    typed["New theme title"] = "Typed theme title"
    signals.get_by_role("button", name="Link an existing issue").click()
    typed["Existing issue key or link"] = "VD-99"
    signals.get_by_label("Existing issue key or link").fill("VD-99")
    signals.get_by_text("Add a signal from the customer's words").click()
    typed["Customer's words to quote"] = "typed words"
    signals.get_by_label("Customer's words to quote").fill("typed words")
    followups.get_by_role("button", name="Snooze").click()
    typed["Reason"] = "waiting for billing"
    followups.get_by_label("Reason").fill("waiting for billing")
    billing.get_by_role("button", name="Refund Ledgerly Business, annual").click()
    typed["Amount in USD"] = "12.34"
    billing.get_by_label("Amount in USD").fill("12.34")
    billing.get_by_label("Refund reason").select_option("service_issue")
    typed["Note"] = "typed note"
    billing.get_by_label("Note").first.fill("typed note")
    billing.get_by_text("Give a coupon or credit").click()
    typed["Value"] = "15"
    billing.get_by_label("Value").fill("15")
    followups.get_by_label("Promise").fill("Typed promise")  # the follow-up form, still open, gets the focus
    typed["Promise"] = "Typed promise"
    followups.get_by_label("Promise").press("ArrowLeft")
    old_nodes = inner.evaluate("() => { window.oldCustomer = document.querySelector('#vd-customer .vd-body').firstChild; return 1; }")
    assert old_nodes == 1

    # A customer writes (the playground's poll notices and tells the sidebar) while the agent is mid-sentence.
    assert page.request.post(page.base_url + "/playground/api/tickets/1/comments",
                             data={"author_role": "customer", "body": FEATURE, "public": True}).ok
    signals.locator(".vd-flag", has_text="updated").wait_for(timeout=15_000)
    assert signals.locator('.vd-item[data-key^="s:"]').count() == 3  # the new suggestion arrived
    assert signals.locator(".vd-item.vd-fresh").count() >= 1  # and is marked where it appeared
    assert inner.evaluate("() => !window.oldCustomer.isConnected")  # the other sections were rendered again

    for label, value in typed.items():
        field = frame.get_by_label(label, exact=True).first
        assert field.input_value() == value, label
    assert billing.get_by_label("Refund reason").input_value() == "service_issue"
    assert inner.evaluate("() => [...document.querySelectorAll('details')].filter((d) => d.open).length") >= 3
    focus = inner.evaluate("() => [document.activeElement.getAttribute('aria-label'), document.activeElement.selectionStart]")
    assert focus == ["Promise", len("Typed promise") - 1]


def test_when_the_item_being_edited_is_gone_the_section_waits_until_the_agent_is_done(page, app):
    frame, inner = sidebar_in_playground(page)
    signals = frame.locator("#vd-signals")
    key = signals.locator('.vd-item[data-key^="s:"]').first.get_attribute("data-key")
    item = signals.locator(f'[data-key="{key}"]')
    item.get_by_role("button", name="Edit quote").click()
    signals.get_by_label("Customer's words", exact=True).fill("the words I am still choosing")
    headers = bearer(app, PLAYGROUND_ID)
    assert page.request.post(page.base_url + f"/api/suggestions/{key.split(':')[1]}/reject", headers=headers).ok  # a teammate

    tell_sidebar_the_ticket_changed(page)
    signals.locator(".vd-flag", has_text="update waits until you finish").wait_for()
    assert signals.get_by_label("Customer's words", exact=True).input_value() == "the words I am still choosing"
    assert inner.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Customer's words"

    item.get_by_role("button", name="Cancel").click()  # done: the section catches up, without the rejected suggestion
    item.wait_for(state="detached")
    assert signals.locator(".vd-flag").count() == 0
    assert inner.evaluate("() => document.activeElement.tagName") != "BODY"


def test_an_update_with_nothing_typed_puts_the_focus_back_on_the_same_control(page):
    frame, inner = sidebar_in_playground(page)
    signals = frame.locator("#vd-signals")
    button = signals.get_by_role("button", name="Not a signal").nth(1)
    key = signals.locator(".vd-item").nth(1).get_attribute("data-key")
    button.focus()
    inner.evaluate("() => { window.before = document.activeElement; }")
    tell_sidebar_the_ticket_changed(page)
    inner.wait_for_function("() => !window.before.isConnected")  # rendered again
    assert inner.evaluate("() => [document.activeElement.textContent, document.activeElement.closest('[data-key]').dataset.key]") \
        == ["Not a signal", key]
    assert signals.locator(".vd-flag").count() == 0  # nothing changed, so nothing says "updated"


def test_an_update_leaves_the_focus_in_the_helpdesk_composer(page):
    frame, inner = sidebar_in_playground(page)
    followups = frame.locator("#vd-commitments")
    followups.get_by_text("Add a follow-up by hand").click()
    followups.get_by_label("Promise").fill("Typed promise")  # still the sidebar's own active element afterwards
    page.focus("#draft")
    page.keyboard.type("Hi Dana")
    inner.evaluate("() => { window.before = document.querySelector('#vd-customer .vd-body').firstChild; }")
    tell_sidebar_the_ticket_changed(page)
    inner.wait_for_function("() => !window.before.isConnected")
    page.keyboard.type(", thanks")
    assert page.evaluate("document.activeElement.id") == "draft" and page.input_value("#draft") == "Hi Dana, thanks"
    assert followups.get_by_label("Promise").input_value() == "Typed promise"
