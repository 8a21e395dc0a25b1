"""The default model ships in the package: built from the team's written examples, loaded without a network."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from adapter.signals import blend
from adapter.signals import rules
from adapter.signals import shipped
from adapter.signals.classify import calibrated
from adapter.signals.classify import classify

ROOT = Path(__file__).resolve().parents[2]
# Loads the model the way an installed service does, with every socket refused.
NO_NETWORK = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network blocked in this test")

socket.socket.connect = refuse
socket.create_connection = refuse
from adapter.signals import blend, shipped
model = shipped.default_model()
print(json.dumps({"file": str(shipped._folder() / shipped.MODEL_FILE), "types": model.types,
                  "docs": blend.fresh().predict(["Is the lounge in terminal 3 open?"])[0]["docs_gap"]}))
"""


def test_the_default_model_loads_from_the_installed_package_with_the_network_blocked(tmp_path):
    # What an install copies (packages and their package data, as pyproject.toml declares them), not the source tree.
    build = tmp_path / "installed"
    copied = subprocess.run([sys.executable, "-c", "import sys; from setuptools import setup; "
                             f"sys.argv = ['setup.py', '-q', 'build_py', '-d', {str(build)!r}]; setup()"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert copied.returncode == 0, copied.stderr
    for name in ("model.npz", "thresholds.json", "examples_airline.tsv", "NOTICE.md"):
        assert (build / "adapter" / "signals" / "default" / name).exists(), name
    result = subprocess.run([sys.executable, "-c", NO_NETWORK], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(build)})
    assert result.returncode == 0, result.stderr
    loaded = __import__("json").loads(result.stdout)
    assert loaded["file"].startswith(str(build))  # read from the installed copy
    assert sorted(loaded["types"]) == sorted(shipped.CODES.values())
    assert loaded["docs"] > 0.5


def test_the_shipped_file_is_what_the_examples_build():
    rebuilt = shipped.from_bytes(shipped.to_bytes(shipped.build()))
    texts = [e.text for e in shipped.examples()[::25]] + ["my order is late", "how do I export?"]
    assert np.allclose(rebuilt.backend.logits(texts), shipped.default_model().backend.logits(texts))


def test_examples_are_labelled_with_known_codes():
    assert [set(e.labels) for e in shipped.parse_examples("B+P\tCrashes, but I love it\nN\tok\n# c\n")] == [
        {"bug", "praise"}, set()]
    with pytest.raises(ValueError, match="unknown label code 'X'"):
        shipped.parse_examples("X\tsomething", "t.tsv")
    every = shipped.examples()
    assert len(every) >= 700 and all(sum(key in e.labels for e in every) >= 60 for key in shipped.CODES.values())


@pytest.mark.parametrize("text, expected", [
    ("The app crashes every time I open my boarding pass", "bug"),
    ("Could you add a dark mode to the app?", "feature_request"),
    ("I've been on hold for two hours and got transferred three times", "ux_friction"),
    ("What's your policy on bringing a stroller on board?", "docs_gap"),
    ("That's it, I'm cancelling my subscription and never coming back", "churn_risk"),
    ("Huge thanks to Maria at the desk, she was wonderful", "praise"),
    ("Switching to Freshbooks, they actually let you do this", "competitor"),
])
def test_a_fresh_installation_suggests_every_type_from_everyday_words(text, expected):
    found = {s.type_key: s for s in classify(text, rules.default_rules(), blend.fresh())}
    assert expected in found and found[expected].quote in text


def test_calibration_maps_each_types_threshold_to_one_half_and_keeps_order():
    assert calibrated(0.3, 0.3) == 0.5 and calibrated(0.0, 0.3) == 0.0 and calibrated(1.0, 0.3) == 1.0
    assert calibrated(0.2, 0.3) < calibrated(0.35, 0.3) < calibrated(0.9, 0.3)
    assert calibrated(0.42, None) == 0.42
