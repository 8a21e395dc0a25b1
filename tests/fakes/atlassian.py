"""Atlassian's API gateway on the fake authorization server: accessible resources, projects, dynamic webhooks and
the few issue calls a sync makes, each answered with a recorded payload and only for a live bearer token."""

from __future__ import annotations

from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from tests.conftest import load_fixture

ACME = "1324a887-45db-1bf4-1e99-ef0ff456d421"
LABS = "9f1c6e0a-77b2-4d1e-8a55-0c2f3d4b5e6f"


class AtlassianGateway:
    """Jira's side of a 3LO grant, served by `server` (a FakeAuthorizationServer)."""

    def __init__(self, server, *, resources: str = "accessible_resources", cloud_ids=(ACME, LABS)):
        self.server = server
        self.resources = resources
        self.webhook_answer = "webhook_registered"
        self.webhooks: dict[int, dict] = {}  # live webhook id -> what was registered
        self.issue_created = False  # then the search for the create request's label finds it, as Jira's does
        server.use_paths(authorize="/authorize", token="/oauth/token", revoke="/no-revocation-endpoint")
        server.route("GET", "/oauth/token/accessible-resources", self._live(lambda r: (200, self._fixture(self.resources))))
        for cloud_id in cloud_ids:
            base = f"/ex/jira/{cloud_id}/rest/api/3"
            server.route("GET", f"{base}/project/search", self._live(lambda r: (200, self._fixture("project_search"))))
            server.route("GET", f"{base}/project/SUP", self._live(lambda r: (200, self._fixture("project"))))
            server.route("POST", f"{base}/webhook", self._live(self._register))
            server.route("PUT", f"{base}/webhook/refresh", self._live(lambda r: (200, self._fixture("webhook_refreshed"))))
            server.route("DELETE", f"{base}/webhook", self._live(self._delete))
            server.route("GET", f"{base}/search/jql", self._live(self._search))
            server.route("POST", f"{base}/issue", self._live(self._create))
            server.route("GET", f"{base}/issue/SUP-42", self._live(lambda r: (200, self._fixture("issue"))))
            server.route("POST", f"{base}/issue/SUP-42/remotelink", self._live(lambda r: (201, self._fixture("remotelink"))))

    @staticmethod
    def _fixture(name: str):
        return load_fixture("jira", f"api/{name}")

    def _live(self, handler):
        def checked(request: Request):
            if self.server.bearer(request) is None:
                return 401, {"code": 401, "message": "Unauthorized; scope does not match"}
            return handler(request)
        return checked

    def _register(self, request: Request):
        answer = self._fixture(self.webhook_answer)
        created = answer["webhookRegistrationResult"][0].get("createdWebhookId")
        if created is not None:
            self.webhooks[created] = (request.get_json(silent=True) or {})
        return 200, answer

    def _create(self, request: Request):
        self.issue_created = True
        return 201, self._fixture("issue_created")

    def _search(self, request: Request):
        return 200, self._fixture("search_jql") if self.issue_created else {"issues": [], "isLast": True}

    def _delete(self, request: Request):
        for webhook_id in (request.get_json(silent=True) or {}).get("webhookIds") or []:
            self.webhooks.pop(webhook_id, None)
        return Response(status=202)

    def calls(self, method: str, suffix: str) -> list[dict]:
        """Logged requests whose path ends with `suffix`."""
        return [e for e in self.server.log if e["method"] == method and e["path"].endswith(suffix)]
