"""The pre-send check in a real browser: the warning dialog, Edit reply / Send anyway, and failing open."""

import time

from adapter.replies import service

PERSONAL = ("Hi Dana, the 504 happens because a full year of invoices takes too long to export. Our engineers ship a "
            "fix this week; exporting one quarter at a time works today.")


def open_ticket(page):
    page.goto(page.base_url + "/playground")
    page.frame_locator("#sidebar").locator("#vd-signals .vd-body[data-state=ready]").wait_for()


def send(page, text=None, macro=None):
    if macro:
        page.select_option("#macro", label=macro)
    else:
        page.fill("#draft", text)
    page.click("#send")


def test_unchanged_macro_is_held_until_the_agent_decides(page):
    open_ticket(page)
    comments = page.locator("#thread .msg").count()
    send(page, macro="Refund policy")
    dialog = page.frame_locator("#sidebar").locator(".vd-dialog")
    dialog.wait_for()
    assert "Refund policy" in dialog.inner_text() and "error 504" in dialog.inner_text()
    dialog.get_by_role("button", name="Edit reply").click()
    page.get_by_text("Not sent; edit your reply.").wait_for()
    assert page.locator("#thread .msg").count() == comments

    send(page, PERSONAL)
    page.get_by_text("Sent.", exact=True).wait_for()
    assert page.locator("#thread .msg").count() == comments + 1
    assert page.frame_locator("#sidebar").locator(".vd-dialog").count() == 0

    send(page, macro="Refund policy")
    dialog.get_by_role("button", name="Send anyway").click()
    page.get_by_text("Sent.", exact=True).wait_for()
    assert page.locator("#thread .msg").count() == comments + 2


def test_a_slow_check_never_blocks_the_reply(page, monkeypatch):
    real = service.check

    def slow(*args, **kwargs):
        time.sleep(2.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "check", slow)
    open_ticket(page)
    started = time.monotonic()
    send(page, macro="Refund policy")
    page.get_by_text("Sent.", exact=True).wait_for(timeout=4000)
    assert time.monotonic() - started < 2.5  # sent after the 800 ms check budget, not after the slow check
    assert page.frame_locator("#sidebar").locator(".vd-dialog").count() == 0
