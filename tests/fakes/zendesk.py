"""The loopback authorization server playing Zendesk: its OAuth paths and the API calls made once connected."""

from __future__ import annotations

from tests.fakes.authorization_server import FakeAuthorizationServer
from tests.support import api_fixture

WEBHOOK_ID = "01JDZ8Q4M7S6T2R9V3X5Y1B0CK"  # webhooks_list__marketplace.json
ADMIN_ID = "235324"  # users_me.json


def play_zendesk(server: FakeAuthorizationServer) -> FakeAuthorizationServer:
    """Serve Zendesk's OAuth endpoints and recorded API answers; `server.me` and `server.webhooks` pick fixtures."""
    server.use_paths(authorize="/oauth/authorizations/new", token="/oauth/tokens",
                     revoke="/api/v2/oauth/tokens/current.json")
    server.extra_token_fields = {"refresh_token_expires_in": api_fixture("zendesk", "oauth_token")[
        "refresh_token_expires_in"]}
    server.me = "users_me"
    server.webhooks = "webhooks_list__marketplace"

    server.service_url = "https://valuedesk.test"  # the app's webhook points at this service (the tests' public URL)

    def authorized(answer):
        def handler(request):
            if server.bearer(request) is None:
                return 401, api_fixture("zendesk", "error_unauthorized")
            return 200, api_fixture("zendesk", answer() if callable(answer) else answer)
        return handler

    def webhooks(request):
        status, body = authorized(lambda: server.webhooks)(request)
        for webhook in body.get("webhooks", []):
            webhook["endpoint"] = webhook["endpoint"].replace("https://valuedesk.test", server.service_url)
        return status, body

    server.route("GET", "/api/v2/users/me.json", authorized(lambda: server.me))
    server.route("GET", "/api/v2/webhooks", webhooks)
    server.route("GET", f"/api/v2/webhooks/{WEBHOOK_ID}/signing_secret", authorized("webhook_signing_secret"))
    server.route("GET", "/api/v2/apps/installations.json", authorized("apps_installations"))
    return server


def zendesk_settings(server: FakeAuthorizationServer, **more: str) -> dict[str, str]:
    """The app settings of a service whose Zendesk is the fake, with the operator's OAuth client and app."""
    return {"VALUEDESK_VENDOR_URLS": f"zendesk={server.url}", "VALUEDESK_ZENDESK_CLIENT_ID": server.client_id,
            "VALUEDESK_ZENDESK_CLIENT_SECRET": server.client_secret, "VALUEDESK_ZENDESK_APP_ID": "225", **more}
