"""Load and fault run: signed Zendesk deliveries into `valuedesk serve` on loopback while the worker is killed, Redis
is down for 20 seconds and the tracker answers 503/429; at the end every unique delivery was processed exactly once.

    python bench/load.py [--deliveries 2000] [--seconds 45] [--steady-runs 3] [--steady-rate R]

Needs redis-server (PostgreSQL is used when installed, else SQLite). Exits 1 if anything was lost or doubled, and 2 if
a budget was missed: p99 acknowledgement under 50 ms at a steady half of the saturated rate (the median of the
steady runs' p99s, since the client shares the machine's cores with the server), and saturated throughput at least
half a bare Flask endpoint's on the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

from _common import ROOT
from _common import percentile
from _common import table

sys.path.insert(0, str(ROOT / "scripts"))
import requests  # noqa: E402
from servers import PostgresServer  # noqa: E402
from servers import RedisServer  # noqa: E402
from servers import free_port  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "load-run-zendesk-signing-secret-0123456789"
THEMES = 20  # tracker issues that each get one count comment through the faulty tracker
CLIENTS = 16  # concurrent senders
THREADS = 8  # `valuedesk serve`'s default, for both endpoints
WARMUP, SAMPLE = 200, 2000  # deliveries per endpoint before measuring, and measured
STEADY_SECONDS = 10
BUDGET_P99_MS, BUDGET_RATIO = 50.0, 0.5
LOST_OR_DOUBLED, BUDGET_MISSED = 1, 2  # exit statuses


class FakeJira(BaseHTTPRequestHandler):
    """Jira's comment endpoint on loopback: 503 and 429 (alternately) until `healthy_at`, then 201, counted per issue."""

    healthy_at = 0.0
    refused = 0
    comments: dict[str, int] = {}
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.path.split("/issue/")[1].split("/")[0] if "/issue/" in self.path else "?"
        with FakeJira.lock:
            if time.monotonic() < FakeJira.healthy_at:
                FakeJira.refused += 1
                status = 503 if FakeJira.refused % 2 else 429
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "2")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errorMessages": ["try later"]}')
                return
            FakeJira.comments[key] = FakeJira.comments.get(key, 0) + 1
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": str(uuid.uuid4().int % 10**6)}).encode())

    def log_message(self, *args):
        pass


def zendesk_delivery(ticket_id: int) -> tuple[bytes, dict]:
    """A signed `ticket.status_changed` event-subscription delivery that solves the ticket."""
    from adapter.providers import zendesk

    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"load-{ticket_id}"))
    body = json.dumps({"account_id": 1, "detail": {"id": str(ticket_id), "status": "SOLVED"},
                       "event": {"current": "SOLVED", "previous": "OPEN"}, "id": event_id,
                       "subject": f"zen:ticket:{ticket_id}", "time": datetime.now(UTC).isoformat(),
                       "type": "zen:event-type:ticket.status_changed"}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return body, {"Content-Type": "application/json", zendesk.SIGNATURE_HEADER: zendesk.sign(SECRET, stamp, body),
                  zendesk.TIMESTAMP_HEADER: stamp, zendesk.INVOCATION_HEADER: event_id}


def seed(env: dict, tickets: int) -> str:
    """An installation with an open promise per ticket and Jira issues that each owe one count comment."""
    from adapter import create_app
    from adapter import outbox
    from adapter.config import load_settings
    from adapter.credentials import CredentialStore
    from adapter.db import get_db
    from adapter.installations import create_installation
    from adapter.installations import store_feature_settings
    from adapter.models import Commitment
    from adapter.models import Signal
    from adapter.models import Theme
    from adapter.models import TrackerLink
    from adapter.providers import jira
    from adapter.providers import zendesk

    app = create_app(load_settings(environ=env, dotenv_path=None))
    with app.app_context():
        db = get_db()
        with db.system() as session:
            installation = create_installation(session, kind="zendesk", account="loadtest")
            store = CredentialStore(session, installation.id)
            for name, value in ((zendesk.SECRET_CREDENTIAL, SECRET), (zendesk.EMAIL_CREDENTIAL, "load@example.com"),
                                (zendesk.TOKEN_CREDENTIAL, "unused"), (jira.EMAIL_CREDENTIAL, "load@example.com"),
                                (jira.TOKEN_CREDENTIAL, "unused")):
                store.set(name, value)
            store_feature_settings(installation, "trackers", {"kind": "jira", "site": "loadtest", "project": "SUP",
                                                              "issue_type": "Task"})
            installation_id = installation.id
        due = datetime.now(UTC) + timedelta(days=2)
        with db.tenant(installation_id) as session:
            session.add_all(Commitment(ticket_id=str(n), agent_id="agent-load", agent_name="Load", due_at=due,
                                       text="I'll get back to you tomorrow.") for n in range(1, tickets + 1))
            for n in range(THEMES):
                theme = Theme(title=f"Load theme {n}")
                session.add(theme)
                session.flush()
                session.add(Signal(ticket_id=str(n + 1), type_key="bug", quote="It times out", theme_id=theme.id))
                link = TrackerLink(theme_id=theme.id, tracker="jira", state="linked", issue_key=f"SUP-{n + 1}",
                                   issue_id=str(n + 1), issue_url=f"https://loadtest.atlassian.net/browse/SUP-{n + 1}",
                                   title=f"Load theme {n}")
                session.add(link)
                session.flush()
                outbox.add(session, "tracker.comment_count", {"link_id": link.id})
    return installation_id


def counts(env: dict, installation_id: str) -> dict:
    """What the database holds now: receipts by status, promises settled, tracker writes by status."""
    from sqlalchemy import func
    from sqlalchemy import select

    from adapter import create_app
    from adapter.config import load_settings
    from adapter.db import get_db
    from adapter.models import Commitment
    from adapter.models import OutboxAction
    from adapter.models import WebhookReceipt

    app = counts.app = getattr(counts, "app", None) or create_app(load_settings(environ=env, dotenv_path=None))
    with app.app_context(), get_db().tenant(installation_id) as session:
        receipts = dict(session.execute(select(WebhookReceipt.status, func.count()).group_by(WebhookReceipt.status)).all())
        # Solving the ticket settles its promise (closed, not counted as kept): one settled promise per delivery.
        settled = session.scalar(select(func.count()).select_from(Commitment).where(Commitment.state != "open"))
        writes = dict(session.execute(select(OutboxAction.status, func.count())
                                      .where(OutboxAction.kind == "tracker.comment_count")
                                      .group_by(OutboxAction.status)).all())
    return {"receipts": receipts, "settled": settled, "writes": writes}


def blast(url_for, requests_to_send: list, pace: float = 0.0) -> tuple[list[float], dict[int, int], float]:
    """Send every (path, body, headers) from CLIENTS threads; latencies in ms, statuses, and wall time."""
    latencies, statuses, lock = [], {}, threading.Lock()
    local = threading.local()
    started = time.perf_counter()

    def send(index_and_request):
        index, (path, body, headers) = index_and_request
        if pace:
            time.sleep(max(0.0, started + index * pace - time.perf_counter()))
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        begin = time.perf_counter()
        try:
            status = session.post(url_for(path), data=body, headers=headers, timeout=10).status_code
        except requests.RequestException:
            status = 0
        elapsed = (time.perf_counter() - begin) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(send, enumerate(requests_to_send)))
    return latencies, statuses, time.perf_counter() - started


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 (the process writes to it until it stops)
    return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up within {timeout:.0f} s")


def stop(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if process and process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000, help="unique deliveries in the fault phase")
    parser.add_argument("--seconds", type=float, default=45.0, help="how long the fault phase sends for")
    parser.add_argument("--drain", type=float, default=240.0, help="longest wait for the worker to finish")
    parser.add_argument("--steady-runs", type=int, default=3, help="steady-rate runs whose p99s are reported")
    parser.add_argument("--steady-rate", type=float, default=None,
                        help="deliveries per second in the steady runs [default: half the saturated rate]")
    args = parser.parse_args()
    if not RedisServer.available():
        print("load: skipped, redis-server is not installed (apt-get install redis-server)")
        return 0

    work = Path(tempfile.mkdtemp(prefix="valuedesk-load-"))
    postgres = PostgresServer() if PostgresServer.available() else None
    redis = RedisServer(port=free_port())
    fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeJira)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    web = bare = worker = None
    try:
        if postgres:
            postgres.start()
        redis.start()
        web_port, bare_port = free_port(), free_port()
        env = {**os.environ, "VALUEDESK_SECRET_KEY": "load-run-secret-key-0123456789-abcdefghijklmnop",
               "VALUEDESK_ENV": "production", "VALUEDESK_DATA_DIR": str(work),
               "DATABASE_URL": postgres.url if postgres else f"sqlite:///{work}/valuedesk.db", "REDIS_URL": redis.url,
               "VALUEDESK_PUBLIC_URL": f"http://127.0.0.1:{web_port}", "VALUEDESK_RECEIPT_SWEEP_AFTER_SECONDS": "10",
               "VALUEDESK_WEBHOOK_RATE_LIMIT": "1000000 per minute", "VALUEDESK_LOG_LEVEL": "INFO",
               "VALUEDESK_BENCH_FAKE_JIRA": f"http://127.0.0.1:{fake.server_port}",
               "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}
        subprocess.run([BIN / "valuedesk", "migrate"], env=env, check=True, capture_output=True)
        installation_id = seed(env, args.deliveries)
        web = start([BIN / "valuedesk", "serve", "--port", str(web_port), "--threads", str(THREADS)], env,
                    work / "web.log")
        bare = start([sys.executable, str(ROOT / "bench" / "_bare_app.py"), str(bare_port), str(THREADS)], env,
                     work / "bare.log")
        wait_http(f"http://127.0.0.1:{web_port}/healthz")
        wait_http(f"http://127.0.0.1:{bare_port}/")
        hook = f"/webhooks/zendesk/{installation_id}"

        # Throughput: the same signed requests to the bare endpoint and to Valuedesk (ticket ids beyond the fault
        # phase's, so these deliveries are new), each after a warm-up that fills connection pools and caches.
        warmup = [(hook, *zendesk_delivery(args.deliveries + 20_000 + n)) for n in range(WARMUP)]
        sample = [(hook, *zendesk_delivery(args.deliveries + 10_000 + n)) for n in range(SAMPLE)]
        blast(lambda path: f"http://127.0.0.1:{bare_port}{path}", warmup)
        bare_lat, _, bare_wall = blast(lambda path: f"http://127.0.0.1:{bare_port}{path}", sample)
        blast(lambda path: f"http://127.0.0.1:{web_port}{path}", warmup)
        real_lat, real_statuses, real_wall = blast(lambda path: f"http://127.0.0.1:{web_port}{path}", sample)
        # Latency: at saturation it is queueing (clients / throughput), so the budget is checked at a steady half of
        # the throughput just measured, for STEADY_SECONDS.
        steady_rate = args.steady_rate or len(sample) / real_wall / 2
        per_run = int(steady_rate * STEADY_SECONDS)
        steady_runs = []
        for run in range(args.steady_runs):
            steady = [(hook, *zendesk_delivery(args.deliveries + 30_000 + run * per_run + n)) for n in range(per_run)]
            steady_runs.append(blast(lambda path: f"http://127.0.0.1:{web_port}{path}", steady, pace=1 / steady_rate))

        # Faults: the worker starts late and is killed mid-run, Redis goes away for 20 s, the tracker refuses.
        FakeJira.healthy_at = time.monotonic() + 25
        unique = [(hook, *zendesk_delivery(n)) for n in range(1, args.deliveries + 1)]
        resent = random.Random(7).sample(unique, len(unique) // 10)  # 10% duplicates
        deliveries = unique + resent
        random.Random(11).shuffle(deliveries)
        worker_log = work / "worker.log"
        worker = start([sys.executable, str(ROOT / "bench" / "_load_worker.py")], env, worker_log)
        events = []

        def faults():
            nonlocal worker
            time.sleep(args.seconds * 0.15)
            stop(worker, signal.SIGKILL)
            events.append("worker killed")
            time.sleep(3)
            worker = start([sys.executable, str(ROOT / "bench" / "_load_worker.py")], env, worker_log)
            events.append("worker restarted")
            time.sleep(args.seconds * 0.15)
            redis.process.terminate()
            redis.process.wait(timeout=10)
            events.append("redis stopped")
            time.sleep(20)
            redis.start()
            events.append("redis started")

        chaos = threading.Thread(target=faults)
        chaos.start()
        fault_lat, fault_statuses, fault_wall = blast(lambda path: f"http://127.0.0.1:{web_port}{path}", deliveries,
                                                      pace=args.seconds / len(deliveries))
        chaos.join()

        deadline = time.monotonic() + args.drain
        expected = args.deliveries + len(sample) + len(warmup) + per_run * args.steady_runs
        while True:
            state = counts(env, installation_id)
            done = state["receipts"].get("done", 0)
            print(f"\r  draining: {done}/{expected} deliveries processed, "
                  f"{state['writes'].get('done', 0)}/{THEMES} tracker writes ", end="", flush=True)
            if (done >= expected and state["writes"].get("done", 0) >= THEMES) or time.monotonic() > deadline:
                break
            time.sleep(2)
        print()
        processed_runs: dict[str, int] = {}
        for line in worker_log.read_text(errors="replace").splitlines():
            if '"jobs.done"' in line and '"item": "zendesk:' in line:  # one line per receipt processed
                item = json.loads(line)["item"]
                processed_runs[item] = processed_runs.get(item, 0) + 1
    finally:
        for process in (web, bare, worker):
            stop(process)
        fake.shutdown()
        redis.stop()
        if postgres:
            postgres.stop()

    acknowledged = sum(n for status, n in fault_statuses.items() if 200 <= status < 300)
    stored = sum(state["receipts"].values())
    doubled = sum(1 for runs in processed_runs.values() if runs > 1) + sum(1 for n in FakeJira.comments.values() if n > 1)
    measuring = expected - args.deliveries  # the warm-up, saturated and steady deliveries, outside the fault phase
    lost = (expected - state["receipts"].get("done", 0)) + (args.deliveries - (state["settled"] or 0)) \
        + (THEMES - len(FakeJira.comments))
    table("Fault phase (worker killed, Redis down 20 s, tracker 503/429 for 25 s)",
          ["sent", "acknowledged", "unique", "stored", "processed", "duplicates dropped", "promises settled",
           "tracker comments", "lost", "doubled"],
          [[len(deliveries), acknowledged, args.deliveries, stored - measuring, state["receipts"].get("done", 0) - measuring,
            fault_statuses.get(200, 0), state["settled"], sum(FakeJira.comments.values()), lost, doubled]])
    print(f"  faults: {', '.join(events)}; tracker refused {FakeJira.refused} calls; statuses {fault_statuses}")
    steady_p99s = [percentile(latencies, 99) for latencies, _, _ in steady_runs]
    p99 = sorted(steady_p99s)[len(steady_p99s) // 2]
    ratio = (len(sample) / real_wall) / (len(sample) / bare_wall)
    steady_label = f"steady, {steady_rate:.0f}/s" + ("" if args.steady_rate else " (half of saturated)")
    steady_rows = [["Valuedesk webhook", f"{steady_label} run {n}", per_run, percentile(latencies, 50),
                    percentile(latencies, 99), per_run / wall, None]
                   for n, (latencies, _, wall) in enumerate(steady_runs, start=1)]
    table(f"Acknowledgement latency and throughput (same server: `valuedesk serve`, {THREADS} threads, "
          f"{CLIENTS} clients)",
          ["endpoint", "load", "requests", "p50 ms", "p99 ms", "req/s", "ratio to bare"],
          [["bare Flask", "saturated", len(sample), percentile(bare_lat, 50), percentile(bare_lat, 99),
            len(sample) / bare_wall, 1.0],
           ["Valuedesk webhook", "saturated", len(sample), percentile(real_lat, 50), percentile(real_lat, 99),
            len(sample) / real_wall, ratio],
           *steady_rows,
           ["Valuedesk webhook", "steady, under faults", len(deliveries), percentile(fault_lat, 50),
            percentile(fault_lat, 99), len(deliveries) / fault_wall, None]])
    print(f"  at saturation every endpoint's latency is queueing ({CLIENTS} clients / throughput: "
          f"{CLIENTS / (len(sample) / real_wall) * 1000:.0f} ms mean for Valuedesk, "
          f"{CLIENTS / (len(sample) / bare_wall) * 1000:.0f} ms for bare Flask), so p99 is checked at the steady rate")
    print(f"  steady p99 over {len(steady_p99s)} runs: {', '.join(f'{v:.1f}' for v in steady_p99s)} ms; median {p99:.1f} ms")
    print(f"  budget: median steady p99 < {BUDGET_P99_MS:.0f} ms, ratio >= {BUDGET_RATIO}; database: "
          f"{'PostgreSQL' if postgres else 'SQLite'}; logs in {work}")
    failed = []
    if lost or doubled:
        failed.append(f"{lost} lost, {doubled} doubled")
    steady_statuses = [statuses for _, statuses, _ in steady_runs]
    if real_statuses.get(202, 0) != len(sample) or any(s.get(202, 0) != per_run for s in steady_statuses):
        failed.append(f"throughput phase statuses {real_statuses}, steady phase statuses {steady_statuses}")
    status = exit_status(failed, p99, ratio)
    budget = "within budget" if exit_status([], p99, ratio) == 0 else "BUDGET MISSED"
    print("  result: " + ("FAILED: " + "; ".join(failed) if failed else "nothing lost, nothing doubled")
          + f"; {budget} (median p99 {p99:.1f} ms, ratio {ratio:.2f})")
    return status


def exit_status(failed: list[str], p99_ms: float, ratio: float) -> int:
    """The run's exit status: 1 when anything was lost or doubled, 2 when a budget was missed, else 0."""
    if failed:
        return LOST_OR_DOUBLED
    return 0 if p99_ms < BUDGET_P99_MS and ratio >= BUDGET_RATIO else BUDGET_MISSED


if __name__ == "__main__":
    sys.exit(main())
