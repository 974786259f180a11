"""Screen an untrusted document before any parser sees it: refuse binaries, defuse absurd markup.

Why: the HTML parsers (lexbor, lxml) are C code that no Python timeout can
interrupt, and some inputs make them slow or useless:

* **binary data served as HTML** (a video, a font, an executable, random
  bytes): every legacy codec "decodes" it, and extraction returns pages of
  garbage as if it were an article.  Text has almost no C0 control bytes;
  compressed or executable data has about one byte in ten.  Such documents
  are refused with :class:`~scraper.errors.UnsupportedContent`.
* **absurd nesting** (100,000 unclosed ``<div>``): lexbor's tree builder is
  quadratic in depth (15 s at 100,000 levels, in one C call), and libxml2,
  which trafilatura parses with, gives up at 256 levels and drops the rest
  of the document.  Real pages stay under ~60 levels.  Past
  :data:`MAX_DEPTH`, :func:`defuse_markup` removes tags from the middle of
  the deep chains, keeping the outer :data:`KEEP_OUTER` levels and the
  innermost :data:`KEEP_INNER` levels (where paragraphs and headings live),
  so the text and its paragraphs survive and every parser runs in
  milliseconds.
* **attribute floods** (one tag with 100,000 attributes, under 1 MB): both
  parsers check each new attribute against the tag's others, quadratically
  (30 s and more).  A tag with more than :data:`MAX_ATTRIBUTES` loses its
  attributes (``<div a0=1 a1=1 ...>`` becomes ``<div>``); real tags have a
  few dozen at most.

The depth is estimated by a one-pass tag scan that follows the HTML tree
builder's main rules (void elements, implied end tags of ``p``/``li``/
``td``..., end tags that close what they match, raw text in ``script``,
``style`` and comments, self-closing tags inside SVG and MathML).  It errs
towards deeper, which costs at most a few removed wrapper tags on a page
that was absurd anyway.  It runs on bytes in any ASCII-compatible encoding
(the tags are ASCII) and on ``str``; UTF-16 and UTF-32 bytes are decoded
first.  Pure, no I/O; the extraction worker runs :func:`screen_document` on
every document before its task; in-process ``scraper.extract()`` trusts the
markup it is given and only refuses binary data (:func:`refuse_binary`).

The exact scan is Python, one tag at a time (about 3 ms on a 170 KB page).
Most pages skip it: a vectorised estimate (:mod:`scraper.extraction.tagscan`)
that clears them in a fraction of that, trusted only far below the limits.
"""

from __future__ import annotations

import bisect
import codecs
import re
import sys
from collections import Counter
from typing import AnyStr, Final

from scraper.errors import UnsupportedContent
from scraper.extraction.tagscan import Tags

__all__ = [
    "BINARY_SHARE",
    "ESTIMATE_TRUSTED",
    "KEEP_INNER",
    "KEEP_OUTER",
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "binary_share",
    "defuse_markup",
    "nesting_depth",
    "refuse_binary",
    "screen_document",
    "wide_codec",
]

#: Outer levels of a deep chain that are always kept (page layout wrappers).
KEEP_OUTER: Final = 96
#: Innermost levels of a deep chain that are always kept (the text's own markup).
KEEP_INNER: Final = 64
#: Estimated depth past which a document is flattened: what is kept, and
#: well under libxml2's 256 levels.
MAX_DEPTH: Final = KEEP_OUTER + KEEP_INNER
#: Attributes a tag may hold before all of its attributes are dropped.
MAX_ATTRIBUTES: Final = 256
#: Share of C0 control bytes (NUL, SOH...; not tab, newlines, form feed or
#: ESC) above which bytes are binary data, not text.  Random and compressed
#: data have ~10 %, executables more; text in any ASCII-compatible encoding
#: has none, bar a stray byte.
BINARY_SHARE: Final = 0.02
#: Fewer control bytes than this never make a document binary (a short page
#: with a few stray NULs is text).
_MIN_CONTROL_BYTES: Final = 16
#: Bytes sampled for the binary test: head, middle and tail.
_SAMPLE: Final = 16 * 1024

_CONTROL_BYTES: Final = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS: Final = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")

# A comment start, or the start of a start/end tag and its name.  The tag
# then runs to the next ">" outside a quoted attribute value (values may hold
# "<" and ">": data URIs, templates); a tag or value without an end ends the
# scan, as it ends the tokenizer's.  Each byte is looked at a bounded number
# of times: the scan is linear whatever the input.
_TOKEN: Final = re.compile(rb"<(?:(!--)|(/)?([A-Za-z][^\t\n\f\r /<>]{0,63}))")
_TAG_STOP: Final = re.compile(rb"""=[\t\n\f\r ]*(["'])|>""")
#: One attribute: a name and an optional value (quoted values taken whole, so
#: that the spaces of ``content="..."`` are not counted as attributes).
_ATTRIBUTE: Final = re.compile(
    rb"""[^\t\n\f\r />"'=]+(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]*))?"""
)
#: What can end an attribute's name: white space, ``/``, quotes and ``=``.
_SEPARATORS: Final = (b" ", b"\t", b"\n", b"\r", b"\f", b"/", b'"', b"'", b"=")
#: A tag shorter than this cannot hold MAX_ATTRIBUTES attributes: not counted.
_COUNT_ABOVE: Final = 2 * MAX_ATTRIBUTES
#: A depth estimate (``tagscan.Tags.depth_estimate``) at or under this skips the
#: exact scan.  The estimate is never shallower than the exact scan when the
#: tags it counts are real, and on real pages it errs deeper; what it can be
#: fooled by (end tags of open elements written inside comments, scripts or
#: attribute values) is built, not found, and is left to the worker's
#: deadline.  MAX_DEPTH is itself far under what harms a parser (libxml2
#: drops what is deeper than 256 levels; lexbor slows down past thousands).
#: About one benchmark page in forty is above it and is scanned exactly.
ESTIMATE_TRUSTED: Final = MAX_DEPTH

# fmt: off
#: Elements with no content and no end tag.
_VOID: Final = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})
#: Elements whose content is text up to their own end tag (no tags inside).
_RAW_TEXT: Final = frozenset({
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
})
#: The start of a raw-text element, in a lower-cased document.
_RAW_TEXT_OPEN: Final = re.compile(
    rb"<(" + b"|".join(sorted(n.encode("ascii") for n in _RAW_TEXT)) + rb")[\t\n\f\r />]"
)
#: Elements the tree builder never nests: one of each per document.
_ROOTS: Final = frozenset({"html", "head", "body"})
#: Start tags that close an open ``p`` (the HTML tree builder's list, abridged).
_CLOSES_P: Final = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "ul", "dd", "dt",
})
# fmt: on
#: A start tag of the key closes the nearest open element of the value's
#: names, unless an element of the third set (a scope boundary) is nearer.
_IMPLIED: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist"})),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "a": (frozenset({"a"}), frozenset({"table", "td", "th"})),
    "button": (frozenset({"button"}), frozenset()),
    "h1": (frozenset({"h1", "h2", "h3", "h4", "h5", "h6"}), frozenset({"div", "section"})),
}
for _level in "23456":
    _IMPLIED[f"h{_level}"] = _IMPLIED["h1"]
#: How far down the stack an implied end tag looks (bounds the work per tag).
_IMPLIED_REACH: Final = 32
#: Elements in whose content ``<x/>`` closes itself.
_FOREIGN: Final = frozenset({"svg", "math"})
#: Names the depth estimate neither opens nor closes (all of at most 8 letters).
_UNCOUNTED: Final = _VOID | _ROOTS


class _Element:
    """One open element of the scan's stack."""

    __slots__ = ("close", "deepest", "depth", "name", "start", "stop")

    def __init__(self, name: str, depth: int, start: int, stop: int) -> None:
        self.name = name
        self.depth = depth
        #: The deepest depth reached inside it (its own depth when empty).
        self.deepest = depth
        #: Span of its start tag, and of the end tag that closed it (if explicit).
        self.start = start
        self.stop = stop
        self.close: tuple[int, int] | None = None


class _Scan:
    """The stack machine behind :func:`nesting_depth` and :func:`defuse_markup`."""

    def __init__(self) -> None:
        self.stack: list[_Element] = []
        self.open: Counter[str] = Counter()
        self.foreign = 0
        self.deepest = 0
        #: Edits ``(start, stop, replacement)``: the start and end tags of the
        #: elements in the middle of a chain deeper than MAX_DEPTH (none when
        #: within it) become a space; a tag with an attribute flood, its bare form.
        self.edits: list[tuple[int, int, bytes]] = []

    def _pop(self) -> _Element:
        element = self.stack.pop()
        self.open[element.name] -= 1
        if element.name in _FOREIGN:
            self.foreign -= 1
        if self.stack and element.deepest > self.stack[-1].deepest:
            self.stack[-1].deepest = element.deepest
        if element.depth >= KEEP_OUTER and element.deepest - element.depth >= KEEP_INNER:
            self.edits.append((element.start, element.stop, b" "))
            if element.close is not None:
                self.edits.append((*element.close, b" "))
        return element

    def _pop_to(self, names: frozenset[str], boundaries: frozenset[str], reach: int) -> None:
        """Pop up to and including the nearest open element named in ``names``, if in reach."""
        for offset in range(1, min(reach, len(self.stack)) + 1):
            name = self.stack[-offset].name
            if name in names:
                for _ in range(offset):
                    self._pop()
                return
            if name in boundaries:
                return

    def start(self, name: str, self_closing: bool, start: int, stop: int) -> None:
        if name in _VOID or name in _ROOTS or (self_closing and self.foreign):
            return
        if name in _CLOSES_P and self.open["p"]:
            self._pop_to(frozenset({"p"}), frozenset({"button", "table"}), _IMPLIED_REACH)
        implied = _IMPLIED.get(name)
        if implied is not None and any(self.open[n] for n in implied[0]):
            self._pop_to(implied[0], implied[1], _IMPLIED_REACH)
        depth = len(self.stack)
        self.stack.append(_Element(name, depth, start, stop))
        self.open[name] += 1
        if name in _FOREIGN:
            self.foreign += 1
        if depth + 1 > self.deepest:
            self.deepest = depth + 1

    def end(self, name: str, start: int, stop: int) -> None:
        if not self.open[name]:
            return  # a stray end tag: the tree builder ignores it
        while self.stack:
            element = self.stack[-1]
            if element.name == name:
                element.close = (start, stop)
                self._pop()
                return
            self._pop()

    def finish(self) -> None:
        while self.stack:
            self._pop()


def _tag_end(document: bytes, pos: int) -> int:
    """The index of the ">" that ends the tag whose attributes start at ``pos``; -1 if none."""
    while True:
        stop = _TAG_STOP.search(document, pos)
        if stop is None:
            return -1
        quote = stop.group(1)
        if quote is None:
            return stop.start()
        end = document.find(quote, stop.end())
        if end < 0:
            return -1
        pos = end + 1


def _run(document: bytes, scan: _Scan) -> None:
    """Feed every tag of ``document`` to ``scan``, skipping comments and raw text."""
    raw_ends: dict[str, re.Pattern[bytes]] = {}
    pos = 0
    while True:
        match = _TOKEN.search(document, pos)
        if match is None:
            break
        if match.group(1):  # <!-- ... -->
            end = document.find(b"-->", match.start() + 4)
            if end < 0:
                break
            pos = end + 3
            continue
        close = _tag_end(document, match.end())
        if close < 0:
            break  # an unfinished tag runs to the end of the document
        pos = close + 1
        if close - match.end() > _COUNT_ABOVE:
            attributes = sum(1 for _ in _ATTRIBUTE.finditer(document, match.end(), close))
            if attributes > MAX_ATTRIBUTES:
                bare = b"</" if match.group(2) else b"<"
                scan.edits.append((match.start(), pos, bare + match.group(3) + b">"))
        name = match.group(3).decode("latin-1").lower()
        if match.group(2):
            scan.end(name, match.start(), pos)
            continue
        scan.start(name, document[close - 1 : close] == b"/", match.start(), pos)
        if name == "plaintext":
            break  # everything after it is text
        if name in _RAW_TEXT:
            closer = raw_ends.get(name)
            if closer is None:
                closer = re.compile(rb"</" + name.encode() + rb"[\t\n\f\r />]", re.IGNORECASE)
                raw_ends[name] = closer
            found = closer.search(document, pos)
            if found is None:
                break
            pos = found.start()
    scan.finish()


def _tame(data: bytes) -> bool:
    """Whether the exact scan can be skipped: a shallow estimate and no possible flood.

    See :mod:`scraper.extraction.tagscan` for the estimate and what it cannot
    see.  Tags longer than a flood's minimum are checked exactly, within a
    budget of bytes read (twice the document): past it the exact scan is
    cheaper, and this check stays linear in the document's size.  What only
    looks like a long tag inside raw text (``i<n`` in a script) is skipped,
    as the exact scan skips raw text (see :func:`_raw_text_spans` for which
    spans are trusted).
    """
    tags = Tags(data)
    if tags.too_many or tags.depth_estimate(_UNCOUNTED) > ESTIMATE_TRUSTED:
        return False
    long = tags.long_tags(_COUNT_ABOVE)
    if not long:
        return True
    raw = _raw_text_spans(data, data.lower())
    if raw is None:
        return False
    budget = 2 * len(data)
    for start in long:
        if _within(raw, start):
            continue
        match = _TOKEN.match(data, start)
        if match is None or match.group(1):  # a comment, not a tag
            continue
        close = _tag_end(data, match.end())
        stop = len(data) if close < 0 else close
        budget -= stop - match.end()
        if budget < 0:
            return False
        if stop - match.end() > _COUNT_ABOVE and _may_flood(data, match.end(), stop):
            attributes = sum(1 for _ in _ATTRIBUTE.finditer(data, match.end(), stop))
            if attributes > MAX_ATTRIBUTES:
                return False
    return True


def _may_flood(data: bytes, start: int, stop: int) -> bool:
    """Whether ``data[start:stop]`` has room for a flood: a tag has at most one more
    attribute than it has bytes that can end an attribute's name (``_SEPARATORS``).

    Why: the long tags of real pages are long values (an SVG path, a srcset,
    inline JSON), a few attributes each; counting bytes is cheaper than
    reading the attributes.
    """
    tag = data[start:stop]
    separators = sum(tag.count(byte) for byte in _SEPARATORS)
    return separators + 1 > MAX_ATTRIBUTES


def _raw_text_spans(data: bytes, lowered: bytes) -> list[tuple[int, int]] | None:
    """``(start, end)`` of each raw-text element, from its start tag to its end tag.

    Only spans that can be trusted to be raw text, since every long tag in
    them is skipped: the start tag must stand outside the tag or comment
    before it (not ``<p title="<script>">``) and the element must have an end
    tag.  ``lowered`` is ``data`` in ASCII lower case.  None when telling
    would read more than twice the document (many openers inside one long
    tag): then the exact scan is cheaper.
    """
    spans: list[tuple[int, int]] = []
    budget = 2 * len(data)
    # The next end tag of each name, found once and reused while it lies
    # ahead: many openers before one end tag must not each search for it.
    closers: dict[bytes, int] = {}
    pos = 0
    while (opened := _RAW_TEXT_OPEN.search(lowered, pos)) is not None:
        name = opened.group(1)
        end = closers.get(name, -1)
        if end < opened.end():
            end = closers[name] = lowered.find(b"</" + name, opened.end())
        if end < 0:
            break
        inside, read = _inside_markup(data, opened.start())
        budget -= read
        if budget < 0:
            return None
        if inside:
            pos = opened.end()
            continue
        spans.append((opened.start(), end))
        pos = end
    return spans


def _inside_markup(data: bytes, pos: int) -> tuple[bool, int]:
    """Whether ``pos`` falls inside the tag or comment that starts at the ``<``
    before it, and how many bytes telling read."""
    before = data.rfind(b"<", 0, pos)
    match = _TOKEN.match(data, before) if before >= 0 else None
    if match is None:
        return False, pos - before  # text such as "a < b", or nothing before
    comment = match.group(1)
    end = data.find(b"-->", match.end()) if comment else _tag_end(data, match.end())
    stop = len(data) if end < 0 else end
    return end < 0 or end > pos, stop - before


def _within(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies inside one of the sorted, disjoint ``spans``."""
    at = bisect.bisect_right(spans, (pos, sys.maxsize)) - 1
    return at >= 0 and spans[at][0] < pos < spans[at][1]


def _as_bytes(document: str | bytes) -> bytes:
    # surrogatepass: a str may hold lone surrogates, and must come back unchanged.
    return document if isinstance(document, bytes) else document.encode("utf-8", "surrogatepass")


def nesting_depth(document: str | bytes) -> int:
    """The deepest element nesting of an HTML document, as a tree builder would build it.

    ``html``, ``head`` and ``body`` are not counted.  An estimate that errs
    towards deeper (see the module docstring).

    >>> nesting_depth("<div><p>a<p>b<ul><li>c<li>d</ul></div><br>")  # div > ul > li
    3
    >>> nesting_depth(b"<script>'<div><div><div>'</script><!-- <div><div> -->")
    1
    >>> nesting_depth("<div>" * 1000)
    1000
    """
    scan = _Scan()
    _run(_as_bytes(document), scan)
    return scan.deepest


def defuse_markup(document: AnyStr) -> tuple[AnyStr, int]:
    """``(document, tags changed)``: deep chains shortened, attribute floods dropped.

    Why: see the module docstring.  Only the start and end tags of elements in
    the middle of chains deeper than :data:`MAX_DEPTH` are removed (each
    replaced by one space, so that words stay apart), and tags with more
    than :data:`MAX_ATTRIBUTES` attributes lose them; text, other tags,
    comments and scripts are untouched, and a document with neither is
    returned as it is (the same object).

    >>> deep = "<main>" + "<div>" * 5000 + "<p>One.</p><p>Two.</p>" + "</div>" * 5000 + "</main>"
    >>> flat, changed = defuse_markup(deep)
    >>> changed, nesting_depth(flat) <= MAX_DEPTH, flat.count("<p>")
    (9684, True, 2)
    >>> defuse_markup(b"<p " + b" ".join(b"a%d=1" % i for i in range(300)) + b">Hi</p>")
    (b'<p>Hi</p>', 1)
    >>> defuse_markup(b"<p>fine</p>")
    (b'<p>fine</p>', 0)
    """
    data = _as_bytes(document)
    if data.count(b"<") <= MAX_DEPTH and len(data) <= _COUNT_ABOVE:
        return document, 0
    if _tame(data):
        return document, 0
    scan = _Scan()
    _run(data, scan)
    if not scan.edits:
        return document, 0
    pieces: list[bytes] = []
    pos = 0
    changed = 0
    for start, stop, replacement in sorted(scan.edits):
        if start < pos:
            continue  # a tag both flooded and removed: removed
        pieces += (data[pos:start], replacement)
        pos = stop
        changed += 1
    pieces.append(data[pos:])
    flat = b"".join(pieces)
    if isinstance(document, str):
        return flat.decode("utf-8", "surrogatepass"), changed
    return flat, changed


def _utf16_lanes(sample: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when NUL bytes fill one lane of ``sample`` only.

    ASCII characters in UTF-16 without a BOM have a NUL high byte: one byte
    lane is NUL-heavy, the other almost NUL-free.
    """
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    if max(even, odd) > 0.3 * half and min(even, odd) < 0.02 * half:
        return "utf-16-le" if odd > even else "utf-16-be"
    return None


def _sample(document: bytes) -> bytes:
    """Head, middle and tail of a long document (all of a short one)."""
    if len(document) <= 3 * _SAMPLE:
        return document
    middle = len(document) // 2
    return document[:_SAMPLE] + document[middle : middle + _SAMPLE] + document[-_SAMPLE:]


def binary_share(document: bytes) -> float:
    """The share of C0 control bytes in a sample of ``document`` (0.0 for UTF-16 text).

    >>> binary_share(b"<p>caf\\xc3\\xa9</p>"), binary_share(bytes(range(256)))
    (0.0, 0.10546875)
    >>> binary_share("<p>texte</p>".encode("utf-16-le"))  # NUL-heavy, but UTF-16 text
    0.0
    """
    sample = _sample(document)
    if not sample or sample.startswith(_UTF16_BOMS):
        return 0.0
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls < _MIN_CONTROL_BYTES:
        return 0.0
    if _utf16_lanes(sample) is not None:
        return 0.0
    return controls / len(sample)


def wide_codec(document: bytes, encoding: str | None = None) -> str | None:
    """The UTF-16 or UTF-32 codec of ``document``: declared, by BOM, or by NUL lanes; else None.

    Why: in those encodings tags are not runs of ASCII bytes, so the byte
    scans see no markup at all; such a document is screened decoded.

    >>> wide_codec("<p>x</p>".encode("utf-16")), wide_codec("<p>hello</p>".encode("utf-16-be") * 2)
    ('utf-16', 'utf-16-be')
    >>> wide_codec(b"<p>x</p>"), wide_codec(b"<p>x</p>", "UTF_32LE")
    (None, 'utf-32-le')
    """
    if encoding is not None:
        label = encoding.lower().replace("_", "-")
        if label.startswith(("utf-16", "utf-32", "utf16", "utf32")):
            try:
                return codecs.lookup(label).name
            except LookupError:
                return None
    if document.startswith(_UTF32_BOMS):
        return "utf-32"
    if document.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = document[:_SAMPLE]
    if sample.count(0) < _MIN_CONTROL_BYTES:
        return None
    return _utf16_lanes(sample)


def screen_document(
    document: str | bytes,
    url: str | None = None,
    *,
    encoding: str | None = None,
    binary_checked: bool = False,
) -> str | bytes:
    """The document ready for parsing: binaries refused, absurd nesting and attributes defused.

    Raises ``UnsupportedContent`` for binary data, unless ``binary_checked``
    says the caller refused it already (:func:`refuse_binary`, or the
    fetcher's ``check_content``).  ``encoding`` is the declared codec of
    ``bytes``.  A UTF-16 or UTF-32 document (declared, or found by its BOM or
    its NUL bytes) skips the byte tests and is screened decoded: it comes
    back as ``str`` if defusing changed it, else as it came.

    >>> screen_document(b"<p>Hello</p>")
    b'<p>Hello</p>'
    >>> screen_document(bytes(range(256)) * 4, "https://a.example/v.mp4")
    Traceback (most recent call last):
    scraper.errors.UnsupportedContent: https://a.example/v.mp4 is binary data ...
    >>> deep = ("<div>" * 1000 + "<p>Hi</p>").encode("utf-16")
    >>> flat = screen_document(deep)
    >>> type(flat).__name__, nesting_depth(flat) <= MAX_DEPTH
    ('str', True)
    """
    if isinstance(document, str):
        return defuse_markup(document)[0]
    wide = wide_codec(document, encoding)
    if wide is not None:
        flat, changed = defuse_markup(document.decode(wide, errors="replace"))
        return flat if changed else document
    if not binary_checked:
        _refuse_binary_bytes(document, url)
    return defuse_markup(document)[0]


def refuse_binary(document: str | bytes, url: str | None = None) -> None:
    """Raise ``UnsupportedContent`` when ``document`` is binary data, not text.

    The cheap half of :func:`screen_document` (a byte count over a 48 KiB
    sample), for callers that trust the markup but not the bytes.  A UTF-16
    or UTF-32 document is text; ``str`` always is.

    >>> refuse_binary(bytes(range(256)) * 4, "https://a.example/v.mp4")
    Traceback (most recent call last):
    scraper.errors.UnsupportedContent: https://a.example/v.mp4 is binary data ...
    """
    if isinstance(document, bytes) and wide_codec(document) is None:
        _refuse_binary_bytes(document, url)


def _refuse_binary_bytes(document: bytes, url: str | None) -> None:
    """:func:`refuse_binary` for bytes already known not to be UTF-16 or UTF-32."""
    share = binary_share(document)
    if share > BINARY_SHARE:
        raise UnsupportedContent(
            f"{url or 'the document'} is binary data ({share:.0%} control bytes), not an "
            "HTML or text document; tidyscrape reads web pages only",
            url=url,
        )
