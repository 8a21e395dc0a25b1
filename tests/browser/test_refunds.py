"""Refunds and approvals in a real browser, on the playground's sandbox billing account."""

ELENA = "/playground/tickets/3"  # "Charged twice for this month's subscription"


def billing(page):
    sidebar = page.frame_locator("#sidebar")
    sidebar.locator("#vd-billing .vd-body[data-state=ready]").wait_for()
    return sidebar.locator("#vd-billing")


def test_agent_refunds_a_duplicate_charge_and_the_note_lands_on_the_ticket(page):
    page.goto(page.base_url + ELENA)
    card = billing(page)
    assert "Sandbox" in card.inner_text() or "sandbox" in card.inner_text()
    card.get_by_role("button", name="Refund Ledgerly Pro, monthly (duplicate)").click()
    card.get_by_label("Amount in USD").fill("49.00")
    card.get_by_label("Refund reason").select_option("duplicate_charge")
    card.get_by_role("button", name="Preview refund").click()
    preview = card.locator(".vd-preview")
    preview.wait_for()
    assert "Refund $49.00 of the $49.00 charge “Ledgerly Pro, monthly (duplicate)”" in preview.inner_text() and "Within your limits" in preview.inner_text()
    card.get_by_role("button", name="Refund $49.00").dblclick()  # a double click still refunds once
    card.locator(".vd-item .vd-pill.good").first.wait_for()
    assert card.locator(".vd-item").count() == 1
    page.reload()
    page.get_by_text("Refunded $49.00 of $49.00 (duplicate charge) by Sam Rivera.").wait_for()
    assert billing(page).get_by_role("button", name="Refund Ledgerly Pro, monthly (duplicate)").is_disabled()


def test_above_the_limit_the_lead_approves_from_their_sidebar(page):
    page.goto(page.base_url + "/playground/tickets/1")  # Northwind: an annual plan above the $100 limit
    card = billing(page)
    card.get_by_label("Billing customer").select_option("cus_sbx_dana")
    card = billing(page)
    card.get_by_role("button", name="Refund Ledgerly Business, annual").click()
    card.get_by_label("Amount in USD").fill("250")
    card.get_by_label("Refund reason").select_option("service_issue")
    card.get_by_role("button", name="Preview refund").click()
    assert "per-ticket limit" in card.locator(".vd-preview").inner_text()
    card.get_by_role("button", name="Ask a lead to approve").click()
    card.locator(".vd-pill.warn", has_text="waiting for approval").wait_for()

    page.select_option("#agent", "agent-priya")
    card = billing(page)
    card.get_by_text("Waiting for your approval (1)").wait_for()
    card.get_by_role("button", name="Approve $250.00").click()
    card.locator(".vd-item .vd-pill.good").first.wait_for()
    page.reload()
    page.get_by_text("Refunded $250.00 of $1,188.00 (service problem or outage) by Sam Rivera, approved by Priya "
                     "Natarajan.").wait_for()
