"""The extraction's fast paths give exactly what the plain forms they replace give.

Each shortcut (word counting in C, lazy headline matching, the date
prefilter, the tag-name keys) is checked against a straightforward
reference on generated text, non-ASCII, CJK and odd characters included.
"""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
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
