"""decode_document: the bytes of a document to text, declarations first, then detection."""

from __future__ import annotations

import logging
from typing import Final

from scraper.errors import UndecodableContent
from scraper.fetching.charset.detect import detect, mess
from scraper.fetching.charset.labels import (
    BOMS,
    META_UTF16,
    UNICODE_PREFIXES,
    declared_charset,
    is_latin,
    is_single_byte,
    meta_charset,
    normalize_label,
)
from scraper.fetching.charset.utf8 import as_utf8, iso2022jp, non_ascii

__all__ = ["decode_document"]

logger = logging.getLogger(__name__)

#: A declared legacy charset whose text measures this much mess (see
#: :func:`~.detect.mess`; clean text: ~0.0-0.02; on the test pages, cp1251
#: read as cp1252: ~1.3, cp1252 as cp1251: ~0.5, KOI8-R as cp1251: 0.10-0.16,
#: Shift-JIS as GB18030: ~0.2) is checked against detection...
_IMPLAUSIBLE: Final = 0.05
#: ...which overrules it only with text at most this share as messy...
_CLEANER: Final = 0.5
#: ...and only when there are enough non-ASCII characters to judge: a few
#: stray ones measure as noise in any code page.  Multi-byte labels need
#: more: charset-normalizer's measure scores a Big5 file name in an image
#: URL, or a Big5 apostrophe in English text, as messier (~0.2) than the
#: same bytes read as Shift-JIS half-width katakana or windows-1250.
_MIN_EVIDENCE: Final = 16
_MIN_EVIDENCE_CJK: Final = 100
#: Share of C0 control bytes above which a body is binary data: not text in
#: any encoding, refused by the content gate (``UnsupportedContent``) before
#: or after decoding, so decoding it only has to not fail (as the
#: extraction guard's ``BINARY_SHARE``, without importing the extraction package).
_BINARY_SHARE: Final = 0.02
_CONTROL_BYTES: Final = bytes(b for b in range(32) if b not in b"\t\n\f\r")


def _mislabelled(content: bytes, codec: str, ascii_only: bool) -> tuple[str, str] | None:
    """(text, codec) when ``content`` declared as ``codec`` is really UTF-8 or ISO-2022-JP."""
    if ascii_only:
        return None if codec.startswith("iso2022") else iso2022jp(content)
    if not is_single_byte(codec):
        return None
    text = as_utf8(content)
    return None if text is None else (text, "utf-8")


def _fits(content: bytes, codec: str) -> bool:
    try:
        content.decode(codec)
    except UnicodeDecodeError:
        return codec == "utf-8" and as_utf8(content) is not None
    return True


def _is_binary(content: bytes) -> bool:
    """Whether ``content`` has the control bytes of binary data, not of text.

    >>> _is_binary(bytes(range(256)) * 4), _is_binary("Текст".encode("cp1251"))
    (True, False)
    """
    controls = len(content) - len(content.translate(None, _CONTROL_BYTES))
    return controls > _BINARY_SHARE * len(content)


def decode_document(
    content: bytes, content_type: str | None = None, *, url: str | None = None
) -> tuple[str, str, str]:
    """Decode a document: ``(text, encoding, source)``.

    ``encoding`` is a Python codec name (``"utf-8"``, ``"cp1252"``...);
    ``source`` is ``"bom"``, ``"header"``, ``"meta"``, ``"detected"`` or
    ``"default"``.  Declarations are tried in order (header, then meta) and the
    first that decodes strictly into plausible text wins; when none does we
    detect.  Raises :class:`~scraper.errors.UndecodableContent` (naming
    ``url``) when no encoding is declared, or the declared one reads as
    nonsense, and detection cannot tell between look-alike code pages: the
    text would be mojibake.  Raises nothing else, on any bytes.

    >>> decode_document(b"caf\\xc3\\xa9", "text/html; charset=utf-8")
    ('café', 'utf-8', 'header')
    >>> decode_document(b"\\xef\\xbb\\xbf<meta charset=latin1>\\xc3\\xa9")[1:]
    ('utf-8', 'bom')
    >>> decode_document(b"<meta charset='windows-1252'>caf\\xe9")[1:]
    ('cp1252', 'meta')

    A header that lies falls to detection (here: valid UTF-8 labelled Latin-1):

    >>> decode_document(b"caf\\xc3\\xa9", "text/html; charset=ISO-8859-1")
    ('café', 'utf-8', 'detected')
    >>> decode_document(b"plain ascii")
    ('plain ascii', 'utf-8', 'default')

    Cyrillic labelled windows-1252 decodes, but into nonsense: detected.

    >>> news = "Правительство объявило о новых мерах поддержки".encode("cp1251")
    >>> decode_document(news, "text/html; charset=windows-1252")
    ('Правительство объявило о новых мерах поддержки', 'cp1251', 'detected')
    """
    try:
        return _decode(content, content_type)
    except UndecodableContent as exc:
        if url is None:
            raise
        raise UndecodableContent(f"{url}: {exc}", url=url, candidates=exc.candidates) from None


def _decode(content: bytes, content_type: str | None) -> tuple[str, str, str]:
    for bom, bom_codec in BOMS:
        if content.startswith(bom):
            body = content[len(bom) :]
            if bom_codec != "utf-8":
                return body.decode(bom_codec, errors="replace"), bom_codec, "bom"
            text = as_utf8(body)
            if text is not None:
                return text, bom_codec, "bom"
            # A UTF-8 BOM glued to legacy bytes (a file converted twice, or a
            # BOM-writing template around a legacy body): judge the rest alone.
            logger.debug("utf-8 BOM in front of bytes that are not utf-8: ignored")
            content = body
            break

    ascii_only = content.isascii()
    declared = (
        ("header", declared_charset(content_type)),
        ("meta", meta_charset(content)),
    )
    #: The first declaration that decodes but reads as mojibake, and its mess.
    doubtful: tuple[str, str, str, float] | None = None
    for source, label in declared:
        if label is None:
            continue
        codec = normalize_label(label)
        if source == "meta" and codec in META_UTF16:
            codec = "utf-8"
        if codec is None:
            logger.debug("unknown %s charset %r ignored", source, label)
            continue
        if codec == "utf-8":
            utf8 = as_utf8(content)
            if utf8 is None:
                logger.debug("%s charset utf-8 does not fit the bytes", source)
                continue
            if ascii_only and (jis := iso2022jp(content)) is not None:
                return jis[0], jis[1], "detected"
            return utf8, codec, source
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            logger.debug("%s charset %s does not fit the bytes", source, codec)
            continue
        if (real := _mislabelled(content, codec, ascii_only)) is not None:
            logger.debug("%s charset %s is really %s", source, codec, real[1])
            return real[0], real[1], "detected"
        if ascii_only or codec.startswith(UNICODE_PREFIXES):
            return text, codec, source
        evidence = _MIN_EVIDENCE if is_single_byte(codec) else _MIN_EVIDENCE_CJK
        if non_ascii(text) < evidence:
            return text, codec, source
        measured = mess(text)
        if measured < _IMPLAUSIBLE:
            return text, codec, source
        logger.debug("%s charset %s gives implausible text (mess %.2f)", source, codec, measured)
        if doubtful is None:
            doubtful = (text, codec, source, measured)

    try:
        detected = detect(content, ascii_only)
    except UndecodableContent as exc:
        if _is_binary(content):
            # Not text in any encoding: the content gate refuses it as binary data.
            return content.decode("utf-8", errors="replace"), "utf-8", "default"
        # A declared charset that decodes breaks a tie between the readings
        # it is one of (its text may hold mojibake of its own, as all do),
        # and a multi-byte one, which the words do not judge, stands; one
        # that reads worse than readings detection cannot choose between is
        # no help.
        if doubtful is None or (is_single_byte(doubtful[1]) and doubtful[1] not in exc.candidates):
            raise
        return doubtful[0], doubtful[1], doubtful[2]
    if doubtful is not None:
        # A label is only overruled by a reading that fits every byte and is
        # clearly cleaner.
        text, codec, source, measured = doubtful
        if (
            detected is None
            or detected[1] == codec
            # Latin code pages differ in a few letters only, and the mess
            # measure between them is noise: the label knows better.
            or (is_latin(codec) and is_latin(detected[1]))
            or not _fits(content, detected[1])
            or mess(detected[0]) > measured * _CLEANER
        ):
            return text, codec, source
    if detected is not None:
        return detected[0], detected[1], "detected"
    return content.decode("utf-8", errors="replace"), "utf-8", "default"
