"""What the embedded model's greedy decoding proposes to check in one batch (interviewer/llm/lookup_decoding.py).
The decoding itself runs on the real model in test_backends_real.py and in the grader eval."""

import numpy as np
import pytest

from interviewer.llm.lookup_decoding import propose


def ids(*tokens: int) -> np.ndarray:
    return np.array(tokens, dtype=np.intc)


@pytest.mark.parametrize("history,expected", [
    # The last two tokens (2, 3) occurred before: what followed them is proposed, at most four tokens.
    (ids(1, 2, 3, 4, 5, 6, 7, 9, 2, 3), [4, 5, 6, 7]),
    # A three-token match wins over an earlier two-token one.
    (ids(8, 3, 0, 1, 8, 3, 5, 6, 1, 8, 3), [5, 6, 1, 8]),
    # Of several occurrences, the earliest.
    (ids(2, 3, 7, 2, 3, 9, 2, 3), [7, 2, 3, 9]),
    # The continuation stops at the end of what is known.
    (ids(5, 2, 3, 6, 2, 3), [6, 2, 3]),
    # One shared token is not enough: a lone repeated token proposes nothing.
    (ids(1, 2, 3, 4, 5, 9, 3), []),
    (ids(3), []),
    (ids(), []),
])
def test_proposes_what_followed_the_last_tokens_earlier(history, expected):
    assert propose(history) == expected


def test_the_count_is_a_parameter():
    assert propose(ids(1, 2, 3, 4, 5, 6, 1, 2), count=2) == [3, 4]
