"""Eval output: a table in the terminal, and JSON + Markdown files."""

from __future__ import annotations

import json
from pathlib import Path

from ..store import write_atomic
from .results import SuiteResult


def to_markdown(results: list[SuiteResult]) -> str:
    lines = ["# Eval report", ""]
    for r in results:
        lines += [f"## {r.suite} ({r.backend}, {r.seconds} s)", "", "| check | value | threshold | result |",
                  "|---|---|---|---|"]
        for c in r.checks:
            lines.append(f"| {c.name} | {c.value} | {c.threshold} | {'pass' if c.passed else 'FAIL'} |")
        lines += ["", "Metrics:", ""]
        for k, v in r.metrics.items():
            lines.append(f"- {k}: {json.dumps(v)}")
        if r.worst:
            lines += ["", "Worst items:", ""]
            for w in r.worst:
                lines.append(f"- `{w.get('id')}`: " + json.dumps({k: v for k, v in w.items() if k != 'id'})[:600])
        for note in r.notes:
            lines.append(f"\nNote: {note}")
        lines.append("")
    return "\n".join(lines)


def write(results: list[SuiteResult], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / "eval.json"
    md = out_dir / "eval.md"
    write_atomic(js, json.dumps([r.model_dump() for r in results], indent=2), mode=0o644)
    write_atomic(md, to_markdown(results), mode=0o644)
    return js, md


def print_table(results: list[SuiteResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="interviewer eval")
    for col in ("suite", "check", "value", "threshold", "result"):
        table.add_column(col)
    for r in results:
        for c in r.checks:
            table.add_row(r.suite, c.name, str(c.value), str(c.threshold),
                          "[green]pass[/]" if c.passed else "[red]FAIL[/]")
    Console().print(table)
