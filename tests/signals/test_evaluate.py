from adapter.signals import evaluate


def test_classify_lines_labels_above_the_threshold_and_reports_bad_lines():
    lines = [(1, {"id": 1, "text": "It crashes with error 500"}, None), (2, {"id": 2, "text": "Hello"}, None),
             (3, None, "line 3 is not JSON: Expecting value")]
    rows = list(evaluate.classify_lines(lines, evaluate.default_classifier(())))
    assert rows[0]["id"] == 1 and rows[0]["labels"] == ["bug"]
    assert rows[1] == {"id": 2, "labels": [], "scores": rows[1]["scores"]}
    assert rows[2] == {"id": None, "error": "line 3 is not JSON: Expecting value"}


def test_a_threshold_above_every_score_labels_nothing():
    rows = list(evaluate.classify_lines([(1, {"id": "a", "text": "It crashes with error 500"}, None)],
                                        evaluate.default_classifier((), threshold=1.0 + 1e-9)))
    assert rows[0]["labels"] == [] and rows[0]["scores"]["bug"] > 0.5
