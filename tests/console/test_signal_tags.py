"""Console: the admin confirms which helpdesk tag means which signal type, then trains from the tagged history."""

from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.models import SignalModel
from adapter.signals import history
from tests.console.support import signed_in

HISTORY = [(("bug",), f"The export crashes with error 500 on report {n}") for n in range(8)] + \
          [(("how-to",), f"How do I add user number {n} to our account?") for n in range(6)] + \
          [(("vip",), f"Following up on our call about contract {n}") for n in range(6)]


def test_the_admin_maps_tags_and_trains_from_the_history(app, db, playground):
    console, token = signed_in(app)
    assert "No tagged tickets read yet" in console.get("/admin/settings").get_data(as_text=True)
    with db.tenant(PLAYGROUND_ID) as session:
        for n, (tags, text) in enumerate(HISTORY):
            history.record(session, f"h{n}", tags, text)
    page = console.get("/admin/settings").get_data(as_text=True)
    assert 'aria-label="Signal type for the tag how-to"' in page
    assert '<option value="docs_gap" selected>' in page  # the suggestion, offered before anything is mapped

    refused = console.post("/admin/settings/signals/tags", data={"csrf_token": token, "map.bug": "bug",
                                                                 "map.how-to": "questions"})
    assert refused.status_code == 400 and "There is no signal type" in refused.get_data(as_text=True)
    with db.tenant(PLAYGROUND_ID) as session:
        assert history.mapping_of(session.get(Installation, PLAYGROUND_ID)) == {}  # nothing changed

    saved = console.post("/admin/settings/signals/tags", data={"csrf_token": token, "map.bug": "bug",
                                                               "map.how-to": "docs_gap", "map.vip": ""})
    assert saved.status_code == 302
    assert "2 tags mapped" in console.get(saved.headers["Location"]).get_data(as_text=True)
    trained = console.post("/admin/settings/signals/bootstrap", data={"csrf_token": token})
    assert trained.status_code == 302
    assert "Trained on" in console.get(trained.headers["Location"]).get_data(as_text=True)
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalar(select(SignalModel.positives))["docs_gap"] >= 6
