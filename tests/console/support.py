"""Helpers for console tests: a signed-in console client and the CSRF token of a page."""

import re

from flask import Flask
from flask.testing import FlaskClient


def csrf(page: bytes) -> str:
    """The CSRF token in a console page's first form."""
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def signed_in(app: Flask) -> tuple[FlaskClient, str]:
    """A client signed in to the playground's console as its admin, and the session's CSRF token."""
    console = app.test_client()
    assert console.get("/playground/console").status_code == 302
    return console, csrf(console.get("/admin/settings").data)


def enter(console: FlaskClient, link: str):
    """Follow the sidebar's console link as an admin does: its page, then the button (a POST)."""
    page = console.get(link)
    assert page.status_code == 200, page.status_code
    token = re.search(rb'name="token" value="([^"]+)"', page.data).group(1).decode()
    return console.post("/admin/enter", data={"csrf_token": csrf(page.data), "token": token})
