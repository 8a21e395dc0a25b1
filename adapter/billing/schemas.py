"""What the billing API reads and answers: previews, actions, approvals, the policy and the Stripe key."""

from __future__ import annotations

import marshmallow as ma

from adapter.billing import connect
from adapter.billing import policy as rules


class CustomerOut(ma.Schema):
    id = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(allow_none=True)


class ChargeOut(ma.Schema):
    id = ma.fields.String()
    amount = ma.fields.Integer(metadata={"description": "Minor units"})
    amount_refunded = ma.fields.Integer()
    refundable = ma.fields.Integer(metadata={"description": "Minor units left to refund, less requests in flight"})
    currency = ma.fields.String()
    amount_text = ma.fields.String()
    refundable_text = ma.fields.String()
    refundable_major = ma.fields.String(metadata={"description": "The refundable amount as a decimal string"})
    created_at = ma.fields.AwareDateTime(allow_none=True)
    description = ma.fields.String(allow_none=True)
    status = ma.fields.String()


class ActionOut(ma.Schema):
    id = ma.fields.String(metadata={"description": "Random public id; says nothing about other installations"})
    kind = ma.fields.String()
    state = ma.fields.String()
    ticket_id = ma.fields.String()
    ticket_url = ma.fields.String(allow_none=True)
    mine = ma.fields.Boolean()
    agent_name = ma.fields.String()
    agent_verified = ma.fields.Boolean(metadata={"description": "False when the helpdesk did not vouch for the agent"})
    customer_id = ma.fields.String()
    charge_id = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    amount = ma.fields.Integer(allow_none=True, metadata={"description": "Minor units"})
    amount_text = ma.fields.String(allow_none=True)
    percent_off = ma.fields.Integer(allow_none=True)
    code = ma.fields.String(allow_none=True, metadata={"description": "Promotion code, once created"})
    reason = ma.fields.String()
    reason_label = ma.fields.String()
    reason_text = ma.fields.String(allow_none=True)
    summary = ma.fields.String()
    remaining_text = ma.fields.String(allow_none=True)
    verdict = ma.fields.String(metadata={"description": "allow | approval | deny"})
    verdict_reason = ma.fields.String()
    approver_name = ma.fields.String(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    external_id = ma.fields.String(allow_none=True)
    external_status = ma.fields.String(allow_none=True)
    error = ma.fields.String(allow_none=True)
    retryable = ma.fields.Boolean()
    sandbox = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()


class TicketBillingOut(ma.Schema):
    connected = ma.fields.Boolean()
    provider = ma.fields.String(allow_none=True)
    sandbox = ma.fields.Boolean()
    message = ma.fields.String(allow_none=True)
    customers = ma.fields.List(ma.fields.Nested(CustomerOut))
    actions = ma.fields.List(ma.fields.Nested(ActionOut))
    policy = ma.fields.Dict()
    can_approve = ma.fields.Boolean()


class ChargesQuery(ma.Schema):
    ticket_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class PreviewIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(rules.KINDS))
    ticket_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    customer_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    charge_id = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=255))
    amount = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=20),
                              metadata={"description": "Major units as a decimal string, e.g. \"12.50\" or \"1500\""})
    currency = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[A-Za-z]{3}$"))
    percent_off = ma.fields.Integer(load_default=None)
    expires_days = ma.fields.Integer(load_default=None)
    reason = ma.fields.String(required=True, validate=ma.validate.OneOf(list(rules.REASONS)))
    reason_text = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500))


class DeclineIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class PolicyIn(ma.Schema):
    refund_per_ticket = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    refund_per_agent_day = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    coupon_max_percent = ma.fields.Integer()
    coupon_max_amount = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    coupons_per_ticket = ma.fields.Integer(metadata={"description": "Coupons per ticket without a lead"})
    coupons_per_agent_day = ma.fields.Integer(metadata={"description": "Coupons per agent in 24 hours without a lead"})
    coupon_value_per_ticket = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                             metadata={"description": "Amount-off coupons per ticket, minor units"})
    coupon_value_per_agent_day = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                                metadata={"description": "Amount-off coupons per agent in 24 hours"})
    roles = ma.fields.List(ma.fields.String())
    above_limit = ma.fields.String()
    credits_enabled = ma.fields.Boolean()


class StripeIn(ma.Schema):
    api_key = ma.fields.String(required=True, validate=ma.validate.Regexp(connect.KEY_PATTERN, error=connect.KEY_HINT))
    webhook_secret = ma.fields.String(load_default=None, validate=ma.validate.Regexp(connect.SECRET_PATTERN,
                                                                                     error=connect.SECRET_HINT))
