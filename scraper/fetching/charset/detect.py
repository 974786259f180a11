"""Detection: the encoding of a document that declares none (or a wrong one).

charset-normalizer proposes, limited to the encodings browsers know and
given the page's non-ASCII text nodes only; among its near-ties the
encoding most used on the web wins.  A single-byte answer is then checked
against every other single-byte code page by the words each reads (see
:mod:`.words`): the best reading wins only when it is clearly better than
the next, else :class:`~scraper.errors.UndecodableContent` is raised.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Final

from scraper.errors import UndecodableContent
from scraper.fetching.charset.labels import (
    LIKELY_LEGACY,
    UNICODE_PREFIXES,
    is_single_byte,
    normalize_label,
    web_rank,
)
from scraper.fetching.charset.utf8 import as_utf8, iso2022jp
from scraper.fetching.charset.words import Reading, plausible_codec, rank_readings

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

__all__ = ["confident_reading", "detect", "mess", "text_sample"]

logger = logging.getLogger(__name__)

_CHAOS_MARGIN: Final = 0.1
#: How much messier than the detector's best windows-1252 may read and still
#: win when the detector never scored it (ISO-8859-2 Polish read as
#: windows-1252, ``zatwierdzi³a bud¿et``, measures ~0.09).
_CP1252_MARGIN: Final = 0.02
_COHERENCE_MARGIN: Final = 0.1

#: What the detector may answer: the encodings browsers decode (the WHATWG
#: Encoding Standard's list), as charset-normalizer names them.  Pages in any
#: other (DOS code pages, EBCDIC, HP Roman-8...) cannot be read in a browser,
#: so those are never the answer for the web, only look-alikes that win
#: ties; leaving them out also makes detection faster.
_WEB_ENCODINGS: Final = (
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "cp874", "cp866", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5",
    "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_10", "iso8859_13", "iso8859_14",
    "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "mac_roman", "mac_cyrillic",
    "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "euc_jp", "shift_jis", "cp932",
    "euc_kr", "cp949", "utf_16_le", "utf_16_be", "utf_8",
)  # fmt: skip

#: Characters sampled for the mess measure (it costs ~30 ns a character).
_SAMPLE_CHARS: Final = 4000
#: Characters looked at on each side of a non-ASCII run for its enclosing tags.
_CONTEXT: Final = 160
_NON_ASCII_RUN: Final = re.compile("[^\x00-\x7f]+")
_NON_ASCII_BYTES: Final = re.compile(rb"[\x80-\xff]+")
#: Bytes of text nodes the detector is given (see :func:`text_sample`).
_DETECT_BYTES: Final = 16 * 1024

#: The best reading must beat the next by this much (see ``words.read``: one
#: word known in it and unknown in the next counts 2).
_MARGIN: Final = 2
#: The code page that wins when the words cannot decide (see :func:`confident_reading`).
_WEB_DEFAULT: Final = LIKELY_LEGACY[0]


def sample(text: str) -> str:
    """The text around non-ASCII characters (to the enclosing tags), up to :data:`_SAMPLE_CHARS`.

    Mojibake lives there; markup and ASCII-only text would dilute the measure,
    and the whole page would cost too much on large pages.

    >>> sample("<p>ok</p><p>A caf\u00e9, please</p><script>x</script><b>na\u00efve</b>")
    'A caf\u00e9, please naïve'
    """
    pieces: list[str] = []
    size = 0
    pos = 0
    for run in _NON_ASCII_RUN.finditer(text):
        start, end = run.span()
        if start < pos:
            continue  # inside the text taken last
        tag_end = text.rfind(">", max(pos, start - _CONTEXT), start)
        left = tag_end + 1 if tag_end >= 0 else max(pos, start - _CONTEXT)
        tag_start = text.find("<", end, end + _CONTEXT)
        right = tag_start if tag_start >= 0 else end + _CONTEXT
        pieces.append(text[left:right])
        pos = right
        size += right - left + 1
        if size > _SAMPLE_CHARS:
            break
    return " ".join(pieces)


def mess(text: str) -> float:
    """How much ``text`` looks like mojibake: 0.0 for clean text (charset-normalizer's measure)."""
    from charset_normalizer.md import mess_ratio  # imported on first need: it is slow to load

    return float(mess_ratio(sample(text), 1.0))


def text_sample(content: bytes) -> bytes:
    """The text nodes of ``content`` that hold non-ASCII bytes, up to :data:`_DETECT_BYTES`.

    Why: the detector judges a few chunks of what it is given; on a real page
    those are mostly markup, scripts and styles, where every code page looks
    alike, and the text's language never weighs in (Russian pages came out
    as windows-1250).  Pieces run from a ``>`` to a ``<``: in every
    ASCII-compatible web encoding those bytes are never part of a multi-byte
    character, so no character is cut.  UTF-16 (many NUL bytes) is given whole.

    >>> text_sample(b"<p>plain</p><p>caf\\xe9 cr\\xe8me</p><i>x</i><b>na\\xefve</b>")
    b'caf\\xe9 cr\\xe8me\\nna\\xefve'
    """
    if content.count(0) > len(content) // 16:
        return content
    pieces: list[bytes] = []
    size = 0
    pos = 0
    for run in _NON_ASCII_BYTES.finditer(content):
        start, end = run.span()
        if start < pos:
            continue  # inside the text node taken last
        left = content.rfind(b">", pos, start) + 1 or pos
        right = content.find(b"<", end)
        if right < 0:
            right = len(content)
        pieces.append(content[left:right])
        pos = right
        size += right - left + 1
        if size > _DETECT_BYTES:
            break
    return b"\n".join(pieces)


def detect(content: bytes, ascii_only: bool) -> tuple[str, str] | None:
    """(text, codec) guessed from the bytes alone, or None when nothing fits.

    Raises :class:`UndecodableContent` when single-byte code pages read the
    text about equally well (see :func:`confident_reading`).
    """
    if ascii_only:
        return iso2022jp(content)
    text = as_utf8(content)
    if text is not None:
        return text, "utf-8"
    from charset_normalizer import from_bytes  # imported on first need: it is slow to load

    sampled = text_sample(content)
    matches = from_bytes(sampled, cp_isolation=list(_WEB_ENCODINGS))
    best = matches.best()
    codec: str | None = None
    if best is not None:
        # The detector's scores often tie between look-alike code pages (on short
        # texts, or on pages that are mostly markup): among those about as good
        # as its best, the one most used on the web wins.
        chosen = min(
            (match for match in matches if _about_as_good(match, best)),
            key=lambda match: web_rank(normalize_label(match.encoding) or match.encoding),
            default=best,
        )
        codec = normalize_label(chosen.encoding) or chosen.encoding
        if (
            codec != LIKELY_LEGACY[0]
            and not codec.startswith(UNICODE_PREFIXES)
            and _clean_as_cp1252(sampled, best.chaos)
        ):
            # The detector skips code pages "similar" to one it accepted, so
            # windows-1252 is often never scored when another page won; on a
            # few stray bytes it may even prefer half-width katakana (cp932).
            codec = LIKELY_LEGACY[0]
        codec = plausible_codec(sampled, codec)
    if codec is None or is_single_byte(codec):
        codec = confident_reading(sampled, codec).codecs[0]
    # The detector samples the document; bytes outside its sample may not fit.
    return content.decode(codec, errors="replace"), codec


def confident_reading(sampled: bytes, preferred: str | None) -> Reading:
    """The single-byte reading of ``sampled`` clearly better than any other.

    Why: look-alike code pages differ in a few letters, where the detector's
    statistics are noise (Turkish came out as windows-1252, Lithuanian as
    windows-1252, Czech as windows-1257 or ISO-8859-10, each with a few
    words garbled).  The reading whose words are words of its language wins
    when it beats the next by :data:`_MARGIN`; windows-1252 when it is one
    of the readings that close (the prior of the web); readings differing
    in symbols only (no words) go to ``preferred`` (the detector's choice),
    then to the code page most used on the web.  Otherwise no choice is safe: raise
    :class:`UndecodableContent` naming the close readings.
    """
    readings = rank_readings(sampled, preferred)
    best = readings[0]
    close = [r for r in readings if best.score - r.score < _MARGIN]
    if len(close) == 1:
        if len(readings) > 1:
            logger.debug("chosen %s over %s", best.describe(), readings[1].describe())
        return best
    web = next((r for r in close if _WEB_DEFAULT in r.codecs), None)
    if web is not None:
        # The words cannot decide: the prior does.  windows-1252 is most of
        # the unlabelled legacy web (W3Techs: several times all the others
        # together), so a tie with a rare code page is almost always it.
        logger.debug("no reading clearly best; %s by prior", web.describe())
        return web
    if best.words == 0 and best.score == close[1].score:
        return best  # they differ in symbols only: the detector's, or the most used
    raise UndecodableContent(
        "cannot tell the character encoding of this document: none is declared (or the "
        "declared one reads as nonsense), and no code page reads it clearly better than "
        f"another ({'; '.join(r.describe() for r in close[:4])}); the text would be "
        "mojibake.  Declare the charset (Content-Type header or <meta charset>), or "
        "serve UTF-8",
        candidates=tuple(codec for reading in close for codec in reading.codecs),
    )


def _clean_as_cp1252(sampled: bytes, chaos: float) -> bool:
    """Whether ``sampled`` reads as windows-1252 about as cleanly as the detector's best."""
    try:
        text = sampled.decode(LIKELY_LEGACY[0])
    except UnicodeDecodeError:
        return False
    return mess(text) <= chaos + _CP1252_MARGIN


def _about_as_good(match: CharsetMatch, best: CharsetMatch) -> bool:
    return (
        match.chaos <= best.chaos + _CHAOS_MARGIN
        and match.coherence >= best.coherence - _COHERENCE_MARGIN
    )
