"""`make test`: run the suite on SQLite, then on a throwaway PostgreSQL, with a throwaway Redis for queue tests.

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
