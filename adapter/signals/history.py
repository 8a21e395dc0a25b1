"""The helpdesk's tagged history: what the backfill read, which of its tags mean which signal type, and examples from it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.errors import InvalidInput
from adapter.events import CUSTOMER
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import TaggedTicket
from adapter.signals.model import Example
from adapter.text import clean_message

MAX_TEXT = 4000
MIN_TICKETS = 5  # a tag on fewer tickets says too little to suggest a type from its text
SAMPLE = 500  # tickets the model reads to suggest types, so the settings page stays quick on a long history
FEATURE = "signal_tags"
# Words in tag names that teams use for each type ("feature-request", "how_to", "cancel"…).
TAG_WORDS = {
    "bug": {"bug", "bugs", "defect", "error", "errors", "crash", "crashes", "broken", "outage", "incident", "glitch",
            "technical", "tech"},
    "feature_request": {"feature", "features", "request", "requests", "idea", "ideas", "suggestion", "suggestions",
                        "enhancement", "wishlist", "roadmap", "fr"},
    "ux_friction": {"ux", "usability", "friction", "confusing", "confusion", "slow", "hard", "clunky", "navigation"},
    "docs_gap": {"howto", "how", "question", "questions", "docs", "doc", "documentation", "faq", "policy", "kb",
                 "knowledge", "info", "information", "guide", "manual"},
    "churn_risk": {"cancel", "cancellation", "cancelled", "canceled", "churn", "churned", "downgrade", "retention",
                   "unsubscribe", "leaving", "atrisk", "closure", "winback"},
    "praise": {"praise", "kudos", "compliment", "compliments", "thanks", "thankyou", "positive", "happy",
               "testimonial", "love", "promoter"},
    "competitor": {"competitor", "competitors", "competition", "rival", "switching", "vs"},
}
_TAG_PARTS = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class TagSuggestion:
    """A helpdesk tag, how many tickets of the history carry it, and the signal type it probably means."""

    tag: str
    tickets: int
    type_key: str | None
    reason: str
    mapped: str | None = None

    def as_dict(self) -> dict:
        """JSON form for the API and the console."""
        return asdict(self)


def type_from_name(tag: str) -> str | None:
    """The type a tag's name points at ("feature-request" -> feature_request), or None."""
    parts = _TAG_PARTS.findall(tag.lower())
    joined = "".join(parts)
    for type_key, words in TAG_WORDS.items():
        if joined in words or any(part in words for part in parts):
            return type_key
    return None


def suggest_mapping(tickets: Iterable[tuple[tuple[str, ...], str]], model, *, ignore: Iterable[str] = ()) -> list[TagSuggestion]:
    """Suggest a type for each tag: from its name, else from what the model reads in the tickets that carry it.

    A tag is suggested for a type by its text when the model scores its tickets clearly higher for that
    type than the history as a whole (by at least 0.15 on average, and 0.35 or more in absolute terms).
    """
    tickets = list(tickets)
    ignored = set(ignore)
    counts = Counter(tag for tags, _ in tickets for tag in set(tags) if tag not in ignored)
    # The model reads a sample: the latest SAMPLE tickets for the baseline, SAMPLE per tag it must judge by text.
    unnamed = {tag for tag, count in counts.items() if count >= MIN_TICKETS and not type_from_name(tag)}
    chosen = set(range(max(0, len(tickets) - SAMPLE), len(tickets)))
    for tag in unnamed:
        chosen.update([i for i, (tags, _) in enumerate(tickets) if tag in tags][-SAMPLE:])
    order = sorted(chosen)
    scored = dict(zip(order, model.predict([tickets[i][1] for i in order]), strict=True)) if order else {}
    baseline = [scored[i] for i in order if i >= len(tickets) - SAMPLE]
    types = sorted({k for row in baseline for k in row})
    overall = {t: sum(row.get(t, 0.0) for row in baseline) / len(baseline) for t in types} if baseline else {}
    found = []
    for tag, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        by_name = type_from_name(tag)
        if by_name:
            found.append(TagSuggestion(tag, count, by_name, "name"))
            continue
        if count < MIN_TICKETS or not types:
            found.append(TagSuggestion(tag, count, None, "too few tickets" if count < MIN_TICKETS else "no model"))
            continue
        rows = [row for i, row in scored.items() if tag in tickets[i][0]]
        means = {t: sum(row.get(t, 0.0) for row in rows) / len(rows) for t in types}
        best = max(types, key=lambda t: means[t] - overall[t])
        if means[best] - overall[best] >= 0.15 and means[best] >= 0.35:
            found.append(TagSuggestion(tag, count, best, "text"))
        else:
            found.append(TagSuggestion(tag, count, None, "no clear type"))
    return found


def examples_from(tickets: Iterable[tuple[tuple[str, ...], str]], mapping: dict[str, str]) -> list[Example]:
    """Training examples from tagged tickets: each mapped tag's type is a positive; unmapped tickets are negatives."""
    return [Example(text=text, labels=frozenset(mapping[t] for t in tags if mapping.get(t)))
            for tags, text in tickets if text.strip()]


# Stored history and the admin's mapping (tenant session)


def customer_text(comments) -> str:
    """The customer's public words on a ticket, as one text."""
    parts = [clean_message(c.body) for c in comments if c.author_role == CUSTOMER and c.public]
    return "\n".join(p for p in parts if p)[:MAX_TEXT]


def record(session: Session, ticket_id: str, tags: Iterable[str], text: str) -> None:
    """Keep (or refresh) one ticket of the history with its tags and customer text."""
    row = session.scalar(select(TaggedTicket).where(TaggedTicket.ticket_id == ticket_id))
    if row is None:
        row = TaggedTicket(ticket_id=ticket_id, tags=[], text="")
        session.add(row)
    row.tags, row.text = sorted(set(tags)), text
    session.flush()


def stored(session: Session) -> list[tuple[tuple[str, ...], str]]:
    """Every ticket of the history as (tags, text)."""
    return [(tuple(tags or ()), text) for tags, text in
            session.execute(select(TaggedTicket.tags, TaggedTicket.text).order_by(TaggedTicket.id))]


def known_tags(session: Session) -> set[str]:
    """Every tag seen in the history."""
    return {tag for tags, _ in stored(session) for tag in tags}


def mapping_of(installation: Installation) -> dict[str, str]:
    """The admin's confirmed mapping of helpdesk tags to signal types."""
    return dict(((installation.settings or {}).get(FEATURE) or {}).get("mapping") or {})


def update_mapping(session: Session, installation: Installation, changes: dict, type_keys: Iterable[str]) -> dict[str, str]:
    """Map tags to types (a None type unmaps the tag); all or nothing.

    :raise DomainError: InvalidInput naming the first unknown tag or type; nothing is changed then.
    """
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("Send at least one tag with the signal type it means (or null).", code="invalid_mapping")
    tags, keys = known_tags(session), set(type_keys)
    for tag, type_key in changes.items():
        if tag not in tags:
            raise InvalidInput(f"No ticket of the history read so far carries the tag {tag!r}; "
                                               "run the backfill first or check the spelling.", code="unknown_tag", fields={tag: "unknown tag"})
        if type_key is not None and type_key not in keys:
            raise InvalidInput(f"There is no signal type {type_key!r}; use one of {', '.join(sorted(keys))}.", code="unknown_type", fields={tag: "unknown type"})
    mapping = mapping_of(installation)
    for tag, type_key in changes.items():
        if type_key is None:
            mapping.pop(tag, None)
        else:
            mapping[tag] = type_key
    store_feature_settings(installation, FEATURE, {"mapping": dict(sorted(mapping.items()))})
    return mapping


def offered(session: Session, installation: Installation, model, own_tags: Iterable[str]) -> list[TagSuggestion]:
    """The tags of the history with their suggested type and, where the admin confirmed one, the mapped type."""
    mapping = mapping_of(installation)
    ignore = {t for t in known_tags(session) if t.startswith("vd_")} | set(own_tags)
    return [TagSuggestion(s.tag, s.tickets, s.type_key, s.reason, mapping.get(s.tag))
            for s in suggest_mapping(stored(session), model, ignore=ignore)]


def training_examples(session: Session, installation: Installation) -> list[Example]:
    """Examples from the history under the confirmed mapping (none until the admin maps a tag)."""
    mapping = mapping_of(installation)
    return examples_from(stored(session), mapping) if mapping else []
