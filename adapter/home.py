"""GET /: the playground in development; in production, a short page saying what this service is."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import redirect
from flask import render_template
from flask import url_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Where a person who opens the service's address should land."""
    if current_app.config["VALUEDESK"].playground:
        return redirect(url_for("playground.index"))
    return render_template("home.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever a page links; it is the SVG logo."""
    svg = (Path(current_app.static_folder) / "favicon.svg").read_bytes()  # bytes, not a stream: nothing left open
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
