"""Safe, bounded reading of untrusted XML (sitemaps, feeds): the one place lxml is set up.

Why a module of its own: sitemaps and feeds come from servers we do not
trust, and XML has three classic ways to hurt a reader: entity expansion
(billion laughs), external entities (``file:///etc/passwd``, SSRF through
``http://169.254.169.254/``) and size (a 1 MB gzip that inflates to 1 GB, a
flat document of millions of elements).  Every sitemap and feed goes
through ``XmlStream``, which

* inflates gzip itself (magic bytes, not headers) in chunks and stops at a
  decoded-size cap (``FeedTooLarge``), so a bomb never reaches memory;
* parses with lxml without DTD loading, entity substitution or network
  access, and refuses any document that declares entities (as
  ``defusedxml`` does by default): sitemaps and feeds never need them;
* streams with a pull parser and prunes every element once it has been
  read, so memory stays bounded by one entry, not by the document;
* on a syntax error, retries once in lxml's recovery mode after escaping
  bare ``&`` (the common fault of hand-made sitemaps), and says so
  (``recovered``) instead of failing the whole file.

Do NOT pass ``collect_ids=False`` to the parser: with lxml 6.1 / libxml2
2.14 it makes libxml2 load external parameter entities (the tests pin this).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Final, TypeVar

from lxml import etree

from scraper.errors import FeedError, FeedTooLarge

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "FeedError",
    "FeedTooLarge",
    "XmlStream",
    "decoded",
    "decoded_chunks",
    "localname",
    "parse_date",
    "read_with_recovery",
    "sniff",
    "text_of",
]

#: Decoded size cap: 50 MB (52,428,800 bytes), the sitemap protocol's own limit.
MAX_DOCUMENT_BYTES: Final = 50 * 1024 * 1024
#: Bytes inflated (and fed to the parser) per step.
CHUNK: Final = 256 * 1024
#: Elements allowed inside one entry (its children and grandchildren; deeper
#: ones are pruned as they end).  Real entries have a dozen; a flat bomb of
#: millions of siblings inside one ``<url>`` would otherwise pile up.
MAX_ENTRY_ELEMENTS: Final = 1000
#: Elements read per document; past it the stream stops and reports
#: ``truncated``.  Each costs a few microseconds of Python: 1,000,000 bounds
#: a file of millions of empty tags to seconds, and leaves room for 50,000
#: sitemap entries with news and image extensions (~11 elements each).
MAX_DOCUMENT_ELEMENTS: Final = 1_000_000

_GZIP_MAGIC: Final = b"\x1f\x8b"

# Parser options.  resolve_entities=False: no entity is ever substituted;
# no_network / load_dtd=False: nothing is fetched, not even the DTD;
# huge_tree=False keeps libxml2's limits (depth 256, 10 MB text nodes).
_PARSER_OPTIONS: Final = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

# An "&" that starts no entity or character reference: invalid XML that
# hand-made sitemaps are full of (``?a=1&b=2``).
_BARE_AMP: Final = re.compile(rb"&(?![A-Za-z_][\w.-]{0,40};|#[0-9]{1,8};|#x[0-9A-Fa-f]{1,8};)")


def localname(tag: object) -> str:
    """The tag without its namespace (``{ns}url`` -> ``url``); "" for comments/PIs.

    >>> localname("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"), localname("loc")
    ('loc', 'loc')
    """
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def text_of(element: etree._Element, limit: int = 2000) -> str | None:
    """The element's text, whitespace collapsed and capped; None when empty."""
    text = " ".join("".join(element.itertext()).split())
    return text[:limit] or None


def _gunzip(content: bytes, url: str, limit: int) -> Iterator[bytes]:
    data = content
    total = 0
    while data[:2] == _GZIP_MAGIC:  # concatenated gzip members are one stream
        inflater = zlib.decompressobj(wbits=31)
        pending = data
        while True:
            try:
                chunk = inflater.decompress(pending, CHUNK)
            except zlib.error as exc:
                raise FeedError(f"{url}: broken gzip data ({exc})") from exc
            total += len(chunk)
            if total > limit:
                raise FeedTooLarge(
                    f"{url}: more than {limit:,} bytes once decompressed; refused "
                    "(a decompression bomb, or a sitemap to split)"
                )
            if chunk:
                yield chunk
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and not chunk):
                break
        data = inflater.unused_data if inflater.eof else b""


def decoded_chunks(content: bytes, url: str, limit: int = MAX_DOCUMENT_BYTES) -> Iterator[bytes]:
    """The document's bytes in chunks, gunzipped when it starts with gzip's magic bytes.

    Raises ``FeedTooLarge`` as soon as more than ``limit`` bytes come out,
    so a bomb costs at most ``limit`` bytes of work, never its full size.
    """
    if content[:2] == _GZIP_MAGIC:
        yield from _gunzip(content, url, limit)
        return
    if len(content) > limit:
        raise FeedTooLarge(f"{url}: {len(content):,} bytes, over the {limit:,}-byte cap")
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]


def sniff(content: bytes, url: str) -> str:
    """What the document looks like from its first decoded bytes: "xml", "json" or "text".

    Only the first chunk is inflated, so sniffing a bomb costs nothing.

    >>> sniff(b"\\xef\\xbb\\xbf <?xml version='1.0'?><rss/>", "u"), sniff(b' {"version": 1}', "u")
    ('xml', 'json')
    """
    head = next(decoded_chunks(content, url), b"")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return "xml"  # UTF-16 or UTF-32: only XML comes that way here
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return "json"
    return "xml" if start in (b"<", b"") else "text"


def decoded(content: bytes, url: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """All of ``decoded_chunks`` joined (for JSON and text documents)."""
    return b"".join(decoded_chunks(content, url, limit))


class XmlStream:
    """Iterate ``(event, element, depth)`` over a document, safely and in bounded memory.

    Events are ``"start"`` and ``"end"``; the root has depth 0.  The reader
    sets ``entry_depth`` once it has seen the root (1 for ``<urlset><url>``,
    2 for ``<rss><channel><item>``).  Past ``MAX_DOCUMENT_ELEMENTS`` it stops
    and sets ``truncated``.  When the reader asks for the next
    event, the element of the last ``"end"`` event is pruned if it is an
    entry or above (the reader is done with it) or 3+ levels below an entry
    (no reader looks that deep), so nothing accumulates.
    """

    def __init__(self, content: bytes, url: str, *, recover: bool = False) -> None:
        self.url = url
        self.entry_depth = 1
        #: Set when the stream stopped at ``MAX_DOCUMENT_ELEMENTS``.
        self.truncated = False
        #: Whether ``xml:base`` occurred so far; until it does, every element's
        #: base is ``url`` and ``base_of`` skips lxml's (slow) ``.base``.
        self.xml_base = False
        self._content = content
        self._recover = recover

    def _chunks(self) -> Iterator[bytes]:
        if not self._recover:
            return decoded_chunks(self._content, self.url)
        data = decoded(self._content, self.url)
        if b"\x00" not in data[:64]:  # an ASCII-compatible encoding: safe to patch bytes
            data = _BARE_AMP.sub(b"&amp;", data)
        return iter([data])

    def base_of(self, element: etree._Element) -> str:
        """The URL relative references in ``element`` resolve against (``xml:base`` aware)."""
        return (element.base or self.url) if self.xml_base else self.url

    def _check_root(self, root: etree._Element) -> None:
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None:
            names = [entity.name for entity in dtd.iterentities()]
            if names:
                raise FeedError(
                    f"{self.url}: declares XML entities ({', '.join(names[:5])}); refused as "
                    "unsafe (sitemaps and feeds need none; entities are never expanded)"
                )

    def __iter__(self) -> Iterator[tuple[str, etree._Element, int]]:
        parser = etree.XMLPullParser(
            events=("start", "end"), recover=self._recover, base_url=self.url, **_PARSER_OPTIONS
        )
        depth = 0
        in_entry = 0
        elements = 0
        tail = b""
        for chunk in itertools.chain(self._chunks(), [None]):
            if chunk is None:
                parser.close()
            else:
                # Checked per chunk, with the previous chunk's tail for a split name.
                self.xml_base = self.xml_base or b"xml:base" in tail + chunk
                if not tail and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
                    self.xml_base = True  # UTF-16/32: the byte search cannot see it
                tail = chunk[-8:]
                parser.feed(chunk)
            for event, element in parser.read_events():
                if event == "start":
                    elements += 1
                    if elements > MAX_DOCUMENT_ELEMENTS:
                        self.truncated = True
                        return
                    if depth == 0:
                        self._check_root(element)
                    elif depth == self.entry_depth:
                        in_entry = 0
                    elif depth in (self.entry_depth + 1, self.entry_depth + 2):
                        in_entry += 1
                        if in_entry > MAX_ENTRY_ELEMENTS:
                            raise FeedError(
                                f"{self.url}: an entry holds more than {MAX_ENTRY_ELEMENTS} "
                                "elements; not a sitemap or feed"
                            )
                    depth += 1
                    yield event, element, depth - 1
                else:
                    depth -= 1
                    yield event, element, depth
                    if 0 < depth <= self.entry_depth or depth >= self.entry_depth + 3:
                        parent = element.getparent()
                        element.clear(keep_tail=False)
                        if parent is not None:
                            parent.remove(element)


Result = TypeVar("Result")


def read_with_recovery(
    read: Callable[[XmlStream], Result], content: bytes, url: str, what: str
) -> tuple[Result, bool]:
    """Run ``read`` on a strict stream; on a syntax error, once more in recovery mode.

    Returns the result and whether recovery was needed.  Errors become
    ``FeedError`` naming ``what`` ("sitemap", "feed") and the first problem.
    """
    try:
        return read(XmlStream(content, url)), False
    except etree.XMLSyntaxError as exc:
        first = exc
    try:
        return read(XmlStream(content, url, recover=True)), True
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: not a well-formed {what} ({first})") from exc


_PARTIAL_DATE: Final = re.compile(r"(\d{4})(?:-(\d{2}))?")


def parse_date(text: str | None) -> dt.datetime | None:
    """An aware UTC datetime from W3C/ISO 8601 or RFC 822 text; None if it is neither.

    Why: sitemaps use W3C datetimes (down to a bare year), Atom and JSON Feed
    RFC 3339, RSS RFC 822 (and, in the wild, ISO too).  A time without zone
    is taken as UTC.

    >>> parse_date("2024-06-18T10:30:00+02:00")
    datetime.datetime(2024, 6, 18, 8, 30, tzinfo=datetime.timezone.utc)
    >>> parse_date("Tue, 18 Jun 2024 10:30:00 GMT").isoformat(), parse_date("2024-06").isoformat()
    ('2024-06-18T10:30:00+00:00', '2024-06-01T00:00:00+00:00')
    >>> parse_date("yesterday") is None
    True
    """
    if not text:
        return None
    text = text.strip()[:64]
    value: dt.datetime | None = None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        partial = _PARTIAL_DATE.fullmatch(text)
        try:
            if partial:
                value = dt.datetime(int(partial[1]), int(partial[2] or 1), 1)
            else:
                value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):  # parsedate_to_datetime's failures
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 shifted out of range
        return None
