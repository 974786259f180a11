"""py3langid's ``classify``, computed faster, with exactly the same result.

Why: py3langid walks its n-gram automaton one byte at a time in Python
(``state = nextmove[rowbase[state] + byte]``), about 0.3 µs a byte, which was
most of the time spent detecting a page's language.  Here the walk is done
with numpy over every position of the text at once, and the scoring reuses
py3langid's arithmetic unchanged, so the code and the confidence are equal to
py3langid's to the last bit (a test compares them on many texts).

How the walk is done at once: the automaton's state after a byte depends only
on the last few bytes read (its n-grams are at most six bytes long, so six
steps from the start state over a position's last six bytes reach the state
the full walk reaches there).  That is a property of the model, so it is not
trusted: one more vectorised step checks that each position's state is the
transition of the one before it, which proves the whole walk by induction.
Should a model ever fail the check, py3langid's own walk is used.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FastClassifier"]

#: Bytes of context that settle the automaton's state (py3langid's n-grams
#: are at most this long).  Too small only makes the check fail (slower, same
#: result); too large only costs time.
WINDOW = 6


class FastClassifier:
    """``classify`` of a py3langid ``LanguageIdentifier``, on the same arrays.

    Built once per process by :func:`cleaners._cache.language_classifier`;
    holds views of the identifier's arrays (no copy of the 39 MB transition
    table) and a numpy copy of its small per-state tables.

    >>> from cleaners import _cache
    >>> identifier = _cache.language_identifier()
    >>> text = "Il presidente russo arriverà in visita ufficiale in Corea del Nord."
    >>> FastClassifier(identifier).classify(text) == identifier.classify(text)
    True
    """

    def __init__(self, identifier: Any) -> None:  # noqa: ANN401 - py3langid ships no types
        from py3langid.langid import visit_counts

        self._identifier = identifier
        self._encode = type(identifier)._encode
        self._visit_counts = visit_counts
        nextmove = identifier.tk_nextmove
        # A stdlib array or a numpy array: either way a view, never a copy.
        self._nextmove: NDArray[Any] = np.asarray(memoryview(nextmove))
        self._rowbase = np.asarray(identifier._rowbase, dtype=np.intp)
        self._output = np.asarray(identifier.tk_output, dtype=np.intp)
        # A plain ndarray view of the (maybe memory-mapped) float16 table:
        # indexing a np.memmap goes through its slower Python-level __getitem__.
        self._ptc = np.asarray(identifier.nb_ptc)
        # py3langid's matmul first converts the float16 rows it gathers to
        # float32, one by one in numpy's scalar loop: that was most of the
        # scoring time.  The conversion is exact, so converted rows are kept
        # (only those of the features seen: an English crawl uses a few
        # thousand of the 100,000), and the matmul gets the same float32
        # operands.  ``_slot[feature]`` is the row's index in ``_rows``, -1 if
        # not converted yet.
        self._slot = np.full(len(self._ptc), -1, dtype=np.intp)
        self._rows = np.empty((0, self._ptc.shape[1]), dtype=np.float32)
        self._filled = 0
        self._lock = threading.Lock()
        self._pc = np.asarray(identifier.nb_pc)
        self._classes = list(identifier.nb_classes)
        self._alias_pairs = list(identifier._alias_pairs)
        self._norm_probs = bool(identifier._norm_probs)
        self._min_confidence = identifier.min_confidence
        self._raw_floor = float(np.finfo(np.float32).min)

    def visits(self, data: bytes) -> Counter[int] | None:
        """py3langid's ``visit_counts`` of ``data``: feature -> count, in first-seen order."""
        size = len(data)
        if size <= WINDOW:
            return self._walk(data)
        nextmove, rowbase = self._nextmove, self._rowbase
        letters = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
        states = np.zeros(size, dtype=np.intp)
        # Step k moves every position i >= WINDOW-1-k by the byte k-(WINDOW-1)
        # before it: after the last step each position has read its window.
        for k in range(WINDOW):
            first = WINDOW - 1 - k
            states[first:] = nextmove[rowbase[states[first:]] + letters[: size - first]]
        before = np.empty_like(states)
        before[0] = 0
        before[1:] = states[:-1]
        if not np.array_equal(nextmove[rowbase[before] + letters], states):
            return self._walk(data)  # the model's states need more context
        found = self._output[states]
        found = found[found >= 0]
        return Counter(found.tolist()) if len(found) else None

    def rows(self, idx: NDArray[np.intp]) -> NDArray[np.float32]:
        """``nb_ptc[idx]`` converted to float32, as py3langid's matmul converts it."""
        slots = self._slot[idx]
        if (slots < 0).any():
            self._convert(idx[slots < 0])
            slots = self._slot[idx]
        # Read after the slots: a thread that converted them published the
        # table holding them first.
        return self._rows[slots]

    def _convert(self, features: NDArray[np.intp]) -> None:
        """Convert the rows of ``features`` and give them slots (one thread at a time)."""
        with self._lock:
            new = np.unique(features[self._slot[features] < 0])
            if not len(new):
                return
            start, end = self._filled, self._filled + len(new)
            rows = self._rows
            if end > len(rows):
                rows = np.empty((max(end, 2 * len(rows), 1024), rows.shape[1]), dtype=np.float32)
                rows[:start] = self._rows[:start]
            rows[start:end] = self._ptc[new]
            self._rows, self._filled = rows, end
            self._slot[new] = np.arange(start, end)

    def _walk(self, data: bytes) -> Counter[int] | None:
        """py3langid's own walk (short texts, or a model the check rejects)."""
        identifier = self._identifier
        counts: Counter[int] | None = self._visit_counts(
            identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data
        )
        return counts

    def classify(self, text: str | bytes) -> tuple[str, float]:
        """``LanguageIdentifier.classify(text)``: the same code and confidence, bit for bit."""
        # The steps below copy py3langid's _decide and classify, operation for
        # operation, so that every float32 rounding happens the same way.
        data = self._encode(text)
        visits = self.visits(data)
        if visits:
            idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
            counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
            scores = np.log1p(counts) @ self.rows(idx) + self._pc
        else:
            fill = 0.0 if self._norm_probs else self._raw_floor
            scores = np.full(len(self._classes), fill, dtype=np.float32)
        if self._norm_probs:
            scores *= 1.0 / math.sqrt(len(data) or 1)
            np.exp(scores - scores.max(), out=scores)
            scores /= scores.sum()
        for i, j in self._alias_pairs:
            if self._norm_probs:
                scores[i] += scores[j]
                scores[j] = 0.0
            else:
                scores[i] = max(scores[i], scores[j])
                scores[j] = self._raw_floor
        best = int(scores.argmax())
        conf = float(scores[best])
        if self._min_confidence is not None and conf < self._min_confidence:
            return "und", conf
        return self._classes[best], conf
