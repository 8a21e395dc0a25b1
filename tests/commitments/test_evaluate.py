from adapter.commitments.evaluate import detect_lines
from adapter.commitments.schedule import Schedule


def test_detect_lines_uses_each_lines_timezone_and_reports_bad_lines():
    lines = [(1, {"id": "a", "text": "We'll update you by end of day.", "sent_at": "2026-11-20T10:00:00",
                  "timezone": "America/New_York"}, None),
             (2, {"id": "b", "text": "Soon", "sent_at": "yesterday"}, None),
             (3, {"id": "c"}, "line 3 lacks text, sent_at")]
    rows = {row["id"]: row for row in detect_lines(lines)}
    assert rows["a"]["promise"] is True and rows["a"]["due_at"] == "2026-11-21T04:59:59+00:00"
    assert "sent_at must be an ISO time" in rows["b"]["error"]
    assert rows["c"] == {"id": "c", "error": "line 3 lacks text, sent_at"}


def test_a_fixed_schedule_overrides_the_lines_timezone():
    line = (1, {"id": 1, "text": "I'll get back to you tomorrow.", "sent_at": "2026-11-20T10:00:00Z",
                "timezone": "Asia/Tokyo"}, None)
    calendar = next(detect_lines([line]))["due_at"]
    fixed = next(detect_lines([line], Schedule.calendar("UTC")))["due_at"]
    assert (calendar, fixed) == ("2026-11-21T14:59:59+00:00", "2026-11-21T23:59:59+00:00")
