"""Spelled-out numbers as digits, for the regexes that read numbers.

Answers are spoken or typed as speech: "went from fifty-two to sixty-three percent", "five hundred and
twelve GPUs", "zero point seven eight". The signal patterns read digits, so without this a result told
in words counts as no result. text2num does the conversion; a single-digit number standing alone stays
a word ("one of them", "two teams" are not data, and the timing patterns already read them); "ten" and
above always become digits.
The converted text is only ever counted, never shown: quotes keep the candidate's own words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

# Isolated numbers below this stay words. text2num applies it to single digits only (it writes "ten" as
# 10 whatever the threshold) and converts grouped numbers ("fifty-two") whatever their size.
ISOLATED_THRESHOLD = 10
# "10 million" is already a number; text2num would turn its scale word alone into "10 1000000".
_DIGITS_AND_SCALE = re.compile(r"\d[\d,.]*\s*(?:hundred|thousand|million|billion|trillion)\b", re.I)


@lru_cache(maxsize=4096)
def digits(text: str) -> str:
    """`text` with its spelled-out numbers written as digits ("thirty percent" -> "30 percent")."""
    if not text:
        return text
    out, last = [], 0
    for m in _DIGITS_AND_SCALE.finditer(text):
        out += [_convert(text[last:m.start()]), m.group(0)]
        last = m.end()
    return "".join(out + [_convert(text[last:])])


def _convert(piece: str) -> str:
    return alpha2digit(piece, "en", threshold=ISOLATED_THRESHOLD) if piece.strip() else piece
