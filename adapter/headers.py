"""Security headers on every response: a Content-Security-Policy, no MIME sniffing, no referrer leaks, HSTS behind TLS.

Only the sidebar may be framed, and only by the helpdesks (and the playground, same origin); every other page
refuses to be framed at all.
"""

from __future__ import annotations

import secrets

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request

from adapter.providers import oauth_apps
from adapter.providers import vendors
from adapter.providers.vendor import HELPDESK

SIDEBAR_BLUEPRINTS = ("sidebar",)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce for the few inline scripts (templates use it as nonce="{{ csp_nonce() }}")."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(*, framed_by_helpdesk: bool, nonce: str | None, form_targets: tuple[str, ...] = ()
                            ) -> str:
    """The policy for one response (`form_targets`: other origins a form may lead to, the consent pages)."""
    helpdesks = vendors(HELPDESK)  # where each frames our sidebar from, and its SDK: the only scripts not ours
    scripts = ["'self'", *(origin for helpdesk in helpdesks for origin in helpdesk.script_origins)] + ([f"'nonce-{nonce}'"] if nonce else [])
    ancestors = ["'self'", *(origin for helpdesk in helpdesks for origin in helpdesk.frame_ancestors)] if framed_by_helpdesk else ["'none'"]
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *form_targets],
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _secure_headers(response: Response) -> Response:
    framed = request.blueprint in SIDEBAR_BLUEPRINTS
    # A Connect button's form is answered with a redirect to the vendor's consent page, which form-action governs.
    targets = tuple(app.form_target for app in oauth_apps() if app.form_target) if request.blueprint == "console" else ()
    response.headers.setdefault("Content-Security-Policy",
                                content_security_policy(framed_by_helpdesk=framed, nonce=g.get("csp_nonce"),
                                                        form_targets=targets))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not framed:
        response.headers.setdefault("X-Frame-Options", "DENY")  # for browsers older than frame-ancestors
    if request.is_secure or current_app.config["VALUEDESK"].public_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and `csp_nonce()` to templates."""
    app.after_request(_secure_headers)
    app.add_template_global(csp_nonce)
