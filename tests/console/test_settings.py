"""Console settings: every setting saves a valid value and refuses an invalid one with a clear message, changing nothing."""

import pytest
from markupsafe import escape

from adapter.billing.service import policy_of
from adapter.commitments.service import settings_of as commitment_settings
from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.replies.service import settings_of as reply_settings
from adapter.signals import taxonomy
from tests.console.support import signed_in

HOURS = {"timezone": "UTC", "days": ["0", "1", "2", "3", "4"], "start": "09:00", "end": "17:00"}
SIGNALS = {"threshold": "0.5", "auto_confirm_threshold": "0.9", "competitors": ""}
COMMITMENTS = {"lead_minutes": "60", "default_business_days": "1"}
REPLIES = {"threshold": "0.8", "min_matches": "5", "window_days": "30", "retention_days": "90"}
BILLING = {"refund_per_ticket.usd": "100.00", "refund_per_agent_day.usd": "300.00", "coupon_max_amount.usd": "25.00",
           "refund_per_ticket.jpy": "15000", "coupon_max_percent": "25", "roles": ["agent", "lead", "admin"],
           "above_limit": "request_approval", "credits_enabled": "on", "coupons_per_ticket": "1",
           "coupons_per_agent_day": "10", "coupon_value_per_ticket.usd": "25.00",
           "coupon_value_per_agent_day.usd": "125.00"}
TYPE = {"name": "Bug", "tag": "vd_bug", "enabled": "on", "use_default_rules": "on", "phrases": "", "patterns": ""}


def installation(db):
    with db.tenant(PLAYGROUND_ID) as session:
        found = session.get(Installation, PLAYGROUND_ID)
        session.expunge(found)
        return found


def bug_type(db):
    with db.tenant(PLAYGROUND_ID) as session:
        found = taxonomy.get_type(session, "bug")
        return {"name": found.name, "tag": found.tag, "enabled": found.enabled, "phrases": list(found.phrases),
                "patterns": list(found.patterns), "use_default_rules": found.use_default_rules}


# (what, path, base form, the valid change, how to read it back, what it reads as, the invalid change, words of the message)
CASES = [
    ("timezone", "hours", HOURS, {"timezone": "Europe/Berlin"}, lambda db: installation(db).timezone, "Europe/Berlin",
     {"timezone": "Mars/Olympus"}, "not a known timezone"),
    ("business days", "hours", HOURS, {"days": ["0", "2"]}, lambda db: installation(db).business_hours["days"], [0, 2],
     {"days": []}, "Business days must be a non-empty list"),
    ("opening time", "hours", HOURS, {"start": "08:30"}, lambda db: installation(db).business_hours["start"], "08:30",
     {"start": "8am"}, "must look like 09:00"),
    ("closing time", "hours", HOURS, {"end": "18:15"}, lambda db: installation(db).business_hours["end"], "18:15",
     {"end": "08:00"}, "Closing time must be after opening time"),
    ("holidays", "hours", HOURS, {"holidays": "2026-12-25\n\n2026-12-24"},
     lambda db: installation(db).business_hours["holidays"], ["2026-12-24", "2026-12-25"],
     {"holidays": "25/12/2026"}, "dates written like 2026-12-25"),
    ("signal threshold", "signals", SIGNALS, {"threshold": "0.35"},
     lambda db: taxonomy.settings_of(installation(db)).threshold, 0.35, {"threshold": "high"}, "must be a number"),
    ("auto-confirm", "signals", SIGNALS, {"auto_confirm": "on"},
     lambda db: taxonomy.settings_of(installation(db)).auto_confirm, True,
     {"auto_confirm": "on", "auto_confirm_threshold": "0.3"}, "Auto-confirm needs a threshold at least as high"),
    ("auto-confirm threshold", "signals", SIGNALS, {"auto_confirm_threshold": "0.95"},
     lambda db: taxonomy.settings_of(installation(db)).auto_confirm_threshold, 0.95,
     {"auto_confirm_threshold": "1.5"}, "between 0.05 and 0.99"),
    ("competitors", "signals", SIGNALS, {"competitors": "Zendesk\n\nIntercom\nZendesk"},
     lambda db: taxonomy.settings_of(installation(db)).competitors, ("Zendesk", "Intercom"),
     {"competitors": "x" * 81}, "up to 80 characters"),
    ("lead time", "commitments", COMMITMENTS, {"lead_minutes": "30"},
     lambda db: commitment_settings(installation(db)).lead_minutes, 30, {"lead_minutes": "2"}, "between 5 minutes and 7 days"),
    ("default due time", "commitments", COMMITMENTS, {"default_business_days": "3"},
     lambda db: commitment_settings(installation(db)).default_business_days, 3,
     {"default_business_days": "three"}, "must be a whole number"),
    ("team digest", "commitments", COMMITMENTS, {"lead_digest": "on"},
     lambda db: commitment_settings(installation(db)).lead_digest, True,
     {"lead_digest": "on", "default_business_days": "11"}, "1 to 10 business days"),
    ("share of matching words", "replies", REPLIES, {"threshold": "0.9"},
     lambda db: reply_settings(installation(db)).threshold, 0.9, {"threshold": "0.1"}, "share of matching words must be between"),
    ("near-copies", "replies", REPLIES, {"min_matches": "8"},
     lambda db: reply_settings(installation(db)).min_matches, 8, {"min_matches": "1"}, "after 2 to 1,000 near-copies"),
    ("look-back window", "replies", REPLIES, {"window_days": "60"},
     lambda db: reply_settings(installation(db)).window_days, 60, {"window_days": "400"}, "Look back 1 to 365 days"),
    ("retention", "replies", REPLIES, {"retention_days": "30"},
     lambda db: reply_settings(installation(db)).retention_days, 30, {"retention_days": "0"}, "Keep reply text 1 to 3,650"),
    ("refund per ticket", "billing", BILLING, {"refund_per_ticket.usd": "40.50"},
     lambda db: policy_of(installation(db)).refund_per_ticket["usd"], 4050,
     {"refund_per_ticket.usd": "40.505"}, "USD has 2 decimal places"),
    ("refunds per agent per day", "billing", BILLING, {"refund_per_agent_day.usd": "1,000"},
     lambda db: policy_of(installation(db)).refund_per_agent_day["usd"], 100_000,
     {"refund_per_agent_day.usd": "-5"}, "must be 0 or more"),
    ("coupon amount", "billing", BILLING, {"coupon_max_amount.usd": "0"},
     lambda db: policy_of(installation(db)).coupon_max_amount["usd"], 0,
     {"coupon_max_amount.usd": "lots"}, "must be an amount like 100"),
    ("an added currency", "billing", BILLING, {"new_currency": "SEK", "refund_per_ticket.new": "500"},
     lambda db: policy_of(installation(db)).refund_per_ticket.get("sek"), 50_000,
     {"new_currency": "KRONA", "refund_per_ticket.new": "500"}, "not a three-letter currency code"),
    ("coupon percentage", "billing", BILLING, {"coupon_max_percent": "40"},
     lambda db: policy_of(installation(db)).coupon_max_percent, 40, {"coupon_max_percent": "140"}, "percentage from 0 to 100"),
    ("coupons per ticket", "billing", BILLING, {"coupons_per_ticket": "2"},
     lambda db: policy_of(installation(db)).coupons_per_ticket, 2, {"coupons_per_ticket": "-1"},
     "The number of coupons per ticket is a whole number from 0 to 1000 (0: every coupon needs a lead)."),
    ("coupons per agent per day", "billing", BILLING, {"coupons_per_agent_day": "4"},
     lambda db: policy_of(installation(db)).coupons_per_agent_day, 4, {"coupons_per_agent_day": "many"},
     "The number of coupons per agent a day must be a whole number, not &#39;many&#39;."),
    ("coupon value per ticket", "billing", BILLING, {"coupon_value_per_ticket.usd": "50"},
     lambda db: policy_of(installation(db)).coupon_value_per_ticket["usd"], 5_000,
     {"coupon_value_per_ticket.usd": "-1"}, "Coupons per ticket (value) (USD) must be 0 or more."),
    ("coupon value per agent per day", "billing", BILLING, {"coupon_value_per_agent_day.usd": "200"},
     lambda db: policy_of(installation(db)).coupon_value_per_agent_day["usd"], 20_000,
     {"coupon_value_per_agent_day.usd": "1.234"}, "USD has 2 decimal places"),
    ("roles", "billing", BILLING, {"roles": ["lead", "admin"]},
     lambda db: list(policy_of(installation(db)).roles), ["lead", "admin"], {"roles": []}, "Roles must be some of"),
    ("above the limit", "billing", BILLING, {"above_limit": "deny"},
     lambda db: policy_of(installation(db)).above_limit, "deny", {"above_limit": "shrug"}, "either request_approval or deny"),
    ("account credits", "billing", BILLING, {"credits_enabled": ""},
     lambda db: policy_of(installation(db)).credits_enabled, False,
     {"credits_enabled": "", "coupon_max_percent": "x"}, "must be a whole number"),
    ("type name", "signals/types/bug", TYPE, {"name": "Defect"}, lambda db: bug_type(db)["name"], "Defect",
     {"name": "  "}, "needs a name"),
    ("type tag", "signals/types/bug", TYPE, {"tag": "product_bug"}, lambda db: bug_type(db)["tag"], "product_bug",
     {"tag": "vd_praise"}, "is already used by Praise"),
    ("type on or off", "signals/types/bug", TYPE, {"enabled": ""}, lambda db: bug_type(db)["enabled"], False,
     {"enabled": "", "tag": "Not A Tag!"}, "is not a usable helpdesk tag"),
    ("type phrases", "signals/types/bug", TYPE, {"phrases": "spins forever\nblank page"},
     lambda db: bug_type(db)["phrases"], ["spins forever", "blank page"], {"phrases": "x" * 200}, "at most 200 phrases of up to 120"),
    ("type patterns", "signals/types/bug", TYPE, {"patterns": r"error \d{3}"}, lambda db: bug_type(db)["patterns"],
     [r"error \d{3}"], {"patterns": "(unclosed"}, "is not a valid regular expression"),
    ("built-in phrases", "signals/types/bug", TYPE, {"use_default_rules": ""},
     lambda db: bug_type(db)["use_default_rules"], False, {"use_default_rules": "", "name": ""}, "needs a name"),
    ("new type", "signals/types", {"phrases": ""}, {"name": "Pricing"},
     lambda db: _type_names(db)[-1], "Pricing",
     {"name": "Bug"}, "already exists"),
]


def _type_names(db):
    with db.tenant(PLAYGROUND_ID) as session:
        return [t.name for t in taxonomy.ensure_types(session)]


@pytest.mark.parametrize(("what", "path", "base", "valid", "read", "expected", "invalid", "message"), CASES,
                         ids=[case[0] for case in CASES])
def test_a_setting_saves_a_valid_value_and_refuses_an_invalid_one(app, db, playground, what, path, base, valid, read,
                                                                   expected, invalid, message):
    console, token = signed_in(app)
    saved = console.post(f"/admin/settings/{path}", data={"csrf_token": token, **base, **valid})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert read(db) == expected
    page = console.get(saved.headers["Location"]).get_data(as_text=True)
    assert "saved" in page or "added" in page
    refused = console.post(f"/admin/settings/{path}", data={"csrf_token": token, **base, **invalid})
    assert refused.status_code in (400, 409)
    text = refused.get_data(as_text=True)
    assert "Nothing was changed" in text and message in text, text[:3000]
    assert read(db) == expected  # the refused form changed nothing
    choices = {"auto_confirm", "lead_digest", "above_limit", "enabled", "use_default_rules", "credits_enabled", "roles"}
    typed = next((str(v) for k, v in invalid.items() if k not in choices and v and len(str(v)) < 60
                  and "\n" not in str(v)), None)
    if typed:
        assert f'value="{escape(typed)}"' in text or f">{escape(typed)}</textarea>" in text  # what was typed, to correct
    again = console.get(f"/admin/settings/{path}")  # reloading the form's address: the settings page, not a 405
    assert again.status_code == 302 and again.headers["Location"].startswith("/admin/settings")
