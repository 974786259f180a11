"""How articles and errors are written: text, Markdown, JSON and JSON Lines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scraper.models import Article

if TYPE_CHECKING:
    from scraper.batch import Outcome

__all__ = [
    "FORMATS",
    "dumps",
    "error_record",
    "header_line",
    "record",
    "render_markdown",
    "render_text",
]

FORMATS = ("text", "markdown", "json", "jsonl")


def record(outcome: Outcome) -> dict[str, Any]:
    """The JSON record of one outcome: ``input`` + the article, or ``input, url, error``."""
    if outcome.article is not None:
        return {"input": outcome.input.value, **outcome.article.to_dict()}
    return error_record(outcome)


def error_record(outcome: Outcome) -> dict[str, Any]:
    """``{"input", "url", "error": {"type", "message"}}`` for a failed input."""
    err = outcome.error
    return {
        "input": outcome.input.value,
        "url": outcome.url,
        "error": {"type": type(err).__name__, "message": str(err)},
    }


def dumps(obj: object) -> str:
    """Compact, UTF-8 JSON (no ASCII escapes: the text is for people too)."""
    return json.dumps(obj, ensure_ascii=False)


def header_line(outcome: Outcome) -> str:
    """``==> URL <==``: separates articles in text and Markdown output."""
    return f"==> {outcome.url or outcome.input.value} <=="


def render_text(article: Article) -> str:
    """The body text alone."""
    return article.text


def _meta_line(article: Article) -> str:
    parts = [p for p in (article.author, article.date, article.sitename) if p]
    return " · ".join(parts)


def render_markdown(article: Article) -> str:
    """``# Title``, a metadata line, then the body in Markdown."""
    lines = []
    if article.title:
        lines += [f"# {article.title}", ""]
    meta = _meta_line(article)
    if meta:
        lines += [f"*{meta}*", ""]
    lines.append(article.markdown if article.markdown is not None else article.text)
    return "\n".join(lines)
