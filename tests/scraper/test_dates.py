"""Dates: reading them in many languages, and which printed date is the article's.

The pages are small and hand-written.  A printed date counts only in the
article's header (next to the <h1>, in the byline, or labelled "Published",
"Updated"...); dates in footers, comments, related lists, a site's "today"
line or a sentence of the body never do, and a date-less page stays None.
"""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extraction.dates import find_date, parse_date
from scraper.extraction.metadata import Metadata, extract_metadata

LEAD = (
    "<p>This is the standfirst of the article, a paragraph long enough to push any date that"
    " follows it out of the header: it explains what the piece is about, who it concerns and"
    " why it matters now. Readers see it right under the headline, before the body begins;"
    " it runs on for a while, as standfirsts on long reads often do, and says nothing"
    " about when the article was written or published or last changed by its editors.</p>"
)


def meta_of(body: str, head: str = "", lang: str = "en") -> Metadata:
    html = f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'
    return extract_metadata(LexborHTMLParser(html), "https://news.example.com/2025/a")


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("Jun 8, 2023", "2023-06-08"),
        ("8 June 2023", "2023-06-08"),
        ("08/06/2023", "2023-06-08"),
        ("8. Juni 2023", "2023-06-08"),
        ("18 giugno 2024", "2024-06-18"),
        ("18 de junio de 2024", "2024-06-18"),
        ("8 juin 2023", "2023-06-08"),
        ("8 juni 2023", "2023-06-08"),
        ("8 czerwca 2023", "2023-06-08"),
        ("8. června 2023", "2023-06-08"),
        ("8 июня 2023 г.", "2023-06-08"),
        ("15 d'abril de 2024", "2024-04-15"),
        ("2023 Jan 7", "2023-01-07"),
        ("2023年6月8日", "2023-06-08"),
        ("Saturday, 20 December, 2025", "2025-12-20"),
        ("Dec. 19th, 2025 · 5 min read", "2025-12-19"),
    ],
)
def test_written_dates_in_many_languages(value: str, day: str) -> None:
    parsed = parse_date(value, day_first=True)
    assert parsed is not None
    assert parsed.day == day


def test_an_offset_timestamp_keeps_its_local_date() -> None:
    """``23:30 at -05:00`` is still the 18th where it was written: never moved to UTC."""
    parsed = parse_date("2024-06-18T23:30:00-05:00")
    assert parsed is not None
    assert (parsed.day, parsed.iso) == ("2024-06-18", "2024-06-18T23:30:00-05:00")


@pytest.mark.parametrize(
    "value", ["May 2023", "Page 2 of 2023", "version 3.2.1", "12 monkeys 2023"]
)
def test_not_dates(value: str) -> None:
    assert parse_date(value) is None


def test_find_date_gives_the_first_date_and_where_it_starts() -> None:
    found = find_date("Posted 2024-05-01, updated June 8, 2024")
    assert found is not None
    assert (found[0].day, found[1]) == ("2024-05-01", 7)


# --------------------------------------------------------------------------
# dates printed in the header
# --------------------------------------------------------------------------


def test_bare_date_under_the_headline() -> None:
    m = meta_of("<article><h1>Rain expected</h1><p>Jun 8, 2023</p><p>Text.</p></article>")
    assert (m.date, m.date_published) == ("2023-06-08", "2023-06-08")


def test_last_updated_line_is_the_date_when_nothing_else_is_stated() -> None:
    m = meta_of("<article><h1>Opening hours</h1><p>Last updated: 8 June 2023</p></article>")
    assert (m.date, m.date_published, m.date_modified) == ("2023-06-08", None, "2023-06-08")


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Pubblicato il 18 giugno 2024", "it"),
        ("Veröffentlicht am 18. Juni 2024", "de"),
        ("Publié le 18 juin 2024", "fr"),
        ("Publicado el 18 de junio de 2024", "es"),
        ("Gepubliceerd op 18 juni 2024", "nl"),
        ("Opublikowano 18 czerwca 2024", "pl"),
        ("18/06/2024", "fr"),
        ("06/18/2024", "en"),
    ],
)
def test_labelled_dates_in_many_languages(line: str, lang: str) -> None:
    body = f"<article><h1>Titolo</h1><div class='meta'><span>{line}</span></div></article>"
    assert meta_of(body, lang=lang).date == "2024-06-18"


def test_numeric_date_order_follows_the_page_language() -> None:
    body = "<article><h1>Head</h1><p>08/06/2023</p></article>"
    assert meta_of(body, lang="en").date == "2023-08-06"
    assert meta_of(body, lang="fr").date == "2023-06-08"


def test_kicker_above_the_headline() -> None:
    body = (
        "<article><header><p class='kicker'>Politics · Jun 8, 2023</p>"
        "<h1>Vote delayed</h1></header><p>Text.</p></article>"
    )
    assert meta_of(body).date == "2023-06-08"


def test_labelled_date_after_the_standfirst() -> None:
    labelled = f"<article><h1>Long read</h1>{LEAD}<p>Posted on June 8, 2023</p></article>"
    assert meta_of(labelled).date == "2023-06-08"
    bare = f"<article><h1>Long read</h1>{LEAD}<p>June 8, 2023</p></article>"
    assert meta_of(bare).date is None


def test_byline_with_names_and_date() -> None:
    body = (
        "<article><h1>Head</h1>"
        "<p>By Jane Doe and John Roe, Staff Writers, June 8, 2023</p><p>Text.</p></article>"
    )
    assert meta_of(body).date == "2023-06-08"


def test_date_on_the_headline_wins_over_a_disagreeing_json_ld_date() -> None:
    head = ld({"@type": "Article", "headline": "Head", "datePublished": "2019-01-01T10:00:00Z"})
    m = meta_of("<article><h1>Head</h1><p>Jun 8, 2023</p></article>", head)
    assert (m.date, m.date_published) == ("2023-06-08", "2023-06-08")


def test_same_day_keeps_the_structured_timestamp() -> None:
    head = ld({"@type": "Article", "headline": "Head", "datePublished": "2023-06-08T10:00:00Z"})
    m = meta_of("<article><h1>Head</h1><p>Jun 8, 2023</p></article>", head)
    assert (m.date, m.date_published) == ("2023-06-08", "2023-06-08T10:00:00+00:00")


def test_an_updated_line_does_not_replace_the_publication_date() -> None:
    head = ld({"@type": "Article", "headline": "Head", "datePublished": "2019-01-01"})
    m = meta_of("<article><h1>Head</h1><p>Updated Jun 8, 2023</p></article>", head)
    assert (m.date, m.date_modified) == ("2019-01-01", "2023-06-08")


def test_printed_local_date_wins_over_a_utc_datetime() -> None:
    body = (
        "<article><h1>Head</h1>"
        '<time datetime="2024-06-19T03:30:00+00:00">June 18, 2024</time></article>'
    )
    assert meta_of(body).date == "2024-06-18"


def test_time_without_a_year_is_read_from_its_datetime() -> None:
    body = '<article><h1>Head</h1><p>On <time datetime="2024-06-18">18 June</time></p></article>'
    assert meta_of(body).date == "2024-06-18"


# --------------------------------------------------------------------------
# dates that are not the article's
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after",
    [
        "<footer><p>Jun 8, 2023</p></footer>",
        "<div class='comments'><p>Troll</p><p>Jun 8, 2023</p></div>",
        "<ul class='related-posts'><li><a href='/b'>Other</a> <span>Jun 8, 2023</span></li></ul>",
        "<nav><a href='/x'>Archive</a> <span>Jun 8, 2023</span></nav>",
        "<aside><p>Jun 8, 2023</p></aside>",
    ],
)
def test_dates_in_footers_comments_related_lists_and_menus_are_ignored(after: str) -> None:
    body = f"<article><h1>Opening hours</h1><p>We are open daily.</p></article>{after}"
    assert meta_of(body).date is None


def test_site_header_today_line_is_ignored() -> None:
    body = (
        "<header class='masthead'><div>Saturday, 20 December 2025</div></header>"
        "<main><article><h1>Opening hours</h1><p>We are open daily.</p></article></main>"
    )
    assert meta_of(body).date is None


@pytest.mark.parametrize(
    "line",
    [
        "Joined Nov 4, 2011",
        "Copyright June 8, 2023 Example Ltd",
        "Sale ends 03/31/2026",
        "We opened on 12 March 2019 and renovated the whole place.",
        "Last post by jdoe, Jan 15, 2024",
    ],
)
def test_dates_labelled_as_something_else_or_in_a_sentence_are_ignored(line: str) -> None:
    body = f"<article><h1>Opening hours</h1><p>{line}</p></article>"
    assert meta_of(body).date is None


def test_date_in_the_headline_is_not_the_article_date() -> None:
    assert meta_of("<article><h1>The 8 June 2023 election</h1><p>Text.</p></article>").date is None


def test_cards_of_a_listing_give_no_date() -> None:
    cards = "".join(
        f"<div class='card'><h2><a href='/{d}'>Story {d}</a></h2><p>Jun {d}, 2023</p></div>"
        for d in (3, 5, 8)
    )
    assert meta_of(f"<main><h1>Blog</h1>{cards}</main>").date is None


def test_date_less_page_stays_none() -> None:
    body = f"<article><h1>About us</h1>{LEAD}<p>Call 555-0100.</p></article>"
    m = meta_of(body, "<title>About us</title>")
    assert (m.date, m.date_published, m.date_modified) == (None, None, None)


def test_dates_are_read_around_the_headline_not_the_logo() -> None:
    head = '<meta property="og:title" content="Storm closes schools">'
    body = (
        "<header><h1>Example News</h1><nav><a href='/'>Home</a></nav></header>"
        "<article><h1>Storm closes schools</h1><p>Jun 8, 2023</p><p>Text.</p></article>"
    )
    assert meta_of(body, head).date == "2023-06-08"


def test_ambiguous_printed_date_yields_to_the_structured_one() -> None:
    """A British page declared as plain ``en`` prints 03/04/2025 for 3 April."""
    head = ld({"@type": "Article", "headline": "Head", "datePublished": "2025-04-03T09:00:00Z"})
    m = meta_of("<article><h1>Head</h1><p>03/04/2025</p></article>", head)
    assert (m.date, m.date_published) == ("2025-04-03", "2025-04-03T09:00:00+00:00")
