"""Metadata from small hand-written pages: JSON-LD, OpenGraph, microdata, bylines, <time>.

Each page states (or does not state) one thing; the test checks that the value
comes back cleaned, and that nothing is invented when the page states nothing.
"""

from __future__ import annotations

import json
import logging

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extraction.dates import parse_date
from scraper.extraction.metadata import Metadata, extract_metadata


def meta_of(html: str, url: str | None = "https://news.example.com/2025/01/article") -> Metadata:
    return extract_metadata(LexborHTMLParser(html), url)


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --------------------------------------------------------------------------
# JSON-LD
# --------------------------------------------------------------------------


def test_json_ld_news_article() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Rain &amp; wind expected   tonight",
        "author": {"@type": "Person", "name": "Jane Doe"},
        "datePublished": "2025-01-17T08:30:00+01:00",
        "dateModified": "2025-01-18T10:00:00Z",
        "publisher": {"@type": "Organization", "name": "Example News"},
        "image": {"@type": "ImageObject", "url": "/img/rain.jpg"},
        "keywords": ["weather", "rain"],
        "articleSection": "Local",
        "description": "A wet night ahead.",
    }
    m = meta_of(page(ld(data) + "<title>Rain & wind expected tonight | Example News</title>"))
    assert m.title == "Rain & wind expected tonight"
    assert m.author == "Jane Doe"
    assert m.date == "2025-01-17"
    assert m.date_published == "2025-01-17T08:30:00+01:00"
    assert m.date_modified == "2025-01-18"
    assert m.sitename == "Example News"
    assert m.image == "https://news.example.com/img/rain.jpg"
    assert m.tags == ("weather", "rain")
    assert m.categories == ("Local",)
    assert m.description == "A wet night ahead."
    assert m.language == "en"


def test_json_ld_graph_with_id_references() -> None:
    """Yoast's @graph: the article points at its author and publisher by @id."""
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "@id": "https://blog.example.org/post/#article",
                "headline": "Ten tips for tidy gardens",
                "author": {"@id": "https://blog.example.org/#/person/1"},
                "publisher": {"@id": "https://blog.example.org/#org"},
                "datePublished": "2024-05-02",
            },
            {"@type": "WebPage", "@id": "https://blog.example.org/post/", "name": "Ten tips"},
            {"@type": "Organization", "@id": "https://blog.example.org/#org", "name": "Garden Co"},
            {"@type": "Person", "@id": "https://blog.example.org/#/person/1", "name": "Ann Lee"},
        ],
    }
    m = meta_of(page(ld(data)), "https://blog.example.org/post/")
    assert (m.title, m.author, m.date, m.sitename) == (
        "Ten tips for tidy gardens",
        "Ann Lee",
        "2024-05-02",
        "Garden Co",
    )


def test_json_ld_array_and_nested_main_entity() -> None:
    data = [
        {"@type": "BreadcrumbList", "itemListElement": []},
        {
            "@type": "WebPage",
            "mainEntity": {
                "@type": "BlogPosting",
                "headline": "Nested posting",
                "author": [{"@type": "Person", "name": "A. Writer"}],
                "datePublished": "2023-11-05",
            },
        },
    ]
    m = meta_of(page(ld(data)))
    assert (m.title, m.author, m.date) == ("Nested posting", "A. Writer", "2023-11-05")


def test_broken_json_ld_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    broken = '<script type="application/ld+json">{"@type": "Article", "headline": </script>'
    good = ld({"@type": "Article", "headline": "Still fine", "datePublished": "2022-02-02"})
    with caplog.at_level(logging.DEBUG, logger="scraper.extraction.jsonld"):
        m = meta_of(page(broken + good))
    assert (m.title, m.date) == ("Still fine", "2022-02-02")
    assert "JSON-LD" in caplog.text


def test_json_ld_trailing_comma_is_repaired() -> None:
    text = '{"@type": "Article", "headline": "Comma", "datePublished": "2021-03-04",}'
    m = meta_of(page(f'<script type="application/ld+json">{text}</script>'))
    assert (m.title, m.date) == ("Comma", "2021-03-04")


def test_listing_of_articles_gives_no_article_author_or_date() -> None:
    items = [
        {"@type": "BlogPosting", "headline": f"Post {i}", "author": {"name": f"Writer {i}"}}
        for i in range(3)
    ]
    m = meta_of(page(ld(items) + "<title>Blog</title>"))
    assert m.author is None
    assert m.date is None


# --------------------------------------------------------------------------
# OpenGraph and meta tags
# --------------------------------------------------------------------------


def test_opengraph_only() -> None:
    head = (
        '<meta property="og:title" content="Storm closes schools - The Daily Example">'
        '<meta property="og:site_name" content="The Daily Example">'
        '<meta property="og:url" content="/2025/storm">'
        '<meta property="og:image" content="https://cdn.example.com/storm.jpg">'
        '<meta property="og:description" content="Schools shut across the region.">'
        '<meta property="article:published_time" content="2025-02-03T06:00:00Z">'
        '<meta property="article:modified_time" content="2025-02-03T09:00:00Z">'
        '<meta property="article:author" content="https://www.facebook.com/someone">'
        '<meta property="article:tag" content="storm">'
        '<meta property="article:tag" content="schools">'
        '<meta property="article:section" content="Weather">'
    )
    m = meta_of(page(head), "https://daily.example.com/2025/storm?ref=x")
    assert m.title == "Storm closes schools"
    assert m.sitename == "The Daily Example"
    assert m.canonical_url == "https://daily.example.com/2025/storm"
    assert m.image == "https://cdn.example.com/storm.jpg"
    assert m.description == "Schools shut across the region."
    assert m.date == "2025-02-03"
    assert m.date_published == "2025-02-03T06:00:00+00:00"
    assert m.date_modified == "2025-02-03"
    assert m.author is None  # a URL is not a name
    assert m.tags == ("storm", "schools")
    assert m.categories == ("Weather",)


def test_meta_tags_author_and_dates() -> None:
    head = (
        '<meta name="author" content="By Maria Rossi">'
        '<meta name="parsely-pub-date" content="2024-09-30T12:00:00Z">'
        '<meta name="keywords" content="alpha, beta, alpha">'
        "<title>Plain title</title>"
    )
    m = meta_of(page(head))
    assert (m.author, m.date, m.title) == ("Maria Rossi", "2024-09-30", "Plain title")
    assert m.tags == ("alpha", "beta")


def test_citation_meta_several_authors() -> None:
    head = (
        '<meta name="citation_title" content="On Things">'
        '<meta name="citation_author" content="Jane Doe">'
        '<meta name="citation_author" content="John Roe">'
        '<meta name="citation_author" content="Jane Doe">'
        '<meta name="citation_publication_date" content="2019/07/01">'
    )
    m = meta_of(page(head))
    assert m.author == "Jane Doe; John Roe"
    assert m.date == "2019-07-01"
    assert m.title == "On Things"


def test_yoast_written_by_label() -> None:
    head = (
        '<meta name="twitter:label1" content="Written by">'
        '<meta name="twitter:data1" content="Sam Bloggs">'
        '<meta name="twitter:label2" content="Est. reading time">'
        '<meta name="twitter:data2" content="4 minutes">'
    )
    assert meta_of(page(head)).author == "Sam Bloggs"


# --------------------------------------------------------------------------
# authors
# --------------------------------------------------------------------------


def test_several_authors_are_split_and_deduplicated() -> None:
    data = {
        "@type": "Article",
        "headline": "Joint work",
        "author": [
            {"@type": "Person", "name": "Jane Doe"},
            {"@type": "Person", "name": "John Roe"},
            {"@type": "Person", "name": "jane doe"},
        ],
    }
    assert meta_of(page(ld(data))).author == "Jane Doe; John Roe"
    assert meta_of(page('<meta name="author" content="Jane Doe and John Roe">')).author == (
        "Jane Doe; John Roe"
    )


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Jane Doe | Staff Writer", "Jane Doe"),
        ("Di Mario Rossi", "Mario Rossi"),
        ("Von Anna Schmidt", "Anna Schmidt"),
        ("Par Claire Dubois", "Claire Dubois"),
        ("Por Lucía Pérez - 3 de enero de 2025", "Lucía Pérez"),
        ("Written by: Tom Smith on March 2, 2024", "Tom Smith"),
    ],
)
def test_byline_prefixes_and_junk(byline: str, expected: str) -> None:
    body = f'<article><h1>Head</h1><p class="byline">{byline}</p><p>Text.</p></article>'
    assert meta_of(page(body=body)).author == expected


def test_invalid_author_values_are_dropped() -> None:
    for value in (
        "https://example.com/about",
        "desk@example.com",
        "This is a long sentence about who wrote the piece and why it matters",
        "admin",
    ):
        assert meta_of(page(f'<meta name="author" content="{value}">')).author is None, value


def test_organisation_equal_to_site_is_dropped_but_a_person_is_kept() -> None:
    org = page(
        '<meta property="og:site_name" content="Example News">'
        '<meta name="author" content="Example News">'
    )
    assert meta_of(org).author is None
    personal = ld(
        {
            "@type": "BlogPosting",
            "headline": "My trip",
            "author": {"@type": "Person", "name": "Kim Park"},
            "publisher": {"@type": "Person", "name": "Kim Park"},
        }
    )
    assert meta_of(page(personal), "https://kimpark.example/trip").author == "Kim Park"


def test_author_link_and_rel_author() -> None:
    body = '<article><p>By <a rel="author" href="/people/jd">Jane Doe</a></p></article>'
    assert meta_of(page(body=body)).author == "Jane Doe"
    body = '<article><p>By <a href="/author/john-roe/">John Roe</a></p></article>'
    assert meta_of(page(body=body)).author == "John Roe"


def test_bylines_of_a_listing_name_nobody() -> None:
    cards = "".join(
        f'<div class="card"><h2>Story {i}</h2><span class="author-name">Writer {n}</span></div>'
        for i, n in enumerate(["Ann Lee", "Bo Chan", "Cy Diaz", "Di Eng"])
    )
    assert meta_of(page(body=cards)).author is None


def test_forum_thread_gives_the_first_poster() -> None:
    comment = '<div itemscope itemtype="https://schema.org/Comment">{}</div>'
    posts = "".join(
        comment.format(f'<span itemprop="author">{n}</span>') for n in ("later1", "later2")
    )
    first = '<div itemprop="author" itemscope><span itemprop="name">op_user</span></div>'
    assert meta_of(page(body=first + posts)).author == "op_user"


def test_byline_in_comments_is_ignored() -> None:
    body = (
        "<article><h1>Head</h1><p>Text.</p></article>"
        '<section id="comments"><span class="comment-author">Troll Person</span></section>'
    )
    assert meta_of(page(body=body)).author is None


# --------------------------------------------------------------------------
# titles
# --------------------------------------------------------------------------


def test_putin_title_keeps_its_dash_and_loses_the_site() -> None:
    headline = "Putin visiterà la Corea del Nord questa settimana – dichiarazione del Cremlino"
    head = (
        f'<meta property="og:title" content="{headline} – ANSA">'
        '<meta property="og:site_name" content="ANSA">'
        f"<title>{headline} - ANSA.it</title>"
    )
    m = meta_of(page(head, f"<h1>{headline}</h1>", lang="it-IT"), "https://www.ansa.it/x.html")
    assert m.title == headline
    assert m.language == "it"


@pytest.mark.parametrize(
    ("title", "sitename", "url", "expected"),
    [
        ("Budget vote delayed | Example Times", "Example Times", None, "Budget vote delayed"),
        ("Budget vote delayed - Le Monde", None, "https://www.lemonde.fr/a", "Budget vote delayed"),
        ("Le Monde | Budget vote delayed", None, "https://www.lemonde.fr/a", "Budget vote delayed"),
        ("What do people love about Rust? | Rust Blog", None, "https://blog.rust-lang.org/x", None),
        ("Amazon.com: Headphones", None, "https://www.amazon.com/b", "Amazon.com: Headphones"),
        ("Best movers in 2025 | Top 19 Companies", "Movers", None, None),
        ("Review: The new phone – Example Times", "Example Times", None, "Review: The new phone"),
    ],
)
def test_site_suffix_stripped_only_when_it_is_the_site(
    title: str, sitename: str | None, url: str | None, expected: str | None
) -> None:
    head = f"<title>{title}</title>"
    if sitename:
        head += f'<meta property="og:site_name" content="{sitename}">'
    m = meta_of(page(head), url or "https://site.example/a")
    if expected is None:  # the part after the separator is not the site: unchanged
        expected = title.rsplit(" | ", 1)[0] if "Rust Blog" in title else title
    assert m.title == expected


def test_h1_preferred_when_it_agrees_with_metadata() -> None:
    head = '<meta property="og:title" content="Ten tips for tidy gardens: a 2025 guide">'
    body = "<header><h1>Menu</h1></header><article><h1>Ten tips for tidy gardens</h1></article>"
    assert meta_of(page(head, body)).title == "Ten tips for tidy gardens"


def test_title_entities_and_whitespace() -> None:
    head = "<title>Tom &amp;#8217;s   new\n book</title>"
    assert meta_of(page(head)).title == "Tom ’s new book"


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------


def test_date_less_page_gives_none() -> None:
    body = (
        "<article><h1>Opening hours</h1>"
        "<p>We opened on 12 March 2019 and renovated on 2024-05-01.</p>"
        "<p>© 2025 Example Ltd</p></article>"
    )
    m = meta_of(page("<title>Opening hours</title>", body))
    assert (m.date, m.date_published, m.date_modified) == (None, None, None)


def test_page_level_modified_time_alone_is_not_a_publication_date() -> None:
    m = meta_of(page('<meta property="article:modified_time" content="2025-06-01T00:00:00Z">'))
    assert m.date is None
    assert m.date_modified == "2025-06-01"


def test_time_element_of_the_article() -> None:
    body = (
        '<article><h1>Head</h1><time datetime="2023-04-05T10:00:00Z">5 April</time>'
        "<p>Text.</p></article>"
        '<aside class="related"><time datetime="2026-01-01">New!</time></aside>'
    )
    m = meta_of(page(body=body))
    assert m.date == "2023-04-05"


def test_time_in_comments_and_related_links_is_ignored() -> None:
    body = (
        "<article><h1>Head</h1><p>Text.</p></article>"
        '<div class="comments"><time datetime="2024-02-02">yesterday</time></div>'
        '<div class="related-posts"><span class="post-date">Jan 1, 2024</span></div>'
    )
    assert meta_of(page(body=body)).date is None


def test_itemprop_date_and_updated_label() -> None:
    body = (
        '<article><h1>Head</h1><span class="post-date">Updated June 3, 2024</span>'
        '<meta itemprop="datePublished" content="2021-08-09"><p>Text.</p></article>'
    )
    m = meta_of(page(body=body))
    assert m.date == "2021-08-09"
    assert m.date_modified == "2024-06-03"


def test_updated_line_is_the_date_when_nothing_else_is_stated() -> None:
    body = '<article><h1>Head</h1><p class="date">Last updated: 20 January 2025</p></article>'
    m = meta_of(page(body=body))
    assert (m.date, m.date_published, m.date_modified) == ("2025-01-20", None, "2025-01-20")


def test_dates_of_a_listing_are_not_the_page_date() -> None:
    cards = "".join(
        f'<div class="post"><h2>Story</h2><span class="post-date">2024-03-0{d}</span></div>'
        for d in range(1, 7)
    )
    assert meta_of(page(body=cards)).date is None


def test_dateline_under_the_headline() -> None:
    body = "<article><h1>Head</h1><p>Dec 26, 2025 · 5 min read</p><p>Text.</p></article>"
    assert meta_of(page(body=body)).date == "2025-12-26"


@pytest.mark.parametrize(
    ("value", "day", "day_first"),
    [
        ("2025-01-17T08:30:00+01:00", "2025-01-17", True),
        ("2025/1/7", "2025-01-07", True),
        ("20250117", "2025-01-17", True),
        ("January 7th, 2024", "2024-01-07", True),
        ("7 gennaio 2024", "2024-01-07", True),
        ("17. März 2023", "2023-03-17", True),
        ("3 de enero de 2025", "2025-01-03", True),
        ("03/04/2025", "2025-04-03", True),
        ("03/04/2025", "2025-03-04", False),
        ("1700000000", "2023-11-14", True),
        ("version 3.2.1", None, True),
        ("1989-01-01", None, True),
        ("2025-02-30", None, True),
        ("", None, True),
    ],
)
def test_parse_date(value: str, day: str | None, day_first: bool) -> None:
    parsed = parse_date(value, day_first=day_first)
    assert (parsed.day if parsed else None) == day


# --------------------------------------------------------------------------
# other fields and robustness
# --------------------------------------------------------------------------


def test_no_metadata_at_all() -> None:
    m = meta_of("<html><body><p>Just some words here.</p></body></html>", None)
    assert m == Metadata()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("it-IT", "it"), ("en_US", "en"), ("DE", "de"), ("", None), ("x-klingon-1", None)],
)
def test_language_primary_subtag(lang: str, expected: str | None) -> None:
    assert meta_of(page(lang=lang)).language == expected


def test_canonical_is_absolute() -> None:
    head = '<link rel="canonical" href="/news/a?x=1"><meta property="og:url" content="https://o/">'
    m = meta_of(page(head), "https://www.example.org/news/a?utm=1")
    assert m.canonical_url == "https://www.example.org/news/a?x=1"
    assert meta_of(page('<link rel="canonical" href="/a">'), None).canonical_url is None


def test_svg_title_is_not_the_page_title() -> None:
    body = "<svg><title>icon</title></svg><p>Text</p>"
    assert meta_of(page(body=body)).title is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html>",
        '<script type="application/ld+json">' + "[" * 5000 + "</script>",
        '<script type="application/ld+json">{"@type": ["Article", 3], "author": 5}</script>',
        '<script type="application/ld+json">{"@graph": "nope", "@id": 7}</script>',
        '<link rel="canonical" href="http://[::1"><meta name="date" content="99999999999999">',
        '<html lang="ü"><h1></h1><time datetime="not a date"></time></html>',
    ],
)
def test_never_raises(html: str) -> None:
    assert isinstance(meta_of(html, "http://[::1"), Metadata)
