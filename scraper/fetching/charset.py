"""Turn the bytes of a document into text, choosing the character encoding.

Pure and fast: no I/O, no state.  It runs on every fetched page and also in
``scraper.extract(bytes)``, so it must never raise on any input.

The order follows the WHATWG encoding sniffing algorithm, adapted to the web
as it is (mislabelled pages are common):

1. a byte order mark wins (a UTF-8 one only when UTF-8 follows it);
2. the ``charset`` of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 4 KiB;
4. detection: ISO-2022-JP escapes in 7-bit bytes, (mostly) valid UTF-8, then
   charset-normalizer on the page's non-ASCII text nodes, limited to the
   encodings browsers know, ties going to the encoding most used on the web;
5. UTF-8 with replacement characters.

A declared charset is only believed when the bytes decode strictly with it
and, for a legacy one, into plausible text: when charset-normalizer's
mess measure calls it mojibake (Cyrillic read as windows-1252, Shift-JIS
as GB18030...), detection decides, and overrules the label only with a
reading that is clearly cleaner.  A declared single-byte charset
(``iso-8859-1``...) is also not believed when the bytes are valid multi-byte
UTF-8: that is the usual mislabel, and legacy text that happens to be valid
UTF-8 is vanishingly rare.  UTF-8 with a few invalid bytes (a stray
windows-1252 byte, a truncated last character, an encoded surrogate) is
read as UTF-8 with only those bytes read otherwise (:func:`_as_utf8`).
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

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

#: Legacy encodings by their share of the web (W3Techs), most used first.  The
#: detector is unsure between look-alike code pages on short texts, so among
#: those scoring about as well as its best (within the margins below), the
#: most used wins; windows-1252, the encoding most of the mislabelled and
#: unlabelled web uses, first.  Unlisted code pages (ISO-8859-3, -4, -10,
#: -14...) come last.
_LIKELY_LEGACY: Final = (
    "cp1252", "cp1251", "cp932", "euc_jp", "gb18030", "cp949", "iso8859-2", "cp1250",
    "big5hkscs", "iso8859-15", "cp1256", "cp1254", "cp874", "cp1253", "iso8859-7",
    "koi8-r", "cp1257", "iso8859-13", "cp1255", "iso8859-8", "koi8-u", "iso8859-5",
)  # fmt: skip
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

#: A declared legacy charset whose text measures this much mess (see
#: :func:`_mess`; clean text: ~0.0-0.02; on the test pages, cp1251 read as
#: cp1252: ~1.3, cp1252 as cp1251: ~0.5, KOI8-R as cp1251: 0.10-0.16,
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
#: Characters sampled for the mess measure (it costs ~30 ns a character).
_SAMPLE_CHARS: Final = 4000
#: Characters looked at on each side of a non-ASCII run for its enclosing tags.
_CONTEXT: Final = 160

#: Valid non-ASCII UTF-8 characters needed per run of invalid bytes for a
#: document to be read as UTF-8 with a few bad bytes (see :func:`_as_utf8`).
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
_NON_ASCII_RUN: Final = re.compile("[^\x00-\x7f]+")
_NON_ASCII_BYTES: Final = re.compile(rb"[\x80-\xff]+")
#: A word for :func:`_is_bad_word`: non-ASCII characters with the letters around them.
_WORD: Final = re.compile(r"[A-Za-z]*[^\x00-\x7f]+(?:[A-Za-z]+[^\x00-\x7f]+)*[A-Za-z]*")
#: Scripts told apart in a word (from the character's Unicode name); Han and
#: kana are one (Japanese mixes them), other letters are not judged.
_SCRIPTS: Final = frozenset(
    {"LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "THAI", "HANGUL", "HALFWIDTH", "CJK"}
)
_HAN_SCRIPTS: Final = frozenset({"CJK", "HIRAGANA", "KATAKANA"})
_CASED_SCRIPTS: Final = frozenset({"LATIN", "CYRILLIC", "GREEK"})
_GLUED_SCRIPTS: Final = frozenset({"LATIN", "CJK", "OTHER"})
#: Symbols real words carry (``25°С``, ``№5``, ``Pokémon™``...).
_WORD_SYMBOLS_OK: Final = frozenset("°×·№±²³€®™©")
#: C1 controls, private use, unassigned and lone surrogates: never in a word
#: (format characters, a soft hyphen or a zero-width joiner, are).
_BAD_CATEGORIES: Final = frozenset({"Cc", "Co", "Cn", "Cs"})
#: The detector's choice is overruled only when more than one word in this
#: many reads as mojibake.
_BAD_SHARE: Final = 5
#: Accented Latin letters in a row that no real word of a web code page has.
_LATIN_RUN: Final = 5
#: Code pages tried, most used on the web first, when the detector's choice
#: reads words as mojibake (see :func:`_plausible_codec`).
_PLAUSIBLE_CANDIDATES: Final = (
    "cp1252", "cp1251", "cp932", "gb18030", "cp949", "cp1250", "big5hkscs", "cp1256",
    "koi8-r",
)  # fmt: skip
#: Bytes of text nodes the detector is given (see :func:`_text_sample`).
_DETECT_BYTES: Final = 16 * 1024

#: ISO-2022-JP codecs, tried in order: the plain one, then with half-width
#: katakana (ESC ( I), then the multilingual extension.
_ISO2022JP_CODECS: Final = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2")
#: Codecs that need no plausibility check (any text in them decodes only so).
_UNICODE_PREFIXES: Final = ("utf-", "utf_")

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


def _as_utf8(content: bytes) -> str | None:
    """``content`` as UTF-8, repairing a few bad bytes; None when it is not UTF-8.

    Why: one stray windows-1252 byte in a UTF-8 page (pasted text, a CMS
    concatenating strings, a truncated body) makes the strict decoder fail,
    and the whole page then went to a legacy code page: mojibake everywhere
    for one bad byte.  Legacy text is almost never valid multi-byte UTF-8 by
    chance, so valid UTF-8 characters outnumbering invalid runs
    :data:`_VALID_PER_INVALID` to one prove the document is UTF-8; only the
    invalid runs are then read otherwise (see :func:`_read_bad_bytes`).

    >>> _as_utf8("Noël à Orléans : café, crème, théâtre, été".encode() + b" \\x96 fin")
    'Noël à Orléans : café, crème, théâtre, été – fin'
    >>> _as_utf8("théâtre".encode("cp1252")) is None
    True
    """
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass  # maybe a few bad bytes: count them below
    text = content.decode("utf-8", "surrogateescape")
    runs = _ESCAPED_RUN.findall(text)
    escaped = sum(map(len, runs))
    valid = _non_ascii(text) - escaped
    if valid < _VALID_PER_INVALID * len(runs):
        return None
    logger.debug("utf-8 with %d invalid runs among %d characters: repaired", len(runs), valid)
    return _ESCAPED_RUN.sub(_read_bad_bytes, text)


def _iso2022jp(content: bytes) -> tuple[str, str] | None:
    """(text, codec) when 7-bit ``content`` is ISO-2022-JP (it switches to JIS X 0208)."""
    if b"\x1b" not in content or (b"\x1b$@" not in content and b"\x1b$B" not in content):
        return None  # one byte is looked for much faster than two strings
    for codec in _ISO2022JP_CODECS:
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None


def _mislabelled(content: bytes, codec: str, ascii_only: bool) -> tuple[str, str] | None:
    """(text, codec) when ``content`` declared as ``codec`` is really UTF-8 or ISO-2022-JP."""
    if ascii_only:
        return None if codec.startswith("iso2022") else _iso2022jp(content)
    if not _is_single_byte(codec):
        return None
    text = _as_utf8(content)
    return None if text is None else (text, "utf-8")


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _fits(content: bytes, codec: str) -> bool:
    try:
        content.decode(codec)
    except UnicodeDecodeError:
        return codec == "utf-8" and _as_utf8(content) is not None
    return True


def _sample(text: str) -> str:
    """The text around non-ASCII characters (to the enclosing tags), up to :data:`_SAMPLE_CHARS`.

    Mojibake lives there; markup and ASCII-only text would dilute the measure,
    and the whole page would cost too much on large pages.

    >>> _sample("<p>ok</p><p>A caf\u00e9, please</p><script>x</script><b>na\u00efve</b>")
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


def _mess(text: str) -> float:
    """How much ``text`` looks like mojibake: 0.0 for clean text (charset-normalizer's measure)."""
    from charset_normalizer.md import mess_ratio  # imported on first need: it is slow to load

    return float(mess_ratio(_sample(text), 1.0))


def _text_sample(content: bytes) -> bytes:
    """The text nodes of ``content`` that hold non-ASCII bytes, up to :data:`_DETECT_BYTES`.

    Why: the detector judges a few chunks of what it is given; on a real page
    those are mostly markup, scripts and styles, where every code page looks
    alike, and the text's language never weighs in (Russian pages came out
    as windows-1250).  Pieces run from a ``>`` to a ``<``: in every
    ASCII-compatible web encoding those bytes are never part of a multi-byte
    character, so no character is cut.  UTF-16 (many NUL bytes) is given whole.

    >>> _text_sample(b"<p>plain</p><p>caf\\xe9 cr\\xe8me</p><i>x</i><b>na\\xefve</b>")
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


def _detect(content: bytes, ascii_only: bool) -> tuple[str, str] | None:
    """(text, codec) guessed from the bytes alone, or None when nothing fits."""
    if ascii_only:
        return _iso2022jp(content)
    text = _as_utf8(content)
    if text is not None:
        return text, "utf-8"
    from charset_normalizer import from_bytes  # imported on first need: it is slow to load

    sample = _text_sample(content)
    matches = from_bytes(sample, cp_isolation=list(_WEB_ENCODINGS))
    best = matches.best()
    if best is None:
        return None
    # The detector's scores often tie between look-alike code pages (on short
    # texts, or on pages that are mostly markup): among those about as good
    # as its best, the one most used on the web wins.
    chosen = min(
        (match for match in matches if _about_as_good(match, best)),
        key=lambda match: _web_rank(normalize_label(match.encoding) or match.encoding),
        default=best,
    )
    codec = normalize_label(chosen.encoding) or chosen.encoding
    if (
        codec != _LIKELY_LEGACY[0]
        and not codec.startswith(_UNICODE_PREFIXES)
        and _clean_as_cp1252(sample, best.chaos)
    ):
        # The detector skips code pages "similar" to one it accepted, so
        # windows-1252 is often never scored when another page won; on a
        # few stray bytes it may even prefer half-width katakana (cp932).
        codec = _LIKELY_LEGACY[0]
    codec = _plausible_codec(sample, codec)
    # The detector samples the document; bytes outside its sample may not fit.
    return content.decode(codec, errors="replace"), codec


def _bad_words(text: str) -> tuple[int, int]:
    """(mojibake-shaped words, words with non-ASCII letters) in ``text`` (see :func:`_is_bad_word`).

    >>> _bad_words("Русский язык"), _bad_words("Ðóññêèé ÿçûê"), _bad_words("l’été à Noël")
    ((0, 2), (1, 2), (0, 3))
    """
    bad = total = 0
    for word in _WORD.findall(text):
        if any(not char.isascii() and char.isalpha() for char in word):
            total += 1
            bad += _is_bad_word(word)
    return bad, total


def _is_bad_word(word: str) -> bool:
    """Whether one word (non-ASCII characters with their ASCII letters) cannot be real text.

    Why: the detector's statistics need much text, but a page in a legacy code
    page often has a few non-ASCII words only (a language menu, a name), and
    read in the wrong code page each of them breaks rules that real words keep:
    letters of two scripts (Cyrillic read as windows-1256: Arabic and ``é``),
    letters glued to symbols (GB18030 read as windows-1252: ``ÈÕ±¾``), a
    capital after a small letter (KOI8-R read as windows-1251: ``тХУУЛЙК``),
    control characters, or five accented Latin letters in a row (windows-1251
    read as windows-1252: ``Ðóññêèé``).
    """
    scripts: set[str] = set()
    symbols = non_ascii_letters = run = 0
    previous_lower = previous_ascii = previous_glued = False
    for char in word:
        category = unicodedata.category(char)
        if category in _BAD_CATEGORIES:
            return True
        if category[0] != "L":
            previous_lower = previous_ascii = previous_glued = False
            run = 0
            if char not in _WORD_SYMBOLS_OK and (category[0] == "S" or category == "No"):
                symbols += 1
            continue
        if char.isascii():
            if previous_glued:
                return True
            run = 0
            previous_lower, previous_ascii = char.islower(), True
            continue
        non_ascii_letters += 1
        script = _script(char)
        if script != "OTHER":
            scripts.add(script)
        if script in _CASED_SCRIPTS:
            if char.isupper() and previous_lower:
                return True
            previous_lower = char.islower()
        # Only Latin and CJK letters touch ASCII letters in real words
        # (``iPhone手机``); Arabic read from windows-1250 does (``offersآ``).
        previous_glued = script not in _GLUED_SCRIPTS
        if previous_glued and previous_ascii:
            return True
        previous_ascii = False
        run = run + 1 if script == "LATIN" else 0
        if run >= _LATIN_RUN:
            return True
    return len(scripts) > 1 or (symbols > 0 and non_ascii_letters > 0)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    script = name.split(" ", 1)[0]
    if script in _HAN_SCRIPTS:
        return "CJK"
    return script if script in _SCRIPTS else "OTHER"


def _plausible_codec(sample: bytes, codec: str) -> str:
    """``codec``, or a common code page in which ``sample`` has no mojibake-shaped word.

    Only overrules the detector when its choice reads some words as mojibake
    and another code page reads every word plausibly; when none does, the
    detector's guess stays and a warning says the text may be wrong.
    """
    chosen, words = _bad_words(sample.decode(codec, errors="replace"))
    if chosen * _BAD_SHARE <= words:
        # A few odd words are noise (a name, mojibake already in the source).
        return codec
    for candidate in _PLAUSIBLE_CANDIDATES:
        if candidate == codec:
            continue
        try:
            text = sample.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _bad_words(text)[0] == 0:
            logger.debug("%s reads %d words as mojibake, %s none: chosen", codec, chosen, candidate)
            return candidate
    logger.warning(
        "unlabelled document: no encoding reads it cleanly; guessed %s, text may be wrong", codec
    )
    return codec


def _clean_as_cp1252(sample: bytes, chaos: float) -> bool:
    """Whether ``sample`` reads as windows-1252 about as cleanly as the detector's best."""
    try:
        text = sample.decode(_LIKELY_LEGACY[0])
    except UnicodeDecodeError:
        return False
    return _mess(text) <= chaos + _CP1252_MARGIN


def _is_latin(codec: str) -> bool:
    """Whether the letters of single-byte ``codec`` are Latin (as in windows-1252 or ISO-8859-2).

    >>> _is_latin("iso8859-2"), _is_latin("mac-roman"), _is_latin("cp1251"), _is_latin("cp932")
    (True, True, False, False)
    """
    if not _is_single_byte(codec):
        return False
    letters = [c for c in bytes(range(0xC0, 0x100)).decode(codec, "ignore") if c.isalpha()]
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    return bool(letters) and latin > len(letters) * 3 // 4


def _about_as_good(match: CharsetMatch, best: CharsetMatch) -> bool:
    return (
        match.chaos <= best.chaos + _CHAOS_MARGIN
        and match.coherence >= best.coherence - _COHERENCE_MARGIN
    )


def _web_rank(codec: str) -> int:
    """The rank of ``codec`` in :data:`_LIKELY_LEGACY`; unlisted ones come last, tied.

    >>> _web_rank("cp1252"), _web_rank("iso8859-2") < _web_rank("cp1257") < _web_rank("iso8859-10")
    (0, True)
    """
    return _LIKELY_LEGACY.index(codec) if codec in _LIKELY_LEGACY else len(_LIKELY_LEGACY)


def decode_document(content: bytes, content_type: str | None = None) -> tuple[str, str, str]:
    """Decode a document: ``(text, encoding, source)``.

    ``encoding`` is a Python codec name (``"utf-8"``, ``"cp1252"``...);
    ``source`` is ``"bom"``, ``"header"``, ``"meta"``, ``"detected"`` or
    ``"default"``.  Declarations are tried in order (header, then meta) and the
    first that decodes strictly into plausible text wins; when none does we
    detect.  Never raises.

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
    for bom, bom_codec in _BOMS:
        if content.startswith(bom):
            body = content[len(bom) :]
            if bom_codec != "utf-8":
                return body.decode(bom_codec, errors="replace"), bom_codec, "bom"
            text = _as_utf8(body)
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
        ("meta", _meta_charset(content)),
    )
    #: The first declaration that decodes but reads as mojibake, and its mess.
    doubtful: tuple[str, str, str, float] | None = None
    for source, label in declared:
        if label is None:
            continue
        codec = normalize_label(label)
        if source == "meta" and codec in _META_UTF16:
            codec = "utf-8"
        if codec is None:
            logger.debug("unknown %s charset %r ignored", source, label)
            continue
        if codec == "utf-8":
            utf8 = _as_utf8(content)
            if utf8 is None:
                logger.debug("%s charset utf-8 does not fit the bytes", source)
                continue
            if ascii_only and (jis := _iso2022jp(content)) is not None:
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
        if ascii_only or codec.startswith(_UNICODE_PREFIXES):
            return text, codec, source
        evidence = _MIN_EVIDENCE if _is_single_byte(codec) else _MIN_EVIDENCE_CJK
        if _non_ascii(text) < evidence:
            return text, codec, source
        mess = _mess(text)
        if mess < _IMPLAUSIBLE:
            return text, codec, source
        logger.debug("%s charset %s gives implausible text (mess %.2f)", source, codec, mess)
        if doubtful is None:
            doubtful = (text, codec, source, mess)

    detected = _detect(content, ascii_only)
    if doubtful is not None:
        # A label is only overruled by a reading that fits every byte and is
        # clearly cleaner.
        text, codec, source, mess = doubtful
        if (
            detected is None
            or detected[1] == codec
            # Latin code pages differ in a few letters only, and the mess
            # measure between them is noise: the label knows better.
            or (_is_latin(codec) and _is_latin(detected[1]))
            or not _fits(content, detected[1])
            or _mess(detected[0]) > mess * _CLEANER
        ):
            return text, codec, source
    if detected is not None:
        return detected[0], detected[1], "detected"
    return content.decode("utf-8", errors="replace"), "utf-8", "default"
