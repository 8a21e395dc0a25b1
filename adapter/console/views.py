"""Console pages: sign-in, overview and the voice-of-the-customer digest."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask import flash
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import Markup

from adapter import clock
from adapter.commitments import digest as followup_digest
from adapter.commitments.service import settings_of as commitment_settings
from adapter.console.auth import begin
from adapter.console.auth import check_admin_token
from adapter.console.auth import check_csrf
from adapter.console.auth import console_required
from adapter.console.auth import csrf_token
from adapter.console.auth import current
from adapter.console.auth import enter
from adapter.console.auth import read_entry
from adapter.console.auth import sign_out
from adapter.console.blueprint import bp
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.rates import MIN_SAMPLE
from adapter.replies import service as reply_service
from adapter.sidebar.auth import AgentSession
from adapter.signals import digest
from adapter.signals.chart import weekly_chart

OUTCOME_SERIES = [{"key": "kept", "name": "Kept", "color": "#15803d"}, {"key": "missed", "name": "Missed", "color": "#b91c1c"}]


@bp.app_context_processor
def _template_helpers():
    return {"csrf_token": csrf_token, "timedelta": timedelta}


@bp.get("/enter/<token>")
def enter_from_sidebar(token: str):
    """The sidebar's one-minute console link: a page that says whom it opens, and a button that does (a POST).

    A GET never signs anyone in, so a link someone else sends cannot switch an admin's session behind their back.
    """
    entry = read_entry(token)
    if entry is None:
        flash("That console link expired or is not valid; open it again from the sidebar.", "error")
        return redirect(url_for("console.login"))
    return confirm_page(entry.installation_name, entry.agent.agent_name, url_for("console.enter_confirmed"), token)


def confirm_page(installation_name: str, agent_name: str, form_action: str, token: str | None = None):
    """The page that asks before a sign-in, naming the session it would end."""
    signed_in = current()
    response = make_response(render_template(
        "console/enter.html", installation_name=installation_name, agent_name=agent_name, form_action=form_action,
        token=token, signed_in=signed_in[1] if signed_in else None, signed_in_to=signed_in[0].name if signed_in else None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/enter")
def enter_confirmed():
    """Open the console the confirmed link offers; each link works once."""
    check_csrf()
    entry = read_entry(request.form.get("token", ""))
    if entry is None:
        flash("That console link expired or is not valid; open it again from the sidebar.", "error")
        return redirect(url_for("console.login"))
    if not enter(entry):
        flash("That console link was used already; open the console again from the sidebar.", "error")
        return redirect(url_for("console.login"))
    return redirect(url_for("console.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with the bootstrap admin token (self-hosted set-ups)."""
    error = None
    if request.method == "POST":
        check_csrf()
        try:
            refuse_while_backing_off()
        except ApiError as exc:
            return render_template("console/login.html", error=exc.message), exc.status, exc.headers
        installation_id = request.form.get("installation", "").strip()
        installation = None
        if installation_id:
            with get_db().system() as lookup:
                installation = lookup.get(Installation, installation_id)
        if not check_admin_token(request.form.get("token", "")):
            note_failure()
            error = "That is not the admin token of this service (VALUEDESK_ADMIN_TOKEN)."
        elif installation is None:
            error = f"There is no installation {installation_id!r}; see `valuedesk installations list`."
        else:
            begin(AgentSession(installation.id, "bootstrap-admin", "Administrator", role="admin", host="console"))
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/admin") else url_for("console.home"))
    return render_template("console/login.html", error=error), 400 if error else 200


@bp.post("/logout")
def logout():
    """End the console session, on the server too: a copy of the cookie no longer opens anything."""
    check_csrf()
    sign_out()
    return redirect(url_for("console.login"))


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "invalid_date", f"{name} must be a date like 2026-11-01.", fields={name: "YYYY-MM-DD"}) from None


@bp.get("/digest")
@console_required
def digest_page():
    """Top themes, churn-risk accounts, praise and signals per week for a date range."""
    try:
        since, until = _date_arg("since"), _date_arg("until")
        start, end = digest.period(since, until, clock.now().date())
    except (ApiError, DomainError) as exc:
        return render_template("console/digest.html", error=exc.message, report=None), 400
    session = request_session(g.installation.id)
    report = digest.build(session, start, end)
    chart = Markup(weekly_chart(report.weeks, report.types))  # built from escaped parts
    followups = followup_digest.build(session, start, end, clock.now()) \
        if commitment_settings(g.installation).lead_digest else None
    followup_chart = Markup(weekly_chart(followups.weeks, OUTCOME_SERIES, "Promises kept and missed per week",
                                         "followups")) if followups else None
    nudges = reply_service.weekly_stats(session, weeks=8)
    return render_template("console/digest.html", report=report, chart=chart, error=None, followups=followups,
                           followup_chart=followup_chart, nudges=nudges, min_sample=MIN_SAMPLE,
                           type_names={t["key"]: t["name"] for t in report.types})
