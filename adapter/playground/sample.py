"""Sample tickets for the playground: a fictional invoicing product, "Ledgerly", and its customers."""

from __future__ import annotations

from datetime import timedelta

COMPETITORS = ("Xero", "QuickBooks", "FreshBooks")

# Each ticket: subject, requester, organization, status, assignee, and messages as
# (minutes before now, author role, author name, public, body).
TICKETS = (
    {
        "subject": "CSV export times out for our yearly report",
        "requester_name": "Dana Whitfield",
        "requester_email": "dana@northwind.example",
        "organization": "Northwind Traders",
        "status": "open",
        "assignee": "Sam Rivera",
        "messages": (
            (190, "customer", "Dana Whitfield", True,
             "Hi, every time I try to export our 2025 invoices to CSV the page spins for about a minute and then "
             "shows \"Export failed (504)\". This is the third week in a row.\n\nOur accountant needs the file by "
             "Friday. Honestly, if we can't get our own data out of Ledgerly we'll have to look at moving to Xero."),
        ),
    },
    {
        "subject": "Recurring invoices with the hours from the time tracker?",
        "requester_name": "Marcus Lee",
        "requester_email": "marcus@brightline.example",
        "organization": "Brightline Studio",
        "status": "pending",
        "assignee": "Sam Rivera",
        "messages": (
            (1500, "customer", "Marcus Lee", True,
             "Would love it if recurring invoices could pull the tracked hours from the time tracker each month "
             "instead of a fixed amount. Right now I copy the hours over by hand every month, which is tedious "
             "and I got it wrong twice last quarter."),
            (1440, "agent", "Sam Rivera", True,
             "Hi Marcus, thanks for the detailed idea. Pulling tracked hours into recurring invoices makes a lot "
             "of sense for studios like yours. I'll check with our product team and get back to you by Friday "
             "with what's on the roadmap.\n\nSam"),
        ),
    },
    {
        "subject": "Charged twice for this month's subscription",
        "requester_name": "Elena Petrova",
        "requester_email": "elena@petrova-design.example",
        "organization": "Petrova Design",
        "status": "open",
        "assignee": "Sam Rivera",
        "messages": (
            (95, "customer", "Elena Petrova", True,
             "Hello, I was charged $49.00 twice for this month's Ledgerly subscription (the card statement "
             "shows two identical charges). Could you please refund the duplicate one?\n\nThanks, Elena"),
        ),
    },
    {
        "subject": "How do I get the next page from the invoices API?",
        "requester_name": "Tom Becker",
        "requester_email": "tom.becker@hallo-gmbh.example",
        "organization": "Hallo GmbH",
        "status": "open",
        "assignee": None,
        "messages": (
            (330, "customer", "Tom Becker", True,
             "The API docs say list endpoints are paginated, but I can't find which parameter gives me the next "
             "page. I tried ?page=2 on /v1/invoices and got the same 50 results again. Is this documented "
             "anywhere?"),
        ),
    },
    {
        "subject": "The new bank reconciliation screen is great",
        "requester_name": "Aisha Bello",
        "requester_email": "aisha@greenleaf.example",
        "organization": "Greenleaf Co-op",
        "status": "solved",
        "assignee": "Priya Natarajan",
        "messages": (
            (2900, "customer", "Aisha Bello", True,
             "Just wanted to say thank you! The new bank reconciliation screen is fantastic, it saved me an hour "
             "this morning. Matching the card payments automatically is exactly what we needed."),
            (2880, "agent", "Priya Natarajan", True,
             "Aisha, this made our day. I've shared your note with the team that built it. Thank you for "
             "taking the time to write!\n\nPriya"),
        ),
    },
    {
        "subject": "Where do I change the logo on invoices?",
        "requester_name": "Jonas Nilsson",
        "requester_email": "jonas@fjord-consulting.example",
        "organization": "Fjord Consulting",
        "status": "open",
        "assignee": "Sam Rivera",
        "messages": (
            (60, "customer", "Jonas Nilsson", True,
             "I've clicked through every settings page and I can't find where to upload our new logo for the "
             "invoice PDFs. It took me twenty minutes and I still haven't found it. It's really confusing."),
        ),
    },
    {
        "subject": "Password reset email never arrives",
        "requester_name": "Li Wei",
        "requester_email": "li.wei@harborfreight.example",
        "organization": "Harbor Freight Partners",
        "status": "open",
        "assignee": "Sam Rivera",
        "messages": (
            (40, "customer", "Li Wei", True,
             "I requested a password reset three times this morning and no email arrived. I already checked the "
             "spam folder and our mail filter. Is the email blocked for the harborfreight.example domain? "
             "Error on the page was RESET-429."),
        ),
    },
)


def message_times(now, minutes_ago: int):
    """Timestamp of a sample message `minutes_ago` before `now`."""
    return now - timedelta(minutes=minutes_ago)


# Eight weeks of confirmed signals from other (imaginary) tickets, so the digest has a history.
# (days ago, type, theme, quote, customer, organization)
HISTORY = (
    (52, "bug", "CSV export times out", "The yearly CSV export just spins and then fails.", "Grace Kim", "Kim & Partners"),
    (45, "bug", "CSV export times out", "Export to CSV gives a 504 when I pick the whole year.", "Omar Haddad", "Haddad Logistics"),
    (31, "bug", "CSV export times out", "Exporting more than a few months of invoices never finishes.", "Lena Vogel", "Vogel Bau"),
    (19, "bug", "CSV export times out", "The export button times out for our 2025 data.", "Chris Doyle", "Doyle Events"),
    (12, "churn_risk", "CSV export times out", "If exports keep failing we'll need to find another tool before tax season.",
     "Omar Haddad", "Haddad Logistics"),
    (9, "bug", "CSV export times out", "CSV export failed again (504), third time this week.", "Nina Petrov", "Petrov Studio"),
    (4, "bug", "CSV export times out", "Can't export our invoices to CSV, it times out.", "Sam Okafor", "Okafor Foods"),
    (48, "feature_request", "Recurring invoices from tracked hours",
     "Recurring invoices should take the hours from the time tracker.", "Ava Lindqvist", "Lindqvist Design"),
    (26, "feature_request", "Recurring invoices from tracked hours",
     "We bill hourly every month; pulling tracked time into the invoice would save us hours.", "Ben Carter", "Carter Media"),
    (6, "feature_request", "Recurring invoices from tracked hours",
     "Any plans to let recurring invoices use tracked hours instead of a fixed amount?", "Mia Rossi", "Rossi Architects"),
    (40, "ux_friction", "Invoice logo setting is hard to find", "It took me ages to find where to change the invoice logo.",
     "Tariq Aziz", "Aziz Consulting"),
    (15, "ux_friction", "Invoice logo setting is hard to find", "Where do I upload our logo? The settings are confusing.",
     "Julia Novak", "Novak Print"),
    (37, "docs_gap", "API pagination is not documented", "The docs don't say how to page through invoices in the API.",
     "Dev Patel", "Patel Software"),
    (10, "docs_gap", "API pagination is not documented", "Which parameter gives the next page of clients? I can't find it in the docs.",
     "Kai Müller", "Müller IT"),
    (33, "praise", "Bank reconciliation", "The bank reconciliation saves us a full day every month.", "Rosa Diaz", "Diaz Bakery"),
    (8, "praise", "Bank reconciliation", "Automatic matching of card payments is brilliant, thank you!", "Liam O'Brien", "O'Brien Pubs"),
    (23, "competitor", "Comparisons with Xero", "Xero lets us do multi-currency invoices, can you?", "Chloe Martin", "Martin Wines"),
    (3, "churn_risk", None, "We're reviewing our tools next month and cost is a concern.", "Peter Sandoval", "Sandoval Ltd"),
)

# Past weeks of team follow-ups: (weeks ago, promises kept, promises missed, a promise that was missed).
FOLLOWUP_HISTORY = (  # weeks ago, kept, missed, a missed promise and the time it named
    (7, 9, 3, "I'll check with billing and write back tomorrow.", "tomorrow"),
    (6, 11, 2, "Let me look into the duplicate invoice and get back to you by Friday.", "by Friday"),
    (5, 10, 2, "I'll send the corrected export this afternoon.", "this afternoon"),
    (4, 12, 1, "We'll confirm the bank feed fix by Monday.", "by Monday"),
    (3, 13, 2, "I'll update you by Wednesday, once the reconciliation job has run.", "by Wednesday"),
    (2, 12, 1, "I'll get back to you tomorrow with the engineer's answer.", "tomorrow"),
    (1, 14, 1, "Let me check the logo upload limit and reply by Thursday.", "by Thursday"),
)
# Past weeks of pre-send checks for the whole team: (weeks ago, checked, warned, edited after, sent anyway).
CHECK_HISTORY = ((7, 212, 31, 19, 12), (6, 238, 29, 20, 9), (5, 225, 24, 17, 7), (4, 251, 22, 16, 6),
                 (3, 246, 19, 15, 4), (2, 263, 17, 14, 3), (1, 270, 15, 13, 2))
