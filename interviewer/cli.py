"""The `interviewer` command. Every failure is one line on stderr and an exit code (DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import InterviewerError, UserError

ROUNDS = ("bar_raiser", "leadership_principles", "program_design")
FORMATS = ("text", "json", "markdown", "html")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the whole usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="interviewer", description="A mock Bar Raiser for Amazon TPM interviews.")
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    loop = sub.add_parser("loop", help="run a mock interview (the terminal app, or --headless)",
                          description="Run a mock interview round. Every turn is saved the moment it exists.")
    loop.add_argument("--round", choices=ROUNDS, help="which round (default: from config, bar_raiser)")
    loop.add_argument("--backend", help="local (embedded model, default) or openai")
    loop.add_argument("--resume", metavar="ID", help="continue a saved session (id or path)")
    loop.add_argument("--principles", metavar="LP,LP", help="leadership_principles round: the 2-3 LPs to assess")
    loop.add_argument("--mode", choices=("realistic", "practice"), help="practice shows a hint after each answer")
    loop.add_argument("--seed", type=int, help="question order seed (for reproducible runs)")
    loop.add_argument("--headless", action="store_true", help="no UI: answers come from --answers")
    loop.add_argument("--answers", type=Path, metavar="FILE", help="headless: answers separated by lines holding only ---")
    loop.add_argument("--out", type=Path, metavar="FILE", help="headless: transcript JSON, rewritten after every turn")
    loop.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    loop.add_argument("--new", action="store_true", help="start a new session without the session picker")
    loop.add_argument("--question", metavar="ID", help="open with this question from the bank (its round, scenario "
                                                       "and principle follow); list them: interviewer corpus questions")

    grade = sub.add_parser("grade", help="grade a transcript on the rubric",
                           description="Grade a saved session or a transcript file (JSON, plain text).")
    grade.add_argument("file", type=Path,
                       help="session file, transcript JSON, plain text, WebVTT, SRT or Markdown chat export")
    grade.add_argument("--speakers", metavar="NAME=ROLE,...",
                       help="captions/Markdown: map speaker names to interviewer/candidate (default: first speaker "
                            "is the interviewer when there are two)")
    grade.add_argument("--format", choices=FORMATS, default="text")
    grade.add_argument("--backend", help="local (default) or openai")
    grade.add_argument("--no-llm", action="store_true",
                       help="the deterministic rules only: no model loaded, the same grade every time, under a second")
    grade.add_argument("--rubric", type=Path, help="grade under another rubric file (YAML)")
    grade.add_argument("--words", type=_word_count, metavar="N", dest="grade_words",
                       help="the most candidate words the model reads; a longer transcript is shown to it by its "
                            "most specific sentences (default: config grade_words, 1200 for the embedded model; "
                            "0: every word, slower)")
    grade.add_argument("--scenario", metavar="ID",
                       help="program_design: check the plan against this corpus scenario (default: the one the "
                            "session recorded, or a '# scenario:' line in a text transcript)")

    corpus = sub.add_parser("corpus", help="build or search the corpus index",
                            description="The question bank, probes and exemplars, indexed in Chroma.")
    csub = corpus.add_subparsers(dest="corpus_command", metavar="ACTION", parser_class=_Parser, required=True)
    csub.add_parser("build", help="(re)build the index now", description="Build the Chroma index of the corpus.")
    listing = csub.add_parser("questions", help="list the question bank",
                              description="The opening questions, with the ids `interviewer loop --question` takes.")
    listing.add_argument("--round", choices=ROUNDS)
    listing.add_argument("--principle", help="Leadership Principle key")
    search = csub.add_parser("search", help="search the corpus",
                             description="Search the corpus index. Probe search without --family lists one probe "
                                         "per gap (probe family), the gap the text most likely leaves out first.")
    search.add_argument("query", help="an answer, a gap description, any text")
    search.add_argument("--kind", choices=("probe", "exemplar", "question", "principle", "scenario", "user_doc"),
                        help="user_doc searches your own documents (config: user_docs)")
    search.add_argument("--family", help="probe family (mechanism, timing, ...)")
    search.add_argument("--round", choices=ROUNDS)
    search.add_argument("--dimension", help="rubric dimension (exemplars)")
    search.add_argument("--level", type=int, choices=(1, 2, 3, 4), help="exemplar level")
    search.add_argument("--principle", help="Leadership Principle key (questions)")
    search.add_argument("-k", type=int, default=5, help="how many results (default 5)")

    ev = sub.add_parser("eval", help="run the offline eval suite",
                        description="Measure grader, interviewer and retrieval against labeled data in evals/. "
                                    "Exits 1 when a threshold fails.")
    ev.add_argument("--suite", choices=("grader", "interviewer", "retrieval", "simulation", "all"), default="all",
                    help="all = interviewer, retrieval, grader (simulation runs the model through whole sessions)")
    ev.add_argument("--backend", help="backend for the grader suite (default: config)")
    ev.add_argument("--no-llm", action="store_true", help="grader suite on the deterministic rules only")
    ev.add_argument("--jobs", type=int, default=1, help="items graded at once (remote backends)")
    ev.add_argument("--no-cache", action="store_true", help="re-grade items even if cached")
    ev.add_argument("--out", type=Path, help="folder for eval.json and eval.md (default: data dir)")

    export = sub.add_parser("export", help="export a saved session as transcript JSON or Markdown",
                            description="Write a saved session as transcript JSON (DESIGN.md) or Markdown.")
    export.add_argument("session", help="session id or session file")
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write it")
    export.add_argument("--format", choices=("json", "markdown"), default="json")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    replay = sub.add_parser("replay", help="step through a transcript and the planner's decisions",
                            description="Step through a saved session or transcript: each follow-up's planner "
                                        "decision and why it was asked; the turns the grade cites are marked.")
    replay.add_argument("file", help="session id, session file or transcript file")

    sub.add_parser("history", help="your progress across graded sessions",
                   description="Per-dimension trend across graded sessions, recurring gaps, what to practise next.")

    sub.add_parser("sessions", help="list saved sessions", description="List saved sessions, newest first.")
    sub.add_parser("config", help="print the effective configuration (secrets masked)",
                   description="Print the effective configuration, with where it is read from. Secrets are masked.")
    doctor = sub.add_parser("doctor", help="check the model, embeddings, index and backend",
                            description="Check that everything the tool needs is in place; print a fix per failure.")
    doctor.add_argument("--backend", help="check this backend instead of the configured one")
    doctor.add_argument("--full", action="store_true", help="re-hash the model file (takes a few seconds)")
    return parser


def _word_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of words, 0 or more, got {text!r}")
    return value


def _settings(args: argparse.Namespace):
    from .config import load_settings

    return load_settings(backend=getattr(args, "backend", None), round=getattr(args, "round", None),
                         mode=getattr(args, "mode", None), grade_words=getattr(args, "grade_words", None))


def cmd_config(args: argparse.Namespace) -> int:
    from .config import config_path
    from . import paths

    settings = _settings(args)
    print(f"# config file: {config_path()} ({'present' if config_path().is_file() else 'absent'})")
    print(f"# data dir: {paths.data_dir()}")
    print(f"# cache dir: {paths.cache_dir()}")
    for key, value in settings.public_dict().items():
        print(f"{key} = {json.dumps(value)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .store import load_session, resolve_session, write_atomic

    if args.out.exists() and not args.force:
        raise UserError(f"{args.out} exists; pass --force to overwrite it")
    loaded = load_session(resolve_session(args.session))
    t = loaded.transcript
    if args.format == "json":
        text = t.to_json() + "\n"
    else:
        lines = [f"# {t.round.replace('_', ' ')} mock interview {t.id}", ""]
        for turn in t.turns:
            lines += [f"**{turn.role.capitalize()}:** {turn.text}", ""]
        text = "\n".join(lines)
    write_atomic(args.out, text, mode=0o600)
    for problem in loaded.problems:
        print(f"# {problem}", file=sys.stderr)
    print(f"wrote {len(t.turns)} turns to {args.out}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from .app.replay import ReplayApp
    from .grading.grader import grade_transcript
    from .grading.rubric import load_rubric
    from .importers import load_transcript
    from .store import SUFFIX, load_session, session_path

    path = Path(args.file).expanduser()
    grade, problems = None, []
    if not path.exists() and session_path(args.file).exists():
        path = session_path(args.file)
    if path.suffix == SUFFIX and path.exists():
        loaded = load_session(path)
        transcript, problems = loaded.transcript, loaded.problems
        grade = loaded.grades[-1] if loaded.grades else None
    else:
        transcript = load_transcript(path)
    if grade is None and transcript.candidate_turns():
        # The quick, deterministic grade marks the cited turns; `interviewer grade` runs the full one.
        grade = grade_transcript(transcript, load_rubric(), None).model_dump(mode="json")
    ReplayApp(transcript, grade, problems).run()
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from .history import collect, render

    print(render(collect()))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    from .store import list_sessions

    rows = list_sessions()
    if not rows:
        print("no saved sessions yet: start one with `interviewer loop`")
        return 0
    if sys.stdin.isatty() and sys.stdout.isatty():
        from .app.main import run_app
        from .app.picker import NEW, SessionPicker

        settings = _settings(args)
        choice = SessionPicker(round_name=settings.round).run()
        if choice is None:
            return 0
        return run_app(settings, resume=None if choice == NEW else choice, pick=False)
    for r in rows:
        created = r.created.strftime("%Y-%m-%d %H:%M") if r.created else "?"
        status = r.vote or (r.ended or "open")
        print(f"{r.id}  {created}  {r.round:<22} {r.turns:>3} turns  {status}")
    return 0


def _read_answers(path: Path) -> list[str]:
    from .importers import MAX_BYTES

    if not path.is_file():
        raise UserError(f"answers file {path} does not exist" if not path.exists() else f"{path} is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"answers file {path} is over 5 MB")
    # Non-UTF-8 bytes are replaced, not fatal: a candidate's paste should not end the session.
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    answers, current = [], []
    for line in text.split("\n"):
        if line.strip() == "---":
            answers.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    if any(s.strip() for s in current):
        answers.append("\n".join(current).strip())
    return answers


def cmd_loop(args: argparse.Namespace) -> int:
    if not args.headless:
        if args.answers or args.out:
            raise UserError("--answers and --out go with --headless")
        from .app.main import run_app

        pick = not (args.new or args.round or args.principles or args.seed is not None or args.question)
        _check_question(args)
        return run_app(_settings(args), resume=args.resume, principles=_principles(args), seed=args.seed, pick=pick,
                       question=args.question)
    if not args.answers or not args.out:
        raise UserError("--headless needs --answers FILE and --out FILE")
    answers = _read_answers(args.answers)
    _check_question(args)
    if args.out.exists() and not args.force:
        raise UserError(f"{args.out} exists; pass --force to overwrite it")
    if args.out.parent and not args.out.parent.exists():
        raise UserError(f"the folder of --out ({args.out.parent}) does not exist")
    settings = _settings(args)
    from .corpus import default_corpus
    from .interview.engine import Interview
    from .store import write_atomic

    corpus = default_corpus()
    if args.resume:  # a session open elsewhere is refused at once, not after the model loads
        from .store import SessionWriter, resolve_session

        SessionWriter.check_free(resolve_session(args.resume))
    model = _ready_model(settings)  # a backend that cannot load is exit 3 before any other work
    retriever = _retriever(settings, corpus)

    def save(index: int, turn) -> None:
        write_atomic(args.out, interview.transcript.to_json() + "\n", mode=0o600)
        label = "Interviewer" if turn.role == "interviewer" else "Candidate"
        print(f"{label}: {turn.text}", flush=True)

    if args.resume:
        interview = _resume(args.resume, settings, corpus, model, save, retriever)
        if not interview.transcript.turns:
            interview.opening()
        interview.reply_if_pending()  # the answer saved just before a crash gets its follow-up first
    else:
        interview = Interview.start(settings, corpus, model, round_name=args.round, principles=_principles(args),
                                    seed=args.seed, on_turn=None, retriever=retriever, question=args.question)
        interview.on_turn = save
        interview.opening()
    try:
        for text in answers:
            if interview.finished:
                break
            interview.answer(text)
        if not interview.finished:
            interview.end("answers ran out")
        write_atomic(args.out, interview.transcript.to_json() + "\n", mode=0o600)
    finally:
        interview.close()
        model.close()
    print(f"# session {interview.transcript.id} saved; transcript in {args.out}", file=sys.stderr)
    return 0


def _ready_model(settings):
    """The configured backend, proven reachable before any work is done: a remote endpoint that
    cannot be reached is exit 3 with the fix, not a session full of fallbacks."""
    from .llm import get_model

    model = get_model(settings)
    if model.backend == "openai":
        try:
            model.ping()
        except InterviewerError:
            model.close()
            raise
    return model


def _retriever(settings, corpus):
    """The Chroma-backed probe retriever; the lexical one (said on stderr) if the embedded index fails."""
    from .retrieval import LexicalRetriever
    from .retrieval.index import CorpusIndex, VectorRetriever

    try:
        index = CorpusIndex(settings, corpus)
        index.ensure(lambda msg: print(f"# corpus index: {msg}", file=sys.stderr))
        return VectorRetriever(index)
    except InterviewerError:
        raise
    except Exception as exc:  # a damaged local index must not end the interview
        print(f"# corpus index unavailable ({type(exc).__name__}); using lexical probe ranking", file=sys.stderr)
        return LexicalRetriever(corpus)


def _resume(ref: str, settings, corpus, model, on_turn, retriever=None):
    from .interview.engine import Interview
    from .store import SessionWriter, load_session, resolve_session

    path = resolve_session(ref)
    loaded = load_session(path)
    for problem in loaded.problems:
        print(f"# {path.name}: {problem}", file=sys.stderr)
    writer = SessionWriter.resume(path)
    interview = Interview(loaded.transcript, corpus=corpus, settings=settings, model=model, writer=writer,
                          on_turn=on_turn, retriever=retriever)
    return interview


def _check_question(args: argparse.Namespace) -> None:
    """--question names a question in the bank that fits --round and --principles (one line, exit 2)."""
    if not args.question:
        return
    if args.resume:
        raise UserError("--question starts a new session; it does not go with --resume")
    from .corpus import default_corpus
    from .interview.engine import opening_question

    try:  # the same checks the session applies, made before any model or UI loads
        opening_question(default_corpus(), args.question, round_name=args.round, principles=_principles(args))
    except ValueError as exc:
        raise UserError(f"{exc}; list them: interviewer corpus questions") from None


def _principles(args: argparse.Namespace) -> list[str] | None:
    if not getattr(args, "principles", None):
        return None
    from .corpus import PRINCIPLES

    keys = [p.strip() for p in args.principles.split(",") if p.strip()]
    unknown = [k for k in keys if k not in PRINCIPLES]
    if unknown:
        raise UserError(f"unknown principle {unknown[0]!r}; known: {', '.join(PRINCIPLES)}")
    if not 1 <= len(keys) <= 3:
        raise UserError("--principles takes one to three principles")
    return keys


def cmd_grade(args: argparse.Namespace) -> int:
    from .grading.grader import grade_transcript
    from .grading.report import render
    from .grading.rubric import load_rubric
    from .importers import load_transcript

    from .corpus import default_corpus
    from .grading.grader import scenario_for

    transcript = load_transcript(args.file, speakers=args.speakers)
    rubric = load_rubric(args.rubric)
    scenario_for(transcript, default_corpus(), args.scenario)  # an unknown --scenario fails before the model loads
    model = None if args.no_llm else _ready_model(_settings(args))
    try:
        report = grade_transcript(transcript, rubric, model, scenario=args.scenario)
    finally:
        if model is not None:
            model.close()
    if args.format == "text" and sys.stdin.isatty() and sys.stdout.isatty():
        from .app.main import ReportApp

        ReportApp(report).run()  # the report screen: scroll, export Markdown (m) or HTML (h)
        return 0
    print(render(report, transcript, args.format))
    return 0


def _list_questions(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .corpus import PRINCIPLES, default_corpus

    if args.principle is not None and args.principle not in PRINCIPLES:
        raise UserError(f"unknown principle {args.principle!r}; known: {', '.join(PRINCIPLES)}")
    rows = [q for q in default_corpus().questions
            if (args.round is None or q.round == args.round) and (args.principle is None or args.principle in q.principles)]
    table = Table()
    table.add_column("id", no_wrap=True)
    table.add_column("round", no_wrap=True)
    table.add_column("principles", overflow="fold", ratio=1)
    table.add_column("question", overflow="fold", ratio=3)
    for q in rows:
        table.add_row(q.id, q.round, ", ".join(q.principles), q.text)
    Console().print(table if rows else "no questions match")
    return 0


def cmd_corpus(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .corpus import DIMENSIONS, PRINCIPLES
    from .retrieval.index import CorpusIndex
    from .transcript import PROBE_FAMILIES

    if args.corpus_command == "questions":
        return _list_questions(args)
    if args.corpus_command == "search":
        # Checked before either search path: your documents take the same -k, and a bad name is bad input there too.
        if not args.query.strip():
            # An empty query embeds to nothing in particular: the table it drew looked like an answer.
            raise UserError("the search query is empty; give some text to search for")
        for value, known, name in ((args.family, PROBE_FAMILIES, "family"), (args.dimension, DIMENSIONS, "dimension"),
                                   (args.principle, PRINCIPLES, "principle")):
            if value is not None and value not in known:
                raise UserError(f"unknown {name} {value!r}; known: {', '.join(known)}")
        if not 1 <= args.k <= 50:
            raise UserError("-k takes 1 to 50")
    settings = _settings(args)
    index = CorpusIndex(settings)
    err = Console(stderr=True)
    if args.corpus_command == "build":
        with err.status("building the corpus index"):
            seconds = index.build(lambda msg: err.log(msg))
        print(f"indexed {index._collection.count()} items in {seconds:.1f} s ({index.name})")
        if settings.user_docs:
            from .retrieval.user_docs import UserDocsIndex

            with err.status("indexing your documents"):
                n = UserDocsIndex(index.client, settings.user_docs).build()
            print(f"indexed {n} chunks of your documents from {settings.user_docs}")
        return 0
    if args.kind == "user_doc":
        if not settings.user_docs:
            raise UserError("no user_docs folder configured (set user_docs in config.toml or INTERVIEWER_USER_DOCS)")
        from .retrieval.user_docs import UserDocsIndex

        hits = UserDocsIndex(index.client, settings.user_docs).search(args.query, k=args.k)
        table = Table()
        for col in ("score", "id", "text"):
            table.add_column(col, overflow="fold")
        for h in hits:
            table.add_row(f"{h.score:.3f}", h.id, h.text[:400])
        Console().print(table if hits else "no matches")
        return 0
    with err.status("opening the corpus index"):
        index.ensure(lambda msg: err.log(msg))
    hits = index.search(args.query, k=args.k, kind=args.kind, family=args.family, round_name=args.round,
                        dimension=args.dimension, level=args.level, principle=args.principle)
    by_gap = any("family_score" in h.metadata for h in hits)
    # Unfiltered probe search lists one probe per gap, gaps in the family model's order (its score).
    table = Table(show_lines=False, caption="one probe per gap, most likely gap first" if by_gap else None)
    for col in (("gap", "score", "id", "text") if by_gap else ("score", "id", "text")):
        table.add_column(col, overflow="fold")
    for h in hits:
        row = (f"{h.score:.3f}", h.id, h.text)
        table.add_row(*((f"{h.metadata['family_score']:.2f}",) + row if by_gap else row))
    Console().print(table if hits else "no matches")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from . import paths
    from .evaluation import grader_suite, other_suites, report
    from .evaluation.data import load_thresholds
    from .grading.rubric import load_rubric
    from .transcript import now

    if not 1 <= args.jobs <= 16:
        raise UserError("--jobs takes 1 to 16")
    settings = _settings(args)
    thresholds = load_thresholds()
    suites = ["interviewer", "retrieval", "grader"] if args.suite == "all" else [args.suite]
    results = []
    for suite in suites:
        if suite == "interviewer":
            results.append(other_suites.run_interviewer(settings, thresholds))
        elif suite == "retrieval":
            results.append(other_suites.run_retrieval(settings, thresholds))
        elif suite == "simulation":
            from .evaluation import simulation

            model = None if args.no_llm else _ready_model(settings)
            try:
                results.append(simulation.run(model, settings, thresholds))
            finally:
                if model is not None:
                    model.close()
        else:
            from .llm import get_model

            model = None if args.no_llm else get_model(settings)
            try:
                with Progress(transient=True) as bar:
                    task = bar.add_task("grading labeled transcripts", total=None)

                    def tick(done: int, total: int, item: str, task=task) -> None:
                        bar.update(task, completed=done, total=total, description=f"graded {item}")

                    results.append(grader_suite.run(load_rubric(), model, thresholds, jobs=args.jobs,
                                                    use_cache=not args.no_cache, progress=tick))
            finally:
                if model is not None:
                    model.close()
    out_dir = args.out or paths.data_dir() / "evals" / now().strftime("%Y%m%d-%H%M%S")
    js, md = report.write(results, out_dir)
    report.print_table(results)
    print(f"reports: {js} and {md}")
    return 0 if all(r.passed for r in results) else 1


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    return run_doctor(_settings(args), full=args.full)


COMMANDS = {"loop": cmd_loop, "corpus": cmd_corpus, "eval": cmd_eval, "export": cmd_export, "replay": cmd_replay, "history": cmd_history, "grade": cmd_grade, "sessions": cmd_sessions, "config": cmd_config,
            "doctor": cmd_doctor}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 0
        return COMMANDS[args.command](args)
    except InterviewerError as exc:
        print(f"interviewer: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interviewer: interrupted (the session is saved)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug of ours: one line, the session is already on disk
        if os.environ.get("INTERVIEWER_DEBUG"):
            raise
        print(f"interviewer: unexpected error ({type(exc).__name__}: {exc}); sessions are saved. "
              "Run again with INTERVIEWER_DEBUG=1 to see the traceback, and please report it.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
