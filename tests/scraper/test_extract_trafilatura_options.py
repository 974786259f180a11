"""trafilatura's options, built once per flag combination, are what it would build per call.

``article._extractor`` copies a cached ``Extractor`` and sets the page's URL
instead of letting ``bare_extraction`` build one per pass; every field must
be what ``bare_extraction`` builds from the same arguments, and a pass must
give the same text either way.
"""

from __future__ import annotations

import importlib
import itertools
from pathlib import Path

import lxml.etree
import pytest
import trafilatura
from trafilatura.settings import Extractor

article = importlib.import_module("scraper.extraction.article")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
URLS = [None, "", "https://news.example/2024/05/01/story.html", "https://b.example/\udcff"]


def _as_bare_extraction_builds(url, fast, tables, formatting):
    """The ``Extractor`` that ``bare_extraction`` builds from our passes' arguments."""
    return Extractor(
        output_format="python",
        fast=fast,
        precision=False,
        recall=False,
        comments=False,
        formatting=formatting,
        links=False,
        images=False,
        tables=tables,
        dedup=False,
        lang=None,
        url=url,
        with_metadata=False,
        only_with_metadata=False,
        author_blacklist=None,
        url_blacklist=None,
        date_params=None,
    )


@pytest.mark.parametrize(
    ("url", "fast", "tables", "formatting"),
    list(itertools.product(URLS, [True, False], [True, False], [True, False])),
)
def test_every_field_is_what_bare_extraction_builds(url, fast, tables, formatting):
    expected = _as_bare_extraction_builds(url, fast, tables, formatting)
    options = article._extractor(url, fast, tables, formatting)
    for name in Extractor.__slots__:
        if name == "date_params":  # holds today's date; unread without metadata
            assert options.date_params.keys() == expected.date_params.keys()
            continue
        assert getattr(options, name) == getattr(expected, name), name


def test_each_pass_gets_its_own_copy():
    first = article._extractor("https://a.example/1", True, True, False)
    second = article._extractor("https://a.example/2", True, True, False)
    assert first is not second
    assert (first.url, second.url) == ("https://a.example/1", "https://a.example/2")


def _plain_pass(source, url, include_tables, fast, formatting):
    """The former call: ``bare_extraction`` builds its options itself."""
    return trafilatura.bare_extraction(
        article._lxml_tree(source),
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=include_tables,
        include_formatting=formatting,
        with_metadata=False,
    )


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
@pytest.mark.parametrize(("fast", "formatting"), [(True, False), (False, False), (True, True)])
def test_a_pass_gives_what_the_plain_call_gave(page, fast, formatting):
    url = f"https://{page.stem}.example/article"
    tree = article.parse_document(article.decode_html(page.read_bytes()))
    source = article._lean_html(tree)
    got = article._trafilatura(source, url, True, fast, formatting)
    expected = _plain_pass(source, url, True, fast, formatting)
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got.text == expected.text
    assert lxml.etree.tostring(got.body) == lxml.etree.tostring(expected.body)
