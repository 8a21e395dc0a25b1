"""Discretionary refunds, coupons and credits: money module, admin policy, the exactly-once action flow."""
