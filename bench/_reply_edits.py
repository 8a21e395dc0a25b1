"""Planted edits on real agent replies: the ground truth of the copy-paste benchmark, defined here and not by the check.

Each edit takes a real reply and returns what an agent pasting it might send instead: words substituted,
inserted or deleted at random places of the body (not before the @handle a tweet starts with, nor after the
agent's signature; the new words are real words from other replies), a greeting, the
customer's name or a sign-off added or changed, sentences put in another order, and combinations. The
forms of greeting, name and sign-off are a fixed list written for this benchmark by the engineer who also
wrote the check's masking, so recall on them is an upper bound for greetings nobody thought of; the row
"personal, names not told" shows the check without the names the sidebar normally passes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from adapter.text import sentences

CUSTOMERS = ("Priya Natarajan", "Marcus Webb", "Dana Whitfield", "Kofi Mensah", "Ana Lima", "Liam O'Brien",
             "Sofia Rossi", "Yuki Tanaka", "Omar Haddad", "Grace Chen", "Tom Baker", "Elena Petrova")
AGENTS = ("Sam Rivera", "Alex Kim", "Jo Park", "Chris Meyer", "Nina Holt", "Ravi Shah")
GREETINGS = ("Hi {first}, ", "Hello {first}! ", "Hey {first}, ", "Dear {first}, ", "Hi there {first}! ",
             "Good morning {first}, ", "Hi {first}, thanks for reaching out! ", "Hello {first}, thanks for contacting us. ")
SIGN_OFFS = ("\n\nBest,\n{agent}", " ^{initials}", " -{agent_first}", "\n\nThanks,\n{agent_first}",
             "\n\nKind regards,\n{agent}\nSupport team", " *{initials}", "\n\nCheers,\n{agent_first}")
NAME_FORMS = ("end_of_first", "thanks_at_end", "start")
WORD = re.compile(r"^[A-Za-z][a-z]+[,.!?]?$")
# An agent changing a greeting or a name replaces the one there rather than stacking a second one.
LEADING_GREETING = re.compile(r"^((?:@\w+\s+)*)(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b(?: there)?,?"
                              r"(?: [A-Z][a-z]+)?\s*[,!.:]+\s*", re.IGNORECASE)
VOCATIVE = re.compile(r", [A-Z][a-z]+(?=[.!?]\s|[.!?]$)")
TRAILING_SIGNATURE = re.compile(r"\s*(?:[\^*/~-]\s?[A-Z][\w]{0,15}|-\s?[A-Z]{1,3})\s*$")


@dataclass(frozen=True)
class Draft:
    """An edited reply and the names the sidebar would pass with it."""

    text: str
    customer: str | None = None
    agent: str | None = None


def _editable(words: list[str]) -> list[int]:
    return [i for i, word in enumerate(words) if WORD.match(word)]


def substitute(text: str, count: int, rng: random.Random, vocabulary: list[str]) -> str:
    """`count` words replaced by other real words."""
    words = text.split()
    for index in rng.sample(_editable(words), min(count, len(_editable(words)))):
        tail = words[index][-1] if words[index][-1] in ",.!?" else ""
        replacement = rng.choice(vocabulary)
        while replacement.lower() == words[index].rstrip(",.!?").lower():
            replacement = rng.choice(vocabulary)
        words[index] = replacement + tail
    return " ".join(words)


def insert(text: str, count: int, rng: random.Random, vocabulary: list[str]) -> str:
    """`count` real words added at random places in the body: after the leading @handles, before the signature."""
    words = text.split()
    first = next((i for i, word in enumerate(words) if not word.startswith("@")), len(words))
    last = len(words) - (1 if TRAILING_SIGNATURE.fullmatch(" " + words[-1]) else 0) if words else 0
    for _ in range(count):
        words.insert(rng.randint(first, max(first, last)), rng.choice(vocabulary))
        last += 1
    return " ".join(words)


def delete(text: str, count: int, rng: random.Random) -> str:
    """`count` words taken out."""
    words = text.split()
    for index in sorted(rng.sample(_editable(words), min(count, len(_editable(words)))), reverse=True):
        del words[index]
    return " ".join(words)


def reorder(text: str, rng: random.Random) -> str | None:
    """The same sentences in another order, a trailing signature left at the end (None for one sentence)."""
    signature = TRAILING_SIGNATURE.search(text)
    body = text[:signature.start()] if signature else text
    parts = [s.text for s in sentences(body)]
    if len(parts) < 2:
        return None
    order = list(range(len(parts)))
    while order == sorted(order):
        rng.shuffle(order)
    return " ".join(parts[i] for i in order) + (signature.group(0) if signature else "")


def personalise(text: str, rng: random.Random, *, greeting=True, name=True, sign_off=True) -> Draft:
    """A greeting, the customer's name and a sign-off added, or changed where the reply has one."""
    customer, agent = rng.choice(CUSTOMERS), rng.choice(AGENTS)
    first, agent_first = customer.split()[0], agent.split()[0]
    initials = "".join(part[0] for part in agent.split())
    signature = TRAILING_SIGNATURE.search(text)
    text, signature = (text[:signature.start()], signature.group(0)) if signature else (text, "")
    if greeting:
        text = LEADING_GREETING.sub(lambda m: m.group(1), text)
    if name and VOCATIVE.search(text):
        text = VOCATIVE.sub(f", {first}", text, count=1)
    elif name:
        form = rng.choice(NAME_FORMS[:2] if greeting else NAME_FORMS)  # "Hi Ana! Ana, …" nobody writes
        parts = [s.text for s in sentences(text)]
        if form == "end_of_first" and parts and parts[0][-1:] in ".!?":
            parts[0] = f"{parts[0][:-1]}, {first}{parts[0][-1]}"
            text = " ".join(parts)
        elif form == "start" and parts:
            text = f"{first}, {text[0].lower()}{text[1:]}"
        else:
            text = f"{text} Thanks, {first}!"
    if greeting:
        text = rng.choice(GREETINGS).format(first=first) + text
    if sign_off:
        signature = rng.choice(SIGN_OFFS).format(agent=agent, agent_first=agent_first, initials=initials)
    return Draft(text + signature, customer, agent)


def _with(kind: str, count: int):
    def edit(text, rng, vocabulary):
        if kind == "sub":
            return substitute(text, count, rng, vocabulary)
        if kind == "ins":
            return insert(text, count, rng, vocabulary)
        return delete(text, count, rng)
    return edit


def _personal(edit=None, *, told=True):
    def planted(text, rng, vocabulary):
        edited = edit(text, rng, vocabulary) if edit else text
        if edited is None:
            return None
        draft = personalise(edited, rng)
        return draft if told else Draft(draft.text)
    return planted


def _plain(edit):
    def planted(text, rng, vocabulary):
        edited = edit(text, rng, vocabulary)
        return None if edited is None else Draft(edited)
    return planted


def _mixed(text, rng, vocabulary):
    return delete(insert(substitute(text, 1, rng, vocabulary), 1, rng, vocabulary), 1, rng)


def _reorder_sub(text, rng, vocabulary):
    moved = reorder(text, rng)
    return None if moved is None else substitute(moved, 1, rng, vocabulary)


# name -> planted edit (None when the reply cannot take it, e.g. reordering a one-sentence reply)
EDITS = {
    **{f"{kind} {n}": _plain(_with(kind, n)) for kind in ("sub", "ins", "del") for n in (1, 2, 3)},
    "greeting": lambda text, rng, _: personalise(text, rng, name=False, sign_off=False),
    "name": lambda text, rng, _: personalise(text, rng, greeting=False, sign_off=False),
    "sign-off": lambda text, rng, _: personalise(text, rng, greeting=False, name=False),
    "personal": _personal(),
    "personal, names not told": _personal(told=False),
    "reorder": _plain(lambda text, rng, _: reorder(text, rng)),
    **{f"{kind} {n} + personal": _personal(_with(kind, n)) for kind in ("sub", "ins", "del") for n in (1, 2, 3)},
    "sub+ins+del + personal": _personal(_mixed),
    "reorder + sub 1 + personal": _personal(_reorder_sub),
}
