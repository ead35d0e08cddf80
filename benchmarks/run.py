"""Benchmarks: speed and memory figures, printed and written to benchmarks/results.json.

    .venv/bin/python benchmarks/run.py [--only followup,grade,index,retrieval,paint] [--repeat N]

Numbers, not pass/fail: the README quotes them with the machine they ran on. Run on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANSWER_150 = (
    "I ran the migration of our card tokens from a vendor vault to our own. Four teams were involved: my payments "
    "platform team, checkout, the risk team, and the data warehouse team. We aligned with the risk team early, "
    "because their fraud model read the raw token in a nightly batch job, and that job would have broken silently "
    "at cutover. We worked closely with them and communicated the plan, and they agreed to update the join. "
    "Checkout needed the new tokenization API before their code freeze, so we agreed the contract first and they "
    "built against a stub. The vendor contract ended in March, which made the date real; missing it meant a "
    "renewal for another year. We shipped on time and the cutover was clean, with no failed payments during the "
    "switch, and the team was happy with how it went overall."
)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_followup(repeat: int) -> dict:
    from interviewer.config import Settings
    from interviewer.corpus import default_corpus
    from interviewer.interview.planner import ThreadState, decide
    from interviewer.interview.realizer import Realizer
    from interviewer.llm.base import as_dicts
    from interviewer.llm.local import LocalModel
    from interviewer.retrieval import LexicalRetriever

    t0 = time.perf_counter()
    model = LocalModel(Settings())
    load_s = time.perf_counter() - t0
    corpus = default_corpus()
    realizer = Realizer(model, LexicalRetriever(corpus))
    # In a session the question before each answer differs, so it is prefilled every time: each run
    # gets another one, and raw llama.cpp replays the same prompts in the same order.
    questions = [
        "Tell me about a time you needed another team to change their plan so your program could ship.",
        "Tell me about a program where a team you did not manage had to build something for you.",
        "Walk me through a migration where another team's system was in the way of your date.",
        "Tell me about a time you got a team to take on work that was not on their roadmap.",
        "Describe a launch where you depended on a team whose priorities were elsewhere.",
        "Tell me about a dependency on another team that put your delivery date at risk.",
    ]
    firsts, totals, raw_firsts, raw_totals, tokens = [], [], [], [], []
    prompts: list = []
    run_starts: list[int] = []
    orig_stream = model.stream

    def spy(messages, **kw):
        prompts.append(list(messages))
        return orig_stream(messages, **kw)

    model.stream = spy  # type: ignore[method-assign]
    from interviewer.embeddings import encode_one

    for i in range(repeat + 1):  # the first run warms the prompt cache, as the second turn of a session would
        encode_one.cache_clear()  # the planner reads the answer afresh each time, as for a new answer
        question = questions[i % len(questions)]
        thread = ThreadState(question_id="q", question_text=question, answers=[ANSWER_150])
        run_starts.append(len(prompts))  # a retried follow-up streams twice: its first prompt is the one to replay
        start = time.perf_counter()
        decision = decide(thread, "bar_raiser", max_depth=4)  # answer submitted -> planner -> realizer
        first: list[float] = []
        q = realizer.follow_up(question=question, answer=ANSWER_150, decision=decision, round_name="bar_raiser",
                               previous=[], on_token=lambda _p, first=first: first.append(time.perf_counter()) if not first else None)
        end = time.perf_counter()
        if i and first:
            firsts.append(first[0] - start)
            totals.append(end - start)
            tokens.append(model.count_tokens(q.text))
    # Raw llama.cpp on the same prompt, generating the same number of tokens, from the same cache
    # state: each of our prompts carries a fresh nonce, so each raw run gets one too.
    import re
    import secrets

    llm = model._llm
    for i in range(repeat + 1):
        messages = as_dicts(prompts[run_starts[i]])
        messages[-1]["content"] = re.sub(r"ANSWER [0-9a-f]{8}", f"ANSWER {secrets.token_hex(4)}", messages[-1]["content"])
        start = time.perf_counter()
        first_t = None
        n = 0
        for chunk in llm.create_chat_completion(messages, max_tokens=max(tokens or [30]),
                                                temperature=0.3, stream=True):
            if chunk["choices"][0]["delta"].get("content"):
                n += 1
                if first_t is None:
                    first_t = time.perf_counter()
        end = time.perf_counter()
        if i and first_t:
            raw_firsts.append(first_t - start)
            raw_totals.append(end - start)
    prompt_tokens = len(llm.tokenize("".join(m.content for m in prompts[-1]).encode()))
    model.close()
    return {
        "model_load_s": round(load_s, 2), "answer_words": len(ANSWER_150.split()), "prompt_tokens": prompt_tokens,
        "first_token_s_median": round(statistics.median(firsts), 2), "total_s_median": round(statistics.median(totals), 2),
        "raw_first_token_s_median": round(statistics.median(raw_firsts), 2),
        "raw_total_s_median": round(statistics.median(raw_totals), 2),
        "ratio_total_vs_raw": round(statistics.median(totals) / statistics.median(raw_totals), 2),
        "question_tokens_median": statistics.median(tokens) if tokens else None, "runs": len(totals),
    }


def bench_grade() -> dict:
    """Both grading paths on a 14-turn eval transcript (766 tokens) and on the issue's size, a 12-turn
    transcript of 2,300 tokens (benchmarks/data/long-12-turns.txt), graded three times and reported by
    its slowest run. The first grade in the process also reads the cue files, as a one-off
    `interviewer grade` does."""
    from interviewer.config import Settings
    from interviewer.grading.grader import grade_transcript
    from interviewer.grading.rubric import load_rubric
    from interviewer.importers import load_transcript
    from interviewer.llm.local import LocalModel

    rubric = load_rubric()
    out = {}
    long = ROOT / "benchmarks" / "data" / "long-12-turns.txt"
    # "long_every_word": the same transcript with the model reading every word (grade_words 0), the
    # time the word budget saves.
    for name, path, runs, words in (("eval", ROOT / "evals" / "transcripts" / "br-plain_spoken_strong-01.txt", 1, None),
                                    ("long", long, 3, None), ("long_every_word", long, 1, 0)):
        t = load_transcript(path)
        start = time.perf_counter()
        grade_transcript(t, rubric, None)
        rules = time.perf_counter() - start
        fulls, loads = [], []
        for _ in range(runs):
            # A fresh model each run, as each `interviewer grade` is: a warm cache would skip the prefill.
            start = time.perf_counter()
            model = LocalModel(Settings(grade_words=words))
            loads.append(time.perf_counter() - start)
            tokens = model.count_tokens(" ".join(x.text for x in t.turns))
            start = time.perf_counter()
            report = grade_transcript(t, rubric, model)
            fulls.append(round(time.perf_counter() - start, 1))
            model.close()
        out[name] = {"turns": len(t.turns), "transcript_tokens": tokens, "deterministic_s": round(rules, 3),
                     "with_model_s": max(fulls), "with_model_runs_s": fulls,
                     "model_load_s": round(max(loads), 1),
                     "model_read": next((n for n in report.notes if n.startswith("the model read")), "every word")}
    return out


def bench_index() -> dict:
    from interviewer.config import Settings
    from interviewer.corpus import default_corpus
    from interviewer.retrieval.index import CorpusIndex

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=ChromaSettings(anonymized_telemetry=False))
        index = CorpusIndex(Settings(), default_corpus(), client=client)
        seconds = index.build()
        queries = ["we aligned with infra", "when did you escalate", "how did you staff it", "what did it cost",
                   "which contract first", "explain it to the GM", "who disagreed", "what did you personally do"]
        from interviewer.embeddings import encode_one

        index.search(queries[0], kind="probe")  # warm
        lat = []
        for _ in range(5):
            for q in queries:
                encode_one.cache_clear()  # every query pays for its embedding, as a new answer would
                s = time.perf_counter()
                index.search(q, kind="probe", family=None, k=3)
                lat.append((time.perf_counter() - s) * 1000)
        return {"items": index._collection.count(), "build_s": round(seconds, 1),
                "query_ms_p50": round(pct(lat, 0.5), 1), "query_ms_p95": round(pct(lat, 0.95), 1)}


def bench_paint() -> dict:
    """Time from launch to the opening question on screen, in a real terminal (tmux)."""
    exe = Path(sys.executable).parent / "interviewer"
    results = []
    for i in range(3):
        with tempfile.TemporaryDirectory() as home:
            (Path(home) / "cache").mkdir()
            (Path(home) / "cache" / "models").symlink_to(BENCH_HOME / "cache" / "models")
            name = f"bench{os.getpid()}{i}"
            start = time.perf_counter()
            subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                            f"INTERVIEWER_HOME={home} {exe} loop --seed 1; sleep 30"], check=True)
            painted = None
            while time.perf_counter() - start < 30:
                out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
                if "Bar Raiser ·" in out and " █ " in out:  # status bar and the opening question
                    painted = time.perf_counter() - start
                    break
                time.sleep(0.02)
            if painted is None:
                print("paint: screen was:", out[-600:], file=sys.stderr)
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
            results.append(painted)
    ok = [r for r in results if r is not None]
    return {"first_paint_s_median": round(statistics.median(ok), 2) if ok else None, "runs": len(ok)}


def bench_ui_freeze() -> dict:
    """Longest gap between 10 ms UI ticks while the real model loads and writes a follow-up."""
    import asyncio

    from interviewer.app.main import InterviewApp
    from interviewer.app.widgets import ChatInput
    from interviewer.config import Settings
    from interviewer.corpus import default_corpus
    from interviewer.interview.engine import Interview
    from interviewer.llm.local import LocalModel
    from interviewer.retrieval import LexicalRetriever

    settings = Settings()
    corpus = default_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INTERVIEWER_HOME"] = tmp
        (Path(tmp) / "cache").mkdir()
        (Path(tmp) / "cache" / "models").symlink_to(BENCH_HOME / "cache" / "models")
        iv = Interview.start(settings, corpus, None, seed=1, retriever=LexicalRetriever(corpus))
        app = InterviewApp(settings, interview=iv, model_factory=lambda: LocalModel(settings))
        gaps: list[float] = []

        async def scenario() -> None:
            async with app.run_test(size=(100, 30)) as pilot:
                last = [time.perf_counter()]

                def tick() -> None:
                    now = time.perf_counter()
                    gaps.append(now - last[0])
                    last[0] = now

                app.set_interval(0.01, tick)
                app.query_one(ChatInput).insert(ANSWER_150)
                await pilot.press("enter")
                await app.workers.wait_for_complete()
                await pilot.pause()

        start = time.perf_counter()
        asyncio.run(scenario())
        elapsed = time.perf_counter() - start
        iv.close()
        os.environ["INTERVIEWER_HOME"] = str(BENCH_HOME)
    return {"ticks": len(gaps), "max_gap_ms": round(max(gaps) * 1000, 1),
            "p99_gap_ms": round(pct(gaps, 0.99) * 1000, 1), "load_and_follow_up_s": round(elapsed, 1)}


BENCH_HOME = Path(tempfile.gettempdir()) / "interviewer-bench-home"


def main() -> int:
    # One home for the whole run: the model is joined once, not inside a timed section.
    os.environ["INTERVIEWER_HOME"] = str(BENCH_HOME)
    from interviewer.llm.model_file import ensure_model

    ensure_model()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="followup,grade,index,paint,ui")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results.json"
    # A partial run (--only) replaces its own entries and keeps the others, each stamped with when it ran.
    results = json.loads(out.read_text()) if out.is_file() else {}
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results.update({"machine": machine(), "when": when})
    for name in args.only.split(","):
        start = time.perf_counter()
        fn = {"followup": lambda: bench_followup(args.repeat), "grade": bench_grade, "index": bench_index,
              "paint": bench_paint, "ui": bench_ui_freeze}[name]
        results[name] = fn()
        results[name]["bench_s"] = round(time.perf_counter() - start, 1)
        results[name]["when"] = when
        print(name, json.dumps(results[name]), flush=True)
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print("peak_rss_mib", results["peak_rss_mib"])
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
