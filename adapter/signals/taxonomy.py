"""The signal taxonomy of an installation, its rules, and the signal settings admins control."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.errors import Missing
from adapter.installations import feature_settings
from adapter.installations import merged_settings
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import SignalType
from adapter.signals import rules

# key, name, helpdesk tag, colour
DEFAULT_TYPES = (
    ("bug", "Bug", "vd_bug", "#c2410c"),
    ("feature_request", "Feature request", "vd_feature_request", "#2563eb"),
    ("ux_friction", "UX friction", "vd_ux_friction", "#be185d"),
    ("docs_gap", "Docs gap", "vd_docs_gap", "#7c3aed"),
    ("churn_risk", "Churn risk", "vd_churn_risk", "#7f1d1d"),
    ("praise", "Praise", "vd_praise", "#15803d"),
    ("competitor", "Competitor", "vd_competitor", "#0e7490"),
)
ADMIN_PHRASE_WEIGHT = 0.7
ADMIN_PATTERN_WEIGHT = 0.7
_TAG = re.compile(r"^[a-z0-9_:.-]{1,80}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SignalSettings:
    """What admins decide about signals for their installation."""

    threshold: float = 0.5
    auto_confirm: bool = False
    auto_confirm_threshold: float = 0.9
    competitors: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """JSON form for the installation's settings."""
        data = asdict(self)
        data["competitors"] = list(self.competitors)
        return data


def settings_of(installation: Installation) -> SignalSettings:
    """The installation's signal settings, with defaults for anything unset."""
    settings = feature_settings(installation, "signals", SignalSettings)
    return replace(settings, competitors=tuple(settings.competitors))


def update_settings(installation: Installation, **changes) -> SignalSettings:
    """Validate and store new signal settings.

    :raise DomainError: InvalidInput naming the setting that is out of range.
    """
    current = merged_settings(installation, "signals", SignalSettings, changes)
    for name in ("threshold", "auto_confirm_threshold"):
        value = current[name]
        if not isinstance(value, int | float) or not 0.05 <= float(value) <= 0.99:
            raise InvalidInput(f"{name} must be a number between 0.05 and 0.99.", code="invalid_setting", fields={name: "between 0.05 and 0.99"})
    if current["auto_confirm_threshold"] < current["threshold"]:
        raise InvalidInput("Auto-confirm needs a threshold at least as high as suggestions'.", code="invalid_setting", fields={"auto_confirm_threshold": "must be ≥ threshold"})
    names = [str(n).strip() for n in current["competitors"] if str(n).strip()]
    if len(names) > 100 or any(len(n) > 80 for n in names):
        raise InvalidInput("List at most 100 competitors of up to 80 characters each.", code="invalid_setting", fields={"competitors": "too many or too long"})
    current["competitors"] = tuple(dict.fromkeys(names))
    result = SignalSettings(**current)
    store_feature_settings(installation, "signals", result.as_dict())
    return result


def ensure_types(session: Session) -> list[SignalType]:
    """The installation's signal types, creating the defaults on first use (tenant session)."""
    existing = list(session.scalars(select(SignalType).order_by(SignalType.position, SignalType.id)))
    if existing:
        return existing
    for position, (key, name, tag, color) in enumerate(DEFAULT_TYPES):
        session.add(SignalType(key=key, name=name, tag=tag, color=color, builtin=True, position=position,
                               phrases=[], patterns=[]))
    session.flush()
    return list(session.scalars(select(SignalType).order_by(SignalType.position, SignalType.id)))


def get_type(session: Session, key: str) -> SignalType:
    """One type by key.

    :raise DomainError: Missing when the installation has no such type.
    """
    ensure_types(session)
    found = session.scalar(select(SignalType).where(SignalType.key == key))
    if found is None:
        raise Missing(f"There is no signal type {key!r}.", code="unknown_signal_type")
    return found


def _clean_phrases(phrases: list) -> list[str]:
    cleaned = [str(p).strip() for p in phrases or [] if str(p).strip()]
    if len(cleaned) > 200 or any(len(p) > 120 for p in cleaned):
        raise InvalidInput("Use at most 200 phrases of up to 120 characters each.", code="invalid_phrases")
    return list(dict.fromkeys(cleaned))


def _clean_patterns(patterns: list) -> list[str]:
    cleaned = [str(p) for p in patterns or [] if str(p).strip()]
    if len(cleaned) > 50:
        raise InvalidInput("Use at most 50 patterns.", code="invalid_patterns")
    for pattern in cleaned:
        rules.validate_pattern(pattern)
    return cleaned


def _check_tag_and_color(session: Session, tag: str, color: str, own_id: int | None = None) -> None:
    if not _TAG.match(tag):
        raise InvalidInput(f"{tag!r} is not a usable helpdesk tag: use lower-case letters, digits, "
                                           "'_', '-', ':' or '.', no spaces.", code="invalid_tag", fields={"tag": "invalid"})
    if not _COLOR.match(color):
        raise InvalidInput(f"{color!r} is not a colour like #1f2933.", code="invalid_color", fields={"color": "invalid"})
    clash = session.scalar(select(SignalType).where(SignalType.tag == tag))
    if clash is not None and clash.id != own_id:
        raise Conflict(f"The tag {tag!r} is already used by {clash.name}.", code="tag_in_use")


def add_type(session: Session, *, name: str, tag: str | None = None, color: str = "#52606d",
             phrases: list | None = None, patterns: list | None = None, enabled: bool = True) -> SignalType:
    """Add a custom signal type.

    :raise DomainError: InvalidInput for bad values, Conflict for a duplicate name or tag.
    """
    types = ensure_types(session)
    name = name.strip()
    key = _KEY.sub("_", name.lower()).strip("_")[:40]
    if not name or not key:
        raise InvalidInput("Give the signal type a name.", code="invalid_name", fields={"name": "required"})
    if any(t.key == key for t in types):
        raise Conflict(f"A signal type called {name!r} already exists.", code="type_exists")
    tag = tag or f"vd_{key}"
    _check_tag_and_color(session, tag, color)
    created = SignalType(key=key, name=name[:60], tag=tag, color=color, builtin=False, use_default_rules=False, enabled=enabled,
                         phrases=_clean_phrases(phrases or []), patterns=_clean_patterns(patterns or []),
                         position=max(t.position for t in types) + 1)
    session.add(created)
    session.flush()
    return created


def update_type(session: Session, key: str, **changes) -> SignalType:
    """Rename, re-tag, re-colour, enable or disable a type, or change its rules.

    :raise DomainError: InvalidInput for bad values, Missing for an unknown type, Conflict for a tag in use.
    """
    signal_type = get_type(session, key)
    name = changes.get("name")
    if name is not None:
        if not name.strip():
            raise InvalidInput("A signal type needs a name.", code="invalid_name", fields={"name": "required"})
        signal_type.name = name.strip()[:60]
    tag, color = changes.get("tag") or signal_type.tag, changes.get("color") or signal_type.color
    _check_tag_and_color(session, tag, color, own_id=signal_type.id)
    signal_type.tag, signal_type.color = tag, color
    for flag in ("enabled", "use_default_rules"):
        if changes.get(flag) is not None:
            setattr(signal_type, flag, bool(changes[flag]))
    if changes.get("phrases") is not None:
        signal_type.phrases = _clean_phrases(changes["phrases"])
    if changes.get("patterns") is not None:
        signal_type.patterns = _clean_patterns(changes["patterns"])
    session.flush()
    return signal_type


def ruleset_for(session: Session, installation: Installation) -> rules.RuleSet:
    """The installation's compiled rules: built-in phrases where kept, the admin's own, and competitor names."""
    spec = []
    for signal_type in ensure_types(session):
        if signal_type.enabled:
            spec.append((signal_type.key, signal_type.use_default_rules, tuple(signal_type.phrases or ()),
                         tuple(signal_type.patterns or ())))
    own_names = tuple(n for n in (installation.name, installation.account) if n)
    return _compiled(tuple(spec), settings_of(installation).competitors, own_names)


@functools.lru_cache(maxsize=256)
def _compiled(spec: tuple, competitors: tuple[str, ...], own_names: tuple[str, ...] = ()) -> rules.RuleSet:
    phrases: dict[str, list[tuple[str, float]]] = {}
    patterns: dict[str, list[tuple[str, float]]] = {}
    for key, use_defaults, own_phrases, own_patterns in spec:
        phrases[key] = [*(rules.DEFAULT_PHRASES.get(key, []) if use_defaults else []),
                        *((p, ADMIN_PHRASE_WEIGHT) for p in own_phrases)]
        patterns[key] = [*(rules.DEFAULT_PATTERNS.get(key, []) if use_defaults else []),
                         *((p, ADMIN_PATTERN_WEIGHT) for p in own_patterns)]
    enabled = {key for key, *_ in spec}
    ruleset = rules.compile_rules(phrases, patterns, competitors if "competitor" in enabled else ())
    # Well-known rivals come with the built-in competitor rules; the company's own names never count as one.
    ruleset.rivals = any(key == "competitor" and use_defaults for key, use_defaults, *_ in spec)
    ruleset.own_names = own_names
    return ruleset
