"""The content-type gate: is this body a document we can read?

Servers often omit or mislabel ``Content-Type``, so when it is missing (or a
generic ``application/octet-stream``) we sniff the first bytes, and we also
catch well-known binary formats served under a document type, and binary
data of any format (a video, a font, random bytes) by its share of control
bytes, with the extraction guard's own test, so that it fails at the fetch
rather than in an extraction worker.  Pure.
"""

from __future__ import annotations

from typing import Final

from scraper.errors import UnsupportedContent
from scraper.extraction.guard import BINARY_SHARE, binary_share
from scraper.fetching.charset import declared_charset, normalize_label

__all__ = ["check_content", "check_declared", "describe", "media_type", "sniff"]

#: Leading bytes of binary formats we refuse, with their media type and a
#: human name for the error message.
_MAGIC: Final = (
    (b"%PDF-", "application/pdf", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "a PNG image"),
    (b"\xff\xd8\xff", "image/jpeg", "a JPEG image"),
    (b"GIF87a", "image/gif", "a GIF image"),
    (b"GIF89a", "image/gif", "a GIF image"),
    (b"PK\x03\x04", "application/zip", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "application/gzip", "a gzip file (compressed twice, or a download)"),
)

#: Media types that say nothing about the body: sniff instead.
_GENERIC_TYPES: Final = frozenset(
    {"application/octet-stream", "application/unknown", "unknown/unknown", "*/*"}
)

#: How much of the body sniffing looks at.
_SNIFF_BYTES: Final = 1024

_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def media_type(content_type: str | None) -> str | None:
    """The media type of a Content-Type value, lower-case, without parameters.

    >>> media_type("Text/HTML; charset=utf-8")
    'text/html'
    >>> media_type("") is None
    True
    """
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return value or None


def _magic(body: bytes) -> tuple[str, str] | None:
    for prefix, kind, name in _MAGIC:
        if body.startswith(prefix):
            return kind, name
    return None


def sniff(body: bytes) -> str:
    """Guess a media type from the first bytes of a body.

    >>> sniff(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff(b"  <!DOCTYPE html><p>hi")
    'text/html'
    >>> sniff(b"just words")
    'text/plain'
    >>> sniff(b"\\x00\\x01\\x02")
    'application/octet-stream'
    """
    head = body[:_SNIFF_BYTES]
    found = _magic(head)
    if found is not None:
        return found[0]
    if head.startswith(_BOMS[1:]):  # UTF-16 text is full of NUL bytes
        return "text/plain"
    if b"\x00" in head:
        return "application/octet-stream"
    lowered = head.lower()
    start = lowered.removeprefix(_BOMS[0]).lstrip()
    if b"<html" in lowered:
        return "text/html"
    if start.startswith(b"<?xml"):
        return "application/xml"
    # Markup first: a tag or a comment/doctype, as the WHATWG sniffing rules have it.
    if start[:1] == b"<" and (start[1:2].isalpha() or start[1:2] == b"!"):
        return "text/html"
    return "text/plain"


def describe(kind: str) -> str:
    """A media type in words, for error messages.

    >>> describe("application/pdf"), describe("image/webp"), describe("video/mp4")
    ('a PDF document (application/pdf)', 'an image (image/webp)', 'video/mp4')
    """
    for _prefix, magic_kind, name in _MAGIC:
        if magic_kind == kind:
            return f"{name} ({kind})"
    if kind.startswith("image/"):
        return f"an image ({kind})"
    return kind


def _unsupported(url: str, kind: str, accept_types: tuple[str, ...]) -> UnsupportedContent:
    return UnsupportedContent(
        f"{url} is {describe(kind)}, not an HTML or text document "
        f"(accepted: {', '.join(accept_types)}); tidyscrape reads web pages only",
        url=url,
    )


def check_declared(content_type: str | None, accept_types: tuple[str, ...], url: str) -> None:
    """Refuse a declared type we cannot read, before downloading the body.

    A missing or generic type passes: the body will be sniffed.

    >>> check_declared("application/octet-stream", ("text/html",), "https://a.org/")
    >>> check_declared("application/pdf", ("text/html",), "https://a.org/f")
    Traceback (most recent call last):
    scraper.errors.UnsupportedContent: https://a.org/f is a PDF document (application/pdf), ...
    """
    declared = media_type(content_type)
    if declared is not None and declared not in _GENERIC_TYPES and declared not in accept_types:
        raise _unsupported(url, declared, accept_types)


def check_content(
    body: bytes, content_type: str | None, accept_types: tuple[str, ...], url: str
) -> str:
    """The media type of a body we accept; raise UnsupportedContent otherwise.

    Known binary formats are refused even under a document type (servers
    mislabel); a missing or generic type is sniffed from the body.

    >>> check_content(b"<p>x", None, ("text/html",), "https://a.org/")
    'text/html'
    >>> check_content(b"\\x89PNG\\r\\n\\x1a\\n", "text/html", ("text/html",), "https://a.org/i")
    Traceback (most recent call last):
    scraper.errors.UnsupportedContent: https://a.org/i is a PNG image (image/png), ...
    >>> check_content(bytes(range(256)) * 4, "text/html", ("text/html",), "https://a.org/v")
    Traceback (most recent call last):
    scraper.errors.UnsupportedContent: https://a.org/v is binary data (11% control bytes), ...
    """
    declared = media_type(content_type)
    found = _magic(body[:_SNIFF_BYTES])
    if found is not None:
        raise _unsupported(url, found[0], accept_types)
    kind = sniff(body) if declared is None or declared in _GENERIC_TYPES else declared
    if kind not in accept_types:
        raise _unsupported(url, kind, accept_types)
    _check_text(body, content_type, url)
    return kind


def _check_text(body: bytes, content_type: str | None, url: str) -> None:
    """Refuse binary data under a text type, as the extraction worker's guard would.

    UTF-16 and UTF-32 text (declared so) is full of NUL bytes: not tested.
    """
    label = declared_charset(content_type)
    codec = normalize_label(label) if label else None
    if codec is not None and codec.startswith(("utf-16", "utf-32")):
        return
    share = binary_share(body)
    if share > BINARY_SHARE:
        raise UnsupportedContent(
            f"{url} is binary data ({share:.0%} control bytes), not an HTML or text "
            "document; tidyscrape reads web pages only",
            url=url,
        )
