"""Jira and Linear: one issue per theme, every ticket linked, the count kept current, and the loop closed when it ships."""
