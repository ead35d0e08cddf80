"""What the model reads of a long transcript when grading (grading/condense.py) and how the grader,
the backends and the eval cache use the word budget."""

import json
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.evaluation import grader_suite
from interviewer.grading.condense import GAP, condense
from interviewer.grading.grader import grade_transcript
from interviewer.grading.level_model import load_level_model
from interviewer.grading.rubric import load_rubric
from interviewer.importers import load_transcript, parse_plain_text
from interviewer.llm.fake import FakeChatModel
from interviewer.llm.openai_backend import OpenAIModel

LONG = Path(__file__).parents[1] / "benchmarks" / "data" / "long-12-turns.txt"
VAGUE = "Honestly it was a really interesting time for everybody involved and we learned a lot together."
SPECIFIC = "In week 3 I offered the payments team two of my engineers if they froze the API by June 1."


@pytest.fixture(scope="module")
def relevance():
    return load_level_model().relevance


def long_turns():
    return [(i, t.text) for i, t in load_transcript(LONG).candidate_turns()]


def words(text):
    return len(text.split())


def test_under_the_budget_the_model_reads_every_word_unchanged(relevance):
    turns = long_turns()
    for budget in (None, 0, 10_000):
        view = condense(turns, budget, relevance)
        assert view.turns == turns and not view.condensed
        assert view.words_shown == view.words_total


def test_over_the_budget_it_keeps_whole_sentences_in_order_within_the_budget(relevance):
    turns = long_turns()
    view = condense(turns, 600, relevance)
    assert view.condensed and view.words_total > 1800
    assert 0 < view.words_shown <= 600
    assert sum(words(t.replace(GAP, "")) for _, t in view.turns) == view.words_shown
    originals = dict(turns)
    for index, shown in view.turns:
        pieces = [p.strip() for p in shown.split(GAP) if p.strip()]
        assert pieces, f"turn {index} lost every sentence"
        flat, at = " ".join(originals[index].split()), 0
        for piece in pieces:  # verbatim, and in the candidate's order
            found = flat.find(piece, at)
            assert found >= 0, piece
            at = found + len(piece)
        assert f"{GAP} {GAP}" not in shown


def test_specific_sentences_are_kept_before_vague_ones(relevance):
    text = f"{VAGUE} {SPECIFIC} {VAGUE.replace('really', 'truly')}"
    view = condense([(1, text)], words(SPECIFIC) + 2, relevance)
    assert view.turns == [(1, f"{GAP} {SPECIFIC} {GAP}")]
    assert view.sentences_shown == 1 and view.sentences_total == 3


def test_every_answer_keeps_its_share(relevance):
    # Ranked over the whole transcript, the long answer's sentences would come first (equal scores,
    # earlier turn) and leave the short answer nothing.
    long = " ".join([SPECIFIC.replace("3", str(w)) for w in range(4, 12)])
    short = f"{SPECIFIC} {VAGUE}"
    view = condense([(1, long), (3, short)], 120, relevance)
    shown = dict(view.turns)
    assert SPECIFIC in shown[3]
    assert words(shown[1].replace(GAP, "")) <= 120 - words(SPECIFIC)
    assert view.words_shown <= 120


def test_the_grader_shows_the_model_the_condensed_transcript_and_says_so():
    text = LONG.read_text()
    full_model = FakeChatModel(default='{"quotes": []}')
    full = grade_transcript(parse_plain_text(text, name="long.txt"), load_rubric(), full_model)
    short_model = FakeChatModel(default='{"quotes": []}')
    short_model.grade_words = 500
    short = grade_transcript(parse_plain_text(text, name="long.txt"), load_rubric(), short_model)

    full_prompt, short_prompt = full_model.prompts[0][1].content, short_model.prompts[0][1].content
    dropped = "I didn't start by escalating."
    assert dropped in full_prompt and GAP not in full_prompt
    assert GAP in short_prompt and dropped not in short_prompt
    assert len(short_prompt) < 0.5 * len(full_prompt)
    # All six calls share the condensed transcript as their prefix.
    assert all(p[1].content.startswith(short_prompt.split("Task:")[0]) for p in short_model.prompts)
    assert not any("the model read" in n for n in full.notes)
    note = next(n for n in short.notes if n.startswith("the model read"))
    assert "of 78 candidate sentences" in note and "grade_words is 500" in note
    # The rules read every sentence either way: the same words, the same statistics.
    assert short.stats == full.stats


def test_a_quote_from_the_condensed_view_verifies_against_the_full_turn():
    quote = "I offered that my data quality squad would build the data pipeline behind that dashboard"
    model = FakeChatModel(default=json.dumps({"quotes": [{"turn": 3, "quote": quote}]}))
    model.grade_words = 500
    report = grade_transcript(load_transcript(LONG), load_rubric(), model)
    shown = [q.quote for d in report.scores.values() for q in d.evidence if q.source == "llm"]
    assert any(s.startswith(quote) for s in shown)


def test_the_backends_take_the_budget_from_settings():
    url = {"openai_base_url": "http://127.0.0.1:9/v1"}
    assert OpenAIModel(Settings(**url)).grade_words is None  # a remote model reads every word by default
    assert OpenAIModel(Settings(grade_words=800, **url)).grade_words == 800
    assert OpenAIModel(Settings(grade_words=0, **url)).grade_words is None
    assert Settings(grade_words=None).grade_words is None
    with pytest.raises(ValueError):
        Settings(grade_words=-1)


def test_the_eval_cache_tells_budgets_apart(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path))
    label = grader_suite.load_labels("labels_a.yaml")[0]
    keys = []
    real = grader_suite._cache_key
    monkeypatch.setattr(grader_suite, "_cache_key", lambda *a: keys.append(a[2]) or real(*a))
    for budget in (None, 300):
        model = FakeChatModel(default='{"quotes": []}')
        model.grade_words = budget
        grader_suite._grade_item(label, load_rubric(), model, use_cache=True)
    assert len(set(keys)) == 2


def test_grade_words_flag_reaches_the_model(capsys):
    from interviewer.cli import main
    from interviewer.llm.registry import register_backend, unregister_backend

    model, seen = FakeChatModel(default='{"quotes": []}'), []

    def factory(settings):
        seen.append(settings.grade_words)
        model.grade_words = settings.grade_words
        return model

    register_backend("fake-words", factory)
    try:
        assert main(["grade", str(LONG), "--format", "json", "--backend", "fake-words", "--words", "400"]) == 0
    finally:
        unregister_backend("fake-words")
    data = json.loads(capsys.readouterr().out)
    assert seen == [400]
    assert any(n.startswith("the model read") and "grade_words is 400" in n for n in data["notes"])


@pytest.mark.parametrize("value", ["-3", "many"])
def test_a_bad_word_count_is_one_line_and_exit_2(value, capsys):
    from interviewer.cli import main

    assert main(["grade", str(LONG), "--no-llm", "--words", value]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--words" in err


def test_the_labeled_eval_transcripts_are_read_whole_at_the_default_budget(relevance):
    """The grader eval's figures with the embedded model are for whole transcripts: none of the labeled
    transcripts reaches the local backend's default budget (the stress eval sets a lower one)."""
    from interviewer.llm.local import LOCAL_GRADE_WORDS

    folder = Path(__file__).parents[1] / "evals" / "transcripts"
    files = sorted(folder.glob("*.txt"))
    assert len(files) >= 42
    for path in files:
        turns = [(i, t.text) for i, t in load_transcript(path).candidate_turns()]
        assert not condense(turns, LOCAL_GRADE_WORDS, relevance).condensed, path.name


def test_text_without_sentence_ends_is_read_in_pieces(relevance):
    """An unpunctuated caption export can be one 2,000-word sentence; the model still reads some of it."""
    from interviewer.grading.condense import PIECE_WORDS

    run_on = " ".join(f"in week {w} I asked the billing team for two engineers and they agreed" for w in range(200))
    view = condense([(1, run_on)], 300, relevance)
    shown = view.turns[0][1]
    assert 300 - PIECE_WORDS < view.words_shown <= 300
    assert all(piece.strip() in run_on for piece in shown.split(GAP) if piece.strip())


def test_with_a_budget_one_long_answer_is_condensed_not_cut_at_its_start():
    """Without a budget each answer is cut after its first 350 words; with one, the budget bounds the
    prompt and a single long answer keeps its best sentences from anywhere in it."""
    filler = " ".join(f"There was a lot going on in the program at that point number {w}." for w in range(60))
    late = "In week 9 I offered the payments team two engineers if they froze the API by June 1."
    text = f"# round: bar_raiser\nInterviewer: Tell me about it.\nCandidate: {filler} {late}\n"
    for budget, expect_late in ((None, False), (600, True)):
        model = FakeChatModel(default='{"quotes": []}')
        model.grade_words = budget
        grade_transcript(parse_plain_text(text, name="t.txt"), load_rubric(), model)
        assert (late in model.prompts[0][1].content) is expect_late
