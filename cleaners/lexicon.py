"""Word knowledge per language, derived from wordfreq: what the word splitter asks.

How frequent a word is, whether it is a function word, how many known words start or
end with a string and how productive a prefix or suffix is (``mit|arbeiten``,
``Kind|er``).  Nothing here is a word list: it is all measured on wordfreq's
frequency tables (their data ships in the wheel; nothing is downloaded).

A :class:`Lexicon` reads wordfreq's table through a memory-mapped
:class:`~cleaners.wordindex.WordIndex` (built once per machine) and holds memo
tables that the splitter fills as it goes, so :func:`cleaners._cache.lexicon`
keeps one per language.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

import wordfreq

from cleaners.worddata import (
    ALIASES,
    COMPOUND_TAIL,
    COMPOUNDING,
    DERIVED_SHARE,
    ELIDING,
    ENGLISH_FREQ,
    FUNCTION_WORDS,
    KNOWN_ZIPF,
    MAX_DECISIONS,
    NOUN_CAPITALS,
    PROBE_WORDS,
    SMOOTHING,
    UNSUPPORTED,
)
from cleaners.wordindex import WordIndex, load_index

__all__ = ["Lexicon", "build_lexicon", "is_english", "wordfreq_language"]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word knowledge for one wordfreq language, with its memo tables."""

    code: str
    #: wordfreq's table, memory-mapped (:mod:`cleaners.wordindex`).
    freq: WordIndex
    #: Words at or above ``KNOWN_ZIPF``: never cut (one set lookup per distinct token).
    known: frozenset[str]
    function_words: frozenset[str]
    #: Frequent words that probe affixes, mapped to their last two letters ...
    probes: dict[str, str]
    #: ... and how many probes end in each two letters.
    probe_endings: dict[str, int]
    compounding: bool
    noun_capitals: bool
    eliding: bool
    #: Memo tables of the splitter: affix counts, cuts that pass the cheap tests,
    #: decisions on a run of letters in a context ...
    affixes: dict[tuple[str, bool], dict[str, int]] = field(default_factory=dict)
    ranks: dict[tuple[str, bool], tuple[int, ...]] = field(default_factory=dict)
    decisions: dict[tuple[str, bool, bool, bool], tuple[int, ...]] = field(default_factory=dict)
    #: ... tokens that no context cuts, and those that only a hyphen next to them might.
    rejected: set[str] = field(default_factory=set)
    unhyphenated: set[str] = field(default_factory=set)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lower-case word, 0.0 when wordfreq does not know it."""
        return self.freq.zipf(word)

    def extensions(self, part: str, as_prefix: bool, most: int) -> tuple[int, Sequence[str]]:
        """How many known words start with ``part`` (``as_prefix``) or end with it, and
        those words when there are at most ``most`` (else none: they are not needed).

        Past ``most`` the count is ``most + 1``: every caller only compares it with
        limits far below that.
        """
        return self.freq.extensions(part, as_prefix, most)

    def _counts(self, part: str, as_prefix: bool) -> dict[str, int]:
        """Known words that extend ``part`` (after it as a prefix, before it as a suffix).

        Keys: a probe's last two letters -> how many ``part + probe`` (``probe + part``)
        are known words and no rare typos; ``""`` -> their total; ``"*"`` -> how many
        known words extend ``part`` by ``COMPOUND_TAIL`` letters or more (how often it
        starts, or ends, a compound).
        """
        counts = self.affixes.get((part, as_prefix))
        if counts is not None:
            return counts
        n = len(part)
        freq, probes = self.freq, self.probes
        # Either the known words that extend part are listed (from the trie), or each
        # probe word is joined to part and looked up: whichever is fewer strings.
        size, words = self.extensions(part, as_prefix, len(probes))
        if not words and size:
            joined = (
                map(part.__add__, probes) if as_prefix else map(str.__add__, probes, repeat(part))
            )
            words = freq.known_of(joined)
        if size > len(probes) or (not as_prefix and n < 3):
            # A short, common part (``a``, ``en``): it surely starts or ends more
            # compounds than any limit.
            counts = {"": 0, "*": max(size, len(probes) + 1)}
        else:
            # Words shorter than part + COMPOUND_TAIL letters are no compounds of it.
            short = sum(map((n + COMPOUND_TAIL).__gt__, map(len, words)))
            counts = {"": 0, "*": len(words) - short}
        rests = map(itemgetter(slice(n, None) if as_prefix else slice(None, -n)), words)
        for rest in probes.keys() & set(rests):
            word = part + rest if as_prefix else rest + part
            if freq[word] >= freq[rest] * DERIVED_SHARE:
                end = probes[rest]
                counts[end] = counts.get(end, 0) + 1
                counts[""] += 1
        if len(self.affixes) >= MAX_DECISIONS:
            self.affixes.clear()
        self.affixes[(part, as_prefix)] = counts
        return counts

    def compounds(self, part: str, as_prefix: bool) -> int:
        """How many known words start (or end) with ``part`` and go on for a while."""
        return self._counts(part, as_prefix)["*"]

    def productivity(self, part: str, as_prefix: bool, other: str) -> float:
        """How often ``part`` makes known words with probe words that end like ``other``.

        The ending tells a word's class in most languages (verb, plural, adjective), so
        the share is taken among probes ending like ``other``, smoothed towards the
        share among all probes.
        """
        counts = self._counts(part, as_prefix)
        end = other[-2:]
        overall = counts[""] / len(self.probes)
        same = self.probe_endings.get(end, 0)
        return (counts.get(end, 0) + SMOOTHING * overall) / (same + SMOOTHING)


def build_lexicon(code: str) -> Lexicon:
    """Build the word knowledge for a wordfreq language code (milliseconds once its
    word index is on disk; the first use on a machine builds that, 0.5-3 s)."""
    index = load_index(code)
    ranked = [w for bucket in index.head for w in bucket if w.isalpha()]
    probes = {w: w[-2:] for w in [w for w in ranked if len(w) >= 3][:PROBE_WORDS]}
    endings: dict[str, int] = {}
    for end in probes.values():
        endings[end] = endings.get(end, 0) + 1
    least = 10.0 ** (KNOWN_ZIPF - 9.0)
    return Lexicon(
        code=code,
        freq=index,
        known=frozenset(
            w
            for rank, bucket in enumerate(index.head)
            if wordfreq.cB_to_freq(-rank) >= least
            for w in bucket
        ),
        function_words=frozenset(ranked[:FUNCTION_WORDS]),
        probes=probes,
        probe_endings=endings,
        compounding=code in COMPOUNDING,
        noun_capitals=code in NOUN_CAPITALS,
        eliding=code in ELIDING,
    )


def is_english(word: str) -> bool:
    """True for a word of wordfreq's English list: brands and code are made of those."""
    from cleaners import _cache  # the cache module builds lexicons: import it late

    return _cache.word_index("en").get(word.lower()) >= ENGLISH_FREQ


@functools.lru_cache(maxsize=64)
def wordfreq_language(lang: str | None) -> str | None:
    """Return the wordfreq code for ``lang`` (``hr`` -> ``sh``, ``pt-BR`` -> ``pt``), or None.

    None means the language is not supported and its text is left alone.

    >>> wordfreq_language("hr"), wordfreq_language("pt-BR"), wordfreq_language("zh")
    ('sh', 'pt', None)
    """
    if not lang:
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    code = ALIASES.get(code, code)
    if code in UNSUPPORTED or code not in wordfreq.available_languages("best"):
        return None
    return code
