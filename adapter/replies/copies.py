"""Near-copies in the database: fingerprint and store sent replies, find a draft's copies, re-fingerprint, forget."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from adapter import clock
from adapter.db import SCOPE_KEY
from adapter.db import insert_unless_exists
from adapter.models import ReplyFingerprint
from adapter.models import ReplyKey
from adapter.replies import fingerprint
from adapter.replies.normalize import sentence_words
from adapter.replies.normalize import shingles

MIN_WORDS = 8  # shorter replies ("Thanks, glad it works!") are meant to repeat, and are neither stored nor checked
PER_KEY = 40  # newest first per band key: the reads per check stay bounded however many replies are stored
MAX_CANDIDATES = 400  # compared exactly, those sharing the most bands first
BATCH = 500  # re-fingerprinted or forgotten per transaction


def words_key() -> bytes:
    """The current app's key for word ids."""
    return fingerprint.words_key(current_app.config["SECRET_KEY"])


@dataclass(frozen=True)
class Prepared:
    """A text reduced to its masked words, word pairs (for macros) and fingerprint."""

    words: list[str]
    pairs: set[str]
    ids: np.ndarray

    def keys(self, installation_id: str) -> list[int]:
        """The fingerprint's band keys in one installation."""
        return fingerprint.keys_of(self.ids, installation_id, words_key())


def prepare(text: str, names: tuple[str | None, ...] = ()) -> Prepared:
    """Normalise and fingerprint a reply (names are masked)."""
    sentences = sentence_words(text, tuple(n for n in names if n))
    words = [word for sentence in sentences for word in sentence]
    return Prepared(words, shingles(words), fingerprint.word_ids(sentences, words_key()))


@dataclass(frozen=True)
class Match:
    """A stored reply the draft nearly copies."""

    fingerprint_id: int
    ticket_id: str
    comment_id: str | None
    agent_id: str | None
    similarity: float


def _store_keys(session: Session, fingerprint_id: int, keys: list[int]) -> None:
    # Keys already there (a second worker re-fingerprinting the same reply) are the same keys: keep them.
    insert_ = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert_(ReplyKey).on_conflict_do_nothing(),
                    [{"key": key, "fingerprint_id": fingerprint_id} for key in keys])


def record_reply(session: Session, *, ticket_id: str, comment_id: str | None, agent_id: str | None, text: str,
                 created_at: datetime | None = None, names: tuple[str | None, ...] = (),
                 prepared: Prepared | None = None) -> int | None:
    """Fingerprint a sent public reply; the new row's id, or None for a duplicate or a reply too short to compare."""
    prepared = prepared or prepare(text, names)
    if len(prepared.words) < MIN_WORDS:
        return None
    installation_id = session.info[SCOPE_KEY]
    values = {"installation_id": installation_id, "ticket_id": ticket_id, "comment_id": comment_id,
              "agent_id": agent_id, "created_at": created_at or clock.now(), "words": len(prepared.words),
              "signature": fingerprint.to_bytes(prepared.ids), "version": fingerprint.VERSION, "text": text}
    if comment_id is None:
        new_id = session.execute(insert(ReplyFingerprint).values(**values).returning(ReplyFingerprint.id)).scalar()
    else:
        new_id = insert_unless_exists(session, ReplyFingerprint, values, ["installation_id", "comment_id"])
    if new_id is not None:
        _store_keys(session, new_id, prepared.keys(installation_id))
    return new_id


# One index range scan per band key, newest first, in one statement: the work per check stays flat however many
# replies are stored. Plain SQL built once: composing 40 subqueries per check cost more than running them.
_CANDIDATES_SQL = text(" UNION ALL ".join(
    f"SELECT fingerprint_id FROM (SELECT fingerprint_id FROM reply_keys WHERE key = :k{band} "
    f"ORDER BY fingerprint_id DESC LIMIT {PER_KEY}) AS band{band}" for band in range(fingerprint.BANDS)))


def candidates(session: Session, prepared: Prepared) -> list[int]:
    """Stored replies sharing a band key with the draft, those sharing the most first (at most MAX_CANDIDATES)."""
    params = {f"k{band}": key for band, key in enumerate(prepared.keys(session.info[SCOPE_KEY]))}
    shared = Counter(session.scalars(_CANDIDATES_SQL, params))
    return [fid for fid, _ in sorted(shared.items(), key=lambda item: (-item[1], -item[0]))[:MAX_CANDIDATES]]


# Stored replies by id. SQLite would rather walk the (installation, created_at) index, every row of the
# installation, than look up forty rowids (that made the check slow at a million replies): NOT INDEXED keeps it
# on the rowid, and the date and ticket are filtered here.
def _by_id(*columns) -> dict:
    """The SELECT of these columns of reply_fingerprints by id, for SQLite and for other databases."""
    names = ", ".join(column.key for column in columns)
    return {name: text(f"SELECT {names} FROM reply_fingerprints{hint} WHERE installation_id = :installation "
                       "AND id IN :ids").bindparams(bindparam("ids", expanding=True)).columns(*columns)
            for name, hint in (("sqlite", " NOT INDEXED"), ("other", ""))}


_ROWS_SQL = _by_id(ReplyFingerprint.id, ReplyFingerprint.ticket_id, ReplyFingerprint.comment_id,
                   ReplyFingerprint.agent_id, ReplyFingerprint.created_at, ReplyFingerprint.signature)
_TEXTS_SQL = _by_id(ReplyFingerprint.id, ReplyFingerprint.text)


def by_id(session: Session, statements: dict, ids: list[int]):
    """Rows of this installation's stored replies with these ids, read with `statements` (one of the above)."""
    statement = statements["sqlite" if session.get_bind().dialect.name == "sqlite" else "other"]
    return session.execute(statement, {"installation": session.info[SCOPE_KEY], "ids": ids})


def texts_of(session: Session, fingerprint_ids: list[int]) -> list[str]:
    """The stored texts of these replies, in the given order (those past retention are skipped)."""
    if not fingerprint_ids:
        return []
    texts = {row.id: row.text for row in by_id(session, _TEXTS_SQL, fingerprint_ids) if row.text is not None}
    return [texts[i] for i in fingerprint_ids if i in texts]


def near_copies(session: Session, draft: Prepared, *, exclude_ticket: str | None, since: datetime,
                threshold: float) -> list[Match]:
    """Stored replies since `since`, on other tickets, that the draft copies at `threshold`, most similar first."""
    ids = candidates(session, draft)
    if not ids:
        return []
    rows = by_id(session, _ROWS_SQL, ids)
    words = fingerprint.Words.of(draft.ids)
    matches = []
    for row in rows:
        if row.created_at < since or (exclude_ticket is not None and row.ticket_id == exclude_ticket):
            continue
        score = fingerprint.similarity(words, fingerprint.Words.of(fingerprint.from_bytes(row.signature)), threshold)
        if score is not None:
            matches.append(Match(row.id, row.ticket_id, row.comment_id, row.agent_id, score))
    return sorted(matches, key=lambda m: (-m.similarity, -m.fingerprint_id))


def refingerprint(session: Session, limit: int = BATCH) -> dict[str, int]:
    """Re-fingerprint up to `limit` replies stored before revision 0010, newest first, from their text.

    One whose text is gone (past retention) or too short to compare is removed: no check could match it.
    """
    rows = session.execute(select(ReplyFingerprint.id, ReplyFingerprint.text)
                           .where(ReplyFingerprint.version.is_(None))
                           .order_by(ReplyFingerprint.id.desc()).limit(limit)).all()
    done, removed = 0, []
    installation_id = session.info[SCOPE_KEY]
    for row in rows:
        prepared = prepare(row.text) if row.text else None
        if prepared is None or len(prepared.words) < MIN_WORDS:
            removed.append(row.id)
            continue
        session.execute(update(ReplyFingerprint).where(ReplyFingerprint.id == row.id).values(
            signature=fingerprint.to_bytes(prepared.ids), words=len(prepared.words), version=fingerprint.VERSION))
        _store_keys(session, row.id, prepared.keys(installation_id))
        done += 1
    if removed:
        session.execute(delete(ReplyFingerprint).where(ReplyFingerprint.id.in_(removed))
                        .execution_options(synchronize_session=False))
    return {"refingerprinted": done, "removed": len(removed)}


def forget_before(session: Session, cutoff: datetime) -> int:
    """Delete the fingerprints (and their band keys) of replies sent before `cutoff`; how many went."""
    removed = 0
    key = words_key()
    installation_id = session.info[SCOPE_KEY]
    while True:
        rows = session.execute(select(ReplyFingerprint.id, ReplyFingerprint.signature, ReplyFingerprint.version)
                               .where(ReplyFingerprint.created_at < cutoff).limit(BATCH)).all()
        if not rows:
            return removed
        pairs = [{"key": band_key, "fid": row.id} for row in rows if row.version == fingerprint.VERSION
                 for band_key in fingerprint.keys_of(fingerprint.from_bytes(row.signature), installation_id, key)]
        if pairs:
            session.execute(text("DELETE FROM reply_keys WHERE key = :key AND fingerprint_id = :fid"), pairs)
        session.execute(delete(ReplyFingerprint).where(ReplyFingerprint.id.in_([row.id for row in rows]))
                        .execution_options(synchronize_session=False))
        removed += len(rows)
