"""The extraction's fast paths give exactly what the plain forms they replace give.

Each shortcut (word counting in C, lazy headline matching, the date
prefilter, the tag-name keys) is checked against a straightforward
reference on generated text, non-ASCII, CJK and odd characters included.
"""

from __future__ import annotations

import importlib
import re
from typing import Any
from unittest import mock

import lxml.etree
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

article = importlib.import_module("scraper.extraction.article")
dates = importlib.import_module("scraper.extraction.dates")
tagscan = importlib.import_module("scraper.extraction.tagscan")
guard = importlib.import_module("scraper.extraction.guard")

#: Pieces of text: words in several scripts, punctuation, digits, spaces.
WORDISH = [
    "word",
    "Wort",
    "été",
    "l’été",
    "naïve",
    "東京",
    "で雨",
    "・",
    "ー",
    "한국어",
    "Ελλάδα",
    "руки",
    "x_y",
    "_",
    "42",
    "٣",
    "ß",
    "İ",
    " ",
    "  ",
    "\n",
    "\t",
    "\xa0",
    "\u3000",
    ".",
    ",",
    "—",
    "÷",
    "\x1c",
    "\U0001f600",
]


def _plain_count(text: str) -> int:
    has_unspaced = article._HAS_UNSPACED.search(text)
    return len((article._COUNTED if has_unspaced else article._WORD).findall(text))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(WORDISH), max_size=30))
def test_count_agrees_with_the_pattern_on_pieces(pieces):
    text = "".join(pieces)
    assert article._count(text) == _plain_count(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_count_agrees_with_the_pattern_on_any_text(text):
    assert article._count(text) == _plain_count(text)


def test_count_reads_lone_surrogates():
    text = "a\ud800b c"
    assert article._count(text) == _plain_count(text)


def _eager_drop_leading_headline(paragraphs: list[str], headlines: set[str]) -> list[str]:
    """The former form: every paragraph normalised up front."""
    lines = [article._norm(p) for p in paragraphs]
    filled = [i for i, line in enumerate(lines) if line]
    for i in filled[: article._ABOVE_HEADLINE + 1]:
        if article._is_headline(lines[i], headlines):
            end = i + 1
            while end < len(lines) and (
                not lines[end] or article._is_headline(lines[end], headlines)
            ):
                end += 1
            while end < len(lines) and article._is_dateline(paragraphs[end]):
                end += 1
            return paragraphs[end:]
        if not article._is_label(paragraphs[i]):
            break
    return paragraphs[filled[0] :] if filled else []


PARAGRAPHS = [
    "Rain expected",
    "RAIN EXPECTED!",
    "Rain expected in the north of the country tonight",
    "News > Weather",
    "WEATHER",
    "",
    "...",
    "ͅ",
    "8 June 2023, by",
    "Le 3 mai 2019, il a plu.",
    "The storm reached the coast on Monday.",
    "It rained.",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(PARAGRAPHS), max_size=10),
    st.sets(st.sampled_from(["rain expected", "weather", "rain expected in the north"])),
)
def test_lazy_headline_drop_agrees_with_the_eager_one(paragraphs, headlines):
    expected = _eager_drop_leading_headline(paragraphs, headlines)
    assert article._drop_leading_headline(paragraphs, headlines) == expected


DATEISH = [
    "2025-01-17",
    "2025/1/7 08:30",
    "20250117",
    "1736000000",
    "1736000000000",
    "17/01/2025",
    "January 17, 2025",
    "17. Januar 2025",
    "2023年6月8日",
    "٢٠٢٣",
    "5 hours ago",
    "Page 2",
    "Updated:",
    "123",
    " ",
    "T",
    "de",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(DATEISH), max_size=5), st.text(max_size=12), st.booleans())
def test_date_prefilter_never_hides_a_date(pieces, noise, day_first):
    value = " ".join(pieces) + noise
    found = dates.find_date(value, day_first=day_first)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dates, "_FOUR_DIGITS", re.compile(""))  # no prefilter
        assert dates.find_date(value, day_first=day_first) == found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=40),
    st.lists(st.integers(0, 2**64 - 1), max_size=12),
)
def test_isin_sorted_is_isin(values, table):
    values_array = np.array(values, dtype=np.uint64)
    table_array = np.array(sorted(set(table)), dtype=np.uint64)
    expected = np.isin(values_array, table_array)
    assert (tagscan._isin_sorted(values_array, table_array) == expected).all()


def _plain_keys(data: bytes) -> tuple[list[int], list[bool]]:
    """Each tag name's key as its docstring says: lower-cased, cut at its delimiter."""
    keys, long_names = [], []
    padded = data + b">" * (tagscan._WINDOW + 2)
    for start in tagscan.Tags(data).starts:
        window = padded[start : start + tagscan._WINDOW].lower()
        cut = next((i for i, b in enumerate(window) if b in b"\t\n\f\r /<>"), 0)
        long_names.append(cut == 0)
        keys.append(int.from_bytes(window[: cut or 8].ljust(8, b"\0"), "little"))
    return keys, long_names


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<div", "<DIV", "</p", "<basefont", "<abcdefghij", "<a", "<br/", "<x\t", ">", "<", " "]
        ),
        max_size=30,
    )
)
def test_name_keys_are_the_names(pieces):
    data = "".join(pieces).encode()
    tags = tagscan.Tags(data)
    if not tags.starts.size:
        return
    keys, long_names = tags._name_keys()
    assert (keys.tolist(), long_names.tolist()) == _plain_keys(data)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_count_is_the_split_count(text):
    plain = len(text.encode("ascii").translate(article._ASCII_GAPS).split())
    assert article._ascii_count(text) == plain == _plain_count(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["ab", "_", "9", " ", ".", "-", "\n", "\x1f", "\x7f"]), max_size=30)
)
def test_ascii_count_on_pieces(pieces):
    text = "".join(pieces)
    assert article._ascii_count(text) == article._count(text) == _plain_count(text)


# -- comment sections deleted before trafilatura (article._drop_comment_sections) --------------

#: Tags, ids and classes that trafilatura's comment prune tells apart.
COMMENT_TAGS = ["div", "section", "details", "ol", "ul", "list", "aside", "p", "span"]
COMMENT_NAMES = [
    None,
    "",
    "comments",
    "Comments",
    "comment-list",
    "commentary",
    "comol",
    "disqus_thread",
    "dsq-comments",
    "article-comments",
    "post-comments",
    "my-comments",
    "story infinite-scroll",
    "body",
]


def _element(tag: str, id_: str | None, class_: str | None, inner: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in (("id", id_), ("class", class_)) if v is not None)
    return f"<{tag}{attrs}>{inner}</{tag}>tail of {tag}"


@st.composite
def comment_pages(draw: st.DrawFn) -> str:
    """A page of nested blocks named after comments or not, some holding text or an <h1>."""

    def block(depth: int) -> str:
        inner = draw(st.sampled_from(["", "<p>Reader words here.</p>", "<h1>Heading</h1>", "x"]))
        if depth < 3:
            inner += "".join(block(depth + 1) for _ in range(draw(st.integers(0, 2))))
        return _element(
            draw(st.sampled_from(COMMENT_TAGS)),
            draw(st.sampled_from(COMMENT_NAMES)),
            draw(st.sampled_from(COMMENT_NAMES)),
            inner,
        )

    body = "".join(block(0) for _ in range(draw(st.integers(1, 4))))
    return f"<html><body><article><p>{'Story text. ' * 30}</p></article>{body}</body></html>"


def _pruned_as_trafilatura_does(tree: Any) -> bytes:
    """``tree`` after trafilatura's raw-tree prunes (comments off), serialised."""
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    return lxml.etree.tostring(tree)


def _parsed_whole(page: str) -> Any:
    """The page as ``_lxml_tree`` parses it, comment sections kept."""
    with mock.patch.object(article, "_drop_comment_sections", lambda tree: None):
        return article._lxml_tree(page)


@settings(max_examples=200, deadline=None)
@given(comment_pages())
@example(  # the infinite-scroll prune keeps a container with an <h1>, even one in its comments
    '<html><body><article><p>Story.</p></article><div class="infinite-scroll">'
    '<p>Next story.</p><section id="comments"><h1>Comments</h1></section></div></body></html>'
)
def test_comment_sections_go_as_trafilatura_would_delete_them(page: str):
    """After trafilatura's own prunes, the tree is the same with or without the early deletion."""
    early = article._lxml_tree(page)
    assert _pruned_as_trafilatura_does(early) == _pruned_as_trafilatura_does(_parsed_whole(page))


@settings(max_examples=60, deadline=None)
@given(comment_pages(), st.booleans())
def test_trafilatura_extracts_the_same_text_with_or_without_the_early_deletion(
    page: str, fast: bool
):
    """End to end, whatever order trafilatura's own prunes run in."""

    def text() -> str | None:
        doc = article._trafilatura(page, "https://example.org/a", include_tables=True, fast=fast)
        return None if doc is None else doc.text

    early = text()
    with mock.patch.object(article, "_drop_comment_sections", lambda tree: None):
        assert text() == early


@settings(max_examples=100, deadline=None)
@given(comment_pages())
def test_what_trafilatura_would_delete_is_gone_but_sections_holding_a_headline(page: str):
    from trafilatura.xpaths import REMOVE_COMMENTS_AND_LISTS_XPATH

    left = REMOVE_COMMENTS_AND_LISTS_XPATH[0](article._lxml_tree(page))
    assert all(element.find(".//h1") is not None for element in left)


def test_comment_sections_are_deleted_and_their_tails_kept():
    page = (
        "<html><body><article><p>Story.</p></article>"
        '<section id="comments"><p>First!</p></section>after'
        '<ol class="commentlist"><li>Nice</li></ol>'
        '<ul id="disqus_thread"><li>kept: disqus ids count for blocks only</li></ul>'
        '<div class="commentary">kept: commentary is not comments</div>'
        "</body></html>"
    )
    text = lxml.etree.tostring(article._lxml_tree(page), encoding="unicode")
    assert "First!" not in text and "Nice" not in text
    assert "after" in text and "kept: disqus" in text and "kept: commentary" in text


def test_a_forum_threads_comments_stay():
    ld = '{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Q"}'
    page = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        '<div class="comment"><p>The answer is in the manual.</p></div></body></html>'
    )
    text = lxml.etree.tostring(article._lxml_tree(page), encoding="unicode")
    assert "The answer is in the manual." in text


def test_the_patterns_are_trafilaturas():
    """The early deletion copies trafilatura's patterns: a new trafilatura must be checked."""
    xpaths = importlib.import_module("trafilatura.xpaths")
    core = importlib.import_module("trafilatura.core")
    assert article._COMMENTS_ID.pattern == f"^(?:{xpaths._COMMENTS_ID})"
    assert article._COMMENTS_CLASS.pattern == xpaths._COMMENTS_CLASS
    assert (
        article._COMMENTS_ID_BLOCK.pattern
        == f"^(?:{xpaths._COMMENTS_ID}|disqus_thread|dsq-comments)"
    )
    assert article._FORUM_POSTING.pattern == core._DISCUSSION_FORUM_POSTING_RE.pattern
