"""The rules behind promise detection: what a sentence's wording says about a commitment (pure).

`cues(sentence)` names what the rules see ("we will + a follow-up verb", "a hedge", "feedback passed on")
and `words(sentence)` its word n-grams; both are the features of the learned layer (`model.py`), so a
decision can always be explained by the phrases that carried it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from adapter.commitments import phrases as rules
from adapter.commitments.timewords import NAMED_TIME
from adapter.commitments.timewords import TIME_TRIGGER
from adapter.commitments.timewords import VAGUE_TIME

# Contractions spelled out, chat shorthand read as words, handles, links and sign-offs masked.
_REWRITES = (
    (re.compile(r"[’‘`´]"), "'"),
    (re.compile(r"https?://\S+|www\.\S+"), " url "),
    (re.compile(r"(?:^|\s)(?:__\w+__|@\w+)"), " @user "),
    (re.compile(r"(?:\s[\^*/~-]\s?[a-z]{1,4}|\s\^[a-z]+)\s*$"), " "),  # "^AB", "*TMT", "-KC", "/KK" sign-offs
    (re.compile(r"\b(\d+)\s*/\s*(\d+)\s*$"), " "),  # "1/2": a thread counter
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"\blet's\b"), "let us"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"\b(i|we|you|they|he|she|it|that|team|who|someone|there)'ll\b"), r"\1 will"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"\b(i|we|you|they|he|she)'d\b"), r"\1 would"),
    (re.compile(r"\b(?:u)\b"), "you"),
    (re.compile(r"\b(?:ur)\b"), "your"),
    (re.compile(r"\b(?:pls|plz|plse)\b"), "please"),
    (re.compile(r"\b(?:ill)\b(?=\s+(?:get|be|check|look|follow|send|call|email|update|let|reach|have|see|make))"), "i will"),
    (re.compile(r"\b(?:im)\b(?=\s+(?:going|checking|looking|sending|reaching|going|following))"), "i am"),
    (re.compile(r"\bdm'?s\b"), "dm"),
    (re.compile(r"\bgonna\b"), "going to"),
    (re.compile(r"\bw/"), "with "),
    (re.compile(r"\s+"), " "),
)


@lru_cache(maxsize=4096)
def prepare(sentence: str) -> str:
    """The sentence as the rules read it: lower case, contractions spelled out, handles and links masked."""
    text = sentence.lower()
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text.strip()


_ACTOR_CLASS = (("i", "i"), ("we", "we"), ("they", "they"), ("he", "they"), ("she", "they"))


def actor_class(actor: str) -> str:
    """i, we, they (someone the agent just named) or team (a team, department or colleague)."""
    for word, name in _ACTOR_CLASS:
        if actor == word:
            return name
    return "team"


_PROGRESSIVE = re.compile(r"^be ([a-z]+)ing\b")


def _base(stem: str) -> str:
    """The verb under an -ing form: dropp -> drop, updat -> update, check -> check."""
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "ls":
        return stem[:-1]
    if stem.endswith(("at", "iz", "ag", "ov", "ur", "rv", "lv", "uc", "ac")):
        return stem + "e"
    return stem


def verb_class(rest: str) -> str:
    """What the words after a modal commit to: a follow-up, a check, an action on the case, or a hard negative.

    Telling someone inside the company ("I'll inform our IT team") passes feedback along unless the
    customer hears back too.
    """
    progressive = _PROGRESSIVE.match(rest)
    if progressive and not any(rules.VERBS[name].match(rest) for name in rules.VERB_ORDER):
        rest = _base(progressive.group(1)) + rest[progressive.end(1) + 3:]  # "be dropping points" -> "drop points"
    for name in rules.VERB_ORDER:
        if rules.VERBS[name].match(rest):
            telling = name == "followup" and rules.TELLING.match(rest)
            if telling and rules.INTERNAL.search(rest) and not rules.TO_CUSTOMER.search(rest):
                return "relay"
            return name
    return "other"


def _modal_class(modal: str) -> str:
    if modal in ("will", "shall", "am going to", "are going to", "is going to", "am about to", "are about to"):
        return "will"
    if modal in ("would like to", "would love to", "want to", "wanted to", "plan to", "intend to"):
        return "like"
    if modal in ("need to", "have to", "has to", "will need to", "must"):
        return "must"
    return modal if modal in ("would", "should", "can", "could") else "may"


_NEGATION = re.compile(r"\b(?:will not|shall not|can not|cannot|unable to|not able to|never)\b")
_CUSTOMER = re.compile(r"\b(?:you|your|him|her|them)\b")
_CHECKS = (
    ("let_me", rules.LET_ME), ("let_me_action", rules.LET_ME_ACTION), ("checking_now", rules.CHECKING_NOW),
    ("hear_back", rules.HEAR_BACK), ("done_for_you", rules.DONE_FOR_YOU), ("expect", rules.EXPECT), ("channel", rules.CHANNEL), ("polite", rules.POLITE), ("assurance", rules.ASSURANCE),
    ("standing_offer", rules.STANDING), ("courtesy", rules.COURTESY), ("relay", rules.RELAY), ("hedge", rules.HEDGE),
    ("reassure", rules.REASSURE), ("tells_customer", rules.TELLS_CUSTOMER), ("referral", rules.REFERRAL),
    ("announce", rules.ANNOUNCE), ("done", rules.DONE), ("purpose", rules.PURPOSE), ("request", rules.REQUEST),
    ("customer_acts", rules.CUSTOMER_ACT), ("ask_then_promise", rules.ASK_THEN_PROMISE),
)


@lru_cache(maxsize=4096)
def cues(sentence: str) -> frozenset[str]:
    """The rule features of one sentence (names like "fut:we:will:followup", "let_me", "hedge")."""
    text = prepare(sentence)
    found: set[str] = set()
    for match in rules.FUTURE.finditer(text):
        actor, modal = actor_class(match.group("actor")), _modal_class(match.group("modal"))
        adverbs = match.group("adverbs") or ""
        rest = match.group("rest")
        if rest.startswith("be able to "):
            rest, adverbs, modal = rest[len("be able to "):], adverbs + " able to", "able"
        verb = verb_class(rest)
        name = f"fut:{actor}:{modal}:{verb}"
        found.add(name)
        found.add(f"fut:{modal}:{verb}")
        before = text[max(0, match.start() - 12):match.start()]
        if " not" in adverbs or " never" in adverbs or rules.NEGATED.search(before):
            found.add("negated_future")
            found.add(f"_negated:{modal}")  # "_" marks what the veto reads but the model does not
        elif modal == "will":
            found.add("_affirmed_will")
        if "able to" in adverbs:
            found.add("ability_future")
    for pattern, prefix in ((rules.SUBJECTLESS, "bare"), (rules.AND_WILL, "and_will")):
        for match in pattern.finditer(text):
            found.add(f"{prefix}:{verb_class(match.group('rest'))}")
    found.update(name for name, pattern in _CHECKS if pattern.search(text))
    if any(not rules.WH_CLAUSE.search(text[max(0, m.start() - 25):m.start()]) for m in rules.ABILITY.finditer(text)):
        found.add("ability")  # "we can check", not "we'll see what we can do"
    if text.endswith("?"):
        found.add("question")
        if rules.OFFER_QUESTION.search(text):
            found.add("offer_question")
    if _NEGATION.search(text):
        found.add("negation")
    if TIME_TRIGGER.search(text) and NAMED_TIME.search(text):
        found.add("time_named")
    if VAGUE_TIME.search(text):
        found.add("time_vague")
    if _CUSTOMER.search(text):
        found.add("addresses_customer")
    if not found - {"courtesy", "addresses_customer", "question", "request", "ability"}:
        found.add("no_cue")
    return frozenset(found)


_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|@user|url|\d+|[?!]")


def tokens(sentence: str) -> list[str]:
    """The sentence's words as the learned layer reads them (numbers as 0, time words as one token)."""
    text = VAGUE_TIME.sub(" timevague ", prepare(sentence))
    if TIME_TRIGGER.search(text):
        text = NAMED_TIME.sub(" timenamed ", text)
    return ["0" if word.isdigit() else word for word in _TOKEN.findall(text)]


def words(sentence: str, longest: int = 3) -> set[str]:
    """Word n-grams (1 to `longest`) as feature names ("w:get back to")."""
    found = tokens(sentence)
    grams = set()
    for size in range(1, longest + 1):
        for start in range(len(found) - size + 1):
            gram = found[start:start + size]
            grams.add("w:" + " ".join(gram))
    return grams


NOT_FOLLOW_UPS = frozenset({"relay", "reassure", "hedge", "courtesy", "announce", "need"})
_POSITIVE = frozenset({"tells_customer", "let_me_action", "hear_back", "expect", "checking_now", "channel", "polite",
                       "done_for_you"})


def vetoed(found: frozenset[str]) -> bool:
    """True when every commitment the rules see is a hard negative (feedback passed on, a hedge, reassurance,
    courtesy, an announcement, or negated) and nothing else in the sentence promises the customer anything."""
    futures = [name.split(":")[2:] for name in found if name.startswith("fut:") and name.count(":") == 3]
    wills = [verb for modal, verb in futures if modal == "will"]
    bare = [name.split(":")[1] for name in found if name.startswith(("bare:", "and_will:"))]
    if found & _POSITIVE or not (wills or bare or any(modal == "able" for modal, _ in futures)):
        return False
    if found & {"_negated:will", "_negated:able"} and "_affirmed_will" not in found and not bare:
        return True  # every "will" in it is negated: "we won't be able to refund this"
    return bool(wills or bare) and all(verb in NOT_FOLLOW_UPS for verb in wills + bare)


def phrasing(found: set[str]) -> str:
    """The class of phrasing a promise uses, by its strongest rule (as bench/labels names them)."""
    future = sorted(name for name in found if name.startswith("fut:") and name.count(":") == 3)
    if "polite" in found or "assurance" in found:
        return "polite"
    if "let_me" in found or "let_me_action" in found:
        return "let_me"
    if "checking_now" in found:
        return "checking"
    if any(name.split(":")[1] in ("team", "they") for name in future):
        return "company_or_team"
    if "channel" in found and any(name.split(":")[3] in ("followup", "act") for name in future):
        return "channel"
    for actor in ("i", "we"):
        if any(name.split(":")[1] == actor for name in future):
            if any(name.split(":")[3] == "check" for name in future):
                return "checking"
            return "first_person"
    if any(name.split(":")[1] in ("team", "they") for name in future):
        return "company_or_team"
    if "hear_back" in found or "expect" in found:
        return "passive_or_hear_back"
    return "first_person"
