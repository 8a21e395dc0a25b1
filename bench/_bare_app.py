"""A bare Flask endpoint, served by the same server and settings as `valuedesk serve`, as the load run's baseline.

    python bench/_bare_app.py PORT THREADS
"""

from flask import Flask

app = Flask(__name__)


@app.post("/webhooks/<provider>/<installation_id>")
def receive(provider: str, installation_id: str):
    """Read the body and answer 202, as the real view does, with nothing in between."""
    from flask import request

    request.get_data()
    return {"status": "accepted"}, 202


if __name__ == "__main__":
    import sys

    from adapter import server

    server.run(server.create(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]),
                             limits=server.Limits()))
