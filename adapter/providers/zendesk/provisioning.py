"""Zendesk account provisioning: the webhook, triggers and sidebar app `valuedesk installations connect zendesk` sets up.

Zendesk's webhook and trigger endpoints take plain JSON; they go over the ticket client's authenticated session
(and its error hook), so both speak to Zendesk with the same credentials and the same error taxonomy.
"""

from __future__ import annotations

from adapter.errors import NotFound
from adapter.providers.base import numeric_id
from adapter.providers.zendesk.client import Client
from adapter.providers.zendesk.client import vendor_errors
from adapter.providers.zendesk.constants import NAME


class Provisioning:
    """The admin calls that set up (and take down) Valuedesk in one Zendesk account."""

    def __init__(self, client: Client):
        self.http = client.http

    def _existing(self, path: str, key: str) -> dict | None:
        try:
            return (self.http.json("GET", path) or {}).get(key)
        except NotFound:
            return None

    def _delete(self, path: str) -> bool:
        try:
            self.http.request("DELETE", path)
        except NotFound:
            return False
        return True

    @vendor_errors
    def get_webhook(self, webhook_id: str) -> dict | None:
        """A webhook by id, or None when it no longer exists."""
        return self._existing(f"webhooks/{webhook_id}", "webhook")

    @vendor_errors
    def find_webhook(self, endpoint: str) -> dict | None:
        """The webhook pointing at `endpoint`, if one exists."""
        data = self.http.json("GET", "webhooks", params={"filter[name_contains]": "Valuedesk"}) or {}
        return next((w for w in data.get("webhooks", []) if w.get("endpoint") == endpoint), None)

    @vendor_errors
    def create_webhook(self, name: str, endpoint: str) -> dict:
        """A trigger-connected JSON webhook pointing at `endpoint`."""
        body = {"webhook": {"name": name, "endpoint": endpoint, "http_method": "POST", "request_format": "json",
                            "status": "active", "subscriptions": ["conditional_ticket_events"]}}
        return (self.http.json("POST", "webhooks", json=body) or {})["webhook"]

    @vendor_errors
    def update_webhook(self, webhook_id: str, name: str, endpoint: str) -> None:
        """Point an existing webhook at `endpoint` again."""
        body = {"webhook": {"name": name, "endpoint": endpoint, "http_method": "POST", "request_format": "json",
                            "status": "active", "subscriptions": ["conditional_ticket_events"]}}
        self.http.request("PUT", f"webhooks/{webhook_id}", json=body)

    @vendor_errors
    def webhook_signing_secret(self, webhook_id: str) -> str:
        """The secret Zendesk signs this webhook's requests with."""
        data = self.http.json("GET", f"webhooks/{webhook_id}/signing_secret") or {}
        return data["signing_secret"]["secret"]

    @vendor_errors
    def delete_webhook(self, webhook_id: str) -> bool:
        """Delete a webhook; False when it was already gone."""
        return self._delete(f"webhooks/{webhook_id}")

    @vendor_errors
    def get_trigger(self, trigger_id: str) -> dict | None:
        """A trigger by id, or None when it no longer exists."""
        return self._existing(f"triggers/{trigger_id}.json", "trigger")

    @vendor_errors
    def find_trigger(self, title: str) -> dict | None:
        """The trigger with exactly this title, if one exists."""
        data = self.http.json("GET", "triggers/search.json", params={"query": title}) or {}
        return next((t for t in data.get("triggers", []) if t.get("title") == title), None)

    @vendor_errors
    def create_trigger(self, spec: dict) -> dict:
        """Create a trigger from a spec."""
        return (self.http.json("POST", "triggers.json", json={"trigger": spec}) or {})["trigger"]

    @vendor_errors
    def update_trigger(self, trigger_id: str, spec: dict) -> dict:
        """Replace a trigger's title, conditions and actions."""
        return (self.http.json("PUT", f"triggers/{trigger_id}.json", json={"trigger": spec}) or {})["trigger"]

    @vendor_errors
    def delete_trigger(self, trigger_id: str) -> bool:
        """Delete a trigger; False when it was already gone."""
        return self._delete(f"triggers/{trigger_id}.json")

    @vendor_errors
    def find_app_installation(self, app_name: str | None = None, *, app_id: str | None = None) -> dict | None:
        """The installed app called `app_name`, or of app `app_id` (its app_id and installation id), if any."""
        data = self.http.json("GET", "apps/installations.json") or {}
        for installation in data.get("installations", []):
            if app_id is not None and str(installation.get("app_id")) == str(app_id):
                return installation
            if app_name is not None and app_name in ((installation.get("settings") or {}).get("name"),
                                                     installation.get("name")):
                return installation
        return None

    @vendor_errors
    def app_installation(self, installation_id: str) -> dict | None:
        """One app installation, or None when the app was uninstalled from the account."""
        try:
            return self.http.json("GET", f"apps/installations/{numeric_id(NAME, 'app installation', installation_id)}"
                                         ".json") or {}
        except NotFound:
            return None

    @vendor_errors
    def app_public_key(self, app_id: str) -> str:
        """The RSA public key (PEM) Zendesk signs this app's URLs with."""
        response = self.http.request("GET", f"apps/{numeric_id(NAME, 'app', app_id)}/public_key.pem", headers={"Accept": "*/*"})
        return response.text
