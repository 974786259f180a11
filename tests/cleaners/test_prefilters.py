"""The speed-ups of the steps change nothing: each is compared with the plain code it skips.

Every cheap test that lets a step return its input at once must only say "no
change" where the full step would change nothing, and every faster way of
computing a value must give the value the plain way gives.  Hypothesis draws
arbitrary text (surrogates included) mixed with the characters the tests look
for, and ASCII-only text, which takes the fast paths.
"""

from __future__ import annotations

import re
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import _cache
from cleaners import boilerplate as bp
from cleaners import duplicates as dup
from cleaners import hyphenation as hy
from cleaners import joined_words as jw
from cleaners import paragraphs as pg
from cleaners import punctuation as pu
from cleaners import whitespace as ws
from cleaners import worddata as wd
from cleaners.chardata import (
    BOILERPLATE_SENTENCE_KEYS,
    BOILERPLATE_SENTENCE_KEYS_RE,
    ODD_WHITESPACE_CHAR_RE,
)
from cleaners.pipeline import STEPS, Context

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What the prefilters and fast paths look at, to be mixed into the text often.
_SPECIAL = [
    *" \n\t\r\x0b\x0c\x85\xa0\u2028\u2029\u200b\u200c\ufeff\u2009\u202f\xad",
    *",.;:!?()[]\"'’“”„«»-‐‑_/@#0123²½",
    *"aAeEiIoOuUsStTxzéÉßñłЖж",
    *[" ,", " .", " :", " ;", " ?", " !", " )", " ]", "..", ". .", ",,", "e.g.", "fine.Il"],
    *["-\n", "- ", "\n\n", "\n\n\n", "  ", " \n", "\n ", "don't", "l'anno", "’tis"],
    *["cookie", "mail", "rights", "Share", "Facebook", "comments", "12 Comments"],
]
_ASCII_SPECIAL = [s for s in _SPECIAL if s.isascii()]
any_text = st.lists(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from(_SPECIAL)), max_size=120
).map("".join)
ascii_text = st.lists(
    st.one_of(st.characters(max_codepoint=127), st.sampled_from(_ASCII_SPECIAL)), max_size=120
).map("".join)
texts = st.one_of(any_text, ascii_text)
langs = st.sampled_from([None, "en", "fr", "de", "it", "pl"])


# --------------------------------------------------------------------------- joined words


@PROPERTY
@given(texts)
def test_distinct_words_are_the_regex_tokens(text):
    assert jw.distinct_words(text) == set(wd.WORD_RE.findall(text))


def _plain_tokens(text, lex):
    """``joined_words._tokens`` on a whole text as it was before its speed-ups."""
    known, rejected = lex.known, lex.rejected
    unknown = set(wd.WORD_RE.findall(text)) - known - rejected
    hyphened = jw._next_to_hyphens(text) & unknown
    found = []
    for word in (unknown - lex.unhyphenated) | hyphened:
        if (
            not wd.MIN_LENGTH <= len(word) <= wd.MAX_LENGTH
            or word.lower().replace("’", "'") in known
        ):
            continue
        runs = jw._runs(lex, word)
        if jw._stays_whole(lex, word, runs, word in hyphened):
            continue
        pos = text.find(word)
        while pos >= 0:
            end = pos + len(word)
            match = wd.WORD_RE.match(text, pos)
            if (
                match is not None
                and match.end() == end
                and not (pos and wd.LETTER_RE.match(text, pos - 1))
                and not (
                    pos > 1
                    and text[pos - 1] in wd.APOSTROPHES
                    and wd.LETTER_RE.match(text, pos - 2)
                )
            ):
                found.append((pos, word, runs))
            pos = text.find(word, pos + 1)
    found.sort()
    return found


_GLUE = ["voltanel", "ofthe", "duringthe", "well-known", "x-yz", "perattacchi", "Jong-un"]
glued_text = st.lists(
    st.one_of(st.sampled_from(_GLUE + _SPECIAL), st.sampled_from(["una ", "the ", "Il "])),
    max_size=40,
).map("".join)


@PROPERTY
@given(st.one_of(texts, glued_text), st.sampled_from(["en", "it", "de"]))
def test_tokens_match_the_plain_search(text, code):
    lex = _cache.lexicon(code)
    assert jw._tokens(text, lex, [(0, len(text))]) == _plain_tokens(text, lex)


# --------------------------------------------------------------------------- duplicates


def _plain_block_key(block):
    return re.sub(r"[\W_]+", "", "".join(block.casefold().split()))


@PROPERTY
@given(texts)
def test_block_key_matches_the_regex(block):
    assert dup.block_key(block) == _plain_block_key(block)


@PROPERTY
@given(st.text("ab", max_size=6), st.text("ab", max_size=4), st.text("ab", max_size=4))
def test_joins_is_concatenation(whole, first, second):
    assert dup._joins(whole, first, second) == (whole == first + second)


@PROPERTY
@given(st.text("ab .", max_size=12), st.text("ab .!", max_size=30), st.text("ab .", max_size=14))
def test_heading_test_order_changes_nothing(prev_key, prev, key):
    plain = (
        len(prev_key) >= dup._MIN_FAR_KEY // 2
        and len(prev.split()) >= dup._PREFIX_MIN_WORDS
        and not dup._ends_sentence(prev)
        and len(key) > len(prev_key)
        and key.startswith(prev_key)
    )
    assert dup._is_heading_repeated_in(prev_key, prev, key) == plain


# --------------------------------------------------------------------------- punctuation


@PROPERTY
@given(texts, langs)
def test_space_before_prefilter_skips_only_unchanged_text(text, lang):
    assert bool(pu._MARK_AFTER_SPACE_RE.search(text)) == bool(pu._SPACE_BEFORE_RE.search(text))
    assert pu.fix_space_before_punctuation(text, lang) == pu._remove_space_before(text, lang)


@PROPERTY
@given(texts, langs)
def test_may_fix_punctuation_false_means_no_change(text, lang):
    if not pu.may_fix_punctuation(text):
        assert pu.fix_doubled_punctuation(text) == text
        assert pu.fix_space_before_punctuation(text, lang) == text
        assert not re.search(r"[,.;:!?] ?[,.;:!?]", text)
        assert not pu._SPACE_BEFORE_RE.search(text)


def _short_strings(alphabet, longest):
    """Every string of up to ``longest`` characters of ``alphabet``."""
    return ["".join(chars) for n in range(longest + 1) for chars in product(alphabet, repeat=n)]


def test_punctuation_prefilters_on_every_short_string():
    # Random text nearly always holds several marks: a mark the prefilters missed
    # would hide behind another.  Every short string tests each mark on its own.
    for text in _short_strings(" a,.;:!?)](\n", 4):
        assert bool(pu._MARK_AFTER_SPACE_RE.search(text)) == bool(pu._SPACE_BEFORE_RE.search(text))
        if not pu.may_fix_punctuation(text):
            assert not re.search(r"[,.;:!?] ?[,.;:!?]", text), text
            assert not pu._SPACE_BEFORE_RE.search(text), text


def test_whitespace_prefilter_on_every_short_string():
    for text in _short_strings(" a\n\t\xa0\u200b", 4):
        assert ws._needs_fixing(text) == _plain_needs_fixing(text), repr(text)


@PROPERTY
@given(texts, langs)
def test_punctuation_step_matches_the_unguarded_loop(text, lang):
    ctx = Context(lang, None)
    step = next(s for s in STEPS if s.name == "punctuation")
    plain = text
    for _ in range(4):
        fixed = pu.fix_space_before_punctuation(pu.fix_doubled_punctuation(plain), lang)
        if fixed == plain:
            break
        plain = fixed
    assert step.fix(text, ctx) == plain


# --------------------------------------------------------------------------- whitespace


def _plain_needs_fixing(text):
    return bool(
        "  " in text
        or " \n" in text
        or "\n " in text
        or "\n\n\n" in text
        or text[:1] in (" ", "\n")
        or text.endswith((" ", "\n\n"))
        or ODD_WHITESPACE_CHAR_RE.search(text)
    )


@PROPERTY
@given(texts)
def test_whitespace_prefilter_matches_the_substring_tests(text):
    assert ws._has_odd_whitespace(text) == bool(ODD_WHITESPACE_CHAR_RE.search(text))
    assert ws._needs_fixing(text) == _plain_needs_fixing(text)


@pytest.mark.parametrize("char", list(ws.ODD_WHITESPACE_ASCII))
def test_every_ascii_odd_whitespace_char_is_seen(char):
    assert ws._has_odd_whitespace(f"a{char}b")


# --------------------------------------------------------------------------- hyphenation


@PROPERTY
@given(texts, langs)
def test_hyphenation_prefilter_skips_only_unchanged_text(text, lang):
    unhyphenated = hy.remove_soft_hyphens(text)
    assert hy.fix_hyphenation(text, lang) == hy._rejoin_gaps(unhyphenated, lang)


# --------------------------------------------------------------------------- boilerplate


@PROPERTY
@given(texts)
def test_boilerplate_tokens_match_the_regex(text):
    lower = text.lower()
    assert bp._tokens(lower) == bp._TOKEN_RE.findall(lower)


@PROPERTY
@given(st.lists(st.sampled_from([*BOILERPLATE_SENTENCE_KEYS, *_SPECIAL]), max_size=8).map("".join))
def test_sentence_keys_regex_finds_any_key(text):
    expected = any(key in text for key in BOILERPLATE_SENTENCE_KEYS)
    assert bool(BOILERPLATE_SENTENCE_KEYS_RE.search(text)) == expected


# --------------------------------------------------------------------------- paragraphs


@PROPERTY
@given(st.text(" ab.,-A\n", max_size=20), st.text(" ab.-1)A\n", max_size=20), st.booleans())
def test_continues_test_order_changes_nothing(prev, block, lower_starts):
    last = prev[-1:]
    if pg.LIST_ITEM_RE.match(block) or not (last == "," or (last.isalnum() and last != "_")):
        assert not pg._continues(prev, block, lower_starts)
