"""Marketplace app packages: a ZAF v2 zip for Zendesk (and an FDK zip for Freshdesk)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from adapter.errors import ApiError
from adapter.sidebar.icons import SVG
from adapter.sidebar.icons import logo_png

APP_VERSION = "1.0.0"
APP_NAME = "Valuedesk"
AUTHOR = {"name": "Valuedesk", "email": "support@valuedesk.example", "url": "https://valuedesk.example"}
SHORT_DESCRIPTION = "Product signals, honest follow-ups, copy-paste nudges and safe refunds, in the ticket sidebar."
LONG_DESCRIPTION = (
    "Valuedesk turns what customers tell your team into product signals with their own words, reminds agents "
    "of the follow-ups they promised, warns an agent privately before a generic copy-paste reply goes out, and "
    "lets agents issue refunds and coupons within the limits an admin sets, exactly once, with an audit trail. "
    "No per-agent reports, ever."
)


def service_host(url: str) -> str:
    """The https host of the Valuedesk service, validated.

    :raise ApiError: 400 when the URL is not https:// (helpdesks only load https iframes).
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ApiError(400, "invalid_service_url", f"The service URL must start with https://, got {url!r}.")
    return parts.netloc


def zendesk_manifest(service_url: str) -> dict:
    """manifest.json for a ticket_sidebar app served from our service with signed URLs."""
    host = service_host(service_url)
    base = service_url.rstrip("/")
    return {
        "name": APP_NAME,
        "author": AUTHOR,
        "defaultLocale": "en",
        "private": True,
        "location": {"support": {"ticket_sidebar": {"url": f"{base}/sidebar/zendesk", "flexible": True}}},
        "version": APP_VERSION,
        "frameworkVersion": "2.0",
        "signedUrls": True,
        "domainWhitelist": [host],
        "parameters": [
            {"name": "installation_token", "type": "text", "secure": True, "required": True},
        ],
    }


def zendesk_translations() -> dict:
    """translations/en.json: listing texts and the parameter's label."""
    return {
        "app": {
            "name": APP_NAME,
            "short_description": SHORT_DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "installation_instructions": (
                "Run `valuedesk installations connect zendesk` on your Valuedesk service first; it prints the "
                "installation token to paste below."
            ),
            "parameters": {
                "installation_token": {
                    "label": "Installation token",
                    "helpText": "Printed by `valuedesk installations connect zendesk`. Kept secret by Zendesk.",
                }
            },
        }
    }


ZENDESK_README = """# Valuedesk for Zendesk

Valuedesk adds four things to the Zendesk ticket sidebar: product signals confirmed with the
customer's own words, follow-up commitments with reminders, a private nudge before a generic
copy-paste reply goes out, and refunds and coupons within admin limits.

1. On your Valuedesk service, run `valuedesk installations connect zendesk --subdomain ... --email ... --token ...`.
   It creates the webhook and triggers and prints an installation token.
2. In Zendesk Admin Center, go to Apps and integrations > Zendesk Support apps > Upload private app,
   and upload this zip.
3. Paste the installation token when asked, and install.
4. Run the connect command once more so Valuedesk links the sidebar app.
"""


def build_zendesk_app(service_url: str, out_dir: Path) -> Path:
    """Write the installable ZAF v2 zip into `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"valuedesk-zendesk-{APP_VERSION}.zip"
    files = {
        "manifest.json": json.dumps(zendesk_manifest(service_url), indent=2) + "\n",
        "translations/en.json": json.dumps(zendesk_translations(), indent=2) + "\n",
        "assets/logo.png": logo_png(320),
        "assets/logo-small.png": logo_png(128),
        "assets/logo.svg": SVG,
        "README.md": ZENDESK_README,
    }
    _write_zip(target, files)
    return target


def _write_zip(target: Path, files: dict[str, str | bytes]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
