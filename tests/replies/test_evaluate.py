from adapter.models import Installation
from adapter.replies import service
from adapter.replies.evaluate import check_lines

ANSWER = ("Thanks for flagging this. Our team is aware that large exports can time out and a fix ships next week. "
          "Until then, exporting one month at a time works reliably.")


def test_each_line_is_checked_against_the_lines_before_it(tenant):
    lines = [(n, {"id": n, "text": f"Hi customer{n}, " + ANSWER, "agent": "sam"}, None) for n in range(1, 4)]
    lines.append((4, {"id": 4, "text": "   "}, None))
    with tenant() as session:
        installation = session.get(Installation, tenant.id)
        service.update_settings(installation, min_matches=2)
        rows = list(check_lines(session, installation, lines))
    assert [sorted(row["similar"]) for row in rows[:3]] == [[], [1], [1, 2]]
    assert rows[3] == {"id": 4, "error": "There is no reply text to check."}
