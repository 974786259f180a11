"""wordfreq's word table for one language as memory-mapped tries, built once per machine.

Why: wordfreq keeps each language in a gzipped msgpack file that must be decoded
whole before the first lookup, 0.1-0.5 s per language, and the word splitter also
needs the words sorted forwards and backwards (another 0.3-1.3 s).  Paid on every
start, that is more than extracting a whole article, and a one-off
``scraper extract`` pays it again each time.  A :class:`WordIndex` holds the same
table as two marisa tries (the words, and the words spelled backwards, for
prefix and suffix queries) plus a small head of the most frequent words.  It is
built from wordfreq's data on the first use of a language and saved in the cache
directory; from then on it opens in about a millisecond, the tries are
memory-mapped (a process reads only the pages it touches, and worker processes
share them), and the frequencies are exactly wordfreq's.

Where: the cache folder of :mod:`cleaners._diskcache`, one subfolder per index
format and wordfreq version.  A cache that cannot be written or read is not an
error: the index is then built in memory for this process (and a warning is
logged once), because cleaning never fails on any text.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import marshal
import math
from array import array
from collections.abc import Iterable
from pathlib import Path

import marisa_trie
import wordfreq

from cleaners._diskcache import atomic, cache_dir, warn_unwritable

__all__ = ["WordIndex", "load_index"]

logger = logging.getLogger(__name__)

#: Bump when the files' layout changes: the index is then rebuilt in a new folder.
FORMAT = 3
#: The head keeps every word at least this frequent (zipf 3.5) ...
HEAD_BUCKET = 550
#: ... and at least this many words, whatever their frequency.
HEAD_WORDS = 10_000
#: How many of the most frequent words the head also keeps as wordfreq's ``top_n_list``.
TOP_WORDS = 3_000


class WordIndex:
    """Frequencies of one wordfreq language: ``word -> frequency`` like wordfreq's dict.

    Supports ``in``, ``[]`` and ``get`` as a dict does, plus prefix and suffix
    queries.  ``head`` lists wordfreq's frequency buckets down to zipf 3.0 (at least
    ``HEAD_WORDS`` words) in wordfreq's order, for rank-based tables; ``top`` is
    wordfreq's ``top_n_list(code, TOP_WORDS)``.
    """

    __slots__ = ("_buckets", "_freqs", "_reversed", "_trie", "_zipfs", "code", "head", "top")

    def __init__(
        self,
        code: str,
        trie: marisa_trie.Trie,
        reversed_trie: marisa_trie.Trie,
        buckets: array[int],
        levels: int,
        head: list[list[str]],
        top: list[str],
    ) -> None:
        self.code = code
        self._trie = trie
        self._reversed = reversed_trie
        self._buckets = buckets
        self._freqs: list[float] = [wordfreq.cB_to_freq(-index) for index in range(levels)]
        self._zipfs = [math.log10(f) + 9.0 for f in self._freqs]
        self.head = head
        self.top = top

    def __len__(self) -> int:
        return len(self._trie)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._trie

    def __getitem__(self, word: str) -> float:
        key: int | None = self._trie.get(word)
        if key is None:
            raise KeyError(word)
        return self._freqs[self._buckets[key]]

    def get(self, word: str, default: float = 0.0) -> float:
        """The frequency of ``word`` as wordfreq gives it, or ``default`` (0.0)."""
        key: int | None = self._trie.get(word)
        return default if key is None else self._freqs[self._buckets[key]]

    def zipf(self, word: str) -> float:
        """Zipf frequency of ``word``, 0.0 when wordfreq does not know it."""
        key: int | None = self._trie.get(word)
        return 0.0 if key is None else self._zipfs[self._buckets[key]]

    def cuts(self, word: str) -> list[int]:
        """The offsets that cut ``word`` into two known words, in order (two C calls).

        >>> index = _build_from("xx", {"fire": 1, "work": 2, "fir": 3, "ework": 4, "s": 5})
        >>> index.cuts("firework"), index.cuts("fireworks")
        ([3, 4], [])
        """
        n = len(word)
        lefts = {len(w) for w in self._trie.prefixes(word)}
        rights = {n - len(w) for w in self._reversed.prefixes(word[::-1])}
        return sorted(i for i in lefts & rights if 0 < i < n)

    def sides(self, word: str) -> tuple[list[int], list[int]]:
        """The offsets inside ``word`` that follow a known word, and those that precede
        one, in order.

        >>> index = _build_from("xx", {"fire": 1, "work": 2, "fir": 3, "ework": 4, "s": 5})
        >>> index.sides("fireworks")
        ([3, 4], [8])
        """
        n = len(word)
        lefts = sorted(k for k in map(len, self._trie.prefixes(word)) if k < n)
        rights = sorted(n - k for k in map(len, self._reversed.prefixes(word[::-1])) if k < n)
        return lefts, rights

    def known_of(self, words: Iterable[str]) -> list[str]:
        """The known words among ``words``, in order (a lookup in C for each).

        >>> _build_from("xx", {"fire": 1, "work": 2}).known_of(["work", "shop", "fire"])
        ['work', 'fire']
        """
        return list(filter(self._trie.__contains__, words))

    def extensions(self, part: str, as_prefix: bool, most: int) -> tuple[int, list[str]]:
        """How many known words start with ``part`` (``as_prefix``) or end with it, and
        those words when there are at most ``most`` (else none).

        Counting stops past ``most``: the count is then ``most + 1``.
        """
        if as_prefix:
            words = list(itertools.islice(self._trie.iterkeys(part), most + 1))
            return len(words), words if len(words) <= most else []
        ends = list(itertools.islice(self._reversed.iterkeys(part[::-1]), most + 1))
        if len(ends) > most:
            return len(ends), []
        return len(ends), [w[::-1] for w in ends]


def _folder() -> Path:
    return cache_dir() / f"words-{FORMAT}-{_data_stamp()}"


@functools.cache
def _data_stamp() -> str:
    """A short name for wordfreq's data files as installed: their names and sizes.

    An upgrade that changes a table changes it, so a stale index is never read;
    reading the package's version from its metadata would cost 50 ms per process.
    """
    files = sorted(Path(wordfreq.DATA_PATH).glob("*.msgpack.gz"))
    listing = ";".join(f"{f.name}:{f.stat().st_size}" for f in files)
    return hashlib.sha1(listing.encode(), usedforsecurity=False).hexdigest()[:12]


def _pack_parts(code: str) -> tuple[dict[str, int], int, list[list[str]], list[str]]:
    """wordfreq's table for ``code``: word -> bucket, how many buckets, the head buckets
    and the top words."""
    pack: list[list[str]] = wordfreq.get_frequency_list(code)
    buckets: dict[str, int] = {}
    for index, bucket in enumerate(pack):
        for word in bucket:
            buckets[word] = index  # as get_frequency_dict does: the last bucket wins
    head: list[list[str]] = []
    count = 0
    for index, bucket in enumerate(pack):
        if index > HEAD_BUCKET and count >= HEAD_WORDS:
            break
        head.append(list(bucket))
        count += len(bucket)
    return buckets, len(pack), head, wordfreq.top_n_list(code, TOP_WORDS)


def _build(code: str) -> WordIndex:
    """Build the index of ``code`` in memory from wordfreq's data (0.5-3 s)."""
    words, levels, head, top = _pack_parts(code)
    return _build_from(code, words, levels, head, top)


def _build_from(
    code: str,
    words: dict[str, int],
    levels: int = 1000,
    head: list[list[str]] | None = None,
    top: list[str] | None = None,
) -> WordIndex:
    """An index of ``words`` (word -> wordfreq bucket) in memory."""
    trie = marisa_trie.Trie(words)
    ids = array("H", bytes(2 * len(trie)))
    for word, key in trie.iteritems():
        ids[key] = words[word]
    reversed_trie = marisa_trie.Trie(w[::-1] for w in words)
    return WordIndex(code, trie, reversed_trie, ids, levels, head or [], top or [])


def _save(folder: Path, index: WordIndex) -> None:
    """Write ``index`` into ``folder``: its two tries, then the rest."""
    code = index.code
    for suffix, trie in (("words", index._trie), ("rwords", index._reversed)):
        with atomic(folder / f"{code}.{suffix}") as tmp:
            trie.save(str(tmp))
    meta = {
        "format": FORMAT,
        "code": code,
        "size": len(index),
        "buckets": index._buckets.tobytes(),
        "levels": len(index._freqs),
        "head": index.head,
        "top": index.top,
    }
    # The metadata goes last: its presence says the two tries are complete.
    with atomic(folder / f"{code}.meta") as tmp:
        tmp.write_bytes(marshal.dumps(meta))


def _open(folder: Path, code: str) -> WordIndex | None:
    """The saved index of ``code``, or None when there is none or it does not fit."""
    meta_path = folder / f"{code}.meta"
    if not meta_path.exists():
        return None
    meta = marshal.loads(meta_path.read_bytes())
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("code") != code:
        return None
    trie = marisa_trie.Trie().mmap(str(folder / f"{code}.words"))
    reversed_trie = marisa_trie.Trie().mmap(str(folder / f"{code}.rwords"))
    if len(trie) != meta["size"] or len(reversed_trie) != meta["size"]:
        return None  # replaced by another builder between our reads: rebuild
    buckets = array("H")
    buckets.frombytes(meta["buckets"])
    return WordIndex(code, trie, reversed_trie, buckets, meta["levels"], meta["head"], meta["top"])


def load_index(code: str) -> WordIndex:
    """The word index of wordfreq language ``code``: from the cache, else built (and saved).

    ``code`` must be one of ``wordfreq.available_languages()``.
    """
    folder = _folder()
    try:
        found = _open(folder, code)
    except (OSError, ValueError, EOFError, TypeError, KeyError, RuntimeError) as exc:
        logger.warning("word index %s in %s unreadable (%s): rebuilding it", code, folder, exc)
        found = None
    if found is not None:
        return found
    logger.info("building the word index for %s in %s (once per machine)", code, folder)
    index = _build(code)
    try:
        _save(folder, index)
    except OSError as exc:
        warn_unwritable(folder, exc.strerror or str(exc))
    return index
