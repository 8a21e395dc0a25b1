"""/healthz reports the database and the queue, and fails when either is down."""

def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_database_down_is_503(make_app):
    # PostgreSQL on a port where nothing listens: the database is unreachable.
    broken = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert response.json["queue"] == "ok"


def test_queue_down_is_503(make_app):
    broken = make_app(VALUEDESK_JOBS_IMMEDIATE="false", REDIS_URL="redis://127.0.0.1:1/0")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "queue": "unreachable"}
