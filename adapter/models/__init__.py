"""Tables. Every tenant table carries installation_id and is reached only through scoped sessions."""

from adapter.models.access import AgentCredential
from adapter.models.access import ConsoleSession
from adapter.models.access import OAuthState
from adapter.models.billing import ACTION_STATES
from adapter.models.billing import BillingAction
from adapter.models.billing import BillingAudit
from adapter.models.billing import SandboxBillingObject
from adapter.models.commitments import COMMITMENT_STATES
from adapter.models.commitments import AgentNotice
from adapter.models.commitments import Commitment
from adapter.models.core import DEFAULT_BUSINESS_HOURS
from adapter.models.core import RECEIPT_STATES
from adapter.models.core import CommentMark
from adapter.models.core import Credential
from adapter.models.core import Installation
from adapter.models.core import TicketSnapshot
from adapter.models.core import WebhookReceipt
from adapter.models.outbox import OutboxAction
from adapter.models.playground import PlaygroundComment
from adapter.models.playground import PlaygroundTicket
from adapter.models.replies import MacroText
from adapter.models.replies import ReplyCheckWeek
from adapter.models.replies import ReplyContext
from adapter.models.replies import ReplyFingerprint
from adapter.models.replies import ReplyKey
from adapter.models.signals import BackfillRun
from adapter.models.signals import Signal
from adapter.models.signals import SignalModel
from adapter.models.signals import SignalType
from adapter.models.signals import Suggestion
from adapter.models.signals import TaggedTicket
from adapter.models.signals import Theme
from adapter.models.trackers import LINK_STATES
from adapter.models.trackers import SandboxIssue
from adapter.models.trackers import TrackerLink
from adapter.models.trackers import TrackerTicket

__all__ = [
    "AgentCredential", "ConsoleSession", "OAuthState",
    "ACTION_STATES", "BillingAction", "BillingAudit", "SandboxBillingObject",
    "COMMITMENT_STATES", "AgentNotice", "Commitment",
    "MacroText", "ReplyCheckWeek", "ReplyContext", "ReplyFingerprint", "ReplyKey",
    "BackfillRun", "Signal", "SignalModel", "SignalType", "Suggestion", "TaggedTicket", "Theme",
    "LINK_STATES", "SandboxIssue", "TrackerLink", "TrackerTicket",
    "DEFAULT_BUSINESS_HOURS", "RECEIPT_STATES", "CommentMark", "Credential", "Installation", "OutboxAction",
    "PlaygroundComment", "PlaygroundTicket", "TicketSnapshot", "WebhookReceipt",
]
