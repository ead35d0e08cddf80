"""Evidence: candidate sentences that bear on a dimension, quotes checked against the transcript,
and the properties of evidence the level rules read (named counterpart, timing, mechanism...)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from ..interview.signals import extract
from .injection import split_sentences

MIN_QUOTE_CHARS = 12
MATCH_THRESHOLD = 90.0

TRIGGERS: dict[str, re.Pattern[str]] = {
    "dependency_mapping": re.compile(r"\b(?:depend\w*|block\w*|waiting on|upstream|downstream|needed .{0,40} from|"
                                     r"relied on|owned by|owns the|their roadmap|handoff|integration)\b", re.I),
    "risk_escalation": re.compile(r"\b(?:risk\w*|escalat\w+|slip\w*|behind|late|warning|flagged|raised|red|yellow|"
                                  r"at risk|miss(?:ed|ing)? the (?:date|deadline))\b", re.I),
    "sequencing": re.compile(r"\b(?:first|before|order|sequenc\w+|critical path|in parallel|contract|then|"
                             r"phase\w*|milestone|unblock\w*|gate\w*)\b", re.I),
    "influence_mechanism": re.compile(r"\b(?:offer\w*|trad\w+|in exchange|in return|lent|loan\w*|convinc\w+|persuad\w+|"
                                      r"agreed|negotiat\w+|asked (?:them|him|her)|told|said|proposed|funded|"
                                      r"took on|aligned|buy-in|influenc\w+|relationship\w*)\b", re.I),
    "stakeholder_alignment": re.compile(r"\b(?:disagree\w*|conflict\w*|priorit\w+|wanted|pushed back|tradeoff|"
                                        r"trade-off|aligned|alignment|stakeholder\w*|director|VP|commit\w*|"
                                        r"decid\w+|decision)\b", re.I),
    "business_translation": re.compile(r"\b(?:revenue|customers?|cost\w*|margin|business|GMV|conversion|churn|sales|"
                                       r"\$\s?\d|dollars?|penalt\w+|market|price|profit|explained|in plain|leader)\b", re.I),
}
CORE: dict[str, re.Pattern[str]] = {
    "dependency_mapping": re.compile(r"\b(?:noticed|found|spotted|discovered|realized|caught|mapped|before (?:it|they) "
                                     r"(?:block|became)|asked each|read (?:the|their)|nobody had|wasn't on)\b", re.I),
    "risk_escalation": re.compile(r"\b(?:escalat\w+|raised (?:it|this|the)|flagged|brought (?:it|this) to|took (?:it|this) to|"
                                  r"went to)\b", re.I),
    "sequencing": re.compile(r"\b(?:contract first|first|before any|before (?:we|they|engineering)|critical path|"
                             r"instead of|rather than|in parallel|ahead of)\b", re.I),
    "influence_mechanism": re.compile(r"\b(?:offered|traded|in exchange|in return|lent|loaned|gave them|took on|took over|"
                                      r"funded|covered|committed to|agreed to|would own|I'd own|swap\w*|I told|I said|"
                                      r"I proposed|removed)\b|[\"“][^\"”]{8,}[\"”]", re.I),
    "stakeholder_alignment": re.compile(r"\b(?:disagree\w*|conflict\w*|pushed back|wanted .{1,60} (?:while|but|whereas)|"
                                        r"competing|tension|objected|refused)\b", re.I),
    "business_translation": re.compile(r"\b(?:revenue|cost|margin|GMV|conversion|churn|penalt\w+|\$\s?\d|dollars?|"
                                       r"customers? (?:would|will|lose|see)|profit)\b", re.I),
}
_REASONING = re.compile(r"\b(?:because|so that|otherwise|which meant|instead of|rather than|the reason|since|"
                        r"that's why|that is why)\b", re.I)


class Quote(BaseModel):
    turn: int
    quote: str
    source: str = Field("rule", description="rule (deterministic scan) or llm (extracted, then verified)")


class Features(BaseModel):
    """Checkable properties of the evidence for one dimension."""

    relevant: bool = False
    core: bool = False
    named: bool = False
    timing: bool = False
    mechanism: bool = False
    numbers: bool = False
    first_person: bool = False
    we_only: bool = False
    reasoning: bool = False
    jargon_only: bool = False

    @property
    def specifics(self) -> int:
        return sum([self.named, self.timing, self.mechanism, self.numbers, self.first_person, self.reasoning])


def sentences_of(turn_index: int, text: str) -> list[Quote]:
    out = []
    for start, end in split_sentences(text):
        chunk = " ".join(text[start:end].split())
        if len(chunk) >= MIN_QUOTE_CHARS:
            out.append(Quote(turn=turn_index, quote=chunk))
    return out


def scan(dimension: str, candidate_texts: list[tuple[int, str]], limit: int = 4) -> list[Quote]:
    """Candidate sentences that bear on a dimension, most specific first."""
    trigger = TRIGGERS[dimension]
    found: list[tuple[int, Quote]] = []
    for index, text in candidate_texts:
        for q in sentences_of(index, text):
            if trigger.search(q.quote):
                f = features(dimension, [q.quote])
                found.append((f.specifics + 2 * f.core, q))
    found.sort(key=lambda item: -item[0])
    return [q for _, q in found[:limit]]


def verify(quote: str, stated_turn: int | None, candidate_texts: list[tuple[int, str]]) -> Quote | None:
    """A quote counts only if it occurs (allowing small edits) in a candidate turn; the returned
    quote is the transcript's own wording, so the report never shows words the candidate did not say."""
    quote = " ".join((quote or "").split())
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    ordered = sorted(candidate_texts, key=lambda item: item[0] != stated_turn)
    for index, text in ordered:
        flat = " ".join(text.split())
        if len(quote) > len(flat) + 5:
            continue
        alignment = fuzz.partial_ratio_alignment(quote.lower(), flat.lower())
        if alignment is not None and alignment.score >= MATCH_THRESHOLD:
            return Quote(turn=index, quote=flat[alignment.dest_start:alignment.dest_end].strip(), source="llm")
    return None


def features(dimension: str, quotes: list[str]) -> Features:
    text = " ".join(quotes)
    if not text.strip():
        return Features()
    s = extract(text)
    specific = bool(s.teams) or s.has_timing or s.numbers > 0 or s.has_mechanism
    return Features(
        relevant=bool(TRIGGERS[dimension].search(text)),
        core=bool(CORE[dimension].search(text)),
        named=bool(s.teams),
        timing=s.has_timing,
        mechanism=s.has_mechanism,
        numbers=s.numbers > 0 and (s.outcome > 0 or s.business > 0),
        first_person=s.i_count > 0 and s.i_count >= s.we_count,
        we_only=s.we_count > 0 and s.i_count == 0,
        reasoning=bool(_REASONING.search(text)),
        jargon_only=s.jargon > 0 and not specific,
    )


def level_from(f: Features) -> tuple[int, str]:
    """The level rule, with its reason (shown in the report).

    1: nothing relevant, or vocabulary without a single specific; 2: relevant but generic, or "we"
    with no personal role; 3: the dimension's core move with two specifics; 4: the core move with
    four specifics (named counterpart, timing, mechanism, numbers, first person, reasoning).
    """
    if not f.relevant and not f.core:
        return 1, "no evidence in the candidate's words"
    if f.jargon_only or f.specifics == 0:
        return 1, "vocabulary without specifics"
    if not f.core or f.specifics < 2:
        return 2, "relevant but generic"
    if f.we_only:
        return 2, "'we' throughout; no personal role"
    if f.specifics >= 4:
        return 4, "the core move with named counterparts, timing and results"
    return 3, "specific and credible"
