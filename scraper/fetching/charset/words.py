"""Is this decoding real text?  Word shapes, and words of the text's language.

Two tests of a candidate reading, both cheap next to detection:

* :func:`is_bad_word`: one word breaks a rule real words keep (two scripts,
  letters glued to symbols, control characters...): no dictionary needed;
* :func:`rank_readings`: the single-byte code pages that read the text
  differently are ranked by how many of their words are words of the
  text's language (py3langid picks it, wordfreq knows its words).  Look-alike
  code pages (windows-1250 and ISO-8859-2, windows-1254 and windows-1252,
  windows-1253 and windows-1251...) differ in a few letters only, which only
  a dictionary tells apart: ``środę`` is Polish, ``¶rodę`` is not.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CANDIDATES",
    "Reading",
    "bad_words",
    "is_bad_word",
    "languages_of",
    "plausible_codec",
    "rank_readings",
    "read",
    "words_of",
]

logger = logging.getLogger(__name__)

#: A word for :func:`is_bad_word`: non-ASCII characters with the letters around them.
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
#: reads words as mojibake (see :func:`plausible_codec`).
_PLAUSIBLE_CANDIDATES: Final = (
    "cp1252", "cp1251", "cp932", "gb18030", "cp949", "cp1250", "big5hkscs", "cp1256",
    "koi8-r",
)  # fmt: skip

#: The single-byte code pages browsers know, most used on the web first (ties
#: go to the first), with the languages (py3langid codes) written in each
#: that wordfreq has words for.  Thai (windows-874) has no word list: its
#: readings are judged by the shape of their words only.  Left out: the
#: code pages almost no web page uses (Mac Roman and Cyrillic, DOS 866,
#: ISO-8859-16), whose readings of the symbols in windows-1252 pages (and
#: of the mojibake already in them) look cleaner than the truth.
_WESTERN: Final = ("en", "fr", "de", "es", "pt", "it", "nl", "da", "sv", "nb", "no", "fi",
                   "ca", "is", "id", "ms")  # fmt: skip
_CENTRAL: Final = ("pl", "cs", "sk", "hu", "sl", "hr", "sr", "bs", "ro", "de")
_CYRILLIC: Final = ("ru", "uk", "bg", "mk", "sr")
_BALTIC: Final = ("lt", "lv")
CANDIDATES: Final[dict[str, tuple[str, ...]]] = {
    "cp1252": _WESTERN,
    "cp1251": _CYRILLIC,
    "iso8859-2": _CENTRAL,
    "cp1250": _CENTRAL,
    "iso8859-15": _WESTERN,
    "cp1256": ("ar",),
    "cp1254": ("tr", *_WESTERN),
    "cp874": ("th",),
    "cp1253": ("el",),
    "iso8859-7": ("el",),
    "koi8-r": ("ru", "bg", "mk"),
    "cp1257": _BALTIC,
    "iso8859-13": _BALTIC,
    "cp1255": ("he",),
    "iso8859-8": ("he",),
    "koi8-u": ("uk", "ru"),
    "iso8859-5": _CYRILLIC,
    "iso8859-4": _BALTIC,
}
#: py3langid codes whose words wordfreq files under another code.
_WORDFREQ_CODES: Final = {"hr": "sh", "sr": "sh", "bs": "sh", "no": "nb"}
#: Languages wordfreq has no word list for (their readings are judged by shape).
_NO_WORDS: Final = frozenset({"th"})
#: Languages whose words a reading is judged by (see :func:`read`).
_LANGUAGES: Final = 2
#: Languages whose capital İ is a dotted i (see :func:`read`).
_DOTTED_I: Final = frozenset({"tr", "az"})
#: Characters of a reading given to py3langid (it costs ~2 ms a thousand).
_LANGID_CHARS: Final = 3000
#: What joins the parts of a word (``l’été``, ``semi-détaché``, ``Jean·ne``),
#: and any ASCII punctuation (entities, JSON and URLs in text nodes).
_PART_SEPARATORS: Final = re.compile("[\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e’‘‐‑–—·]")
#: What stands around a word without being part of it: punctuation, symbols
#: (``Pokémon™``, ``©Société``), footnote marks (``Sciences²``), spaces and
#: controls (counted apart).
_EDGES: Final = "".join(
    chr(c)
    for c in range(0x80, 0x3000)
    if unicodedata.category(chr(c))[0] in "PSZC" or unicodedata.category(chr(c)) == "No"
) + "".join(chr(c) for c in range(0x80) if not chr(c).isalnum())
#: What a word is made of: letters and the marks on them (Thai vowels, Hebrew points).
_WORD_CATEGORIES: Final = frozenset({"L", "M"})
#: A mojibake-shaped word weighs this many unknown ones (see :func:`read`).
_SHAPED_WEIGHT: Final = 3
#: Zipf frequency a word needs in wordfreq's list to count as known (see :func:`read`).
_MIN_ZIPF: Final = 1.5


def bad_words(text: str) -> tuple[int, int]:
    """(mojibake-shaped words, words with non-ASCII letters) in ``text`` (see :func:`is_bad_word`).

    >>> bad_words("Русский язык"), bad_words("Ðóññêèé ÿçûê"), bad_words("l’été à Noël")
    ((0, 2), (1, 2), (0, 3))
    """
    bad = total = 0
    for word in _WORD.findall(text):
        if any(not char.isascii() and char.isalpha() for char in word):
            total += 1
            bad += is_bad_word(word)
    return bad, total


def is_bad_word(word: str) -> bool:
    """Whether one word (non-ASCII characters with their ASCII letters) cannot be real text.

    Why: the detector's statistics need much text, but a page in a legacy code
    page often has a few non-ASCII words only (a language menu, a name), and
    read in the wrong code page each of them breaks rules that real words keep:
    letters of two scripts (Cyrillic read as windows-1256: Arabic and ``é``),
    letters glued to symbols (GB18030 read as windows-1252: ``ÈÕ±¾``), a
    capital after a small letter (KOI8-R read as windows-1251: ``тХУУЛЙК``),
    control characters, or five accented Latin letters in a row (windows-1251
    read as windows-1252: ``Ðóññêèé``).

    >>> is_bad_word("Ðóññêèé"), is_bad_word("Pokémon™"), is_bad_word("тХУУЛЙК")
    (True, False, True)
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


def plausible_codec(sample: bytes, codec: str) -> str:
    """``codec``, or a common code page in which ``sample`` has no mojibake-shaped word.

    Only overrules the detector when its choice reads some words as mojibake
    and another code page reads every word plausibly.
    """
    chosen, words = bad_words(sample.decode(codec, errors="replace"))
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
        if bad_words(text)[0] == 0:
            logger.debug("%s reads %d words as mojibake, %s none: chosen", codec, chosen, candidate)
            return candidate
    return codec


@dataclass(frozen=True)
class Reading:
    """The text nodes of a document as some code pages read them, and how real it looks.

    ``codecs``: the code pages giving this same text, most used first;
    ``language``: the language its words were looked up in (None: no word
    list, only the shape of words is judged); ``words``: words with a
    non-ASCII letter; ``known``: those the word list has (without one: those
    not mojibake-shaped); ``score``: see :func:`read`.
    """

    codecs: tuple[str, ...]
    language: str | None
    words: int
    known: int
    score: int

    def describe(self) -> str:
        """A short account for logs and error messages.

        >>> Reading(("cp1250", "iso8859-2"), "pl", words=10, known=9, score=8).describe()
        'cp1250 (= iso8859-2): 9 of 10 words pl'
        """
        same = f" (= {', '.join(self.codecs[1:])})" if len(self.codecs) > 1 else ""
        language = self.language or "well-shaped"
        return f"{self.codecs[0]}{same}: {self.known} of {self.words} words {language}"


def words_of(text: str) -> tuple[list[str], int]:
    """(lower-cased words with a non-ASCII letter, mojibake-shaped ones) of ``text``.

    Words are cut at spaces, with the punctuation around them and between
    their parts (``l’été``, ``semi-détaché``) taken off; one letter alone is
    no evidence (``Ü`` reads as ``Ь`` or ``Χ`` in other code pages, and both
    are words), a part with an ASCII digit is a code or a measure.  A part
    with a symbol, a control or another script's digit inside, or a mark on
    an ASCII letter, is mojibake-shaped (see :func:`is_bad_word`): counted,
    not returned.

    >>> words_of("«Déjà vu», l’été à Noël — ÐÑÑÑÐºÐ¸Ð¹ 25°C, ©2024 Õ")
    (['déjà', 'été', 'noël'], 1)
    """
    found: list[str] = []
    shaped = 0
    for chunk in text.split():
        if chunk.isascii():
            continue
        for part in _PART_SEPARATORS.split(chunk):
            part = part.strip(_EDGES)
            if len(part) < 2 or part.isascii() or any("0" <= char <= "9" for char in part):
                continue
            if _is_word(part) and not is_bad_word(part):
                found.append(part.lower())
            else:
                shaped += 1  # a symbol, a digit of another script, a control inside
    return found, shaped


def _is_word(part: str) -> bool:
    """Whether ``part`` is letters, and marks on non-ASCII letters (Thai vowels...).

    A mark on an ASCII letter is a Thai or Hebrew byte read among Latin ones
    (``chaunt้``): legacy code pages have no combining accents for Latin.

    >>> _is_word("คำปรารภ"), _is_word("b¸ntet"), _is_word("chaunt\u0e49"), _is_word("\u0301a")
    (True, False, False, False)
    """
    previous = "a"
    for char in part:
        kind = unicodedata.category(char)[0]
        if kind not in _WORD_CATEGORIES or (kind == "M" and previous.isascii()):
            return False
        previous = char
    return True


def languages_of(text: str, codecs: tuple[str, ...]) -> list[str]:
    """py3langid's first :data:`_LANGUAGES` choices for ``text`` among those written in ``codecs``.

    >>> languages_of("Wszyscy ludzie rodzą się wolni i równi.", ("iso8859-2",))[0]
    'pl'
    """
    from cleaners import _cache  # the language model: loaded on first need

    allowed = {lang for codec in codecs for lang in CANDIDATES.get(codec, ())}
    ranked = _cache.language_identifier().rank(text[:_LANGID_CHARS])
    return [str(code) for code, _ in ranked if code in allowed][:_LANGUAGES]


class _Lexicon:
    """Whether a word is known in any of some languages, each word looked up once."""

    def __init__(self, languages: set[str]) -> None:
        from cleaners import _cache  # the word lists: loaded on first need

        codes = {_WORDFREQ_CODES.get(code, code) for code in languages - _NO_WORDS}
        self._indexes = [_cache.word_index(code) for code in sorted(codes)]
        self._seen: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            known = any(index.zipf(word) >= _MIN_ZIPF for index in self._indexes)
            self._seen[word] = known
        return known


def read(text: str, codecs: tuple[str, ...], language: str | None, lexicon: _Lexicon) -> Reading:
    """How real ``text`` (the reading of ``codecs``, in ``language``) looks: see :class:`Reading`.

    A word is known when wordfreq gives it a Zipf frequency of at least
    :data:`_MIN_ZIPF` in one of the languages of the lexicon: those of all
    the readings compared (see :func:`rank_readings`), so that the same word
    weighs the same in each (a Hungarian name in an English page is known
    whichever code page read it).  wordfreq's lists hold some mojibake seen
    on the web, rarely.  The score is the known words less the unknown ones,
    less :data:`_SHAPED_WEIGHT` per mojibake-shaped word and per control,
    private-use or unassigned character: an unknown word may be a name, a
    shaped one is no word.  Without a word list (Thai) the well-shaped words
    count nothing: only evidence against a reading weighs.
    """
    bad = sum(1 for char in text if not char.isascii() and _is_impossible(char))
    found, shaped = words_of(text)
    words = len(found) + shaped
    penalty = _SHAPED_WEIGHT * (shaped + bad)
    if language is None or language in _NO_WORDS:
        return Reading(codecs, None, words, len(found), -penalty)
    if language in _DOTTED_I:
        # Python lower-cases İ to i + a combining dot; wordfreq, as Turkish does, to i.
        found = [word.replace("i\u0307", "i") for word in found]
    known = sum(1 for word in found if word in lexicon)
    return Reading(codecs, language, words, known, known - (len(found) - known) - penalty)


def _is_impossible(char: str) -> bool:
    return unicodedata.category(char) in _BAD_CATEGORIES and char not in "\t\n\r\f"


def rank_readings(sample: bytes, preferred: str | None) -> list[Reading]:
    """The distinct readings of ``sample`` by the single-byte code pages, best first.

    Code pages giving the same text are one reading (nothing tells them
    apart, and nothing needs to); a code page that cannot decode every byte
    is no reading.  Words are looked up in the languages of every reading.
    Ties go to the reading of ``preferred`` (the detector's choice), then to
    the code page most used on the web.
    """
    texts: dict[str, list[str]] = {}
    for codec in CANDIDATES:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        texts.setdefault(text, []).append(codec)
    order = list(CANDIDATES)
    languages = {text: languages_of(text, tuple(codecs)) for text, codecs in texts.items()}
    lexicon = _Lexicon({code for found in languages.values() for code in found})
    readings = [
        read(text, tuple(codecs), next(iter(languages[text]), None), lexicon)
        for text, codecs in texts.items()
    ]
    return sorted(
        readings,
        key=lambda r: (-r.score, preferred not in r.codecs, order.index(r.codecs[0])),
    )
