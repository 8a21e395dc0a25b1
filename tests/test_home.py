"""GET /: a developer lands in the playground; anyone else learns what the service is and where the console is."""


def test_development_leads_to_the_playground(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/playground/")


def test_production_says_what_this_is_and_where_the_console_is(make_app):
    page = make_app(VALUEDESK_PLAYGROUND="false").test_client().get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Valuedesk is running" in text and 'href="/admin/login"' in text and "/healthz" in text


def test_the_error_page_link_back_to_the_start_works(client):
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/").status_code in (200, 302)


def test_favicon_ico_is_the_svg_logo(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<svg")
