"""Evidence: candidate sentences that bear on a dimension, quotes checked against the transcript,
and the properties of evidence the level rules read (named counterpart, timing, mechanism...)."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from ..interview.signals import AnswerSignals, extract, states_result
from ..resources import data_root
from .cues import DimensionCues, compiled, load
from .injection import split_sentences

MIN_QUOTE_CHARS = 12
MATCH_THRESHOLD = 90.0

# The keyword scan: a sentence with any of these bears on the dimension. Plain-spoken wording that
# uses none of them is in rubrics/evidence.yaml (see trigger()).
TRIGGERS: dict[str, re.Pattern[str]] = {
    "dependency_mapping": re.compile(
        r"\b(?:depend\w*|block\w*|waiting on|upstream|downstream|relied on|rely on|owned by|owns the|handoff|"
        r"integration|need(?:ed|s)? .{0,50}\bfrom\b|whose (?:system|service|code)|nobody had (?:mentioned|listed|"
        r"flagged|planned)|had planned nothing|turned out|(?:teams?|groups?) (?:had to|involved|touch\w*)|"
        r"their (?:system|service|pipeline|api|job|schema|roadmap|quarter|release|sdk|queue)|"
        r"(?:three|four|five|six|seven|\d+) (?:teams|groups))\b", re.I),
    "risk_escalation": re.compile(
        r"\b(?:risk\w*|escalat\w+|slip\w*|at risk|behind|late|warning|flagged|raised|moved to|would miss|"
        r"went to (?:my|our|the|their) (?:director|vp|gm|manager|skip)|told (?:my|our) (?:director|vp|gm|manager)|"
        r"miss(?:ed|ing)? the (?:date|deadline|window))\b", re.I),
    "sequencing": re.compile(
        r"\b(?:first|before|after|order|sequenc\w+|critical path|in parallel|contract|then|ahead of|instead of|"
        r"rather than|freeze|gate\w*|review|milestone|cutover|pilot|phase\w*|start (?:with|in) only|go out after|"
        r"unblock\w*)\b", re.I),
    "influence_mechanism": re.compile(
        r"\b(?:offer\w*|trad\w+|in exchange|in return|lent|loan\w*|convinc\w+|persuad\w+|agreed|negotiat\w+|"
        r"asked (?:them|him|her)|told|said|proposed|funded|took on|aligned|buy-in|influenc\w+|relationship\w*|"
        r"I'm not asking|out of my budget|we'd take|we would take|pay for)\b", re.I),
    "stakeholder_alignment": re.compile(
        r"\b(?:disagree\w*|conflict\w*|priorit\w+|wanted|pushed back|tradeoff|trade-off|aligned|alignment|"
        r"stakeholder\w*|didn't like|did not like|objected|picked|chose|decid\w+|decision|two options|"
        r"commit\w*)\b", re.I),
    "business_translation": re.compile(
        r"\b(?:revenue|customers?|cost\w*|margin|business|GMV|conversion|churn|sales|\$\s?\d|dollars?|"
        r"penalt\w+|market|price|profit|explain\w*|in plain|not technical|non-technical|leader|postage|"
        r"per (?:return|order|package|user|month)|clerks?|shoppers?|sellers?|drivers?)\b", re.I),
}
CORE: dict[str, re.Pattern[str]] = {
    "dependency_mapping": re.compile(
        r"\b(?:noticed|found (?:it|that|out|a|the)|spotted|discovered|realized|caught|traced|drew the|asked each|"
        r"sat with each|(?:sit|ask|meet) (?:with )?each|write down what|nobody had|had planned nothing|wasn't on (?:their|anyone's)|before (?:it|they) "
        r"(?:blocked|became)|read (?:their|the) (?:code|schema|pipeline|design|roadmap)|turned out)\b", re.I),
    "risk_escalation": re.compile(
        r"\b(?:escalat\w+|raised (?:it|this|the)|flagged|brought (?:it|this) to|took (?:it|this) to|"
        r"went to (?:my|our|the|their) (?:director|vp|gm|manager|skip)|told (?:my|our) (?:director|vp|gm|manager)|"
        r"I(?:'d| would|'ll| will) (?:take|bring|go)\b[^.]{0,40}?\bto (?:the|my|our|their|both)\b[^.]{0,25}?"
        r"\b(?:vps?|directors?|gms?|managers?))\b",
        re.I),
    "sequencing": re.compile(
        r"\b(?:before any|first|ahead of|rather than|instead of|in parallel|go out after|start (?:with|in) only|"
        r"pilot|phased|contract (?:first|before)|before (?:we|they|engineering|anyone|any code))\b", re.I),
    "influence_mechanism": re.compile(
        r"\b(?:offered|traded|in exchange|in return|lent|loaned|gave them|took on|took over|funded|covered|"
        r"I (?:committed|agreed|promised) to|would own|I'd own|we'd take|we would take|swap\w*|I told|I said|"
        r"I(?:'d| would|'ll| will) (?:offer|fund|lend|embed|pay|cover|take (?:on|over))|"
        r"I proposed|I'm not asking|out of my budget|pay for)\b|[\"“][^\"”]{8,}[\"”]|\bsaid: ", re.I),
    "stakeholder_alignment": re.compile(
        r"\b(?:disagree\w*|conflict\w*|pushed back|didn't like|did not like|objected|refused|tension|competing|"
        r"wanted .{1,80} (?:while|but|whereas)|two options)\b", re.I),
    "business_translation": re.compile(
        r"\b(?:revenue|cost(?:s|ing)? (?:us|them)|would cost|margin|GMV|conversion|churn|penalt\w+|\$\s?\d|"
        r"dollars?|per (?:return|order|package|user|month)|lost sales|customers? (?:would|will|lose|see|stop|leave))\b",
        re.I),
}
_REASONING = re.compile(r"\b(?:because|so that|otherwise|which meant|instead of|rather than|the reason|since|"
                        r"that's why|that is why)\b", re.I)


@cache
def evidence_cues() -> DimensionCues:
    return load(DimensionCues, data_root("rubrics") / "evidence.yaml")


@cache
def trigger(dimension: str) -> re.Pattern[str]:
    """Keywords or plain-spoken wording: what makes a sentence bear on the dimension."""
    plain = evidence_cues().dimensions.get(dimension)  # type: ignore[call-overload]
    return compiled((TRIGGERS[dimension].pattern, *(plain.patterns if plain else [])))


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
    reasoning: bool = False
    breadth: int = Field(0, description="how many candidate sentences bear on the dimension")

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


def most_specific(scored: list[tuple[int, Quote]], limit: int = 4) -> list[Quote]:
    """The evidence shown: the most specific of the relevant sentences (stable for ties)."""
    return [q for _, q in sorted(scored, key=lambda item: -item[0])[:limit]]


def relevant_sentences(dimension: str, candidate_texts: list[tuple[int, str]]) -> list[tuple[int, Quote]]:
    """Every candidate sentence that bears on the dimension, with a specificity score. A sentence of
    rubric vocabulary with no hard specific (timing, number, mechanism) is not evidence."""
    found_in = trigger(dimension)
    found: list[tuple[int, Quote]] = []
    for index, text in candidate_texts:
        for q in sentences_of(index, text):
            if not found_in.search(q.quote):
                continue
            sig = extract(q.quote)
            hard = sig.has_timing or sig.numbers > 0 or sig.has_mechanism
            if sig.jargon and not hard:
                continue
            f = features(dimension, [q.quote], signals=sig)
            found.append((f.specifics + 2 * f.core, q))
    return found


def specific(s: AnswerSignals) -> bool:
    """A sentence with something checkable in it: timing, a number, a mechanism or a named team."""
    return s.has_timing or s.numbers > 0 or s.has_mechanism or bool(s.teams)


def answer_sentences(dimension: str, answers: list[tuple[int, str]],
                     already: list[tuple[int, Quote]]) -> list[tuple[int, Quote]]:
    """The specific sentences (timing, a number, a mechanism, a named team) of the answers to the
    questions about the dimension that the scan has not found already: an answer is evidence for
    what it was asked, in whatever words it is told."""
    seen = {q.quote for _, q in already}
    found: list[tuple[int, Quote]] = []
    for index, text in answers:
        for q in sentences_of(index, text):
            if q.quote in seen:
                continue
            sig = extract(q.quote)
            if not specific(sig):
                continue
            f = features(dimension, [q.quote], signals=sig)
            found.append((f.specifics + 2 * f.core, q))
    return found


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


def features(dimension: str, quotes: list[str], signals: AnswerSignals | None = None) -> Features:
    """`signals` may be passed when the caller has already extracted them from the same text."""
    text = " ".join(quotes)
    if not text.strip():
        return Features()
    s = signals or extract(text)
    return Features(
        relevant=bool(trigger(dimension).search(text)),
        core=bool(CORE[dimension].search(text)),
        named=bool(s.teams),
        timing=s.has_timing,
        mechanism=s.has_mechanism,
        # A result told as a change counts even in small number words ("from four days to under six hours").
        numbers=states_result(text) or (s.numbers > 0 and (s.outcome > 0 or s.business > 0)),
        first_person=s.i_count > 0 and s.i_count >= s.we_count,
        reasoning=bool(_REASONING.search(text)),
    )
