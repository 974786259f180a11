"""``choose_dates`` walks the dated elements only when a date is still missing.

The walk (``_element_dates``) is skipped when the header or the structured
data give the publication date and the article states its modification; the
dates chosen must be those of the former eager form, which always walked.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

page_dates = importlib.import_module("scraper.extraction.page_dates")
metadata = importlib.import_module("scraper.extraction.metadata")
sel = importlib.import_module("scraper.extraction.selectors")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"


def _eager_choose_dates(statements, *, day_first):
    """The former form of ``choose_dates``: the dated elements always walked."""
    first, meta = page_dates._first, statements.meta
    header = (
        page_dates.header_dates(statements.headline, day_first=day_first)
        if statements.headline is not None
        else page_dates.HeaderDates()
    )
    structured = (
        first(
            [o.get("datePublished") or o.get("dateCreated") for o in statements.article_ld],
            day_first,
        )
        or first([v for key in sel.DATE_PUBLISHED_META for v in meta.get(key, ())[:3]], day_first)
        or first(statements.item_published, day_first)
    )
    printed = header.published
    if (
        printed
        and structured
        and printed.day in (structured.day, page_dates._swapped(structured.day))
    ):
        printed = structured
    article_modified = first([o.get("dateModified") for o in statements.article_ld], day_first)
    element_published, element_modified = (
        page_dates._element_dates(statements, day_first) if not header.listing else (None, None)
    )
    published = (
        printed
        or structured
        or element_published
        or first(page_dates._generic_date_meta(meta), day_first)
        or (
            page_dates.byline_date(statements.byline_nodes, day_first=day_first)
            if not header.listing
            else None
        )
    )
    modified = (
        article_modified
        or first([v for key in sel.DATE_MODIFIED_META for v in meta.get(key, ())[:3]], day_first)
        or first(statements.item_modified, day_first)
        or header.updated
        or element_modified
        or first([o.get("dateModified") for o in statements.page_ld], day_first)
    )
    return page_dates.PageDates(
        published, modified, published or article_modified or header.updated
    )


def _both(html: str, url: str = "https://news.example.com/2025/a"):
    lazy = metadata.extract_metadata(LexborHTMLParser(html), url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metadata, "choose_dates", _eager_choose_dates)
        eager = metadata.extract_metadata(LexborHTMLParser(html), url)
    return lazy, eager


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_golden_pages_get_the_eager_dates(page):
    lazy, eager = _both(page.read_bytes().decode("utf-8", "replace"))
    assert lazy == eager


LD = [
    {},
    {"@type": "NewsArticle", "datePublished": "2024-02-03T20:44:00+00:00"},
    {"@type": "NewsArticle", "dateModified": "2024-02-05"},
    {"@type": "NewsArticle", "datePublished": "2024-02-03", "dateModified": "2024-02-05"},
    {"@type": "WebPage", "dateModified": "2024-03-01"},
]
HEAD = [
    "",
    '<meta property="article:published_time" content="2024-01-09">',
    '<meta property="article:modified_time" content="2024-01-11">',
    '<meta name="pubdate" content="20240112">',
]
BODY = [
    "<p>Jun 8, 2023</p>",
    "<p>Updated: 9 June 2023</p>",
    '<time datetime="2023-07-01">July 1</time>',
    '<span class="date">2023-07-02</span>',
    '<span class="updated date">2023-07-03</span>',
    '<div class="byline">By Ann Example, 4 July 2023</div>',
    '<footer><span class="date">2023-07-05</span></footer>',
    '<p>Posted <span class="post-date">2023-07-06</span></p>',
    "<p>A sentence that mentions 7 July 2023 in passing, and goes on.</p>",
    '<ul><li class="date">2023-08-01</li><li class="date">2023-08-02</li>'
    '<li class="date">2023-08-03</li></ul>',
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(LD),
    st.lists(st.sampled_from(HEAD), max_size=3),
    st.lists(st.sampled_from(BODY), max_size=6),
    st.integers(0, 6),
    st.sampled_from(["en", "de"]),
)
def test_generated_pages_get_the_eager_dates(ld, head, body, h1_at, lang):
    parts = list(body)
    parts.insert(min(h1_at, len(parts)), "<h1>Harbour reopens after the storm</h1>")
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    html = (
        f'<!doctype html><html lang="{lang}"><head><title>Harbour reopens</title>{script}'
        f"{''.join(head)}</head><body><article>{''.join(parts)}</article></body></html>"
    )
    lazy, eager = _both(html)
    assert lazy == eager
