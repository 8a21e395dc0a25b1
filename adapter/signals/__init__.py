"""Signals: customer messages become product signals, confirmed by agents with the customer's own words."""
