"""A new customer ticket in everyday words gets a sensible signal suggestion in the sidebar, for each of the seven types."""

import pytest

from adapter.signals.taxonomy import DEFAULT_TYPES

NAMES = {key: name for key, name, *_ in DEFAULT_TYPES}
EVERYDAY = [
    ("bug", "Invoices won't download", "Every time I click Download on an invoice the page goes blank and nothing downloads."),
    ("feature_request", "Repeating invoices", "It would be really handy if invoices could repeat every month on their own."),
    ("ux_friction", "Billing address", "I spent twenty minutes clicking around just to change our billing address, "
                                       "it's buried under so many menus."),
    ("docs_gap", "Adding our accountant", "How do I add our accountant as a user on the account?"),
    ("churn_risk", "Our plan", "Honestly we're done. Please cancel our plan at the end of this month."),
    ("praise", "Thank you", "Just wanted to say thank you, Sam sorted our export problem in minutes. Brilliant service!"),
    ("competitor", "Bulk edits", "We're thinking of moving to Xero because they let you edit invoices in bulk, "
                                 "which you still can't."),
]


@pytest.mark.parametrize("type_key, subject, body", EVERYDAY, ids=[key for key, *_ in EVERYDAY])
def test_a_new_ticket_in_everyday_words_gets_a_suggestion_of_its_type(page, screenshot, type_key, subject, body):
    page.goto(page.base_url + "/playground/tickets/1")
    page.get_by_text("New ticket as a customer").click()
    form = page.locator("#new-ticket")
    form.get_by_label("Subject").fill(subject)
    form.get_by_label("Message").fill(body)
    form.get_by_role("button", name="Open ticket").click()
    page.locator("#ticket-subject", has_text=subject).wait_for()
    card = page.frame_locator("#sidebar").locator("#vd-signals")
    card.locator(".vd-body[data-state=ready]").wait_for()
    item = card.locator(f'.vd-item:has(.vd-pill:text-is("{NAMES[type_key]}"))')
    item.first.wait_for()
    assert item.first.locator(".vd-quote").inner_text() in body  # the customer's own words
    if type_key == "competitor":
        screenshot("sidebar-competitor-suggestion")
