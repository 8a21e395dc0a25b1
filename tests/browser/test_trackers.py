"""A theme goes to the playground's sandbox tracker and comes back as "shipped" on the ticket, in a real browser."""


def signals(page):
    sidebar = page.frame_locator("#sidebar")
    sidebar.locator("#vd-signals .vd-body[data-state=ready]").wait_for()
    return sidebar.locator("#vd-signals")


def test_confirm_send_ship_and_the_ticket_hears_about_it(page):
    page.goto(page.base_url + "/playground/tickets/1")
    card = signals(page)
    card.get_by_role("button", name="Confirm").first.click()
    card.get_by_label("New theme title").fill("Exports time out")
    card.get_by_role("button", name="Save signal").click()
    card = signals(page)
    card.get_by_role("button", name="Send to the sandbox tracker").click()
    card = signals(page)
    card.get_by_role("link", name="VD-1").wait_for()
    assert "1 ticket" in card.inner_text()

    page.goto(page.base_url + "/playground/tracker")
    assert "Exports time out" in page.locator("#VD-1").inner_text()
    page.locator("#VD-1").get_by_role("button", name="Done").click()
    page.locator("#VD-1 .pill-done").wait_for()

    page.goto(page.base_url + "/playground/tickets/1")
    page.get_by_text("VD-1 shipped: Exports time out").wait_for()
    assert "vd_issue_done" in page.locator("#ticket-tags").inner_text()
