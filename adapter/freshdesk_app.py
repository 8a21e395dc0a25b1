"""The Freshdesk marketplace app registers itself: an administrator's API key, checked with Freshdesk, is its credential.

The FDK app's settings hold the account's domain and an administrator's API key (a secure iparam: Freshworks' servers
fill it into request headers; no browser sees it). Installing proves the key with Freshdesk (`GET /agents/me` and the
account's built-in administrator roles) and creates or reactivates the installation; from then on every call of the
app carries the key, and the service compares its digest in constant time with the stored one. Set-up events apply in
the order Freshworks sent them: one older than the last one applied is a replay and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy.orm import Session

from adapter import clock
from adapter import lifecycle
from adapter.connections import find_installation
from adapter.credentials import CredentialStore
from adapter.db import serialise
from adapter.errors import AuthError
from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import NotFound
from adapter.errors import PolicyRefused
from adapter.installations import create_installation
from adapter.installations import normalise_account
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers.base import Agent
from adapter.security import constant_time_equals

STATE = "freshdesk_app"
# A set-up event is sent the moment it happens; one whose own time is further from ours than this is refused.
EVENT_WINDOW = timedelta(minutes=10)
_SUBDOMAIN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def freshdesk_subdomain(domain: str) -> str:
    """The account's subdomain from what an admin or the app sends (`acme`, `acme.freshdesk.com`, a URL).

    Only *.freshdesk.com accounts: the service calls the address it is given, so nothing else may be named.

    :raise InvalidInput: anything that is not a Freshdesk account's domain.
    """
    subdomain = normalise_account(freshdesk.NAME, str(domain or ""))
    if not _SUBDOMAIN.fullmatch(subdomain):
        raise InvalidInput(f"{domain!r} is not a Freshdesk domain; enter it like acme.freshdesk.com.",
                           code="invalid_domain", fields={"domain": "not a Freshdesk domain"})
    return subdomain


@dataclass(frozen=True)
class CheckedKey:
    """An API key Freshdesk confirmed is an administrator's of this account (made only by `check_admin_key`)."""

    subdomain: str
    agent: Agent
    api_key: str


def check_admin_key(domain: str, api_key: str, client: freshdesk.Client | None = None) -> CheckedKey:
    """Ask Freshdesk whose key this is on this account; only an administrator's key may install the app.

    :raise InvalidInput: Freshdesk refuses the key, or has no such account; PolicyRefused: not an administrator.
    :raise Unavailable/RateLimited: Freshdesk did not answer (try again).
    """
    subdomain = freshdesk_subdomain(domain)
    host = f"{subdomain}.freshdesk.com"
    if not 8 <= len(api_key or "") <= 200:  # nothing Freshdesk issues: refused without asking
        raise InvalidInput(f"No API key for {host} came with the request; enter an administrator's key in the app's "
                           "settings.", code="api_key_missing", fields={"api_key": "missing"})
    if not (api_key.isascii() and api_key.isprintable()):  # Freshdesk's keys are plain ASCII; Basic auth needs it too
        raise InvalidInput("That is not a Freshdesk API key (letters and digits only); copy it again from Profile "
                           "settings > View API key.", code="api_key_refused", fields={"api_key": "not an API key"})
    try:
        agent = (client or freshdesk.Client(subdomain, api_key)).me(with_role=True)
    except AuthError:
        raise InvalidInput(f"Freshdesk did not accept this API key for {host}. Copy it again from Profile settings > "
                           "View API key, signed in as an administrator of that account.", code="api_key_refused",
                           fields={"api_key": "refused by Freshdesk"}) from None
    except NotFound:
        raise InvalidInput(f"{host} is not a Freshdesk account; check the domain.", code="unknown_domain",
                           fields={"domain": "no such Freshdesk account"}) from None
    if agent.role != "admin":
        raise PolicyRefused(f"This API key belongs to {agent.name or 'an agent'}, who is not an administrator of {host}; "
                            "installing Valuedesk needs an administrator's key.", code="admin_required",
                            fields={"api_key": "not an administrator's key"})
    return CheckedKey(subdomain, agent, api_key)


def event_time(value) -> datetime:
    """When Freshworks says a set-up event happened (epoch seconds or milliseconds).

    :raise InvalidInput: missing, or further from now than EVENT_WINDOW (a replay, or a clock far off).
    """
    moment = freshdesk.sent_at({"timestamp": value})
    now = clock.wall()  # Freshworks' clock is real time, whatever the playground's fast clock says
    if moment is None or abs(now - moment) > EVENT_WINDOW:
        raise InvalidInput("The set-up event carries no time within ten minutes of now; it is refused as a replay.",
                           code="stale_event", fields={"timestamp": "missing or too far from now"})
    return moment


def _apply_in_order(installation: Installation, sent_at: datetime, event: str) -> None:
    """Record this event as the last one applied; refuse an older one (a replay, or an overtaken event)."""
    state = dict((installation.settings or {}).get(STATE) or {})
    last = datetime.fromisoformat(state["last_event_at"]) if state.get("last_event_at") else None
    # The same event again (a retried request whose answer was lost) is applied again, harmlessly.
    if last and (sent_at < last or (sent_at == last and event != state.get("last_event"))):
        raise Conflict(f"This {event} was sent at {sent_at:%Y-%m-%d %H:%M:%S} UTC, before the app's last set-up "
                       "change; it is refused as a replay.", code="replayed_event")
    state.update(last_event_at=sent_at.isoformat(), last_event=event)
    installation.settings = {**(installation.settings or {}), STATE: state}


def _adopt_renamed(session: Session, subdomain: str, previous: str, api_key: str) -> Installation | None:
    """The installation of the account's previous subdomain, moved to the new one, when the app proves it is that one's.

    A Freshdesk account renamed keeps its API keys, so the app's unchanged key opens the installation it had.
    """
    if previous == subdomain:
        return None
    installation = find_installation(session, freshdesk.NAME, previous)
    stored = CredentialStore(session, installation.id).get(freshdesk.APP_KEY_DIGEST) if installation else None
    if not constant_time_equals(stored, freshdesk.key_digest(api_key)):
        raise PolicyRefused(f"Valuedesk cannot tell that {previous}.freshdesk.com became {subdomain}.freshdesk.com with "
                            "this key; uninstall the app and install it again.", code="domain_change_unproven")
    if find_installation(session, freshdesk.NAME, subdomain) is not None:
        raise Conflict(f"{subdomain}.freshdesk.com is already installed separately; uninstall one of the two apps.",
                       code="already_installed")
    installation.account = subdomain
    return installation


def register(session: Session, key: CheckedKey, sent_at: datetime, *, event: str = "install",
             previous_domain: str | None = None) -> tuple[Installation, list[str]]:
    """Install or update: create, reactivate or move the installation and make the checked key its app credential.

    Run in an immediate system session (after `check_admin_key`, so no transaction waits on Freshdesk). An installation
    uninstalled within the retention period comes back with its data.

    :raise PolicyRefused: a rename the key does not prove, or an account the operator disabled; Conflict: a replay.
    """
    subdomain, api_key = key.subdomain, key.api_key
    # Freshworks retries a template whose answer is slow: two installs of one account run one after the other.
    previous = freshdesk_subdomain(previous_domain) if previous_domain else subdomain
    serialise(session, *{f"freshdesk-app:{subdomain}", f"freshdesk-app:{previous}"})
    done: list[str] = []
    installation = _adopt_renamed(session, subdomain, previous, api_key)
    if installation is not None:
        done.append(f"moved installation {installation.id} to {subdomain}.freshdesk.com")
    else:
        installation = find_installation(session, freshdesk.NAME, subdomain)
    if installation is None:
        installation = create_installation(session, kind=freshdesk.NAME, account=subdomain)
        done.append(f"created installation {installation.id}")
    _apply_in_order(installation, sent_at, event)
    if installation.uninstalled_at is not None:
        lifecycle.reinstall(session, installation)
        done.append(f"reinstalled {installation.id} with its data")
    elif not installation.is_active:
        raise PolicyRefused("The operator of this Valuedesk service has disabled this account; ask them to enable it.",
                            code="installation_disabled")
    credentials = CredentialStore(session, installation.id)
    credentials.set(freshdesk.API_KEY_CREDENTIAL, api_key)
    credentials.set(freshdesk.APP_KEY_DIGEST, freshdesk.key_digest(api_key))
    done.append(f"stored the API key of {key.agent.name or 'an administrator'}")
    session.flush()
    return installation, done


def unregister(session: Session, installation: Installation, sent_at: datetime) -> list[str]:
    """Uninstall: stop every job, revoke and purge credentials, keep the data for the retention period.

    :raise Conflict: a replayed or overtaken uninstall.
    """
    _apply_in_order(installation, sent_at, "uninstall")
    return lifecycle.uninstall(session, installation)
