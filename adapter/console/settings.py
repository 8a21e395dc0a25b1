"""Console settings: business hours, signals and their taxonomy, commitments, copy-paste warnings and the refund policy.

Each form posts to its own address, is read into typed values here, and is validated by the feature's own
`update_settings`, so the console and the admin API refuse exactly the same values with the same messages.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy.orm import Session

from adapter.api import domain_status
from adapter.billing import policy as rules
from adapter.billing import service as billing_service
from adapter.billing.money import major_text
from adapter.commitments import service as commitment_service
from adapter.console import bp
from adapter.console import forms
from adapter.console.auth import console_required
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.installations import validate_business_hours
from adapter.installations import validate_timezone
from adapter.replies import fingerprint
from adapter.replies import service as reply_service
from adapter.signals import history
from adapter.signals import service as signal_service
from adapter.signals import taxonomy

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LIMITS = (("refund_per_ticket", "Refund per ticket"), ("refund_per_agent_day", "Refunds per agent per day"),
          ("coupon_max_amount", "Coupon amount"), ("coupon_value_per_ticket", "Coupons per ticket (value)"),
          ("coupon_value_per_agent_day", "Coupons per agent per day (value)"))


def _render(errors: dict[str, str] | None = None, status: int = 200):
    """The settings page; after a refused value, the failing form shows what was typed, not the stored value."""
    session = request_session(g.installation.id)
    failed = next(iter(errors), None) if errors else None

    def typed(section: str, name: str, stored):
        return request.form.get(name, "") if section == failed else stored

    def typed_check(section: str, name: str, stored: bool, value: str | None = None) -> bool:
        if section != failed:
            return stored
        return value in request.form.getlist(name) if value is not None else name in request.form

    installation = g.installation
    policy = billing_service.policy_of(installation)
    currencies = sorted(set().union(*(getattr(policy, name) for name, _ in LIMITS)))
    return render_template(
        "console/settings.html", errors=errors or {}, days=DAYS, hours=installation.business_hours,
        signals=taxonomy.settings_of(installation), types=taxonomy.ensure_types(session),
        tags=history.offered(session, installation, signal_service.current_model(session),
                             [t.tag for t in taxonomy.ensure_types(session)]),
        commitments=commitment_service.settings_of(installation), replies=reply_service.settings_of(installation),
        lowest_threshold=fingerprint.LOWEST_THRESHOLD, policy=policy, currencies=currencies, limits=LIMITS,
        roles=rules.ROLES, major=major_text, typed=typed, typed_check=typed_check,
    ), status


@bp.get("/settings")
@console_required
def settings_page():
    """Every setting of the installation, one form per feature."""
    return _render()


@bp.get("/settings/<path:form>")
@console_required
def settings_form(form: str):
    """A form's address opened directly (or reloaded after a refused value): the settings page at that form."""
    anchor = form.split("/")[0] if form.split("/")[0] in ("hours", "signals", "tags", "commitments", "replies", "billing") else ""
    return redirect(url_for("console.settings_page") + (f"#{anchor}" if anchor else ""))


def _save(section: str, change: Callable[[Session], str]):
    """Apply one form's change; on a refused value show the page again with the message and change nothing."""
    session = request_session(g.installation.id)
    try:
        saved = change(session)
        session.flush()
    except (ApiError, DomainError) as exc:
        session.rollback()
        status = domain_status(exc) if isinstance(exc, DomainError) else exc.status
        return _render({section: exc.message}, 400 if status < 500 else status)
    session.commit()
    flash(saved, "info")
    return redirect(url_for("console.settings_page") + f"#{section}")


@bp.post("/settings/hours")
@console_required
def save_hours():
    """Timezone and business hours (due times and reminders count business hours only)."""
    form = request.form

    def change(_session) -> str:
        timezone = validate_timezone(form.get("timezone", "").strip())
        days = [int(d) for d in form.getlist("days") if d.isdigit()]
        hours = validate_business_hours({"days": days, "start": form.get("start", "").strip(),
                                         "end": form.get("end", "").strip(), "holidays": forms.lines(form, "holidays")})
        g.installation.timezone, g.installation.business_hours = timezone, hours
        return "Business hours saved."

    return _save("hours", change)


@bp.post("/settings/signals")
@console_required
def save_signals():
    """Suggestion threshold, auto-confirm and competitors."""
    form = request.form

    def change(_session) -> str:
        taxonomy.update_settings(
            g.installation, threshold=forms.number(form, "threshold", "The suggestion threshold"),
            auto_confirm=forms.checked(form, "auto_confirm"),
            auto_confirm_threshold=forms.number(form, "auto_confirm_threshold", "The auto-confirm threshold"),
            competitors=forms.lines(form, "competitors"))
        return "Signal settings saved."

    return _save("signals", change)


@bp.post("/settings/signals/types/<key>")
@console_required
def save_signal_type(key: str):
    """One signal type: on or off, its helpdesk tag, and the phrases and patterns that suggest it."""
    form = request.form

    def change(session) -> str:
        updated = taxonomy.update_type(session, key, name=form.get("name", ""), tag=form.get("tag", "").strip(),
                                       enabled=forms.checked(form, "enabled"),
                                       use_default_rules=forms.checked(form, "use_default_rules"),
                                       phrases=forms.lines(form, "phrases"), patterns=forms.lines(form, "patterns"))
        return f"Signal type “{updated.name}” saved."

    return _save(f"type-{key}", change)


@bp.post("/settings/signals/types")
@console_required
def add_signal_type():
    """A new signal type of the team's own."""
    form = request.form

    def change(session) -> str:
        created = taxonomy.add_type(session, name=form.get("name", ""), phrases=forms.lines(form, "phrases"))
        return f"Signal type “{created.name}” added with the tag {created.tag}."

    return _save("new-type", change)


@bp.post("/settings/signals/tags")
@console_required
def save_tag_mapping():
    """Which signal type each helpdesk tag of the history means (confirmed by the admin)."""
    form = request.form

    def change(session) -> str:
        changes = {key[len("map."):]: (value or None) for key, value in form.items() if key.startswith("map.")}
        mapping = history.update_mapping(session, g.installation, changes,
                                         [t.key for t in taxonomy.ensure_types(session)])
        return f"Tag mapping saved: {len(mapping)} tag{'s' if len(mapping) != 1 else ''} mapped to signal types."

    return _save("tags", change)


@bp.post("/settings/signals/bootstrap")
@console_required
def train_from_history():
    """Train the installation's model from the mapped tag history and the agents' decisions."""

    def change(session) -> str:
        if not history.mapping_of(g.installation):
            raise ApiError(400, "no_mapping", "Map at least one helpdesk tag to a signal type first.")
        trained = signal_service.retrain(session, g.installation)
        if trained is None:
            raise ApiError(400, "not_enough_data", "Not enough tagged tickets or decisions to learn from yet.")
        return f"Trained on {trained.examples} tagged tickets and decisions; suggestions now use it."

    return _save("tags", change)


@bp.post("/settings/commitments")
@console_required
def save_commitments():
    """Reminder lead time, the default due time of a promise without one, the team digest and helpdesk tags."""
    form = request.form

    def change(_session) -> str:
        commitment_service.update_settings(
            g.installation, lead_minutes=forms.whole(form, "lead_minutes", "The reminder lead time"),
            default_business_days=forms.whole(form, "default_business_days", "The default due time"),
            lead_digest=forms.checked(form, "lead_digest"), helpdesk_tags=forms.checked(form, "helpdesk_tags"))
        return "Follow-up settings saved."

    return _save("commitments", change)


@bp.post("/settings/replies")
@console_required
def save_replies():
    """Share of matching words, copies before a warning, look-back window and retention of reply text."""
    form = request.form

    def change(_session) -> str:
        reply_service.update_settings(
            g.installation, threshold=forms.number(form, "threshold", "The share of matching words"),
            min_matches=forms.whole(form, "min_matches", "The number of near-copies"),
            window_days=forms.whole(form, "window_days", "The look-back window"),
            retention_days=forms.whole(form, "retention_days", "The retention"))
        return "Copy-paste warning settings saved."

    return _save("replies", change)


@bp.post("/settings/billing")
@console_required
def save_billing():
    """Refund and coupon limits per currency (typed in major units), who may act, and what happens above a limit."""
    form = request.form

    def change(_session) -> str:
        policy = billing_service.policy_of(g.installation)
        currencies = set().union(*(getattr(policy, name) for name, _ in LIMITS))
        added = form.get("new_currency", "").strip().lower()
        if added:
            if len(added) != 3 or not added.isalpha():
                raise ApiError(400, "invalid_policy", f"{added.upper()!r} is not a three-letter currency code.",
                               fields={"new_currency": "e.g. SEK"})
            currencies.add(added)
        limits: dict[str, dict[str, int]] = {name: {} for name, _ in LIMITS}
        for name, label in LIMITS:
            for code in sorted(currencies):
                cell = f"{name}.{'new' if code == added else code}"
                if form.get(cell, "").strip():  # an empty cell: no limit in that currency
                    limits[name][code] = forms.money(form, cell, f"{label} ({code.upper()})", code)
        billing_service.update_policy(
            g.installation, **limits,
            coupon_max_percent=forms.whole(form, "coupon_max_percent", "The coupon percentage limit"),
            coupons_per_ticket=forms.whole(form, "coupons_per_ticket", "The number of coupons per ticket"),
            coupons_per_agent_day=forms.whole(form, "coupons_per_agent_day", "The number of coupons per agent a day"),
            roles=form.getlist("roles"), above_limit=form.get("above_limit", ""),
            credits_enabled=forms.checked(form, "credits_enabled"))
        return "Refund and coupon policy saved; it applies to the next preview."

    return _save("billing", change)
