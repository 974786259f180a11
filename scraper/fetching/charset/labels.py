"""Charset labels: what a declaration names, and what we know of each code page.

Pure tables and lookups, shared by detection and decoding.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Final

__all__ = [
    "BOMS",
    "LIKELY_LEGACY",
    "META_UTF16",
    "UNICODE_PREFIXES",
    "declared_charset",
    "is_latin",
    "is_single_byte",
    "meta_charset",
    "normalize_label",
    "web_rank",
]

#: (byte order mark, Python codec) in the order they must be tested.  UTF-32
#: BOMs are not recognised, as in browsers (FF FE 00 00 reads as UTF-16LE).
BOMS: Final = (
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
META_UTF16: Final = frozenset({"utf-16", "utf-16-le", "utf-16-be"})

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

#: Legacy encodings by their share of the web (W3Techs), most used first.  The
#: detector is unsure between look-alike code pages on short texts, so among
#: those scoring about as well as its best, the most used wins; windows-1252,
#: the encoding most of the mislabelled and unlabelled web uses, first.
#: Unlisted code pages (ISO-8859-3, -4, -10, -14...) come last.
LIKELY_LEGACY: Final = (
    "cp1252", "cp1251", "cp932", "euc_jp", "gb18030", "cp949", "iso8859-2", "cp1250",
    "big5hkscs", "iso8859-15", "cp1256", "cp1254", "cp874", "cp1253", "iso8859-7",
    "koi8-r", "cp1257", "iso8859-13", "cp1255", "iso8859-8", "koi8-u", "iso8859-5",
)  # fmt: skip

#: Codecs that need no plausibility check (any text in them decodes only so).
UNICODE_PREFIXES: Final = ("utf-", "utf_")

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


def meta_charset(content: bytes) -> str | None:
    """The raw charset of the first ``<meta>`` declaring one in the first 4 KiB.

    >>> meta_charset(b'<head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
    'koi8-r'
    """
    match = _META_CHARSET_RE.search(content[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def is_single_byte(codec: str) -> bool:
    """Whether every byte of ``codec`` is one character.

    >>> is_single_byte("cp1251"), is_single_byte("cp932"), is_single_byte("utf-8")
    (True, False, False)
    """
    return codec.startswith(_SINGLE_BYTE_PREFIXES) and codec not in _MULTI_BYTE_CP


def is_latin(codec: str) -> bool:
    """Whether the letters of single-byte ``codec`` are Latin (as in windows-1252 or ISO-8859-2).

    >>> is_latin("iso8859-2"), is_latin("mac-roman"), is_latin("cp1251"), is_latin("cp932")
    (True, True, False, False)
    """
    if not is_single_byte(codec):
        return False
    letters = [c for c in bytes(range(0xC0, 0x100)).decode(codec, "ignore") if c.isalpha()]
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    return bool(letters) and latin > len(letters) * 3 // 4


def web_rank(codec: str) -> int:
    """The rank of ``codec`` in :data:`LIKELY_LEGACY`; unlisted ones come last, tied.

    >>> web_rank("cp1252"), web_rank("iso8859-2") < web_rank("cp1257") < web_rank("iso8859-10")
    (0, True)
    """
    return LIKELY_LEGACY.index(codec) if codec in LIKELY_LEGACY else len(LIKELY_LEGACY)
