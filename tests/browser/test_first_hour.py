"""A new user's first hour in a real browser: pages that fit, work that shows up without a reload, honest drafts."""

import pytest
from sqlalchemy import select

from adapter import jobs
from adapter.db import get_db
from adapter.models import OutboxAction
from adapter.models import WebhookReceipt

CONSOLE_PAGES = ("Overview", "Dashboard", "Settings", "Refunds", "Jira & Linear", "Jobs")

# Every control inside a card stays inside it (unless its own container scrolls), and no select is squeezed to its arrow.
OVERFLOW = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push("the page scrolls sideways to " + root.scrollWidth + " px");
  const scrolls = (node) => { for (let n = node.parentElement; n; n = n.parentElement) {
    const x = getComputedStyle(n).overflowX; if (x === "auto" || x === "scroll") return true; } return false; };
  for (const card of document.querySelectorAll(".card")) {
    const box = card.getBoundingClientRect();
    for (const control of card.querySelectorAll("input:not([type=hidden]), select, button, a.btn, textarea")) {
      const r = control.getBoundingClientRect();
      if (!r.width || scrolls(control)) continue;
      const name = control.getAttribute("aria-label") || control.name || control.textContent.trim().slice(0, 30);
      if (r.right > box.right + 1 || r.left < box.left - 1) problems.push(name + " sticks out of its card");
      if (control.tagName === "SELECT" && r.width < 60) problems.push(name + " is squeezed to " + r.width + " px");
    }
  }
  return problems;
}"""


def run_background_work(app) -> int:
    """What the worker would do: process stored deliveries and send outbox writes until nothing is pending."""
    done = 0
    with app.app_context():
        for _ in range(10):
            with get_db().system() as session:
                receipts = list(session.scalars(select(WebhookReceipt.id).where(WebhookReceipt.status == "pending")))
                actions = list(session.scalars(select(OutboxAction.id).where(OutboxAction.status == "pending")))
            if not receipts and not actions:
                break
            for receipt_id in receipts:
                jobs.process_receipt(receipt_id)
            for action_id in actions:
                jobs.run_outbox_action(action_id)
            done += len(receipts) + len(actions)
    return done


def send_first_signal_to_the_tracker(page):
    """Confirm ticket 1's first suggestion into a new theme and send it to the sandbox tracker; the signals card."""
    page.goto(page.base_url + "/playground/tickets/1")
    card = page.frame_locator("#sidebar").locator("#vd-signals")
    card.locator(".vd-body[data-state=ready]").wait_for()
    card.get_by_role("button", name="Confirm").first.click()
    card.get_by_label("New theme title").fill("Exports time out")
    card.get_by_role("button", name="Save signal").click()
    card.get_by_role("button", name="Send to the sandbox tracker").click()
    return card


def open_console(page):
    page.goto(page.base_url + "/playground/console")
    page.get_by_role("heading", name="Helpdesk").wait_for()


@pytest.mark.parametrize("width", [1440, 320])
def test_console_pages_fit_their_cards_at_1440_and_320_pixels(page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_console(page)
    for name in CONSOLE_PAGES:
        page.get_by_role("navigation", name="Console").get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()
        screenshot(f"console-{name.split()[0].lower()}-{width}px", full_page=True)
        problems = page.evaluate(OVERFLOW)
        assert problems == [], f"{name}: {problems}"


def test_root_leads_a_developer_to_the_playground(page):
    page.goto(page.base_url + "/")
    page.locator("#sidebar").wait_for()
    assert "/playground/tickets/" in page.url


def test_the_sidebar_shows_the_new_issue_once_the_worker_has_created_it(queued_page, queued_app):
    run_background_work(queued_app)
    card = send_first_signal_to_the_tracker(queued_page)
    card.get_by_text("Creating the issue in the sandbox tracker").wait_for()
    assert run_background_work(queued_app) >= 1  # the worker creates the issue while the sidebar stays open
    card.get_by_role("link", name="VD-1").wait_for(timeout=10_000)  # no reload


def test_reopening_an_issue_skips_missing_tickets_and_withdraws_the_drafts(page):
    card = send_first_signal_to_the_tracker(page)
    card.get_by_role("link", name="VD-1").wait_for()

    page.goto(page.base_url + "/playground/tracker")
    page.locator("#VD-1").get_by_role("button", name="Done").click()
    page.locator("#VD-1 .pill-done").wait_for()
    page.locator("#VD-1").get_by_role("button", name="In progress").click()
    page.locator("#VD-1 .pill-in_progress").wait_for()

    open_console(page)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Jobs").click()
    assert page.get_by_text("Nothing waiting or failed.").count() == 2  # the writes for missing tickets were dropped
    page.goto(page.base_url + "/playground/tickets/1")
    followups = page.frame_locator("#sidebar").locator("#vd-commitments")
    followups.locator(".vd-body[data-state=ready]").wait_for()
    assert followups.get_by_role("button", name="Insert into reply").count() == 0


def test_message_times_keep_their_format_after_a_refresh(page):
    page.goto(page.base_url + "/playground/tickets/1")
    first = page.locator("#thread time").first.inner_text()
    page.fill("#draft", "About the 504 error on the export: our engineers have a fix.")
    page.click("#send")
    page.get_by_text("Sent.", exact=True).wait_for()
    page.locator("#thread article", has_text="About the 504 error on the export: our engineers have a fix.").wait_for()  # the thread was rendered again
    assert page.locator("#thread time").first.inner_text() == first


@pytest.mark.dated
def test_the_fast_clock_offers_back_to_now_only_when_ahead(page, frozen_clock):
    page.goto(page.base_url + "/playground/tickets/1")
    back = page.get_by_role("button", name="Back to now")
    assert not back.is_visible()
    page.get_by_role("button", name="+1 hour").click()
    page.locator("#clock-now", has_text="(1 h ahead)").wait_for()
    back.click()
    page.locator("#clock-now", has_text=f"{frozen_clock():%a %d %b %H:%M} UTC").wait_for()
    assert not back.is_visible() and "ahead" not in page.locator("#clock-now").inner_text()


def test_the_sandbox_tracker_explains_itself_in_one_paragraph(page):
    page.goto(page.base_url + "/playground/tracker")
    intro = page.locator("main p").first
    assert "Send to the sandbox tracker" in intro.inner_text()
    assert intro.evaluate("node => getComputedStyle(node).display") == "block"
