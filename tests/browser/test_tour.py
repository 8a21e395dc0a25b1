"""The product tour in a real browser: a promise becomes a commitment, a console policy change is enforced, and
screenshots of the sidebar and the console are saved."""

import pytest
from sqlalchemy import select

from adapter import clock
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment

PROMISE = "Thanks Dana, the error 504 on the yearly export is with our engineers. I'll get back to you by tomorrow with what they find."
ELENA = "/playground/tickets/3"  # "Charged twice for this month's subscription"


def sidebar_ready(page):
    sidebar = page.frame_locator("#sidebar")
    sidebar.locator("#vd-commitments .vd-body[data-state=ready]").wait_for()
    return sidebar


@pytest.mark.dated
def test_a_promise_in_a_reply_becomes_a_commitment_with_a_reminder(page, screenshot, db):
    page.goto(page.base_url + "/playground/tickets/1")
    sidebar = sidebar_ready(page)
    page.fill("#draft", PROMISE)
    page.click("#send")
    page.get_by_text("Sent.", exact=True).wait_for()
    card = sidebar.locator("#vd-commitments")
    card.locator(".vd-quote", has_text="I'll get back to you by tomorrow").wait_for()
    assert "Your promise" in card.inner_text() and "open" in card.inner_text()
    screenshot("sidebar-commitment")
    # The fast clock, straight to the reminder's hour before the due time (test_first_hour presses its buttons).
    with db.tenant(PLAYGROUND_ID) as session:
        due = session.scalars(select(Commitment.due_at).where(Commitment.ticket_id == "1")).one()
    minutes = int((due - clock.now()).total_seconds() // 60) - 59
    assert page.request.post(page.base_url + "/playground/api/clock/skip", data={"minutes": minutes}).ok
    page.reload()
    sidebar = sidebar_ready(page)
    card = sidebar.locator("#vd-commitments")
    card.get_by_text("1 needs attention").wait_for()
    assert "due soon" in card.inner_text()
    sidebar.locator("#vd-toast", has_text="A follow-up is due soon on #1").wait_for()  # to this agent alone
    assert not [tag for tag in page.locator("#ticket-tags").inner_text().split() if tag.startswith("vd_followup")]
    assert "reminder" not in page.locator("#thread").inner_text().lower()  # nothing team-visible on the ticket


def test_a_policy_changed_in_the_console_is_enforced_in_the_sidebar(page, screenshot):
    page.goto(page.base_url + "/playground/console")
    page.get_by_role("heading", name="Helpdesk").wait_for()
    screenshot("console-overview")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    page.get_by_label("Refund per ticket in USD").fill("20.00")
    page.get_by_role("button", name="Save policy").click()
    page.get_by_text("Refund and coupon policy saved").wait_for()
    screenshot("console-settings")
    page.get_by_label("Refund per ticket in USD").fill("twenty")
    page.get_by_role("button", name="Save policy").click()
    page.get_by_text("Nothing was changed").wait_for()
    assert page.get_by_label("Refund per ticket in USD").input_value() == "twenty"  # what was typed, to correct
    page.locator("#billing").scroll_into_view_if_needed()
    screenshot("console-settings-refused")
    page.goto(page.url)  # the form's address opened again answers with the settings page, not a 405
    page.get_by_role("heading", name="Settings").wait_for()
    assert page.get_by_label("Refund per ticket in USD").input_value() == "20.00"  # the stored value, unchanged

    page.goto(page.base_url + ELENA)
    card = page.frame_locator("#sidebar").locator("#vd-billing")
    card.locator(".vd-body[data-state=ready]").wait_for()
    card.get_by_role("button", name="Refund Ledgerly Pro, monthly (duplicate)").click()
    card.get_by_label("Amount in USD").fill("49.00")
    card.get_by_label("Refund reason").select_option("duplicate_charge")
    card.get_by_role("button", name="Preview refund").click()
    preview = card.locator(".vd-preview")
    preview.wait_for()
    assert "per-ticket limit" in preview.inner_text()
    assert card.get_by_role("button", name="Ask a lead to approve").is_visible()
    screenshot("sidebar-refund-above-limit")


def test_the_dashboard_shows_team_charts(page, screenshot):
    page.goto(page.base_url + "/playground/console")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Dashboard").click()
    page.locator("svg.chart").first.wait_for()
    assert page.get_by_role("img", name="Signals per week by type").is_visible()
    screenshot("console-dashboard", full_page=True)


def test_the_sidebar_fits_320_pixels_and_works_from_the_keyboard(page, screenshot):
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(page.base_url + "/sidebar/playground?ticket_id=1")
    page.locator("#vd-signals .vd-body[data-state=ready]").wait_for()
    page.locator("#vd-billing .vd-body[data-state=ready]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    confirm = page.get_by_role("button", name="Confirm").first
    for _ in range(40):  # Tab until the first Confirm has the focus, as a keyboard user would
        page.keyboard.press("Tab")
        if confirm.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("Confirm is not reachable with Tab")
    assert "3 to review" in page.locator("#vd-signals").inner_text()
    page.keyboard.press("Enter")
    save = page.get_by_role("button", name="Save signal")
    save.wait_for()  # the theme step, with the focus on its first choice
    assert page.evaluate("document.activeElement.type") == "radio"
    save.focus()
    page.keyboard.press("Enter")
    page.locator("#vd-signals").get_by_text("2 to review").wait_for()
    screenshot("sidebar-320px", full_page=True)
