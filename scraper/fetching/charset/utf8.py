"""UTF-8 with a few bad bytes, and ISO-2022-JP: the readings tried before any guess."""

from __future__ import annotations

import codecs
import logging
import re
from typing import Final

__all__ = ["as_utf8", "iso2022jp", "non_ascii"]

logger = logging.getLogger(__name__)

#: Valid non-ASCII UTF-8 characters needed per run of invalid bytes for a
#: document to be read as UTF-8 with a few bad bytes (see :func:`as_utf8`).
_VALID_PER_INVALID: Final = 8
#: windows-1252 for every byte, the five it leaves undefined read as
#: Latin-1 (as WHATWG does): how a stray byte in UTF-8 text is read.
_CP1252: Final = tuple(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256)
)
#: UTF-8 of a UTF-16 surrogate (U+D800-U+DFFF): not valid UTF-8, but what
#: CESU-8 and Java write for characters outside the BMP.
_ENCODED_SURROGATE: Final = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
#: Runs of bytes that ``surrogateescape`` could not decode.
_ESCAPED_RUN: Final = re.compile("[\udc80-\udcff]+")

#: ISO-2022-JP codecs, tried in order: the plain one, then with half-width
#: katakana (ESC ( I), then the multilingual extension.
_ISO2022JP_CODECS: Final = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2")


def non_ascii(text: str) -> int:
    """How many characters of ``text`` are not ASCII.

    >>> non_ascii("café crème")
    2
    """
    return len(text) - len(text.encode("ascii", "ignore"))


def _read_bad_bytes(run: re.Match[str]) -> str:
    """The text for one run of bytes that are not UTF-8, inside a UTF-8 document.

    Encoded UTF-16 surrogates (CESU-8, Java's "modified UTF-8") are joined
    into the character they pair up to, and a lone one (half of a character,
    cut by a program slicing UTF-16) is dropped: it is no character at all.
    A valid but unfinished sequence at the very end is a truncated body: dropped.
    Anything else is read as windows-1252, the usual stray legacy byte.
    """
    raw = run.group().encode("utf-8", "surrogateescape")
    if run.end() == len(run.string) and len(raw) < 4:
        try:
            if not codecs.getincrementaldecoder("utf-8")().decode(raw, final=False):
                return ""
        except UnicodeDecodeError:
            pass  # not a valid start of a character: read below
    pieces: list[str] = []
    pos = 0
    for surrogate in _ENCODED_SURROGATE.finditer(raw):
        pieces.append("".join(_CP1252[byte] for byte in raw[pos : surrogate.start()]))
        pieces.append(surrogate.group().decode("utf-8", "surrogatepass"))
        pos = surrogate.end()
    pieces.append("".join(_CP1252[byte] for byte in raw[pos:]))
    joined = "".join(pieces)
    if pos == 0:
        return joined
    return joined.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def as_utf8(content: bytes) -> str | None:
    """``content`` as UTF-8, repairing a few bad bytes; None when it is not UTF-8.

    Why: one stray windows-1252 byte in a UTF-8 page (pasted text, a CMS
    concatenating strings, a truncated body) makes the strict decoder fail,
    and the whole page then went to a legacy code page: mojibake everywhere
    for one bad byte.  Legacy text is almost never valid multi-byte UTF-8 by
    chance, so valid UTF-8 characters outnumbering invalid runs
    :data:`_VALID_PER_INVALID` to one prove the document is UTF-8; only the
    invalid runs are then read otherwise (see :func:`_read_bad_bytes`).

    >>> as_utf8("Noël à Orléans : café, crème, théâtre, été".encode() + b" \\x96 fin")
    'Noël à Orléans : café, crème, théâtre, été – fin'
    >>> as_utf8("théâtre".encode("cp1252")) is None
    True
    """
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass  # maybe a few bad bytes: count them below
    text = content.decode("utf-8", "surrogateescape")
    runs = _ESCAPED_RUN.findall(text)
    escaped = sum(map(len, runs))
    valid = non_ascii(text) - escaped
    if valid < _VALID_PER_INVALID * len(runs):
        return None
    logger.debug("utf-8 with %d invalid runs among %d characters: repaired", len(runs), valid)
    return _ESCAPED_RUN.sub(_read_bad_bytes, text)


def iso2022jp(content: bytes) -> tuple[str, str] | None:
    """(text, codec) when 7-bit ``content`` is ISO-2022-JP (it switches to JIS X 0208).

    >>> iso2022jp("日本語".encode("iso2022_jp"))
    ('日本語', 'iso2022_jp')
    """
    if b"\x1b" not in content or (b"\x1b$@" not in content and b"\x1b$B" not in content):
        return None  # one byte is looked for much faster than two strings
    for codec in _ISO2022JP_CODECS:
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None
