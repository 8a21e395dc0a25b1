"""What create_app connects at start: the jobs to the queue, the outbox to the jobs, the features to their events.

Lower layers (outbox, queue, dispatch) never import the features; each feature registers its event handlers and
outbox writes here, so imports point one way. Handlers of one event run in the order they are registered.
"""

from __future__ import annotations

from flask import Flask

from adapter import catchup
from adapter import jobs
from adapter import outbox
from adapter import queue
from adapter.billing import actions as billing_actions
from adapter.commitments import service as commitments_service
from adapter.config import Settings
from adapter.replies import service as replies_service
from adapter.signals import service as signals_service
from adapter.trackers import jira_oauth as tracker_jira_oauth
from adapter.trackers import linear_connect
from adapter.trackers import loop as tracker_loop
from adapter.trackers import needs as tracker_needs
from adapter.trackers import sync as tracker_sync

FEATURES = (signals_service, commitments_service, replies_service, billing_actions, catchup, tracker_sync, tracker_needs,
            tracker_loop, tracker_jira_oauth, linear_connect)


def wire(app: Flask, settings: Settings) -> None:
    """Register every feature's handlers and writes, and the jobs on the app's queue."""
    for feature in FEATURES:
        feature.register()
    queue.init_app(app, settings, jobs.JOBS, jobs.PERIODIC)
    outbox.send_with(queue.send_outbox_action)
