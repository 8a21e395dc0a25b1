"""A vendor's OAuth 2.0 authorization server, for real, on loopback: consent, codes, PKCE, rotation, revocation.

It plays whichever vendor a test points at it (VALUEDESK_VENDOR_URLS=<vendor>=<its url>): the paths are set per
vendor, and `route()` adds the few API endpoints a vendor's `connected` hook calls. Every request is logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlencode
from urllib.parse import urlsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response


@dataclass
class Grant:
    """What one approved consent produced."""

    code: str
    redirect_uri: str
    scope: str
    challenge: str | None
    used: bool = False
    tokens: list[str] = field(default_factory=list)


class FakeAuthorizationServer:
    """One OAuth client (client_id/secret) and its grants; `approve=False` makes the consent page say no."""

    def __init__(self, client_id: str = "valuedesk-client", client_secret: str = "valuedesk-client-secret-0123"):
        self.client_id, self.client_secret = client_id, client_secret
        self.paths = {"authorize": "/oauth/authorize", "token": "/oauth/token", "revoke": "/oauth/revoke"}
        self.approve = True
        self.rotate = True  # refresh tokens are single use, as Atlassian's are
        self.expires_in = 3600
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, str] = {}  # live access token -> scope
        self.refresh: dict[str, str] = {}  # live refresh token -> scope
        self.revoked: list[str] = []
        self.log: list[dict] = []
        self.extra_token_fields: dict = {}
        self._routes: dict[tuple[str, str], Callable[[Request], Response | tuple[int, object]]] = {}
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeAuthorizationServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def use_paths(self, **paths: str) -> None:
        """Set the vendor's authorize, token and revoke paths."""
        self.paths.update(paths)

    def route(self, method: str, path: str, handler: Callable[[Request], Response | tuple[int, object]]) -> None:
        """Serve a vendor API endpoint: handler(request) -> Response or (status, JSON body)."""
        self._routes[(method.upper(), path)] = handler

    def bearer(self, request: Request) -> str | None:
        """The request's access token when it is live, else None."""
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        return token if token in self.access else None

    def expire_refresh_tokens(self) -> None:
        """Every refresh token stops working (the vendor's 90-day limit, or a revoked app)."""
        self.refresh.clear()

    def requests_to(self, path: str) -> list[dict]:
        """Logged requests to `path`."""
        return [entry for entry in self.log if entry["path"] == path]

    # The server itself

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        values = dict(request.form) if request.form else (request.get_json(silent=True) or {})
        self.log.append({"method": request.method, "path": request.path, "args": dict(request.args),
                         "values": values, "authorization": request.headers.get("Authorization", "")})
        response = self._dispatch(request, values)
        return response(environ, start_response)

    def _dispatch(self, request: Request, values: dict) -> Response:
        if request.path == self.paths["authorize"] and request.method == "GET":
            return self._authorize(request)
        if request.path == self.paths["token"] and request.method == "POST":
            return self._token(values)
        if request.path == self.paths["revoke"]:
            return self._revoke(request, values)
        handler = self._routes.get((request.method, request.path))
        if handler is None:
            return _json(404, {"error": "not_found", "path": request.path})
        answer = handler(request)
        return answer if isinstance(answer, Response) else _json(*answer)

    def _authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code" or not args.get("state"):
            return Response("unknown client or malformed request", status=400)
        redirect_uri, state = args["redirect_uri"], args["state"]
        if not self.approve:
            return _redirect(redirect_uri, {"error": "access_denied", "state": state})
        code = secrets.token_urlsafe(16)
        challenge = args.get("code_challenge")
        if challenge and args.get("code_challenge_method") != "S256":
            return Response("only S256", status=400)
        self.grants[code] = Grant(code, redirect_uri, args.get("scope", ""), challenge)
        return _redirect(redirect_uri, {"code": code, "state": state})

    def _client_ok(self, values: dict) -> bool:
        return values.get("client_id") == self.client_id and values.get("client_secret") == self.client_secret

    def _token(self, values: dict) -> Response:
        if not self._client_ok(values):
            return _json(401, {"error": "invalid_client"})
        if values.get("grant_type") == "authorization_code":
            grant = self.grants.get(values.get("code", ""))
            if grant is None or grant.used or grant.redirect_uri != values.get("redirect_uri"):
                return _json(400, {"error": "invalid_grant", "error_description": "code unknown or used"})
            grant.used = True
            if grant.challenge:
                verifier = values.get("code_verifier", "")
                expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if expected != grant.challenge:
                    return _json(400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
            return _json(200, self._issue(grant.scope))
        if values.get("grant_type") == "refresh_token":
            scope = self.refresh.get(values.get("refresh_token", ""))
            if scope is None:
                return _json(400, {"error": "invalid_grant", "error_description": "refresh token unknown or expired"})
            if self.rotate:
                del self.refresh[values["refresh_token"]]
            return _json(200, self._issue(scope, refresh=self.rotate))
        return _json(400, {"error": "unsupported_grant_type"})

    def _issue(self, scope: str, refresh: bool = True) -> dict:
        access = "at-" + secrets.token_urlsafe(12)
        self.access[access] = scope
        body = {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in, "scope": scope,
                **self.extra_token_fields}
        if refresh:
            body["refresh_token"] = "rt-" + secrets.token_urlsafe(12)
            self.refresh[body["refresh_token"]] = scope
        return body

    def _revoke(self, request: Request, values: dict) -> Response:
        token = values.get("token") or request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token in self.access or token in self.refresh:
            self.access.pop(token, None)
            self.refresh.pop(token, None)
            self.revoked.append(token)
            return Response(status=200 if request.method == "POST" else 204)
        return _json(400 if request.method == "POST" else 401, {"error": "invalid_token"})


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _redirect(uri: str, params: dict) -> Response:
    return Response(status=302, headers={"Location": f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"})


def consent(location: str, service_host: str = "valuedesk.test") -> str:
    """The admin's browser at the consent page: the path and query the vendor sends it back to on the service."""
    import requests

    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == service_host
    return f"{back.path}?{back.query}"
