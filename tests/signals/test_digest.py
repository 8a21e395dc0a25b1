"""The digest: counts, change against the previous period, churn-risk accounts, praise, weekly series and chart."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from adapter.errors import InvalidInput
from adapter.models import Signal
from adapter.models import Theme
from adapter.signals import digest
from adapter.signals.chart import weekly_chart

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def seeded(db, make_installation):
    inst = make_installation(account="digest")
    with db.tenant(inst.id) as session:
        exports, login = Theme(title="CSV export times out"), Theme(title="Login loops")
        session.add_all([exports, login])
        session.flush()

        def signal(days_ago, type_key, theme=None, ticket="1", org="Northwind", customer="Dana", quote="q"):
            session.add(Signal(ticket_id=ticket, type_key=type_key, quote=quote, customer_name=customer,
                               customer_id=customer, organization=org, theme_id=theme.id if theme else None,
                               created_at=NOW - timedelta(days=days_ago)))

        # This week (Nov 17-23): exports 3 tickets, login 1; previous week: exports 1, login 2.
        signal(1, "bug", exports, ticket="1", quote="export 504")
        signal(2, "bug", exports, ticket="2", org="Hallo GmbH", customer="Tom")
        signal(3, "churn_risk", exports, ticket="3", org="Northwind", quote="we'll move to Xero")
        signal(2, "bug", login, ticket="4")
        signal(1, "praise", None, ticket="5", quote="fantastic reconciliation")
        signal(9, "bug", exports, ticket="6")
        signal(10, "bug", login, ticket="7")
        signal(11, "bug", login, ticket="8")
        signal(30, "feature_request", None, ticket="9")
    return inst


def test_digest_for_the_last_seven_days(db, seeded):
    start, end = digest.period(None, None, NOW.date())
    assert (start.date(), end.date()) == (date(2026, 11, 17), date(2026, 11, 24))
    with db.tenant(seeded.id) as session:
        result = digest.build(session, start, end).as_dict()
    assert result["totals"] == {"bug": 3, "churn_risk": 1, "praise": 1}
    assert result["previous_totals"] == {"bug": 3}
    top = {t["title"]: t for t in result["themes"]}
    assert list(top) == ["CSV export times out", "Login loops"]
    assert (top["CSV export times out"]["tickets"], top["CSV export times out"]["previous"],
            top["CSV export times out"]["change"]) == (3, 1, 2)
    assert top["Login loops"]["change"] == -1
    assert top["CSV export times out"]["customers"] == 2
    assert result["churn_accounts"] == [{"account": "Northwind", "signals": 1, "latest": result["churn_accounts"][0]["latest"]}]
    assert result["churn_accounts"][0]["latest"]["quote"] == "we'll move to Xero"
    assert [p["quote"] for p in result["praise"]] == ["fantastic reconciliation"]
    weeks = result["weeks"]
    assert len(weeks) == 8 and weeks[-1] == {"week": "2026-11-23", "counts": {}}
    assert weeks[-2] == {"week": "2026-11-16", "counts": {"bug": 3, "churn_risk": 1, "praise": 1}}


def test_custom_range_and_validation():
    start, end = digest.period(date(2026, 11, 1), date(2026, 11, 30), NOW.date())
    assert (end - start).days == 30
    with pytest.raises(InvalidInput, match="after the end"):
        digest.period(date(2026, 11, 30), date(2026, 11, 1), NOW.date())
    with pytest.raises(InvalidInput, match="at most"):
        digest.period(date(2020, 1, 1), date(2026, 1, 1), NOW.date())


def test_chart_is_an_accessible_svg_with_a_bar_per_type_and_week():
    weeks = [{"week": "2026-11-09", "counts": {"bug": 2}}, {"week": "2026-11-16", "counts": {"bug": 3, "praise": 1}}]
    types = [{"key": "bug", "name": "Bug", "color": "#c2410c"}, {"key": "praise", "name": "Praise", "color": "#15803d"}]
    svg = weekly_chart(weeks, types)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title id=\"chart-title\">" in svg
    assert svg.count("<rect") == 3 + 2  # three stacked segments + two legend swatches
    assert "week of 2026-11-16: Bug 3, praise 1".lower() in svg.lower()


def test_digest_endpoint_validates_dates(client, seeded, app):
    from tests.support import bearer

    headers = bearer(app, seeded.id)
    assert client.get("/api/digest?since=2026-11-01&until=2026-11-30", headers=headers).status_code == 200
    bad = client.get("/api/digest?since=yesterday", headers=headers)
    assert bad.status_code == 422 and "since" in bad.json["error"]["fields"]
