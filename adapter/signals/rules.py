"""Editable rules: phrases and patterns per signal type, scored over a message's sentences (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from adapter.errors import InvalidInput
from adapter.signals import rivals
from adapter.text import Sentence
from adapter.text import sentences

MAX_PATTERN = 200
# Nested quantifiers such as (a+)+ backtrack catastrophically; refuse them in admin patterns.
_NESTED_QUANTIFIER = re.compile(r"\([^)]*[+*][^)]*\)[+*{]")

# Built-in defaults: (phrase or pattern, weight). Phrases match whole words, case-insensitively; patterns
# are searched in each sentence. Chosen by reading errors on the labelled train split only (bench/labels).
DEFAULT_PHRASES: dict[str, list[tuple[str, float]]] = {
    "bug": [
        ("doesn't work", 0.7), ("does not work", 0.7), ("not working", 0.7), ("stopped working", 0.8),
        ("isn't working", 0.7), ("didn't work", 0.55), ("broken", 0.55), ("bug", 0.6), ("buggy", 0.7), ("crash", 0.7),
        ("crashes", 0.8), ("crashed", 0.8), ("crashing", 0.8), ("error", 0.55), ("fails", 0.6), ("failing", 0.6),
        ("times out", 0.7), ("timed out", 0.6), ("won't load", 0.7), ("doesn't load", 0.7), ("blank page", 0.7),
        ("white screen", 0.7), ("black screen", 0.7), ("freezes", 0.75), ("freezing", 0.7), ("frozen", 0.6),
        ("glitch", 0.65), ("glitches", 0.65), ("lag", 0.6), ("lags", 0.65), ("laggy", 0.7), ("hangs", 0.6),
        ("buffering", 0.6), ("malfunctioning", 0.7), ("outage", 0.6), ("power outage", 0.8), ("is down", 0.55),
        ("are down", 0.55), ("keeps spinning", 0.6), ("exception", 0.5), ("charged twice", 0.7),
        ("double charged", 0.7), ("charged me twice", 0.7), ("still broken", 0.8), ("still failing", 0.8),
        ("force closes", 0.8), ("drains my battery", 0.7), ("fix it", 0.45), ("please fix", 0.6), ("fix this", 0.45),
        ("not loading", 0.7), ("not updating", 0.65), ("not syncing", 0.7), ("won't let me", 0.55),
        ("doesn't let me", 0.5), ("unable to connect", 0.7), ("can't connect", 0.6), ("disconnects", 0.55),
        ("no signal", 0.6), ("no internet", 0.55), ("never received", 0.5), ("haven't received", 0.45),
        ("didn't receive", 0.45), ("wrong amount", 0.5), ("not showing", 0.55), ("disappeared", 0.55),
    ],
    "feature_request": [
        ("would love", 0.45), ("would be great", 0.7), ("would be nice", 0.7), ("would be helpful", 0.7),
        ("would be awesome", 0.7), ("would be better", 0.55), ("wish", 0.35), ("i wish you", 0.6), ("wish there was", 0.7), ("wish it had", 0.7), ("wish you had", 0.7), ("wish you would", 0.6), ("wish you could", 0.6), ("wish they would", 0.6), ("feature request", 0.9),
        ("please add", 0.85), ("pls add", 0.85), ("plz add", 0.85), ("can you add", 0.8), ("could you add", 0.8),
        ("add an option", 0.85), ("add a", 0.35), ("any plans to", 0.75), ("plans to support", 0.8),
        ("ability to", 0.5), ("option to", 0.45), ("i'd like to be able", 0.7), ("i would like to be able", 0.7),
        ("would like to see", 0.7), ("missing feature", 0.8), ("bring back", 0.7), ("please bring", 0.7),
        ("should have", 0.45), ("should add", 0.7), ("should offer", 0.6), ("should let", 0.6), ("needs an option", 0.8),
        ("needs a", 0.4), ("dark mode", 0.6), ("how about", 0.4), ("please make", 0.5), ("please allow", 0.7),
        ("please let", 0.55), ("please consider", 0.7), ("please offer", 0.7), ("support for", 0.4),
        ("integration with", 0.5), ("instead of a fixed", 0.5),
    ],
    "ux_friction": [
        ("confusing", 0.75), ("hard to find", 0.8), ("can't find", 0.5), ("cannot find", 0.5), ("couldn't find", 0.5),
        ("not intuitive", 0.8), ("unintuitive", 0.8), ("too many clicks", 0.8), ("too many steps", 0.8),
        ("clunky", 0.8), ("tedious", 0.7), ("frustrating", 0.55), ("hard to use", 0.8), ("difficult to use", 0.8),
        ("hard to navigate", 0.8), ("cumbersome", 0.8), ("cluttered", 0.7), ("annoying", 0.5), ("too slow", 0.6),
        ("so slow", 0.6), ("very slow", 0.6), ("slow", 0.4), ("takes forever", 0.7), ("taking forever", 0.65),
        ("too many ads", 0.7), ("on hold", 0.75), ("hold time", 0.75), ("transferred", 0.6), ("passed around", 0.75),
        ("no response", 0.6), ("no reply", 0.6), ("no answer", 0.5), ("not responding", 0.5), ("still waiting", 0.5),
        ("still no", 0.4), ("not helpful", 0.55), ("unhelpful", 0.55), ("in circles", 0.7), ("runaround", 0.75),
        ("run around", 0.6), ("waste of time", 0.6), ("copy paste", 0.6), ("same answer", 0.6), ("same response", 0.6),
        ("repeat myself", 0.75), ("explain again", 0.7), ("impossible to", 0.6), ("no way to", 0.55), ("nightmare", 0.55),
        ("can't get through", 0.7), ("hung up", 0.6), ("queue", 0.45), ("waited", 0.4), ("been waiting", 0.5),
        ("nobody answers", 0.7), ("no one answers", 0.7), ("by hand", 0.4), ("hidden", 0.4),
    ],
    "docs_gap": [
        ("documentation", 0.6), ("the docs", 0.6), ("docs say", 0.7), ("not documented", 0.9),
        ("undocumented", 0.9), ("documented anywhere", 0.9), ("help article", 0.6), ("is there a guide", 0.8),
        ("is there a tutorial", 0.8), ("api reference", 0.7), ("the manual", 0.5), ("example of how", 0.6),
        ("which is correct", 0.8), ("which one is right", 0.8), ("which is right", 0.8), ("which is it", 0.7),
        ("conflicting information", 0.9), ("contradicting", 0.7), ("false information", 0.8),
        ("wrong information", 0.8), ("misinformation", 0.7), ("misleading", 0.6), ("no information", 0.6),
        ("nobody told", 0.55), ("no one told", 0.55), ("what is the policy", 0.85), ("what's the policy", 0.85),
        ("your policy", 0.5), ("policy on", 0.6), ("faq", 0.5),
    ],
    "churn_risk": [
        ("cancel my subscription", 0.9), ("cancelling my subscription", 0.9), ("canceling my subscription", 0.9),
        ("cancel our subscription", 0.9), ("cancel my account", 0.85), ("cancel my membership", 0.9),
        ("cancel my service", 0.85), ("cancel our", 0.6), ("switching providers", 0.85), ("switching to", 0.6),
        ("switched to", 0.6), ("moving to", 0.45), ("look at moving", 0.8), ("alternatives", 0.55), ("not renew", 0.9),
        ("won't renew", 0.9), ("not renewing", 0.9), ("close my account", 0.9), ("close our account", 0.9),
        ("closing my account", 0.9), ("delete my account", 0.55), ("last straw", 0.9), ("fed up", 0.6),
        ("considering other", 0.8), ("downgrade", 0.55), ("downgrading", 0.6), ("waste of money", 0.7),
        ("never again", 0.85), ("lost a customer", 0.95), ("lost my business", 0.95), ("lost a loyal customer", 0.95),
        ("lost me as a customer", 0.95), ("just lost", 0.5), ("see you never", 0.95), ("done with", 0.6), ("i'm done", 0.6),
        ("uninstall", 0.7), ("uninstalled", 0.75), ("uninstalling", 0.75), ("deleting this app", 0.8),
        ("take my business elsewhere", 0.95), ("taking my business", 0.85), ("stay away", 0.8), ("avoid", 0.55),
        ("question my loyalty", 0.85), ("reconsider", 0.5), ("last time i", 0.6), ("the last time", 0.45),
        ("porting my number", 0.85), ("go elsewhere", 0.7), ("looking elsewhere", 0.75), ("someone else", 0.35),
        ("not worth it", 0.4), ("don't buy", 0.6), ("do not buy", 0.6), ("don't fly", 0.6), ("never fly", 0.8),
        ("never flying", 0.85), ("never use", 0.6), ("never shop", 0.8), ("never order", 0.8), ("never book", 0.8),
    ],
    "praise": [
        ("thank you so much", 0.75), ("thanks so much", 0.7), ("love the", 0.6), ("i love", 0.6), ("love it", 0.8),
        ("love this", 0.75), ("love you", 0.7), ("loving it", 0.8), ("great job", 0.8), ("fantastic", 0.75),
        ("amazing", 0.65), ("awesome", 0.65), ("excellent", 0.7), ("saved me", 0.6), ("well done", 0.7),
        ("made my day", 0.8), ("exactly what we needed", 0.8), ("works great", 0.8), ("really helpful", 0.65),
        ("very helpful", 0.65), ("so helpful", 0.7), ("super helpful", 0.7), ("best app", 0.85), ("great app", 0.85),
        ("good app", 0.8), ("nice app", 0.8), ("awesome app", 0.85), ("excellent app", 0.85), ("very good", 0.6),
        ("very nice", 0.6), ("highly recommend", 0.8), ("recommend it", 0.6), ("above and beyond", 0.85),
        ("shoutout", 0.75), ("shout out", 0.75), ("kudos", 0.8), ("appreciate it", 0.55), ("much appreciated", 0.6),
        ("really appreciate", 0.6), ("you rock", 0.8), ("you're the best", 0.8), ("the best", 0.45), ("best", 0.3),
        ("great service", 0.8), ("great", 0.35), ("brilliant", 0.65), ("superb", 0.75), ("outstanding", 0.75),
        ("perfect", 0.5), ("impressed", 0.6), ("useful", 0.5), ("easy to use", 0.6), ("keep it up", 0.75),
        ("five stars", 0.8), ("5 stars", 0.8), ("wonderful", 0.65), ("lovely", 0.55), ("good job", 0.75),
    ],
    "competitor": [
        ("competitor", 0.6), ("compared to", 0.3), ("other tools", 0.4), ("other airlines", 0.6),
        ("other airline", 0.55), ("another airline", 0.55), ("another provider", 0.55), ("another company", 0.45),
        ("take a cue from", 0.7), ("take note", 0.35),
    ],
}
# A rival named or @-tagged together with switching or comparison language. Sentences are searched as written.
_RIVAL = r"(?:@\w+|(?-i:[A-Z][\w&'.-]+(?: [A-Z][\w&'.-]+)?))"
DEFAULT_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "bug": [
        (r"\b(?:error|err|code)\s*[:#]?\s*[A-Z]{0,8}-?\d{2,5}\b", 0.6),
        (r"\b(?:HTTP\s*)?(?:500|502|503|504)\b", 0.6),
        (r"\b(?:can't|cannot|can not|cant|unable to|couldn't|won't|wont)\s+(?:log ?in|sign ?in|login|check ?in|access|load|"
         r"open|play|connect|download|upload|see my|enter|add|get into|proceed|update|install|stream|watch|pay|purchase|"
         r"book|view)\b", 0.55),
        (r"\b(?:is|are) (?:there )?(?:a |an |some )?(?:problem|issue|issues|outage|glitch) with (?:the |your )?"
         r"(?:app|site|website|online|system|server|servers|check|wifi|web)", 0.8),
        (r"\bwhat(?:'s| is) (?:going on|wrong) with (?:the |your |my )?(?:app|site|website|server|servers|system)", 0.7),
        (r"\b(?:keeps?|kept) (?:crashing|logging me out|logging out|freezing|saying|telling me|giving me|failing|"
         r"disconnecting|restarting|rebooting|dropping|buffering|kicking me)", 0.65),
        (r"\b(?:app|site|website|page|server|servers|system|screen|wifi|wi-fi|tv|phone|card|login|update|link|button)\b"
         r".{0,25}\b(?:isn't|is not|aren't|not|wasn't|won't|doesn't|didn't) (?:working|work|loading|load|opening|open|"
         r"responding|connecting|showing)", 0.7),
        (r"\b(?:says|shows|showing|said) (?:i have |i've )?(?:no|zero|0) (?:bookings?|purchases?|reservations?|balance|"
         r"items|orders)\b", 0.7),
        (r"\b(?:charged|billed) (?:me )?(?:twice|two times|double|for (?:a|something|an?) \w+ (?:i|we) (?:never|didn't))", 0.7),
    ],
    "feature_request": [
        (r"\bwhy (?:did|do|would) you(?: guys)? (?:take away|remove|get rid of|stop|keep removing|drop|discontinue)", 0.6),
        (r"\b(?:how come (?:there's no|there is no|you don't|i can't|we can't)|ever thought (?:about|of)|any plans (?:for|to)|"
         r"is there any reason (?:why )?(?:you|it|this)? ?(?:isn't|aren't|can't|don't|doesn't))", 0.55),
        (r"\b(?:needs?|missing|lacks?|could use) (?:a |an |more |some |dedicated |the )?(?:option|feature|setting|"
         r"button|way|ability|support|mode|widget|search|filter|list|lists|space|function)\b", 0.55),
        (r"\bwhy (?:can't|cant|cannot|don't|doesn't|isn't|aren't|won't|no)\b.{0,60}\b(?:option|feature|ability|"
         r"allow|let|add|offer|support|have|choose|select|change|transfer|pay|pick|use)\b", 0.5),
        (r"\bwhen (?:will|are|is) (?:you|it|the app|they)(?: guys)? (?:going to )?(?:add|start|offer|support|"
         r"have|bring|get|allow|fly|release)\b", 0.6),
        (r"\b(?:please|pls|plz|could you|can you|would you)\b.{0,20}\b(?:add|include|allow|offer|introduce|support)\b", 0.6),
    ],
    "ux_friction": [
        (r"\b\d+\s*(?:hours?|hrs?|minutes?|mins?)\b.{0,25}\b(?:on hold|hold|on the phone|waiting|in line|queue)\b", 0.8),
        (r"\b(?:on hold|waiting|waited|in (?:the )?queue)\b.{0,20}\b(?:for )?(?:over |more than |almost |nearly )?"
         r"(?:an?|\d+)\s*(?:hours?|hrs?|minutes?|mins?|days?|weeks?)\b", 0.75),
        (r"\b(?:transferred|passed|bounced)\b.{0,30}\b(?:\d|several|multiple|many|three|four|five) ?(?:times|people|"
         r"agents|departments)?\b", 0.7),
        (r"\b(?:no|zero|still no|haven't had a|never got a|without a?) (?:response|reply|answer|call back|callback)\b", 0.65),
        (r"\b(?:hard|difficult|impossible|tough|a pain) to (?:find|use|reach|get|navigate|contact|understand|read|"
         r"cancel|change|follow|figure)\b", 0.75),
        (r"\b(?:have|had) to (?:re-?enter|repeat|explain|call back|start (?:over|all over)|fill|go through)\b", 0.6),
        (r"\b(?:takes?|took|taking) (?:ages|forever|too long|so long|hours|days|weeks|months)\b", 0.6),
    ],
    "docs_gap": [
        (r"^(?:\W*(?:@\w+|__\w+__|hi|hello|hey|please|pls|so|ok|okay|and|also|yo|quick question|question)\b)*\W*"
         r"(?:how (?:do|can|would|should|does|to|is)|how long (?:does|do|will|is|should|would)|how much (?:is|are|does|for|do|"
         r"will)|where (?:can|do|is|are|should|would)|what(?:'s| is| are) (?:the|your|my)|what if|"
         r"what (?:time|documents|happens|do i|should i|are my|is my)|when (?:does|do|is|are|will) (?:the|your)|"
         r"is there (?:a|an|any)\b(?!.{0,12}\b(?:problem|issue|outage|glitch))|are there (?:any )?|can i|could i|do i|"
         r"am i|are you|are your|is your|is it (?:possible|ok|okay|true)|will i|do you (?:have|know|offer|allow|"
         r"accept|ship|charge|sell)|does (?:the|your|my|this))\b[^?]{0,160}\?", 0.6),
        (r"\b(?:says?|said|shows?|showed|told (?:me|us))\b.{0,80}\b(?:but|yet|while|whereas)\b.{0,60}\b(?:says?|said|"
         r"shows?|showed|told|charged|different|another)\b", 0.55),
        (r"\b(?:who|which (?:number|email|department|address)) (?:do|can|should) (?:i|we) (?:contact|call|email|"
         r"write|speak|talk)\b", 0.75),
        (r"\b(?:contact|phone) (?:number|#|email)\b.{0,40}\?", 0.6),
    ],
    "churn_risk": [
        (r"\b(?:cancel|leave|switch|move)\b.{0,40}\b(?:unless|if you don't|if this isn't)\b", 0.8),
        (r"\b(?:never|won't|will not|not going to|wont)\b.{0,12}\b(?:fly|flying|use|using|buy|buying|order|ordering|"
         r"shop|shopping|book|booking|recommend|come back|return|choose)\b.{0,40}\b(?:again|anymore|ever)\b", 0.85),
        (r"\b(?:won't|will not|wont|never) be (?:flying|using|buying|ordering|shopping|booking|back|renewing|returning)\b", 0.85),
        (r"\b(?:cancel(?:l?ing|l?ed)?|closing|closed|close)\b.{0,15}\b(?:my|our)\b.{0,15}\b(?:subscription|account|"
         r"accounts|membership|service|plan|contract|card|policy|order with you)\b", 0.8),
    ],
    "competitor": [
        (rf"\b(?:switch(?:ed|ing)?|mov(?:e|ed|ing)|go(?:ing)? back|went|stick(?:ing)?|back|loyal) to {_RIVAL}", 0.6),
        (rf"\b(?:fly|flying|flew|book|booking|use|using|go with|going with|take|choose|try|trying)\s+{_RIVAL}\b.{{0,20}}"
         rf"\b(?:instead|from now on|next time|only|again)\b", 0.75),
        (rf"\bbe (?:more )?like {_RIVAL}", 0.7),
        (rf"\b(?:better|worse|cheaper|faster|nicer|friendlier) than {_RIVAL}", 0.6),
        (rf"\bunlike {_RIVAL}", 0.65),
        (r"(?:@\w+|\b(?-i:[A-Z][\w&'.-]+)) (?:does|did|do|lets|let|let's|has|had|gave|gives|offers|offered|answers|never|"
         r"always|refunded|matched|got|had) .{0,50}\b(?:better|free|faster|instantly|for free|why (?:can't|don't|won't) "
         r"you|you (?:can't|don't|won't)|doesn't miss)", 0.65),
        (r"\b(?:even|unlike) @\w+", 0.5),
        (r"\b(?:who|which airline|which one) (?:do you|would you|should i) (?:recommend|suggest|pick|choose)\b", 0.6),
    ],
}

_BUILTIN = {pattern for items in DEFAULT_PATTERNS.values() for pattern, _ in items}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> tuple[str, ...]:
    """Lower-case words of a text, with curly apostrophes made straight ("doesn’t" -> "doesn't")."""
    return tuple(_WORD.findall(text.lower().replace("\u2019", "'")))


@dataclass(frozen=True)
class Rule:
    """One regular-expression pattern that hints at a signal type."""

    type_key: str
    pattern: re.Pattern
    weight: float
    source: str


@dataclass
class RuleSet:
    """Compiled rules of an installation, ready to score messages.

    Phrases are word sequences looked up by n-gram in a dict, so how many there are barely
    matters; only true patterns go through the regular-expression engine.
    """

    phrases: dict[tuple[str, ...], list[tuple[str, float]]] = field(default_factory=dict)
    patterns: list[Rule] = field(default_factory=list)
    longest: int = 0
    rivals: bool = False  # look for well-known and @-tagged rivals (adapter.signals.rivals)
    own_names: tuple[str, ...] = ()  # the company's own names, never a rival

    def types(self) -> set[str]:
        """Signal types that have at least one rule."""
        return {t for hits in self.phrases.values() for t, _ in hits} | {r.type_key for r in self.patterns}


@dataclass(frozen=True)
class RuleScore:
    """How strongly the rules point at one type, and the sentences that carry it."""

    score: float
    sentences: tuple[Sentence, ...]


def validate_pattern(pattern: str) -> re.Pattern:
    """Compile an admin's pattern, refusing ones that are too long, invalid or prone to runaway backtracking.

    :raise DomainError: InvalidInput with the reason.
    """
    if pattern in _BUILTIN:
        return re.compile(pattern, re.IGNORECASE)  # ours, reviewed; the limits guard admins' patterns
    if len(pattern) > MAX_PATTERN:
        raise InvalidInput(f"Patterns are limited to {MAX_PATTERN} characters.", code="invalid_pattern")
    if _NESTED_QUANTIFIER.search(pattern):
        raise InvalidInput(f"{pattern!r} nests repetition (like (a+)+), which can hang; simplify it.", code="invalid_pattern")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InvalidInput(f"{pattern!r} is not a valid regular expression: {exc}.", code="invalid_pattern") from None


def compile_rules(
    phrases: dict[str, Iterable[tuple[str, float]]],
    patterns: dict[str, Iterable[tuple[str, float]]] | None = None,
    competitors: Iterable[str] = (),
) -> RuleSet:
    """Compile phrases, patterns and competitor names (each a strong competitor hint) into a RuleSet."""
    ruleset = RuleSet()

    def add_phrase(type_key: str, phrase: str, weight: float) -> None:
        key = words(phrase)
        if key:
            ruleset.phrases.setdefault(key, []).append((type_key, float(weight)))
            ruleset.longest = max(ruleset.longest, len(key))

    for type_key, items in phrases.items():
        for phrase, weight in items:
            add_phrase(type_key, phrase, weight)
    for type_key, items in (patterns or {}).items():
        for pattern, weight in items:
            ruleset.patterns.append(Rule(type_key, validate_pattern(pattern), float(weight), pattern))
    for name in competitors:
        add_phrase("competitor", name, 0.9)
    return ruleset


def default_rules(competitors: Iterable[str] = (), own_names: Iterable[str] = ()) -> RuleSet:
    """The built-in rules, with the installation's competitor names and well-known rivals other than its own names."""
    ruleset = compile_rules(DEFAULT_PHRASES, DEFAULT_PATTERNS, competitors)
    ruleset.rivals, ruleset.own_names = True, tuple(own_names)
    return ruleset


def _hits(sentence: str, ruleset: RuleSet) -> list[tuple[str, float]]:
    """(type, weight) of every phrase and pattern found in a sentence; each phrase counts once."""
    tokens = words(sentence)
    found: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    for size in range(1, min(ruleset.longest, len(tokens)) + 1):
        for start in range(len(tokens) - size + 1):
            key = tokens[start:start + size]
            if key in ruleset.phrases:
                found[key] = ruleset.phrases[key]
    hits = [hit for items in found.values() for hit in items]
    straight = sentence.replace("\u2019", "'")
    hits += [(rule.type_key, rule.weight) for rule in ruleset.patterns if rule.pattern.search(straight)]
    return hits


def score(text: str, ruleset: RuleSet, *, max_quote_sentences: int = 2) -> dict[str, RuleScore]:
    """Noisy-OR of matched rule weights per type, with the best-matching sentences as the quote."""
    per_type: dict[str, dict[int, float]] = {}
    all_sentences = sentences(text)
    hits = [_hits(sentence.text, ruleset) for sentence in all_sentences]
    if ruleset.rivals:
        for index, weight in rivals.weights(text, all_sentences, ruleset.own_names).items():
            hits[index].append(("competitor", weight))
    for index, found in enumerate(hits):
        for type_key, weight in found:
            weights = per_type.setdefault(type_key, {})
            weights[index] = 1 - (1 - weights.get(index, 0.0)) * (1 - weight)
    result = {}
    for type_key, by_sentence in per_type.items():
        miss = 1.0
        for weight in by_sentence.values():
            miss *= 1 - weight
        best = sorted(by_sentence, key=lambda i: (-by_sentence[i], i))[:max_quote_sentences]
        result[type_key] = RuleScore(min(1 - miss, 0.99), tuple(all_sentences[i] for i in sorted(best)))
    return result
