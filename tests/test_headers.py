"""Security headers: CSP everywhere, framing only of the sidebar and only by the helpdesks, nosniff, HSTS behind TLS."""

def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_the_sidebar_may_be_framed_by_the_helpdesks_only(client, playground):
    sidebar = client.get("/sidebar/playground?ticket_id=1")
    assert sidebar.status_code == 200
    csp = directives(sidebar)
    assert "https://*.zendesk.com" in csp["frame-ancestors"] and "https://*.freshdesk.com" in csp["frame-ancestors"]
    assert "'self'" in csp["frame-ancestors"] and "*" not in csp["frame-ancestors"].replace("https://*.", "")
    assert "X-Frame-Options" not in sidebar.headers
    assert csp["script-src"] == "'self' https://static.zdassets.com https://static.freshdev.io"
    assert "unsafe-inline" not in sidebar.headers["Content-Security-Policy"]


def test_every_other_page_refuses_to_be_framed(client, playground):
    for path in ("/playground/", "/admin/login", "/healthz", "/api/tickets/1/signals", "/openapi.json"):
        response = client.get(path)
        assert directives(response)["frame-ancestors"] == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_errors_carry_the_headers_too(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_behind_tls(make_app, playground):
    plain = make_app(VALUEDESK_PUBLIC_URL="http://127.0.0.1:8000").test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    behind_tls = make_app(VALUEDESK_PUBLIC_URL="https://valuedesk.example").test_client().get("/healthz")
    assert behind_tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_trusted_proxy_makes_the_request_secure(make_app):
    app = make_app(VALUEDESK_PROXY_HOPS="1", VALUEDESK_PUBLIC_URL="http://valuedesk.internal")
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" in response.headers
    untrusted = make_app(VALUEDESK_PUBLIC_URL="http://valuedesk.internal").test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_the_console_cookie_is_same_site_and_secure_behind_tls(client, playground):
    cookie = client.get("/playground/console").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie  # the test app's URL is https
