"""Turn the bytes of a document into text, choosing the character encoding.

Pure and fast: no I/O, no state.  It runs on every fetched page and also in
``scraper.extract(bytes)``, so it must never raise on any input.

The order follows the WHATWG encoding sniffing algorithm, adapted to the web
as it is (mislabelled pages are common):

1. a byte order mark wins;
2. the ``charset`` of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 4 KiB;
4. detection: valid UTF-8 first, then charset-normalizer;
5. UTF-8 with replacement characters.

A declared charset is only believed when the bytes decode strictly with it.
A declared single-byte charset (``iso-8859-1``...) is also not believed when
the bytes are valid multi-byte UTF-8: that is the usual mislabel, and legacy
text that happens to be valid UTF-8 is vanishingly rare.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import Final

__all__ = ["declared_charset", "decode_document", "normalize_label"]

logger = logging.getLogger(__name__)

#: (byte order mark, Python codec) in the order they must be tested.  UTF-32
#: BOMs are not recognised, as in browsers (FF FE 00 00 reads as UTF-16LE).
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: WHATWG maps these labels to a superset decoder; browsers decode them so,
#: and pages labelled with them are written for browsers.
_WHATWG_SUPERSETS: Final = {
    "iso8859-1": "cp1252",  # iso-8859-1, latin1, l1, iso_8859-1, cp819...
    "ascii": "cp1252",  # us-ascii
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}

#: A <meta> saying UTF-16 was just read as ASCII, so the page cannot be
#: UTF-16: WHATWG reads it as UTF-8.
_META_UTF16: Final = frozenset({"utf-16", "utf-16-le", "utf-16-be"})

#: Labels seen on the web that Python's codec registry does not know.
_EXTRA_LABELS: Final = {
    "windows-874": "cp874",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    "x-sjis": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "x-cp1252": "cp1252",
}

#: The legacy encoding most of the mislabelled and unlabelled web uses; the
#: detector is unsure between look-alike Latin code pages on short texts, so
#: windows-1252 wins when it scores about as well as the detector's best.
_LIKELY_LEGACY: Final = "cp1252"
_CHAOS_MARGIN: Final = 0.1
_COHERENCE_MARGIN: Final = 0.05

#: Codecs where every byte stands for one character: bytes that are valid
#: multi-byte UTF-8 are then almost surely UTF-8 mislabelled.
_SINGLE_BYTE_PREFIXES: Final = ("cp", "iso8859", "koi8", "mac", "tis", "latin", "kz1048")
_MULTI_BYTE_CP: Final = frozenset({"cp932", "cp949", "cp950", "cp936"})

#: Bytes of the document searched for a <meta> charset declaration.
_PRESCAN_BYTES: Final = 4096

_META_CHARSET_RE: Final = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:()-]+)""",
    re.IGNORECASE,
)
_HEADER_CHARSET_RE: Final = re.compile(
    r"""(?:^|;)\s*charset\s*=\s*["']?\s*([A-Za-z0-9._:()-]+)""", re.IGNORECASE
)


def normalize_label(label: str) -> str | None:
    """The Python codec for a charset label, with WHATWG's supersets; None if unknown.

    Browsers decode ``iso-8859-1`` and ``ascii`` as windows-1252 (and GB2312 as
    GB18030...), and pages are written against browsers, so we do the same.

    >>> normalize_label("ISO-8859-1")
    'cp1252'
    >>> normalize_label(" UTF8 ")
    'utf-8'
    >>> normalize_label("Shift_JIS")
    'cp932'
    >>> normalize_label("no-such-charset") is None
    True
    """
    cleaned = label.strip().strip("\"'").strip().lower()
    if not cleaned:
        return None
    if cleaned in _EXTRA_LABELS:
        return _EXTRA_LABELS[cleaned]
    try:
        name = codecs.lookup(cleaned).name
    except LookupError:
        return None
    return _WHATWG_SUPERSETS.get(name, name)


def declared_charset(content_type: str | None) -> str | None:
    """The raw ``charset`` parameter of a Content-Type header value, if any.

    >>> declared_charset('text/html; Charset="UTF-8"')
    'UTF-8'
    >>> declared_charset("text/html") is None
    True
    """
    if not content_type:
        return None
    match = _HEADER_CHARSET_RE.search(content_type)
    return match.group(1) if match else None


def _meta_charset(content: bytes) -> str | None:
    match = _META_CHARSET_RE.search(content[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES) and codec not in _MULTI_BYTE_CP


def _utf8_if_mislabelled(content: bytes, codec: str) -> str | None:
    """The UTF-8 text when ``content`` declared as single-byte ``codec`` is really UTF-8."""
    if not _is_single_byte(codec) or content.isascii():
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detect(content: bytes) -> tuple[str, str] | None:
    """(text, codec) guessed from the bytes alone, or None when nothing fits."""
    if content.isascii():
        return None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass  # not UTF-8: ask the statistical detector below
    from charset_normalizer import from_bytes  # imported on first need: it is slow to load

    matches = from_bytes(content)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if (
            match.encoding == _LIKELY_LEGACY
            and match.chaos <= best.chaos + _CHAOS_MARGIN
            and match.coherence >= best.coherence - _COHERENCE_MARGIN
        ):
            best = match
            break
    codec = normalize_label(best.encoding) or best.encoding
    # The detector samples the document; bytes outside its sample may not fit.
    return content.decode(codec, errors="replace"), codec


def decode_document(content: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """Decode a document: ``(text, encoding, source)``.

    ``encoding`` is a Python codec name (``"utf-8"``, ``"cp1252"``...);
    ``source`` is ``"bom"``, ``"header"``, ``"meta"``, ``"detected"`` or
    ``"default"``.  Declarations are tried in order (header, then meta) and the
    first that decodes strictly wins; when none does we detect.  Never raises.

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
    """
    for bom, bom_codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(bom_codec, errors="replace"), bom_codec, "bom"

    declared = (
        ("header", declared_charset(content_type)),
        ("meta", _meta_charset(content)),
    )
    for source, label in declared:
        if label is None:
            continue
        codec = normalize_label(label)
        if source == "meta" and codec in _META_UTF16:
            codec = "utf-8"
        if codec is None:
            logger.debug("unknown %s charset %r ignored", source, label)
            continue
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            logger.debug("%s charset %s does not fit the bytes", source, codec)
            continue
        if (utf8 := _utf8_if_mislabelled(content, codec)) is not None:
            logger.debug("%s charset %s is really utf-8", source, codec)
            return utf8, "utf-8", "detected"
        return text, codec, source

    detected = _detect(content)
    if detected is not None:
        return detected[0], detected[1], "detected"
    return content.decode("utf-8", errors="replace"), "utf-8", "default"
