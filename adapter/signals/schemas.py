"""What the signals API reads and answers: the sidebar panel's, the admin's and the digest's shapes."""

from __future__ import annotations

import marshmallow as ma

from adapter.signals import service
from adapter.trackers.api import TrackerLinkOut


class TypeOut(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()
    tag = ma.fields.String()
    color = ma.fields.String()
    enabled = ma.fields.Boolean()
    builtin = ma.fields.Boolean()
    use_default_rules = ma.fields.Boolean()
    phrases = ma.fields.List(ma.fields.String())
    patterns = ma.fields.List(ma.fields.String())


class SuggestionOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.String()
    comment_id = ma.fields.String()
    type_key = ma.fields.String()
    score = ma.fields.Float()
    quote = ma.fields.String()
    source = ma.fields.String()
    status = ma.fields.String()


class SignalOut(ma.Schema):
    id = ma.fields.Integer()
    ticket_id = ma.fields.String()
    type_key = ma.fields.String()
    quote = ma.fields.String()
    customer_name = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    theme_id = ma.fields.Integer(allow_none=True)
    theme_title = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    created_at = ma.fields.DateTime()
    tracker = ma.fields.Nested(TrackerLinkOut, allow_none=True)


class MessageOut(ma.Schema):
    comment_id = ma.fields.String()
    text = ma.fields.String()
    created_at = ma.fields.DateTime(allow_none=True)


class TicketSignalsOut(ma.Schema):
    types = ma.fields.List(ma.fields.Nested(TypeOut))
    suggestions = ma.fields.List(ma.fields.Nested(SuggestionOut))
    signals = ma.fields.List(ma.fields.Nested(SignalOut))
    messages = ma.fields.List(ma.fields.Nested(MessageOut))
    tracker_name = ma.fields.String(allow_none=True, metadata={"description": "The connected tracker, if any"})


class ThemeChoice(ma.Schema):
    theme_id = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1))
    new_theme_title = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=200))

    @ma.validates_schema
    def one_theme(self, data, **kwargs):
        if data.get("theme_id") and data.get("new_theme_title"):
            raise ma.ValidationError("Pick an existing theme or name a new one, not both.", "new_theme_title")


class ConfirmIn(ThemeChoice):
    quote = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=service.MAX_QUOTE))


class SignalIn(ThemeChoice):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    quote = ma.fields.String(required=True, validate=ma.validate.Length(max=service.MAX_QUOTE))
    comment_id = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))


class SimilarIn(ma.Schema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=service.MAX_QUOTE))


class ThemeMatchOut(ma.Schema):
    theme_id = ma.fields.Integer()
    title = ma.fields.String()
    score = ma.fields.Float()
    signals = ma.fields.Integer()


class QuoteOut(ma.Schema):
    signal_id = ma.fields.Integer()
    quote = ma.fields.String()
    customer = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    ticket_id = ma.fields.String()
    type = ma.fields.String()
    created_at = ma.fields.DateTime()


class ThemeOut(ma.Schema):
    theme_id = ma.fields.Integer()
    title = ma.fields.String()
    signals = ma.fields.Integer()
    tickets = ma.fields.Integer()
    customers = ma.fields.Integer()
    organizations = ma.fields.Integer()
    churn_risk = ma.fields.Integer()
    first_seen = ma.fields.DateTime(allow_none=True)
    last_seen = ma.fields.DateTime(allow_none=True)
    last_7_days = ma.fields.Integer()
    previous_7_days = ma.fields.Integer()
    trend = ma.fields.String()
    types = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    quotes = ma.fields.List(ma.fields.Nested(QuoteOut))


class TypeIn(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=60))
    tag = ma.fields.String(validate=ma.validate.Length(min=1, max=80))
    color = ma.fields.String(validate=ma.validate.Length(equal=7))
    enabled = ma.fields.Boolean()
    use_default_rules = ma.fields.Boolean()
    phrases = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=120)), validate=ma.validate.Length(max=200))
    patterns = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=200)), validate=ma.validate.Length(max=50))


class NewTypeIn(TypeIn):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=60))

    class Meta:
        exclude = ("use_default_rules",)  # a type of the team's own has no built-in rules


class SignalSettings(ma.Schema):
    threshold = ma.fields.Float(validate=ma.validate.Range(min=0.05, max=0.99))
    auto_confirm = ma.fields.Boolean()
    auto_confirm_threshold = ma.fields.Float(validate=ma.validate.Range(min=0.05, max=0.99))
    competitors = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=80)),
                                 validate=ma.validate.Length(max=100))


class MergeIn(ma.Schema):
    into = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class SplitIn(ma.Schema):
    signal_ids = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1)), required=True,
                                validate=ma.validate.Length(min=1, max=1000))
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class RenameIn(ma.Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class DigestQuery(ma.Schema):
    since = ma.fields.Date(load_default=None)
    until = ma.fields.Date(load_default=None)


class DigestWeekOut(ma.Schema):
    week = ma.fields.String(metadata={"description": "The Monday that starts the week (YYYY-MM-DD)"})
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class DigestOut(ma.Schema):
    start = ma.fields.String(metadata={"description": "Start of the period (ISO 8601, inclusive)"})
    end = ma.fields.String(metadata={"description": "End of the period (ISO 8601, exclusive)"})
    totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={"description": "Signals per type"})
    previous_totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    themes = ma.fields.List(ma.fields.Dict(), metadata={"description": "Top themes with verbatim quotes"})
    churn_accounts = ma.fields.List(ma.fields.Dict())
    praise = ma.fields.List(ma.fields.Dict())
    weeks = ma.fields.List(ma.fields.Nested(DigestWeekOut))
    types = ma.fields.List(ma.fields.Dict())
    followups = ma.fields.Dict(metadata={"description": "Team follow-up outcomes, when the admin turned them on"})
