"""From one HTML document to an :class:`~scraper.models.Article`.

The document is parsed twice at most: once by selectolax (metadata, page
checks) and once by trafilatura's lxml pipeline (body text).  Both are fast
C parsers; trafilatura runs in its ``fast`` mode (no fallback extractors),
which keeps the whole extraction, metadata and cleaning included, within the
time trafilatura's default mode needs for the text alone.
"""

from __future__ import annotations

import logging
import re

import trafilatura
from selectolax.lexbor import LexborHTMLParser
from trafilatura.xml import xmltotxt

import cleaners
from cleaners.language import detect_language
from scraper.config import Config
from scraper.errors import ExtractionError, NoArticleError
from scraper.extraction.metadata import Metadata, extract_metadata
from scraper.extraction.walls import looks_like_wall
from scraper.fetching.charset import decode_document
from scraper.models import Article

__all__ = ["extract_article"]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")

#: When trafilatura's fast pass keeps less than this share of the page's
#: visible text, the page is probably not a plain article (forum, service
#: page...) and the full pass with its fallback extractors runs too.
FALLBACK_BELOW = 0.1
#: The full pass replaces the fast one only when it finds this many times more text.
FALLBACK_GAIN = 3.0


def _norm(text: str) -> str:
    """Casefolded word tokens joined by one space: the form headlines are compared in."""
    return " ".join(_WORD.findall(text.casefold()))


def _headline_forms(tree: LexborHTMLParser, meta: Metadata) -> set[str]:
    """The normalised spellings of the page's headline (metadata title, h1, og:title, <title>)."""
    forms = {meta.title or ""}
    h1 = tree.css_first("h1")
    if h1 is not None:
        forms.add(h1.text(deep=True))
    node = tree.css_first("title")
    if node is not None:
        forms.add(node.text(deep=True))
    og = tree.css_first('meta[property="og:title"]')
    if og is not None:
        forms.add(og.attributes.get("content") or "")
    return {f for f in (_norm(x) for x in forms) if f}


def _drop_leading_headline(paragraphs: list[str], headlines: set[str]) -> list[str]:
    """Drop the first paragraphs while they repeat the headline.

    trafilatura keeps the article's <h1> as the first line of the body; the
    headline is the ``title`` field, and in the body it is a duplicate.  A
    line also counts when it is a long prefix of a headline form that carries
    a site suffix (``Headline | Site``).
    """
    start = 0
    while start < len(paragraphs):
        line = _norm(paragraphs[start])
        if not line:
            start += 1
            continue
        if line in headlines or (
            len(line) > 20 and any(h.startswith(line + " ") for h in headlines)
        ):
            start += 1
            continue
        break
    return paragraphs[start:]


def _visible_length(tree: LexborHTMLParser) -> int:
    """Characters of visible text in <body> (scripts and styles removed from ``tree``)."""
    tree.strip_tags(["script", "style", "noscript", "template"])
    body = tree.body
    return len(body.text(deep=True, separator=" ")) if body is not None else 0


def _body_text(source: str, url: str | None, include_tables: bool, fast: bool) -> str:
    """trafilatura's body text ('' when it finds none), one block per line."""
    try:
        doc = trafilatura.bare_extraction(
            source,
            url=url,
            fast=fast,
            include_comments=False,
            include_tables=include_tables,
            with_metadata=False,
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise ExtractionError(f"trafilatura failed on the document: {exc}") from exc
    return (doc.text or "") if doc is not None else ""


def _markdown(source: str, url: str | None, include_tables: bool) -> str | None:
    """The body as Markdown (a second, formatting-preserving pass; only when asked)."""
    doc = trafilatura.bare_extraction(
        source,
        url=url,
        fast=True,
        include_comments=False,
        include_tables=include_tables,
        include_formatting=True,
        with_metadata=False,
    )
    return xmltotxt(doc.body, True) if doc is not None else None


def _to_paragraphs(text: str) -> list[str]:
    """trafilatura's text has one block per line; we want one per paragraph."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def _choose_language(declared: str | None, text: str, detect: bool) -> tuple[str | None, str | None]:
    """A confident detection wins over a template's ``lang``; else the declared one."""
    if detect:
        found = detect_language(text)
        if found is not None:
            return found, "detected"
    if declared:
        return declared, "declared"
    return None, None


def decode_html(html: str | bytes, encoding: str | None = None) -> str:
    """The document as ``str``: bytes are decoded with ``encoding`` or by sniffing."""
    if isinstance(html, str):
        return html
    if encoding:
        try:
            return html.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            logger.debug("declared encoding %s failed, sniffing", encoding)
    return decode_document(html)[0]


def extract_article(
    html: str | bytes, url: str | None, config: Config, *, encoding: str | None = None
) -> Article:
    """Extract the article of ``html``; raise :class:`NoArticleError` when there is none."""
    source = decode_html(html, encoding)
    if not source.strip():
        raise NoArticleError("the document is empty")
    try:
        tree = LexborHTMLParser(source)
    except (ValueError, TypeError) as exc:  # selectolax refuses some inputs (NUL-only...)
        raise ExtractionError(f"cannot parse the document: {exc}") from exc
    meta = extract_metadata(tree, url)
    opts = config.extract
    headlines = _headline_forms(tree, meta)
    body = _body_text(source, url, opts.include_tables, fast=True)
    if len(body) < FALLBACK_BELOW * _visible_length(tree):
        fuller = _body_text(source, url, opts.include_tables, fast=False)
        if len(fuller) > FALLBACK_GAIN * len(body):
            body = fuller
    paragraphs = _drop_leading_headline(_to_paragraphs(body), headlines)
    text = "\n\n".join(paragraphs)
    words = len(_WORD.findall(text))
    if words < opts.min_words or looks_like_wall(tree, text):
        raise NoArticleError(
            f"no article found ({words} words of body text)"
            + (f" at {url}" if url else "")
            + "; the page may need JavaScript, a consent or a login"
        )
    language, language_source = _choose_language(meta.language, text, opts.detect_language)
    markdown = None
    if opts.markdown:
        lines = (_markdown(source, url, opts.include_tables) or "").split("\n")
        markdown = "\n".join(_drop_leading_headline(lines, headlines))
    if opts.clean:
        text = cleaners.clean(text, language, title=meta.title, config=config.clean)
        if markdown is not None:
            markdown = cleaners.clean(markdown, language, title=meta.title, config=config.clean)
    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        language=language,
        sitename=meta.sitename,
        description=meta.description,
        text=text,
        date_published=meta.date_published,
        date_modified=meta.date_modified,
        image=meta.image,
        tags=meta.tags,
        categories=meta.categories,
        word_count=len(_WORD.findall(text)),
        markdown=markdown,
        language_source=language_source,
    )
