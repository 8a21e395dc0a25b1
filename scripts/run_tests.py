"""`make test`: run the suite on SQLite, then on a throwaway PostgreSQL, with a throwaway Redis for queue tests,
then the date-sensitive tests (marked `dated`) again at fixed instants where calendars are awkward.

Missing PostgreSQL or Redis binaries skip those parts with a visible message; with CI=true they are required.
Extra arguments are passed to pytest (e.g. `make test ARGS="-k webhooks"`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from servers import PostgresServer  # noqa: E402
from servers import RedisServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI") == "true"
# The suite itself runs at a Wednesday 10:00 UTC (tests/conftest.py); these are the instants where "by Friday",
# "tomorrow", business hours, week and year boundaries and DST are easiest to get wrong.
INSTANTS = (
    ("Thursday 15:59 UTC", "2026-11-26T15:59:00+00:00"),
    ("Thursday 16:01 UTC", "2026-11-26T16:01:00+00:00"),
    ("Friday 17:30 UTC", "2026-11-27T17:30:00+00:00"),
    ("Saturday noon UTC", "2026-11-28T12:00:00+00:00"),
    ("31 December 23:30 UTC", "2026-12-31T23:30:00+00:00"),
    ("New York falls back (01:30 EDT)", "2026-11-01T05:30:00+00:00"),
    ("New York springs forward (01:30 EST)", "2027-03-14T06:30:00+00:00"),
    ("Berlin springs forward (01:30 CET)", "2027-03-28T00:30:00+00:00"),
)


def say(message: str) -> None:
    print(f"\n\033[1m== {message}\033[0m", flush=True)


def missing(what: str, package: str) -> None:
    if CI:
        say(f"{what} is required when CI=true but is not installed (Debian package: {package}).")
        sys.exit(2)
    say(f"SKIPPING the {what} part: install Debian's {package} to run it.")


def pytest(env_extra: dict[str, str], args: list[str]) -> tuple[int, float]:
    started = time.monotonic()
    env = {**os.environ, **env_extra}
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)
    return code, time.monotonic() - started


def at_fixed_instants(env_extra: dict[str, str], args: list[str]) -> tuple[int, float]:
    """Run the `dated` tests once per instant, two at a time (they are independent processes)."""
    started = time.monotonic()
    failed = []
    pending = list(INSTANTS)
    running: list[tuple[str, subprocess.Popen]] = []
    while pending or running:
        while pending and len(running) < 2:
            name, instant = pending.pop(0)
            env = {**os.environ, **env_extra, "VALUEDESK_TEST_NOW": instant}
            command = [sys.executable, "-m", "pytest", "-m", "dated", "-p", "no:cacheprovider", *args]
            running.append((name, subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                                   stderr=subprocess.STDOUT, text=True)))
        name, process = running.pop(0)
        output, _ = process.communicate()
        tail = next((line for line in reversed(output.splitlines()) if " passed" in line or " failed" in line), "")
        print(f"  {name:<40} {'passed' if process.returncode == 0 else 'FAILED'}  {tail}", flush=True)
        if process.returncode != 0:
            failed.append(name)
            summary = output.split("short test summary info", 1)[-1]
            print(summary[summary.find("\n") + 1:])
    return (1 if failed else 0), time.monotonic() - started


def main(args: list[str]) -> int:
    results: list[tuple[str, str, float]] = []
    with ExitStack() as stack:
        extra: dict[str, str] = {}
        if RedisServer.available():
            redis = stack.enter_context(RedisServer())
            extra["VALUEDESK_TEST_REDIS_URL"] = redis.url
        else:
            missing("Redis", "redis-server")

        say("Test suite on SQLite")
        code, seconds = pytest(extra, args)
        results.append(("SQLite", "passed" if code == 0 else "FAILED", seconds))

        say("Date-sensitive tests at fixed instants (SQLite)")
        code, seconds = at_fixed_instants(extra, args)
        results.append(("Instants", "passed" if code == 0 else "FAILED", seconds))

        if PostgresServer.available():
            say("Starting a throwaway PostgreSQL")
            postgres = stack.enter_context(PostgresServer())
            say(f"Test suite on PostgreSQL ({postgres.url})")
            code_pg, seconds = pytest({**extra, "VALUEDESK_TEST_DATABASE_URL": postgres.url}, args)
            results.append(("PostgreSQL", "passed" if code_pg == 0 else "FAILED", seconds))
        else:
            missing("PostgreSQL", "postgresql")

    say("Summary")
    for name, outcome, seconds in results:
        print(f"  {name:<12} {outcome:<8} {seconds:6.1f}s")
    return 0 if all(outcome == "passed" for _, outcome, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
