"""The Huey job queue: SQLite next to the database by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask
from flask import current_app
from huey import Huey
from huey import MemoryHuey
from huey import RedisHuey
from huey import SqliteHuey

from adapter.config import Settings

QUEUE_NAME = "valuedesk"


def build_huey(settings: Settings) -> Huey:
    """A Huey instance for the configured storage."""
    if settings.jobs_immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.huey_sqlite_path), results=False)


def _in_app_context(app: Flask, job: Callable) -> Callable:
    @functools.wraps(job)
    def run(*args, **kwargs):
        with app.app_context():
            return job(*args, **kwargs)

    return run


def init_app(app: Flask, settings: Settings, jobs: dict[str, Callable], periodic: dict[str, tuple]) -> Huey:
    """Create the app's Huey and register every job and periodic job (schedule, job) on it."""
    huey = build_huey(settings)
    tasks = {}
    for name, job in jobs.items():
        tasks[name] = huey.task(name=name)(_in_app_context(app, job))
    for name, (schedule, job) in periodic.items():
        tasks[name] = huey.periodic_task(schedule, name=name)(_in_app_context(app, job))
    app.extensions["valuedesk.huey"] = huey
    app.extensions["valuedesk.tasks"] = tasks
    return huey


def get_huey() -> Huey:
    """The current app's Huey."""
    return current_app.extensions["valuedesk.huey"]


def enqueue(name: str, *args, delay: float | None = None) -> None:
    """Queue job `name` with positional arguments, optionally after `delay` seconds."""
    task = current_app.extensions["valuedesk.tasks"][name]
    if delay:
        task.schedule(args=args, delay=delay)
    else:
        task(*args)


def send_outbox_action(action_id: int, delay: float) -> None:
    """Queue the sending of a committed outbox action, after `delay` seconds when it is not due yet."""
    if delay:
        enqueue("run_outbox_action", action_id, delay=delay)
    else:
        enqueue("run_outbox_action", action_id)


def run_now(name: str, *args) -> None:
    """Run job `name` in this process (CLI, tests); exceptions propagate."""
    current_app.extensions["valuedesk.tasks"][name].call_local(*args)


def ping() -> int:
    """Number of queued jobs; raises when the queue storage is unreachable."""
    return get_huey().pending_count()
