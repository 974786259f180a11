"""A vectorised first look at a document's tags: is the exact screen needed at all?

Why: :mod:`scraper.extraction.guard` finds absurd nesting and attribute
floods with an exact scan that follows the tree builder's rules, one tag at
a time in Python: about 3 ms on a 170 KB news page, as much as a fifth of
the extraction itself, spent on every page for the rare hostile one.  This
module answers the common case with numpy in a fraction of that:

* :meth:`Tags.depth_estimate` counts, name by name, every ``<name`` of a
  non-void element as an opening and every ``</name`` as the closing of an
  open element of that name (an end tag with none open closes nothing), and
  adds the names up.  When every tag it counts is a real one, that is never
  shallower than the tree builder's nesting: implied end tags only close
  more.  On real pages it errs deeper (tags in scripts and comments count,
  omitted end tags leave elements open): on the 781 pages of the extraction
  benchmarks it never came out lower, and its median is 19 levels.
* :meth:`Tags.long_tags` lists the tags that may hold an attribute flood:
  those running more than ``min_length`` bytes to the next ``>``, and those
  whose span to it holds an odd number of quotes (a ``>`` in a quoted value
  does not end a tag).

What it cannot see: end tags the parser ignores because they sit inside a
comment, a script or an attribute value, naming an element that is open,
lower the estimate; a document built to exploit that passes as shallow.
Such a document still meets the extraction worker's deadline (in a crawl and
``extract_url``): it costs time, never safety.  Pure, no I/O.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MAX_TAGS", "Tags"]

#: Bytes of a tag name read: the longest void or root element name is 8
#: ("basefont"), plus the delimiter after it.
_WINDOW: Final = 9
_LT, _GT, _SLASH = 0x3C, 0x3E, 0x2F
#: Tag starts looked at, at most: about 100 bytes of arrays each.  Real pages
#: have a few thousand; a document with more is hostile or absurd.
MAX_TAGS: Final = 250_000


@functools.cache
def _tables() -> tuple[NDArray[np.bool_], NDArray[np.uint8]]:
    """Byte lookup tables: is it a tag name's delimiter; its ASCII lower case."""
    import numpy as np

    delimiter = np.zeros(256, dtype=bool)
    delimiter[[0x09, 0x0A, 0x0C, 0x0D, 0x20, _SLASH, _GT, _LT]] = True
    lower = np.arange(256, dtype=np.uint8)
    lower[0x41:0x5B] += 0x20
    return delimiter, lower


@functools.cache
def _name_masks() -> NDArray[np.uint64]:
    """Keeps the first ``n`` bytes of a little-endian 8-byte key, by ``n`` (0 to 8)."""
    import numpy as np

    return np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)


@functools.cache
def _keys(names: frozenset[str]) -> NDArray[np.uint64]:
    """Names of up to 8 ASCII letters as the little-endian integers of their padded bytes."""
    import numpy as np

    return np.array(
        sorted(int.from_bytes(n.encode("ascii").ljust(8, b"\0"), "little") for n in names),
        dtype=np.uint64,
    )


def _isin_sorted(values: NDArray[np.uint64], table: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """``np.isin(values, table)`` for a sorted ``table``: one binary search each.

    Why: ``np.isin`` spends more on choosing its method than on a page's
    thousand tags.

    >>> import numpy as np
    >>> _isin_sorted(np.array([1, 5, 9, 2], dtype=np.uint64), np.array([2, 5], dtype=np.uint64))
    array([False,  True, False,  True])
    """
    import numpy as np

    if not table.size:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(table, values)
    at[at == table.size] = 0  # past the end: compared with any entry, which differs
    found: NDArray[np.bool_] = table[at] == values
    return found


class Tags:
    """The tag starts of one document, found once and read by both checks."""

    def __init__(self, data: bytes) -> None:
        import numpy as np

        self._size = len(data)
        # Padding: a window never runs off the end, and a name at the very end is delimited.
        self._bytes = arr = np.frombuffer(data + b">" * (_WINDOW + 2), dtype=np.uint8)
        opens = np.flatnonzero(arr[: self._size] == _LT)
        #: More ``<`` than MAX_TAGS: not looked at (``starts`` is empty); the
        #: caller takes the exact scan, whose memory does not grow with them.
        self.too_many = opens.size > MAX_TAGS
        if self.too_many:
            opens = opens[:0]
        closing = arr[opens + 1] == _SLASH
        starts = opens + 1 + closing
        first = arr[starts] | 0x20
        is_tag = (first >= ord("a")) & (first <= ord("z"))
        #: Where each tag name starts (after ``<`` or ``</``), and whether it is an end tag.
        self.starts = starts[is_tag]
        self.closing = closing[is_tag]

    def _name_keys(self) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
        """Each tag's name as the integer of its first 8 bytes, lower-cased and cut at
        its delimiter; and whether the name is longer than 8 bytes."""
        import numpy as np

        delimiter, lower = _tables()
        # A view of every 9-byte window, indexed: 9 bytes per tag, not an index
        # matrix.  (as_strided: sliding_window_view's checks cost more than the
        # indexing on a page of a thousand tags.)
        data = self._bytes
        windows = np.lib.stride_tricks.as_strided(
            data, shape=(data.size - _WINDOW + 1, _WINDOW), strides=(1, 1), writeable=False
        )
        window = lower[windows[self.starts]]
        length = np.argmax(delimiter[window], axis=1)  # 0: no delimiter in reach, a long name
        head = np.ascontiguousarray(window[:, :8]).view("<u8").ravel()
        keys = head & _name_masks()[np.where(length > 0, length, 8)]
        return keys, length == 0

    def depth_estimate(self, uncounted: frozenset[str]) -> int:
        """The deepest nesting by the counting rule above; ``uncounted`` names (void
        and root elements, at most 8 letters each) neither open nor close.

        Counted per name (by its first 8 letters): an end tag closes an element
        of its own name, or nothing (``</i>`` with no ``<i>`` open does not
        lower the estimate), as in the tree builder.

        >>> Tags(b"<div><p>a</p><br><DIV>b</div></div>").depth_estimate(frozenset({"br"}))
        2
        >>> Tags(b"</div></div><div><div><div>").depth_estimate(frozenset())
        3
        >>> Tags(b"<div></i>" * 500).depth_estimate(frozenset())
        500
        """
        import numpy as np

        if not self.starts.size:
            return 0
        keys, long_name = self._name_keys()
        counted = long_name | ~_isin_sorted(keys, _keys(uncounted))
        keys = keys[counted]
        steps = np.where(self.closing[counted], -1, 1).astype(np.int64)
        if not steps.size:
            return 0
        # Per name: a running count clamped at zero.  Sort by name (stably, so
        # each name's tags stay in document order), count within each name,
        # then put the changes back in document order and add them up.
        order = np.argsort(keys, kind="stable")
        by_name = keys[order]
        step = steps[order]
        first = np.empty(by_name.size, dtype=bool)
        first[0] = True
        first[1:] = by_name[1:] != by_name[:-1]
        group = np.cumsum(first) - 1
        total = np.cumsum(step)
        before = (total - step)[first]  # the running total where each name starts
        count = total - before[group]
        # Running minimum within each name: offsets that fall by name make the
        # minima of earlier names too large to carry over.
        span = 2 * step.size + 1
        offset = (group[-1] - group + 1) * span
        lowest = np.minimum.accumulate(count + offset) - offset
        clamped = count - np.minimum(lowest, 0)
        previous = np.empty_like(clamped)
        previous[0] = 0
        previous[1:] = clamped[:-1]
        previous[first] = 0
        change = np.empty_like(clamped)
        change[order] = clamped - previous
        return int(np.cumsum(change).max())

    def long_tags(self, min_length: int) -> list[int]:
        """Positions of the ``<`` of tags that may run more than ``min_length`` bytes:
        those longer to the next ``>``, and those whose span to it holds an odd
        number of ``"`` or ``'`` (a quoted ``>`` may not end them).

        >>> Tags(b"<p>x</p><div " + b"a " * 40 + b">").long_tags(64)
        [8]
        >>> Tags(b'<p title=">">x</p>').long_tags(64)
        [0]
        """
        import numpy as np

        if not self.starts.size:
            return []
        text = self._bytes[: self._size]
        closes = np.flatnonzero(text == _GT)
        ends = np.append(closes, self._size)[np.searchsorted(closes, self.starts)]
        suspect = ends - self.starts > min_length
        for quote in (0x22, 0x27):
            marks = np.flatnonzero(text == quote)
            inside = np.searchsorted(marks, ends) - np.searchsorted(marks, self.starts)
            suspect |= inside % 2 == 1
        found = self.starts[suspect]
        slashed = self.closing[suspect]
        return [int(pos) - 1 - int(end_tag) for pos, end_tag in zip(found, slashed, strict=True)]
