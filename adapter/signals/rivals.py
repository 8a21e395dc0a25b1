"""Competitors without configuration: a well-known rival, or an @-tagged one, set against the company (pure)."""

from __future__ import annotations

import re

from adapter.text import Sentence

# Well-known brands in the markets Valuedesk's customers work in. A mention counts only when the brand is not
# the one the message is addressed to (its leading @handles) nor the installation's own name.
_BRANDS = (
    # airlines
    "delta", "united", "american airlines", "americanair", "southwest", "southwestair", "jetblue",
    "alaska air", "alaskaair", "alaska airlines", "spirit", "frontier", "virgin", "virgin atlantic", "virginamerica",
    "british airways", "british_airways", "lufthansa", "emirates", "qatar", "qatar airways", "klm",
    "air france", "ryanair", "easyjet", "aer lingus", "iberia", "swiss", "air canada", "westjet", "qantas", "etihad",
    "turkish airlines", "norwegian", "hawaiian", "singapore airlines", "cathay",
    # telecom and internet
    "verizon", "at&t", "att", "t-mobile", "tmobile", "sprint", "comcast", "xfinity", "spectrum", "vodafone", "ee",
    "o2", "three", "jio", "reliancejio", "airtel", "bt", "sky", "virgin media",
    # streaming and media
    "netflix", "hulu", "spotify", "apple music", "disney+", "hbo", "prime video", "youtube tv", "pandora", "tidal",
    # banks and payments
    "chase", "wells fargo", "wellsfargo", "bank of america", "citi", "amex", "capital one", "monzo", "revolut",
    "paypal", "venmo", "zelle",
    # retail and delivery
    "amazon", "walmart", "target", "ebay", "costco", "best buy", "zappos", "asos", "uber eats", "doordash",
    "grubhub", "deliveroo", "instacart", "uber", "lyft", "airbnb",
    # software
    "chrome", "firefox", "safari", "dropbox", "google drive", "onedrive", "evernote", "todoist", "trello", "asana",
    "notion", "slack", "zoom", "xero", "quickbooks", "freshbooks", "zendesk", "freshdesk", "hubspot", "salesforce",
    "swiftkey", "whatsapp", "instagram", "pinterest", "xbox", "playstation", "ps4", "nintendo", "geico",
    "progressive", "root", "joinroot",
)
_BRAND = re.compile(r"(?<![\w@])@?(" + "|".join(sorted((re.escape(b) for b in _BRANDS), key=len, reverse=True))
                    + r")(?![\w])", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,})")
_LEADING = re.compile(r"^(?:\s*(?:@\w+|__\w+__)[\s,:.-]*)+")
# Short names that are everyday words too: they count only when written as a name (capitals or @).
_AMBIGUOUS = {"united", "spirit", "frontier", "target", "three", "sky", "root", "swiss", "ee", "bt",
              "chase", "virgin", "delta", "hawaiian", "safari", "progressive", "zoom", "notion", "american airlines"}
_CONTRAST = re.compile(
    r"\b(?:better|worse|instead|switch(?:ed|ing)? (?:to|over)|mov(?:e|ed|ing) (?:to|over)|go(?:ing)? back to|went with|"
    r"go with|prefer\w*|rather than|than|be (?:more )?like|like (?:them|they)|unlike|compared?|cheaper|faster|loyal to|"
    r"to the rescue|rescue|save[sd]? the day|cheat\w*|superior|inferior|doesn'?t miss|never miss|always choose|"
    r"recommend(?:ed)? (?:flying|using|going)|over you|take a (?:cue|note|page|lesson)|take note|why can'?t (?:you|y'?all)|"
    r"do(?:es)? (?:it|this|that) better|from now on|next time|instead of you|we'?ll take|i'?ll take|book(?:ed|ing)? with|"
    r"fly(?:ing)? with|flew|who do you recommend|would never)\b",
    re.IGNORECASE)
NAMED = 0.45      # a rival named in passing: not enough alone
CONTRASTED = 0.8  # a rival named with switching or comparison words
TAGGED = 0.55     # an unknown @-tagged account with switching or comparison words


def _own(name: str, own_names: tuple[str, ...], addressed: set[str]) -> bool:
    key = name.lower().lstrip("@")
    return key in addressed or any(key == n or key in n.split() for n in own_names)


def weights(text: str, parts: list[Sentence], own_names: tuple[str, ...] = ()) -> dict[int, float]:
    """Competitor evidence per sentence index of `text`."""
    lead = _LEADING.match(text)
    addressed = {h.lower() for h in _HANDLE.findall(lead.group(0))} if lead else set()
    own = tuple(n.lower() for n in own_names if n)
    found: dict[int, float] = {}
    start = lead.end() if lead else 0
    for index, sentence in enumerate(parts):
        contrast = bool(_CONTRAST.search(sentence.text))
        best = 0.0
        for match in _BRAND.finditer(sentence.text):
            raw = match.group(0)
            if sentence.start + match.start() < start or _own(raw, own, addressed):
                continue
            if match.group(1).lower() in _AMBIGUOUS and not (raw.startswith("@") or raw[:1].isupper()):
                continue
            best = max(best, CONTRASTED if contrast else NAMED)
        if contrast:
            for match in _HANDLE.finditer(sentence.text):
                if sentence.start + match.start() >= start and not _own(match.group(1), own, addressed) \
                        and not match.group(1).isdigit():
                    best = max(best, TAGGED)
        if best:
            found[index] = best
    return found
