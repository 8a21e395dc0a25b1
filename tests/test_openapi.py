"""The API contract: /openapi.json describes every JSON route, and a bounded schemathesis fuzz against it finds no
server error, no response that breaks its own schema, and nothing of another installation."""

import re

import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance

from adapter.installations import PLAYGROUND_ID
from adapter.models import BillingAction
from adapter.models import Commitment
from adapter.models import Signal
from adapter.models import Theme
from tests.support import bearer

EXAMPLES_PER_OPERATION = 6
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MARKER = "ZEBRA-OTHER-TENANT"  # in every text of the other installation


def test_openapi_document_lists_the_api(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "Valuedesk"
    paths = spec["paths"]
    for path in ("/api/tickets/{ticket_id}/signals", "/api/replies/check", "/api/billing/preview",
                 "/api/admin/billing/policy", "/api/admin/trackers/settings", "/api/digest"):
        assert path in paths, path
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    assert spec["paths"]["/api/signals/{signal_id}"]["parameters"][0]["schema"] == \
        {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert spec["paths"]["/api/billing/actions/{action_id}/confirm"]["parameters"][0]["schema"] == \
        {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"}


def seed_other_installation(db, make_installation) -> str:
    other = make_installation(kind="zendesk", account="zebra").id
    with db.tenant(other) as session:
        theme = Theme(title=f"{MARKER} theme")
        session.add(theme)
        session.flush()
        for n in range(1, 4):
            session.add(Signal(ticket_id=str(n), type_key="bug", quote=f"{MARKER} quote {n}", theme_id=theme.id,
                               agent_id="agent-sam", agent_name=f"{MARKER} agent"))
            session.add(Commitment(ticket_id=str(n), agent_id="agent-sam", agent_name=f"{MARKER} agent",
                                   text=f"{MARKER} promise {n}", due_at=theme.created_at))
            session.add(BillingAction(kind="refund", state="pending_approval", provider="stripe", ticket_id=str(n),
                                      agent_id="agent-sam", agent_name=f"{MARKER} agent", customer_id="cus_zebra",
                                      charge_id="ch_zebra", charge_amount=5000, currency="usd", amount=1000,
                                      reason="other", reason_text=MARKER, verdict="approval",
                                      verdict_reason=MARKER))
    return other


def test_fuzzing_the_api_finds_no_server_error_schema_break_or_other_tenant(app, db, playground, make_installation,
                                                                             no_network):
    seed_other_installation(db, make_installation)
    # Any vendor call the fuzz provokes is refused, as a vendor refuses a bad token (providers map it to a 4xx).
    for method in ("GET", "POST", "PUT", "DELETE"):
        no_network.add(method, re.compile(r"https://.*"), status=401, json={"error": "unauthorized"})
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    admin = bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def exercise(case):
            case.headers = {**(case.headers or {}), **admin}
            response = case.call()
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseExceptionGroup as group:  # schemathesis's FailureGroup: one exception per failed check
                failures.extend(f"{case.operation.label}: {' / '.join(str(failure).split(chr(10))[:3])[:240]}"
                                for failure in group.exceptions)
            if MARKER in response.text:
                failures.append(f"{case.operation.label}: another installation's data in the response")

        exercise()
    assert not failures, "\n" + "\n".join(sorted(set(failures))[:60])
