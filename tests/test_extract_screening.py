"""In-process extraction of hostile documents, screened as the worker screens them.

``scraper.extract()`` trusts markup and refuses only binary data; a page
nested 100,000 levels deep would hold lexbor in one C call for many seconds.
What its docstring tells callers with untrusted pages to do,
``extract(screen_document(html))``, must defuse every hostile case, and must
leave normal pages exactly as they were.
"""

from __future__ import annotations

import time

import pytest

import scraper
from scraper.config import Config
from scraper.errors import ScraperError, UnsupportedContent
from scraper.extraction.article import extract_article
from scraper.extraction.guard import screen_document
from tests.hostile_content.pages import CONTENT_CASES, Case, article, page

URL = "https://news.example/story"

#: Generous: each of these takes well under a second screened, and from
#: several seconds to minutes unscreened.
_FAST = 3.0


def _timed(html: str | bytes) -> tuple[scraper.Article, float]:
    started = time.perf_counter()
    result = scraper.extract(screen_document(html, URL), URL)
    return result, time.perf_counter() - started


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(page("<div>" * 60_000 + article()), id="60,000 unclosed div"),
        pytest.param(page("<div>" * 60_000 + article()).encode(), id="60,000 unclosed div, bytes"),
        pytest.param(
            page("<div>" * 60_000 + article()).encode("utf-16"), id="60,000 unclosed div, utf-16"
        ),
        pytest.param(
            page("<div>" * 60_000 + article()).encode("utf-16-le"),
            id="60,000 unclosed div, utf-16 without BOM",
        ),
        pytest.param(
            page(
                "<div " + " ".join(f"a{i}=1" for i in range(100_000)) + ">" + article() + "</div>"
            ),
            id="100,000 attributes",
        ),
    ],
)
def test_absurd_markup_is_defused_before_parsing(document):
    result, took = _timed(document)
    assert "number 5." in result.text
    assert took < _FAST


def test_binary_data_raises_what_the_worker_raises():
    document = bytes(range(256)) * 64
    with pytest.raises(UnsupportedContent) as info:
        scraper.extract(document, URL)
    assert info.value.url == URL
    with pytest.raises(UnsupportedContent) as direct:
        screen_document(document, URL)
    assert str(info.value) == str(direct.value)
    assert "binary data" in str(info.value)


def test_a_caller_that_refused_binaries_skips_only_that_check():
    # The crawl's fetcher refused binary bodies already: the worker's screen
    # does not sample them again, and still defuses the markup.
    binary = bytes(range(256)) * 64
    assert screen_document(binary, URL, binary_checked=True) == binary
    deep = b"<div>" * 5000 + b"<p>Hi</p>"
    flat = screen_document(deep, URL, binary_checked=True)
    assert isinstance(flat, bytes) and flat.count(b"<div>") < 1000


@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda case: case.name)
def test_the_hostile_content_cases_in_process(case: Case):
    """The worker's hostile cases (tests/hostile_content/pages.py), without a worker."""
    started = time.perf_counter()
    if case.expect_error is not None:
        with pytest.raises(ScraperError) as info:
            scraper.extract(screen_document(case.document, URL), URL)
        assert type(info.value).__name__ == case.expect_error
    else:
        result = scraper.extract(screen_document(case.document, URL), URL)
        assert case.expect_text is not None
        assert case.expect_text in result.text
    assert time.perf_counter() - started < 2 * _FAST


def test_normal_pages_come_out_as_before():
    """Screening changes nothing on a page within the limits."""
    for document in (page(article()), page(article()).encode(), page(article()).encode("utf-16")):
        assert screen_document(document) is document
        screened = scraper.extract(screen_document(document, URL), URL)
        plain = scraper.extract(document, URL)
        assert screened == extract_article(document, URL, Config()) == plain
