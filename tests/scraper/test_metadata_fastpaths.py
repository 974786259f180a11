"""The second round of extraction fast paths gives what the plain forms they replace give.

Each shortcut (the metadata scan's grouped link selector, the ASCII word
forms of titles, the visible-word count) is checked against a plain
reference on generated input: odd characters, non-ASCII, lone surrogates
and adversarial markup included.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

scan = importlib.import_module("scraper.extraction.scan")
titles = importlib.import_module("scraper.extraction.titles")
strings = importlib.import_module("scraper.extraction.strings")
article = importlib.import_module("scraper.extraction.article")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"

#: The scan's selector list as it was, one ``a[href*=...]`` per word.
PLAIN_SCAN = (
    "meta, link[rel], script[type], title, h1, time, [itemprop], a[rel~=author i],"
    " [class*=author i], [class*=byline i], [class*=date i],"
    " a[href*=author], a[href*=contributor], a[href*=writer],"
    ' a[href*=columnist], a[href*=reporter], a[href*=producer], a[href*=member], a[href*="/u/"]'
)

HREFS = [
    "/author/jane/",
    "/AUTHOR/jane",
    "/authors",
    "/contributors/x",
    "https://a.example/writer/x",
    "/columnist/",
    "/reporter",
    "/producer/q?x=1",
    "/members/jd.12/",
    "/u/jd",
    "/U/jd",
    "/u",
    "/news/",
    "",
    "author",
    "/a&amp;uthor/",
    "/&#97;uthor/",
    '/"/u/"',
]
ATTRS = [
    "",
    ' class="byline"',
    ' class="post-date"',
    ' class="Author-Name"',
    ' itemprop="author"',
    ' rel="author"',
    ' rel="AUTHOR nofollow"',
    ' class="published"',
]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Pages of links, dated and bylined elements, in any mix and nesting."""
    parts = ["<html><head><title>T</title><meta name=author content=X></head><body>"]
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(["a", "a", "span", "time", "div", "h1", "svg"]))
        href = draw(st.sampled_from(HREFS))
        attrs = draw(st.sampled_from(ATTRS))
        inner = draw(st.sampled_from(["x", "<a href='/author/z'>z</a>", "<b>y</b>", ""]))
        parts.append(f'<{tag} href="{href}"{attrs}>{inner}</{tag}>')
    return "".join(parts) + "</body></html>"


def _once(tree: LexborHTMLParser, query: str) -> list[int]:
    """The elements ``query`` selects, in document order, each once (as ``scan`` reads them)."""
    return list(dict.fromkeys(node.mem_id for node in tree.css(query)))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_grouped_link_selector_selects_what_the_list_did(document):
    tree = LexborHTMLParser(document)
    assert _once(tree, scan.SCAN) == _once(tree, PLAIN_SCAN)


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_grouped_link_selector_on_the_golden_pages(page):
    tree = LexborHTMLParser(page.read_bytes().decode("utf-8", "replace"))
    assert _once(tree, scan.SCAN) == _once(tree, PLAIN_SCAN)


def _plain_word_forms(part: str) -> list[str]:
    return [w for w in (strings.norm(w) for w in part.split()) if w]


TITLE_PIECES = st.lists(
    st.sampled_from(
        [
            "Le",
            "Monde",
            "U.S.",
            "Small-Business",
            "—",
            "|",
            " ",
            "\t",
            "\x1c",
            "_",
            "x_y",
            "2024",
            "Écho",
            "ß",
            "İ",
            "ﬁ",
            "K",
            "news!",
            "'s",
        ]
    ),
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(TITLE_PIECES.map("".join))
def test_word_forms_agree_with_norm_on_pieces(part):
    assert titles._word_forms(part) == _plain_word_forms(part)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60) | st.text(st.characters(max_codepoint=127), max_size=60))
def test_word_forms_agree_with_norm_on_any_text(part):
    assert titles._word_forms(part) == _plain_word_forms(part)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=60))
def test_ascii_whole_form_is_the_joined_word_forms(part):
    assert "".join(titles._word_forms(part)) == strings.norm(part)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_split_count_agrees_with_split(text):
    assert article._split_count(text) == len(text.split())


@pytest.mark.parametrize(
    "text",
    ["", " ", "a", " a ", "a\ud800 b", "\ud800", "x\u3000y\u3001z", "\U0001f600 \x85\x1c"],
)
def test_split_count_on_edge_cases(text):
    assert article._split_count(text) == len(text.split())


def test_split_count_knows_every_white_space_character():
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    text = "a".join(spaces) + "\u3001".join(spaces)
    assert article._split_count(text) == len(text.split())


SEPARATED = st.lists(
    st.sampled_from(["News", " ", "|", "-", "–", ":", "·", "»", "/", "\t", "•", "x:y", "—", "_"]),
    max_size=10,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60) | SEPARATED)
def test_a_title_without_a_separator_mark_has_no_separator(title):
    if titles._SEPARATOR_MARK.search(title) is None:
        assert titles._TITLE_SEPARATORS.split(title) == [title]
        assert not titles._TITLE_SEPARATORS.findall(title)


def _plain_words(value: str) -> set[str]:
    return set(re.split(r"[\W_]+", value.casefold())) - {""}


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=60) | TITLE_PIECES.map("".join))
def test_ascii_words_agree_with_the_pattern(value):
    if value.isascii():
        assert strings.words(value) == _plain_words(value)
