"""Learning from the helpdesk's tags: the backfill keeps the tagged history, tags are mapped to types, the model is bootstrapped."""

import json
import re

import pytest
from sqlalchemy import select

from adapter.models import Installation
from adapter.models import SignalModel
from adapter.models import TaggedTicket
from adapter.providers import zendesk
from adapter.signals import blend
from adapter.signals import history
from adapter.signals import service
from tests.conftest import load_fixture
from tests.support import ZENDESK_API
from tests.support import bearer
from tests.support import zendesk_api

MISMATCH = "The reconciliation shows a mismatch on the October statement."


def test_tag_names_point_at_types():
    assert history.type_from_name("feature-request") == "feature_request"
    assert history.type_from_name("how_to") == "docs_gap"
    assert history.type_from_name("Bug") == "bug"
    assert history.type_from_name("cancellation") == "churn_risk"
    assert history.type_from_name("kudos") == "praise"
    assert history.type_from_name("vip") is None and history.type_from_name("billing") is None


def test_a_tag_with_no_telling_name_is_suggested_from_its_tickets_text():
    crashes = [(("t-17",), f"The app crashes when I open report {n}, error 500.") for n in range(6)]
    others = [(("misc",), f"Following up on the call about invoice {n}.") for n in range(6)]
    offered = {s.tag: s for s in history.suggest_mapping(crashes + others, blend.fresh())}
    assert (offered["t-17"].type_key, offered["t-17"].reason) == ("bug", "text")
    assert offered["misc"].type_key is None


def test_examples_from_tags_are_positives_and_untagged_tickets_negatives():
    found = history.examples_from([(("bug", "vip"), "It crashes"), (("vip",), "Hello"), ((), "  ")], {"bug": "bug"})
    assert [(e.text, set(e.labels)) for e in found] == [("It crashes", {"bug"}), ("Hello", set())]


@pytest.fixture
def acme(make_installation, no_network):
    """A Zendesk installation whose API answers with a recorded tagged history of 28 tickets."""
    recorded = load_fixture("zendesk", "history/tagged_history")
    zendesk_api(no_network, "GET", "incremental/tickets/cursor.json", json=recorded["incremental"])
    zendesk_api(no_network, "GET", "users/show_many.json", "users_show_many")

    def answer(part: str):
        def callback(request):
            ticket_id = re.search(r"tickets/(\d+)", request.url).group(1)
            return 200, {"Content-Type": "application/json"}, json.dumps(recorded[part][ticket_id])
        return callback

    no_network.add_callback("GET", re.compile(rf"{re.escape(ZENDESK_API)}/tickets/\d+/comments\.json.*"), answer("comments"))
    no_network.add_callback("GET", re.compile(rf"{re.escape(ZENDESK_API)}/tickets/\d+\.json.*"), answer("tickets"))
    return make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.SECRET_CREDENTIAL: "s"})


def test_bootstrap_trains_the_installation_model_from_the_recorded_tag_history(app, client, db, runner, acme):
    read = runner.invoke(args=["signals", "backfill", "--installation", acme.id, "--since", "180d"])
    assert read.exit_code == 0, read.output
    with db.tenant(acme.id) as session:
        assert session.scalar(select(TaggedTicket.tags).where(TaggedTicket.ticket_id == "41000")) == ["bug", "vip"]
        assert len(session.scalars(select(TaggedTicket)).all()) == 28
        before = service.current_model(session).predict([MISMATCH])[0]["bug"]

    admin = bearer(app, acme.id, agent_id="235323", name="Priya", role="admin", host="zendesk")
    offered = {t["tag"]: t for t in client.get("/api/admin/signals/tags", headers=admin).json}
    assert offered["bug"]["type_key"] == "bug" and offered["feature-request"]["type_key"] == "feature_request"
    assert offered["how-to"]["type_key"] == "docs_gap" and offered["cancel"]["type_key"] == "churn_risk"
    assert offered["vip"]["type_key"] is None and offered["bug"]["mapped"] is None

    mapping = {t: offered[t]["type_key"] for t in ("bug", "feature-request", "how-to", "cancel", "kudos")}
    saved = client.patch("/api/admin/signals/tags", headers=admin, json={"mapping": mapping})
    assert saved.status_code == 200
    assert {t["tag"]: t["mapped"] for t in saved.json}["how-to"] == "docs_gap"

    trained = runner.invoke(args=["signals", "bootstrap", "--installation", acme.id])
    assert trained.exit_code == 0, trained.output
    assert "Trained on 28 tickets and decisions" in trained.output
    with db.tenant(acme.id) as session:
        assert session.scalar(select(SignalModel.positives))["bug"] == 7
        after = service.current_model(session)
        assert after.own is not None and after.weight > 0
        assert after.predict([MISMATCH])[0]["bug"] > before + 0.1  # the team's own word for a bug, learned from tags


def test_mapping_refuses_unknown_tags_and_types_and_changes_nothing(app, client, db, runner, acme):
    assert runner.invoke(args=["signals", "backfill", "--installation", acme.id, "--since", "180d"]).exit_code == 0
    admin = bearer(app, acme.id, agent_id="235323", name="Priya", role="admin", host="zendesk")
    assert client.patch("/api/admin/signals/tags", headers=admin, json={"mapping": {"bug": "bug"}}).status_code == 200
    for mapping, code in (({"kudos": "praise", "nonexistent": "bug"}, "unknown_tag"),
                          ({"kudos": "praise", "how-to": "questions"}, "unknown_type")):
        refused = client.patch("/api/admin/signals/tags", headers=admin, json={"mapping": mapping})
        assert refused.status_code == 400 and refused.json["error"]["code"] == code, refused.json
    with db.tenant(acme.id) as session:
        assert history.mapping_of(session.get(Installation, acme.id)) == {"bug": "bug"}  # kudos was not saved either
    cli = runner.invoke(args=["signals", "tags", "--installation", acme.id, "--map", "kudos=praise", "--map", "vip=gold"])
    assert cli.exit_code != 0 and "There is no signal type 'gold'" in cli.output and "Nothing was changed" in cli.output
    listed = runner.invoke(args=["signals", "tags", "--installation", acme.id, "--map", "bug="])
    assert listed.exit_code == 0 and "feature-request" in listed.output and "--map" in listed.output
    with db.tenant(acme.id) as session:
        assert history.mapping_of(session.get(Installation, acme.id)) == {}


def test_an_installation_sees_only_its_own_tagged_history(app, client, db, runner, acme, make_installation):
    assert runner.invoke(args=["signals", "backfill", "--installation", acme.id, "--since", "180d"]).exit_code == 0
    other = make_installation(kind="playground", account="globex")
    admin = bearer(app, other.id, agent_id="agent-priya", name="Priya", role="admin")
    assert client.get("/api/admin/signals/tags", headers=admin).json == []
    refused = client.patch("/api/admin/signals/tags", headers=admin, json={"mapping": {"bug": "bug"}})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "unknown_tag"
    assert client.post("/api/admin/signals/bootstrap", headers=admin).json["error"]["code"] == "no_mapping"
