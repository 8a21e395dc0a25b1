"""The blend: the shipped model alone on a fresh installation, the installation's own model mixed in as agents decide."""

from sqlalchemy import select

from adapter import jobs
from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.models import SignalModel
from adapter.providers.base import Ticket
from adapter.signals import blend
from adapter.signals import service
from adapter.signals.model import MIN_EXAMPLES

TEAM_WORDS = "Orders from the Oslo depot show as amber"


def test_a_fresh_installation_uses_the_shipped_model_alone(db, make_installation):
    fresh = make_installation(kind="playground", account="fresh-co")
    with db.tenant(fresh.id) as session:
        scorer = service.current_model(session)
    assert scorer.own is None and scorer.weight == 0
    assert scorer.predict(["The app crashes on start"]) == blend.fresh().predict(["The app crashes on start"])


def test_the_own_model_gets_more_weight_with_more_decisions():
    assert blend.own_weight(0) == 0 and 0.2 < blend.own_weight(MIN_EXAMPLES) < 0.3
    assert blend.own_weight(60) > 0.6 and blend.own_weight(1000) > 0.95


def test_the_blend_changes_predictions_after_ten_confirmations(db, make_installation):
    team = make_installation(kind="playground", account="team-co")
    ticket = Ticket("9", "s", "open", "Dana", "dana@x.example", None, None, None, (), "u")
    agent = service.Actor("agent-sam", "Sam Rivera")
    with db.tenant(team.id) as session:
        installation = session.get(Installation, team.id)
        before = service.suggest(session, installation, "9", "c-0", TEAM_WORDS)
        assert "bug" not in {s.type_key for s in before}  # the shipped model does not know this team's product
        for n in range(MIN_EXAMPLES - 1):
            service.add(session, ticket, "bug" if n % 3 else "praise",
                        f"The Oslo depot orders are amber again, case {n}" if n % 3 else f"Thanks, you were great {n}", agent)
        assert not service.due_for_training(session)
        service.add(session, ticket, "bug", "Oslo depot amber status on our orders", agent)
        assert service.due_for_training(session)
    assert jobs.retrain_signal_models() >= 1  # the hourly job trains the first model after ten decisions
    with db.tenant(team.id) as session:
        assert session.scalar(select(SignalModel.examples)) == MIN_EXAMPLES
        scorer = service.current_model(session)
        assert scorer.predict([TEAM_WORDS])[0]["bug"] > blend.fresh().predict([TEAM_WORDS])[0]["bug"] + 0.1
        after = service.suggest(session, session.get(Installation, team.id), "9", "c-1", TEAM_WORDS)
        assert "bug" in {s.type_key for s in after}
    with db.tenant(PLAYGROUND_ID) as session:  # another installation's decisions taught this one nothing
        assert service.own_model(session) is None or "Oslo" not in str(service.training_examples(session))
