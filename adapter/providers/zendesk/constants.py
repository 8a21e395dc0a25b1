"""Names Zendesk and Valuedesk agree on: credentials, headers, event types, statuses."""

from datetime import timedelta

NAME = "zendesk"
SECRET_CREDENTIAL = "webhook_signing_secret"
EMAIL_CREDENTIAL = "zendesk_email"
TOKEN_CREDENTIAL = "zendesk_api_token"
OAUTH_CREDENTIAL = "zendesk_oauth_token"
APP_KEY_CREDENTIAL = "zendesk_app_public_key"

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION_HEADER = "X-Zendesk-Webhook-Invocation-Id"
WEBHOOK_ID_HEADER = "X-Zendesk-Webhook-Id"
ACCOUNT_HEADER = "X-Zendesk-Account-Id"
STORED_HEADERS = ("Content-Type", TIMESTAMP_HEADER, INVOCATION_HEADER, WEBHOOK_ID_HEADER, ACCOUNT_HEADER)
TOLERANCE = timedelta(minutes=5)

# Trigger deliveries carry the body we define (ids only); event subscriptions carry Zendesk's schema.
EVENT_TYPES = (
    "trigger.comment_added",
    "trigger.ticket_created",
    "trigger.status_changed",
    "trigger.assignee_changed",
    "ticket.comment_added",
    "ticket.created",
    "ticket.status_changed",
    "ticket.agent_assignment_changed",
)
IGNORED_EVENT_TYPES = (
    "ticket.attachment_linked_to_comment",
    "ticket.attachment_redacted_from_comment",
    "ticket.brand_changed",
    "ticket.ccs_changed",
    "ticket.comment_made_private",
    "ticket.comment_redacted",
    "ticket.custom_field_changed",
    "ticket.description_changed",
    "ticket.external_id_changed",
    "ticket.followers_changed",
    "ticket.form_changed",
    "ticket.group_assignment_changed",
    "ticket.organization_changed",
    "ticket.priority_changed",
    "ticket.problem_link_changed",
    "ticket.requester_changed",
    "ticket.subject_changed",
    "ticket.tags_changed",
    "ticket.type_changed",
)
STATUSES = ("new", "open", "pending", "hold", "solved", "closed", "deleted")
AGENT_ROLES = ("agent", "admin")
