"""Installations: one per helpdesk account, with its timezone, business hours and settings."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.models import DEFAULT_BUSINESS_HOURS
from adapter.models import Installation
from adapter.providers import helpdesk_kinds
from adapter.providers import vendor
from adapter.providers.vendor import HELPDESK

T = TypeVar("T")

PLAYGROUND_ID = "playground"
MAX_HOLIDAYS = 100
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def new_installation_id(kind: str, account: str) -> str:
    """A readable, unguessable id such as `zd-acme-4f9c2a`."""
    slug = re.sub(r"[^a-z0-9]+", "-", account.lower()).strip("-")[:32] or "account"
    return f"{vendor(HELPDESK, kind).installation_prefix}-{slug}-{secrets.token_hex(3)}"


def normalise_account(kind: str, account: str) -> str:
    """Reduce what people paste (URLs, hostnames) to the bare subdomain or domain."""
    value = account.strip().lower()
    value = re.sub(r"^https?://", "", value).split("/")[0]
    helpdesk = vendor(HELPDESK, kind)
    return value.removesuffix(helpdesk.account_suffix) if helpdesk and helpdesk.account_suffix else value


def validate_timezone(name: str) -> str:
    """Return `name` when it is an IANA timezone.

    :raise InvalidInput: an unknown zone.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name!r} is not a known timezone (e.g. Europe/Berlin).",
                           code="invalid_timezone") from None
    return name


def validate_business_hours(hours: dict) -> dict:
    """Return a clean copy of business hours {days: [0-6], start: HH:MM, end: HH:MM, holidays?: [YYYY-MM-DD]}.

    :raise InvalidInput: with the reason.
    """
    days = hours.get("days")
    if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        raise InvalidInput("Business days must be a non-empty list of 0 (Monday) to 6 (Sunday).",
                           code="invalid_business_hours")
    start, end = hours.get("start", ""), hours.get("end", "")
    if not (_HHMM.match(str(start)) and _HHMM.match(str(end))):
        raise InvalidInput("Opening and closing times must look like 09:00 and 17:30.",
                           code="invalid_business_hours")
    if start >= end:
        raise InvalidInput("Closing time must be after opening time.",
                           code="invalid_business_hours")
    clean = {"days": sorted(set(days)), "start": start, "end": end}
    holidays = hours.get("holidays") or []
    if not isinstance(holidays, list) or len(holidays) > MAX_HOLIDAYS or not all(map(_is_iso_date, holidays)):
        raise InvalidInput(f"Holidays must be up to {MAX_HOLIDAYS} dates written like 2026-12-25, one per line.",
                           code="invalid_business_hours")
    if holidays:
        clean["holidays"] = sorted(set(holidays))
    return clean


def _is_iso_date(value) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def feature_settings(installation: Installation, feature: str, shape: type[T]) -> T:
    """One feature's settings stored on the installation, with `shape`'s defaults for anything unset."""
    stored = (installation.settings or {}).get(feature) or {}
    return shape(**{k: v for k, v in stored.items() if k in shape.__dataclass_fields__})


def merged_settings(installation: Installation, feature: str, shape: type[T], changes: dict) -> dict:
    """The feature's current settings as a dict, with the given changes (None means unchanged) applied."""
    current = asdict(feature_settings(installation, feature, shape))
    current.update({k: v for k, v in changes.items() if v is not None})
    return current


def store_feature_settings(installation: Installation, feature: str, values: dict) -> None:
    """Replace one feature's settings, keeping the other features'."""
    installation.settings = {**(installation.settings or {}), feature: values}


def create_installation(
    session: Session,
    *,
    kind: str,
    account: str,
    name: str | None = None,
    timezone: str = "UTC",
    business_hours: dict | None = None,
    installation_id: str | None = None,
) -> Installation:
    """Create an installation (system session).

    :raise InvalidInput: bad values; Conflict: the account is already installed.
    """
    if kind not in helpdesk_kinds():
        raise InvalidInput(f"Helpdesk must be one of {', '.join(helpdesk_kinds())}, not {kind!r}.",
                           code="invalid_kind")
    account = normalise_account(kind, account)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,253}", account):
        raise InvalidInput(f"{account!r} does not look like a helpdesk subdomain or domain.",
                           code="invalid_account")
    existing = session.scalar(select(Installation).where(Installation.kind == kind, Installation.account == account))
    if existing is not None:
        raise Conflict(f"{kind} account {account!r} is already installed as {existing.id}.",
                       code="already_installed")
    installation = Installation(
        id=installation_id or new_installation_id(kind, account),
        kind=kind,
        account=account,
        name=(name or account).strip()[:200],
        timezone=validate_timezone(timezone),
        business_hours=validate_business_hours(business_hours or dict(DEFAULT_BUSINESS_HOURS)),
        settings={},
    )
    session.add(installation)
    session.flush()
    return installation


def get_installation(session: Session, installation_id: str) -> Installation | None:
    """The installation with this id, or None."""
    return session.get(Installation, installation_id)


def list_installations(session: Session) -> list[Installation]:
    """Every installation, oldest first (system session)."""
    return list(session.scalars(select(Installation).order_by(Installation.created_at, Installation.id)))


def disable_installation(session: Session, installation: Installation) -> None:
    """Stop accepting webhooks and sidebar sessions for this installation; data is kept."""
    if installation.disabled_at is None:
        installation.disabled_at = clock.now()
    session.flush()


def enable_installation(session: Session, installation: Installation) -> None:
    """Undo `disable_installation`, or an uninstall (so the daily purge no longer deletes its data)."""
    installation.disabled_at = None
    installation.uninstalled_at = None
    session.flush()
