"""Names Freshdesk and Valuedesk agree on: credentials, headers, event types, statuses."""

NAME = "freshdesk"
SECRET_CREDENTIAL = "freshdesk_webhook_secret"
API_KEY_CREDENTIAL = "freshdesk_api_key"
SECRET_HEADER = "X-Valuedesk-Secret"
# The marketplace app's credential: the administrator's API key it registered with, in this header (filled in by
# Freshworks' servers from a secure iparam); the service keeps its digest.
APP_KEY_HEADER = "X-Valuedesk-Freshdesk-Key"
APP_KEY_DIGEST = "freshdesk_app_key_digest"
# Freshdesk's built-in roles that administer the account (GET /api/v2/roles, "default": true). The names are those
# Freshdesk ships; an account's custom roles never make anyone a Valuedesk admin (admin_agent_ids can).
ADMIN_ROLE_NAMES = ("Account Administrator", "Administrator")
# Never store SECRET_HEADER or APP_KEY_HEADER: they are credentials.
STORED_HEADERS = ("Content-Type", "User-Agent")

# automation.*: the bodies our automation rules send (ticket id only);
# app.*: Freshworks' own product-event payloads, forwarded by our FDK app's serverless handlers.
EVENT_TYPES = (
    "automation.ticket_created",
    "automation.ticket_updated",
    "app.conversation_created",
    "app.ticket_created",
    "app.ticket_updated",
)
IGNORED_EVENT_TYPES: tuple[str, ...] = ()

# Freshdesk's built-in status codes; custom statuses (6 and up) are "waiting" states.
STATUS_CODES = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
STATUS_BY_NAME = {"open": 2, "pending": 3, "solved": 4, "resolved": 4, "closed": 5}
