"""What Valuedesk writes into trackers and tickets: issue descriptions, count updates, notes and drafted replies.

Plain text with "- " lists, "> " quotes and bare links: valid Markdown for Linear, and turned into an
Atlassian Document for Jira by the provider.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapter.providers.base import CANCELLED
from adapter.signals.themes import ThemeStats

QUOTES_SHOWN = 5
TICKET_LINKS_SHOWN = 25


def _who(quote: dict) -> str:
    parts = [p for p in (quote.get("customer"), quote.get("organization")) if p]
    return f" ({', '.join(parts)})" if parts else ""


def _quote_lines(quotes: Sequence[dict], limit: int) -> list[str]:
    lines = []
    for quote in quotes[:limit]:
        text = " ".join(str(quote["quote"]).split())
        lines.append(f"> \u201c{text[:400]}\u201d{_who(quote)}")
    return lines


def _people(stats: ThemeStats) -> str:
    people = f"{stats.customers} customer{'s' if stats.customers != 1 else ''}"
    if stats.organizations:
        people += f" at {stats.organizations} organization{'s' if stats.organizations != 1 else ''}"
    return people


def issue_description(stats: ThemeStats, ticket_urls: Sequence[str], helpdesk: str) -> str:
    """The new issue's description: how many people, how it is trending, their own words, links to every ticket."""
    lines = [f"Customers reported this through {helpdesk} support; Valuedesk keeps this issue linked to every ticket.", "",
             f"- Tickets: {stats.tickets}", f"- Customers: {_people(stats)}"]
    if stats.churn_risk:
        lines.append(f"- Churn risk: {stats.churn_risk} signal{'s' if stats.churn_risk != 1 else ''} of customers thinking of leaving")
    if stats.first_seen and stats.last_seen:
        lines.append(f"- Seen from {stats.first_seen:%Y-%m-%d} to {stats.last_seen:%Y-%m-%d} ({stats.trend} this week)")
    if stats.quotes:
        lines += ["", "In their words:", ""]
        for quote_line in _quote_lines(stats.quotes, QUOTES_SHOWN):
            lines += [quote_line, ""]
    lines += _ticket_list(ticket_urls)
    return "\n".join(lines).strip()


def _ticket_list(ticket_urls: Sequence[str]) -> list[str]:
    if not ticket_urls:
        return []
    lines = ["", "Tickets:", ""] + [f"- {url}" for url in ticket_urls[:TICKET_LINKS_SHOWN]]
    if len(ticket_urls) > TICKET_LINKS_SHOWN:
        lines += ["", f"and {len(ticket_urls) - TICKET_LINKS_SHOWN} more, linked on this issue."]
    return lines


def count_update(stats: ThemeStats, previous_tickets: int, new_ticket_urls: Sequence[str]) -> str:
    """The (at most hourly) comment when more tickets join the theme."""
    added = stats.tickets - previous_tickets
    if previous_tickets:
        head = f"{added} more ticket{'s' if added != 1 else ''} since the last update: {stats.tickets} in all, from {_people(stats)}."
    else:
        head = f"Linked by Valuedesk: {stats.tickets} ticket{'s' if stats.tickets != 1 else ''} from {_people(stats)}."
    lines = [head]
    if stats.churn_risk:
        lines.append(f"Churn risk signals so far: {stats.churn_risk}.")
    if stats.quotes:
        lines += ["", "Latest words:", ""] + _quote_lines(stats.quotes, 3)
    lines += _ticket_list(new_ticket_urls)
    return "\n".join(lines).strip()


def closed_note(key: str, title: str, category: str, status: str) -> str:
    """The private note on every linked ticket when the issue is done or cancelled."""
    if category == CANCELLED:
        return f"{key} was closed without a fix ({status}): {title}. Valuedesk drafted an honest update for the assignee."
    return f"{key} shipped: {title}. Valuedesk drafted a message for the assignee to tell the customer."


def reopened_note(key: str, title: str, status: str) -> str:
    """The private note when a shipped issue is reopened."""
    return f"{key} was reopened ({status}): {title}. The earlier \u201cshipped\u201d follow-up is cancelled."


def _first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "there"


def drafted_message(customer_name: str | None, quote: str | None, category: str) -> str:
    """The message the assignee can send the customer, quoting what they originally reported."""
    said = f" (\u201c{' '.join(quote.split())[:300]}\u201d)" if quote else ""
    if category == CANCELLED:
        return (f"Hi {_first_name(customer_name)}, an update on what you reported{said}: our product team has decided "
                "not to change this for now. [Why, and a workaround if there is one.] I'm sorry it isn't the answer you "
                "hoped for, and thank you for telling us; it was heard.")
    return (f"Hi {_first_name(customer_name)}, good news about what you reported{said}: it's fixed now. [Anything the "
            "customer needs to do, e.g. refresh the page.] Thank you for reporting it; it helped us fix it.")


def thank_you(key: str, title: str, customers: int) -> str:
    """The private thank-you to an agent whose confirmed signal fed an issue that shipped."""
    people = f"{customers} customer{'s' if customers != 1 else ''}"
    return (f"{key} shipped: {title}. Thank you: the signal you confirmed helped make the case, and the fix now "
            f"reaches {people} who reported it.")


def commitment_text(key: str, category: str) -> str:
    """The suggested follow-up that closing the loop gives the assignee (a task, not a promise)."""
    if category == CANCELLED:
        return f"Tell the customer that {key} won't be fixed for now"
    return f"Tell the customer that {key} shipped"
