"""GET /: the playground in development; in production, a short page saying what this service is."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import send_from_directory
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
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
