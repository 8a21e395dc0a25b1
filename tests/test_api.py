"""Error responses: one JSON shape for the API, an HTML page for people, 500s logged with a request id."""

import pytest

from adapter import errors


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": "Nothing here. Check the address."}}


def test_wrong_method_is_json_405(client):
    response = client.get("/webhooks/playground/x")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_pages_get_an_html_error(client):
    response = client.get("/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Nothing here" in response.data


def test_validation_errors_name_the_field(client, make_installation):
    from adapter.installations import PLAYGROUND_ID  # noqa: F401

    make_installation(kind="playground", account="playground", installation_id="playground")
    response = client.post("/playground/api/tickets", json={"subject": "Hi"})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {"requester_name", "requester_email", "body"}
    assert "requester_email" in error["message"]


def test_unexpected_exception_is_a_logged_500_with_request_id(app, caplog):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/api/boom", headers={"X-Request-Id": "req-12345678"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_server_error"
    assert "req-12345678" in response.json["error"]["message"]
    assert "kaboom" not in response.json["error"]["message"]
    assert any(r.getMessage() == "api.unhandled" for r in caplog.records)


@pytest.mark.parametrize(("error", "status"), [
    (errors.InvalidInput("The amount must be positive.", fields={"amount": ["Must be positive."]}), 400),
    (errors.Missing("No such theme."), 404),
    (errors.Conflict("Already confirmed."), 409),
    (errors.PolicyRefused("Over your limit.", code="limit_exceeded"), 403),
])
def test_domain_refusals_get_the_status_of_their_kind(app, error, status):
    @app.get("/api/refuse")
    def refuse():
        raise error

    response = app.test_client().get("/api/refuse")
    assert response.status_code == status
    assert response.json["error"]["code"] == error.code and response.json["error"]["message"] == error.message
    assert response.json["error"].get("fields") == error.fields


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_openapi_document_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json["info"]["title"] == "Valuedesk"
    assert "/api/tickets/{ticket_id}" in response.json["paths"]


def test_nul_characters_are_refused_everywhere_before_any_work(client, playground, priya):
    for method, path, kwargs in (
            ("PATCH", "/api/admin/signals/settings", {"json": {"competitors": ["Xero\u0000"]}}),
            ("GET", "/api/digest", {"query_string": {"since": "2026-11-01\u0000"}}),
            ("POST", "/admin/login", {"data": {"installation": "p\u0000", "token": "t"}})):
        response = client.open(path, method=method, headers=priya, **kwargs)
        assert response.status_code == 400, path
        assert "NUL" in response.get_data(as_text=True), path
    assert "Xero\u0000" not in client.get("/api/admin/signals/settings", headers=priya).json["competitors"]


DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DEEP_ARRAY = "[" * 5000 + "]" * 5000


def _json_posts(app) -> list[str]:
    """Every POST, PUT and PATCH route of the JSON API and the playground's API, with sample path values."""
    import re

    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/playground/api/")) and {"POST", "PUT", "PATCH"} & rule.methods:
            paths.add(re.sub(r"<int:[^>]+>", "1", re.sub(r"<(?:string:)?[^>:]+>", "x", rule.rule)))
    return sorted(paths)


@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["objects", "arrays"])
def test_json_nested_5000_levels_deep_is_a_400_with_a_message_on_every_route(app, client, playground, priya, body):
    paths = _json_posts(app)
    assert len(paths) > 20 and "/playground/api/tickets" in paths and "/api/billing/preview" in paths
    for path in paths:
        for method in ("POST", "PATCH", "PUT"):
            response = client.open(path, method=method, headers={**priya, "Content-Type": "application/json"},
                                   data=body)
            if response.status_code == 405:
                continue
            assert response.status_code == 400, (method, path, response.status_code)
            assert "nested more than 64 levels" in response.json["error"]["message"], (method, path)


def test_json_that_is_only_a_little_nested_still_reaches_the_route(client, playground, priya):
    body = {"competitors": ["Xero"], "nested": [[[["fine"]]]]}
    response = client.patch("/api/admin/signals/settings", headers=priya, json=body)
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_input"  # the schema's answer
