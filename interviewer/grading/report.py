"""Render a grade as text (terminal), JSON (DESIGN.md contract), Markdown or one self-contained HTML file."""

from __future__ import annotations

import io
import json
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from ..transcript import Transcript
from .models import GradeReport


@cache
def _env(html: bool) -> Environment:
    # Autoescape is on for HTML: every quote is the candidate's text, which is untrusted.
    return Environment(loader=PackageLoader("interviewer", "templates"),
                       autoescape=select_autoescape(["html", "j2"]) if html else False,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def to_json(report: GradeReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2)


def to_markdown(report: GradeReport) -> str:
    return _env(False).get_template("report.md.j2").render(r=report)


def to_html(report: GradeReport) -> str:
    return _env(True).get_template("report.html.j2").render(r=report)


def to_text(report: GradeReport) -> str:
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=False, color_system=None)
    console.print(Markdown(to_markdown(report)))
    return buffer.getvalue()


def render(report: GradeReport, transcript: Transcript | None, fmt: str) -> str:
    return {"json": to_json, "markdown": to_markdown, "html": to_html, "text": to_text}[fmt](report)
