"""Marketplace app packages: a ZAF v2 zip for Zendesk (and an FDK zip for Freshdesk)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment
from jinja2 import FileSystemLoader
from jinja2 import select_autoescape

from adapter.errors import ApiError
from adapter.providers import freshdesk
from adapter.providers import zendesk
from adapter.sidebar.blueprint import PANEL_SECTIONS
from adapter.sidebar.blueprint import SECTION_SCRIPTS
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
        # The token only ever travels in a request header (the link page's client.request), so Zendesk may put it
        # nowhere else: a secure parameter names its scopes.
        # Self-hosted services only: a Marketplace install is recognised from its signed sidebar load instead.
        "parameters": [
            {"name": "installation_token", "type": "text", "secure": True, "required": False, "scopes": ["header"]},
        ],
    }


WEBHOOK_REQUIREMENT = "valuedesk_webhook"


def zendesk_requirements(service_url: str) -> dict:
    """requirements.json: the webhook Zendesk creates when the app is installed, and the triggers that call it.

    Zendesk removes both when the app is uninstalled. A trigger names the webhook by its requirement identifier (as
    Zendesk's requirements docs show for targets); the webhook's endpoint is the same for every account, which the
    service tells apart by the webhook's id once an admin has connected the account.
    """
    service_host(service_url)
    triggers = zendesk.trigger_specs(WEBHOOK_REQUIREMENT,
                                     description="Created by the Valuedesk app; removed when the app is uninstalled.")
    return {
        "webhooks": {WEBHOOK_REQUIREMENT: {
            "name": APP_NAME, "endpoint": zendesk.marketplace_webhook_url(service_url), "http_method": "POST",
            "request_format": "json", "status": "active", "subscriptions": ["conditional_ticket_events"]}},
        "triggers": {f"valuedesk_{event}": spec for event, spec in triggers.items()},
    }


def zendesk_translations() -> dict:
    """translations/en.json: listing texts and the parameter's label."""
    return {
        "app": {
            "name": APP_NAME,
            "short_description": SHORT_DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "installation_instructions": (
                "Install, then open any ticket as an admin and press Connect Valuedesk to Zendesk in the sidebar. "
                "Installing creates the Valuedesk webhook and three triggers; uninstalling removes them."
            ),
            "parameters": {
                "installation_token": {
                    "label": "Installation token (self-hosted only)",
                    "helpText": "Leave empty when installing from the Marketplace. A self-hosted service prints it "
                                "with `valuedesk installations connect zendesk`; Zendesk sends it to Valuedesk only.",
                }
            },
        }
    }


ZENDESK_README = """# Valuedesk for Zendesk

Valuedesk adds four things to the Zendesk ticket sidebar: product signals confirmed with the
customer's own words, follow-up commitments with reminders, a private nudge before a generic
copy-paste reply goes out, and refunds and coupons within admin limits.

From the Marketplace: install the app (it creates the Valuedesk webhook and triggers), open a ticket
as an admin and press *Connect Valuedesk to Zendesk*, then approve. Uninstalling removes the webhook
and triggers.

Self-hosted, as a private app:

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
        "requirements.json": json.dumps(zendesk_requirements(service_url), indent=2) + "\n",
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


# Freshdesk (FDK platform 3.0)

SIDEBAR = Path(__file__).parent
# The app's own code, kept as the files it becomes: config/assets/iparams.js (the install page's checks) and
# server/server.js (set-up and product event handlers).
FDK = SIDEBAR / "fdk"
# Freshworks' engine matrix: FDK 10.x on Node 24.11.x is required to publish; FDK 9 / Node 18 is development-only
# since 31 May 2026. 10.0.1 + 24.11.0 are the pins Freshworks' own templates start from.
FDK_ENGINES = {"node": "24.11.0", "fdk": "10.0.1"}
# The app's credential: the administrator's API key from the install page, put into the header by Freshworks' servers.
APP_HEADERS = {"Content-Type": "application/json", freshdesk.APP_KEY_HEADER: "<%= iparam.freshdesk_api_key %>"}
ACCOUNT = "/api/freshdesk/app/<%= iparam.freshdesk_domain %>"
# Freshdesk's own events replace automation rules: new tickets, every reply and note, and ticket changes (status,
# assignee), each forwarded to the service, which reads the rest through the API.
PRODUCT_EVENTS = ("onConversationCreate", "onTicketCreate", "onTicketUpdate")
SET_UP_EVENTS = {"onAppInstall": "onAppInstallHandler", "afterAppUpdate": "afterAppUpdateHandler",
                 "onAppUninstall": "onAppUninstallHandler"}


def _template(host: str, method: str, path: str, headers: dict) -> dict:
    return {"schema": {"protocol": "https", "method": method, "host": host, "path": path, "headers": headers},
            "options": {"maxAttempts": 2, "retryDelay": 500}}


def freshdesk_requests(service_url: str) -> dict:
    """config/requests.json: every call the app makes, all to this service; the key is filled in by Freshworks."""
    host = service_host(service_url)
    api_headers = {"Content-Type": "application/json", "Authorization": "Bearer <%= context.session %>"}
    templates = {
        # The install page's check, before anything is saved: the key the admin typed travels in the body.
        "valuedeskCheckKey": _template(host, "POST", "/api/freshdesk/app/check", {"Content-Type": "application/json"}),
        "valuedeskInstall": _template(host, "POST", f"{ACCOUNT}/install", APP_HEADERS),
        "valuedeskUpdate": _template(host, "POST", f"{ACCOUNT}/update", APP_HEADERS),
        "valuedeskUninstall": _template(host, "POST", f"{ACCOUNT}/uninstall", APP_HEADERS),
        "valuedeskSession": _template(host, "POST", f"{ACCOUNT}/session", APP_HEADERS),
        # The agent's own API key travels once, in the body, to Valuedesk, which shows it to Freshdesk and drops it.
        "valuedeskVerify": _template(host, "POST", f"{ACCOUNT}/verify", APP_HEADERS),
        "valuedeskWebhook": _template(host, "POST", "/webhooks/freshdesk/app/<%= iparam.freshdesk_domain %>",
                                      APP_HEADERS),
    }
    for method, name in (("GET", "valuedeskGet"), ("POST", "valuedeskPost"), ("PATCH", "valuedeskPatch"),
                         ("PUT", "valuedeskPut"), ("DELETE", "valuedeskDelete")):
        templates[name] = _template(host, method, "/api/<%= context.path %>", api_headers)
    return templates


def freshdesk_manifest(service_url: str) -> dict:
    """manifest.json (platform 3.0): a ticket sidebar, set-up and product events, and the declared request templates."""
    return {
        "platform-version": "3.0",
        "modules": {
            "common": {
                "requests": {name: {} for name in freshdesk_requests(service_url)},
                "events": {event: {"handler": handler} for event, handler in SET_UP_EVENTS.items()},
            },
            "support_ticket": {
                "location": {"ticket_sidebar": {"url": "index.html", "icon": "styles/images/icon.svg"}},
                "events": {event: {"handler": f"{event}Handler"} for event in PRODUCT_EVENTS},
            },
        },
        "engines": FDK_ENGINES,
    }


def freshdesk_iparams() -> dict:
    """config/iparams.json: the account's domain and an administrator's API key (secure), each checked as typed."""
    return {
        "freshdesk_domain": {"display_name": "Freshdesk domain", "type": "text", "required": True,
                             "description": "Your helpdesk's address, like acme.freshdesk.com.",
                             "events": [{"change": "domainChange"}]},
        "freshdesk_api_key": {"display_name": "Administrator's API key", "type": "text", "required": True,
                              "secure": True, "events": [{"change": "apiKeyChange"}],
                              "description": "Yours, as an administrator: Profile settings > View API key. Valuedesk "
                                             "checks it with Freshdesk and keeps it encrypted; agents never see it."},
    }




# server/test_data/<module>/<event>.json, the layout of Freshworks' FDK 10 skeletons (`fdk run` simulates from it).
FDK_TEST_DATA = {
    **{f"common/{event}.json": {"region": "US", "account_id": 8675309, "domain": "acme.freshdesk.com", "event": event,
                                "timestamp": 1764000000000,
                                "iparams": {"freshdesk_domain": "acme.freshdesk.com", "freshdesk_api_key": "<your key>"}}
       for event in SET_UP_EVENTS},
    "support_ticket/onConversationCreate.json": {
        "region": "US", "account_id": 8675309, "domain": "acme.freshdesk.com", "event": "onConversationCreate",
        "timestamp": 1764000000,
        "data": {"conversation": {"id": 5001, "ticket_id": 42, "body": "<div>Still broken</div>",
                                  "body_text": "Still broken", "private": False, "incoming": True, "source": 0,
                                  "user_id": 9001, "category": 2},
                 "actor": {"id": 9001, "type": "contact"}},
    },
    "support_ticket/onTicketUpdate.json": {
        "region": "US", "account_id": 8675309, "domain": "acme.freshdesk.com", "event": "onTicketUpdate",
        "timestamp": 1764000000,
        "data": {"ticket": {"id": 42, "subject": "Export fails", "status": 3, "requester_id": 9001},
                 "actor": {"id": 7001, "type": "agent"}},
    },
    "support_ticket/onTicketCreate.json": {
        "region": "US", "account_id": 8675309, "domain": "acme.freshdesk.com", "event": "onTicketCreate",
        "timestamp": 1764000000,
        "data": {"ticket": {"id": 42, "subject": "Export fails", "status": 2, "requester_id": 9001},
                 "requester": {"id": 9001, "name": "Dana Whitfield"}, "actor": {"id": 9001, "type": "contact"}},
    },
}

FRESHDESK_README = """# Valuedesk for Freshdesk

Install it from the Freshworks Marketplace (or upload this zip as a custom app: Admin > Apps > Manage apps >
Custom apps; `fdk validate` and `fdk pack` it first with FDK 10 and Node 24.11). The install page asks for two
things: your Freshdesk domain (acme.freshdesk.com) and your own API key as an administrator (Profile settings >
View API key). Valuedesk checks the key with Freshdesk before the installation finishes, creates your account,
and from then on the app proves itself with that key; nobody pastes an installation id, token or webhook secret.

The app forwards Freshdesk's own events (new tickets, every reply and note, ticket changes), so no automation
rule is needed. Freshworks lets an app make 50 calls a minute per account: a very busy account (more than ~50
ticket events a minute) can ask its Valuedesk operator for two automation rules as a safety net. Uninstalling the app stops every Valuedesk job for the account at once; your data is kept for
30 days (the service's retention period) in case you install again, then deleted.

Freshdesk does not tell an app who the signed-in agent is in a way the app's server can check, so each agent
verifies once: the sidebar asks for their own Freshdesk API key (Profile settings > View API key), Valuedesk
shows it to Freshdesk (`GET /api/v2/agents/me`) to learn whose it is, and does not keep it. Until then an agent
can preview refunds and coupons and ask for approval, but not approve or open admin settings.
"""


def _panel_html(host: str, asset) -> str:
    environment = Environment(loader=FileSystemLoader(SIDEBAR / "templates"), autoescape=select_autoescape())
    return environment.get_template("sidebar/panel.html").render(
        host=host, asset=asset, config=None, sections=PANEL_SECTIONS, scripts=SECTION_SCRIPTS)


def _fdk_asset(path: str) -> str:
    return ("styles/" if path.endswith(".css") else "scripts/") + path


def _sidebar_files(host: str) -> dict[str, bytes]:
    """The sidebar's own static files for one host, at their FDK paths."""
    files = {}
    for path in sorted((SIDEBAR / "static").rglob("*")):
        relative = path.relative_to(SIDEBAR / "static").as_posix()
        if path.is_dir() or (relative.startswith("hosts/") and relative != f"hosts/{host}.js"):
            continue
        files[f"app/{_fdk_asset(relative)}"] = path.read_bytes()
    return files


def build_freshdesk_app(service_url: str, out_dir: Path) -> Path:
    """Write the FDK platform 3.0 app zip into `out_dir` and return its path."""
    service_host(service_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"valuedesk-freshdesk-{APP_VERSION}.zip"
    files: dict[str, str | bytes] = {
        "manifest.json": json.dumps(freshdesk_manifest(service_url), indent=2) + "\n",
        "config/iparams.json": json.dumps(freshdesk_iparams(), indent=2) + "\n",
        "config/assets/iparams.js": (FDK / "iparams.js").read_text(),
        "config/requests.json": json.dumps(freshdesk_requests(service_url), indent=2) + "\n",
        "app/index.html": _panel_html("freshdesk", _fdk_asset),
        "app/styles/images/icon.svg": SVG,
        "server/server.js": (FDK / "server.js").read_text(),
        "README.md": FRESHDESK_README,
        **{f"server/test_data/{name}": json.dumps(data, indent=2) + "\n" for name, data in FDK_TEST_DATA.items()},
        **_sidebar_files("freshdesk"),
    }
    _write_zip(target, files)
    return target


# The sidebar app builder of each helpdesk that has one, by the helpdesk's registry name; (service URL, folder) -> zip.
PACKAGERS = {zendesk.NAME: build_zendesk_app, freshdesk.NAME: build_freshdesk_app}
