"""A bare Flask endpoint, served by the same gunicorn settings as Valuedesk, as the load run's throughput baseline."""

from flask import Flask

app = Flask(__name__)


@app.post("/webhooks/<provider>/<installation_id>")
def receive(provider: str, installation_id: str):
    """Read the body and answer 202, as the real view does, with nothing in between."""
    from flask import request

    request.get_data()
    return {"status": "accepted"}, 202
