"""The console's front page (connections, with a test for each, and what needs attention) and the jobs page."""

from __future__ import annotations

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select

from adapter import queue
from adapter import workitems
from adapter.billing import service as billing_service
from adapter.console.auth import console_required
from adapter.console.blueprint import bp
from adapter.db import reads_only
from adapter.db import release_request_session
from adapter.db import request_session
from adapter.errors import AuthError
from adapter.errors import ProviderError
from adapter.models import BillingAction
from adapter.models import OutboxAction
from adapter.models import WebhookReceipt
from adapter.providers import billing_client
from adapter.providers import helpdesk
from adapter.providers import helpdesk_client
from adapter.trackers import api as trackers_api

JOBS_SHOWN = 200
# Each kind of durable job: the table, the task that runs one, and how the page names it.
JOB_KINDS = {
    "webhooks": (WebhookReceipt, "process_receipt", "Incoming webhooks"),
    "writes": (OutboxAction, "run_outbox_action", "Writes to the helpdesk and trackers"),
}


def _helpdesk(session):
    """The installation's helpdesk client, or None when its credentials are missing."""
    try:
        return helpdesk_client(session, g.installation)
    except AuthError:
        return None


def _job_counts(session) -> dict[str, dict[str, int]]:
    counts = {}
    for kind, (model, _, _) in JOB_KINDS.items():
        rows = session.execute(select(model.status, func.count()).where(model.status.in_(("pending", "failed")))
                               .group_by(model.status))
        counts[kind] = {"pending": 0, "failed": 0, **dict(rows.all())}
    return counts


@bp.get("/")
@console_required
def home():
    """Connections, what is waiting, and where to go next."""
    session = request_session(g.installation.id)
    billing_connected = billing_client(session, g.installation) is not None
    waiting = session.scalar(select(func.count()).select_from(BillingAction)
                             .where(BillingAction.state == "pending_approval"))
    return render_template("console/home.html", helpdesk_name=helpdesk(g.installation.kind).prose_name,
                           helpdesk_connected=_helpdesk(session) is not None,
                           tracker=trackers_api.connection_out(session, g.installation), jobs=_job_counts(session),
                           billing_connected=billing_connected, approvals=waiting or 0,
                           policy=billing_service.policy_of(g.installation))


@bp.post("/test/helpdesk")
@reads_only
@console_required
def test_helpdesk():
    """One call to the helpdesk with the stored credentials."""
    client = _helpdesk(request_session(g.installation.id))
    kind = g.installation.kind
    name = helpdesk(kind).prose_name
    release_request_session()
    if helpdesk(kind).builtin:
        flash("The playground helpdesk is built in; it is always connected.", "info")
        return redirect(url_for("console.home"))
    if client is None:
        flash(f"{name} is not connected: run `valuedesk installations connect {kind}`.", "error")
        return redirect(url_for("console.home"))
    try:
        me = client.me()
        flash(f"{name} answered: connected as {me.name or me.id}.", "info")
    except ProviderError as exc:
        flash(f"{name} refused or did not answer: {exc.message}", "error")
    return redirect(url_for("console.home"))


@bp.post("/test/billing")
@reads_only
@console_required
def test_billing():
    """One read from the billing system with the stored key."""
    billing = billing_client(request_session(g.installation.id), g.installation)
    kind = g.installation.kind
    release_request_session()
    if billing is None:
        flash("No billing system is connected.", "error")
    elif kind == "playground":
        flash("The sandbox billing account is built in; it is always connected.", "info")
    else:
        try:
            billing.check_key()
            flash("Stripe answered: the key works.", "info")
        except ProviderError as exc:
            flash(f"Stripe refused or did not answer: {exc.message}", "error")
    return redirect(url_for("console.home"))


@bp.get("/jobs")
@console_required
def jobs_page():
    """Webhooks and outgoing writes that are waiting or failed, with the last error and a Retry button."""
    session = request_session(g.installation.id)
    sections = []
    for kind, (model, _, title) in JOB_KINDS.items():
        rows = session.scalars(select(model).where(model.status.in_(("pending", "processing", "failed")))
                               .order_by(model.status.desc(), model.id.desc()).limit(JOBS_SHOWN))
        sections.append({"kind": kind, "title": title, "rows": list(rows)})
    return render_template("console/jobs.html", sections=sections)


@bp.post("/jobs/<kind>/<int:item_id>/retry")
@console_required
def retry_job(kind: str, item_id: int):
    """Give a failed job a fresh set of attempts and run it now."""
    if kind not in JOB_KINDS:
        flash("There is no such kind of job.", "error")
        return redirect(url_for("console.jobs_page"))
    model, task, _ = JOB_KINDS[kind]
    session = request_session(g.installation.id)
    if not workitems.retry_failed(session, model, item_id):
        flash(f"Job #{item_id} is not a failed job of this installation; nothing was retried.", "error")
        return redirect(url_for("console.jobs_page"))
    session.commit()
    queue.enqueue(task, item_id)
    flash(f"Retrying job #{item_id} now.", "info")
    return redirect(url_for("console.jobs_page"))
