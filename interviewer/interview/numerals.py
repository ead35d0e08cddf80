"""Spelled-out numbers as digits, for the regexes that read numbers.

Answers are spoken or typed as speech: "went from fifty-two to sixty-three percent", "five hundred and
twelve GPUs", "zero point seven eight". The signal patterns read digits, so without this a result told
in words counts as no result. text2num does the conversion; numbers of twelve or less standing alone
stay words ("one of them", "two teams" are not data, and the timing patterns already read them).
The converted text is only ever counted, never shown: quotes keep the candidate's own words.
"""

from __future__ import annotations

from functools import lru_cache

from text_to_num import alpha2digit

# Isolated numbers at or below this stay words (text2num converts grouped ones whatever their size).
ISOLATED_THRESHOLD = 12


@lru_cache(maxsize=4096)
def digits(text: str) -> str:
    """`text` with its spelled-out numbers written as digits ("thirty percent" -> "30 percent")."""
    if not text:
        return text
    return alpha2digit(text, "en", threshold=ISOLATED_THRESHOLD)
