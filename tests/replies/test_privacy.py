"""Coach, don't surveil: a warning exists only for the agent who got it; nothing keeps or shows per-agent numbers."""

import json

import pytest
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import select

from adapter.db import Base
from adapter.installations import PLAYGROUND_ID
from adapter.models import ReplyCheckWeek
from adapter.providers.playground import MACROS
from tests.replies.test_service import ANSWER
from tests.support import bearer
from tests.support import every_get_page

ALEX = ("agent-alex-7731", "Alexandra Quill")  # appears nowhere except in Alex's own checks


@pytest.fixture
def warned_alex(client, runner):
    """Alex drafts generic replies, gets warnings, edits some and sends one anyway."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    alex = bearer(client.application, PLAYGROUND_ID, agent_id=ALEX[0], name=ALEX[1])
    for ticket in ("1", "3", "4"):
        response = client.post("/api/replies/check", headers=alex, json={"ticket_id": ticket, "draft": MACROS[0].body})
        assert response.json["warnings"]
    for outcome in ("edited", "edited", "sent_anyway"):
        client.post("/api/replies/outcome", headers=alex, json={"outcome": outcome})
    return alex


def test_the_database_keeps_nothing_about_who_was_warned(db, warned_alex):
    assert not {c.name for c in ReplyCheckWeek.__table__.columns} & {"agent_id", "agent_name", "agent"}
    with db.system() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text) or c.name in ("settings", "payload")]
            for row in session.execute(select(*columns)) if columns else ():
                text = json.dumps([str(v) for v in row])
                assert ALEX[0] not in text and ALEX[1] not in text, f"{table.name} remembers Alex"


def test_no_page_or_api_shows_per_agent_numbers(app, client, warned_alex):
    admin = bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    checked = 0
    for path, body in every_get_page(app, admin):
        assert ALEX[0] not in body and ALEX[1] not in body and "Alexandra" not in body, path
        checked += 1
    assert checked > 20
    stats = client.get("/api/admin/replies/stats?weeks=1", headers=admin).json[0]
    assert set(stats) == {"week", "checks", "warned", "warned_share", "edited", "sent_anyway", "edited_share"}
    assert (stats["warned"], stats["edited"], stats["sent_anyway"]) == (3, 2, 1)


def test_examples_come_from_the_agents_own_replies_only(client, runner, db):
    from adapter.replies import service

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with db.tenant(PLAYGROUND_ID) as session:
        for n in range(6):
            service.record_reply(session, ticket_id=f"t{n}", comment_id=f"sam-{n}", agent_id="agent-sam",
                                 text=ANSWER)
    alex = bearer(client.application, PLAYGROUND_ID, agent_id=ALEX[0], name=ALEX[1])
    [warning] = client.post("/api/replies/check", headers=alex,
                            json={"draft": ANSWER}).json["warnings"]
    assert warning["kind"] == "repeated" and warning["examples"] == []
    sam = bearer(client.application, PLAYGROUND_ID)
    [warning] = client.post("/api/replies/check", headers=sam,
                            json={"draft": ANSWER}).json["warnings"]
    assert len(warning["examples"]) == 2
