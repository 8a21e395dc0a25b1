"""One error taxonomy: request errors, vendor errors, and start-up errors."""

from __future__ import annotations


class ValuedeskError(Exception):
    """Base of every error this service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str = "", **details):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code)
        self.details = details


class ConfigError(ValuedeskError):
    """The service is misconfigured and cannot start."""

    code = "config_error"


class TenantViolation(ValuedeskError):
    """A query or write crossed an installation boundary."""

    code = "tenant_violation"


class ApiError(ValuedeskError):
    """An error answered to an API client as JSON with a status and a stable code."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.fields = fields
        self.headers = headers


# Domain refusals: domain modules raise these and never name an HTTP status; the API layer (adapter/api.py,
# DOMAIN_STATUS) gives each kind its status, and the CLI and console show the message.


class DomainError(ValuedeskError):
    """Something the domain will not do, with a stable code and a message a person understands."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        if code:
            self.code = code
        self.fields = fields


class InvalidInput(DomainError):
    """The input does not make sense: a field, a value or a combination of them."""

    code = "invalid_input"


class Missing(DomainError):
    """What the request names does not exist in this installation (a vendor's missing object is NotFound)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state: already done, or changed meanwhile."""

    code = "conflict"


class PolicyRefused(DomainError):
    """A rule (the admin's limits, a role) forbids it."""

    code = "refused_by_policy"


# Webhook intake


class SignatureError(ValuedeskError):
    """The delivery's signature, secret or timestamp did not check out."""

    status = 401
    code = "invalid_signature"


class MalformedDelivery(ValuedeskError):
    """The delivery is signed correctly but lacks what every delivery must carry (e.g. its id)."""

    status = 400
    code = "malformed_delivery"


class UnsupportedEvent(ValuedeskError):
    """The vendor sent an event type this provider does not know."""

    status = 204
    code = "unsupported_event"


# Vendor calls: every provider maps its HTTP and library errors onto these.


class ProviderError(ValuedeskError):
    """A call to an external system failed."""

    status = 502
    code = "provider_error"

    def __init__(
        self,
        message: str = "",
        *,
        provider: str = "",
        http_status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.provider = provider
        self.http_status = http_status
        self.retry_after = retry_after


class AuthError(ProviderError):
    """The vendor refused our credentials or their permissions."""

    code = "provider_auth"


class RateLimited(ProviderError):
    """The vendor asked us to slow down; retry after `retry_after` seconds."""

    status = 503
    code = "provider_rate_limited"

    def __init__(self, message: str = "", *, retry_after: float = 60.0, **kwargs):
        super().__init__(message, retry_after=max(float(retry_after), 1.0), **kwargs)


class NotFound(ProviderError):
    """The vendor has no such object."""

    status = 404
    code = "provider_not_found"


class Unavailable(ProviderError):
    """The vendor is down, timed out or answered 5xx; retry later."""

    status = 503
    code = "provider_unavailable"


class Rejected(ProviderError):
    """The vendor understood the request and refused it (validation, business rule)."""

    status = 422
    code = "provider_rejected"


class NotOnPlan(Rejected):
    """The vendor refused because the account's plan does not include the feature; retrying will not help."""

    code = "provider_not_on_plan"


RETRYABLE = (RateLimited, Unavailable)
